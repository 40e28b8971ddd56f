"""The chain as a graph: a networkx view, the sparse input-share matrix S, structure.

Actors are nodes and flows are edges ``source → target`` (material moves
downstream). The risk engine works on :func:`input_shares`, a
``scipy.sparse`` matrix with ``S[u, n]`` = share of n's inputs that comes from
u (DESIGN §3.4); networkx is there for users and for the slow reference
implementations, not for the fast path.
"""
from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskgraph.chain.model import Chain


def to_networkx(chain: Chain) -> nx.DiGraph:
    """A ``networkx.DiGraph``: nodes carry the actor columns, edges the summed volume.

    Several flows between the same pair (commodities, years) become one edge
    with ``volume`` (sum of known volumes, ``NaN`` when none is known),
    ``flows`` (count) and ``years``.
    """
    graph = nx.DiGraph(name=chain.name)
    actors = chain.actors.astype(object).where(chain.actors.notna(), None)
    graph.add_nodes_from((r["id"], r) for r in actors.to_dict("records"))
    pairs = flow_pairs(chain)
    graph.add_edges_from(
        (s, t, {"volume": v, "flows": int(n)})
        for s, t, v, n in zip(pairs["source"], pairs["target"], pairs["volume"], pairs["flows"])
    )
    return graph


def flow_pairs(chain: Chain, *, year: int | None = None) -> pd.DataFrame:
    """Flows summed per (source, target): ``source, target, volume, flows, volume_missing``.

    ``volume`` is the sum of the known volumes; ``volume_missing`` is true when
    none of the pair's flows has a volume.
    """
    flows = chain.flows
    if year is not None:
        flows = flows[flows["year"] == year]
    grouped = flows.groupby(["source", "target"], sort=False, observed=True)["volume"]
    pairs = pd.DataFrame(
        {"volume": grouped.sum(min_count=1), "flows": grouped.size()}
    ).reset_index()
    pairs["volume_missing"] = pairs["volume"].isna()
    return pairs


@dataclass(frozen=True)
class InputShares:
    """The input-share matrix S and what it was built from.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``S[u, n]``: share of actor n's inputs supplied by actor u; every
        column with inputs sums to 1.
    actors : pandas.Index
        Actor ids in matrix order (the row order of ``chain.actors``).
    equal_split : pandas.Series
        True for actors whose inputs were split equally because a supplier's
        volume is missing or all volumes are zero.
    """

    matrix: sp.csr_matrix
    actors: pd.Index
    equal_split: pd.Series


def input_shares(chain: Chain, *, year: int | None = None) -> InputShares:
    """Build ``S[u, n] = volume(u→n) / Σ_v volume(v→n)`` (DESIGN §3.4).

    When a supplier of n has no volume, or n's input volumes sum to zero, n's
    suppliers get equal shares and n is flagged in ``equal_split``: the share
    is an assumption, and reports say so.

    Examples
    --------
    >>> import pandas as pd
    >>> chain = Chain(
    ...     actors=pd.DataFrame({"id": ["a", "b", "c"], "stage": "farm", "country": "CI", "sector": "food"}),
    ...     flows=pd.DataFrame({"source": ["a", "b"], "target": ["c", "c"], "volume": [60.0, 40.0]}),
    ... )
    >>> input_shares(chain).matrix.toarray()[:, 2].tolist()
    [0.6, 0.4, 0.0]
    """
    actors = chain.actor_ids
    n = len(actors)
    pairs = flow_pairs(chain, year=year)
    rows = actors.get_indexer(pairs["source"])
    cols = actors.get_indexer(pairs["target"])
    known = (rows >= 0) & (cols >= 0)
    rows, cols = rows[known], cols[known]
    volume = pairs["volume"].to_numpy(dtype=float)[known]
    missing = pairs["volume_missing"].to_numpy()[known]

    total = np.bincount(cols, weights=np.nan_to_num(volume), minlength=n)
    any_missing = np.bincount(cols, weights=missing.astype(float), minlength=n) > 0
    suppliers = np.bincount(cols, minlength=n)
    equal = (any_missing | (total <= 0)) & (suppliers > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(equal[cols], 1.0 / suppliers[cols], np.nan_to_num(volume) / total[cols])
    matrix = sp.csr_matrix((share, (rows, cols)), shape=(n, n))
    return InputShares(matrix=matrix, actors=actors, equal_split=pd.Series(equal, index=actors, name="equal_split"))


def share_graph(shares: InputShares, *, keep: np.ndarray | None = None) -> nx.DiGraph:
    """The input shares as a graph for path questions: edge weight ``-log S[u, n]``.

    The shortest path under this weight is the *heaviest* material path (the
    largest product of shares). ``keep`` (a boolean mask over actors)
    restricts the graph, e.g. to the actors upstream of one node.
    """
    import math

    coo = shares.matrix.tocoo()
    ids = shares.actors.to_numpy()
    mask = coo.data > 0
    if keep is not None:
        mask &= keep[coo.row] & keep[coo.col]
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        (ids[u], ids[n], -math.log(s)) for u, n, s in zip(coo.row[mask], coo.col[mask], coo.data[mask])
    )
    return graph


