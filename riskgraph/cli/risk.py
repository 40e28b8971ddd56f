"""Commands on the risk model: ``matrix``, ``explain``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from riskgraph.cli._common import (CONTEXT, THEMES, SuggestingChoice, chain_path, lang_option, output_options,
                                   read_chain, suggest, unknown_value)
from riskgraph.errors import InputError
from riskgraph.output import emit_table, print_json, stderr, to_jsonable, write_frame

theme_choice = SuggestingChoice(THEMES)


@click.command(context_settings=CONTEXT)
@chain_path
@click.option("--node", default=None, help="Actor id whose matrix to compute; without it, every node (long table).")
@click.option("--theme", type=theme_choice, default=None, help="One theme; default: all themes.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
@lang_option("Labels and numbers of the tables and the .xlsx output.")
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
        raise unknown_value("--node", node, chain.actors["id"], f"an actor id of {path}")
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
        from riskgraph.formatting import category_label, format_number, stage_label, theme_label

        for name in themes:
            data = assessment.node_summary(node, name)
            peak = data["peak"]
            words = {"en": ("peak", "at", "dispersed", "unknown origin"),
                     "nl": ("piek", "bij", "verspreid", "onbekende herkomst")}[lang]
            emit_table(assessment.matrix(node, name).reset_index(), default_kind="exposure", title=(
                f"{theme_label(name)} — {node}: {words[0]} {format_number(peak['score'], 'likelihood')} "
                f"({category_label(peak['category'])}) {words[1]} {stage_label(peak['stage'])} {peak['country']} "
                f"[{peak['actor'] or words[2]}], {words[3]} {format_number(data['unknown_share'], 'share')}"))
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
@lang_option()
def explain(path: Path, node: str, theme: str, stage: str | None, country: str | None, top: int, fmt: str,
            lang: str) -> None:
    """Explain a cell of a node's matrix: contributing actors, weights, indicators, sources and paths.

    \b
    Example:
      riskgraph explain datasets/gold --node GLD-MFG-NL-01 --theme child_labour --stage mine_asm
    """
    from riskgraph.chain.countries import to_iso2
    from riskgraph.risk import assess

    chain = read_chain(path)
    if node not in set(chain.actors["id"]):
        raise unknown_value("--node", node, chain.actors["id"], f"an actor id of {path}")
    if stage is not None:
        _check_stage(chain, stage, path)
    code = to_iso2(country) if country else None
    if country and code is None:
        raise InputError(f"--country '{country}' is not a known country")
    explanation = assess(chain).explain(node, theme, stage=stage, country=code, top=top)
    if fmt == "json":
        print_json(explanation.to_dict())
        return
    from riskgraph.formatting import format_number, stage_label

    where = " ".join(x for x in (stage_label(stage) if stage else None, code) if x) or "all cells"
    # The columns a reader needs first come first: a narrow terminal leaves out the last ones.
    columns = ["actor", "stage", "country", "weight", "likelihood", "relevance", "contribution", "source", "year",
               "name", "commodity", "risk", "basis"]
    emit_table(explanation.actors[columns], title=(
        f"{theme} of {node}, {where}: exposure {format_number(explanation.exposure, 'exposure')} from "
        f"{explanation.contributors} actors holding {format_number(explanation.share, 'share')} of its material"))
    if len(explanation.paths):
        emit_table(explanation.paths, title="Heaviest material paths from the top actors")
