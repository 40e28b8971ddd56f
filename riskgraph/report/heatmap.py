"""Heatmaps an analyst reads: cells coloured by likelihood, annotated with the share of material.

A cell of a chain-location matrix mixes two things: how likely the risk is
where the material passed (the likelihood × stage relevance of the actors
there) and how much of the material passed there (the share). Colouring by
the product (exposure) paints almost every cell green, because most shares
are small. So a cell here is coloured by its **likelihood** on the fixed
0–1 scale of the workbooks and **annotated with its share** (``12%``);
exposure stays in the tooltip. Only locations holding material are drawn,
the countries with the largest shares first; the rest of the columns fold
into "other" so that a matrix fits a screen.

The cells come from :func:`location_cells`: per (stage, country, commodity)
the share of the scope's material, its likelihood and its exposure. It is
the one place that reads the assessment's cell-level data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from riskgraph import _vocabulary
from riskgraph.formatting import category_label, format_number

#: Country columns drawn per matrix; the rest fold into "other".
MAX_COUNTRIES = 12
OTHER = "other"
#: "other" / "overig": the column of the countries summed together (``heatmap.other`` of phrases.csv).
OTHER_LABEL = {lang: texts["other"] for lang, texts in _vocabulary.texts("heatmap.").items()}


def location_cells(assessment, scope, theme: str) -> pd.DataFrame:
    """``stage, country, commodity, share, likelihood, exposure`` of a node or portfolio, for one theme.

    The cells of :meth:`riskgraph.risk.Assessment.location_cells` (``share``
    of the node's material of that commodity, ``likelihood`` of the location,
    ``exposure = share × likelihood``); rows with no material are left out.
    """
    return theme_cells(assessment.node_cells(scope), theme)


def theme_cells(node_cells: pd.DataFrame, theme: str) -> pd.DataFrame:
    """:func:`location_cells` from a scope's ``Assessment.node_cells`` table, computed once for every theme."""
    from riskgraph.risk import theme_cells_of

    cells = theme_cells_of(node_cells, theme)
    cells = cells[cells["share"] > 0].copy()
    cells["commodity"] = cells["commodity"].astype(object).fillna("").astype(str)
    return cells.reset_index(drop=True)


def _aggregate(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells summed per stage and country; likelihood = the share-weighted mean (exposure / share)."""
    grouped = cells.groupby(["stage", "country"], sort=False)[["share", "exposure"]].sum().reset_index()
    grouped["likelihood"] = np.where(grouped["share"] > 0, grouped["exposure"] / grouped["share"].where(
        grouped["share"] > 0, 1.0), 0.0)
    return grouped


def heat_matrix(cells: pd.DataFrame, *, stage_order: dict, stage_label, country_name, lang: str,
                colour, max_countries: int = MAX_COUNTRIES, withheld: pd.DataFrame | None = None) -> dict:
    """One matrix for the report template: ``columns`` and ``rows`` of coloured, annotated cells.

    Parameters
    ----------
    cells : DataFrame
        ``stage, country, share, exposure`` (and ``likelihood``), e.g. from :func:`location_cells`.
    stage_order : dict
        Stage → position in the chain (rows follow the chain).
    stage_label, country_name : callable
        Labels of rows and columns.
    colour : callable
        Likelihood in [0, 1] → CSS colour.
    withheld : DataFrame, optional
        ``stage, country`` of cells withheld for k-anonymity (drawn grey, "—").
    """
    frame = _aggregate(cells) if len(cells) else pd.DataFrame(columns=["stage", "country", "share", "exposure",
                                                                      "likelihood"])
    totals = frame.groupby("country")["share"].sum().sort_values(ascending=False, kind="stable")
    kept = list(totals.index[:max_countries])
    if len(totals) > max_countries:
        folded = frame[~frame["country"].isin(kept)].assign(country=OTHER)
        frame = pd.concat([frame[frame["country"].isin(kept)], _aggregate(folded)], ignore_index=True)
        kept.append(OTHER)
    stages = sorted(frame["stage"].unique(), key=lambda s: (stage_order.get(s, 99), s))
    lookup = {(r.stage, r.country): r for r in frame.itertuples(index=False)}
    hidden = set(map(tuple, withheld[["stage", "country"]].to_numpy())) if withheld is not None else set()
    words = _vocabulary.texts("heatmap.")[lang]
    share_word, likelihood_word, exposure_word, withheld_word = (words[k] for k in ("share", "likelihood", "exposure",
                                                                                     "withheld"))
    rows = []
    for stage in stages:
        row_cells = []
        for country in kept:
            if (stage, country) in hidden:
                row_cells.append({"colour": "#eeeeee", "text": "—", "title": withheld_word, "css": "withheld"})
                continue
            cell = lookup.get((stage, country))
            if cell is None or not cell.share > 0:
                row_cells.append({"colour": "#ffffff", "text": "", "title": "", "css": "empty"})
                continue
            where = f"{stage_label(stage)} · {country_name(country) if country != OTHER else OTHER_LABEL[lang]}"
            row_cells.append({
                "colour": colour(cell.likelihood),
                "text": format_number(cell.share, "share", lang),
                "title": (f"{where}: {likelihood_word} {format_number(cell.likelihood, 'likelihood', lang)} "
                          f"({category_label(_category(cell.likelihood), lang)}), {share_word} "
                          f"{format_number(cell.share, 'share', lang)}, {exposure_word} "
                          f"{format_number(cell.exposure, 'exposure', lang)}"),
                "css": "cell",
            })
        rows.append({"label": stage_label(stage), "cells": row_cells})
    columns = [{"code": c if c != OTHER else OTHER_LABEL[lang], "name": country_name(c) if c != OTHER else
                OTHER_LABEL[lang]} for c in kept]
    return {"columns": columns, "rows": rows}


_THRESHOLDS: pd.Series | None = None


def _category(likelihood: float) -> str:
    """The risk category of a likelihood, from ``datasets/reference/category_thresholds.csv``."""
    global _THRESHOLDS
    if _THRESHOLDS is None:
        from riskgraph._resources import dataset_path

        table = pd.read_csv(dataset_path("reference", "category_thresholds.csv"))
        _THRESHOLDS = table.set_index("category")["min_score"].sort_values()
    index = int(np.searchsorted(_THRESHOLDS.to_numpy(), float(likelihood), side="right")) - 1
    return str(_THRESHOLDS.index[max(index, 0)])


def legend(colour, lang: str) -> list[dict]:
    """The colour legend in words: one swatch per category at the middle of its range."""
    global _THRESHOLDS
    _category(0.0)
    bounds = list(_THRESHOLDS.to_numpy()) + [1.0]
    return [{"colour": colour((bounds[i] + bounds[i + 1]) / 2), "label": category_label(name, lang),
             "range": f"{format_number(bounds[i], 'likelihood', lang)}–{format_number(bounds[i + 1], 'likelihood', lang)}"}
            for i, name in enumerate(_THRESHOLDS.index)]
