"""The risk model (DESIGN §3): from indicators and material flows to a chain-location matrix per node.

For actor u with stage s(u), country c(u), commodity k(u) and theme t:

1. likelihood ``L_t(c, k)``: the country score, raised to the commodity
   evidence floor (US DOL list, EUDR benchmark); the chain's
   ``indicators.csv`` overrides both, a commodity-specific override winning
   over a country-wide one;
2. stage relevance ``g_t(s)`` per sector (``relevance.csv`` overrides; missing → 1);
3. inherent risk ``r_t(u) = L_t(c(u), k(u)) · g_t(s(u))``;
4. input shares ``S`` (:func:`riskgraph.graph.input_shares`);
5. upstream weights ``W = I + S + S² + … = (I − S)⁻¹``;
6. for node n: share matrix ``V_n[s, c] = Σ_{u: s(u)=s, c(u)=c} W[u, n]`` and
   chain-location matrix ``M_n,t[s, c] = Σ_{u: s(u)=s, c(u)=c} W[u, n] · r_t(u)``.

How it is computed. Actors with the same (sector, stage, country, commodity)
have the same ``r``: they form a *risk class*. With ``C`` the actor × class
indicator matrix, ``V'ᵀ = Wᵀ C`` is obtained for every node at once by the
sparse Neumann series ``C + SᵀC + (Sᵀ)²C + …`` — on an acyclic chain it ends
after as many steps as the chain is deep, with exact sums; on a chain with
leaking cycles it converges geometrically and stops when a step adds less
than ``1e-15``. ``V`` and every ``M_t`` are then small sparse products of
``V'`` with class → location maps. No per-node path enumeration is done;
``_weights_by_paths`` is the slow, obviously-correct reference used in tests.

Peak and materiality (a deliberate departure from DESIGN §3.7). The design
takes the peak over single actors with ``W[u, n] ≥ materiality``. On real
chains that hides the risk that matters most: ten thousand cocoa smallholders
who together supply 40 % of a chocolate maker each supply 0.004 %. Here the
peak is taken over *chain locations* (stage × country × commodity) whose
share ``V'[n, k] ≥ materiality``; ``peak_actor`` names the largest single
contributor in that location, or stays empty when the location is dispersed
(no actor holds ≥ materiality/10 of the node's material).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskgraph.errors import InputError
from riskgraph.graph import InputShares, input_shares
from riskgraph.chain.model import THEMES, Chain, chain_start_stages, stage_order
from riskgraph.risk.reference import Reference, commodity_key, default_reference
from riskgraph.risk.explain import Explanation
from riskgraph.risk.likelihood import _override_table, likelihood_table, relevance_table
from riskgraph.risk.propagation import MAX_STEPS, _check_loops, _propagate, propagate_vector


UNKNOWN = "unknown origin"


CLASS_COLUMNS = ["sector", "stage", "country", "commodity"]


# --------------------------------------------------------------------------- assessment


@dataclass
class Assessment:
    """Risk of every node of a chain: what :func:`assess` returns.

    Attributes
    ----------
    chain : Chain
    actor_risk : DataFrame
        Per actor × theme (long): ``actor, theme, likelihood, relevance, risk``
        with the provenance of the likelihood (``basis, source, year, raw_value``).
    inherent : DataFrame
        ``r_t(u)``: index actor ids, one column per theme.
    materiality : float
    thresholds : Series
        Category lower bounds.
    severity : Series
        Severity 1–5 per theme.
    """

    chain: Chain
    classes: pd.DataFrame
    actor_class: np.ndarray
    class_risk: pd.DataFrame
    class_provenance: pd.DataFrame
    class_shares: sp.csr_matrix  # node × class, plus a last column for unknown origin
    shares_info: InputShares
    materiality: float
    thresholds: pd.Series
    severity: pd.Series
    year: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    themes: tuple[str, ...] = THEMES

    # -- basic tables -------------------------------------------------------------------------

    @property
    def actors(self) -> pd.Index:
        return self.shares_info.actors

    @cached_property
    def inherent(self) -> pd.DataFrame:
        """``r_t(u)`` per actor (rows) and theme (columns)."""
        values = self.class_risk[list(self.themes)].to_numpy()[self.actor_class]
        return pd.DataFrame(values, index=self.actors, columns=list(self.themes))

    @cached_property
    def actor_risk(self) -> pd.DataFrame:
        """Per actor and theme: likelihood, relevance, risk and the likelihood's provenance."""
        base = pd.DataFrame({"actor": self.actors, "class": self.actor_class})
        long = base.merge(self.class_provenance, on="class").drop(columns="class")
        return long.sort_values(["actor", "theme"], kind="stable").reset_index(drop=True)

    @cached_property
    def locations(self) -> pd.DataFrame:
        """Stage × country locations (rows of the class → location map), in stage order."""
        order = stage_order()
        locations = self.classes[["stage", "country"]].drop_duplicates()
        locations = locations.assign(_o=locations["stage"].map(order).fillna(99))
        return locations.sort_values(["_o", "stage", "country"]).drop(columns="_o").reset_index(drop=True)

    @cached_property
    def _class_to_location(self) -> sp.csr_matrix:
        key = pd.MultiIndex.from_frame(self.locations)
        position = key.get_indexer(pd.MultiIndex.from_frame(self.classes[["stage", "country"]]))
        k = len(self.classes)
        return sp.csr_matrix((np.ones(k), (np.arange(k), position)), shape=(k, len(self.locations)))

    @cached_property
    def unknown_share(self) -> pd.Series:
        """Share of each node's material whose origin is unknown (DESIGN §3.6)."""
        values = self.class_shares[:, -1].toarray().ravel()
        return pd.Series(values, index=self.actors, name="unknown_share")

    def _position(self, node: str) -> int:
        position = self.actors.get_indexer([node])[0]
        if position < 0:
            raise InputError(f"actor '{node}' is not in the chain")
        return position

    def upstream(self, node: str) -> pd.Series:
        """``W[u, node]`` for every upstream actor u (exact, the assessment's year), largest first."""
        start = np.zeros(len(self.actors))
        start[self._position(node)] = 1.0
        weights = pd.Series(propagate_vector(self.shares_info.matrix.tocsr(), start), index=self.actors,
                            name="weight")
        return weights[weights > 0].sort_values(ascending=False, kind="stable")

    def _check_theme(self, theme: str) -> None:
        if theme not in self.themes:
            raise InputError(f"theme '{theme}' is not one of {list(self.themes)}")

    def _location_frame(self, values: np.ndarray, present: np.ndarray | None = None) -> pd.DataFrame:
        """Stages × countries from per-location values; ``present`` (default: non-zero values)
        selects the locations shown, so a node's matrices share the grid of its share matrix."""
        frame = self.locations.assign(value=values)
        frame = frame[(values != 0) if present is None else present]
        stages = [s for s in dict.fromkeys(self.locations["stage"]) if s in set(frame["stage"])]
        table = frame.pivot_table(index="stage", columns="country", values="value", aggfunc="sum", fill_value=0.0)
        table = table.reindex(stages)
        table.index.name, table.columns.name = "stage", "country"
        return table.astype(float)

    # -- matrices -------------------------------------------------------------------------------

    def _row(self, node) -> sp.csr_matrix:
        """Class shares of one node, or the weighted mean over several (a portfolio).

        ``node`` is an actor id, a list of ids (weighted by their input
        volume), or a mapping ``{id: weight}``.
        """
        if isinstance(node, str):
            return self.class_shares[self._position(node)]
        weights = pd.Series(node, dtype=float) if isinstance(node, dict) else self.inflow.reindex(list(node)).fillna(0.0)
        if weights.sum() <= 0:
            weights = pd.Series(1.0, index=weights.index)
        positions = np.array([self._position(n) for n in weights.index])
        mix = sp.csr_matrix(weights.to_numpy() / weights.sum())
        return sp.csr_matrix(mix @ self.class_shares[positions])

    @cached_property
    def inflow(self) -> pd.Series:
        """Known input volume of each actor (0 when none is recorded)."""
        from riskgraph.graph import flow_pairs

        pairs = flow_pairs(self.chain, year=self.year)
        volume = pairs.groupby("target")["volume"].sum(min_count=1).fillna(0.0)
        return volume.reindex(self.actors, fill_value=0.0)

    def shares(self, node) -> pd.DataFrame:
        """``V_n``: share of node n's material that passed through each stage × country.

        ``node`` may also be a list of nodes (weighted by input volume) or a
        mapping ``{node: weight}``: the portfolio's share matrix.
        """
        row = self._row(node)[:, :-1]
        return self._location_frame((row @ self._class_to_location).toarray().ravel())

    def matrix(self, node, theme: str) -> pd.DataFrame:
        """``M_n,t``: the chain-location risk matrix of node n for theme t (stages × countries).

        ``node`` may also be a list of nodes or ``{node: weight}`` (see :meth:`shares`).
        """
        self._check_theme(theme)
        row = self._row(node)[:, :-1]
        risk = self.class_risk[theme].to_numpy()
        weighted = row.multiply(risk[np.newaxis, :])
        shares = (row @ self._class_to_location).toarray().ravel()
        values = (sp.csr_matrix(weighted) @ self._class_to_location).toarray().ravel()
        return self._location_frame(values, present=shares != 0)

    def profile(self, node) -> pd.DataFrame:
        """Per theme, for a node or a portfolio: ``peak`` and where it sits, ``category``,
        ``severity``, total ``exposure`` and ``priority`` (severity × peak).

        The peak is taken over chain locations holding at least
        ``materiality`` of the material, as in :meth:`summary`.
        """
        row = self._row(node)[:, :-1].toarray().ravel()
        material = np.flatnonzero(row >= self.materiality)
        records = []
        for theme in self.themes:
            risk = self.class_risk[theme].to_numpy()
            exposure = float(row @ risk)
            if len(material):
                best = material[np.lexsort((-row[material], -risk[material]))[0]]
                klass = self.classes.iloc[best]
                peak, where = float(risk[best]), (klass["stage"], klass["country"], klass["commodity"], float(row[best]))
            else:
                peak, where = 0.0, (None, None, None, 0.0)
            records.append({"theme": theme, "peak": peak, "peak_stage": where[0], "peak_country": where[1],
                            "peak_commodity": where[2], "peak_share": where[3], "exposure": exposure})
        frame = pd.DataFrame(records)
        frame["category"] = self.category(frame["peak"])
        frame["severity"] = frame["theme"].map(self.severity).astype(float)
        frame["priority"] = frame["severity"] * frame["peak"]
        return frame.sort_values(["priority", "exposure"], ascending=False, kind="stable").reset_index(drop=True)

    def portfolio_unknown_share(self, nodes) -> float:
        """Unknown-origin share of a node or portfolio."""
        return float(self._row(nodes)[:, -1].toarray().ravel()[0])

    @cached_property
    def chain_ends(self) -> list[str]:
        """The most downstream actors (inputs, no outputs): the default portfolio of a chain."""
        matrix = self.shares_info.matrix
        has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
        has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
        return list(self.actors[has_in & ~has_out])

    def stage_exposure(self, node: str, theme: str) -> pd.Series:
        """``Σ_c M[s, c]`` per stage."""
        return self.matrix(node, theme).sum(axis=1).rename("exposure")

    def cells(self, nodes=None, themes=None) -> pd.DataFrame:
        """Tidy long table ``node, theme, stage, country, share, exposure`` (non-zero cells).

        Parameters
        ----------
        nodes, themes : lists, optional
            Restrict to these nodes / themes (default: all).
        """
        themes = list(self.themes) if themes is None else list(themes)
        for theme in themes:
            self._check_theme(theme)
        rows = np.arange(len(self.actors)) if nodes is None else np.array([self._position(n) for n in nodes])
        sub = self.class_shares[rows][:, :-1]
        shares = (sub @ self._class_to_location).tocoo()
        base = pd.DataFrame({"node": self.actors.to_numpy()[rows][shares.row], "location": shares.col,
                             "share": shares.data})
        parts = []
        for theme in themes:
            risk = self.class_risk[theme].to_numpy()
            exposure = (sp.csr_matrix(sub.multiply(risk[np.newaxis, :])) @ self._class_to_location).tocsr()
            values = np.asarray(exposure[shares.row, shares.col]).ravel()
            parts.append(base.assign(theme=theme, exposure=values))
        out = pd.concat(parts, ignore_index=True) if parts else base.assign(theme=[], exposure=[])
        out["stage"] = self.locations["stage"].to_numpy()[out["location"]]
        out["country"] = self.locations["country"].to_numpy()[out["location"]]
        out = out.sort_values(["node", "theme", "location"], kind="stable")
        return out[["node", "theme", "stage", "country", "share", "exposure"]].reset_index(drop=True)

    # -- summaries ------------------------------------------------------------------------------

    def category(self, score) -> np.ndarray:
        """Category name for each score from the thresholds (``low`` … ``very_high``)."""
        bounds = self.thresholds.to_numpy()
        names = np.asarray(self.thresholds.index)
        index = np.searchsorted(bounds, np.asarray(score, dtype=float), side="right") - 1
        return names[np.clip(index, 0, len(names) - 1)]

    @cached_property
    def reach(self) -> pd.Series:
        """Downstream reach: the mean share of the chain ends' material that passed through each actor."""
        matrix = self.shares_info.matrix
        has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
        has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
        ends = (has_in & ~has_out).astype(float)
        if not ends.any():
            return pd.Series(0.0, index=self.actors, name="reach")
        values = propagate_vector(matrix.tocsr(), ends) / ends.sum()
        return pd.Series(values, index=self.actors, name="reach")

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
        """Per node and theme: ``peak, peak_stage, peak_country, peak_commodity, peak_actor,
        category, severity, reach, priority, unknown_share, equal_split``.

        ``peak`` is the highest inherent risk among the chain locations
        (stage × country × commodity) holding at least ``materiality`` of the
        node's material; ``priority = severity × peak × reach`` (DESIGN §3.8).
        """
        if "summary" in self._cache:
            return self._cache["summary"]
        shares = self.class_shares[:, :-1].tocoo()
        material = shares.data >= self.materiality
        node, klass = shares.row[material], shares.col[material]
        parts = []
        top = self._top_contributors
        for theme in self.themes:
            risk = self.class_risk[theme].to_numpy()[klass]
            frame = pd.DataFrame({"node": node, "class": klass, "peak": risk, "share": shares.data[material]})
            frame = frame.sort_values(["node", "peak", "share"], ascending=[True, False, False], kind="stable")
            frame = frame.drop_duplicates("node", keep="first")
            frame["theme"] = theme
            parts.append(frame)
        best = pd.concat(parts, ignore_index=True)
        best["peak_actor"] = self._peak_actors(best, top)
        classes = self.classes.reset_index(drop=True)
        for column in ("stage", "country", "commodity"):
            best[f"peak_{column}"] = classes[column].to_numpy()[best["class"].to_numpy()]
        full = pd.MultiIndex.from_product([np.arange(len(self.actors)), list(self.themes)], names=["node", "theme"])
        best = best.set_index(["node", "theme"]).reindex(full).reset_index()
        best["peak"] = best["peak"].fillna(0.0)
        best["category"] = self.category(best["peak"])
        best["severity"] = best["theme"].map(self.severity).astype(float)
        positions = best["node"].to_numpy()
        best["reach"] = self.reach.to_numpy()[positions]
        best["priority"] = best["severity"] * best["peak"] * best["reach"]
        best["unknown_share"] = self.unknown_share.to_numpy()[positions]
        best["equal_split"] = self.shares_info.equal_split.to_numpy()[positions]
        best["node"] = self.actors.to_numpy()[positions]
        columns = ["node", "theme", "peak", "peak_stage", "peak_country", "peak_commodity", "peak_actor",
                   "category", "severity", "reach", "priority", "unknown_share", "equal_split"]
        out = best[columns].reset_index(drop=True)
        self._cache["summary"] = out
        return out

    def _peak_actors(self, best: pd.DataFrame, top: sp.csr_matrix) -> np.ndarray:
        """For each (node, peak class): the actor of that class with the largest (pruned) weight."""
        coo = top.tocoo()
        weights = pd.DataFrame({"node": coo.row, "class": self.actor_class[coo.col], "actor": coo.col,
                                "weight": coo.data})
        wanted = best[["node", "class"]].drop_duplicates()
        found = weights.merge(wanted, on=["node", "class"])
        found = found.sort_values(["node", "class", "weight"], ascending=[True, True, False], kind="stable")
        found = found.drop_duplicates(["node", "class"], keep="first")
        found["peak_actor"] = self.actors.to_numpy()[found["actor"].to_numpy()]
        merged = best[["node", "class"]].merge(found[["node", "class", "peak_actor"]], on=["node", "class"], how="left")
        return merged["peak_actor"].astype(object).where(merged["peak_actor"].notna(), None).to_numpy()

    def node_summary(self, node: str, theme: str) -> dict:
        """The JSON object of one node and theme (what ``riskgraph matrix --format json`` prints)."""
        self._check_theme(theme)
        shares = self.shares(node)
        exposure = self.matrix(node, theme)
        cells = []
        for stage in shares.index:
            for country in shares.columns:
                share = float(shares.loc[stage, country])
                if share:
                    cells.append({"stage": stage, "country": country, "share": share,
                                  "exposure": float(exposure.loc[stage, country]) if country in exposure.columns
                                  and stage in exposure.index else 0.0})
        row = self.summary().query("node == @node and theme == @theme").iloc[0]
        return {
            "node": node,
            "theme": theme,
            "cells": cells,
            "unknown_share": float(self.unknown_share[node]),
            "stage_exposure": {s: float(v) for s, v in exposure.sum(axis=1).items()},
            "peak": {"score": float(row["peak"]), "actor": row["peak_actor"], "stage": row["peak_stage"],
                     "country": row["peak_country"], "category": row["category"]},
        }

    # -- explanations ---------------------------------------------------------------------------

    def explain(self, node: str, theme: str, *, stage: str | None = None, country: str | None = None,
                top: int = 10, paths: int = 3) -> "Explanation":
        """Why a cell (or the whole matrix) of node n has its value: see :func:`riskgraph.risk.explain.explain_cell`."""
        from riskgraph.risk.explain import explain_cell

        return explain_cell(self, node, theme, stage=stage, country=country, top=top, paths=paths)



