"""Graph stores against real servers: Neo4j 5.26 and FalkorDB, the same tests for both.

Each test gets a store in a clean state (cleared; FalkorDB: a graph of its
own). The servers are session fixtures in conftest.py; ``$NEO4J_URI`` points
the Neo4j tests at a server of your own.
"""
from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from functools import lru_cache
from io import StringIO

import click
import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskgraph.cli import cli, main
from riskgraph.errors import InputError, StoreError
from riskgraph.chain.generate import generate_chain
from riskgraph.chain.io import read_chain
from riskgraph.chain.model import Chain
from riskgraph.risk import assess
from riskgraph.store import (MAX_DEPTH, DepthWarning, GraphStore, as_stored, open_store, query_file,
                             query_names)
from riskgraph.testing import assert_chain_equal, assert_matrix_equal

try:
    from tests.support.servers import free_port
except ImportError:  # tests/ itself is on sys.path (rootdir-based import)
    from support.servers import free_port

pytestmark = pytest.mark.server

# --------------------------------------------------------------------------- fixtures and chains


@pytest.fixture
def store(store_uri):
    with open_store(store_uri) as store:
        yield store


@pytest.fixture(scope="module")
def gold_small(request) -> Chain:
    from pathlib import Path

    return read_chain(Path(__file__).parent / "data" / "gold_small")


@pytest.fixture(scope="module")
def food_300() -> Chain:
    return generate_chain("food", 300, seed=1)


def food_by_hand() -> Chain:
    """A small food chain whose shares are worked out by hand below.

    coop_ci buys 30 t from farm_ci and 10 t from farm_gh; it sells trader_nl
    40 t in two flows (25 t in 2024, 15 t in 2025). trader_nl also buys from
    farm_ci2, volume unknown, so trader_nl splits equally: coop_ci ½, farm_ci2 ½.
    maker_de buys from trader_nl and proc_gh, both 0 t: equal split again.
    proc_gh buys only from farm_gh.
    """
    actors = pd.DataFrame({
        "id": ["farm_ci", "farm_gh", "farm_ci2", "coop_ci", "proc_gh", "trader_nl", "maker_de"],
        "stage": ["farm", "farm", "farm", "cooperative", "processor", "trader", "manufacturer"],
        "country": ["CI", "GH", "CI", "CI", "GH", "NL", "DE"],
        "sector": "food", "commodity": "cocoa",
    })
    flows = pd.DataFrame({
        "source": ["farm_ci", "farm_gh", "coop_ci", "coop_ci", "farm_ci2", "trader_nl", "proc_gh", "farm_gh"],
        "target": ["coop_ci", "coop_ci", "trader_nl", "trader_nl", "trader_nl", "maker_de", "maker_de", "proc_gh"],
        "commodity": "cocoa",
        "volume": [30.0, 10.0, 25.0, 15.0, None, 0.0, 0.0, 5.0],
        "unit": "t",
        "year": [2024, 2024, 2024, 2025, 2024, 2024, 2024, 2024],
    })
    return Chain(actors=actors, flows=flows, name="by_hand")


#: V_n[stage, country] of food_by_hand(), worked out by hand.
HAND_SHARES = {
    "trader_nl": {("trader", "NL"): 1.0, ("cooperative", "CI"): 0.5,
                  ("farm", "CI"): 0.5 * 30 / 40 + 0.5, ("farm", "GH"): 0.5 * 10 / 40},
    "maker_de": {("manufacturer", "DE"): 1.0, ("trader", "NL"): 0.5, ("processor", "GH"): 0.5,
                 ("cooperative", "CI"): 0.25, ("farm", "CI"): 0.4375, ("farm", "GH"): 0.0625 + 0.5},
}


def wide(cells: dict) -> pd.DataFrame:
    series = pd.Series(cells)
    return series.unstack(fill_value=0.0).rename_axis(index="stage", columns="country").astype(float)


