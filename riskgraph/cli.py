"""The ``riskgraph`` command line: thin verbs over the Python API.

Data goes to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 findings or
validation errors, 2 usage errors (missing file, bad option). Users never see
a traceback: errors of ours become one line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pandas as pd

from riskgraph import __version__
from riskgraph._resources import dataset_path
from riskgraph.errors import ChainError, InputError, RiskGraphError, StoreError
from riskgraph.graph import structure
from riskgraph.io import read_chain
from riskgraph.model import SECTORS, THEMES
from riskgraph.output import emit_table, print_json, stderr, to_jsonable, write_frame

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

chain_path = click.argument("path", type=click.Path(exists=True, path_type=Path), metavar="PATH")


def output_options(formats=("table", "csv", "json")):
    """The shared ``--format`` / ``--out`` options of every read command."""

    def decorate(command):
        command = click.option(
            "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
            help="Write the result to this file; the format follows the extension (.csv, .parquet, .xlsx, .json).",
        )(command)
        return click.option(
            "--format", "fmt", type=click.Choice(formats), default="table", show_default=True,
            help="How to print the result on stdout.",
        )(command)

    return decorate


def quiet_option(command):
    return click.option("-q", "--quiet", is_flag=True, help="No progress bars or notes on stderr.")(command)


class _Failure(click.ClickException):
    """One of our errors as click reports it: ``Error: …`` on stderr and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class RiskGraphGroup(click.Group):
    """The command group: turns riskgraph's errors into one line and an exit code.

    Usage and input errors (a missing file, a bad option value, a store that
    cannot be reached) exit with 2; errors in the chain itself (a closed
    material loop) with 1. Done here rather than in ``main`` so that every way
    of invoking the commands (console script, ``CliRunner``) behaves alike.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (InputError, StoreError) as exc:
            raise _Failure(str(exc), 2) from None
        except RiskGraphError as exc:
            raise _Failure(str(exc), 1) from None


@click.group(cls=RiskGraphGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="riskgraph")
def cli() -> None:
    """riskgraph: supply-chain due diligence as graphs.

    Read a chain (a folder with actors.csv and flows.csv, or an Excel
    workbook), validate it, and compute where the risks of child labour,
    forced labour, deforestation and more sit along the chain.

    \b
    Examples:
      riskgraph demo
      riskgraph validate my_chain/ --quarantine rejected.xlsx
      riskgraph info my_chain.xlsx --format json
    """


@cli.command(context_settings=CONTEXT)
@chain_path
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: a summary and the findings; json: one JSON object.")
@click.option("--quarantine", type=click.Path(path_type=Path), default=None,
              help="Write rejected rows here: .xlsx (a sheet per table), .csv (one long table) or a folder.")
@click.option("--sector", type=click.Choice(SECTORS), default=None,
              help="Sector of every actor when actors has no 'sector' column.")
@click.option("--max-rows", type=int, default=50, show_default=True, help="Findings to print in table format.")
def validate(path: Path, fmt: str, quarantine: Path | None, sector: str | None, max_rows: int) -> None:
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
        emit_table(report.counts, title=f"Validation of {path}")
        if len(report.issues):
            shown = report.issues.head(max_rows)[["severity", "file", "row", "column", "reason", "message"]]
            emit_table(shown, title=f"Findings ({len(report.errors)} errors, {len(report.warnings)} warnings)")
            if len(report.issues) > max_rows:
                stderr(f"… {len(report.issues) - max_rows} more findings; use --format json or --quarantine FILE.")
        else:
            stderr("No findings.")
        if quarantine is not None:
            stderr(f"Quarantined rows written to {quarantine}")
    sys.exit(0 if report.ok else 1)


@cli.command(context_settings=CONTEXT)
@chain_path
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the summary.")
def info(path: Path, fmt: str) -> None:
    """Summarise a chain: actors per sector, stage and country; flows, components, cycles.

    \b
    Example:
      riskgraph info datasets/textiles --format json
    """
    chain = read_chain(path)
    facts = structure(chain)
    facts["validation"] = {"errors": len(chain.report.errors), "warnings": len(chain.report.warnings)}
    if fmt == "json":
        print_json(facts)
        return
    overview = pd.DataFrame(
        [(k, v) for k, v in facts.items() if not isinstance(v, (dict, list))], columns=["fact", "value"]
    )
    overview.loc[len(overview)] = ["cycles (groups of actors trading in a loop)", len(facts["cycles"])]
    overview.loc[len(overview)] = ["orphans (actors without flows)", len(facts["orphans"])]
    emit_table(overview, title=f"Chain {chain.name}")
    emit_table(pd.DataFrame(facts["actors_by_stage"]), title="Actors per sector and stage")
    countries = pd.Series(facts["actors_by_country"], name="actors").rename_axis("country").reset_index()
    emit_table(countries.head(25), title="Actors per country (top 25)")


@cli.command(context_settings=CONTEXT)
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
    from riskgraph.generate import generate_chain
    from riskgraph.io import write_chain

    chain = generate_chain(sector, actors, flows=flows, seed=seed)
    write_chain(chain, out, format="parquet" if parquet else None)
    stderr(f"Wrote {chain!r} to {out}")


theme_choice = click.Choice(THEMES)


@cli.command(context_settings=CONTEXT)
@chain_path
@click.option("--node", default=None, help="Actor id whose matrix to compute; without it, every node (long table).")
@click.option("--theme", type=theme_choice, default=None, help="One theme; default: all themes.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True, help="Labels in .xlsx output.")
@output_options()
def matrix(path: Path, node: str | None, theme: str | None, year: int | None, lang: str, fmt: str,
           out: Path | None) -> None:
    """Chain-location risk matrix (stage × country) of a node, from what flows into it.

    Each cell sums, over upstream actors at that stage and in that country,
    the share of the node's material that passed through them times their
    inherent risk. --format json prints one object per theme with the
    cells, unknown share, stage exposure and peak. --out writes .csv or
    .parquet (long table), .xlsx (a coloured heatmap sheet per theme plus
    summary and sources) or .json.

    \b
    Examples:
      riskgraph matrix datasets/food --node FOD-RTL-NL-01 --theme child_labour
      riskgraph matrix datasets/gold --node GLD-MFG-NL-01 --out matrix.xlsx --lang nl
      riskgraph matrix datasets/textiles --format csv > cells.csv
    """
    from riskgraph.report import matrix_workbook
    from riskgraph.risk import assess

    chain = read_chain(path)
    assessment = assess(chain, year=year)
    themes = [theme] if theme else list(THEMES)
    if node is not None and node not in set(chain.actors["id"]):
        raise InputError(f"--node '{node}' is not an actor id of {path}")
    if out is not None and out.suffix.lower() == ".xlsx":
        if node is None:
            raise click.UsageError("--out .xlsx needs --node: the workbook holds one node's heatmaps")
        matrix_workbook(assessment, node, out, themes=themes, lang=lang)
        stderr(f"Wrote {out}")
        return
    cells = assessment.cells(nodes=None if node is None else [node], themes=themes)
    if out is not None:
        if out.suffix.lower() == ".json" and node is not None:
            out.write_text(json.dumps(to_jsonable(_node_objects(assessment, node, themes, theme)), indent=2,
                                      ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            write_frame(cells, out, sheet="cells")
        stderr(f"Wrote {out}")
        return
    if fmt == "json":
        if node is not None:
            print_json(_node_objects(assessment, node, themes, theme))
        else:
            print_json(cells)
    elif fmt == "csv":
        emit_table(cells, fmt="csv")
    elif node is not None:
        for name in themes:
            data = assessment.node_summary(node, name)
            emit_table(assessment.matrix(node, name).reset_index(), title=(
                f"{name} — {node}: peak {data['peak']['score']:.3f} ({data['peak']['category']}) at "
                f"{data['peak']['stage']} {data['peak']['country']} [{data['peak']['actor'] or 'dispersed'}], "
                f"unknown origin {data['unknown_share']:.1%}"))
    else:
        emit_table(cells.head(50), title=f"Cells of every node ({len(cells)} rows; first 50 shown)")
        stderr("Use --format csv or --out FILE for the whole table.")


def _node_objects(assessment, node, themes, theme):
    objects = [assessment.node_summary(node, t) for t in themes]
    return objects[0] if theme else objects


@cli.command(context_settings=CONTEXT)
@chain_path
@click.option("--node", required=True, help="Actor id whose matrix cell to explain.")
@click.option("--theme", type=theme_choice, required=True, help="The theme.")
@click.option("--stage", default=None, help="Only this stage (row of the matrix).")
@click.option("--country", default=None, help="Only this country (column of the matrix), ISO alpha-2.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Actors to list.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the explanation.")
def explain(path: Path, node: str, theme: str, stage: str | None, country: str | None, top: int, fmt: str) -> None:
    """Explain a cell of a node's matrix: contributing actors, weights, indicators, sources and paths.

    \b
    Example:
      riskgraph explain datasets/gold --node GLD-MFG-NL-01 --theme child_labour --stage mine_asm
    """
    from riskgraph.countries import to_iso2
    from riskgraph.risk import assess

    chain = read_chain(path)
    if node not in set(chain.actors["id"]):
        raise InputError(f"--node '{node}' is not an actor id of {path}")
    code = to_iso2(country) if country else None
    if country and code is None:
        raise InputError(f"--country '{country}' is not a known country")
    explanation = assess(chain).explain(node, theme, stage=stage, country=code, top=top)
    if fmt == "json":
        print_json(explanation.to_dict())
        return
    where = " ".join(x for x in (stage, code) if x) or "all cells"
    columns = ["actor", "name", "stage", "country", "commodity", "weight", "likelihood", "relevance", "risk",
               "contribution", "basis", "source", "year"]
    emit_table(explanation.actors[columns], title=(
        f"{theme} of {node}, {where}: exposure {explanation.exposure:.4f} from {explanation.contributors} "
        f"actors holding {explanation.share:.1%} of its material"))
    if len(explanation.paths):
        emit_table(explanation.paths, title="Heaviest material paths from the top actors")


def _demo_chains() -> list[Path]:
    return [dataset_path(sector) for sector in SECTORS if dataset_path(sector, "actors.csv").is_file()]


@cli.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("riskgraph-demo"),
              show_default=True, help="Folder for the reports (an .html and an .xlsx per sector).")
@click.option("--no-reports", is_flag=True, help="Print the results only; write no files.")
@quiet_option
def demo(out: Path, no_reports: bool, quiet: bool) -> None:
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

    run_demo(_demo_chains(), out=None if no_reports else out, quiet=quiet)


# --------------------------------------------------------------------------- registered command modules
from riskgraph.cli_hotspots import hotspots as _hotspots  # noqa: E402
from riskgraph.cli_import import import_group as _import_group, match as _match  # noqa: E402
from riskgraph.cli_minerals import minerals as _minerals  # noqa: E402
from riskgraph.cli_report import diff as _diff, eudr as _eudr, report as _report  # noqa: E402
from riskgraph.cli_report import secretariat as _secretariat, statement as _statement  # noqa: E402

for _command in (_hotspots, _import_group, _match, _report, _secretariat, _diff, _eudr, _statement, _minerals):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn our errors into one line and an exit code."""
    try:
        cli.main(args=argv, prog_name="riskgraph", standalone_mode=False)
    except click.exceptions.Abort:
        stderr("Aborted.")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        stderr(f"Error: {exc}")
        sys.exit(2)
    except ChainError as exc:
        stderr(f"Error: {exc}")
        sys.exit(1)
    except RiskGraphError as exc:
        stderr(f"Error: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        stderr("Interrupted.")
        sys.exit(130)
    except SystemExit:
        raise
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
