"""The risk model on every node × theme × commodity, against a plain scipy.sparse propagation of the same chain.

The engine (``rg.assess`` + ``cells()`` for all themes + ``summary()``) is
timed end to end: likelihood tables, the commodity mix, the sparse
propagation of risk classes × commodities, every cell's share, likelihood
and exposure, and every node's peak per theme.

Two plain baselines run in the same process on the same chain, written the
way one would with scipy.sparse and no cleverness:

* ``plain V``  — the input-share matrix S (``riskgraph.graph.input_shares``)
  and the Neumann series ``Σ (Sᵀ)^k C`` of the actor → (stage, country,
  commodity) indicator C: the share matrices of all nodes, the least any
  propagation engine must do;
* ``plain V+M`` — the same series over ``[C, C⊙r_1, …, C⊙r_10]``: shares and
  exposures of every node for every theme (the likelihoods ``r`` taken from
  the engine, not computed), the same cells the engine produces.

Target (issue 14): the engine within 3× of the plain propagation, peak memory
< 4 GB. A sample of nodes is checked: the engine's cells equal the plain
V+M within 1e-9 on single-commodity nodes.

    python benchmarks/bench_risk.py --actors 200000 --flows 1000000
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp

from _common import cached_chain, peak_memory_of


def neumann(s_t: sp.csr_matrix, start: sp.csr_matrix) -> sp.csr_matrix:
    """``Σ_k (Sᵀ)^k · start`` by repeated sparse products, stopping when a term is empty or < 1e-15."""
    term = start.tocsr()
    total = term.copy()
    for _ in range(10_000):
        term = s_t @ term
        term.eliminate_zeros()
        if term.nnz == 0 or term.data.max() < 1e-15:
            break
        total = total + term
    return total


def plain(chain, risk: np.ndarray | None) -> tuple[float, sp.csr_matrix, pd.DataFrame]:
    """Time the plain propagation; return seconds, node × column matrix and the location of each column."""
    from riskgraph.graph import input_shares
    from riskgraph.risk.reference import commodity_key

    start = time.perf_counter()
    shares = input_shares(chain)
    actors = chain.actors
    good = actors["commodity"].astype(object).map(commodity_key).fillna(actors["sector"].astype(object))
    keys = pd.MultiIndex.from_arrays([actors["stage"].astype(object), actors["country"].astype(object), good])
    codes, locations = keys.factorize()
    n, k = len(actors), len(locations)
    one_hot = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    blocks = [one_hot] if risk is None else [one_hot] + [sp.csr_matrix(one_hot.multiply(r[:, None])) for r in risk.T]
    total = neumann(shares.matrix.T.tocsr(), sp.hstack(blocks, format="csr"))
    seconds = time.perf_counter() - start
    return seconds, total, pd.DataFrame(list(locations), columns=["stage", "country", "commodity"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=200_000)
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--sector", default="food")
    parser.add_argument("--sample", type=int, default=200, help="nodes whose cells are checked against plain V+M")
    args = parser.parse_args()

    import riskgraph as rg

    folder = cached_chain(args.sector, args.actors, args.flows)
    chain = rg.read_chain(folder)

    plain_v, _, _ = plain(chain, None)

    start = time.perf_counter()
    assessment = rg.assess(chain)
    cells = assessment.cells()
    summary = assessment.summary()
    engine = time.perf_counter() - start

    risk = assessment.inherent[list(assessment.themes)].to_numpy()
    plain_vm, total, locations = plain(chain, risk)

    # check: single-commodity nodes' cells equal the plain sums
    rng = np.random.default_rng(0)
    ids = assessment.actors.to_numpy()
    single = np.flatnonzero((assessment.composition > 0).sum(axis=1) == 1)
    sample = rng.choice(single, size=min(args.sample, len(single)), replace=False)
    width = len(locations)
    checked = 0
    for position in sample:
        node = ids[position]
        # one commodity reaches the node: its shares are shares of all its material, whatever the labels say
        ours = assessment.cells(nodes=[node]).astype({"stage": object, "country": object, "theme": object})
        ours = ours.groupby(["theme", "stage", "country"])[["share", "exposure"]].sum()
        row = total[position].toarray().ravel()
        where = pd.MultiIndex.from_frame(locations[["stage", "country"]])
        for t, theme in enumerate(assessment.themes):
            share = pd.Series(row[:width], index=where).groupby(level=[0, 1]).sum()
            exposure = pd.Series(row[(t + 1) * width:(t + 2) * width], index=where).groupby(level=[0, 1]).sum()
            for key in share.index[share.to_numpy() > 0]:
                assert abs(ours.at[(theme, *key), "share"] - share[key]) < 1e-9, (node, key)
                assert abs(ours.at[(theme, *key), "exposure"] - exposure[key]) < 1e-9, (node, key)
                checked += 1

    memory = peak_memory_of(
        f"import riskgraph as rg\na = rg.assess(rg.read_chain({str(folder)!r}))\na.cells()\na.summary()")
    nodes = len(chain.actors)
    print(f"chain: {folder.name}: {nodes:,} actors, {len(chain.flows):,} flows, {len(assessment.themes)} themes, "
          f"{len(assessment.commodities)} commodities")
    print(f"engine (assess + cells + summary, all nodes × themes × commodities): {engine:.2f} s, "
          f"{len(cells):,} cells, {len(summary):,} peaks")
    print(f"plain V   (S + Neumann series of the location indicator):          {plain_v:.2f} s  "
          f"→ engine / plain = {engine / plain_v:.2f}×")
    print(f"plain V+M (the same over [C, C⊙r_1 … C⊙r_10]):                      {plain_vm:.2f} s  "
          f"→ engine / plain = {engine / plain_vm:.2f}×")
    print(f"target: ≤ 3× of the plain propagation; peak memory {memory:.0f} MB (target < 4096 MB)")
    print(f"checked {checked:,} cells of {len(sample)} single-commodity nodes against plain V+M (within 1e-9)")
    print(f"summary: {summary['peak_actor'].notna().mean():.1%} of node × theme peaks name an actor")


if __name__ == "__main__":
    main()
