"""Commands for federations and secretariats: ``report``, ``secretariat merge|publish``, ``diff``."""
from __future__ import annotations

from pathlib import Path

import click

from riskgraph.errors import InputError
from riskgraph.output import emit_table, excel_writer, print_json, stderr, write_frame
from riskgraph.cli._common import (CONTEXT, check_folder_out, lang_option, quiet_option, raw_csv_option, read_chain,
                                   unknown_value)

REPORT_SUFFIXES = (".html", ".xlsx")
#: Suppliers gained and lost named in diff's table output (all of them in --format json).
SHOWN_SUPPLIERS = 50


def _hotspots_for(chain, assessment):
    """The chain's hotspots for a report (:func:`riskgraph.hotspots.find_hotspots`; reports show no anomalies)."""
    from riskgraph.hotspots import find_hotspots

    return find_hotspots(chain, assessment, with_anomalies=False)



@click.command("report", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="report.html (self-contained) or matrix.xlsx (a federation's risk matrix).")
@click.option("--node", multiple=True, help="Company node(s); default: every most-downstream actor, by volume.")
@lang_option("Report language.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
@quiet_option
def report(path: Path, out: Path, node: tuple[str, ...], lang: str, year: int | None, quiet: bool) -> None:
    """Write a risk report: self-contained HTML or an Excel risk matrix.

    The HTML report holds stage × country heatmaps per theme, ranked
    priorities with severity and likelihood apart, a Sankey diagram of the
    material flows, explanations of the top risks, hotspots, data quality
    (validation findings, unknown shares) and sources and method. The
    workbook holds one coloured sheet per theme, a summary and sources.

    \b
    Examples:
      riskgraph report datasets/food --out food.html
      riskgraph report datasets/gold --out gold.xlsx --lang nl
    """
    from riskgraph.progress import progress_steps
    from riskgraph.report import html_report, matrix_workbook
    from riskgraph.risk import assess

    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"--out must end in .html or .xlsx, not '{out.suffix or out.name}'")
    html = out.suffix.lower() == ".html"
    steps = ["reading", "assessing"] + (["hotspots", "map", "priorities", "matrices", "explanations",
                                         "data quality", "flows", "writing"] if html else ["writing"])
    with progress_steps(steps, quiet=quiet, title=str(out.name)) as step:
        step("reading")
        chain = read_chain(path)
        step("assessing")
        assessment = assess(chain, year=year)
        unknown = [n for n in node if n not in set(chain.actors["id"])]
        if unknown:
            raise unknown_value("--node", unknown[0], chain.actors["id"], f"an actor id of {path}")
        nodes = list(node) if node else None
        scope = nodes[0] if nodes and len(nodes) == 1 else nodes
        if not html:
            step("writing")
            matrix_workbook(assessment, scope if scope is not None else assessment.chain_ends, out, lang=lang)
        else:
            from riskgraph.geo.maps import hotspot_map_frame
            from riskgraph.report import hotspot_table

            step("hotspots")
            found = _hotspots_for(chain, assessment)
            step("map")
            hotspot_map = hotspot_map_frame(found, lang=lang)
            html_report(assessment, out, node=scope, lang=lang, hotspots=hotspot_table(found.hotspots),
                        hotspot_map=hotspot_map, progress=step)
    if not quiet:
        from riskgraph.formatting import phrase

        stderr(phrase("cli.wrote", path=out))


@click.group("secretariat", context_settings=CONTEXT)
def secretariat() -> None:
    """Covenant secretariats: merge members' chains, publish k-anonymously.

    \b
    Example:
      riskgraph secretariat merge members/*/ --out sector/
      riskgraph secretariat publish sector/ --out sector.html --k 3 --ledger releases.json
      riskgraph secretariat audit sector-2025.html sector-2026.html
    """


