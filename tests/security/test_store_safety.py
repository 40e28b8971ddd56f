"""One writer at a time on the graph stores, a replace that survives being killed, nothing secret printed.

Runs against the real servers of the suite (tests/conftest.py starts Neo4j 5.26 and FalkorDB).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskgraph.chain.generate import generate_chain
from riskgraph.cli import cli
from riskgraph.errors import InputError, StoreError
from riskgraph.store import PushLock, StoreBusy, as_stored, open_store, query_file, without_credentials
from riskgraph.testing import assert_chain_equal

ROOT = Path(__file__).resolve().parents[2]


def staged_nodes(store) -> int:
    _, rows = store._call("MATCH (n) WHERE n:RiskgraphStagedActor OR n:RiskgraphStagedCountry RETURN count(n)", {},
                          write=False, what="counting staged nodes")
    return int(rows[0][0])


@pytest.mark.server
def test_two_concurrent_pushes_store_each_flow_once(store_uri):
    chain = generate_chain("food", 300, seed=1)
    errors = []

    def push():
        try:
            with open_store(store_uri) as store:
                store.push(chain, batch_size=50, progress=False, wait=300)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_store(store_uri) as store:
        counts = store.counts()
        assert counts["flows"] == len(chain.flows) and counts["actors"] == len(chain.actors)
        assert_chain_equal(store.pull(), as_stored(chain))


@pytest.mark.server
def test_the_loser_of_a_lock_exits_1_with_a_message(store_uri, tmp_path):
    chain = generate_chain("gold", 30, seed=2)
    with open_store(store_uri) as holder, PushLock(holder):
        with open_store(store_uri) as other, pytest.raises(StoreBusy, match="another push is writing"):
            other.push(chain, progress=False)
        from riskgraph.chain.io import write_chain

        write_chain(chain, tmp_path / "c")
        result = CliRunner().invoke(cli, ["db", "push", str(tmp_path / "c"), "--uri", store_uri, "-q"])
        assert result.exit_code == 1 and "another push is writing" in result.output
    with open_store(store_uri) as store:
        assert store.counts()["flows"] == 0
        store.push(chain, progress=False)  # free again
        assert store.counts()["flows"] == len(chain.flows)


@pytest.mark.server
def test_replace_swaps_in_exactly_the_new_chain(store_uri):
    old, new = generate_chain("gold", 40, seed=3), generate_chain("food", 40, seed=4)
    with open_store(store_uri) as store:
        store.push(old, progress=False)
        store.push(new, progress=False, replace=True)
        assert_chain_equal(store.pull(), as_stored(new))
        assert staged_nodes(store) == 0


@pytest.mark.server
@pytest.mark.slow
def test_a_push_killed_mid_replace_leaves_the_old_graph(store_uri, tmp_path):
    from riskgraph.chain.io import write_chain

    old, new = generate_chain("gold", 60, seed=5), generate_chain("food", 3000, seed=6)
    write_chain(new, tmp_path / "new")
    with open_store(store_uri) as store:
        store.push(old, progress=False)
        child = subprocess.Popen([sys.executable, "-m", "riskgraph.cli", "db", "push", str(tmp_path / "new"),
                                  "--uri", store_uri, "--replace", "--batch-size", "5", "-q"],
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while staged_nodes(store) < 50 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.05)
            assert child.poll() is None, "the push ended before it could be killed: " + child.stderr.read().decode()
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(30)
        assert staged_nodes(store) > 0  # it was killed while loading beside the old graph
        assert_chain_equal(store.pull(), as_stored(old))
        # The next push takes over the dead push's lock at once and finishes the job.
        store.push(new.replace(flows=new.flows.head(500)), progress=False, replace=True, wait=5)
        assert staged_nodes(store) == 0
        assert store.counts()["flows"] == 500


# --------------------------------------------------------------------------- no file reading, no secrets


def test_db_query_reads_only_bundled_names_or_cypher_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    for given in (str(secret), "/etc/passwd", "../../etc/passwd", "upstream.txt"):
        with pytest.raises(InputError, match="no query named") as caught:
            query_file(given)
        assert "hunter2" not in str(caught.value)
    mine = tmp_path / "mine.cypher"
    mine.write_text("// :param n int\nRETURN $n AS n\n")
    assert query_file(str(mine)).name == "mine" and query_file("upstream").name == "upstream"
    result = CliRunner().invoke(cli, ["db", "query", "--uri", "bolt://127.0.0.1:1", str(secret)])
    assert result.exit_code == 2 and "hunter2" not in result.output


def test_uris_are_printed_without_credentials():
    assert without_credentials("neo4j://neo4j:s3cret@db.example:7687/x") == "neo4j://db.example:7687/x"
    for uri in ("bolt://neo4j:s3cret@127.0.0.1:1", "falkordb://user:s3cret@127.0.0.1:1/g",
                "neo4j://neo4j:s3cret@", "ftp://neo4j:s3cret@host"):
        result = CliRunner().invoke(cli, ["db", "pull", "--uri", uri, "--out", "/tmp/never"])
        assert result.exit_code == 2, result.output
        assert "s3cret" not in result.output, result.output
        with pytest.raises((InputError, StoreError)) as caught:
            open_store(uri, connection_timeout=1) if uri.startswith(("bolt", "neo4j")) else open_store(uri)
        assert "s3cret" not in str(caught.value)
