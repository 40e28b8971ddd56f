"""Risk model v2 as a due-diligence expert reads it: per commodity, likelihood and share apart, evidence
at the stage it describes, regions, plot evidence, OECD priorities. Small hand-made chains; the numbers
are worked out in the comments."""
import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import riskgraph as rg
from riskgraph.risk import assess, priorities, priority
from riskgraph.risk.propagation import _weights_by_paths
from riskgraph.risk.reference import default_reference


def chain_of(actors, flows, sector, **tables):
    """actors: (id, stage, country, commodity[, region]); flows: (source, target, volume)."""
    rows = [a + (None,) * (5 - len(a)) for a in actors]
    frame = pd.DataFrame(rows, columns=["id", "stage", "country", "commodity", "region"]).assign(sector=sector)
    return rg.Chain(actors=frame, flows=pd.DataFrame(flows, columns=["source", "target", "volume"]), **tables)


def peak(assessment, node, theme):
    row = assessment.summary().set_index(["node", "theme"]).loc[(node, theme)]
    return row


# ------------------------------------------------------------------ gold: dispersed artisanal gold


@pytest.fixture(scope="module")
def jeweller():
    """A Swiss refiner buys 98 kg from a Peruvian large-scale mine and 0.5 kg from each of four artisanal
    mines in four countries; it all goes to a Dutch manufacturer and on to a Dutch jeweller."""
    asm = [("asm_ug", "UG"), ("asm_gh", "GH"), ("asm_pe", "PE"), ("asm_tz", "TZ")]
    actors = [("lsm_pe", "mine_lsm", "PE", "gold")] + [(i, "mine_asm", c, "gold") for i, c in asm] + [
        ("refiner", "refiner", "CH", "gold"), ("maker", "manufacturer", "NL", "gold"),
        ("jeweller", "retailer", "NL", "gold")]
    flows = [("lsm_pe", "refiner", 98.0)] + [(i, "refiner", 0.5) for i, _ in asm] + [
        ("refiner", "maker", 100.0), ("maker", "jeweller", 100.0)]
    return assess(chain_of(actors, flows, "gold"))


def test_dispersed_artisanal_gold_is_the_jewellers_child_labour_peak(jeweller):
    top = peak(jeweller, "jeweller", "child_labour")
    # each artisanal mine holds 0.5 kg of 100 kg: 0.005 of the jeweller's gold; no materiality cut hides it
    assert top["peak_stage"] == "mine_asm" and top["peak_commodity"] == "gold"
    assert top["peak_share"] == pytest.approx(0.005)
    assert top["peak"] >= 0.8  # the US DOL floor for artisanal gold
    assert top["priority"] == pytest.approx(5 * top["peak"])  # severity 5 × likelihood, no reach in it
    data = jeweller.node_summary("jeweller", "child_labour")
    assert data["peak"]["actor"] == f"asm_{data['peak']['country'].lower()}"
    assert data["peak"]["share"] == pytest.approx(0.005)


def test_a_large_scale_mine_does_not_carry_the_artisanal_dol_listing(jeweller):
    # Peru's own child-labour score set below the DOL floor (0.8) so that only the listing can raise it
    reference = default_reference()
    scores = reference.country_scores.copy()
    scores.loc[(scores["iso2"] == "PE") & (scores["theme"] == "child_labour"), "score"] = 0.3
    a = assess(jeweller.chain, reference=reference.replace(country_scores=scores))
    risk = a.actor_risk.set_index(["actor", "theme"])
    lsm, asm = risk.loc[("lsm_pe", "child_labour")], risk.loc[("asm_pe", "child_labour")]
    assert asm["basis"] == "commodity_evidence" and "DOL" in asm["source"] and asm["likelihood"] == 0.8
    assert lsm["basis"] == "country" and lsm["likelihood"] == pytest.approx(0.3)
    # and the refiner, a gold actor in a country with no listing, is never floored either
    assert risk.loc[("refiner", "child_labour"), "basis"] == "country"
    # with the bundled scores the artisanal mine stays the likelier place
    bundled = jeweller.inherent
    assert bundled.loc["asm_pe", "child_labour"] > bundled.loc["lsm_pe", "child_labour"]


def test_cells_keep_likelihood_and_share_apart(jeweller):
    cells = jeweller.cells(nodes=["jeweller"], themes=["child_labour"]).set_index(["stage", "country"])
    asm, lsm = cells.loc[("mine_asm", "UG")], cells.loc[("mine_lsm", "PE")]
    assert asm["share"] == pytest.approx(0.005) and lsm["share"] == pytest.approx(0.98)
    assert asm["likelihood"] > lsm["likelihood"]  # the heatmap colour: a small, severe source stays red
    assert asm["exposure"] == pytest.approx(asm["share"] * asm["likelihood"])