@secretariat.command("merge", context_settings=CONTEXT)
@raw_csv_option
@click.argument("members", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the sector chain.")
@click.option("--no-name-matching", is_flag=True, help="Join members' actors by registry ids only (OS ID, CID).")
def merge(members: tuple[Path, ...], out: Path, no_name_matching: bool) -> None:
    """Merge members' chains into one sector chain; members stay labelled.

    Actor ids become MEMBER/ID; actors reported by several members under one
    Open Supply Hub id or RMI smelter id (or matched by name) become one
    actor listing its members. Writes the chain and members.csv.

    \b
    Example:
      riskgraph secretariat merge acme/ bakker.xlsx cacao_nl/ --out sector/
    """
    from riskgraph.covenant.secretariat import merge_members, write_merged

    check_folder_out(out, what="a folder for the sector chain")
    chain, table = merge_members(members, match_names=not no_name_matching)
    write_merged(chain, table, out)
    emit_table(table, title=f"Merged {len(members)} members into {out}: {len(chain.actors)} actors, "
                            f"{len(chain.flows)} flows")


PUBLICATION_SUFFIXES = (".html", ".xlsx", ".json")


def _dominance(ctx, param, value):
    if value is None or value.lower() == "off":
        return None
    n, sep, k = value.partition(",")
    try:
        return (int(n), float(k))
    except ValueError:
        raise click.BadParameter("give N,K such as 1,90 (the N largest members may hold at most K %), or off")


@secretariat.command("publish", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="report.html, matrix.xlsx or figures.json")
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Minimum number of members behind every published figure.")
@click.option("--p", "p", type=click.FloatRange(0, 100), default=10.0, show_default=True,
              help="p % rule: the members beyond the two largest must hold at least p % of the largest.")
@click.option("--dominance", default="1,90", show_default=True, callback=_dominance, metavar="N,K",
              help="(n, k) rule: the N largest members may hold at most K % of a cell ('off' to drop it).")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The secretariat's record of releases (JSON, created if missing; keep it confidential).")
@click.option("--suppress-differences", is_flag=True,
              help="With --ledger: withhold every figure that would differ from a release whose members differ "
                   "by fewer than k, instead of refusing.")
@lang_option("Report language.")
def publish(path: Path, out: Path, k: int, p: float, dominance, ledger: Path | None, suppress_differences: bool,
            lang: str) -> None:
    """Publish the sector matrix and hotspots under statistical disclosure control.

    A cell is published when at least k members contribute and no member
    dominates it (p % and (n, k) rules); a stage's or country's withheld
    cells are pooled into 'other' when the pool passes the rules, otherwise
    more cells are withheld so that none can be recovered from a total.
    Values are rounded, volumes shown as bands, withheld and empty cells
    look alike, hotspots are counts per location. With --ledger, a release
    whose member set differs from an earlier one by fewer than k members is
    refused (exit 1): subtracting the two would reveal those members.

    \b
    Examples:
      riskgraph secretariat publish sector/ --out sectorbeeld.html --k 3 --ledger releases.json
      riskgraph secretariat publish sector/ --out figures.json --k 5 --p 15 --dominance 2,85
    """
    import json

    from riskgraph.covenant.disclosure import Ledger, ReleaseRefused, Rules
    from riskgraph.covenant.secretariat import publish as publish_sector
    from riskgraph.formatting import phrase
    from riskgraph.output import to_jsonable
    from riskgraph.report import html_report
    from riskgraph.risk import assess

    if out.suffix.lower() not in PUBLICATION_SUFFIXES:
        raise InputError(f"--out must end in .html, .xlsx or .json, not '{out.suffix or out.name}'")
    if suppress_differences and ledger is None:
        raise InputError("--suppress-differences needs --ledger (the releases to compare with)")
    chain = read_chain(path)
    assessment = assess(chain)
    book = Ledger.open(ledger) if ledger is not None else None
    try:
        publication = publish_sector(assessment, rules=Rules(k=k, p=p, dominance=dominance),
                                     hotspots=_hotspots_for(chain, assessment).hotspots, ledger=book,
                                     suppress_differences=suppress_differences)
    except ReleaseRefused as exc:
        stderr(phrase("cli.publish.refused", reason=exc))
        raise SystemExit(1)
    if out.suffix.lower() == ".html":
        html_report(assessment, out, lang=lang, publication=publication, notices=[publication.notice(lang)],
                    hotspots=publication.hotspots)
    elif out.suffix.lower() == ".json":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(to_jsonable(publication.to_dict()), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
    else:
        from riskgraph.report import publication_workbook

        publication_workbook(publication, out, lang=lang)
    if book is not None:
        book.record(publication, out.name)
        stderr(phrase("cli.publish.recorded", path=ledger, count=len(book.releases)))
    stderr(publication.notice(lang))
    stderr(phrase("cli.wrote", path=out))


@secretariat.command("audit", context_settings=CONTEXT)
@click.argument("publications", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="How to print what leaks.")
@raw_csv_option
def audit(publications: tuple[Path, ...], fmt: str) -> None:
    """Replay the differencing attacks on publications and report what a reader could recover.

    Every pair of publications whose member sets differ by fewer than k
    members is subtracted figure by figure; each publication is also checked
    on its own (totals or member counts below k). Exit 1 when something leaks.

    \b
    Example:
      riskgraph secretariat audit sectorbeeld-2025.html sectorbeeld-2026.html
    """
    from riskgraph.covenant.audit import audit as run_audit

    leaks = run_audit(publications)
    if len(leaks):
        emit_table(leaks, title=f"{len(leaks)} figures leak", fmt=fmt)
        stderr(f"{len(leaks)} figure(s) can be recovered from {len(publications)} publication(s).")
        raise SystemExit(1)
    if fmt == "json":
        print_json([])
    stderr(f"Nothing leaks: {len(publications)} publication(s), "
           f"{len(publications) * (len(publications) - 1) // 2} pair(s) compared.")


@click.command("diff", context_settings=CONTEXT)
@raw_csv_option
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--node", multiple=True, help="Company node(s) to compare; default: each chain's ends.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the comparison.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the changed cells to .csv, .xlsx or .parquet.")
@lang_option()
def diff(old: Path, new: Path, node: tuple[str, ...], fmt: str, out: Path | None, lang: str) -> None:
    """Year over year: new and lost suppliers, coverage, and risk up or down per cell.

    \b
    Example:
      riskgraph diff submissions/2024/acme submissions/2025/acme
    """
    from riskgraph.covenant.diff import compare
    from riskgraph.formatting import phrase

    comparison = compare(read_chain(old), read_chain(new), nodes=list(node) or None)
    if out is not None:
        write_frame(comparison.cells, out, sheet="cells")
        stderr(phrase("cli.wrote", path=out))
    if fmt == "json":
        print_json(comparison.to_dict())
        return
    emit_table(comparison.coverage, title=phrase("cli.diff.coverage"))
    emit_table(comparison.peaks, title=phrase("cli.diff.peaks"))
    suppliers = comparison.suppliers
    counts = suppliers.groupby(["change", "stage"]).size().rename("actors").reset_index() \
        if len(suppliers) else suppliers
    emit_table(counts, title=phrase("cli.diff.counts"))
    if len(suppliers):
        # name them: a secretariat follows up on the supplier, not on "lost: farm 1"
        named = suppliers.sort_values(["change", "stage", "actor"], kind="stable")
        emit_table(named.head(SHOWN_SUPPLIERS)[["change", "actor", "name", "stage", "country"]],
                   title=phrase("cli.diff.named_first", count=len(suppliers), first=SHOWN_SUPPLIERS)
                   if len(suppliers) > SHOWN_SUPPLIERS else phrase("cli.diff.named", count=len(suppliers)))
        if len(suppliers) > SHOWN_SUPPLIERS:
            stderr(phrase("cli.diff.every"))
    emit_table(comparison.cells.head(20), title=phrase("cli.diff.cells", count=len(comparison.cells)))


def print_rules(regulation: str, fmt: str) -> None:
    """Print a regulation's rules table (rule id, article, severity, summary, check, source)."""
    from riskgraph.regulation.common import rules

    table = rules(regulation)
    if fmt == "table":
        table = table[["rule_id", "article", "severity", "summary"]]
    emit_table(table, title=f"{regulation} rules ({len(table)}); full text and sources: --format csv", fmt=fmt)


@click.command("eudr", context_settings=CONTEXT)
@raw_csv_option
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--node", default=None, help="The company: operator, downstream operator or trader.")
@click.option("--year", type=int, default=None, help="The year of the deliveries; default: all years.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for statement.json, the tables as CSV and (operators only) plots.geojson.")
@click.option("--rules", "show_rules", is_flag=True, help="Print the EUDR rules with their articles and exit.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: the tables; json: the whole statement as one document; csv: the missing items "
                   "(with --rules: the rules).")
@lang_option()
def eudr(path: Path | None, node: str | None, year: int | None, out: Path | None, show_rules: bool, fmt: str,
         lang: str) -> None:
    """EUDR (Reg. (EU) 2023/1115 as amended by 2025/2650): who files, what blocks, what is missing.

    Decides the company's role: only the operator placing relevant products
    on the market first files a due diligence statement (Art. 4); a
    downstream operator or trader keeps its suppliers' and customers'
    details and the reference numbers of operators' statements (Art. 5(3)).
    For an operator: products from plots with forest loss after 2020-12-31,
    failed geolocation or no plot are blocking (Art. 3, 9(1)(d)) and are
    never written to plots.geojson (the EU format: Point, MultiPoint,
    Polygon, MultiPolygon, 2-D, ProducerName, ProducerCountry,
    ProductionPlace, Area); the Art. 9(1) information with what is missing.
    Exit 1 when something blocks or is missing.

    \b
    Examples:
      riskgraph eudr --rules
      riskgraph eudr datasets/food --node FOD-TRD-NL-01 --year 2025 --out eudr/
    """
    if show_rules:
        print_rules("eudr", fmt)
        return
    if path is None or node is None:
        raise InputError("give a chain PATH and --node (or --rules to print the rules)")
    from riskgraph.regulation.eudr import eudr_statement

    if out is not None:
        check_folder_out(out, what="a folder for statement.json, the tables and plots.geojson")
    chain = read_chain(path)
    statement = eudr_statement(chain, node, year=year)
    if out is not None:
        statement.write(out)
    from riskgraph.formatting import phrase, say

    role = statement.role
    files = {"operator": "cli.eudr.files_dds", "micro_or_small_primary_operator": "cli.eudr.files_simplified"}.get(
        role.role if role.files else None, "cli.eudr.files_nothing")
    stderr(phrase("cli.eudr.role", node=node, name=role.name, country=role.country,
                  role=role.role.replace("_", " ") if lang == "en" else role.role, files=phrase(files)))
    for reason in role.reasons:
        stderr(f"  {say(reason)}")
    if fmt != "table":
        if fmt == "json":
            print_json(statement.to_dict())
        else:
            emit_table(statement.missing, fmt="csv")
        raise SystemExit(1 if len(statement.blocking) or len(statement.missing) else 0)
    emit_table(statement.commodities, title=phrase("cli.eudr.products_year", node=node, year=year) if year
               else phrase("cli.eudr.products", node=node))
    if role.files_statement:
        emit_table(statement.production, title=phrase("cli.eudr.production"))
        if len(statement.blocking):
            emit_table(statement.blocking, title=phrase("cli.eudr.blocking", count=len(statement.blocking)))
        emit_table(statement.information, title=phrase("cli.eudr.information"))
    elif len(role.keep):
        emit_table(role.keep, title=phrase("cli.eudr.keep"))
    if len(statement.missing):
        emit_table(statement.missing, title=phrase("cli.eudr.missing", count=len(statement.missing)))
    stderr(phrase("cli.eudr.summary", plots=len(statement.geojson.get("features", [])),
                  blocking=len(statement.blocking), missing=len(statement.missing))
           + (phrase("cli.eudr.written", path=out) if out is not None else ""))
    raise SystemExit(1 if len(statement.blocking) or len(statement.missing) else 0)


@click.command("statement", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--node", default=None, help="The company whose statement to draft.")
@click.option("--theme", type=click.Choice(["child_labour", "forced_labour"]), default="child_labour",
              show_default=True, help="The theme of the statement.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="statement.html (to read and sign) or plan.xlsx (plan of action to edit).")
@lang_option("Language of the statement.")
@click.option("--threshold", type=click.FloatRange(min=0), default=None,
              help="Evidence points from which a supplier is a reasonable suspicion [default: 1, any one item].")
@click.option("--region-prevalence", type=click.FloatRange(0, 100), default=None,
              help="Share of children in child labour (%, UNICEF) from which the country counts as evidence "
                   "[default: 10].")
@click.option("--rules", "show_rules", is_flag=True, help="Print the rules of the Act with their articles and exit.")
def statement(path: Path | None, node: str | None, theme: str, out: Path | None, lang: str, threshold: float | None,
              region_prevalence: float | None, show_rules: bool) -> None:
    """Draft a child-labour statement (Wet zorgplicht kinderarbeid, Stb. 2019, 401; not yet in force).

    Keeps the declaration (Art. 4) apart from the investigation and the plan
    of action (Art. 5). A supplier is a reasonable suspicion when its
    evidence reaches the threshold: a US DOL listing at the stage where the
    good is produced, the country's child-labour prevalence at a stage where
    children work, an audit finding or a grievance. Each suspicion gets a
    plan-of-action row (path, leverage point, proposed step, guidance,
    owner, due date, status).

    \b
    Examples:
      riskgraph statement --rules
      riskgraph statement datasets/gold --node GLD-MFG-NL-01 --out verklaring.html --lang nl
    """
    if show_rules:
        print_rules("child_labour", "table")
        return
    if path is None or node is None or out is None:
        raise InputError("give a chain PATH, --node and --out (or --rules to print the rules)")
    from riskgraph.regulation.statement import SuspicionCriteria, child_labour_statement, write_statement

    criteria = SuspicionCriteria(**({"region_prevalence": region_prevalence} if region_prevalence is not None else {}))
    drafted = child_labour_statement(read_chain(path), node, theme=theme, threshold=threshold, criteria=criteria,
                                     lang=lang)
    write_statement(drafted, out, lang=lang)
    stderr(drafted.status)
    from riskgraph.formatting import phrase

    stderr(phrase("cli.statement.written", count=len(drafted.suspicions), node=node, path=out))


@secretariat.command("monitor", context_settings=CONTEXT)
@raw_csv_option
@click.argument("members", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Minimum number of members behind every published figure.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Covenant figures: .csv, .xlsx (with a per-member sheet for the secretariat) or .json.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the covenant figures.")
def monitor(members: tuple[Path, ...], k: int, out: Path, fmt: str) -> None:
    """Covenant monitoring: members' progress per year, aggregated k-anonymously.

    Per member and year: volume traced to origin, tiers mapped, EUDR plots
    with valid geolocation, reasonable suspicions and how many have a
    plan-of-action entry (actions.csv next to the member's chain). The
    covenant figures ("n % of members mapped their chain to tier 2") are
    published only when k members stand behind them, with the change on
    the year before.

    \b
    Example:
      riskgraph secretariat monitor members/* --k 3 --out voortgang.xlsx
    """
    import pandas as pd

    from riskgraph.covenant.monitor import monitor as run_monitor

    per_member, figures = run_monitor(members, k=k)
    if out.suffix.lower() == ".xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        with excel_writer(out) as writer:
            figures.to_excel(writer, sheet_name="covenant figures", index=False)
            per_member.to_excel(writer, sheet_name="per member (internal)", index=False)
    else:
        write_frame(figures, out, sheet="covenant figures")
    if fmt == "json":
        print_json(figures)
    else:
        emit_table(figures.drop(columns="description"), title=f"Covenant figures (k = {k})")
    stderr(f"Wrote {out}")
