"""Priorities as the OECD guidance sets them: severity × likelihood, with share and leverage beside them.

The OECD Due Diligence Guidance for Responsible Business Conduct (2018,
Q&A 29–30 on prioritisation) asks enterprises to address the most *severe*
and most *likely* adverse impacts first; severity is judged by scale, scope
and irremediable character. How much of a buyer's material comes from a
place (share) and how much influence it has there (leverage) shape *how* it
responds, not *whether* a severe, likely harm is a priority. So::

    priority = severity_t × likelihood

with ``severity_t`` per theme from ``datasets/reference/theme_severity.csv``
(1–5, with the rationale for each) and ``likelihood`` the location's
likelihood of the risk model (:mod:`riskgraph.risk.engine`). :func:`priority`
is the formula and :func:`priorities` the ranked table; the HTML and Excel
reports, the demo and ``riskgraph priorities`` all use them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PRIORITY_COLUMNS = ["rank", "theme", "commodity", "stage", "country", "region", "severity", "likelihood", "share",
                    "priority", "leverage", "actor", "basis", "source"]


def priority(severity, likelihood):
    """``severity × likelihood``: the one priority formula (scalars, arrays or Series)."""
    return np.asarray(severity, dtype=float) * np.asarray(likelihood, dtype=float) if not isinstance(
        severity, pd.Series) else severity.astype(float) * pd.Series(likelihood, index=severity.index).astype(float)


def priorities(assessment, node, *, themes=None, top: int | None = None, min_likelihood: float = 0.0,
               leverage: bool = True) -> pd.DataFrame:
    """Ranked due-diligence priorities of a node (or portfolio): :data:`PRIORITY_COLUMNS`.

    One row per theme and *sub-location* of the node's material: stage ×
    country × commodity, split further where a region or an actor's own
    evidence sets a different likelihood (so a plot with forest loss is its
    own row, not averaged away). Ranked by ``priority`` (severity ×
    likelihood), then share.

    Parameters
    ----------
    assessment : Assessment
    node : str, list or dict
        An actor id or a portfolio (see :meth:`Assessment.shares`).
    themes : list of str, optional
        Default: all themes.
    top : int, optional
        Keep the first ``top`` rows.
    min_likelihood : float
        Leave out rows whose likelihood is below this.
    leverage : bool
        Compute ``leverage``: the share of the location's material for this
        node that passes through the node's single largest direct supplier
        (how much one relationship can move; 1 = one supplier carries it all).

    Returns
    -------
    DataFrame
        ``rank, theme, commodity, stage, country, region, severity,
        likelihood, share`` (of the node's material of that commodity),
        ``priority, leverage, actor`` (the largest actor there), ``basis``
        (which evidence set the likelihood: country, region,
        commodity_evidence, plot_evidence, override) and ``source``.
    """
    themes = list(assessment.themes) if themes is None else list(themes)
    rows = []
    for theme in themes:
        parts = assessment.sublocations(node, theme)
        if parts.empty:
            continue
        keys = ["stage", "country", "commodity", "region", "likelihood", "basis", "source"]
        # a region is named only where its own score set the likelihood; otherwise it is the country's row
        parts = parts.assign(region=parts["region"].where(parts["basis"] == "region", ""))
        grouped = parts.fillna({"region": "", "source": "", "basis": ""}).groupby(keys, sort=False).agg(
            share=("share", "sum"), cell_share=("cell_share", "first"),
            klass=("class", lambda c: sorted(set(c)))).reset_index()
        grouped["region"] = grouped["region"].replace({"": None})
        grouped["theme"] = theme
        rows.append(grouped)
    if not rows:
        return pd.DataFrame(columns=PRIORITY_COLUMNS)
    table = pd.concat(rows, ignore_index=True)
    table = table[table["likelihood"] >= min_likelihood]
    table["severity"] = table["theme"].map(assessment.severity).astype(float)
    table["priority"] = priority(table["severity"], table["likelihood"])
    # ties: the larger cell (stage × country × commodity), then the larger part of it — as the peaks
    table = table.sort_values(["priority", "cell_share", "share", "theme"], ascending=[False, False, False, True],
                              kind="stable")
    if top is not None:
        table = table.head(top)
    table = table.reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table["actor"] = [assessment.largest_actor(node, k) for k in table["klass"]]
    table["leverage"] = [_leverage(assessment, node, k) for k in table["klass"]] if leverage else np.nan
    return table[PRIORITY_COLUMNS]


def _leverage(assessment, node, klass) -> float:
    """Share of the class's material reaching the node that comes through the node's largest direct supplier.

    From the stored part weights: supplier s carries ``S[s, n] · Σ_{parts of
    the class} part_weights[s, part]`` of it.
    """
    nodes = [node] if isinstance(node, str) else list(node)
    columns = np.flatnonzero(np.isin(assessment.parts["class"].to_numpy(), np.atleast_1d(klass)))
    matrix = assessment.shares_info.matrix.tocsc()
    best = 0.0
    for n in nodes:
        column = matrix[:, assessment._position(n)]
        suppliers = column.indices
        if not len(suppliers) or not len(columns):
            continue
        through = np.asarray(assessment.part_weights[suppliers][:, columns].sum(axis=1)).ravel() * column.data
        total = through.sum()
        if total > 0:
            best = max(best, float(through.max() / total))
    return best
