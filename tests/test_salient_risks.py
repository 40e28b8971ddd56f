"""On the bundled sector chains, the risks a due-diligence expert knows are the ones the tool puts first.

For each sector the typical buyer is the sector report's scope: every most-downstream actor, weighted by
volume (``assessment.chain_ends``). What an expert expects, from the OECD sector guidance and the
covenants' own risk analyses:

* gold — child labour and conflict financing at artisanal mines; the unidentified refiner as the
  chokepoint to ask first;
* food — child labour in Ivorian and Ghanaian cocoa; deforestation of soy and cattle in Brazil and of
  oil palm in Indonesia or Malaysia;
* textiles — forced labour in Xinjiang (or Turkmen) cotton; health and safety in Bangladeshi garment
  factories;
* natural stone — child and forced labour and silicosis at Indian (or Chinese) quarries.
"""
from pathlib import Path

import pytest

import riskgraph as rg
from riskgraph.hotspots import chokepoints
from riskgraph.risk import priorities

DATASETS = Path(__file__).resolve().parent.parent / "datasets"


@pytest.fixture(scope="module")
def sector(request):
    cache = {}

    def load(name):
        if name not in cache:
            chain = rg.read_chain(DATASETS / name)
            cache[name] = (chain, rg.assess(chain))
        return cache[name]

    return load


def ranked(assessment, **options):
    return priorities(assessment, assessment.chain_ends, leverage=False, **options)


def test_gold_artisanal_child_labour_and_conflict_come_first(sector):
    chain, a = sector("gold")
    profile = a.profile(a.chain_ends).set_index("theme")
    assert profile.loc["child_labour", "peak_stage"] == "mine_asm"
    assert profile.loc["conflict_financing", "peak_stage"] == "mine_asm"
    assert list(profile.index[:2]) == ["child_labour", "conflict_financing"]  # the sector report's first two
    top = ranked(a, top=10)
    assert set(top["theme"]) <= {"child_labour", "conflict_financing", "forced_labour"}
    assert (top["stage"] == "mine_asm").mean() >= 0.8


def test_gold_the_unidentified_refiner_is_the_first_chokepoint(sector):
    chain, a = sector("gold")
    table = chokepoints(chain, a, themes=("conflict_financing", "child_labour"))
    actors = chain.actors.set_index("id")
    for theme in ("conflict_financing", "child_labour"):
        first = table[table["theme"] == theme].iloc[0]
        assert first["stage"] == "refiner" and not isinstance(actors.at[first["actor"], "smelter_id"], str)
        assert any("unidentified refiner" in r for r in first["reasons"])


def test_food_cocoa_child_labour_and_deforestation_of_soy_cattle_and_palm(sector):
    chain, a = sector("food")
    top = ranked(a, top=8)
    cocoa = top[(top["theme"] == "child_labour") & (top["commodity"] == "cocoa")]
    assert {"CI", "GH"} <= set(cocoa["country"])
    forest = ranked(a, themes=["deforestation"], top=10)
    assert forest.iloc[0]["country"] == "BR" and forest.iloc[0]["commodity"] in {"soya", "cattle"}
    assert {("BR", "soya"), ("BR", "cattle")} <= set(zip(forest["country"], forest["commodity"]))
    palm = forest[forest["commodity"] == "oil_palm"]
    assert set(palm["country"]) & {"ID", "MY"}
    # recorded forest loss is the evidence behind the first rows, not the country average
    assert forest.iloc[0]["basis"] == "plot_evidence" and forest.iloc[0]["likelihood"] == 1.0
    profile = a.profile(a.chain_ends).set_index("theme")
    assert profile.loc["forced_labour", ["peak_country", "peak_commodity"]].tolist() == ["CI", "cocoa"]


def test_textiles_forced_labour_in_xinjiang_cotton_comes_first(sector):
    chain, a = sector("textiles")
    first = ranked(a, top=1).iloc[0]
    assert first["theme"] == "forced_labour" and first["commodity"] == "cotton"
    assert (first["country"], first["region"]) in {("CN", "CN-XJ"), ("TM", None)}
    assert first["stage"] in {"cotton_farm", "ginner", "spinner"}


def test_textiles_garment_health_and_safety_in_bangladesh(sector):
    chain, a = sector("textiles")
    first = ranked(a, themes=["health_safety"], top=1).iloc[0]
    assert (first["stage"], first["country"]) == ("garment_maker", "BD")
    # the reason is the sector finding on Bangladesh's garment factories (Rana Plaza, Tazreen), not the
    # country's governance proxy, and it holds at garment makers only
    assert first["basis"] == "commodity_evidence" and "sector_evidence.csv" in first["source"]
    spinners = ranked(a, themes=["health_safety"], top=None)
    spinners = spinners[(spinners["country"] == "BD") & (spinners["stage"] != "garment_maker")]
    assert len(spinners) and (spinners["basis"] != "commodity_evidence").all()


def test_stone_child_labour_forced_labour_and_silicosis_at_indian_quarries(sector):
    chain, a = sector("natural_stone")
    profile = a.profile(a.chain_ends).set_index("theme")
    assert profile.loc["child_labour", ["peak_stage", "peak_country"]].tolist() == ["quarry", "IN"]
    assert profile.loc["health_safety", ["peak_stage", "peak_country"]].tolist() == ["quarry", "IN"]  # silicosis
    top = ranked(a, top=10)
    assert set(top["theme"]) <= {"child_labour", "forced_labour"}
    assert (top["stage"] == "quarry").all()
    forced = top[top["theme"] == "forced_labour"]
    assert {"IN", "CN"} & set(forced["country"])
