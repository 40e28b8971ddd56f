"""The risk model: hand-computed chains with exact V and M, and properties of the maths."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskgraph as rg
from riskgraph.risk import assess, closed_loops, upstream_weights
from riskgraph.risk.propagation import _weights_by_paths
from riskgraph.testing import assert_matrix_equal

THEME = "child_labour"


def chain_of(actors, flows, **tables):
    """actors: (id, stage, country[, commodity]); flows: (source, target, volume)."""
    frame = pd.DataFrame([a + (None,) * (4 - len(a)) for a in actors], columns=["id", "stage", "country", "commodity"])
    sector = "gold" if frame["stage"].str.startswith(("mine", "refiner", "recycler")).any() else "food"
    frame["sector"] = sector
    return rg.Chain(actors=frame, flows=pd.DataFrame(flows, columns=["source", "target", "volume"]), **tables)


def fixed(scores, weights):
    """Overrides that make L and g hand-computable: L by country, g by stage, for THEME."""
    indicators = pd.DataFrame([(c, THEME, s) for c, s in scores.items()], columns=["country", "theme", "score"])
    relevance = pd.DataFrame([(st_, THEME, w) for st_, w in weights.items()], columns=["stage", "theme", "weight"])
    return indicators, relevance


def matrix(rows):
    """A stages × countries frame from {(stage, country): value}."""
    frame = pd.Series(rows).unstack(fill_value=0.0)
    return frame.astype(float)


@pytest.fixture
def linear():
    return chain_of([("farm", "farm", "CI"), ("coop", "cooperative", "CI"), ("trader", "trader", "NL")],
                    [("farm", "coop", 10), ("coop", "trader", 10)])


def test_linear_chain(linear):
    ind, rel = fixed({"CI": 0.5, "NL": 0.1}, {"farm": 1.0, "cooperative": 0.5, "trader": 0.2})
    a = assess(linear, ind, rel)
    assert_matrix_equal(a.shares("trader"), matrix({("farm", "CI"): 1.0, ("cooperative", "CI"): 1.0, ("trader", "NL"): 1.0}))
    assert_matrix_equal(a.matrix("trader", THEME),
                        matrix({("farm", "CI"): 0.5, ("cooperative", "CI"): 0.25, ("trader", "NL"): 0.02}))
    assert a.stage_exposure("trader", THEME).to_dict() == pytest.approx({"farm": 0.5, "cooperative": 0.25, "trader": 0.02})
    assert_matrix_equal(a.shares("farm"), matrix({("farm", "CI"): 1.0}))


def test_diamond_with_a_60_40_split():
    chain = chain_of([("a", "farm", "GH"), ("b", "cooperative", "GH"), ("c", "cooperative", "CI"), ("d", "trader", "NL")],
                     [("a", "b", 60), ("a", "c", 40), ("b", "d", 60), ("c", "d", 40)])
    ind, rel = fixed({"GH": 0.4, "CI": 0.8, "NL": 0.0}, {"farm": 1.0, "cooperative": 0.5, "trader": 0.2})
    a = assess(chain, ind, rel)
    assert_matrix_equal(a.shares("d"), matrix({("farm", "GH"): 1.0, ("cooperative", "GH"): 0.6,
                                               ("cooperative", "CI"): 0.4, ("trader", "NL"): 1.0}))
    assert_matrix_equal(a.matrix("d", THEME), matrix({("farm", "GH"): 0.4, ("cooperative", "GH"): 0.12,
                                                      ("cooperative", "CI"): 0.16}))
    peak = a.summary().set_index(["node", "theme"]).loc[("d", THEME)]
    assert peak["peak"] == pytest.approx(0.4) and peak["peak_actor"] == "a" and peak["peak_stage"] == "farm"


def test_missing_volumes_split_equally_and_are_flagged():
    chain = chain_of([("f1", "farm", "GH"), ("f2", "farm", "CI"), ("coop", "cooperative", "GH")],
                     [("f1", "coop", None), ("f2", "coop", 30)])
    a = assess(chain)
    assert_matrix_equal(a.shares("coop"), matrix({("farm", "GH"): 0.5, ("farm", "CI"): 0.5, ("cooperative", "GH"): 1.0}))
    flags = a.summary().drop_duplicates("node").set_index("node")["equal_split"]
    assert flags.to_dict() == {"f1": False, "f2": False, "coop": True}


def test_unknown_origin_is_carried_as_a_share():
    chain = chain_of([("t1", "trader", "CH"), ("f", "farm", "CI"), ("m", "manufacturer", "NL"), ("r", "retailer", "NL")],
                     [("t1", "m", 70), ("f", "m", 30), ("m", "r", 100)])
    a = assess(chain)
    assert a.unknown_share.to_dict() == pytest.approx({"t1": 1.0, "f": 0.0, "m": 0.7, "r": 0.7})
    assert a.node_summary("r", THEME)["unknown_share"] == pytest.approx(0.7)


@pytest.fixture
def recycling():
    """Gold recycling: the refiner's output partly comes back as scrap (a leaking loop)."""
    return chain_of(
        [("mine", "mine_asm", "UG"), ("refiner", "refiner", "CH"), ("maker", "manufacturer", "NL"),
         ("recycler", "recycler", "NL"), ("shop", "retailer", "NL")],
        [("mine", "refiner", 80), ("recycler", "refiner", 20), ("refiner", "maker", 100),
         ("maker", "recycler", 20), ("maker", "shop", 80)],
    )


