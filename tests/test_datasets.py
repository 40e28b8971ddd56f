"""The bundled sector chains validate with only their documented findings, and the tool finds what they document."""
import pytest

import riskgraph as rg
from riskgraph._resources import dataset_path
from riskgraph.geo.plots import plot_checks

SECTORS = ["gold", "natural_stone", "textiles", "food"]

# Documented in datasets/<sector>/README.md.
DOL_LISTED = {"gold": "GLD-ASM-UG-01", "natural_stone": "NST-QRY-IN-01", "textiles": "TEX-FRM-TR-01",
              "food": "FOD-FRM-CI-01"}
UNKNOWN_ORIGIN = {"gold": "GLD-TRD-UG-04", "natural_stone": "NST-PRC-IN-10", "textiles": "TEX-WVK-CN-05",
                  "food": "FOD-PRC-BR-07"}
MASS_BALANCE_GAP = {"gold": "GLD-TRD-AE-03", "natural_stone": "NST-EXP-CN-02", "textiles": "TEX-GMT-BD-05",
                    "food": "FOD-TRD-CI-03"}


@pytest.fixture(scope="module", params=SECTORS)
def sector(request):
    chain = rg.read_chain(dataset_path(request.param))
    return request.param, chain, rg.assess(chain)


def test_validates_with_only_the_documented_missing_volume_warning(sector):
    _, chain, _ = sector
    assert chain.report.ok
    assert chain.report.issues["reason"].tolist() == ["missing_volume"]
    assert chain.report.counts["quarantined"].sum() == 0


def test_the_dol_listed_good_is_found_as_commodity_evidence(sector):
    name, _, assessment = sector
    actor = DOL_LISTED[name]
    row = assessment.actor_risk.set_index(["actor", "theme"]).loc[(actor, "child_labour")]
    assert row["likelihood"] >= 0.8 and ("DOL" in row["source"] or row["basis"] == "country")
    assert assessment.inherent.loc[actor, "child_labour"] >= 0.5


def test_the_supplier_with_unknown_origin_is_carried_as_unknown_share(sector):
    name, _, assessment = sector
    actor = UNKNOWN_ORIGIN[name]
    assert assessment.unknown_share[actor] == 1.0
    downstream = assessment.unknown_share[assessment.unknown_share > 0]
    assert len(downstream) > 1  # it reaches further down the chain


def test_the_mass_balance_gap_is_found(sector):
    from riskgraph.hotspots import mass_balance_gaps

    name, chain, _ = sector
    gaps = mass_balance_gaps(chain)
    assert MASS_BALANCE_GAP[name] in set(gaps["actor"])


def test_hotspots_find_the_dol_listed_producers(sector):
    from riskgraph.hotspots import find_hotspots

    name, chain, assessment = sector
    found = find_hotspots(chain, assessment, theme="child_labour").hotspots
    listed = found[found["reasons"].map(lambda r: any("US DOL" in x for x in r))]
    assert DOL_LISTED[name] in set(listed["actor"])
    assert len(listed) > 0


def test_food_plots_documented_findings_are_found():
    chain = rg.read_chain(dataset_path("food"))
    findings = plot_checks(chain.plots, chain.actors).findings
    found = set(zip(findings["plot"], findings["rule"]))
    assert ("PLT-GH-0001", "point_above_4ha") in found
    assert ("PLT-ET-0001", "too_few_decimals") in found
    assert ("PLT-ID-0010", "ring_not_closed") in found
    assert any(plot == "PLT-CI-0002" and rule in ("axis_order", "outside_declared_country") for plot, rule in found)
    loss = chain.plots.loc[chain.plots["forest_loss_ha_after_2020"] > 0, "plot_id"]
    assert {"PLT-CI-0001", "PLT-BR-0009"} <= set(loss) and "PLT-BR-0021" not in set(loss)


def test_the_gold_recycling_loop_leaks_and_converges():
    chain = rg.read_chain(dataset_path("gold"))
    from riskgraph.graph import cycles

    assert cycles(chain) == [sorted(["GLD-MFG-NL-01", "GLD-RCY-NL-01", "GLD-REF-CH-02"])] or len(cycles(chain)) == 1
    shares = rg.assess(chain).shares("GLD-MFG-NL-01")
    assert shares.loc["refiner"].sum() > 1.0  # gold passing the refiner more than once is counted, not hidden