# ------------------------------------------------------------------ food: never add tonnes across commodities


@pytest.fixture(scope="module")
def supermarket():
    """1 000 t of Costa Rican bananas and 10 t of Ivorian cocoa (through a Dutch grinder) reach a supermarket."""
    actors = [("banana_cr", "farm", "CR", "bananas"), ("importer", "trader", "NL", "bananas"),
              ("cocoa_ci", "farm", "CI", "cocoa"), ("grinder", "processor", "NL", "cocoa"),
              ("shop", "retailer", "NL", None)]
    flows = [("banana_cr", "importer", 1000.0), ("importer", "shop", 1000.0), ("cocoa_ci", "grinder", 10.0),
             ("grinder", "shop", 10.0)]
    return assess(chain_of(actors, flows, "food"))


def test_cocoa_share_is_of_the_cocoa_not_of_all_tonnes(supermarket):
    top = peak(supermarket, "shop", "child_labour")
    assert (top["peak_stage"], top["peak_country"], top["peak_commodity"]) == ("farm", "CI", "cocoa")
    assert top["peak_share"] == pytest.approx(1.0)  # all of its cocoa, though 10 / 1010 of its tonnes
    cocoa = supermarket.shares("shop", commodity="cocoa")
    assert cocoa.loc["farm", "CI"] == pytest.approx(1.0) and cocoa.loc["processor", "NL"] == pytest.approx(1.0)
    # with both commodities the rows are (commodity, stage): tonnes are never summed across them
    both = supermarket.shares("shop")
    assert both.loc[("bananas", "farm"), "CR"] == pytest.approx(1.0)
    assert supermarket.node_commodities("shop") == ["bananas", "cocoa"]


def test_value_weighted_view_needs_prices(supermarket):
    with pytest.raises(rg.InputError, match="tonnes of different commodities are never added"):
        supermarket.value_weighted("shop", "child_labour")
    # 1000 t × 1 + 10 t × 9 (hand-made prices): cocoa is 90 / 1090 of the value
    view = supermarket.value_weighted("shop", "child_labour", prices={"bananas": 1.0, "cocoa": 9.0})
    cocoa = view[(view["commodity"] == "cocoa") & (view["stage"] == "farm")].iloc[0]
    assert cocoa["value_weight"] == pytest.approx(90 / 1090)
    assert cocoa["weighted_exposure"] == pytest.approx(cocoa["exposure"] * 90 / 1090)


# ------------------------------------------------------------------ textiles: a region raises its country


@pytest.fixture(scope="module")
def brand_chain():
    """US cotton is spun in China (10 %, one Xinjiang spinner) and Vietnam (90 %), sewn in Bangladesh."""
    actors = [("farm_us", "cotton_farm", "US", "cotton"), ("gin_us", "ginner", "US", "cotton"),
              ("spin_xj", "spinner", "CN", "yarn", "Xinjiang, Aksu"), ("spin_js", "spinner", "CN", "yarn", "Jiangsu"),
              ("spin_vn", "spinner", "VN", "yarn"), ("sew_bd", "garment_maker", "BD", "garments"),
              ("brand", "brand", "NL", "garments")]
    flows = [("farm_us", "gin_us", 100.0), ("gin_us", "spin_xj", 10.0), ("gin_us", "spin_js", 10.0),
             ("gin_us", "spin_vn", 80.0), ("spin_xj", "sew_bd", 10.0), ("spin_js", "sew_bd", 10.0),
             ("spin_vn", "sew_bd", 80.0), ("sew_bd", "brand", 100.0)]
    return chain_of(actors, flows, "textiles")


REGIONS = pd.DataFrame({"region": ["CN-XJ"], "theme": ["forced_labour"], "score": [0.97],
                        "source": ["hand-made test score"], "year": ["2024"], "method": ["test"]})