def assess(
    chain: Chain,
    indicators: pd.DataFrame | None = None,
    relevance: pd.DataFrame | None = None,
    *,
    year: int | None = None,
    materiality: float = 0.01,
    thresholds: pd.Series | dict | None = None,
    severity: pd.Series | dict | None = None,
    reference: Reference | None = None,
) -> Assessment:
    """Assess every node of a chain: inherent risk, upstream weights, chain-location matrices.

    Parameters
    ----------
    chain : Chain
        A validated chain (:func:`riskgraph.read_chain`).
    indicators : DataFrame, optional
        Extra overrides ``country, theme, score[, commodity][, source]``;
        they win over the chain's own ``indicators`` table, which wins over
        the reference data.
    relevance : DataFrame, optional
        Extra stage-relevance overrides ``stage, theme, weight[, sector]``.
    year : int, optional
        Use only the flows of this year for the input shares.
    materiality : float
        Minimum share of a node's material for a location to count for the peak.
    thresholds, severity : optional
        Category lower bounds ``{category: min_score}`` and theme severities
        ``{theme: 1..5}``; default from ``datasets/reference``.
    reference : Reference, optional
        Replace the bundled reference tables altogether.

    Returns
    -------
    Assessment

    Raises
    ------
    ChainError
        When the chain has a closed material loop.

    Examples
    --------
    >>> import riskgraph as rg  # doctest: +SKIP
    >>> a = rg.assess(rg.read_chain("datasets/gold"))  # doctest: +SKIP
    >>> a.matrix("FOD-RTL-NL-01", "child_labour")  # doctest: +SKIP
    """
    reference = reference or default_reference()
    if thresholds is not None:
        reference = Reference(reference.country_scores, reference.commodity_evidence, reference.stage_relevance,
                              reference.severity, pd.Series(thresholds, dtype=float).sort_values())
    if severity is not None:
        merged = reference.severity.copy()
        merged.update(pd.Series(severity, dtype=float))
        reference = Reference(reference.country_scores, reference.commodity_evidence, reference.stage_relevance,
                              merged, reference.thresholds)
    if not 0 <= materiality <= 1:
        raise InputError(f"materiality must lie in [0, 1], not {materiality}")

    actors = chain.actors
    class_keys = pd.DataFrame({
        "sector": actors["sector"].astype(object),
        "stage": actors["stage"].astype(object),
        "country": actors["country"].astype(object),
        "commodity": actors["commodity"].astype(object).map(commodity_key),
    }).where(lambda f: f.notna(), None)
    codes, classes = pd.MultiIndex.from_frame(class_keys.fillna("")).factorize()
    classes = pd.DataFrame(list(classes), columns=CLASS_COLUMNS).replace({"": None})
    classes["class"] = np.arange(len(classes))

    overrides = _override_table(chain.indicators, indicators)
    pairs = classes[["country", "commodity"]].drop_duplicates()
    likelihood = likelihood_table(pairs, reference=reference, overrides=overrides)
    relevance_overrides = pd.concat([t for t in (chain.relevance, relevance) if t is not None and len(t)],
                                    ignore_index=True) if (len(chain.relevance) or relevance is not None) else None
    weights = relevance_table(classes[["sector", "stage"]].drop_duplicates(), reference=reference,
                              overrides=relevance_overrides)
    provenance = (
        classes.merge(likelihood, on=["country", "commodity"], how="left")
        .merge(weights, on=["sector", "stage", "theme"], how="left")
    )
    provenance["risk"] = provenance["likelihood"] * provenance["relevance"]
    class_risk = provenance.pivot_table(index="class", columns="theme", values="risk").reindex(
        index=classes["class"], columns=list(THEMES))
    class_provenance = provenance[["class", "theme", "likelihood", "relevance", "risk", "basis", "source", "year",
                                   "raw_value"]]

    shares = input_shares(chain, year=year)
    _check_loops(chain, shares)
    n, k = len(actors), len(classes)
    # An actor whose country is not known has no chain location: its material is unknown origin.
    located = actors["country"].notna().to_numpy()
    indicator = sp.csr_matrix((located.astype(float), (np.arange(n), codes)), shape=(n, k + 1))
    unknown = _unknown_origin(chain, shares)
    indicator = indicator + sp.csr_matrix((np.ones(int(unknown.sum())), (np.flatnonzero(unknown),
                                           np.full(int(unknown.sum()), k))), shape=(n, k + 1))
    class_shares = _propagate(shares.matrix.T.tocsr(), indicator, what="upstream shares")
    return Assessment(
        chain=chain, classes=classes[CLASS_COLUMNS], actor_class=np.asarray(codes), class_risk=class_risk,
        class_provenance=class_provenance, class_shares=class_shares.tocsr(), shares_info=shares,
        materiality=materiality, thresholds=reference.thresholds, severity=reference.severity, year=year,
    )


def _unknown_origin(chain: Chain, shares: InputShares) -> np.ndarray:
    """Actors with no recorded inputs at a stage where material does not enter the chain, and origins
    whose country is not known (a source stating ``UNKNOWN COUNTRY``): their material is of unknown origin.

    An actor with inputs whose own country is unknown (a buyer named without a country) passes known
    material on: it has no chain location of its own, but the origin of what it buys stays known.
    """
    has_inputs = np.asarray(shares.matrix.sum(axis=0)).ravel() > 0
    starts = chain_start_stages()
    pairs = list(zip(chain.actors["sector"], chain.actors["stage"]))
    is_start = np.fromiter(((s, st) in starts for s, st in pairs), dtype=bool, count=len(pairs))
    no_country = chain.actors["country"].isna().to_numpy()
    return ~has_inputs & (~is_start | no_country)
