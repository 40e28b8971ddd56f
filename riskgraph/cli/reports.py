"""Commands for federations and secretariats: ``report``, ``secretariat merge|publish``, ``diff``."""
from __future__ import annotations

from pathlib import Path

import click

from riskgraph.errors import InputError
from riskgraph.chain.io import read_chain
from riskgraph.output import emit_table, print_json, stderr, write_frame
from riskgraph.cli._common import CONTEXT

REPORT_SUFFIXES = (".html", ".xlsx")


def _hotspots_for(chain, assessment):
    """The chain's hotspots (:func:`riskgraph.hotspots.find_hotspots`)."""
    from riskgraph.hotspots import find_hotspots

    return find_hotspots(chain, assessment)



@click.command("report", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="report.html (self-contained) or matrix.xlsx (a federation's risk matrix).")
@click.option("--node", multiple=True, help="Company node(s); default: every most-downstream actor, by volume.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True, help="Report language.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
def report(path: Path, out: Path, node: tuple[str, ...], lang: str, year: int | None) -> None:
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
    from riskgraph.report import html_report, matrix_workbook
    from riskgraph.risk import assess

    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"--out must end in .html or .xlsx, not '{out.suffix or out.name}'")
    chain = read_chain(path)
    assessment = assess(chain, year=year)
    unknown = [n for n in node if n not in set(chain.actors["id"])]
    if unknown:
        raise InputError(f"--node {unknown} not actor ids of {path}")
    nodes = list(node) if node else None
    scope = nodes[0] if nodes and len(nodes) == 1 else nodes
    if out.suffix.lower() == ".xlsx":
        matrix_workbook(assessment, scope if scope is not None else assessment.chain_ends, out, lang=lang)
    else:
        from riskgraph.geo.maps import hotspot_map_frame
        from riskgraph.report import hotspot_table

        found = _hotspots_for(chain, assessment)
        html_report(assessment, out, node=scope, lang=lang, hotspots=hotspot_table(found.hotspots),
                    hotspot_map=hotspot_map_frame(found))
    stderr(f"Wrote {out}")


@click.group("secretariat", context_settings=CONTEXT)
def secretariat() -> None:
    """Covenant secretariats: merge members' chains, publish k-anonymously.

    \b
    Example:
      riskgraph secretariat merge members/*/ --out sector/
      riskgraph secretariat publish sector/ --out sector.html --k 3
    """


@secretariat.command("merge", context_settings=CONTEXT)
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

    chain, table = merge_members(members, match_names=not no_name_matching)
    write_merged(chain, table, out)
    emit_table(table, title=f"Merged {len(members)} members into {out}: {len(chain.actors)} actors, "
                            f"{len(chain.flows)} flows")


@secretariat.command("publish", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="report.html or matrix.xlsx")
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True,
              help="Minimum number of members behind every published figure.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="nl", show_default=True, help="Report language.")
def publish(path: Path, out: Path, k: int, lang: str) -> None:
    """Publish the sector matrix and hotspots so that no figure rests on fewer than k members.

    Cells with fewer than k members are pooled per stage into 'other' when
    the pool has k members, otherwise withheld; hotspots are shown per
    stage and country, never by supplier name; the report says what was
    held back.

    \b
    Example:
      riskgraph secretariat publish sector/ --out sectorbeeld.html --k 3
    """
    from riskgraph.report import html_report
    from riskgraph.risk import assess
    from riskgraph.covenant.secretariat import publish as publish_sector

    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"--out must end in .html or .xlsx, not '{out.suffix or out.name}'")
    chain = read_chain(path)
    assessment = assess(chain)
    publication = publish_sector(assessment, k=k, hotspots=_hotspots_for(chain, assessment).hotspots)
    if out.suffix.lower() == ".html":
        html_report(assessment, out, lang=lang, publication=publication, notices=[publication.notice(lang)],
                    hotspots=publication.hotspots)
    else:
        from riskgraph.report import publication_workbook

        publication_workbook(publication, out, lang=lang)
    stderr(publication.notice(lang))
    stderr(f"Wrote {out}")