@lru_cache(maxsize=None)  # chains hash by identity; the module's chains serve both backends
def weights_by_paths(chain: Chain, node: str) -> dict[str, float]:
    """W[u, node] by enumerating every path into node (DESIGN §3.4–3.5), independent of riskgraph.graph."""
    pairs = chain.flows.groupby(["source", "target"])["volume"].agg(lambda v: v.sum(min_count=1))
    share = {}
    for target, group in pairs.groupby(level="target"):
        equal = group.isna().any() or group.fillna(0).sum() <= 0
        for (source, _), volume in group.items():
            share[source, target] = 1 / len(group) if equal else volume / group.sum()
    graph = nx.DiGraph(list(share))
    weights = defaultdict(float, {node: 1.0})
    if node not in graph:
        return weights
    # Every path from node upstream to an ancestor, each once: a path u → … → node read backwards.
    for path in nx.all_simple_paths(graph.reverse(copy=False), node, nx.ancestors(graph, node)):
        weights[path[-1]] += math.prod(share[b, a] for a, b in nx.utils.pairwise(path))
    return weights


def reference_matrix(chain: Chain, node: str, risk: pd.Series | None = None) -> pd.DataFrame:
    """V (risk None) or M = Σ W·r per stage × country, by path enumeration."""
    weights = weights_by_paths(chain, node)
    actors = chain.actors.set_index("id")
    cells = defaultdict(float)
    for u, w in weights.items():
        cells[actors.at[u, "stage"], actors.at[u, "country"]] += w * (1.0 if risk is None else risk[u])
    return wide(dict(cells))


# --------------------------------------------------------------------------- push, pull, idempotence


@pytest.mark.parametrize("which", ["gold_small", "food_300"])
def test_push_then_pull_gives_the_same_chain(store, which, request):
    chain = request.getfixturevalue(which)
    summary = store.push(chain, batch_size=97, progress=False)
    assert dict(zip(summary["table"], summary["rows"]))["flows"] == len(chain.flows)
    assert_chain_equal(store.pull(page_size=50), as_stored(chain))


def test_push_twice_gives_the_same_graph(store, food_300, gold_small):
    store.push(food_300, progress=False)
    first = store.counts()
    assert first["actors"] == 300 and first["flows"] == len(food_300.flows) == 1337  # one flow per seller, buyer, year
    assert first["located_in"] == 300 and first["countries"] == food_300.actors["country"].nunique()
    store.push(food_300, batch_size=1000, progress=False)
    assert store.counts() == first
    assessment = assess(gold_small)
    store.push(gold_small, progress=False)
    store.write_risk(assessment)
    with_risk = store.counts()
    store.write_risk(assessment)
    assert store.counts() == with_risk
    assert with_risk["has_risk"] == 5 * len(assessment.themes) and with_risk["themes"] == len(assessment.themes)


def test_flows_repeating_a_key_are_kept_apart(store):
    chain = food_by_hand()
    repeated = pd.concat([chain.flows, chain.flows.iloc[[0, 0]].assign(volume=[1.0, 2.0])], ignore_index=True)
    chain = chain.replace(flows=repeated)
    store.push(chain, progress=False)
    assert store.counts()["flows"] == len(repeated) == 10
    pulled = store.pull()
    assert_chain_equal(pulled, as_stored(chain))
    between = pulled.flows[(pulled.flows["source"] == "farm_ci") & (pulled.flows["target"] == "coop_ci")]
    assert between["volume"].tolist() == [30.0, 1.0, 2.0]


def test_a_re_push_mirrors_changed_values_and_replace_drops_the_rest(store, gold_small):
    store.push(gold_small, progress=False)
    changed = gold_small.actors.copy()
    changed.loc[changed["id"] == "mine_ug", ["country", "lat", "lon"]] = ["TZ", None, None]
    store.push(gold_small.replace(actors=changed), progress=False)
    pulled = store.pull().actors.set_index("id")
    assert pulled.at["mine_ug", "country"] == "TZ" and pd.isna(pulled.at["mine_ug", "lat"])
    assert store.counts()["located_in"] == 5
    located = store.query("actors_by_stage_country", country="TZ")
    assert located["actors"].tolist() == [1]
    store.push(food_by_hand(), progress=False, replace=True)
    assert store.counts()["actors"] == 7