def test_a_xinjiang_spinner_makes_the_brands_forced_labour_peak(brand_chain):
    reference = default_reference().replace(region_scores=REGIONS)
    a = assess(brand_chain, reference=reference)
    top = peak(a, "brand", "forced_labour")
    assert (top["peak_stage"], top["peak_country"], top["peak_region"]) == ("spinner", "CN", "CN-XJ")
    spinner_weight = a.actor_risk.set_index(["actor", "theme"]).loc[("spin_xj", "forced_labour")]
    assert spinner_weight["basis"] == "region" and spinner_weight["likelihood"] == pytest.approx(0.97)
    assert top["peak"] == pytest.approx(0.97 * spinner_weight["relevance"])
    # the cell stays stage × country: the Chinese spinners hold 20 %, half of it from Xinjiang
    assert top["peak_share"] == pytest.approx(0.2)
    cells = a.cells(nodes=["brand"], themes=["forced_labour"]).set_index(["stage", "country"])
    other = a.actor_risk.set_index(["actor", "theme"]).loc[("spin_js", "forced_labour"), "risk"]
    assert cells.loc[("spinner", "CN"), "likelihood"] == pytest.approx((0.97 * spinner_weight["relevance"] + other) / 2)
    assert a.node_summary("brand", "forced_labour")["peak"]["actor"] == "spin_xj"


def test_a_region_scored_below_its_country_changes_nothing(brand_chain):
    low = REGIONS.assign(score=0.0)
    a = assess(brand_chain, reference=default_reference().replace(region_scores=low))
    b = assess(brand_chain, reference=default_reference().replace(region_scores=REGIONS.iloc[:0]))
    pd.testing.assert_frame_equal(a.inherent, b.inherent)


# ------------------------------------------------------------------ plots: recorded forest loss is evidence


@pytest.fixture(scope="module")
def soy(tmp_path_factory):
    """Two Brazilian soy farms: a large one with a clean plot, a small one whose plot lost forest in 2022."""
    folder = tmp_path_factory.mktemp("soy")
    pd.DataFrame([("big", "Fazenda Grande", "farm", "BR", "food", "soya", -12.5, -55.7),
                  ("small", "Sitio Pequeno", "farm", "BR", "food", "soya", -12.6, -55.8),
                  ("crusher", "Crusher", "processor", "BR", "food", "soya", -12.7, -55.9),
                  ("buyer", "Feed maker", "manufacturer", "NL", "food", "soya", 52.0, 4.5)],
                 columns=["id", "name", "stage", "country", "sector", "commodity", "lat", "lon"]).to_csv(
        folder / "actors.csv", index=False)
    pd.DataFrame([("big", "crusher", 900.0, "t"), ("small", "crusher", 100.0, "t"), ("crusher", "buyer", 1000.0, "t")],
                 columns=["source", "target", "volume", "unit"]).to_csv(folder / "flows.csv", index=False)

    def square(lon, lat, d=0.01):
        return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]

    features = [
        {"type": "Feature", "properties": {"plot_id": "P-BIG", "actor_id": "big", "area_ha": 120.0,
                                           "forest_loss_ha_after_2020": 0.0},
         "geometry": {"type": "Polygon", "coordinates": square(-55.712345, -12.512345)}},
        {"type": "Feature", "properties": {"plot_id": "P-LOSS", "actor_id": "small", "area_ha": 120.0,
                                           "forest_loss_ha_after_2020": 12.5},
         "geometry": {"type": "Polygon", "coordinates": square(-55.812345, -12.612345)}},
    ]
    (folder / "plots.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return rg.read_chain(folder)


def test_a_plot_with_forest_loss_sets_deforestation_likelihood_to_one(soy):
    a = assess(soy)
    risk = a.actor_risk.set_index(["actor", "theme"])
    small = risk.loc[("small", "deforestation")]
    assert small["likelihood"] == 1.0 and small["basis"] == "plot_evidence" and "P-LOSS" in small["source"]
    assert risk.loc[("big", "deforestation"), "likelihood"] < 1.0
    top = peak(a, "buyer", "deforestation")
    assert top["peak_basis"] == "plot_evidence" and top["peak"] == pytest.approx(small["risk"])
    assert a.node_summary("buyer", "deforestation")["peak"]["actor"] == "small"


def test_the_farm_with_forest_loss_is_the_top_deforestation_hotspot(soy):
    found = rg.find_hotspots(soy, theme="deforestation")
    first = found.hotspots.iloc[0]
    assert first["rank"] == 1 and first["actor"] == "small"  # 10 % of the volume, but confirmed loss
    big = found.hotspots[(found.hotspots["actor"] == "big") & (found.hotspots["kind"] == "actor")]
    assert big.empty or int(big["rank"].iloc[0]) > int(first["rank"])


# ------------------------------------------------------------------ priorities (OECD): severity × likelihood


def test_priorities_rank_by_severity_times_likelihood_with_share_apart(jeweller):
    table = priorities(jeweller, "jeweller")
    assert list(table.columns[:10]) == ["rank", "theme", "commodity", "stage", "country", "region", "severity",
                                        "likelihood", "share", "priority"]
    assert (table["priority"] == table["severity"] * table["likelihood"]).all()
    assert table["priority"].is_monotonic_decreasing and table["rank"].tolist() == list(range(1, len(table) + 1))
    child = table[table["theme"] == "child_labour"].iloc[0]
    assert child["stage"] == "mine_asm" and child["share"] == pytest.approx(0.005)
    # every artisanal mine is at least at the DOL floor; where a country's own score is higher, it says so
    mines = table[(table["theme"] == "child_labour") & (table["stage"] == "mine_asm")]
    assert len(mines) == 4 and (mines["likelihood"] >= 0.8).all()
    assert set(mines["basis"]) <= {"country", "commodity_evidence"}
    assert mines.set_index("country")["actor"].to_dict() == {"UG": "asm_ug", "GH": "asm_gh", "PE": "asm_pe",
                                                              "TZ": "asm_tz"}
    assert child["leverage"] == pytest.approx(1.0)  # all of it comes through the one manufacturer
    assert priority(5, 0.8) == pytest.approx(4.0)


def test_the_profile_and_the_summary_use_the_same_priority(jeweller):
    profile = jeweller.profile("jeweller").set_index("theme")["priority"].to_dict()
    summary = jeweller.summary().query("node == 'jeweller'").set_index("theme")["priority"].to_dict()
    assert set(profile) == set(summary) and all(profile[t] == pytest.approx(summary[t]) for t in profile)


# ------------------------------------------------------------------ the maths per commodity


@st.composite
def layered_chains(draw, max_actors=8):
    layers = ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer"]
    n = draw(st.integers(2, max_actors))
    layer = sorted(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    goods = draw(st.lists(st.sampled_from(["cocoa", "coffee", None]), min_size=n, max_size=n))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=14))
    edges = sorted({(a, b) for a, b in edges if layer[a] < layer[b]})
    volumes = draw(st.lists(st.floats(0.5, 100), min_size=len(edges), max_size=len(edges)))
    actors = [(f"n{i}", layers[layer[i]], ["CI", "GH", "NL"][i % 3], goods[i]) for i in range(n)]
    return chain_of(actors, [(f"n{a}", f"n{b}", v) for (a, b), v in zip(edges, volumes)], "food")