def test_leaking_cycle_converges_and_counts_passes(recycling):
    a = assess(recycling)
    # W[maker, shop] = 1 + 0.2 + 0.2² + … = 1.25: gold passes the refiner 1.25 times on average.
    assert_matrix_equal(a.shares("shop"), matrix({
        ("mine_asm", "UG"): 1.0, ("recycler", "NL"): 0.25, ("refiner", "CH"): 1.25,
        ("manufacturer", "NL"): 1.25, ("retailer", "NL"): 1.0}))
    w = upstream_weights(recycling, nodes=["maker", "shop"])
    assert w.loc["maker", "maker"] == pytest.approx(1.25)
    assert w.loc["mine", "shop"] == pytest.approx(1.0)


def test_closed_loop_is_an_error_naming_its_actors():
    chain = chain_of([("a", "trader", "AE"), ("b", "trader", "CH"), ("c", "refiner", "CH"), ("m", "mine_asm", "UG")],
                     [("a", "b", 1), ("b", "a", 1), ("b", "c", 1), ("m", "c", 1)])
    assert closed_loops(chain) == [["a", "b"]]
    with pytest.raises(rg.ChainError, match=r"closed material loop\(s\) with no input from outside: a, b") as info:
        assess(chain)
    assert info.value.actors == ["a", "b"]


@pytest.mark.parametrize("impl", [upstream_weights, _weights_by_paths], ids=["sparse", "paths"])
def test_weights_on_the_diamond(impl):
    chain = chain_of([("a", "farm", "GH"), ("b", "cooperative", "GH"), ("c", "cooperative", "CI"), ("d", "trader", "NL")],
                     [("a", "b", 60), ("a", "c", 40), ("b", "d", 60), ("c", "d", 40)])
    w = impl(chain)
    assert w.loc["a", "d"] == pytest.approx(1.0) and w.loc["b", "d"] == pytest.approx(0.6)
    assert w.loc["c", "d"] == pytest.approx(0.4) and w.loc["d", "a"] == 0.0


