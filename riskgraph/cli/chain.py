"""Commands on a chain as data: ``validate``, ``info``, ``generate``, ``demo``."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from riskgraph._resources import dataset_path
from riskgraph.cli._common import (CONTEXT, SECTORS, chain_path, check_folder_out, lang_option, quiet_option,
                                   raw_csv_option, read_chain)
from riskgraph.output import emit_table, print_json, stderr

@click.command(context_settings=CONTEXT)
@raw_csv_option
@chain_path
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: a summary and the findings; json: one JSON object.")
@click.option("--quarantine", type=click.Path(path_type=Path), default=None,
              help="Write rejected rows here: .xlsx (a sheet per table), .csv (one long table) or a folder.")
@click.option("--sector", type=click.Choice(SECTORS), default=None,
              help="Sector of every actor when actors has no 'sector' column.")
@click.option("--max-rows", type=int, default=50, show_default=True,
              help="Reasons to print in table format (findings are grouped by reason).")
@lang_option()
def validate(path: Path, fmt: str, quarantine: Path | None, sector: str | None, max_rows: int, lang: str) -> None:
    """Validate a chain: every bad row reported with file, row, column and reason.

    Exits with 1 when there are errors (rows quarantined), 0 otherwise.

    \b
    Example:
      riskgraph validate datasets/gold --quarantine rejected.xlsx
    """
    chain = read_chain(path, sector=sector)
    report = chain.report
    if quarantine is not None:
        report.write_quarantine(quarantine)
    if fmt == "json":
        print_json(report.to_dict())
    else:
        from riskgraph.formatting import phrase

        emit_table(report.counts, title=phrase("cli.validate.title", path=path))
        if len(report.issues):
            from riskgraph.formatting import group_findings

            grouped = group_findings(report.issues)
            emit_table(grouped.head(max_rows), title=phrase("cli.validate.findings", errors=len(report.errors),
                                                            warnings=len(report.warnings)))
            if len(grouped) > max_rows:
                stderr(phrase("cli.validate.more", more=len(grouped) - max_rows))
            elif len(report.issues) > len(grouped):
                stderr(phrase("cli.validate.every"))
        else:
            stderr(phrase("cli.validate.none"))
        if quarantine is not None:
            stderr(phrase("cli.validate.quarantined", path=quarantine))
    sys.exit(0 if report.ok else 1)


@click.command(context_settings=CONTEXT)
@chain_path
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the summary.")
@lang_option()
def info(path: Path, fmt: str, lang: str) -> None:
    """Summarise a chain: actors per sector, stage and country; flows, components, cycles.

    \b
    Example:
      riskgraph info datasets/textiles --format json
    """
    import pandas as pd

    from riskgraph.formatting import phrase
    from riskgraph.graph import structure

    chain = read_chain(path)
    facts = structure(chain)
    facts["validation"] = {"errors": len(chain.report.errors), "warnings": len(chain.report.warnings)}
    if fmt == "json":
        print_json(facts)
        return
    overview = pd.DataFrame(
        [(k, v) for k, v in facts.items() if not isinstance(v, (dict, list))], columns=["fact", "value"]
    )
    # fact names are terms of datasets/vocabulary/terms.csv ("cycles" reads "cycles (groups of actors …)")
    overview.loc[len(overview)] = ["cycles", len(facts["cycles"])]
    overview.loc[len(overview)] = ["orphans", len(facts["orphans"])]
    emit_table(overview, title=phrase("cli.info.title", name=chain.name))
    emit_table(pd.DataFrame(facts["actors_by_stage"]), title=phrase("cli.info.stages"))
    countries = pd.Series(facts["actors_by_country"], name="actors").rename_axis("country").reset_index()
    emit_table(countries.head(25), title=phrase("cli.info.countries"))


@click.command(context_settings=CONTEXT)
@raw_csv_option
@click.option("--sector", type=click.Choice(SECTORS), required=True, help="The sector's stage structure to follow.")
@click.option("--actors", type=click.IntRange(min=1), required=True, help="Number of actors.")
@click.option("--flows", type=click.IntRange(min=1), default=None, help="Approximate number of flows [default: 5 per actor].")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same chain.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Folder to write (CSV; add --parquet for Parquet) or an .xlsx workbook.")
@click.option("--parquet", is_flag=True, help="Write Parquet files instead of CSV.")
def generate(sector: str, actors: int, flows: int | None, seed: int, out: Path, parquet: bool) -> None:
    """Generate a synthetic chain of any size with a sector's stage structure.

    Few refiners, traders and brands, many farms, mines and quarries
    (heavy-tailed degrees); deterministic per seed. Used by the benchmarks.

    \b
    Example:
      riskgraph generate --sector textiles --actors 5000 --seed 7 --out synthetic/
    """
    from riskgraph.chain.generate import generate_chain
    from riskgraph.chain.io import write_chain

    check_folder_out(out, files=() if parquet else (".xlsx",), what="a folder")
    chain = generate_chain(sector, actors, flows=flows, seed=seed)
    write_chain(chain, out, format="parquet" if parquet else None)
    stderr(f"Wrote {chain!r} to {out}")


def _demo_chains() -> list[Path]:
    return [dataset_path(sector) for sector in SECTORS if dataset_path(sector, "actors.csv").is_file()]


@click.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("riskgraph-demo"),
              show_default=True, help="Folder for the reports (an .html and an .xlsx per sector).")
@click.option("--no-reports", is_flag=True, help="Print the results only; write no files.")
@quiet_option
@lang_option("Language of the tables and reports.")
def demo(out: Path, no_reports: bool, quiet: bool, lang: str) -> None:
    """Run the main job on the bundled sector chains; no server needed.

    Loads and validates the bundled gold, natural stone, textiles and food
    chains, computes every node's chain-location matrices, finds the
    hotspots, lists the top risks and hotspots per sector and writes an
    HTML report and an Excel risk matrix per sector.

    \b
    Example:
      riskgraph demo
    """
    from riskgraph.demo import run_demo

    if not no_reports:
        check_folder_out(out, what="a folder for the reports")
    run_demo(_demo_chains(), out=None if no_reports else out, quiet=quiet, lang=lang)
