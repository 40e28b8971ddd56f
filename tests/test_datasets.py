"""The bundled sector chains validate with only their documented findings, and the tool finds what they document."""
import pandas as pd
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
    # at least the DOL floor; a country or region score above the floor (Rajasthan, IN-RJ) wins and says so
    assert row["likelihood"] >= 0.8 and ("DOL" in row["source"] or row["basis"] in {"country", "region"})
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


FOREST_PLOTS = {"PLT-CI-0035": 2022, "PLT-CI-0036": 2023, "PLT-CI-0037": None, "PLT-CI-0038": None}


def test_food_forest_figures_are_what_the_bundled_synthetic_clip_measures():
    from riskgraph.forest import forest_findings, plot_forest

    chain = rg.read_chain(dataset_path("food"))
    measured = plot_forest(chain.plots, gfc_dir=dataset_path("food", "forest")).set_index("plot_id")
    bundled = chain.plots.set_index("plot_id")
    for plot, year in FOREST_PLOTS.items():
        for column in ("forest_2020_ha", "forest_loss_ha_after_2020", "tree_cover_loss_ha_2001_2020"):
            assert measured.loc[plot, column] == pytest.approx(float(bundled.loc[plot, column]), abs=1e-4)
        assert (pd.isna(measured.loc[plot, "forest_loss_year"]) if year is None
                else measured.loc[plot, "forest_loss_year"] == year)
        assert measured.loc[plot, "forest_source"] == "Hansen_GFC-2024-v1.12 (synthetic clip)"
    assert measured.loc["PLT-CI-0037", "forest_2020_ha"] == 0  # cleared in 2016: not forest at the cut-off
    # The region's declared plots lie on the clip and agree with it; the two new clearings contradict theirs.
    assert set(measured.index[measured["forest_source"].notna()]) == set(FOREST_PLOTS) | {
        f"PLT-CI-{n:04d}" for n in range(14, 20)}
    findings = forest_findings(measured.reset_index())
    assert set(findings.loc[findings["rule"] == "declared_vs_satellite", "plot_id"]) == {"PLT-CI-0035",
                                                                                         "PLT-CI-0036"}


def test_raster_loss_makes_hotspots_and_blocks_the_eudr_statement():
    from riskgraph.hotspots import find_hotspots
    from riskgraph.regulation.eudr import eudr_statement

    chain = rg.read_chain(dataset_path("food"))
    assessment = rg.assess(chain)
    hotspots = find_hotspots(chain, assessment, theme="deforestation").hotspots
    assert {"PLT-CI-0035", "PLT-CI-0036"} <= set(hotspots["plot"].dropna())
    statement = eudr_statement(chain, "FOD-PRC-NL-03")  # the operator importing this cocoa into the Union
    blocking = statement.blocking.set_index("plot")
    assert {"PLT-CI-0035", "PLT-CI-0036"} <= set(blocking.index)
    assert blocking.loc["PLT-CI-0036", "rule_id"] == "EUDR-CUTOFF"
    assert "4.5691 ha of forest loss" in blocking.loc["PLT-CI-0036", "reason"]
    assert not {"PLT-CI-0037", "PLT-CI-0038"} & set(blocking.index)  # loss before 2021, no loss: not blocking
