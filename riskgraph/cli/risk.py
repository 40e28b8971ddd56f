"""Commands on the risk model: ``matrix``, ``explain``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from riskgraph.cli._common import CONTEXT, chain_path, output_options, suggest
from riskgraph.errors import InputError
from riskgraph.chain.io import read_chain
from riskgraph.chain.model import THEMES
from riskgraph.output import emit_table, print_json, stderr, to_jsonable, write_frame

theme_choice = click.Choice(THEMES)


@click.command(context_settings=CONTEXT)
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
    if year is not None:
        _check_year(chain, year, path)
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


def _check_year(chain, year: int, path: Path) -> None:
    """--year must name a year the flows have: otherwise every matrix would silently be empty."""
    import pandas as pd

    flows = chain.flows
    if "year" not in flows.columns or flows["year"].isna().all():
        raise InputError(f"--year {year}: the flows of {path} have no year column; leave --year out")
    present = sorted({int(y) for y in pd.to_numeric(flows["year"], errors="coerce").dropna()})
    if year not in present:
        raise InputError(f"--year {year}: no flows in {year} in {path}; years present: "
                         + ", ".join(map(str, present)))


def _check_stage(chain, stage: str, path: Path) -> None:
    """--stage must be a stage of the chain's actors (an unknown stage would explain an empty cell)."""
    present = sorted(set(chain.actors["stage"].dropna().astype(str)))
    if stage not in present:
        hint = suggest(stage, present)
        raise InputError(f"--stage '{stage}' is not a stage of the actors of {path}"
                         + (f"; {hint}" if hint else "") + f" Stages present: {', '.join(present)}")


def _node_objects(assessment, node, themes, theme):
    objects = [assessment.node_summary(node, t) for t in themes]
    return objects[0] if theme else objects


@click.command(context_settings=CONTEXT)
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
    from riskgraph.chain.countries import to_iso2
    from riskgraph.risk import assess

    chain = read_chain(path)
    if node not in set(chain.actors["id"]):
        raise InputError(f"--node '{node}' is not an actor id of {path}")
    if stage is not None:
        _check_stage(chain, stage, path)
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
