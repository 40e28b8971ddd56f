"""The main job on the bundled sector chains: what ``riskgraph demo`` runs.

For each bundled chain (gold, natural stone, textiles, food): read and
validate, summarise its structure, assess every node (chain-location
matrices for every theme), find the hotspots, list the top risks and
hotspots, and write the HTML report and the Excel risk matrix of the sector
(every most-downstream actor, weighted by volume). A chain with forest tiles
beside it (``datasets/food/forest/``, a synthetic clip) also shows the path
from raster to plot to hotspot to EUDR statement. No server is needed.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from riskgraph.graph import structure
from riskgraph.chain.io import read_chain
from riskgraph.output import emit_table, stderr


def _top_risks(name: str, assessment, top: int) -> pd.DataFrame:
    """The sector's priorities: :func:`riskgraph.risk.priorities` of every chain end, weighted by volume."""
    from riskgraph.risk import priorities

    ranked = priorities(assessment, assessment.chain_ends, top=top, leverage=False)
    ranked.insert(0, "chain", name)
    return ranked[["chain", "rank", "theme", "commodity", "stage", "country", "region", "likelihood", "share",
                   "priority", "actor", "basis"]].reset_index(drop=True)


def forest_evidence(chain, folder: Path, hotspots: pd.DataFrame, assessment) -> pd.DataFrame:
    """Raster → plot → hotspot → EUDR for the plots that a chain's bundled forest tiles cover.

    The plots are measured afresh on the tiles in ``folder``
    (:func:`riskgraph.forest.plot_forest`); for each plot with a figure, the
    table gives the member's declaration beside the measurement, the plot's
    rank among the deforestation hotspots, and the EUDR operator whose
    statement it blocks: products from a plot with forest loss after the
    cut-off may not be placed on the market (Regulation (EU) 2023/1115,
    Art. 2(13) and 3(a); :func:`riskgraph.regulation.eudr.eudr_statement`).
    Of the operators the plots' material reaches, the demo asks the one that
    receives most of it (``riskgraph eudr`` answers for any other).
    """
    import networkx as nx

    from riskgraph.forest import plot_forest
    from riskgraph.graph import to_networkx
    from riskgraph.regulation.common import EU_MEMBER_STATES
    from riskgraph.regulation.eudr import OPERATOR, eudr_role, eudr_statement

    measured = plot_forest(chain.plots, gfc_dir=folder)
    measured = measured[measured["forest_source"].notna()].reset_index(drop=True)
    plot_ranks = hotspots[(hotspots["theme"] == "deforestation") & hotspots["plot"].notna()]
    plot_ranks = plot_ranks.groupby("plot")["rank"].min()
    lost = set(measured.loc[measured["forest_loss_ha_after_2020"] > 0, "plot_id"])
    farms = sorted(set(measured.loc[measured["plot_id"].isin(lost), "actor_id"]))
    graph = to_networkx(chain)
    downstream = set().union(*(nx.descendants(graph, farm) for farm in farms)) if farms else set()
    countries = chain.actors.set_index("id")["country"]
    # The operator first places the product on the Union market (Art. 2(15)-(16), 4): an EU actor supplied
    # from outside the Union. The role rules decide; this only narrows whom to ask, most material first.
    entry = [node for node in downstream if countries.get(node) in EU_MEMBER_STATES
             and any(countries.get(supplier) not in EU_MEMBER_STATES for supplier in graph.predecessors(node))]
    entry.sort(key=lambda node: (-float(assessment.upstream(node).reindex(farms).fillna(0).sum()), node))
    blocked: dict[str, str] = {}
    for node in entry:
        if eudr_role(chain, node).role == OPERATOR:
            for plot in set(eudr_statement(chain, node).blocking["plot"].dropna()) & lost:
                blocked[plot] = node
            break
    declared = measured.get("declared_forest_loss_ha_after_2020", pd.Series([None] * len(measured)))
    return pd.DataFrame({
        "plot": measured["plot_id"], "farm": measured["actor_id"],
        "forest_2020_ha": measured["forest_2020_ha"].astype(float).round(2),
        "loss_after_2020_ha": measured["forest_loss_ha_after_2020"].astype(float).round(2),
        "loss_year": measured["forest_loss_year"], "declared_ha": pd.to_numeric(declared, errors="coerce"),
        "hotspot_rank": measured["plot_id"].map(plot_ranks).astype("Int64"),
        "blocks_eudr_statement_of": measured["plot_id"].map(lambda p: blocked.get(p, "")),
    })


