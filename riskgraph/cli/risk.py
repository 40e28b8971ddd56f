"""Commands on the risk model: ``matrix``, ``explain``, ``priorities``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from riskgraph.cli._common import (CONTEXT, THEMES, SuggestingChoice, chain_path, lang_option, output_options,
                                   quiet_option, read_chain, suggest, unknown_value)
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
@quiet_option
def matrix(path: Path, node: str | None, theme: str | None, year: int | None, lang: str, fmt: str,
           out: Path | None, quiet: bool) -> None:
    """Chain-location risk matrix (stage × country × commodity) of a node, from what flows into it.

    Each cell has the share of the node's material OF THAT COMMODITY that
    passed through the stage and country, the likelihood of the theme there
    (country, region, commodity evidence at the stage it describes, stage
    relevance, actor evidence such as plots with forest loss) and the
    exposure = share × likelihood. The peak is the highest likelihood among
    all locations with any share. --format json prints one object per theme:
    {node, theme, cells: [{stage, country, commodity, share, likelihood,
    exposure}], unknown_share, peak: {stage, country, commodity, likelihood,
    share, actor, category}}. --out writes .csv or .parquet (long table),
    .xlsx (a coloured heatmap sheet per theme plus summary and sources) or .json.

    \b
    Examples:
      riskgraph matrix datasets/food --node FOD-RTL-NL-01 --theme child_labour
      riskgraph matrix datasets/gold --node GLD-MFG-NL-01 --out matrix.xlsx --lang nl
      riskgraph matrix datasets/textiles --format csv > cells.csv
    """
    import pandas as pd

    from riskgraph.formatting import phrase
    from riskgraph.progress import progress_steps
    from riskgraph.report import matrix_workbook
    from riskgraph.risk import assess

    themes = [theme] if theme else list(THEMES)
    if out is not None and out.suffix.lower() == ".xlsx" and node is None:
        raise click.UsageError("--out .xlsx needs --node: the workbook holds one node's heatmaps")
    with progress_steps(["reading", "assessing", "cells"], quiet=quiet, title="matrix") as step:
        step("reading")
        chain = read_chain(path)
        if year is not None:
            _check_year(chain, year, path)
        if node is not None and node not in set(chain.actors["id"]):
            raise unknown_value("--node", node, chain.actors["id"], f"an actor id of {path}")
        step("assessing")
        assessment = assess(chain, year=year)
        step("cells")
        if out is not None and out.suffix.lower() == ".xlsx":
            matrix_workbook(assessment, node, out, themes=themes, lang=lang)
            cells = None
        else:
            cells = assessment.cells(nodes=None if node is None else [node], themes=themes)
    if cells is None:
        stderr(phrase("cli.wrote", path=out))
        return
    if out is not None:
        if out.suffix.lower() == ".json" and node is not None:
            out.write_text(json.dumps(to_jsonable(_node_objects(assessment, node, themes, theme)), indent=2,
                                      ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            write_frame(cells, out, sheet="cells")
        stderr(phrase("cli.wrote", path=out))
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
            peak = data["peak"]
            table = pd.DataFrame(data["cells"])
            if len(table):
                table = table.sort_values("likelihood", ascending=False, kind="stable")
            emit_table(table, title=phrase(
                "cli.matrix.title", theme=name, node=node, likelihood=peak["likelihood"], category=peak["category"],
                stage=peak["stage"], country=peak["country"], commodity=peak["commodity"] or "",
                share=peak["share"], actor=peak["actor"] or phrase("cli.matrix.dispersed"),
                unknown=data["unknown_share"]))
    else:
        emit_table(cells.head(50), title=phrase("cli.matrix.all", rows=len(cells)))
        stderr(phrase("cli.matrix.whole"))


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
@click.option("--commodity", default=None, help="The commodity (default: the node's largest).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Actors to list.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to print the explanation.")
@lang_option()
@quiet_option
def explain(path: Path, node: str, theme: str, stage: str | None, country: str | None, commodity: str | None,
            top: int, fmt: str, lang: str, quiet: bool) -> None:
    """Explain a cell of a node's matrix: contributing actors, weights, the evidence behind each likelihood, paths.

    --format json prints {node, theme, stage, country, commodity, share,
    likelihood, exposure, contributors, actors: [{actor, name, weight,
    likelihood, risk, basis, source, …}], paths}.

    \b
    Example:
      riskgraph explain datasets/gold --node GLD-MFG-NL-01 --theme child_labour --stage mine_asm
    """
    from riskgraph.chain.countries import to_iso2
    from riskgraph.progress import progress_steps
    from riskgraph.risk import assess

    with progress_steps(["reading", "assessing", "explaining"], quiet=quiet, title="explain") as step:
        step("reading")
        chain = read_chain(path)
        if node not in set(chain.actors["id"]):
            raise unknown_value("--node", node, chain.actors["id"], f"an actor id of {path}")
        if stage is not None:
            _check_stage(chain, stage, path)
        code = to_iso2(country) if country else None
        if country and code is None:
            raise InputError(f"--country '{country}' is not a known country")
        step("assessing")
        assessment = assess(chain)
        step("explaining")
        explanation = assessment.explain(node, theme, stage=stage, country=code, commodity=commodity, top=top)
    if fmt == "json":
        print_json(explanation.to_dict())
        return
    from riskgraph.formatting import phrase, stage_label

    where = " ".join(x for x in (stage_label(stage) if stage else None, code) if x) or phrase("cli.explain.all_cells")
    # The columns a reader needs first come first: a narrow terminal leaves out the last ones.
    columns = ["actor", "stage", "country", "weight", "likelihood", "relevance", "contribution", "source", "year",
               "name", "region", "commodity", "risk", "basis"]
    if stage is None:  # cells of several stages: their shares add up past 100 %, one likelihood would mislead
        title = phrase("cli.explain.title_stages", theme=theme, node=node, where=where, commodity=explanation.commodity,
                       exposure=explanation.exposure, stages=int(explanation.actors["stage"].nunique()),
                       actors=explanation.contributors)
    else:
        title = phrase("cli.explain.title", theme=theme, node=node, where=where, commodity=explanation.commodity,
                       likelihood=explanation.likelihood, exposure=explanation.exposure,
                       actors=explanation.contributors, share=explanation.share)
    emit_table(explanation.actors[columns], title=title)
    if len(explanation.paths):
        emit_table(explanation.paths, title=phrase("cli.explain.paths"))


@click.command(context_settings=CONTEXT)
@chain_path
@click.option("--node", required=True, multiple=True,
              help="Actor id whose priorities to list; repeat for a portfolio (weighted by input volume).")
@click.option("--theme", "themes", type=theme_choice, multiple=True, help="Only these themes (repeatable).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the first N rows.")
@click.option("--min-likelihood", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out locations whose likelihood is below this.")
@click.option("--year", type=int, default=None, help="Use only the flows of this year.")
@lang_option()
@output_options()
def priorities(path: Path, node: tuple[str, ...], themes: tuple[str, ...], top: int | None, min_likelihood: float,
               year: int | None, lang: str, fmt: str, out: Path | None) -> None:
    """Due-diligence priorities of a node as the OECD guidance ranks them: severity × likelihood.

    One row per theme and location of the node's material (stage, country,
    commodity; a region or an actor's own evidence gets its own row):
    rank, theme, commodity, stage, country, region, severity (1–5 per
    theme), likelihood, share (of the node's material of that commodity),
    priority = severity × likelihood, leverage (share through the node's
    largest direct supplier), actor (the largest there), basis (which
    evidence set the likelihood) and source. Share and leverage shape the
    response; they are not multiplied into the priority.

    \b
    Examples:
      riskgraph priorities datasets/gold --node GLD-RTL-NL-01 --top 10
      riskgraph priorities datasets/food --node FOD-RTL-NL-01 --theme child_labour --format csv
    """
    from riskgraph.formatting import phrase
    from riskgraph.risk import assess
    from riskgraph.risk import priorities as rank

    chain = read_chain(path)
    missing = [n for n in node if n not in set(chain.actors["id"])]
    if missing:
        raise InputError(f"--node {', '.join(missing)} is not an actor id of {path}")
    assessment = assess(chain, year=year)
    target = node[0] if len(node) == 1 else list(node)
    table = rank(assessment, target, themes=list(themes) or None, top=top, min_likelihood=min_likelihood)
    if out is not None:
        write_frame(table, out, sheet="priorities")
        stderr(phrase("cli.wrote", path=out))
        return
    if fmt == "json":
        print_json({"node": target, "priorities": to_jsonable(table)})
    elif fmt == "csv":
        emit_table(table, fmt="csv")
    else:
        shown = table.drop(columns=["source"])
        emit_table(shown, title=phrase("cli.priorities.title", nodes=", ".join(node)))
