"""What an assessment shows: shares, matrices, cells, peaks and summaries, per commodity (DESIGN §3.6–3.8).

A mixin of :class:`riskgraph.risk.engine.Assessment`; the terms are defined
in that module's docstring.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskgraph.errors import InputError
from riskgraph.risk.propagation import MAX_STEPS

CELL_COLUMNS = ["node", "theme", "stage", "country", "commodity", "share", "likelihood", "exposure"]
PEAK_COLUMNS = ["node", "theme", "peak", "peak_stage", "peak_country", "peak_commodity", "peak_region", "peak_share",
                "peak_actor", "peak_basis", "category", "severity", "reach", "priority", "unknown_share", "equal_split"]


def _segments(keys: np.ndarray) -> np.ndarray:
    """Start of each run of equal values in a sorted array."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], np.flatnonzero(keys[1:] != keys[:-1]) + 1])


class AssessmentViews:
    """Views of an assessment; needs the attributes of :class:`~riskgraph.risk.engine.Assessment`."""

    # -- one node (or a portfolio) as tables ----------------------------------------------------

    def _pick_commodity(self, node, commodity: str | None) -> list[str]:
        present = self.node_commodities(node)
        if commodity is None:
            return present
        from riskgraph.risk.reference import commodity_key

        key = commodity if commodity in self.commodities else commodity_key(commodity)
        if key not in present:
            raise InputError(f"no {commodity} reaches {node if isinstance(node, str) else 'these nodes'}; "
                             f"its material is {', '.join(present) or 'none'}")
        return [key]

    def _wide(self, node, commodity: str | None, value) -> pd.DataFrame:
        """Stages × countries of one commodity; with several, rows are ``(commodity, stage)``."""
        from riskgraph.chain.model import stage_order

        wanted = self._pick_commodity(node, commodity)
        table = self.node_cells(node)
        table = table[table["commodity"].isin(wanted)]
        values = value(table)
        frame = table.assign(value=values)
        several = len(wanted) > 1
        index = ["commodity", "stage"] if several else ["stage"]
        if frame.empty:
            return pd.DataFrame(index=pd.Index([], name="stage"), columns=pd.Index([], name="country"), dtype=float)
        wide = frame.pivot_table(index=index, columns="country", values="value", aggfunc="sum", fill_value=0.0)
        order = stage_order()
        rank = {k: i for i, k in enumerate(sorted(wanted))}
        rows = sorted(wide.index, key=lambda r: (rank[r[0]], order.get(r[1], 99), r[1]) if several
                      else (order.get(r, 99), r))
        wide = wide.reindex(rows)
        wide.columns.name = "country"
        return wide.astype(float)

    def shares(self, node, *, commodity: str | None = None) -> pd.DataFrame:
        """Share of node n's material *of each commodity* that passed through each stage × country.

        ``node`` may also be a list of nodes (weighted by input volume) or a
        mapping ``{node: weight}``: a portfolio. With one commodity (or
        ``commodity=``) the frame is stages × countries; with several its
        rows are ``(commodity, stage)``: material is never added across
        commodities.
        """
        return self._wide(node, commodity, lambda t: t["share"])

    def matrix(self, node, theme: str, *, commodity: str | None = None) -> pd.DataFrame:
        """Exposure (share × likelihood) of node n for theme t per stage × country (rows as in :meth:`shares`)."""
        self._check_theme(theme)
        return self._wide(node, commodity, lambda t: t[theme])

    def likelihoods(self, node, theme: str, *, commodity: str | None = None) -> pd.DataFrame:
        """Likelihood of each stage × country where node n's material passed (rows as in :meth:`shares`)."""
        self._check_theme(theme)
        return self._wide(node, commodity, lambda t: t[theme] / t["share"])

    def stage_exposure(self, node: str, theme: str, *, commodity: str | None = None) -> pd.Series:
        """Exposure per stage (the sum over countries)."""
        return self.matrix(node, theme, commodity=commodity).sum(axis=1).rename("exposure")

    def node_cells(self, node) -> pd.DataFrame:
        """One node's (or portfolio's) cells: ``stage, country, commodity, share`` and the exposure per theme."""
        parts = self._node_parts(node)
        location = self._part_location[parts["part"].to_numpy()]
        parts = parts[location >= 0].assign(location=location[location >= 0])
        frame = parts.assign(**{t: parts["share"] * self.part_risk(t)[parts["part"].to_numpy()] for t in self.themes})
        frame = frame.groupby("location", sort=True)[["share", *self.themes]].sum()
        info = self.locations.iloc[frame.index]
        return pd.concat([info.reset_index(drop=True), frame.reset_index(drop=True)], axis=1)

    def location_cells(self, node, theme: str) -> pd.DataFrame:
        """``stage, country, commodity, share, likelihood, exposure`` of a node or portfolio for one theme.

        What heatmaps draw: colour by ``likelihood``, annotate with ``share``
        (of the node's material of that commodity); ``exposure = share × likelihood``.
        """
        self._check_theme(theme)
        return theme_cells_of(self.node_cells(node), theme)

    def sublocations(self, node, theme: str) -> pd.DataFrame:
        """Every part of node n's material for theme t, finest grain: what peaks and priorities rank.

        Columns ``stage, country, commodity, region, evidence_actor, class,
        likelihood, share`` (of the part), ``cell_share`` (of its stage ×
        country × commodity cell), ``basis, source``.
        """
        self._check_theme(theme)
        parts = self._node_parts(node)
        info = self.parts.iloc[parts["part"].to_numpy()].reset_index(drop=True)
        frame = pd.concat([info, parts["share"].reset_index(drop=True)], axis=1)
        frame["likelihood"] = self.part_risk(theme)[parts["part"].to_numpy()]
        frame = frame[~frame["unknown"]].copy()
        frame["cell_share"] = frame.groupby(["stage", "country", "commodity"])["share"].transform("sum")
        provenance = self.class_provenance[self.class_provenance["theme"] == theme].set_index("class")
        frame["basis"] = provenance["basis"].reindex(frame["class"]).to_numpy()
        frame["source"] = provenance["source"].reindex(frame["class"]).to_numpy()
        return frame.sort_values(["likelihood", "cell_share", "share"], ascending=False,
                                 kind="stable").reset_index(drop=True)

    def largest_actor(self, node, klass, commodity: str | None = None) -> str | None:
        """The actor of a risk class (or of any of several) with the largest weight in node n's material (exact).

        With ``commodity``, the weight is of that commodity's material
        (``W[u, n] · f_k(u)``); ties go to the smaller id.
        """
        nodes = [node] if isinstance(node, str) else list(node)
        best, weight = None, 0.0
        members = np.flatnonzero(np.isin(self.actor_class, np.atleast_1d(klass)))
        fraction = (self.composition[members, self.commodities.index(commodity)]
                    if commodity in self.commodities else np.ones(len(members)))
        for n in nodes:
            upstream = self.upstream(n)
            found = pd.Series(upstream.reindex(self.actors[members]).to_numpy() * fraction,
                              index=self.actors[members]).dropna()
            found = found[found > 0].sort_index()
            if len(found) and found.max() > weight:
                best, weight = str(found.idxmax()), float(found.max())
        return best

    def profile(self, node) -> pd.DataFrame:
        """Per theme, for a node or a portfolio: the peak (likelihood), where it sits, its cell's share,
        ``category``, ``severity`` and ``priority = severity × peak`` (one formula:
        :func:`riskgraph.risk.priorities.priority`), ranked by priority."""
        from riskgraph.risk.priorities import priority

        records = []
        for theme in self.themes:
            parts = self.sublocations(node, theme)
            if len(parts):
                top = parts.iloc[0]
                records.append({"theme": theme, "peak": float(top["likelihood"]), "peak_stage": top["stage"],
                                "peak_country": top["country"], "peak_commodity": top["commodity"],
                                "peak_region": top["region"], "peak_share": float(top["cell_share"]),
                                "peak_basis": top["basis"], "exposure": float(top["likelihood"] * top["cell_share"]),
                                "_class": int(top["class"])})
            else:
                records.append({"theme": theme, "peak": 0.0, "peak_stage": None, "peak_country": None,
                                "peak_commodity": None, "peak_region": None, "peak_share": 0.0, "peak_basis": None,
                                "exposure": 0.0, "_class": -1})
        frame = pd.DataFrame(records)
        frame["category"] = self.category(frame["peak"])
        frame["severity"] = frame["theme"].map(self.severity).astype(float)
        frame["priority"] = priority(frame["severity"], frame["peak"])
        frame = frame.sort_values(["priority", "peak_share"], ascending=False, kind="stable").reset_index(drop=True)
        return frame.drop(columns="_class")

    def node_summary(self, node: str, theme: str) -> dict:
        """The JSON object of one node and theme (what ``riskgraph matrix --format json`` prints).

        ``{node, theme, cells: [{stage, country, commodity, share, likelihood,
        exposure}], unknown_share, peak: {stage, country, commodity,
        likelihood, share, actor, category}}`` (plus ``region`` and ``basis``
        in the peak, ``stage_exposure`` per commodity).
        """
        self._check_theme(theme)
        table = self.node_cells(node)
        cells = [{"stage": r.stage, "country": r.country, "commodity": r.commodity, "share": float(r.share),
                  "likelihood": float(getattr(r, theme) / r.share) if r.share else 0.0,
                  "exposure": float(getattr(r, theme))}
                 for r in table.itertuples(index=False)]
        parts = self.sublocations(node, theme)
        if len(parts):
            top = parts.iloc[0]
            likelihood = float(top["likelihood"])
            tied = parts[(parts["stage"] == top["stage"]) & (parts["country"] == top["country"])
                         & (parts["commodity"] == top["commodity"]) & (parts["likelihood"] == likelihood)]
            peak = {"stage": top["stage"], "country": top["country"], "commodity": top["commodity"],
                    "likelihood": likelihood, "share": float(top["cell_share"]),
                    "actor": self.largest_actor(node, tied["class"].tolist(), top["commodity"]),
                    "category": str(self.category([likelihood])[0]), "region": top["region"],
                    "basis": top["basis"]}
        else:
            peak = {"stage": None, "country": None, "commodity": None, "likelihood": 0.0, "share": 0.0,
                    "actor": None, "category": str(self.category([0.0])[0]), "region": None, "basis": None}
        return {"node": node, "theme": theme, "cells": cells,
                "unknown_share": float(self.unknown_share[node]) if isinstance(node, str)
                else self.portfolio_unknown_share(node),
                "stage_exposure": stage_exposure_of(cells), "peak": peak}

    def value_weighted(self, node, theme: str, prices: pd.Series | dict | None = None) -> pd.DataFrame:
        """Exposure across commodities weighted by the *value* of each commodity in the node's material.

        Needs a value per commodity: ``prices`` ``{commodity: value per
        unit}`` (with their source, from the caller), or a ``value`` column on
        the flows (summed per origin commodity into the node). Without either
        there is no honest way to add commodities, and an error says so.

        Returns stage × country × commodity rows with ``share`` and
        ``exposure`` as in :meth:`cells`, plus ``value_weight`` (the
        commodity's share of the node's input value) and ``weighted_exposure``.
        """
        weights = self._value_weights(node, prices)
        table = self.node_cells(node)
        table = table.assign(value_weight=table["commodity"].map(weights).fillna(0.0))
        table["exposure"] = table[theme]
        table["weighted_exposure"] = table["exposure"] * table["value_weight"]
        return table[["stage", "country", "commodity", "share", "exposure", "value_weight", "weighted_exposure"]]

    def _value_weights(self, node, prices) -> pd.Series:
        _, mix = self._row(node)
        composition = pd.Series(mix, index=self.commodities)
        if prices is not None:
            prices = pd.Series(prices, dtype=float)
            missing = [k for k in composition.index[composition > 0] if k not in prices.index]
            if missing:
                raise InputError(f"no price for {missing}; give one per commodity in the node's material")
            value = composition * prices.reindex(composition.index).fillna(0.0)
        else:
            flows = self.chain.flows
            if "value" not in flows.columns or pd.to_numeric(flows["value"], errors="coerce").isna().all():
                raise InputError("a value-weighted view needs prices per commodity or a 'value' column on the "
                                 "flows; tonnes of different commodities are never added")
            value = self._flow_value_by_commodity(node)
        total = value.sum()
        return value / total if total > 0 else value

    def _flow_value_by_commodity(self, node) -> pd.Series:
        nodes = [node] if isinstance(node, str) else list(node)
        flows = self.chain.flows
        into = flows[flows["target"].isin(nodes)]
        value = pd.to_numeric(into["value"], errors="coerce").fillna(0.0).to_numpy()
        sources = self.actors.get_indexer(into["source"])
        mix = self.composition[sources]
        return pd.Series((mix * value[:, np.newaxis]).sum(axis=0), index=self.commodities)

    # -- every node at once ---------------------------------------------------------------------

    @cached_property
    def _entries(self) -> dict:
        """The non-zero node × part shares, sorted by node and location, with their cell segments."""
        coo = self._normalised.tocoo()
        location = self._part_location[coo.col]
        keep = location >= 0
        row, col, data, location = coo.row[keep], coo.col[keep], coo.data[keep], location[keep]
        order = np.lexsort((location, row))
        row, col, data, location = row[order], col[order], data[order], location[order]
        key = row.astype(np.int64) * max(len(self.locations), 1) + location
        starts = _segments(key)
        cell_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(key))))
        share = np.add.reduceat(data, starts) if len(starts) else np.zeros(0)
        return {"row": row, "col": col, "data": data, "starts": starts, "cell_of": cell_of,
                "cell_row": row[starts], "cell_location": location[starts], "cell_share": share}

    def cells(self, nodes=None, themes=None) -> pd.DataFrame:
        """Tidy long table ``node, theme, stage, country, commodity, share, likelihood, exposure``.

        One row per node, theme and chain location its material passed
        through; ``share`` is of the node's material of that commodity,
        ``likelihood`` the share-weighted likelihood of the actors there and
        ``exposure = share × likelihood``.

        Parameters
        ----------
        nodes, themes : lists, optional
            Restrict to these nodes / themes (default: all).
        """
        themes = list(self.themes) if themes is None else list(themes)
        for theme in themes:
            self._check_theme(theme)
        e = self._entries
        cell_rows = e["cell_row"]
        chosen = np.ones(len(cell_rows), dtype=bool) if nodes is None else np.isin(
            cell_rows, [self._position(n) for n in nodes])
        where = e["cell_location"][chosen]
        ids = self.actors.to_numpy(dtype=object)
        alphabetical = np.argsort(ids, kind="stable")
        rank = np.empty(len(ids), dtype=np.int64)
        rank[alphabetical] = np.arange(len(ids))
        alphabetical_rank = rank.copy()
        if nodes is not None:  # the order asked for
            rank = np.full(len(ids), len(ids), dtype=np.int64)
            rank[[self._position(n) for n in nodes]] = np.arange(len(nodes))
        share = e["cell_share"][chosen]
        exposures = []
        for theme in themes:
            exposure = np.add.reduceat(e["data"] * self.part_risk(theme)[e["col"]], e["starts"]) \
                if len(e["starts"]) else np.zeros(0)
            exposures.append(exposure[chosen])
        m, t = len(share), len(themes)
        # node-major, then theme, then chain location: one integer sort instead of a frame sort
        node_key = np.tile(rank[cell_rows[chosen]], t)
        theme_key = np.repeat(np.arange(t), m)
        order = np.lexsort((np.tile(np.arange(m), t), theme_key, node_key))
        cell = np.tile(np.arange(m), t)[order]
        exposure = np.concatenate(exposures)[order] if exposures else np.zeros(0)
        shares = share[cell]
        likelihood = np.divide(exposure, shares, out=np.zeros_like(exposure), where=shares > 0)
        positions = cell_rows[chosen][cell]
        # categorical columns: millions of rows without millions of Python strings
        out = pd.DataFrame({
            "node": pd.Categorical.from_codes(alphabetical_rank[positions], categories=pd.Index(ids[alphabetical])),
            "theme": pd.Categorical.from_codes(theme_key[order], categories=pd.Index(themes, dtype=object)),
            **{c: self._location_codes(c, where[cell]) for c in ("stage", "country", "commodity")},
            "share": shares, "likelihood": likelihood, "exposure": exposure,
        })
        return out[CELL_COLUMNS].reset_index(drop=True)

    def _location_codes(self, column: str, where: np.ndarray) -> pd.Categorical:
        codes, uniques = pd.factorize(self.locations[column].astype(object))
        return pd.Categorical.from_codes(codes[where], categories=pd.Index(uniques, dtype=object))

    @cached_property
    def _top_contributors(self) -> sp.csr_matrix:
        """Pruned ``Wᵀ`` (node × actor), entries ≥ materiality/10: the largest single contributors."""
        s_t = self.shares_info.matrix.T.tocsr()
        floor = self.materiality / 10
        term = sp.identity(len(self.actors), format="csr")
        total = term.copy()
        for _ in range(MAX_STEPS):
            term = sp.csr_matrix(s_t @ term)
            term.data[term.data < floor] = 0
            term.eliminate_zeros()
            if term.nnz == 0:
                break
            total = total + term
        return total.tocsr()

    def summary(self) -> pd.DataFrame:
        """Per node and theme: the peak and the priority (:data:`PEAK_COLUMNS`).

        ``peak`` is the highest likelihood among all parts of the node's
        material with share > 0 (ties: the larger cell share, then the
        larger part share) — no materiality cut. ``peak_share`` is the share
        of the node's material of ``peak_commodity`` in the peak's stage ×
        country cell; ``priority = severity × peak`` (OECD; ``reach`` is a
        separate column). ``peak_actor`` is the peak class's largest actor
        when it holds at least ``materiality/10`` of the node's material
        (exact for one node: :meth:`node_summary`).
        """
        if "summary" in self._cache:
            return self._cache["summary"]
        e = self._entries
        row, col, data = e["row"], e["col"], e["data"]
        cell_share = e["cell_share"][e["cell_of"]]
        row_starts = _segments(row)
        row_of = np.repeat(np.arange(len(row_starts)), np.diff(np.append(row_starts, len(row))))
        n, themes = len(self.actors), list(self.themes)
        size = n * len(themes)
        # one slot per node × theme (node-major), filled where the node has material
        part = np.full(size, -1, dtype=np.int64)
        peak = np.zeros(size)
        share = np.zeros(size)
        for t, theme in enumerate(themes):
            if not len(row):
                break
            risk = self.part_risk(theme)[col]
            best = np.maximum.reduceat(risk, row_starts)[row_of]
            mask = risk >= best
            tie = np.where(mask, cell_share, -1.0)
            mask &= tie >= np.maximum.reduceat(tie, row_starts)[row_of]
            tie2 = np.where(mask, data, -1.0)
            mask &= tie2 >= np.maximum.reduceat(tie2, row_starts)[row_of]
            index = np.flatnonzero(mask)
            _, first = np.unique(row[index], return_index=True)
            index = index[first]
            slot = row[index].astype(np.int64) * len(themes) + t
            part[slot], peak[slot], share[slot] = col[index], risk[index], cell_share[index]
        node = np.repeat(np.arange(n), len(themes))
        theme = np.tile(np.arange(len(themes)), n)
        has = part >= 0
        klass = np.where(has, self.parts["class"].to_numpy()[np.clip(part, 0, None)], -1)

        def parts_column(column: str) -> pd.Categorical:
            codes, uniques = pd.factorize(self.parts[column].astype(object))
            return pd.Categorical.from_codes(np.where(has, codes[np.clip(part, 0, None)], -1),
                                             categories=pd.Index(uniques, dtype=object))

        severity = self.severity.reindex(themes).astype(float).to_numpy()
        basis_table = self.class_provenance.pivot_table(index="class", columns="theme", values="basis",
                                                        aggfunc="first").reindex(columns=themes)
        basis_codes, basis_names = pd.factorize(pd.Series(basis_table.to_numpy().ravel(), dtype=object))
        basis_codes = basis_codes.reshape(basis_table.shape)
        basis_row = basis_table.index.get_indexer(np.clip(klass, 0, None))
        basis = np.where(has & (basis_row >= 0), basis_codes[np.clip(basis_row, 0, None), theme], -1)
        bounds = self.thresholds.to_numpy()
        names = pd.Index(np.asarray(self.thresholds.index), dtype=object)
        category = np.clip(np.searchsorted(bounds, peak, side="right") - 1, 0, len(names) - 1)
        actor = self._peak_actor_codes(node, klass)
        ids = pd.Index(self.actors.to_numpy(dtype=object))
        out = pd.DataFrame({
            "node": pd.Categorical.from_codes(node, categories=ids) if ids.is_unique else ids[node],
            "theme": pd.Categorical.from_codes(theme, categories=pd.Index(themes, dtype=object)),
            "peak": peak,
            "peak_stage": parts_column("stage"), "peak_country": parts_column("country"),
            "peak_commodity": parts_column("commodity"), "peak_region": parts_column("region"),
            "peak_share": share,
            "peak_actor": pd.Categorical.from_codes(actor, categories=ids),
            "peak_basis": pd.Categorical.from_codes(basis, categories=pd.Index(basis_names, dtype=object)),
            "category": pd.Categorical.from_codes(category, categories=names),
            "severity": severity[theme],
            "reach": self.reach.to_numpy()[node],
        })
        from riskgraph.risk.priorities import priority

        out["priority"] = priority(out["severity"], out["peak"])
        out["unknown_share"] = self.unknown_share.to_numpy()[node]
        out["equal_split"] = self.shares_info.equal_split.to_numpy()[node]
        out = out[PEAK_COLUMNS]
        self._cache["summary"] = out
        return out

    def _peak_actor_codes(self, node: np.ndarray, klass: np.ndarray) -> np.ndarray:
        """For each (node, peak class): the position of that class's actor with the largest pruned weight, or −1."""
        top = self._top_contributors.tocoo()
        classes = max(int(self.actor_class.max()) + 1 if len(self.actor_class) else 1, 1)
        key = top.row.astype(np.int64) * classes + self.actor_class[top.col]
        order = np.lexsort((-top.data, key))
        key, actors = key[order], top.col[order]
        first = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=bool)
        key, actors = key[first], actors[first]
        wanted = node.astype(np.int64) * classes + klass
        where = np.searchsorted(key, wanted)
        found = (klass >= 0) & (where < len(key)) & (key[np.clip(where, 0, max(len(key) - 1, 0))] == wanted) \
            if len(key) else np.zeros(len(wanted), dtype=bool)
        return np.where(found, actors[np.clip(where, 0, max(len(key) - 1, 0))] if len(key) else -1, -1)


def stage_exposure_of(cells: list[dict]) -> dict:
    """``{commodity: {stage: Σ exposure}}`` of a node summary's cells: the matrix's row sums, per commodity.

    One definition for the in-memory engine and the graph stores, so that
    ``riskgraph matrix --format json`` and ``riskgraph db matrix`` print the same object.
    """
    out: dict = {}
    for cell in cells:
        per = out.setdefault(cell["commodity"], {})
        per[cell["stage"]] = per.get(cell["stage"], 0.0) + float(cell["exposure"])
    return out


def theme_cells_of(node_cells: pd.DataFrame, theme: str) -> pd.DataFrame:
    """``stage, country, commodity, share, likelihood, exposure`` for one theme from a ``node_cells`` table.

    ``likelihood = exposure / share`` (0 where no share). A report that draws every theme computes
    ``node_cells`` once and takes each theme from it.
    """
    share = node_cells["share"].to_numpy(dtype=float)
    exposure = node_cells[theme].to_numpy(dtype=float)
    likelihood = np.divide(exposure, share, out=np.zeros_like(exposure), where=share > 0)
    return node_cells[["stage", "country", "commodity", "share"]].assign(likelihood=likelihood, exposure=exposure)
