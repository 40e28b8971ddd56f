"""Read and validate a large chain from CSV, against pandas reading the same files.

The figure is the ratio riskgraph.read_chain / pandas.read_csv, both run in
this process on the same files (best of --repeats); peak memory of each is
measured in a fresh process. A second baseline reads every cell as text
(``dtype=str``), which is what a validating reader must do to report the
original cell of a bad row. Target (issue: foundation): ratio ≤ 2, peak < 2 GB
for 1 000 000 flows and 200 000 actors.

    python benchmarks/bench_read_validate.py --actors 200000 --flows 1000000
"""
from __future__ import annotations

import argparse

import pandas as pd

from _common import best_of, cached_chain, peak_memory_of


def pandas_read(folder):
    return pd.read_csv(folder / "actors.csv"), pd.read_csv(folder / "flows.csv")


def pandas_read_text(folder):
    return (pd.read_csv(folder / "actors.csv", dtype=str, keep_default_na=False),
            pd.read_csv(folder / "flows.csv", dtype=str, keep_default_na=False))


def riskgraph_read(folder):
    from riskgraph.chain.io import read_chain

    return read_chain(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=200_000)
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--sector", default="food")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    folder = cached_chain(args.sector, args.actors, args.flows)
    base, (actors, flows) = best_of(args.repeats, pandas_read, folder)
    text, _ = best_of(args.repeats, pandas_read_text, folder)
    ours, chain = best_of(args.repeats, riskgraph_read, folder)
    rows = len(actors) + len(flows)
    setup = f"import sys; sys.path.insert(0, {str(folder.parent.parent)!r}); from pathlib import Path; folder = Path({str(folder)!r})\n"
    mem_base = peak_memory_of(setup + "import pandas as pd; pd.read_csv(folder / 'actors.csv'); pd.read_csv(folder / 'flows.csv')")
    mem_ours = peak_memory_of(setup + "import riskgraph as rg; rg.read_chain(folder)")
    assert chain.report.ok, chain.report.errors.head()
    print(f"chain: {folder.name}: {len(actors):,} actors, {len(flows):,} flows")
    print(f"{'':28}{'seconds':>10}{'rows/s':>14}{'peak MB':>10}")
    print(f"{'pandas.read_csv (baseline)':28}{base:10.2f}{rows / base:14,.0f}{mem_base:10.0f}")
    print(f"{'pandas.read_csv(dtype=str)':28}{text:10.2f}{rows / text:14,.0f}{'':>10}")
    print(f"{'riskgraph.read_chain':28}{ours:10.2f}{rows / ours:14,.0f}{mem_ours:10.0f}")
    print(f"ratio read_chain / read_csv:            {ours / base:.2f}×  (target ≤ 2×)")
    print(f"ratio read_chain / read_csv(dtype=str): {ours / text:.2f}×  (the same text read, without validation)")
    print(f"peak memory {mem_ours:.0f} MB (target < 2048)")


if __name__ == "__main__":
    main()