def run_demo(paths: list[Path], *, out: Path | None = None, top: int = 5, quiet: bool = False,
             lang: str | None = None) -> pd.DataFrame:
    """Run the whole job on each chain; print summary, top risks and hotspots; write reports to ``out``."""
    from riskgraph.formatting import phrase, resolve_lang
    from riskgraph.progress import progress_steps

    lang = resolve_lang(lang)
    if not paths:
        stderr(phrase("cli.demo.none", lang))
        return pd.DataFrame()
    rows, risks, hot, forest = [], [], [], []
    names = [f"{Path(p).name}: {what}" for p in paths for what in ("reading", "assessing", "hotspots", "reports")]
    with progress_steps(names, quiet=quiet, title="demo") as step:
        for path in paths:
            rows.append(_run_one(path, out=out, top=top, lang=lang, step=step, risks=risks, hot=hot, forest=forest))
    summary = pd.DataFrame(rows)
    emit_table(summary, title=phrase("cli.demo.summary", lang), lang=lang)
    emit_table(pd.concat(risks, ignore_index=True), title=phrase("cli.demo.risks", lang), lang=lang)
    hotspots = pd.concat(hot, ignore_index=True)
    # The first two reasons; the reports and `riskgraph hotspots` give them all.
    hotspots["reasons"] = pd.Series([_first_reasons(r) for r in hotspots["reasons"]], index=hotspots.index,
                                    dtype=object)
    emit_table(hotspots, title=phrase("cli.demo.hotspots", lang), lang=lang)
    for name, folder, table in forest:
        emit_table(table, title=phrase("cli.demo.forest", lang, name=name, folder=folder.name), lang=lang)
    if out is not None and not quiet:
        stderr(phrase("cli.demo.reports", lang, path=out))
    if not quiet:
        stderr(phrase("cli.demo.next", lang))
    return summary


def _first_reasons(reasons, first: int = 2):
    """The first two reasons of a hotspot, said in the command's language when shown."""
    if not isinstance(reasons, (list, tuple)):
        return reasons
    from riskgraph.formatting import Phrase

    return Phrase.join(list(reasons)[:first] + (["…"] if len(reasons) > first else []))


def _run_one(path: Path, *, out: Path | None, top: int, lang: str, step, risks: list, hot: list,
             forest: list) -> dict:
    """One chain of the demo: read, assess, find hotspots, write its reports; its summary row."""
    from riskgraph.hotspots import find_hotspots
    from riskgraph.report import html_report, matrix_workbook
    from riskgraph.risk import assess

    start = time.perf_counter()
    name = Path(path).name
    step(f"{name}: reading")
    chain = read_chain(path)
    facts = structure(chain)
    step(f"{name}: assessing")
    assessment = assess(chain)
    cells = assessment.cells()
    step(f"{name}: hotspots")
    found = find_hotspots(chain, assessment, with_anomalies=False)  # the demo shows none
    step(f"{name}: reports")
    ranked = found.hotspots.sort_values("score", ascending=False).head(top)
    hot.append(ranked.assign(chain=chain.name)[["chain", "actor", "theme", "score", "rank", "reasons"]])
    risks.append(_top_risks(chain.name, assessment, top))
    if (Path(path) / "forest").is_dir():
        forest.append((chain.name, Path(path) / "forest",
                       forest_evidence(chain, Path(path) / "forest", found.hotspots, assessment)))
    if out is not None:
        from riskgraph.geo.maps import hotspot_map_frame
        from riskgraph.report import hotspot_table

        folder = Path(out)
        html_report(assessment, folder / f"{chain.name}.html", hotspots=hotspot_table(found.hotspots),
                    hotspot_map=hotspot_map_frame(found, lang=lang), lang=lang)
        matrix_workbook(assessment, assessment.chain_ends, folder / f"{chain.name}.xlsx", lang=lang)
    return {
        "chain": chain.name, "actors": facts["actors"], "flows": facts["flows"], "plots": facts["plots"],
        "countries": len(facts["actors_by_country"]), "errors": len(chain.report.errors),
        "warnings": len(chain.report.warnings), "quarantined": int(chain.report.counts["quarantined"].sum()),
        "cells": len(cells), "hotspots": len(found.hotspots), "seconds": round(time.perf_counter() - start, 2),
    }