def test_extra_columns_come_back_in_name_order(store, gold_small):
    actors = gold_small.actors.assign(**{"zeta note": ["a", None, "c", None, None], "alpha": "x",
                                         "empty": pd.NA})
    flows = gold_small.flows.assign(contract="C-1")
    chain = gold_small.replace(actors=actors, flows=flows)
    store.push(chain, progress=False)
    pulled = store.pull()
    assert list(pulled.actors.columns[-2:]) == ["alpha", "zeta note"]
    assert_chain_equal(pulled, as_stored(chain))


def test_reserved_names_and_unknown_actors_are_refused(store, gold_small):
    with pytest.raises(InputError, match="risk_x"):
        store.push(gold_small.replace(actors=gold_small.actors.assign(risk_x="1")), progress=False)
    dangling = pd.concat([gold_small.flows, pd.DataFrame({"source": ["ghost"], "target": ["refiner_ch"]})])
    with pytest.raises(InputError, match="'ghost'"):
        store.push(gold_small.replace(flows=dangling), progress=False)
    assert store.counts()["flows"] == 0


# --------------------------------------------------------------------------- queries


SAMPLE_PARAMS = {"node": "refiner_ch", "theme": "child_labour", "sources": ["mine_ug", "trader_ae"]}


def test_every_bundled_query_declares_parameters_the_tests_can_fill():
    assert set(query_names()) >= {"upstream", "downstream", "actors_by_stage_country", "chain_actors",
                                  "chain_flows", "node_shares", "node_matrix"}
    for name in query_names():
        file = query_file(name)
        assert file.description, f"{name} has no leading comment"
        assert {p for p, spec in file.params.items() if spec.required} <= set(SAMPLE_PARAMS), name


@pytest.mark.parametrize("name", query_names())
def test_every_query_file_runs(store, gold_small, name):
    store.push(gold_small, progress=False)
    store.write_risk(assess(gold_small))
    file = query_file(name)
    params = {p: SAMPLE_PARAMS[p] for p, spec in file.params.items() if spec.required}
    frame = store.query(name, **params)
    assert len(frame) > 0, f"{name} returned nothing"


def test_upstream_and_downstream(store, gold_small):
    store.push(gold_small, progress=False)
    up = store.query("upstream", node="refiner_ch")
    assert list(zip(up["id"], up["distance"])) == [("mine_pe", 1), ("trader_ae", 1), ("mine_ug", 2)]
    assert store.query("upstream", node="refiner_ch", max_depth=1)["id"].tolist() == ["mine_pe", "trader_ae"]
    down = store.query("downstream", node="mine_ug")
    assert list(zip(down["id"], down["distance"])) == [("trader_ae", 1), ("refiner_ch", 2), ("jeweller_nl", 3)]


def test_query_parameters_are_checked(store, tmp_path):
    with pytest.raises(InputError, match="needs the parameter 'node'"):
        store.query("upstream")
    with pytest.raises(InputError, match="has no parameter 'nod'"):
        store.query("upstream", node="x", nod="y")
    with pytest.raises(InputError, match="no query named 'upstreams'"):
        store.query("upstreams")
    own = tmp_path / "count.cypher"
    own.write_text("// Actors in a country.\n// :param country str\n"
                   "MATCH (a:Actor) WHERE a.country = $country RETURN count(a) AS n\n")
    assert store.query(own, country="UG")["n"].tolist() == [0]


# --------------------------------------------------------------------------- propagation in the database


