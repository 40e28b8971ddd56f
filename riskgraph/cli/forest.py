"""``riskgraph forest``: forest in 2020 and loss after it, per plot, from satellite rasters on disk.

A thin shell over :func:`riskgraph.forest.plot_forest` and
:func:`riskgraph.forest.forest_findings`: reads a plot file, measures every
plot on the Hansen GFC (and JRC GFC2020) tiles in the given folders with a
progress bar over plots and tiles, optionally puts Whisp's figures beside
the rasters', writes the plots as GeoJSON and the disagreements as a
findings table next to it. Exit codes: 0 no findings, 1 findings, 2 bad input.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from riskgraph.cli._common import CONTEXT, quiet_option, raw_csv_option
from riskgraph.errors import InputError
from riskgraph.output import stderr, write_csv

#: Findings printed on stderr before pointing to the file that holds them all.
SHOWN_FINDINGS = 10


def _progress_bar(quiet: bool):
    """A rich progress bar over plots and tiles, as a context manager yielding the callback (or None)."""
    from contextlib import contextmanager

    @contextmanager
    def bar():
        if quiet:
            yield None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as progress:
            plots = progress.add_task("plots", total=None)
            tiles = progress.add_task("tiles", total=None)

            def update(plots_done, plots_total, tiles_done, tiles_total):
                progress.update(plots, completed=plots_done, total=plots_total)
                progress.update(tiles, completed=tiles_done, total=tiles_total)

            yield update

    return bar()


@click.command("forest", context_settings=CONTEXT)
@raw_csv_option
@click.argument("plots", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--gfc", "gfc_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder with Hansen GFC treecover2000 and lossyear GeoTIFFs (whole 10° tiles or clips).")
@click.option("--jrc", "jrc_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder with JRC GFC2020 GeoTIFFs: forest in 2020 from the JRC map instead of tree cover.")
@click.option("--min-canopy", type=click.IntRange(0, 100), default=30, show_default=True,
              help="Tree cover (%) in 2000 from which a Hansen pixel is forest (the EUDR says > 10 %).")
@click.option("--whisp", "whisp_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A Whisp result table (CSV or GeoJSON) to compare with, plot by plot.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="GeoJSON to write the plots to, with their forest properties.")
@quiet_option
def forest(plots: Path, gfc_dir: Path, jrc_dir: Path | None, min_canopy: int, whisp_file: Path | None, out: Path,
           quiet: bool) -> None:
    """Measure forest on 31 Dec 2020 and forest loss after it on every plot, offline.

    PLOTS is a plot file (GeoJSON, CSV of points, KML). Each plot gets
    forest_2020_ha, forest_loss_ha_after_2020, forest_loss_by_year,
    forest_loss_year and forest_source (dataset and version), which the
    hotspots and the EUDR view read; a figure the member declared is kept
    as declared_forest_loss_ha_after_2020. Points count as circles of
    their declared area. Where the declaration, the rasters and Whisp
    differ, a finding says so with the figures (OUT.findings.csv).

    \b
    Example:
      riskgraph forest plots.geojson --gfc tiles/gfc --jrc tiles/jrc --out plots.forest.geojson
      riskgraph forest plots.geojson --gfc tiles/gfc --whisp whisp_results.csv --out checked.geojson
    """
    from riskgraph.forest import forest_findings, plot_forest

    if out.suffix.lower() not in (".geojson", ".json"):
        raise InputError(f"--out must end in .geojson, not '{out.suffix or out.name}'", path=out)
    if not plots.is_file():
        raise InputError("no such plot file", path=plots)
    with _progress_bar(quiet) as progress:
        result = plot_forest(plots, gfc_dir=gfc_dir, jrc_dir=jrc_dir, min_canopy=min_canopy, progress=progress)
    if whisp_file is not None:
        from riskgraph.sources.whisp import merge_whisp, read_whisp

        table = read_whisp(whisp_file)
        result, unmatched = merge_whisp(result, table)
        if not quiet and unmatched:
            stderr(f"{len(unmatched)} Whisp plots match no plot id in {plots.name}, e.g. {unmatched[0]}")
        if not quiet and len(table.quarantine):
            stderr(f"{len(table.quarantine)} Whisp rows could not be used, e.g. {_row(table.quarantine.iloc[0])}")
    write_plots(result, out)
    findings = forest_findings(result)
    if not quiet:
        stderr(_summary(result, out))
    sys.exit(report_findings(findings, out, quiet=quiet))


def _row(record) -> str:
    return f"row {record['row']} column {record['column']}: {record['reason']}"


def write_plots(frame, out: Path) -> None:
    """Write plots as GeoJSON (forest properties as JSON values), creating the folder."""
    from riskgraph.chain.io import write_geojson_plots

    out.parent.mkdir(parents=True, exist_ok=True)
    write_geojson_plots(frame, out)


def _summary(result, out: Path) -> str:
    measured = result["forest_source"].notna()
    loss = result["forest_loss_ha_after_2020"].astype(float)
    lost = measured & (loss.fillna(0) > 0)
    source = result.loc[measured, "forest_source"].iloc[0] if measured.any() else "no source"
    return (f"Wrote {len(result)} plots to {out}: {int(measured.sum())} measured ({source}), "
            f"{int(lost.sum())} with forest loss after 2020 ({loss[lost].sum():.2f} ha), "
            f"forest in 2020 {result.loc[measured, 'forest_2020_ha'].astype(float).sum():.2f} ha")


def report_findings(findings, out: Path, *, quiet: bool = False) -> int:
    """Write findings next to ``out`` (``<stem>.findings.csv``), summarise them on stderr, return the exit code."""
    if findings.empty:
        return 0
    path = out.with_name(f"{out.stem}.findings.csv")
    write_csv(findings, path)
    if not quiet:
        for detail in findings["detail"].head(SHOWN_FINDINGS):
            stderr(f"  {detail}")
        if len(findings) > SHOWN_FINDINGS:
            counts = findings.groupby("rule").size().to_dict()
            stderr("  … " + ", ".join(f"{n} × {rule}" for rule, n in counts.items()))
        stderr(f"{len(findings)} findings written to {path}")
    return 1


__all__ = ["forest", "report_findings", "write_plots"]
