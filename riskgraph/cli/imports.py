"""Command-line verbs for importing members' files and matching suppliers across members.

Thin shells over :mod:`riskgraph.sources` and :mod:`riskgraph.sources.match`: the
``import`` group (``osh``, ``cmrt``, ``suppliers``, ``whisp``, ``trase``) and the ``match``
command. Data files go where ``--out`` says; diagnostics go to stderr;
quarantined rows and findings are written with the output (a chain folder's
``_import/`` sub-folder, or extra sheets of a workbook). Exit codes: 0
ok, 1 rows quarantined or error findings, 2 bad input.
"""
from __future__ import annotations

import sys
from pathlib import Path

from typing import TYPE_CHECKING

import click

from riskgraph.errors import InputError
from riskgraph.output import excel_writer, stderr, write_csv
from riskgraph.cli._common import CONTEXT, SECTORS, check_folder_out, raw_csv_option

if TYPE_CHECKING:
    import pandas as pd

    from riskgraph.chain.model import Chain

#: Findings printed on stderr before pointing to the file that holds them all.
SHOWN_FINDINGS = 10


#: Sub-folder of an imported chain folder that holds what the import set aside (readers never look there).
SIDE_FOLDER = "_import"


def _sibling(out: Path, label: str, suffix: str = ".csv") -> Path:
    """A file beside a written file: ``smelters.csv`` → ``smelters.<label>.csv``."""
    stem = out.name if out.suffix == "" else out.stem
    return out.with_name(f"{stem}.{label}{suffix}")


