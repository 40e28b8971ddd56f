"""The graph view: input shares S, equal split when volumes are missing, structure."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskgraph as rg
from riskgraph.graph import (
    chain_ends, chain_starts, components, cycles, input_shares, orphans, structure, tiers, to_networkx,
)


def make_chain(edges, *, volumes=None, extra_actors=()):
    """A food chain from (source, target) pairs; every actor a farm in Ghana."""
    ids = list(dict.fromkeys([a for e in edges for a in e] + list(extra_actors)))
    actors = pd.DataFrame({"id": ids, "stage": "farm", "country": "GH", "sector": "food"})
    flows = pd.DataFrame(edges, columns=["source", "target"])
    flows["volume"] = volumes if volumes is not None else 1.0
    return rg.Chain(actors=actors, flows=flows)


def shares_of(chain):
    s = input_shares(chain)
    return pd.DataFrame(s.matrix.toarray(), index=s.actors, columns=s.actors)


def test_diamond_60_40_split():
    chain = make_chain([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], volumes=[60, 40, 60, 40])
    S = shares_of(chain)
    assert S.loc["b", "d"] == pytest.approx(0.6) and S.loc["c", "d"] == pytest.approx(0.4)
    assert S.loc["a", "b"] == 1.0 and S.loc["a", "c"] == 1.0
    assert not input_shares(chain).equal_split.any()


def test_several_flows_between_a_pair_add_up():
    chain = make_chain([("a", "c"), ("a", "c"), ("b", "c")], volumes=[10, 20, 30])
    assert shares_of(chain).loc["a", "c"] == pytest.approx(0.5)


def test_a_missing_volume_splits_equally_and_flags_the_node():
    chain = make_chain([("a", "c"), ("b", "c"), ("c", "d")], volumes=[90, np.nan, 5])
    S = shares_of(chain)
    assert S.loc["a", "c"] == S.loc["b", "c"] == 0.5
    assert input_shares(chain).equal_split.to_dict() == {"a": False, "c": True, "b": False, "d": False}


def test_zero_volumes_split_equally():
    chain = make_chain([("a", "c"), ("b", "c")], volumes=[0, 0])
    assert shares_of(chain).loc["a", "c"] == 0.5 and input_shares(chain).equal_split["c"]


def test_year_filter_uses_only_that_years_flows():
    chain = make_chain([("a", "c"), ("b", "c")], volumes=[10, 30])
    chain = chain.replace(flows=chain.flows.assign(year=[2024, 2025]))
    assert shares_of(chain).loc["a", "c"] == 0.25
    s = input_shares(chain, year=2024).matrix.toarray()
    assert s[0, 1] == 1.0 and s[:, 1].sum() == 1.0


def test_structure_starts_ends_orphans_components_and_tiers():
    chain = make_chain([("farm", "coop"), ("coop", "trader"), ("farm2", "trader"), ("trader", "retail")],
                       extra_actors=["lonely"])
    assert set(chain_starts(chain)) == {"farm", "farm2"}
    assert list(chain_ends(chain)) == ["retail"]
    assert list(orphans(chain)) == ["lonely"]
    assert components(chain).to_dict() == {"farm": 0, "coop": 0, "trader": 0, "farm2": 0, "retail": 0, "lonely": 1}
    tier = tiers(chain)
    assert tier.dropna().to_dict() == {"farm": 3, "coop": 2, "trader": 1, "farm2": 2, "retail": 0}
    assert tier.isna()["lonely"]


def test_cycles_name_the_actors_in_each_loop():
    chain = make_chain([("mine", "refiner"), ("refiner", "maker"), ("maker", "recycler"), ("recycler", "refiner"),
                        ("maker", "shop"), ("x", "y"), ("y", "x")])
    assert cycles(chain) == [["maker", "recycler", "refiner"], ["x", "y"]]


def test_networkx_view_carries_actor_attributes_and_summed_volumes():
    chain = make_chain([("a", "b"), ("a", "b")], volumes=[2, 3])
    graph = to_networkx(chain)
    assert graph.nodes["a"]["country"] == "GH"
    assert graph.edges["a", "b"]["volume"] == 5 and graph.edges["a", "b"]["flows"] == 2


def test_structure_summarises_the_chain(data_dir):
    facts = structure(rg.read_chain(data_dir / "gold_small"))
    assert facts["actors"] == 5 and facts["flows"] == 4 and facts["components"] == 1
    assert facts["max_tier"] == 3 and facts["cycles"] == [] and facts["chain_starts"] == 2


@st.composite
def random_chains(draw):
    n = draw(st.integers(2, 12))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
                          min_size=1, max_size=30))
    volumes = draw(st.lists(st.one_of(st.none(), st.floats(0, 1e6)), min_size=len(pairs), max_size=len(pairs)))
    actors = pd.DataFrame({"id": [f"n{i}" for i in range(n)], "stage": "farm", "country": "GH", "sector": "food"})
    flows = pd.DataFrame({"source": [f"n{a}" for a, _ in pairs], "target": [f"n{b}" for _, b in pairs],
                          "volume": [np.nan if v is None else v for v in volumes]})
    return rg.Chain(actors=actors, flows=flows)


@given(random_chains())
def test_input_shares_sum_to_one_for_every_node_with_inputs(chain):
    s = input_shares(chain)
    column_sums = np.asarray(s.matrix.sum(axis=0)).ravel()
    has_inputs = s.actors.isin(chain.flows["target"])
    np.testing.assert_allclose(column_sums[has_inputs], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(column_sums[~has_inputs], 0.0)
    assert (s.matrix.data >= 0).all()
