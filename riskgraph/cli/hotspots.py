"""The ``riskgraph hotspots`` command: a thin shell over :func:`riskgraph.hotspots.find_hotspots`.

Register it on the command group with ``cli.add_command(hotspots)``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from riskgraph.errors import InputError
from riskgraph._vocabulary import HOTSPOT_THEMES
from riskgraph.output import emit_table, print_json, stderr, write_csv
from riskgraph.cli._common import CONTEXT, SuggestingChoice, lang_option, raw_csv_option

OUT_SUFFIXES = (".csv", ".geojson", ".html")
THEME_CHOICES = (*HOTSPOT_THEMES, "all")
TABLE_COLUMNS = ["theme", "rank", "kind", "actor", "plot", "name", "stage", "country", "score", "exposure", "reach",
                 "downstream_actors", "gi_z", "cluster", "reasons"]


@click.command("hotspots", context_settings=CONTEXT)
@raw_csv_option
@click.argument("path", type=click.Path(exists=True, path_type=Path), metavar="PATH")
@click.option("--theme", type=SuggestingChoice(THEME_CHOICES), default="all", show_default=True,
              help="Which hotspots to find.")
@click.option("--plots", "plots_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="EUDR plots to check and use instead of the chain's plots (.geojson, .json, .csv, .kml).")
@click.option("--country", default=None,
              help="Country of production of plots that declare none and have no actor: swapped latitude and "
                   "longitude are found against it.")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Keep the first N hotspots and chokepoints of each theme.")
@click.option("--eps-km", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="DBSCAN radius of the spatial clusters, in km.")
@click.option("--band-km", type=click.FloatRange(min=0, min_open=True), default=25.0, show_default=True,
              help="Distance band of the Getis-Ord Gi* neighbourhoods, in km.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: hotspots, findings, clusters, chokepoints, anomalies; csv: the hotspots; "
                   "json: hotspots and geolocation findings.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to a file instead: .csv (hotspots), .geojson (located hotspots with score and reasons) "
                   "or .html (an interactive map that opens offline).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")
@lang_option()
def hotspots(path: Path, theme: str, plots_file: Path | None, country: str | None, top: int | None, eps_km: float,
             band_km: float, fmt: str, out: Path | None, quiet: bool, lang: str) -> None:
    """Find hotspots: deforestation, child labour, spatial clusters, chokepoints, anomalies.

    Deforestation: producers of EUDR commodities in standard- or high-risk
    countries, plots with forest loss after 31 Dec 2020 and plots failing the
    EUDR geolocation rules. Child labour: actors at relevant stages whose
    country and good are on the US DOL list or whose country scores high.
    Both ranked by exposure × the share of the chain's delivered material
    that passes through the actor. Every hotspot carries its reasons.

    Exit status: 0 when the run succeeds (hotspots and findings are results,
    not failures); 1 when the chain's files had validation errors (rows were
    quarantined: the results are still printed, run `riskgraph validate`);
    2 for bad options or unreadable files.

    \b
    Example:
      riskgraph hotspots datasets/food --theme deforestation --top 10
      riskgraph hotspots datasets/food --format json > hotspots.json
      riskgraph hotspots my_chain/ --plots plots.geojson --out map.html
    """
    from riskgraph.hotspots import find_hotspots
    from riskgraph.chain.io import read_chain

    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(f"--out must end in {', '.join(OUT_SUFFIXES)}, not '{out.suffix or out.name}'")
    from riskgraph.progress import progress_steps

    with progress_steps(["reading", "finding hotspots", "writing"], quiet=quiet, title="hotspots") as step:
        step("reading")
        chain = read_chain(path)
        step("finding hotspots")
        found = find_hotspots(chain, theme=theme, plots=plots_file, top=top, eps_km=eps_km, band_km=band_km,
                              country=country)
        step("writing")
        if out is not None:
            suffix = out.suffix.lower()
            if suffix == ".csv":
                from riskgraph.output import write_frame

                write_frame(found.table(), out)
            elif suffix == ".geojson":
                found.to_geojson(out)
            else:
                from riskgraph.geo.maps import hotspot_map

                hotspot_map(found, out, lang=lang)
    from riskgraph.formatting import phrase

    if out is not None:
        if not quiet:
            stderr(phrase("cli.wrote_hotspots", path=out, count=len(found.hotspots)))
    elif fmt == "json":
        print_json(found.to_dict())
    elif fmt == "csv":
        emit_table(found.table()[TABLE_COLUMNS], fmt="csv")
    else:
        _print_tables(found, quiet=quiet)
    report = chain.report
    if report is not None and not report.ok:
        if not quiet:
            stderr(phrase("cli.validation_errors", errors=len(report.errors), path=path))
        sys.exit(1)


def _print_tables(found, *, quiet: bool) -> None:
    from riskgraph.formatting import phrase

    table = found.table()
    shown = table[["theme", "rank", "kind", "actor", "plot", "country", "score", "reasons"]]
    for theme, block in shown.groupby("theme", sort=False):
        emit_table(block.head(25).drop(columns="theme"), title=phrase("cli.hotspots.title", theme=theme,
                                                                      count=len(block)))
    if table.empty:
        stderr(phrase("cli.hotspots.none"))
    findings = found.geolocation_findings
    if len(findings):
        emit_table(findings[["plot", "rule", "severity", "detail"]].head(50),
                   title=phrase("cli.hotspots.findings", count=len(findings)))
    hot = found.clusters[found.clusters["hot"]] if len(found.clusters) else found.clusters
    if len(hot):
        emit_table(hot[["theme", "cluster", "points", "lat", "lon", "radius_km", "total_risk", "gi_z"]],
                   title=phrase("cli.hotspots.clusters", count=len(found.clusters)))
    if len(found.chokepoints):
        emit_table(found.chokepoints.groupby("theme").head(10)[
            ["theme", "rank", "actor", "stage", "country", "risky_share", "upstream_exposure", "reach"]],
            title=phrase("cli.hotspots.chokepoints"))
    if len(found.anomalies):
        emit_table(found.anomalies[["actor", "kind", "year", "reason"]].head(30),
                   title=phrase("cli.hotspots.anomalies", count=len(found.anomalies)))
    if not quiet and len(found.geolocation_findings) > 50:
        stderr(phrase("cli.hotspots.every"))


__all__ = ["hotspots"]