def test_commodity_override_wins_over_country_override_and_both_over_reference():
    chain = chain_of([("f", "farm", "CI", "cocoa"), ("g", "farm", "CI", "cashews")], [("f", "g", 1)])
    reference = assess(chain).inherent.loc["f", THEME]
    country = pd.DataFrame({"country": ["CI"], "theme": [THEME], "score": [0.1]})
    assert assess(chain, country).inherent.loc["f", THEME] == pytest.approx(0.1)
    both = pd.concat([country, pd.DataFrame({"country": ["CI"], "theme": [THEME], "score": [0.3],
                                             "commodity": ["cacao"]})])
    risk = assess(chain, both).inherent
    assert risk.loc["f", THEME] == pytest.approx(0.3) and risk.loc["g", THEME] == pytest.approx(0.1)
    assert reference >= 0.8  # at least the US DOL floor: cocoa from Côte d'Ivoire, child labour


def test_chain_tables_override_too_and_arguments_win_over_them():
    ind = pd.DataFrame({"country": ["CI"], "theme": [THEME], "score": [0.2]})
    chain = chain_of([("f", "farm", "CI", "cocoa"), ("c", "cooperative", "CI")], [("f", "c", 1)], indicators=ind,
                     relevance=pd.DataFrame({"stage": ["farm"], "theme": [THEME], "weight": [0.5]}))
    assert assess(chain).inherent.loc["f", THEME] == pytest.approx(0.1)
    argument = pd.DataFrame({"country": ["CI"], "theme": [THEME], "score": [0.6]})
    assert assess(chain, argument).inherent.loc["f", THEME] == pytest.approx(0.3)


def test_explanation_lists_actors_with_indicator_sources_and_paths():
    chain = chain_of([("m", "mine_asm", "UG", "gold"), ("t", "trader", "AE", "gold"), ("r", "refiner", "CH", "gold")],
                     [("m", "t", 5), ("t", "r", 5)])
    e = assess(chain).explain("r", THEME, stage="mine_asm")
    top = e.actors.iloc[0]
    # Uganda's measured child labour (UNICEF 18.1 %, log scale between 10 % -> 0.75 and 25 % -> 1:
    # 0.75 + 0.25 * log(1.81) / log(2.5) = 0.912) is above the DOL floor of 0.8 for its gold, so
    # the country score, with its UNICEF source, is the basis.
    assert top["actor"] == "m" and top["weight"] == 1.0 and top["basis"] == "country"
    assert "UNICEF" in top["source"] and top["risk"] == pytest.approx(0.911883, abs=1e-6)
    assert e.exposure == pytest.approx(top["risk"])
    assert e.paths.iloc[0]["path"] == "m → t → r"


def test_json_summary_has_the_documented_shape(linear):
    ind, rel = fixed({"CI": 0.5, "NL": 0.1}, {"farm": 1.0, "cooperative": 0.5, "trader": 0.2})
    data = assess(linear, ind, rel).node_summary("trader", THEME)
    assert set(data) == {"node", "theme", "cells", "unknown_share", "stage_exposure", "peak"}
    assert {c["stage"] for c in data["cells"]} == {"farm", "cooperative", "trader"}
    assert all(set(c) == {"stage", "country", "commodity", "share", "likelihood", "exposure"} for c in data["cells"])
    assert set(data["peak"]) >= {"stage", "country", "commodity", "likelihood", "share", "actor", "category"}
    assert data["peak"] == {"stage": "farm", "country": "CI", "commodity": "food", "likelihood": 0.5, "share": 1.0,
                            "actor": "farm", "category": "high", "region": None, "basis": "override"}


def test_cells_long_table(linear):
    ind, rel = fixed({"CI": 0.5, "NL": 0.1}, {"farm": 1.0, "cooperative": 0.5, "trader": 0.2})
    cells = assess(linear, ind, rel).cells(nodes=["trader"], themes=[THEME])
    assert list(cells.columns) == ["node", "theme", "stage", "country", "commodity", "share", "likelihood", "exposure"]
    assert cells["stage"].tolist() == ["farm", "cooperative", "trader"]
    # likelihood = L·g of the location; exposure = share × likelihood
    assert cells["likelihood"].tolist() == pytest.approx([0.5, 0.25, 0.02])
    assert (cells["exposure"] == cells["share"] * cells["likelihood"]).all()