def adjacency(chain: Chain) -> sp.csr_matrix:
    """Boolean sparse adjacency ``A[u, n] = 1`` when u supplies n (row order of actors)."""
    actors = chain.actor_ids
    rows = actors.get_indexer(chain.flows["source"])
    cols = actors.get_indexer(chain.flows["target"])
    keep = (rows >= 0) & (cols >= 0)
    data = np.ones(int(keep.sum()), dtype=bool)
    matrix = sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(len(actors),) * 2)
    matrix.sum_duplicates()
    return matrix


def chain_starts(chain: Chain) -> pd.Index:
    """Actors with outgoing flows and no incoming flow: where material enters."""
    a = adjacency(chain)
    has_in = np.asarray(a.sum(axis=0)).ravel() > 0
    has_out = np.asarray(a.sum(axis=1)).ravel() > 0
    return chain.actor_ids[has_out & ~has_in]


def chain_ends(chain: Chain) -> pd.Index:
    """Actors with incoming flows and no outgoing flow: the most downstream nodes."""
    a = adjacency(chain)
    has_in = np.asarray(a.sum(axis=0)).ravel() > 0
    has_out = np.asarray(a.sum(axis=1)).ravel() > 0
    return chain.actor_ids[has_in & ~has_out]


def orphans(chain: Chain) -> pd.Index:
    """Actors with no flow at all."""
    a = adjacency(chain)
    degree = np.asarray(a.sum(axis=0)).ravel() + np.asarray(a.sum(axis=1)).ravel()
    return chain.actor_ids[degree == 0]


def components(chain: Chain) -> pd.Series:
    """Weakly connected component number per actor (0 = the largest component)."""
    count, labels = connected_components(adjacency(chain), directed=True, connection="weak")
    sizes = np.bincount(labels, minlength=count)
    rank = np.empty(count, dtype=int)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(count)
    return pd.Series(rank[labels], index=chain.actor_ids, name="component")


def cycles(chain: Chain) -> list[list[str]]:
    """Groups of actors that trade in a loop (strongly connected components of size > 1).

    Each group is sorted; groups are ordered by size, largest first. Gold
    recycling (refiner → manufacturer → recycler → refiner) is such a group.
    """
    a = adjacency(chain)
    count, labels = connected_components(a, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    ids = chain.actor_ids.to_numpy()
    groups = [sorted(ids[labels == k].tolist()) for k in np.flatnonzero(sizes > 1)]
    return sorted(groups, key=lambda g: (-len(g), g))


def tiers(chain: Chain) -> pd.Series:
    """Tier of each actor: flows between it and the nearest most-downstream actor.

    Chain ends are tier 0, their direct suppliers tier 1, and so on (the
    shortest distance). Actors that reach no chain end (orphans, closed
    loops) have ``<NA>``.
    """
    a = adjacency(chain)
    n = a.shape[0]
    has_in = np.asarray(a.sum(axis=0)).ravel() > 0
    has_out = np.asarray(a.sum(axis=1)).ravel() > 0
    tier = np.full(n, -1, dtype=np.int64)
    frontier = has_in & ~has_out
    tier[frontier] = 0
    a_int = a.astype(np.int8)
    level = 0
    while frontier.any():
        level += 1
        suppliers = np.asarray(a_int @ frontier.astype(np.int8)).ravel() > 0
        frontier = suppliers & (tier < 0)
        tier[frontier] = level
    values = pd.array(tier, dtype="Int64")
    values[tier < 0] = pd.NA
    return pd.Series(values, index=chain.actor_ids, name="tier")


def _in_chain_order(counts: pd.DataFrame) -> list[dict]:
    """Rows of ``sector, stage, …`` sorted as the chain runs: mines before traders before refiners."""
    from riskgraph import _vocabulary

    order = {(r["sector"], r["stage"]): r["order"] for r in _vocabulary.stage_rows()}
    rank = _vocabulary.stage_rank()
    key = [(sector, order.get((sector, stage), rank.get(stage, 99)), stage)
           for sector, stage in zip(counts["sector"], counts["stage"])]
    return [counts.iloc[i].to_dict() for i in sorted(range(len(counts)), key=key.__getitem__)]


def structure(chain: Chain) -> dict:
    """The chain's shape in numbers: what ``riskgraph info`` prints."""
    actors = chain.actors
    pairs = flow_pairs(chain)
    tier = tiers(chain)
    comps = components(chain)
    shares = input_shares(chain)
    return {
        "name": chain.name,
        "actors": len(actors),
        "flows": len(chain.flows),
        "supplier_links": len(pairs),
        "plots": len(chain.plots),
        "actors_by_sector": actors["sector"].value_counts().sort_index().to_dict(),
        "actors_by_stage": _in_chain_order(actors.groupby(["sector", "stage"]).size().rename("actors").reset_index()),
        "actors_by_country": actors["country"].value_counts().to_dict(),
        "components": int(comps.max() + 1) if len(comps) else 0,
        "largest_component": int((comps == 0).sum()) if len(comps) else 0,
        "cycles": cycles(chain),
        "chain_starts": len(chain_starts(chain)),
        "chain_ends": len(chain_ends(chain)),
        "orphans": orphans(chain).tolist(),
        "max_tier": int(tier.max()) if tier.notna().any() else None,
        "flows_without_volume": int(chain.flows["volume"].isna().sum()),
        "actors_with_equal_split": int(shares.equal_split.sum()),
    }