@click.command("diff", context_settings=CONTEXT)
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--node", multiple=True, help="Company node(s) to compare; default: each chain's ends.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the comparison.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the changed cells to .csv, .xlsx or .parquet.")
def diff(old: Path, new: Path, node: tuple[str, ...], fmt: str, out: Path | None) -> None:
    """Year over year: new and lost suppliers, coverage, and risk up or down per cell.

    \b
    Example:
      riskgraph diff submissions/2024/acme submissions/2025/acme
    """
    from riskgraph.covenant.diff import compare

    comparison = compare(read_chain(old), read_chain(new), nodes=list(node) or None)
    if out is not None:
        write_frame(comparison.cells, out, sheet="cells")
        stderr(f"Wrote {out}")
    if fmt == "json":
        print_json(comparison.to_dict())
        return
    emit_table(comparison.coverage, title="Coverage")
    emit_table(comparison.peaks, title="Peak likelihood per theme")
    counts = comparison.suppliers.groupby(["change", "stage"]).size().rename("actors").reset_index() \
        if len(comparison.suppliers) else comparison.suppliers
    emit_table(counts, title="Suppliers gained and lost, by stage")
    emit_table(comparison.cells.head(20), title=f"Largest changes of the matrix ({len(comparison.cells)} cells changed)")


@click.command("eudr", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--node", required=True, help="The operator or trader placing the goods on the EU market.")
@click.option("--year", type=int, default=None, help="The year of the deliveries; default: all years.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for plots.geojson, statement.json and the tables.")
def eudr(path: Path, node: str, year: int | None, out: Path) -> None:
    """EUDR due-diligence data of a company: commodities, HS codes, quantities, countries, plots.

    Writes plots.geojson in the EU information system's format
    (ProducerName, ProducerCountry, ProductionPlace, Area; geometry as
    delivered, ≥ 6 decimals), only plots that pass the geolocation checks;
    the rest go to plots_to_fix.csv. statement.json holds the risk
    assessment (country benchmark, forest loss after 2020-12-31) and
    missing.csv what is still needed. Exit 1 when something is missing.

    \b
    Example:
      riskgraph eudr datasets/food --node FOD-RTL-NL-01 --year 2025 --out eudr/
    """
    from riskgraph.regulation.eudr import eudr_statement

    chain = read_chain(path)
    statement = eudr_statement(chain, node, year=year)
    statement.write(out)
    emit_table(statement.commodities, title=f"EUDR commodities reaching {node}" + (f" in {year}" if year else ""))
    emit_table(statement.production, title="Countries of production")
    stderr(f"{len(statement.plots)} plots exported, {statement.plots_to_fix['plot'].nunique()} to fix, "
           f"{len(statement.missing)} items missing; written to {out}")
    raise SystemExit(1 if len(statement.missing) else 0)


@click.command("statement", context_settings=CONTEXT)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--node", required=True, help="The company whose statement to draft.")
@click.option("--theme", type=click.Choice(["child_labour", "forced_labour"]), default="child_labour",
              show_default=True, help="The theme of the statement.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="statement.html (to read and sign) or plan.xlsx (plan of action to edit).")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True, help="Language.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Inherent risk from which a supplier is a reasonable suspicion [default: the 'high' category].")
def statement(path: Path, node: str, theme: str, out: Path, lang: str, threshold: float | None) -> None:
    """Draft a child-labour due-diligence statement with a plan of action (Dutch Child Labour Due Diligence Act).

    Lists where the risk was investigated (the company's chain-location
    matrix and sources), the reasonable suspicions (upstream suppliers at
    or above the threshold, with the path that carries their material) and
    an editable plan of action per suspicion: supplier, country, stage,
    severity, leverage via the chokepoint on the path, a proposed step,
    owner, due date, status.

    \b
    Example:
      riskgraph statement datasets/gold --node GLD-MFG-NL-01 --out verklaring.html --lang nl
    """
    from riskgraph.regulation.statement import child_labour_statement, write_statement

    drafted = child_labour_statement(read_chain(path), node, theme=theme, threshold=threshold, lang=lang)
    write_statement(drafted, out, lang=lang)
    stderr(f"{len(drafted.suspicions)} reasonable suspicions for {node}; written to {out}")


@secretariat.command("monitor", context_settings=CONTEXT)
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
        with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
            figures.to_excel(writer, sheet_name="covenant figures", index=False)
            per_member.to_excel(writer, sheet_name="per member (internal)", index=False)
    else:
        write_frame(figures, out, sheet="covenant figures")
    if fmt == "json":
        print_json(figures)
    else:
        emit_table(figures.drop(columns="description"), title=f"Covenant figures (k = {k})")
    stderr(f"Wrote {out}")
