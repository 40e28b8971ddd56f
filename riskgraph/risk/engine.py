"""The risk model (DESIGN §3): from evidence and material flows to a risk picture per node, theme and commodity.

Terms
-----
For actor u with stage s(u), country c(u), region ρ(u), own good k(u), theme t:

* **likelihood** ``r_t(u) = L_t(u) · g_t(s(u))`` — how likely the harm is at
  u's location: ``L`` is the country score, replaced by the region's score
  (ISO 3166-2, ``region_scores.csv``) where that is higher, raised to the
  floor of commodity evidence (US DOL list, EUDR benchmark) *at the stages
  the evidence describes* (``evidence_stages.csv``: DOL "gold" describes
  artisanal mines, so a large-scale mine does not inherit it), overridden by
  the chain's ``indicators``, and finally set by the actor's own evidence
  (a plot that lost forest after 2020-12-31 → deforestation 1.0, see
  :mod:`riskgraph.risk.evidence`); ``g`` is the stage relevance.
* **input shares** ``S`` and **upstream weights** ``W = (I − S)⁻¹``.
* **commodity** — material is never added across commodities. Every unit of
  material has an *origin commodity*: the good of the chain start (farm,
  mine, quarry, recycler) or of the actor with unknown inputs it came from.
  ``f_k(u)`` is the fraction of u's material of origin commodity k
  (``F = (I − S)⁻ᵀ O`` with O the origins' commodity indicator, rows
  normalised).
* **share** of node n at location (stage s, country c, commodity k)::

      share_n[s, c, k] = Σ_{u: s(u)=s, c(u)=c} W[u, n] · f_k(u) / f_k(n)

  the share of n's material *of commodity k* that passed through (s, c): a
  supermarket gets 100 % of its cocoa from Ivorian farms, even though cocoa
  is 1 % of its tonnes. A value-weighted view across commodities is only
  offered where prices are given (:meth:`Assessment.value_weighted`).
* **exposure** ``= Σ_u W[u, n] · f_k(u) · r_t(u) / f_k(n) = share × likelihood``
  where a cell's ``likelihood`` is the share-weighted likelihood of the
  actors in it (``M_n,t`` of DESIGN §3.6, now per commodity).
* **peak** of node n and theme t — the *sub-location* (stage, country,
  commodity, region, actor evidence) with the highest likelihood among all
  with share > 0 (ties: larger share), reported with the share of its cell
  and its largest actor. There is no materiality cut: four artisanal mines
  with 0.5 % each, or one plot with recorded forest loss, are the peak when
  their likelihood is the highest (DESIGN §3.7, v2).
* **priority** ``= severity_t × likelihood`` (OECD: severity and likelihood;
  share, reach and leverage are separate columns), :mod:`riskgraph.risk.priorities`.

How it is computed. Actors with the same (sector, stage, country, region,
good) and no evidence of their own have the same likelihood: a *risk class*.
A *part* is a class × origin commodity. With ``C`` the actor × part matrix
(``C[u, (class(u), k)] = f_k(u)``), ``Wᵀ C`` is obtained for every node at
once by the sparse Neumann series ``C + SᵀC + (Sᵀ)²C + …`` — exact after as
many steps as the chain is deep on an acyclic chain, geometric on leaking
cycles (stopping when a step adds less than ``1e-15``). Shares, matrices,
peaks and cells are small sparse products of that node × part matrix. No
per-node path enumeration is done; ``_weights_by_paths`` is the slow,
obviously-correct reference used in tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from riskgraph.errors import InputError
from riskgraph.graph import InputShares, input_shares
from riskgraph.chain.model import THEMES, Chain, chain_start_stages
from riskgraph.risk.reference import Reference, commodity_key, default_reference
from riskgraph.risk.explain import Explanation
from riskgraph.risk.likelihood import _override_table, likelihood_table, relevance_table
from riskgraph.risk.propagation import MAX_STEPS, _check_loops, _propagate, propagate_vector
from riskgraph.risk._views import AssessmentViews


UNKNOWN = "unknown origin"

CLASS_COLUMNS = ["sector", "stage", "country", "region", "commodity", "evidence_actor"]


@dataclass
class Assessment(AssessmentViews):
    """Risk of every node of a chain: what :func:`assess` returns.

    Attributes
    ----------
    chain : Chain
    classes : DataFrame
        Risk classes ``sector, stage, country, region, commodity, evidence_actor``.
    actor_class : ndarray
        Class of each actor (chain row order).
    class_risk : DataFrame
        Likelihood ``r_t`` per class (rows) and theme (columns).
    class_provenance : DataFrame
        Per class and theme: ``likelihood`` (L), ``relevance`` (g), ``risk``
        (r), ``basis, source, year, raw_value``.
    parts : DataFrame
        Columns of :attr:`part_weights`: ``class, commodity`` (origin),
        ``unknown`` (the unknown-origin column of that commodity) and the
        class's ``stage, country, region, evidence_actor``, ``location``.
    part_weights : csr_matrix
        Node × part: ``Σ_{u ∈ class} W[u, n] · f_k(u)`` (not normalised).
    composition : ndarray
        Node × commodity: ``f_k(n)``, the commodity mix of each node's material.
    commodities : list of str
    materiality : float
        Only used to prune the search for peak actors in :meth:`summary`.
    thresholds, severity : Series
    """

    chain: Chain
    classes: pd.DataFrame
    actor_class: np.ndarray
    class_risk: pd.DataFrame
    class_provenance: pd.DataFrame
    parts: pd.DataFrame
    part_weights: sp.csr_matrix
    composition: np.ndarray
    commodities: list
    shares_info: InputShares
    materiality: float
    thresholds: pd.Series
    severity: pd.Series
    year: int | None = None
    actor_evidence: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    unknown_origin: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool), repr=False)
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
        """Per actor and theme: likelihood, relevance, risk and which evidence set it (``basis, source, …``)."""
        base = pd.DataFrame({"actor": self.actors, "class": self.actor_class})
        long = base.merge(self.class_provenance, on="class").drop(columns="class")
        return long.sort_values(["actor", "theme"], kind="stable").reset_index(drop=True)

    @cached_property
    def locations(self) -> pd.DataFrame:
        """Chain locations ``stage, country, commodity`` (columns of :attr:`_part_to_location`), in stage order."""
        from riskgraph.chain.model import stage_order

        known = self.parts[~self.parts["unknown"]]
        locations = known[["stage", "country", "commodity"]].drop_duplicates()
        order = stage_order()
        locations = locations.assign(_o=locations["stage"].map(order).fillna(99))
        return (locations.sort_values(["commodity", "_o", "stage", "country"]).drop(columns="_o")
                .reset_index(drop=True))

    @cached_property
    def _part_location(self) -> np.ndarray:
        """Location index of each part (−1 for unknown-origin parts)."""
        key = pd.MultiIndex.from_frame(self.locations)
        position = key.get_indexer(pd.MultiIndex.from_frame(self.parts[["stage", "country", "commodity"]]))
        return np.where(self.parts["unknown"].to_numpy(), -1, position)

    @cached_property
    def _part_to_location(self) -> sp.csr_matrix:
        where = self._part_location
        keep = np.flatnonzero(where >= 0)
        return sp.csr_matrix((np.ones(len(keep)), (keep, where[keep])), shape=(len(self.parts), len(self.locations)))

    @cached_property
    def _part_commodity(self) -> np.ndarray:
        """Commodity index (into :attr:`commodities`) of each part."""
        return pd.Index(self.commodities).get_indexer(self.parts["commodity"])

    def part_risk(self, theme: str) -> np.ndarray:
        """Likelihood ``r_t`` of each part (0 for unknown-origin parts)."""
        self._check_theme(theme)
        klass = self.parts["class"].to_numpy()
        risk = self.class_risk[theme].fillna(0.0).to_numpy()
        return np.where(klass >= 0, risk[np.clip(klass, 0, None)], 0.0)

    @cached_property
    def _normalised(self) -> sp.csr_matrix:
        """Node × part shares of each node's material *of the part's commodity*."""
        return self._normalise(self.part_weights, self.composition)

    def _normalise(self, weights: sp.spmatrix, composition: np.ndarray) -> sp.csr_matrix:
        coo = sp.coo_matrix(weights)
        total = composition[coo.row, self._part_commodity[coo.col]]
        data = np.divide(coo.data, total, out=np.zeros_like(coo.data), where=total > 0)
        return sp.csr_matrix((data, (coo.row, coo.col)), shape=coo.shape)

    @cached_property
    def unknown_share(self) -> pd.Series:
        """Share of each node's material whose origin is unknown (DESIGN §3.6), all commodities together.

        Unlike shares, this is a fraction of the node's whole material (a
        fraction of a fraction adds up across commodities).
        """
        unknown = self.parts["unknown"].to_numpy()
        values = np.asarray(self.part_weights[:, np.flatnonzero(unknown)].sum(axis=1)).ravel() if unknown.any() \
            else np.zeros(len(self.actors))
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

    @cached_property
    def inflow(self) -> pd.Series:
        """Known input volume of each actor (0 when none is recorded)."""
        from riskgraph.graph import flow_pairs

        pairs = flow_pairs(self.chain, year=self.year)
        volume = pairs.groupby("target")["volume"].sum(min_count=1).fillna(0.0)
        return volume.reindex(self.actors, fill_value=0.0)

    def _row(self, node) -> tuple[sp.csr_matrix, np.ndarray]:
        """Part weights and commodity mix of one node, or the weighted mean over several (a portfolio).

        ``node`` is an actor id, a list of ids (weighted by their input
        volume), or a mapping ``{id: weight}``.
        """
        if isinstance(node, str):
            p = self._position(node)
            return self.part_weights[p], self.composition[p]
        weights = pd.Series(node, dtype=float) if isinstance(node, dict) else self.inflow.reindex(list(node)).fillna(0.0)
        if weights.sum() <= 0:
            weights = pd.Series(1.0, index=weights.index)
        positions = np.array([self._position(n) for n in weights.index])
        mix = weights.to_numpy() / weights.sum()
        return sp.csr_matrix(sp.csr_matrix(mix) @ self.part_weights[positions]), mix @ self.composition[positions]

    def _node_parts(self, node) -> pd.DataFrame:
        """The parts of a node (or portfolio) with weight > 0: ``part, share`` (of the commodity's material)."""
        weights, mix = self._row(node)
        normal = self._normalise(weights, mix[np.newaxis, :]).tocoo()
        return pd.DataFrame({"part": normal.col, "share": normal.data})

    def node_commodities(self, node) -> list[str]:
        """Origin commodities present in a node's (or portfolio's) material, largest first."""
        _, mix = self._row(node)
        order = np.argsort(-mix, kind="stable")
        return [self.commodities[i] for i in order if mix[i] > 0]

    def portfolio_unknown_share(self, nodes) -> float:
        """Unknown-origin share of a node or portfolio (a fraction of all its material)."""
        weights, _ = self._row(nodes)
        unknown = np.flatnonzero(self.parts["unknown"].to_numpy())
        return float(weights[:, unknown].sum()) if len(unknown) else 0.0

    @cached_property
    def chain_ends(self) -> list[str]:
        """The most downstream actors (inputs, no outputs): the default portfolio of a chain."""
        matrix = self.shares_info.matrix
        has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
        has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
        return list(self.actors[has_in & ~has_out])

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

    def explain(self, node: str, theme: str, *, stage: str | None = None, country: str | None = None,
                commodity: str | None = None, top: int = 10, paths: int = 3) -> "Explanation":
        """Why a cell (or the whole matrix) of node n has its value: see :func:`riskgraph.risk.explain.explain_cell`."""
        from riskgraph.risk.explain import explain_cell

        return explain_cell(self, node, theme, stage=stage, country=country, commodity=commodity, top=top,
                            paths=paths)


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
    plots: pd.DataFrame | None = None,
) -> Assessment:
    """Assess every node of a chain: likelihood per actor, upstream weights, shares per commodity.

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
        Pruning floor (× 1/10) of the all-node search for peak actors in
        :meth:`Assessment.summary`; it never hides a location from a peak.
    thresholds, severity : optional
        Category lower bounds ``{category: min_score}`` and theme severities
        ``{theme: 1..5}``; default from ``datasets/reference``.
    reference : Reference, optional
        Replace the bundled reference tables (``default_reference().replace(region_scores=…)``).
    plots : DataFrame, optional
        :func:`riskgraph.risk.evidence.plot_table` output to use as actor
        evidence (default: the chain's own plots).

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
    >>> a.cells(nodes=["GLD-RTL-NL-01"], themes=["child_labour"])  # doctest: +SKIP
    """
    reference = reference or default_reference()
    if thresholds is not None:
        reference = reference.replace(thresholds=pd.Series(thresholds, dtype=float).sort_values())
    if severity is not None:
        merged = reference.severity.copy()
        merged.update(pd.Series(severity, dtype=float))
        reference = reference.replace(severity=merged)
    if not 0 <= materiality <= 1:
        raise InputError(f"materiality must lie in [0, 1], not {materiality}")

    from riskgraph.risk.regions import region_codes

    actors = chain.actors
    ids = actors["id"].astype(str).to_numpy()
    goods = _per_unique(actors["commodity"], commodity_key)
    starts = chain_start_stages()
    is_start = _pairs_in(actors["sector"], actors["stage"], starts)
    shares = input_shares(chain, year=year)
    _check_loops(chain, shares)
    evidence = _actor_evidence(chain, actors, goods, plots, is_start)
    keys = pd.DataFrame({
        "sector": actors["sector"].astype(object),
        "stage": actors["stage"].astype(object),
        "country": actors["country"].astype(object),
        "region": region_codes(actors),
        "commodity": goods,
        "evidence_actor": np.where(pd.Index(ids).isin(evidence.index), ids, None),
    }).astype(object).where(lambda f: f.notna(), None)
    codes, classes = pd.MultiIndex.from_frame(keys.fillna("")).factorize()
    classes = pd.DataFrame(list(classes), columns=CLASS_COLUMNS).replace({"": None})
    classes["class"] = np.arange(len(classes))

    overrides = _override_table(chain.indicators, indicators)
    location_keys = ["sector", "stage", "country", "region", "commodity"]
    locations = classes[location_keys].drop_duplicates()
    likelihood = likelihood_table(locations, reference=reference, overrides=overrides)
    relevance_overrides = pd.concat([t for t in (chain.relevance, relevance) if t is not None and len(t)],
                                    ignore_index=True) if (len(chain.relevance) or relevance is not None) else None
    weights = relevance_table(classes[["sector", "stage"]].drop_duplicates(), reference=reference,
                              overrides=relevance_overrides)
    merge_keys = location_keys
    provenance = (
        classes.fillna({k: "" for k in merge_keys})
        .merge(likelihood.fillna({k: "" for k in merge_keys}), on=merge_keys, how="left")
        .merge(weights, on=["sector", "stage", "theme"], how="left")
    )
    provenance[merge_keys] = provenance[merge_keys].replace({"": None})
    provenance["prior"] = provenance["likelihood"]  # before the actor's own evidence
    _apply_actor_evidence(provenance, evidence)
    provenance["risk"] = provenance["likelihood"] * provenance["relevance"]
    class_risk = provenance.pivot_table(index="class", columns="theme", values="risk").reindex(
        index=classes["class"], columns=list(THEMES))
    class_provenance = provenance[["class", "theme", "likelihood", "relevance", "risk", "basis", "source", "year",
                                   "raw_value", "prior"]]

    # origin commodity of each unit of material
    n = len(actors)
    has_inputs = np.asarray(shares.matrix.sum(axis=0)).ravel() > 0
    # An origin whose country is not known (a source stating UNKNOWN COUNTRY) is unknown origin; an actor
    # with inputs but no country passes known material on, with no chain location of its own.
    located = actors["country"].notna().to_numpy()
    unknown = ~has_inputs & (~is_start | ~located)
    origin = ~has_inputs | is_start
    good = np.where(goods.notna(), goods.astype(object), actors["sector"].astype(object)).astype(str)
    commodity_codes, commodities = pd.factorize(good)
    commodities = list(commodities)
    s_t = shares.matrix.T.tocsr()
    k = len(commodities)
    origins = sp.csr_matrix((np.ones(int(origin.sum())), (np.flatnonzero(origin), commodity_codes[origin])),
                            shape=(n, k))
    mass = _propagate(s_t, origins, what="origin commodities").toarray()
    total = mass.sum(axis=1, keepdims=True)
    composition = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)

    # parts: class × origin commodity, plus an unknown-origin part per commodity
    actor_idx, commodity_idx = np.nonzero(composition)
    keep = located[actor_idx]
    actor_idx, commodity_idx = actor_idx[keep], commodity_idx[keep]
    fractions = composition[actor_idx, commodity_idx]
    part_keys = pd.DataFrame({"class": np.asarray(codes)[actor_idx], "k": commodity_idx})
    unknown_rows = np.flatnonzero(unknown)
    unknown_keys = pd.DataFrame({"class": -1, "k": commodity_codes[unknown_rows]})
    all_keys = pd.concat([part_keys, unknown_keys], ignore_index=True)
    part_codes, part_index = pd.MultiIndex.from_frame(all_keys).factorize()
    indicator = sp.csr_matrix(
        (np.concatenate([fractions, np.ones(len(unknown_rows))]),
         (np.concatenate([actor_idx, unknown_rows]), part_codes)),
        shape=(n, len(part_index)))
    part_weights = _propagate(s_t, indicator, what="upstream shares")
    parts = pd.DataFrame(list(part_index), columns=["class", "k"])
    parts["commodity"] = [commodities[i] for i in parts["k"]]
    parts["unknown"] = parts["class"] < 0
    info = classes.set_index("class")
    for column in ("stage", "country", "region", "evidence_actor"):
        parts[column] = info[column].reindex(parts["class"]).to_numpy()
    parts.loc[parts["unknown"], "stage"] = UNKNOWN
    parts = parts.drop(columns="k")
    return Assessment(
        chain=chain, classes=classes[CLASS_COLUMNS], actor_class=np.asarray(codes), class_risk=class_risk,
        class_provenance=class_provenance, parts=parts, part_weights=part_weights.tocsr(),
        composition=composition, commodities=commodities, shares_info=shares, materiality=materiality,
        thresholds=reference.thresholds, severity=reference.severity, year=year, actor_evidence=evidence,
        unknown_origin=unknown,
    )


