"""The ``riskgraph plots`` commands: a plot file checked on its own (a thin shell over :mod:`riskgraph.geo.plots`)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from riskgraph.cli._common import CONTEXT
from riskgraph.output import emit_table, print_json, stderr, to_jsonable, write_frame

FINDING_FIELDS = ["plot", "rule", "severity", "detail"]


@click.group("plots", context_settings=CONTEXT)
def plots() -> None:
    """EUDR production plots: check a plot file on its own.

    \b
    Example:
      riskgraph plots check plots.geojson --country CI
    """


@plots.command("check", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--country", default=None,
              help="Country of production declared for the file (ISO code or name): plots that declare none are "
                   "checked against it, swapped latitude/longitude included.")
@click.option("--chain", "chain_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="A chain whose actors the plots belong to (actor_id): links are checked and a plot without a "
                   "declared country is checked against its actor's country.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="How to print the findings on stdout.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the findings to a file (.csv, .xlsx, .json, .parquet).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def check(file: Path, country: str | None, chain_path: Path | None, fmt: str, out: Path | None, quiet: bool) -> None:
    """Check a plot file against the EUDR geolocation rules (GeoJSON, CSV, KML).

    Reads the EU information system's (TRACES) GeoJSON, Whisp output
    tables, validator fixtures and suppliers' own files: the plot id is
    taken from plot_id, plotId, Plot ID, id or ProductionPlace; plots
    without one are named by position ("feature 7"). Every finding has a
    plot, a rule, a severity and a detail. Exit status 1 when a finding is
    an error, 0 otherwise, 2 for unusable options.

    \b
    Examples:
      riskgraph plots check plots.geojson --country CI
      riskgraph plots check whisp_results.geojson --format json
      riskgraph plots check plots.csv --chain my_chain/ --out findings.csv
    """
    from riskgraph.errors import InputError
    from riskgraph.geo.plots import check_plot_file

    if out is not None and out.suffix.lower() not in (".csv", ".xlsx", ".json", ".parquet"):
        raise InputError(f"--out must end in .csv, .xlsx, .json or .parquet, not '{out.suffix or out.name}'", path=out)
    actors = None
    if chain_path is not None:
        from riskgraph.chain.io import read_chain

        actors = read_chain(chain_path).actors
    checks = check_plot_file(file, actors, country=country)
    findings = checks.findings[FINDING_FIELDS]
    errors = int((findings["severity"] == "error").sum())
    warnings = int((findings["severity"] == "warning").sum())
    plots_read = len(checks.plots)
    if out is not None:
        write_frame(checks.findings, out, sheet="findings")
    if fmt == "json":
        print_json({"file": file.name, "plots": plots_read, "valid_plots": int(checks.plots["valid"].sum()),
                    "errors": errors, "warnings": warnings, "findings": to_jsonable(findings)})
    elif fmt == "csv":
        emit_table(findings, fmt="csv")
    elif len(findings):
        emit_table(findings, title=f"{file.name}: {len(findings)} findings on {plots_read} plots")
    if not quiet:
        valid = int(checks.plots["valid"].sum())
        stderr(f"{file.name}: {plots_read} plots, {valid} without errors; {errors} errors, {warnings} warnings"
               + (f"; findings written to {out}" if out is not None else ""))
    sys.exit(1 if errors else 0)


__all__ = ["plots"]