def shares_by_paths(chain):
    """share[n][(stage, country, commodity)] from path enumeration: the slow, obvious definition."""
    from riskgraph.chain.model import chain_start_stages
    from riskgraph.risk.reference import commodity_key

    w = _weights_by_paths(chain)
    actors = chain.actors.set_index("id")
    has_inputs = set(chain.flows["target"])
    starts = chain_start_stages()
    good = {i: commodity_key(r["commodity"]) or r["sector"] for i, r in actors.iterrows()}
    origins = [i for i, r in actors.iterrows() if i not in has_inputs or (r["sector"], r["stage"]) in starts]
    mass = {u: {} for u in actors.index}
    for u in actors.index:
        for o in origins:
            mass[u][good[o]] = mass[u].get(good[o], 0.0) + w.loc[o, u]
    f = {u: {k: v / sum(m.values()) for k, v in m.items()} for u, m in mass.items()}
    out = {}
    for n in actors.index:
        cells = {}
        for u in actors.index:
            for k, fk in f[u].items():
                if w.loc[u, n] * fk > 0:
                    key = (actors.loc[u, "stage"], actors.loc[u, "country"], k)
                    cells[key] = cells.get(key, 0.0) + w.loc[u, n] * fk / f[n][k]
        out[n] = cells
    return out


@settings(max_examples=40, deadline=None)
@given(layered_chains())
def test_per_commodity_shares_equal_path_enumeration(chain):
    a = assess(chain)
    expected = shares_by_paths(chain)
    cells = a.cells(themes=["child_labour"])
    got = {(r.node, r.stage, r.country, r.commodity): r.share for r in cells.itertuples()}
    want = {(n, *key): v for n, c in expected.items() for key, v in c.items()}
    assert set(got) == set(want)
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=0, abs_tol=1e-9), key


@settings(max_examples=40, deadline=None)
@given(layered_chains())
def test_the_peak_is_the_highest_likelihood_with_any_share(chain):
    a = assess(chain)
    cells = a.cells(themes=["forced_labour"])
    summary = a.summary().set_index(["node", "theme"])
    for node, group in cells.groupby("node"):
        parts = a.sublocations(node, "forced_labour")
        assert summary.loc[(node, "forced_labour"), "peak"] == pytest.approx(parts["likelihood"].max())
        # a cell's likelihood is the share-weighted mean of its parts, so never above the peak
        assert (group["likelihood"] <= parts["likelihood"].max() + 1e-12).all()
