"""Upstream weights W = (I − S)⁻¹ by sparse Neumann propagation (exact on DAGs, geometric on leaking cycles), and the path-enumeration reference.
"""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from riskgraph.errors import ChainError, InputError
from riskgraph.graph import InputShares, input_shares
from riskgraph.chain.model import Chain


TOLERANCE = 1e-15
MAX_STEPS = 100_000


# --------------------------------------------------------------------------- propagation


def closed_loops(chain: Chain, shares: InputShares | None = None) -> list[list[str]]:
    """Groups of actors whose material only circulates among themselves (no input from outside).

    Such a loop makes ``(I − S)`` singular: material would pass through it
    infinitely often. Loops that receive material from outside (gold
    recycling: mines feed the refiner too) leak and are fine.
    """
    shares = shares or input_shares(chain)
    matrix = shares.matrix
    count, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    coo = matrix.tocoo()
    external = labels[coo.row] != labels[coo.col]
    fed = np.zeros(count, dtype=bool)
    fed[labels[coo.col[external]]] = True
    ids = shares.actors.to_numpy()
    return [sorted(ids[labels == k].tolist()) for k in np.flatnonzero((sizes > 1) & ~fed)]


def _propagate(s_transposed: sp.csr_matrix, start: sp.spmatrix, *, what: str) -> sp.csr_matrix:
    """``Σ_k (Sᵀ)^k · start`` by repeated sparse products (exact on acyclic chains)."""
    term = sp.csr_matrix(start, dtype=float)
    total = term.copy()
    for _ in range(MAX_STEPS):
        term = s_transposed @ term
        term.eliminate_zeros()
        if term.nnz == 0:
            return total
        total = total + term
        if term.data.max() < TOLERANCE:
            return total
    raise ChainError(
        f"propagating {what} did not converge in {MAX_STEPS} steps: the chain has cycles that barely leak; "
        "check recycling loops and traders trading with each other"
    )


def propagate_vector(matrix: sp.csr_matrix, start: np.ndarray) -> np.ndarray:
    """``Σ_k matrix^k · start`` for one vector."""
    term = start.astype(float)
    total = term.copy()
    for _ in range(MAX_STEPS):
        term = matrix @ term
        if not term.any():
            return total
        total += term
        if np.abs(term).max() < TOLERANCE:
            return total
    raise ChainError("propagation did not converge: the chain has cycles that barely leak")


def upstream_weights(chain: Chain, *, nodes=None, year: int | None = None) -> pd.DataFrame:
    """Columns of ``W`` (DESIGN §3.5): ``W[u, n]`` = share of n's material that passed through u.

    Parameters
    ----------
    nodes : list of actor ids, optional
        The columns to compute (default: all — only for small chains).

    Returns
    -------
    DataFrame
        Index: every actor; columns: the requested nodes.

    Raises
    ------
    ChainError
        When the chain has a closed loop (named in the message).
    """
    shares = input_shares(chain, year=year)
    _check_loops(chain, shares)
    nodes = list(shares.actors) if nodes is None else list(nodes)
    positions = shares.actors.get_indexer(nodes)
    if (positions < 0).any():
        raise InputError(f"unknown actor id(s): {[n for n, p in zip(nodes, positions) if p < 0]}")
    out = {}
    for node, position in zip(nodes, positions):
        start = np.zeros(len(shares.actors))
        start[position] = 1.0
        out[node] = propagate_vector(shares.matrix, start)
    return pd.DataFrame(out, index=shares.actors)


def _check_loops(chain: Chain, shares: InputShares) -> None:
    loops = closed_loops(chain, shares)
    if loops:
        names = "; ".join(", ".join(loop) for loop in loops)
        raise ChainError(
            f"closed material loop(s) with no input from outside: {names}. Upstream weights would be infinite; "
            "record where material enters the loop (a mine, a recycler's scrap supplier) or remove a flow",
            actors=[a for loop in loops for a in loop],
        )


def _weights_by_paths(chain: Chain, *, year: int | None = None) -> pd.DataFrame:
    """Reference implementation of ``W``: sum over all simple paths of the product of input shares.

    Exponential in general, exact on small acyclic chains: for tests only.
    """
    shares = input_shares(chain, year=year)
    ids = list(shares.actors)
    coo = shares.matrix.tocoo()
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from((ids[u], ids[n], s) for u, n, s in zip(coo.row, coo.col, coo.data))
    weights = pd.DataFrame(np.eye(len(ids)), index=ids, columns=ids)
    for u in ids:
        for n in ids:
            if u == n:
                continue
            total = 0.0
            for path in nx.all_simple_paths(graph, u, n):
                total += math.prod(graph.edges[a, b]["weight"] for a, b in zip(path, path[1:]))
            weights.loc[u, n] = total
    return weights