def _write_side_tables(out: Path, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Write findings and quarantined rows where they break no glob over members' chains.

    A chain folder gets them inside, in ``_import/`` (``members/acme/_import/issues.csv``), so
    ``members/*`` still matches only members; a workbook gets them as extra sheets, which chain
    readers ignore. Returns where each table went, for the summary.
    """
    written = []
    if out.suffix.lower() == ".xlsx":
        import openpyxl
        import pandas as pd

        book = openpyxl.load_workbook(out)
        for label, frame in tables.items():
            name = f"_{label}"[:31]
            if name in book.sheetnames:
                del book[name]
            sheet = book.create_sheet(name)
            sheet.append([str(c) for c in frame.columns])
            for record in frame.astype(object).itertuples(index=False):
                sheet.append([None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else
                              v if isinstance(v, (int, float)) else str(v) for v in record])
            for row in sheet.iter_rows(min_row=2):
                for cell in row:  # text stays text: a supplier name is never a live formula
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"
            written.append(f"{out}[{name}]")
        book.save(out)
        return written
    folder = out / SIDE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for label, frame in tables.items():
        path = folder / f"{label}.csv"
        write_csv(frame, path)
        written.append(str(path))
    return written


def _report_chain(chain: Chain, out: Path) -> int:
    """Write the quarantine and findings next to ``out``, summarise on stderr, return the exit code."""
    report = chain.report
    counts = report.counts.set_index("table")
    actors = counts.loc["actors"]
    flows = counts.loc["flows"] if "flows" in counts.index else None
    stderr(f"Wrote {len(chain.actors)} actors and {len(chain.flows)} flows to {out} "
           f"(actor rows in: {actors['rows_in']}, accepted: {actors['accepted']}, "
           f"quarantined: {actors['quarantined']}, empty: {actors['empty_rows']}"
           + (f"; flows quarantined: {flows['quarantined']}" if flows is not None and flows["quarantined"] else "")
           + ")")
    side = {}
    if len(report.issues):
        side["issues"] = report.issues
    rejected = report.quarantined_rows()
    if len(rejected):
        side["quarantine"] = rejected
    stale = out / SIDE_FOLDER if out.suffix.lower() != ".xlsx" else None
    for label in ("issues", "quarantine"):  # a re-import must not leave last run's findings behind
        if stale is not None and label not in side and (stale / f"{label}.csv").is_file():
            (stale / f"{label}.csv").unlink()
    written = dict(zip(side, _write_side_tables(out, side))) if side else {}
    if "issues" in side:
        _summarise(report.issues)
        stderr(f"Findings ({len(report.errors)} errors, {len(report.warnings)} warnings) written to "
               f"{written['issues']}")
    if "quarantine" in side:
        stderr(f"{len(rejected)} quarantined rows written to {written['quarantine']}")
    return 0 if report.ok else 1


def _summarise(issues: pd.DataFrame) -> None:
    """Findings on stderr: each one when few, else a count per reason with the first message."""
    if len(issues) <= SHOWN_FINDINGS:
        for message in issues["message"]:
            stderr(f"  {message}")
        return
    for (severity, reason), group in issues.groupby(["severity", "reason"], sort=False):
        stderr(f"  {len(group)} × {severity} {reason}, e.g. {group['message'].iloc[0]}")


def _write_chain(chain: Chain, out: Path) -> None:
    from riskgraph.chain.io import write_chain

    check_folder_out(out, files=(".xlsx",), what="a chain folder")
    write_chain(chain, out)


@click.group("import", context_settings=CONTEXT)
def import_group() -> None:
    """Import members' files into riskgraph's data contract (actors.csv, flows.csv, plots).

    Every row is validated as a chain file is; rows that cannot be used are
    quarantined, written next to the output and reported on stderr.

    \b
    Examples:
      riskgraph import osh facilities.csv --out members/acme --sector textiles
      riskgraph import trase brazil-soy.csv --out members/trase_soy
      riskgraph import cmrt cmrt_*.xlsx --out smelters.xlsx --rmi rmi_smelter_list.csv
      riskgraph import suppliers factory_list.xls --sector textiles --out members/acme
      riskgraph import whisp whisp_results.csv --out plots.whisp.geojson
    """


@import_group.command("osh", context_settings=CONTEXT)
@raw_csv_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the chain to (actors.csv, flows.csv), or an .xlsx workbook.")
@click.option("--sector", type=click.Choice(SECTORS), default=None,
              help="Sector of every facility; default: from Open Supply Hub's sector field.")
@click.option("--stage", default=None,
              help="Stage of facilities whose facility/processing type names none (e.g. garment_maker).")
def osh(file: Path, out: Path, sector: str | None, stage: str | None) -> None:
    """Import an Open Supply Hub facility export (CSV, .xlsx or .xls) as actors with their OS ids.

    Stages come from the facility and processing types where they name
    one (Sewing → garment_maker, Dyeing → wet_processor, Refinery →
    processor), else from --stage. Exits 1 when rows were quarantined.

    \b
    Example:
      riskgraph import osh osh_facilities.csv --out members/acme --sector food --stage processor
    """
    from riskgraph.sources import read_open_supply_hub

    chain = read_open_supply_hub(file, sector=sector, stage=stage)
    _write_chain(chain, out)
    sys.exit(_report_chain(chain, out))


@import_group.command("suppliers", context_settings=CONTEXT)
@raw_csv_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sector", type=click.Choice(SECTORS), required=True, help="Sector of every supplier.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the chain to (actors.csv, flows.csv), or an .xlsx workbook.")
@click.option("--stage", default=None,
              help="Stage of suppliers whose row names none (no stage or type column); default: the sector's usual "
                   "direct supplier (garment_maker, processor, manufacturer), with a warning.")
@click.option("--sheet", default=None, help="Sheet of a workbook; default: the first.")
def suppliers(file: Path, sector: str, out: Path, stage: str | None, sheet: str | None) -> None:
    """Import a plain supplier or factory list (CSV, .xlsx, legacy .xls) as actors.

    The header row is found among the first rows (brand exports put a
    title above it); ids are made from name and country. With a tier
    column and a "supplies to" column, flows tier n → tier n−1 are
    written too. Exits 1 when rows were quarantined.

    \b
    Example:
      riskgraph import suppliers factory_list.xls --sector textiles --out members/acme
    """
    from riskgraph.sources import read_supplier_list

    chain = read_supplier_list(file, sector=sector, stage=stage, sheet=sheet)
    _write_chain(chain, out)
    sys.exit(_report_chain(chain, out))


@import_group.command("trase", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the chain to (actors.csv, flows.csv), or an .xlsx workbook.")
@click.option("--sector", type=click.Choice(["food", "textiles", "natural_stone", "gold"]), default="food",
              show_default=True, help="Sector of a supply-chain download (stages: production → exporter → importer).")
@click.option("--commodity", default=None, help="Commodity of a supply-chain download; default: from the file name.")
@click.option("--country", default=None,
              help="Country of production of a download that has no country_of_production column.")
def trase(files: tuple[Path, ...], out: Path, sector: str, commodity: str | None, country: str | None) -> None:
    """Import Trase data: a supply-chain download, or cocoa cooperatives with their buyers.

    A supply-chain CSV (exporter, importer, countries, volume, FOB) becomes
    places of production → exporters → importers, with volume conserved:
    the volume of the accepted and quarantined rows is printed and adds up
    to the file's total. The cooperatives map (GeoJSON) and a company
    disclosure CSV (SUPPLIER_FULLNAME, COMPANY, …) become cooperatives and
    their buyers; a buyer's country is never invented. Exits 1 when rows
    were quarantined.

    \b
    Example:
      riskgraph import trase brazil-soy-v2.6.1.csv --out members/trase_soy
      riskgraph import trase cote-d-ivoire-cocoa-cooperatives.geojson disclosure.csv --out coops/
    """
    from riskgraph.sources.trase import read_trase, read_trase_cooperatives, trase_volumes

    check_folder_out(out, files=(".xlsx",), what="a chain folder")
    kinds = {path: _trase_kind(path) for path in files}
    flows_files = [p for p, k in kinds.items() if k == "flows"]
    if flows_files and len(files) > 1:
        raise InputError("import one Trase supply-chain download at a time (or the cooperatives map with a "
                         f"disclosure); got {len(files)} files")
    if flows_files:
        chain = read_trase(flows_files[0], sector=sector, commodity=commodity, country=country)
    else:
        maps = [p for p, k in kinds.items() if k == "cooperatives"]
        disclosures = [p for p, k in kinds.items() if k == "disclosure"]
        if len(maps) > 1 or len(disclosures) > 1:
            raise InputError("give at most one cooperatives map (.geojson) and one disclosure CSV")
        chain = read_trase_cooperatives(maps[0] if maps else None, disclosures[0] if disclosures else None)
    _write_chain(chain, out)
    code = _report_chain(chain, out)
    if flows_files:
        volumes = trase_volumes(chain)
        stderr(f"Volume: file total {volumes['total']:,.3f} t = accepted {volumes['accepted']:,.3f} t + "
               f"quarantined {volumes['quarantined']:,.3f} t")
    sys.exit(code)


def _trase_kind(path: Path) -> str:
    """``cooperatives`` (GeoJSON map), ``disclosure`` (SUPPLIER_… / COMPANY CSV) or ``flows`` (a download)."""
    if not path.is_file():
        raise InputError("no such file", path=path)
    if path.suffix.lower() in (".geojson", ".json"):
        return "cooperatives"
    with path.open("rb") as handle:
        head = handle.readline().decode("utf-8-sig", errors="replace").upper()
    return "disclosure" if "SUPPLIER_FULLNAME" in head or "SUPPLIER_ABRVNAME" in head else "flows"


@import_group.command("cmrt", context_settings=CONTEXT)
@raw_csv_option
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Smelter table to write: .xlsx (sheets smelters, declarations, findings, …) or .csv "
                   "(with .declarations.csv and .findings.csv beside it).")
@click.option("--rmi", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="RMI smelter reference list (CSV, or a CMRT whose Smelter Look-up sheet to use): "
                   "check every smelter id and suggest ids for smelters listed without one.")
def cmrt(files: tuple[Path, ...], out: Path, rmi: Path | None) -> None:
    """Read Conflict Minerals Reporting Templates (CMRT 6.x, CFSI 3.01) into one smelter table.

    Smelters are de-duplicated per metal and smelter id within each file
    (the count of rows is kept). Findings — missing required fields,
    metals declared as used without a smelter, smelter ids not on the RMI
    list — are reported, never fixed. Exits 1 when a file has error
    findings or unusable rows.

    \b
    Example:
      riskgraph import cmrt supplier_a.xlsx supplier_b.xlsx --out smelters.xlsx --rmi rmi_smelter_list.csv
    """
    from riskgraph.sources import cmrt_tables, read_cmrt, read_rmi_smelter_list
    from riskgraph.sources.match import suggest_smelter_ids

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError(f"--out must end in .csv or .xlsx, not '{suffix or out.name}'", path=out)
    reports = [read_cmrt(f) for f in files]
    reference = read_rmi_smelter_list(rmi) if rmi is not None else None
    tables = cmrt_tables(reports, rmi=reference)
    if reference is not None:
        tables["suggested_ids"] = suggest_smelter_ids(tables["smelters"], reference)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        with excel_writer(out) as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, sheet_name=name[:31], index=False)
        written = [out]
    else:
        write_csv(tables["smelters"], out)
        written = [out]
        for name in ("declarations", "products", "findings", "quarantine", "suggested_ids"):
            if name in tables and (name == "declarations" or len(tables[name])):  # products only when listed
                path = _sibling(out, name)
                write_csv(tables[name], path)
                written.append(path)
    for report in reports:
        metals = ", ".join(f"{m} {n}" for m, n in report.smelter_counts().items()) or "no smelters"
        company = report.declaration.get("company_name") or "(company name missing)"
        stderr(f"{report.file}: CMRT {report.version or '?'}, {company}: {metals} "
               f"({report.counts['rows_in']} rows, {report.counts.get('products', 0)} products); "
               f"{len(report.findings)} findings")
    findings = tables["findings"]
    _summarise(findings)
    if len(tables["quarantine"]):
        stderr(f"{len(tables['quarantine'])} smelter rows could not be used (sheet/file 'quarantine')")
    stderr("Wrote " + ", ".join(map(str, written)))
    failed = (findings["severity"] == "error").any() or len(tables["quarantine"]) > 0
    sys.exit(1 if failed else 0)


@import_group.command("whisp", context_settings=CONTEXT)
@raw_csv_option
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="GeoJSON to write the plots to, with their forest properties.")
@click.option("--plots", "plots_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The member's plot file: put Whisp's figures on these plots (by plot id) instead of "
                   "writing Whisp's own geometries.")
def whisp(file: Path, out: Path, plots_file: Path | None) -> None:
    """Import a Whisp result table (CSV or GeoJSON) as plots with forest properties.

    Whisp's columns (EUFO_2020, GFC_TC_2020, GFC_loss_after_2020,
    TMF_def_after_2020, RADD_after_2020, GFC_loss_year_YYYY, …) become
    forest_2020_ha, forest_loss_ha_after_2020, forest_loss_by_year,
    forest_loss_year and forest_source, which the hotspots and the EUDR
    view read; each dataset's figure is kept in forest_evidence. RADD radar
    alerts are kept as forest_alert_ha_after_2020 (unconfirmed), never as
    loss. With --plots, a figure the member declared is kept and compared.
    Exits 1 when rows were quarantined or figures disagree.

    \b
    Example:
      riskgraph import whisp whisp_results.csv --out plots.whisp.geojson
      riskgraph import whisp whisp_results.csv --plots members/acme/plots.geojson --out checked.geojson
    """
    from riskgraph.cli.forest import report_findings, write_plots
    from riskgraph.forest import forest_findings
    from riskgraph.sources.whisp import merge_whisp, read_whisp

    if out.suffix.lower() not in (".geojson", ".json"):
        raise InputError(f"--out must end in .geojson, not '{out.suffix or out.name}'", path=out)
    table = read_whisp(file)
    if plots_file is not None:
        from riskgraph.geo.plots import read_plots

        plots, unmatched = merge_whisp(read_plots(plots_file), table, replace=True)
        if unmatched:
            stderr(f"{len(unmatched)} Whisp plots match no plot id in {plots_file.name}, e.g. {unmatched[0]}")
    else:
        plots = table.plots
    write_plots(plots, out)
    stderr(f"Wrote {len(plots)} plots to {out} ({len(table.plots)} Whisp rows used, "
           f"{len(table.quarantine)} quarantined)")
    failed = 0
    if len(table.quarantine):
        path = _sibling(out, "quarantine")
        write_csv(table.quarantine, path)
        _summarise(table.quarantine.assign(message=[f"{table.file} row {r.row} column {r.column}: {r.reason}"
                                                    for r in table.quarantine.itertuples()],
                                           severity="error"))
        stderr(f"{len(table.quarantine)} quarantined rows written to {path}")
        failed = 1
    sys.exit(max(failed, report_findings(forest_findings(plots), out)))


def _actors_of(path: Path) -> tuple[pd.DataFrame, Chain | None]:
    """Actors of a chain folder or workbook (validated), or of a single actors CSV file."""
    from riskgraph.chain.io import read_chain, read_csv_table

    if not path.exists():
        raise InputError("no such file or folder", path=path)
    if path.is_file() and path.suffix.lower() == ".csv":
        raw = read_csv_table(path, "actors")
        frame = raw.frame
        missing = [c for c in ("id", "name") if c not in frame.columns]
        if missing:
            raise InputError(f"column {missing[0]!r} is missing; an actors file for matching needs id and name. "
                             f"Columns present: {list(frame.columns)}", path=path)
        return frame, None
    chain = read_chain(path)
    return chain.actors, chain


@click.command("match", context_settings=CONTEXT)
@raw_csv_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Matched pairs: .csv, or .xlsx with sheets pairs, review and clusters.")
@click.option("--review", "review_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the uncertain pairs here (.csv or .xlsx) with an empty 'decision' column.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Score from which a pair matches [default: 0.8].")
@click.option("--review-low", type=click.FloatRange(0, 1), default=None,
              help="Lowest score of a pair to review [default: 0.6].")
def match(paths: tuple[Path, ...], out: Path, review_path: Path | None, threshold: float | None,
          review_low: float | None) -> None:
    """Find the same supplier under different spellings within and across members' chains.

    Each PATH is a member's chain (folder or workbook, as `riskgraph import`
    writes it) or an actors CSV. Registry ids (OS ID, CID) match first;
    names are compared within a country, legal forms and accents aside.

    \b
    Example:
      riskgraph match members/acme members/globex --out pairs.csv --review review.xlsx --threshold 0.85
    """
    from riskgraph.sources.match import DEFAULT_REVIEW_LOW, DEFAULT_THRESHOLD, match_actors

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    low = DEFAULT_REVIEW_LOW if review_low is None else review_low
    if low > threshold:
        raise InputError(f"--review-low {low} is above --threshold {threshold}")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"--out must end in .csv or .xlsx, not '{out.suffix or out.name}'", path=out)
    frames = []
    names = [p.name if p.suffix == "" else p.stem for p in paths]
    if len(set(names)) < len(names):
        names = [str(p) for p in paths]
    for path, source in zip(paths, names):
        actors, chain = _actors_of(path)
        if chain is not None and not chain.report.ok:
            stderr(f"{path}: {len(chain.report.errors)} validation errors; quarantined rows are not matched "
                   "(see riskgraph validate)")
        actors = actors.copy()
        actors["source"] = source
        if len(paths) > 1:
            actors["id"] = source + "/" + actors["id"].astype(str)
        frames.append(actors)
    import pandas as pd

    combined = pd.concat(frames, ignore_index=True)
    result = match_actors(combined, threshold=threshold, review_band=(low, threshold))
    result.write(out)
    stderr(f"{len(combined)} actors from {len(paths)} source(s): {result!r}; pairs written to {out}")
    if review_path is not None:
        result.write_review(review_path)
        stderr(f"{len(result.review)} pairs to review written to {review_path}")
    elif len(result.review):
        stderr(f"{len(result.review)} uncertain pairs not written; add --review FILE to review them")


__all__ = ["import_group", "match"]
