"""Downstream reach: how much of the chain's delivered material passed through an actor.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain


# --------------------------------------------------------------------------- reach


def downstream_reach(chain: Chain, assessment=None) -> pd.DataFrame:
    """How much of the chain's delivered material depends on each actor.

    Returns
    -------
    DataFrame
        Index: actor ids. ``reach`` — share of the material arriving at the
        chain ends that passed through the actor (volume-weighted by what
        each end receives; equal weights when end volumes are unknown or in
        different units: then ``reach`` equals ``Assessment.reach``);
        ``delivered`` — that material in the flows' unit (``NaN`` when not
        volume-weighted); ``dependence`` — ``Σ_{n ≠ u} W[u, n]``;
        ``basis`` — ``volume`` or ``mean_share``.
    """
    from riskgraph.risk import assess
    from riskgraph.risk.propagation import propagate_vector

    assessment = assessment if assessment is not None else assess(chain)
    matrix = assessment.shares_info.matrix.tocsr()
    actors = assessment.actors
    has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
    has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
    ends = has_in & ~has_out
    volume, unit = _end_volumes(chain, actors, ends)
    basis = "volume" if volume is not None else "mean_share"
    weights = volume if volume is not None else ends.astype(float)
    total = weights.sum()
    delivered = propagate_vector(matrix, weights) if total > 0 else np.zeros(len(actors))
    reach = delivered / total if total > 0 else np.zeros(len(actors))
    dependence = propagate_vector(matrix, np.ones(len(actors))) - 1.0
    return pd.DataFrame({
        "reach": reach,
        "delivered": delivered if volume is not None else np.nan,
        "unit": unit,
        "dependence": np.maximum(dependence, 0.0),
        "basis": basis,
    }, index=actors)


def _end_volumes(chain: Chain, actors: pd.Index, ends: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """Volume received by each chain end, or ``None`` when it cannot be compared.

    An end some of whose input flows lack a volume is scaled up from its
    known flows (known sum × flows / flows with a volume); an end with no
    known volume gets the median of the others. ``None`` when the ends'
    flows are in different units or more than half of the ends have no
    known volume — then every end weighs the same.
    """
    if not ends.any():
        return None, None
    end_ids = actors[ends]
    flows = chain.flows[chain.flows["target"].isin(set(end_ids))]
    units = flows["unit"].dropna().unique()
    if flows.empty or len(units) > 1:
        return None, None
    grouped = flows.groupby("target")["volume"]
    known = grouped.sum(min_count=1).reindex(end_ids)
    flow_count = grouped.size().reindex(end_ids)
    known_count = grouped.count().reindex(end_ids)
    estimate = np.array(known * flow_count / known_count.where(known_count > 0), dtype=float)
    missing = ~np.isfinite(estimate)
    if missing.mean() > 0.5:
        return None, None
    estimate[missing] = np.median(estimate[~missing])
    volume = np.zeros(len(actors))
    volume[ends] = estimate
    return volume, (str(units[0]) if len(units) else None)


def _downstream_counts(chain: Chain, ids) -> dict[str, int]:
    """Number of actors downstream of each given actor (a breadth-first search each on the flow graph)."""
    from riskgraph.graph import adjacency

    matrix = adjacency(chain)
    position = chain.actor_ids
    wanted = list(dict.fromkeys(a for a in ids if a is not None))
    found = position.get_indexer(wanted)
    seen = np.zeros(matrix.shape[0], dtype=np.int64) - 1  # the last search that reached each actor
    out = {}
    for search, (actor, p) in enumerate(zip(wanted, found)):
        if p >= 0:
            out[actor] = _descendants(matrix.indptr, matrix.indices, int(p), seen, search)
    return out


def _descendants(indptr: np.ndarray, indices: np.ndarray, start: int, seen: np.ndarray, mark: int) -> int:
    """Count the actors reachable from ``start``, a whole frontier per step (``seen`` is reused across searches)."""
    seen[start] = mark
    frontier = np.array([start])
    count = 0
    while frontier.size:
        begins, lengths = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
        total = int(lengths.sum())
        if total == 0:
            break
        # positions of every out-edge of the frontier, without a Python loop over its actors
        offsets = np.repeat(begins - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        targets = np.unique(indices[offsets])
        frontier = targets[seen[targets] != mark]
        seen[frontier] = mark
        count += frontier.size
    return count