def test_propagation_files_spell_out_the_same_levels():
    shares, matrix = query_file("node_shares").text, query_file("node_matrix").text
    levels = shares[shares.index("MATCH (n:Actor"):shares.index("UNWIND levels AS level")]
    assert levels in matrix
    assert levels.count("CALL {") == MAX_DEPTH + 1


@pytest.mark.parametrize("node", sorted(HAND_SHARES))
def test_in_db_shares_match_the_hand_computed_numbers(store, node):
    chain = food_by_hand()
    store.push(chain, progress=False)
    expected = wide(HAND_SHARES[node])
    assert_matrix_equal(store.node_shares(node), expected, atol=1e-12)
    assert_matrix_equal(reference_matrix(chain, node), expected, atol=1e-12)
    assert_matrix_equal(assess(chain).shares(node), expected, atol=1e-12)


@pytest.mark.parametrize("which", ["gold_small", "food_300"])
def test_in_db_shares_and_matrix_equal_the_in_memory_engine(store, which, request):
    chain = request.getfixturevalue(which)
    assessment = assess(chain)
    store.push(chain, progress=False)
    store.write_risk(assessment)
    targets = chain.flows["target"].unique()
    ends = [t for t in targets if t not in set(chain.flows["source"])]
    nodes = sorted(set(ends) | set(targets[:: max(1, len(targets) // 4)]))
    for node in nodes:
        shares = store.node_shares(node)
        assert_matrix_equal(shares, assessment.shares(node))  # per commodity on both sides
        single = len(assessment.node_commodities(node)) == 1
        if single:  # one commodity: its share is the share of all material, as path enumeration counts it
            assert_matrix_equal(shares, reference_matrix(chain, node))
        for theme in ("child_labour", "deforestation", "corruption"):
            matrix = store.node_matrix(node, theme)
            assert_matrix_equal(matrix, assessment.matrix(node, theme))
            if single:
                assert_matrix_equal(matrix, reference_matrix(chain, node, assessment.inherent[theme]))
            in_db, in_memory = store.node_summary(node, theme), assessment.node_summary(node, theme)
            key = lambda c: (c["stage"], c["country"], c["commodity"])  # noqa: E731
            got = {key(c): c for c in in_db["cells"]}
            assert set(got) == {key(c) for c in in_memory["cells"]}
            for cell in in_memory["cells"]:
                for field in ("share", "likelihood", "exposure"):
                    assert got[key(cell)][field] == pytest.approx(cell[field], abs=1e-9)
            assert in_db["unknown_share"] == pytest.approx(in_memory["unknown_share"], abs=1e-9)
            assert set(in_db) == set(in_memory), "one JSON object in memory and in the store"
            assert in_db["stage_exposure"].keys() == in_memory["stage_exposure"].keys()
            for good, per_stage in in_memory["stage_exposure"].items():
                assert in_db["stage_exposure"][good] == pytest.approx(per_stage, abs=1e-9)
            for field in ("stage", "country", "commodity", "actor", "category"):
                assert in_db["peak"][field] == in_memory["peak"][field], (node, theme, field)
            for field in ("likelihood", "share"):
                assert in_db["peak"][field] == pytest.approx(in_memory["peak"][field], abs=1e-9)


def test_propagation_stops_at_max_depth_and_says_so(store):
    ids = [f"t{i:02d}" for i in range(14)]
    chain = Chain(
        actors=pd.DataFrame({"id": ids, "stage": "trader", "country": "NL", "sector": "food"}),
        flows=pd.DataFrame({"source": ids[:-1], "target": ids[1:], "volume": 1.0}),
    )
    store.push(chain, progress=False)
    assert store.node_shares("t12").at["trader", "NL"] == 13.0  # 12 levels up, and t12 itself
    with pytest.warns(DepthWarning, match="beyond 12 level"):
        assert store.node_shares("t13").at["trader", "NL"] == 13.0
    with pytest.warns(DepthWarning):
        assert store.node_shares("t13", max_depth=2).at["trader", "NL"] == 3.0
    with pytest.raises(InputError, match="max_depth"):
        store.node_shares("t13", max_depth=13)


def test_matrix_needs_stored_risk_and_a_known_node(store, gold_small):
    store.push(gold_small, progress=False)
    with pytest.raises(StoreError, match="no risk_child_labour"):
        store.node_matrix("refiner_ch", "child_labour")
    with pytest.raises(InputError, match="'nobody' is not in the store"):
        store.node_shares("nobody")
    with pytest.raises(InputError, match="theme 'greed'"):
        store.node_matrix("refiner_ch", "greed")


# --------------------------------------------------------------------------- hostile text


EVIL = [
    'x"}) DETACH DELETE n //',
    "o'brien') MATCH (m) DETACH DELETE m RETURN 1 //",
    "back`tick`",
    "back\\slash\\",
    "new\nline\ttab",
    "$rows {a: 1}",
    "☃ ünïcödé",
]


def evil_chain() -> Chain:
    actors = pd.DataFrame({
        "id": EVIL,
        "name": [f"{e}'); CALL db.clearQueryCaches(); //" for e in EVIL],
        "stage": ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer", "retailer"],
        "country": "NL", "sector": "food",
        "region": ["`a`", "'b'", '"c"', "\\d", "}) RETURN 1 //", "", "MATCH (n) DETACH DELETE n"],
        "odd 'column' \"name\"": "yes",
    })
    flows = pd.DataFrame({"source": EVIL[:-1], "target": EVIL[1:], "commodity": "cocoa' }) DELETE f //",
                          "volume": 1.0, "unit": '"t"'})
    return Chain(actors=actors, flows=flows, name="evil")


def test_hostile_ids_and_names_are_stored_verbatim_and_harm_nothing(store, gold_small):
    store.push(gold_small, progress=False)
    before = store.counts()
    chain = evil_chain()
    store.push(chain, progress=False)
    after = store.counts()
    assert after["actors"] == before["actors"] + len(EVIL)
    assert after["flows"] == before["flows"] + len(EVIL) - 1
    pulled = store.pull()
    kept = pulled.actors["id"].isin(EVIL)
    evil = Chain(actors=pulled.actors[kept], flows=pulled.flows[pulled.flows["source"].isin(EVIL)])
    assert_chain_equal(evil, as_stored(chain))
    gold = Chain(actors=pulled.actors[~kept].drop(columns=["odd 'column' \"name\""]),
                 flows=pulled.flows[~pulled.flows["source"].isin(EVIL)])
    assert_chain_equal(gold, as_stored(gold_small))
    upstream = store.query("upstream", node=EVIL[2])
    assert upstream["id"].tolist() == [EVIL[1], EVIL[0]]
    assert store.node_shares(EVIL[-1]).loc["farm", "NL"] == pytest.approx(1.0)


def test_a_backtick_in_a_column_name(store, store_uri, gold_small):
    chain = gold_small.replace(actors=gold_small.actors.assign(**{"a`b": "x"}))
    if store_uri.startswith("falkordb"):
        # The FalkorDB client writes parameters into the query text and cannot quote this key.
        with pytest.raises(InputError, match="backtick"):
            store.push(chain, progress=False)
    else:
        store.push(chain, progress=False)
        assert_chain_equal(store.pull(), as_stored(chain))


@pytest.mark.parametrize("odd", ["mine_pe ", "\tmine_pe", "mine\x01pe", "m" * 4096])
def test_ids_falkordb_cannot_index_faithfully(store, store_uri, gold_small, odd):
    actors = gold_small.actors.copy()
    actors.loc[actors["id"] == "mine_pe", "id"] = odd
    chain = gold_small.replace(actors=actors, flows=gold_small.flows.replace({"mine_pe": odd}))
    if store_uri.startswith("falkordb"):
        # Its range index trims ASCII whitespace, splits at \x01 and cuts at 4096 bytes.
        with pytest.raises(InputError, match="FalkorDB's index cannot hold faithfully"):
            store.push(chain, progress=False)
    else:
        store.push(chain, progress=False)
        store.push(chain, progress=False)
        assert store.counts()["actors"] == 5
        assert_chain_equal(store.pull(), as_stored(chain))


def test_a_nul_character(store, store_uri, gold_small):
    chain = gold_small.replace(actors=gold_small.actors.assign(name="a\x00b"))
    if store_uri.startswith("falkordb"):
        with pytest.raises(InputError, match="NUL"):
            store.push(chain, progress=False)
    else:
        store.push(chain, progress=False)
        assert_chain_equal(store.pull(), as_stored(chain))


_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
# Ids both backends hold (see test_ids_falkordb_cannot_index_faithfully for the others).
_ID = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x01"), min_size=1,
              max_size=12).filter(lambda t: t == t.strip(" \t\n\v\f\r"))


@st.composite
def chains(draw) -> Chain:
    ids = draw(st.lists(_ID, min_size=1, max_size=6, unique=True))
    n = len(ids)
    actors = pd.DataFrame({
        "id": ids,
        "name": draw(st.lists(st.text(_TEXT, max_size=12), min_size=n, max_size=n)),
        "stage": "trader", "country": draw(st.lists(st.sampled_from(["NL", "CI", "NA"]), min_size=n, max_size=n)),
        "sector": "food",
        "lat": draw(st.lists(st.none() | st.floats(-90, 90), min_size=n, max_size=n)),
    })
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=8))
    m = len(pairs)
    flows = pd.DataFrame({
        "source": [a for a, _ in pairs], "target": [b for _, b in pairs],
        "commodity": draw(st.lists(st.none() | st.sampled_from(["cocoa", "co'coa", ""]), min_size=m, max_size=m)),
        "volume": draw(st.lists(st.none() | st.floats(0, 1e12), min_size=m, max_size=m)),
        "year": pd.array(draw(st.lists(st.none() | st.integers(1990, 2030), min_size=m, max_size=m)), dtype="Int64"),
    }, columns=["source", "target", "commodity", "volume", "year"])
    return Chain(actors=actors, flows=flows)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chain=chains())