def _per_unique(values: pd.Series, fn) -> pd.Series:
    """``values.map(fn)`` computed once per distinct value (fn is pure; chains repeat a few values)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    mapped = np.array([fn(v) for v in uniques] + [fn(None)], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _pairs_in(first: pd.Series, second: pd.Series, allowed: frozenset) -> np.ndarray:
    """Whether each (first, second) pair is in ``allowed``, tested once per distinct pair."""
    codes, uniques = pd.MultiIndex.from_arrays([first.astype(object), second.astype(object)]).factorize()
    member = np.fromiter((tuple(u) in allowed for u in uniques), dtype=bool, count=len(uniques))
    return member[codes] if len(codes) else np.zeros(0, dtype=bool)


def _actor_evidence(chain: Chain, actors: pd.DataFrame, goods: pd.Series, plots, is_start: np.ndarray) -> pd.DataFrame:
    """Plot evidence of the chain's EUDR producers (:func:`riskgraph.risk.evidence.plot_evidence`)."""
    from riskgraph.risk.evidence import plot_evidence
    from riskgraph.risk.reference import eudr_commodities

    if plots is None and (chain.plots is None or not len(chain.plots)):
        return pd.DataFrame(columns=["loss_share", "unverified", "loss_plots", "error_plots", "text"])
    if plots is None:
        from riskgraph.risk.evidence import plot_table

        plots, _ = plot_table(chain)
    start = pd.Series(is_start, index=actors["id"].astype(str))
    with_plots = start.index.isin(set(plots["actor"].dropna()))
    eudr = goods.map(eudr_commodities()).notna().to_numpy()
    producers = pd.Series((start.to_numpy() | with_plots) & eudr, index=start.index)
    return plot_evidence(chain, producers, plots)


def _apply_actor_evidence(provenance: pd.DataFrame, evidence: pd.DataFrame) -> None:
    """Deforestation likelihood of classes that are one actor with plot evidence (in place)."""
    from riskgraph.risk.evidence import raised_likelihood

    if evidence.empty:
        return
    rows = provenance["evidence_actor"].notna() & (provenance["theme"] == "deforestation")
    for index in provenance.index[rows.to_numpy()]:
        facts = evidence.loc[provenance.at[index, "evidence_actor"]]
        before = float(provenance.at[index, "likelihood"])
        after = raised_likelihood(before, facts["loss_share"], facts["unverified"])
        if after > before:
            provenance.at[index, "likelihood"] = after
            provenance.at[index, "basis"] = "plot_evidence"
            provenance.at[index, "source"] = f"chain plots: {facts['text']}"
            provenance.at[index, "year"] = ""
            provenance.at[index, "raw_value"] = (f"loss share {facts['loss_share']:.2f}, "
                                                 f"unverified {facts['unverified']:.2f}")