# ------------------------------------------------------------------ properties on random chains

LAYERS = ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer"]
COUNTRIES = ["CI", "GH", "NL", "BR"]


@st.composite
def layered_chains(draw, max_actors=9):
    n = draw(st.integers(2, max_actors))
    layer = sorted(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    country = draw(st.lists(st.sampled_from(COUNTRIES), min_size=n, max_size=n))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=18))
    edges = [(a, b) for a, b in edges if layer[a] < layer[b]]
    volumes = draw(st.lists(st.floats(0.5, 100), min_size=len(edges), max_size=len(edges)))
    actors = [(f"n{i}", LAYERS[layer[i]], country[i]) for i in range(n)]
    flows = [(f"n{a}", f"n{b}", v) for (a, b), v in zip(edges, volumes)]
    return chain_of(actors, flows)


@given(layered_chains())
def test_sparse_weights_equal_path_enumeration(chain):
    fast = upstream_weights(chain)
    slow = _weights_by_paths(chain)
    np.testing.assert_allclose(fast.to_numpy(), slow.loc[fast.index, fast.columns].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(np.diag(fast.to_numpy()), 1.0)


@given(layered_chains())
def test_each_stage_row_of_v_is_at_most_one(chain):
    cells = assess(chain).cells(themes=[THEME])
    rows = cells.groupby(["node", "commodity", "stage"], observed=True)["share"].sum()
    assert (rows <= 1 + 1e-9).all(), rows[rows > 1 + 1e-9]


@given(layered_chains(), st.sampled_from(COUNTRIES), st.floats(0, 1))
def test_raising_one_countrys_score_never_lowers_a_cell(chain, country, bump):
    base = pd.DataFrame({"country": COUNTRIES, "theme": THEME, "score": 0.3})
    raised = base.assign(score=np.where(base["country"] == country, 0.3 + 0.7 * bump, 0.3))
    keys = ["node", "stage", "country", "commodity"]
    low = assess(chain, base).cells(themes=[THEME]).set_index(keys)["exposure"]
    high = assess(chain, raised).cells(themes=[THEME]).set_index(keys)["exposure"]
    assert low.index.equals(high.index)  # the same cells: scores change likelihoods, never shares
    assert ((high - low).to_numpy() >= -1e-12).all()


@given(layered_chains(), st.floats(0, 1))
def test_overrides_always_win(chain, score):
    overrides = pd.DataFrame({"country": COUNTRIES, "theme": THEME, "score": score})
    relevance = pd.DataFrame({"stage": LAYERS, "theme": THEME, "weight": 1.0})
    risk = assess(chain, overrides, relevance).inherent[THEME]
    np.testing.assert_allclose(risk.to_numpy(), score)


def test_what_if_without_a_supplier_recomputes_the_shares():
    chain = chain_of([("a", "farm", "GH"), ("b", "farm", "CI"), ("c", "cooperative", "GH")],
                     [("a", "c", 60), ("b", "c", 40)])
    assert assess(chain).shares("c").loc["farm", "CI"] == pytest.approx(0.4)
    without = chain.without("b")
    assert "CI" not in assess(without).shares("c").columns
    assert assess(without).shares("c").loc["farm", "GH"] == pytest.approx(1.0)
    with pytest.raises(rg.InputError, match="not actor ids"):
        chain.without(["zz"])


def test_for_year_keeps_that_years_flows_and_upstream_weights(linear):
    chain = linear.replace(flows=linear.flows.assign(year=[2024, 2025]))
    assert len(chain.for_year(2025).flows) == 1
    weights = assess(linear).upstream("trader")
    assert weights.to_dict() == {"farm": 1.0, "coop": 1.0, "trader": 1.0}