def test_any_chain_round_trips_and_a_second_push_changes_nothing(store, chain):
    store.clear()
    store.push(chain, progress=False)
    counts = store.counts()
    store.push(chain, progress=False)
    assert store.counts() == counts
    assert_chain_equal(store.pull(), as_stored(chain))


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("scheme", ["bolt://127.0.0.1:{port}", "neo4j://127.0.0.1:{port}",
                                    "falkordb://127.0.0.1:{port}/g"])
def test_an_unreachable_server_is_one_line(scheme):
    uri = scheme.format(port=free_port())
    with pytest.raises(StoreError, match=r"cannot reach the graph store at \w+://127\.0\.0\.1:\d+\S* after 2 "
                                         r"attempts: is the server running\?") as info:
        open_store(uri, retries=1, retry_delay=0.01)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("scheme", ["bolt://me:secret@127.0.0.1:{port}", "falkordb://me:secret@127.0.0.1:{port}/g"])
def test_the_db_commands_say_once_that_the_store_is_unreachable_without_credentials(scheme):
    from click.testing import CliRunner

    from riskgraph.cli import cli

    uri = scheme.format(port=free_port())
    result = CliRunner().invoke(cli, ["db", "shares", "--uri", uri, "--node", "x"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "secret" not in result.output, result.output
    assert "is the server running?" in lines[0] or "must not carry a user or password" in lines[0]


def test_bad_credentials_are_one_line_and_not_retried(falkordb_uri):
    with pytest.raises(StoreError, match="refused the credentials") as info:
        open_store(f"{falkordb_uri}/g", user="nobody", password="wrong", retries=5, retry_delay=10)
    assert "\n" not in str(info.value)


def test_bad_neo4j_credentials_are_one_line(neo4j_uri):
    if not os.environ.get("NEO4J_PASSWORD"):
        pytest.skip("the Neo4j under test has authentication off; point NEO4J_URI and NEO4J_PASSWORD at one with it on")
    with pytest.raises(StoreError, match="refused the credentials of user 'riskgraph_nobody'") as info:
        open_store(neo4j_uri, user="riskgraph_nobody", password="wrong", retries=5, retry_delay=10)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687", "falkordb://"])
def test_a_uri_no_backend_serves_is_an_input_error(uri):
    with pytest.raises(InputError, match="URI"):
        open_store(uri)


class _Flaky(GraphStore):
    """A store whose connection drops ``failures`` times: the retry policy, without a database."""

    backend, schemes, location = "flaky", (), "flaky://"
    _transient, _failures = (ConnectionError,), (RuntimeError,)

    def __init__(self, failures: int) -> None:
        super().__init__(retries=2, retry_delay=0)
        self.failures, self.calls = failures, 0

    def _execute(self, cypher, params, *, write):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("connection reset\nby peer")
        return ["x"], [[1]]

    def close(self) -> None:
        pass


def test_transient_errors_are_retried_a_bounded_number_of_times():
    flaky = _Flaky(failures=2)
    assert flaky._call("RETURN 1", {}, write=False, what="test") == (["x"], [[1]])
    assert flaky.calls == 3
    with pytest.raises(StoreError, match=r"^flaky://: test failed \(after 3 attempts\): connection reset$"):
        _Flaky(failures=3)._call("RETURN 1", {}, write=False, what="test")


# --------------------------------------------------------------------------- command line


def run(args):
    """Run through ``main`` (as the console script does): exit code, stdout, stderr."""
    return CliRunner().invoke(click.Command("rg", callback=lambda: main(args)), [], catch_exceptions=False)


def test_cli_push_query_matrix_shares_pull(store_uri, gold_small, data_dir, tmp_path):
    chain_dir = str(data_dir / "gold_small")
    for _ in range(2):
        result = run(["db", "push", chain_dir, "--uri", store_uri, "--with-risk", "--batch-size", "2", "-q"])
        assert result.exit_code == 0, result.output
    with open_store(store_uri) as store:
        assert store.counts()["actors"] == 5 and store.counts()["has_risk"] == 50

    result = CliRunner().invoke(cli, ["db", "query", "--uri", store_uri, "upstream", "--param", "node=refiner_ch",
                                      "--param", "max_depth=1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == ["mine_pe", "trader_ae"]

    result = CliRunner().invoke(cli, ["db", "matrix", "--uri", store_uri, "--node", "jeweller_nl",
                                      "--theme", "child_labour", "--format", "csv"])
    assert result.exit_code == 0, result.output
    printed = pd.read_csv(StringIO(result.stdout), keep_default_na=False).set_index(["stage", "country"])
    expected = (assess(gold_small).cells(nodes=["jeweller_nl"], themes=["child_labour"])
                .astype({"stage": object, "country": object}).set_index(["stage", "country"]))
    for column in ("share", "likelihood", "exposure"):
        assert printed[column].sort_index().to_numpy() == pytest.approx(expected[column].sort_index().to_numpy())
    result = CliRunner().invoke(cli, ["db", "matrix", "--uri", store_uri, "--node", "jeweller_nl",
                                      "--theme", "child_labour", "--format", "json"])
    data = json.loads(result.stdout)
    assert set(data) == {"node", "theme", "cells", "unknown_share", "stage_exposure", "peak"}  # as `riskgraph matrix`
    assert data["peak"] == {**data["peak"], **{k: v for k, v in assess(gold_small).node_summary(
        "jeweller_nl", "child_labour")["peak"].items() if k in ("stage", "country", "commodity", "actor", "category")}}

    result = CliRunner().invoke(cli, ["db", "shares", "--uri", store_uri, "--node", "jeweller_nl"])
    assert result.exit_code == 0 and "refiner" in result.stdout

    out = tmp_path / "pulled"
    result = CliRunner().invoke(cli, ["db", "pull", "--uri", store_uri, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_chain_equal(read_chain(out), as_stored(gold_small))


def test_cli_query_takes_a_file_and_typed_params(store_uri, data_dir, tmp_path):
    run(["db", "push", str(data_dir / "gold_small"), "--uri", store_uri, "-q"])
    own = tmp_path / "stage.cypher"
    own.write_text("// :param stages list\nMATCH (a:Actor) WHERE a.stage IN $stages RETURN a.id AS id ORDER BY id\n")
    result = CliRunner().invoke(cli, ["db", "query", "--uri", store_uri, str(own), "--param", "stages=refiner,trader",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["id", "refiner_ch", "trader_ae"]
    result = run(["db", "query", "--uri", store_uri, "upstream", "--param", "max_depth=two", "--param", "node=x"])
    assert result.exit_code == 2 and "must be a whole number" in result.stderr


@pytest.mark.parametrize("args", [
    ["db", "query", "--uri", "bolt://127.0.0.1:{port}", "upstream", "--param", "node=x"],
    ["db", "push", "{data}/gold_small", "--uri", "falkordb://127.0.0.1:{port}/g", "-q"],
    ["db", "matrix", "--uri", "neo4j://127.0.0.1:{port}", "--node", "x", "--theme", "child_labour"],
])
def test_cli_unreachable_server_is_exit_2_with_one_line(args, data_dir):
    port = free_port()
    args = [a.format(port=port, data=data_dir) for a in args]
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output


def test_cli_unreachable_server_is_exit_2_without_main_too():
    direct = CliRunner().invoke(cli, ["db", "shares", "--uri", f"bolt://127.0.0.1:{free_port()}", "--node", "x"])
    assert direct.exit_code == 2 and direct.stderr.startswith("Error: ") and direct.stderr.strip().count("\n") == 0


# --------------------------------------------------------------------------- Neo4j: flows created side by side


def test_flows_merge_into_a_store_that_holds_some_of_them(store, food_300):
    # A store with flows already takes the upsert path (on Neo4j: MERGE, batch by batch).
    half = food_300.replace(flows=food_300.flows.iloc[: len(food_300.flows) // 2])
    store.push(half, batch_size=97, progress=False)
    assert store.counts()["flows"] == len(half.flows)
    store.push(food_300, batch_size=97, progress=False)
    assert store.counts()["flows"] == len(food_300.flows)
    assert_chain_equal(store.pull(), as_stored(food_300))


def test_neo4j_first_push_creates_flows_and_a_retried_batch_merges(neo4j_uri, food_300, monkeypatch):
    import threading

    from neo4j.exceptions import ServiceUnavailable

    from riskgraph.store._cypher import bundled

    create = bundled("load/neo4j", "flows_new").text
    with open_store(neo4j_uri, retry_delay=0) as store:
        store.clear()
        execute, sent, lock = store._execute, [], threading.Lock()

        def reply_lost_after_commit(cypher, params, *, write):
            result = execute(cypher, params, write=write)
            with lock:  # flow batches arrive from several threads
                sent.append(cypher)
                lost = cypher == create and sent.count(create) == 3
            if lost:
                raise ServiceUnavailable("connection lost after the commit")
            return result

        monkeypatch.setattr(store, "_execute", reply_lost_after_commit)
        store.push(food_300, batch_size=97, progress=False)
        batches = math.ceil(len(food_300.flows) / 97)
        assert sent.count(create) == batches and sent.count(bundled("load", "flows").text) == 1
        assert store.counts()["flows"] == len(food_300.flows)
        assert_chain_equal(store.pull(), as_stored(food_300))
        # Into a store with flows, a push merges: nothing changes.
        store.push(food_300, batch_size=97, progress=False)
        assert sent.count(create) == batches
        assert store.counts()["flows"] == len(food_300.flows)
