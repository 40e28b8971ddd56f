"""Graph stores: a chain in Neo4j or FalkorDB, and risk propagation inside the database.

The embedded engine (:mod:`riskgraph.risk`) needs no server. A graph store is
for a team that keeps its chains in a graph database, queries them there, or
has a chain that outgrows one machine (DESIGN §1, §5). Both backends run the
same Cypher files (``cypher/``); only the schema DDL differs.

>>> from riskgraph.store import open_store
>>> with open_store("falkordb://localhost:6379/acme") as store:  # doctest: +SKIP
...     store.push(chain)                                 # idempotent, batched upsert
...     store.write_risk(riskgraph.risk.assess(chain))    # risk_<theme> on actors, HAS_RISK
...     store.node_matrix("retailer_nl_01", "child_labour")  # computed in the database
...     store.query("upstream", node="retailer_nl_01", max_depth=3)
...     same = store.pull()                               # == as_stored(chain)

==========================  ==============================================
``open_store(uri)``         a store chosen by the URI's scheme
``GraphStore``              the interface: push, pull, query, node_shares,
                            node_matrix, write_risk, counts, clear, close
``Neo4jStore``              ``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://``
``FalkorDBStore``           ``falkordb://host:port/graph``
``as_stored(chain)``        the chain as ``pull`` returns it (sort order)
``query_names()``           the bundled read queries
==========================  ==============================================
"""
from __future__ import annotations

import os

from riskgraph.errors import InputError
from riskgraph.store._base import MAX_DEPTH, DepthWarning, GraphStore, as_stored, flow_keys, without_credentials
from riskgraph.store._cypher import query_file, query_names
from riskgraph.store._lock import PushLock, StoreBusy
from riskgraph.store._falkordb import FalkorDBStore
from riskgraph.store._neo4j import Neo4jStore

BACKENDS: tuple[type[GraphStore], ...] = (Neo4jStore, FalkorDBStore)


def open_store(uri: str | None = None, **options) -> GraphStore:
    """Open the graph store a URI points to.

    Parameters
    ----------
    uri : str, optional
        ``neo4j://``, ``neo4j+s://``, ``bolt://``, ``bolt+s://`` → :class:`Neo4jStore`;
        ``falkordb://host:port/graph`` → :class:`FalkorDBStore`. Default: ``$NEO4J_URI``.
    **options
        Passed to the store (``user``, ``password``, ``database`` for Neo4j,
        ``graph`` for FalkorDB, ``retries``, …). ``database`` names the
        FalkorDB graph too, so that one set of options serves both.

    Raises
    ------
    InputError
        No URI, or a scheme no backend serves.
    StoreError
        The server cannot be reached or refuses the credentials.
    """
    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise InputError("no graph store URI: pass one (--uri) or set NEO4J_URI")
    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    for backend in BACKENDS:
        if scheme in backend.schemes:
            if backend is FalkorDBStore and "database" in options:
                database = options.pop("database")
                options.setdefault("graph", database)
            return backend(uri, **{k: v for k, v in options.items() if v is not None})
    schemes = ", ".join(f"{s}://" for b in BACKENDS for s in b.schemes)
    raise InputError(f"'{without_credentials(uri)}' is not a graph store URI; expected one of {schemes}")


__all__ = [
    "BACKENDS",
    "DepthWarning",
    "FalkorDBStore",
    "GraphStore",
    "MAX_DEPTH",
    "Neo4jStore",
    "PushLock",
    "StoreBusy",
    "as_stored",
    "flow_keys",
    "open_store",
    "query_file",
    "query_names",
    "without_credentials",
]
