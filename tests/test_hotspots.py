"""Hotspots: hand-made chains whose ranks, reaches, shares and z-scores are written out here."""
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.errors import InputError
from riskgraph.hotspots.clusters import _gi_star_bruteforce
from riskgraph.hotspots import (
    anomalies,
    chokepoints,
    downstream_reach,
    find_hotspots,
    gi_star,
    isolation_anomalies,
    mass_balance_gaps,
    risk_clusters,
    sourcing_shifts,
    spatial_clusters,
    top_hotspots,
)

DATA = Path(__file__).parent / "data" / "hotspots"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def gold():
    return rg.read_chain(DATA / "gold_dol")


@pytest.fixture(scope="module")
def eudr():
    return rg.read_chain(DATA / "eudr_small")


@pytest.fixture(scope="module")
def eudr_found(eudr):
    return find_hotspots(eudr)


def chain_of(actors, flows) -> rg.Chain:
    """actors: (id, stage, country); flows: (source, target, volume[, unit[, year]])."""
    frame = pd.DataFrame(actors, columns=["id", "stage", "country"]).assign(sector="food")
    flows = [f + (None,) * (5 - len(f)) for f in flows]
    return rg.Chain(actors=frame, flows=pd.DataFrame(flows, columns=["source", "target", "volume", "unit", "year"]))


# --------------------------------------------------------------------------- child labour


def test_gold_mine_in_a_dol_country_feeding_two_refiners_ranks_by_likelihood_then_reach(gold):
    """mine_a sends 30 kg to each refiner, mine_b 20 kg to one; jewellers receive 50 and 80 kg.

    W[mine_a, jeweller_1] = 30/50, W[mine_a, jeweller_2] = 30/80, so mine_a's material at the ends is
    0.6·50 + 0.375·80 = 60 of 130 kg; mine_b's is 0.4·50 = 20 of 130 kg. Dependence sums W over the
    downstream actors: mine_a 0.6 + 0.375 + 0.6 + 0.375 = 1.95, mine_b 0.4 + 0.4 = 0.8.
    """
    found = find_hotspots(gold, theme="child_labour")
    table = found.hotspots.set_index("actor")
    assert table.index.tolist() == ["mine_a", "mine_b"]  # the large-scale mine in Peru: relevance 0.2 < 0.5
    assert table["rank"].tolist() == [1, 2]
    assert table.loc["mine_a", "reach"] == pytest.approx(60 / 130)
    assert table.loc["mine_b", "reach"] == pytest.approx(20 / 130)
    assert table["dependence"].tolist() == pytest.approx([1.95, 0.8])
    assert table["downstream_actors"].tolist() == [4, 2]
    # priority = severity (child labour: 5) × likelihood; the two Ugandan mines tie, so reach ranks them
    assert (table["score"] == 5 * table["exposure"]).all()
    reasons = table.loc["mine_a", "reasons"]
    assert any("'Gold' from Uganda" in r for r in reasons)
    assert reasons[0] == "stage mine_asm: child-labour relevance 1.00 (≥ 0.5)"


def test_reach_falls_back_to_the_mean_over_ends_without_volumes():
    chain = chain_of([("f1", "farm", "CI"), ("f2", "farm", "CI"), ("r1", "retailer", "NL"), ("r2", "retailer", "NL")],
                     [("f1", "r1", None), ("f2", "r1", None), ("f2", "r2", None)])
    reach = downstream_reach(chain)
    assert reach["basis"].unique().tolist() == ["mean_share"]
    assert reach.loc[["f1", "f2"], "reach"].tolist() == pytest.approx([0.25, 0.75])
    assert reach["reach"].tolist() == pytest.approx(rg.assess(chain).reach.tolist())


def test_chokepoints_follow_risky_material_not_volume(gold):
    """Child-labour likelihood UG 0.8, PE 0.2, others 0; relevance 1 at mines, 0 elsewhere.

    refiner_ch takes 30 kg from mine_a and 20 kg from mine_b, both Ugandan (likelihood 0.8 ≥ the 'high'
    bound 0.5): all of its gold comes from high-likelihood origins, risky_share 1, origin likelihood 0.8.
    refiner_ae takes 30 kg from mine_a and 50 kg from the Peruvian mine (0.2): risky_share 30/80 = 0.375,
    origin likelihood 0.375·0.8 + 0.625·0.2 = 0.425. The smaller refiner ranks first because its
    material is riskier; the jewellers are not at a chokepoint stage (refiners are, for gold).
    """
    indicators = pd.DataFrame({"country": ["UG", "PE", "CH", "AE", "NL"], "theme": "child_labour",
                               "score": [0.8, 0.2, 0.0, 0.0, 0.0]})
    relevance = pd.DataFrame({"stage": ["mine_asm", "mine_lsm", "refiner", "manufacturer"], "theme": "child_labour",
                              "weight": [1.0, 1.0, 0.0, 0.0]})
    assessment = rg.assess(gold, indicators, relevance)
    table = chokepoints(gold, assessment, themes=["child_labour"]).set_index("actor")
    assert table.index.tolist() == ["refiner_ch", "refiner_ae"]
    assert table["risky_share"].tolist() == pytest.approx([1.0, 30 / 80])
    assert table["upstream_exposure"].tolist() == pytest.approx([0.8, 0.425])
    assert table.loc["refiner_ch", "suppliers"] == 2 and table.loc["refiner_ae", "supplier_countries"] == 2
    # neither refiner has an RMI smelter id in this file: both are named unidentified; only refiner_ch
    # carries mostly risky gold (≥ 50 %), which would put it first in any case
    assert all(any("unidentified refiner" in r for r in reasons) for reasons in table["reasons"])


# --------------------------------------------------------------------------- deforestation


def test_deforestation_hotspots_of_a_small_eudr_chain(eudr, eudr_found):
    table = eudr_found.hotspots[eudr_found.hotspots["theme"] == "deforestation"]
    actors = table[table["kind"] == "actor"]
    assert actors["actor"].tolist() == ["farm_br", "farm_ci_2", "farm_ci_1"]  # farm_fr: low risk, clean plot
    plots = set(table.loc[table["kind"] == "plot", "plot"])
    assert plots == {"BR-LOSS-2022", "CI-PT-10HA", "BR-OPEN", "CI-5DEC", "CI-SWAP", "GHOST"}
    farm = actors.set_index("actor").loc["farm_br"]
    # one of farm_br's plots lost forest in 2022: recorded loss sets its deforestation likelihood to 1
    # (risk model v2, actor evidence), so the farm row and its loss plot carry exposure 1 × relevance 1
    risk = rg.assess(eudr).actor_risk.set_index(["actor", "theme"]).loc[("farm_br", "deforestation")]
    assert risk["likelihood"] == 1.0 and risk["basis"] == "plot_evidence" and "BR-LOSS-2022" in risk["source"]
    assert farm["exposure"] == pytest.approx(1.0) and farm["score"] == pytest.approx(4.0)  # severity 4
    assert farm["rank"] == 1
    assert farm["reach"] == pytest.approx(0.5)  # 100 t of the 200 t the shop receives
    assert any("'standard' risk in the EUDR country benchmark" in r for r in farm["reasons"])
    assert any("1 of 5 plots lost forest after the EUDR cut-off" in r for r in farm["reasons"])


def test_only_forest_loss_after_the_cut_off_is_flagged(eudr_found):
    plots = eudr_found.plots.set_index("plot")
    assert bool(plots.loc["BR-LOSS-2022", "post_cutoff_loss"]) is True
    assert bool(plots.loc["BR-LOSS-2019", "post_cutoff_loss"]) is False
    row = eudr_found.hotspots.set_index("plot").loc["BR-LOSS-2022"]
    assert row["exposure"] == 1.0
    assert "8.5 ha of forest lost in 2022 after the EUDR cut-off (31 Dec 2020) on a 99.6 ha plot" in row["reasons"]
    assert not any("BR-LOSS-2019" in r for reasons in eudr_found.hotspots["reasons"] for r in reasons)


@pytest.mark.parametrize("year,flagged", [(2019, False), (2020, False), (2021, True), (2023, True)])
def test_a_loss_year_alone_counts_only_after_2020(eudr, year, flagged):
    plots = eudr.plots.iloc[[0]].assign(forest_loss_ha_after_2020=np.nan, forest_loss_year=str(year),
                                        forest_loss_ha=1.0)
    found = find_hotspots(eudr, theme="deforestation", plots=plots)
    assert bool(found.plots["post_cutoff_loss"].iloc[0]) is flagged


def test_geolocation_findings_travel_with_the_hotspots(eudr_found):
    assert set(eudr_found.geolocation_findings["rule"]) == {
        "axis_order", "point_above_4ha", "too_few_decimals", "ring_not_closed", "area_mismatch", "third_dimension",
        "unknown_actor"}
    swapped = eudr_found.hotspots.set_index("plot").loc["CI-SWAP"]
    assert "geolocation fails EUDR rules: axis_order" in swapped["reasons"]


# --------------------------------------------------------------------------- spatial statistics

# A 3 × 3 grid, 0.01° apart at the equator (1.112 km; diagonals 1.572 km), value 9 in the centre, 1
# elsewhere; a band of 1.2 km makes the neighbourhoods the point itself and its 4 rook neighbours.
# n = 9, x̄ = 17/9, S² = 89/9 − (17/9)² = 512/81.
#   centre  k = 5, Σx = 13: (13 − 85/9) / (√512/9 · √((45 − 25)/8)) = 32/√1280 = 2/√5
#   edge    k = 4, Σx = 12: (12 − 68/9) / (√512/9 · √((36 − 16)/8)) = 40/√1280 = √5/2
#   corner  k = 3, Σx = 3:  (3 − 51/9) / (√512/9 · √((27 − 9)/8))  = −24/(1.5·√512) = −1/√2
GRID_LAT = np.repeat([0.0, 0.01, 0.02], 3)
GRID_LON = np.tile([0.0, 0.01, 0.02], 3)
GRID_X = np.array([1, 1, 1, 1, 9, 1, 1, 1, 1], dtype=float)
CORNER, EDGE, CENTRE = -1 / math.sqrt(2), math.sqrt(5) / 2, 2 / math.sqrt(5)
GRID_Z = [CORNER, EDGE, CORNER, EDGE, CENTRE, EDGE, CORNER, EDGE, CORNER]


def _gi_haversine(lat, lon, values, *, band_km):
    return gi_star(lat, lon, values, band_km=band_km, metric="haversine")


@pytest.mark.parametrize("impl", (gi_star, _gi_haversine, _gi_star_bruteforce))
def test_gi_star_on_a_tiny_grid(impl):
    assert impl(GRID_LAT, GRID_LON, GRID_X, band_km=1.2) == pytest.approx(GRID_Z, abs=1e-12)


@pytest.mark.parametrize("metric", ("chord", "haversine"))
def test_gi_star_balltree_equals_brute_force_on_random_points(metric):
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(5, 6, 400), rng.uniform(-7, -6, 400)
    values = rng.random(400)
    fast = gi_star(lat, lon, values, band_km=15.0, metric=metric, chunk_size=64)
    assert fast == pytest.approx(_gi_star_bruteforce(lat, lon, values, band_km=15.0), abs=1e-9)


def test_chord_and_haversine_dbscan_agree():
    """Chord length on the unit sphere grows with great-circle distance: same neighbourhoods, same clusters."""
    rng = np.random.default_rng(3)
    centres = rng.uniform([-10, -70], [10, 40], size=(20, 2))
    points = np.repeat(centres, 30, axis=0) + rng.normal(0, 0.02, size=(600, 2))
    risk = rng.uniform(0, 1, 600)
    chord = risk_clusters(points[:, 0], points[:, 1], risk, eps_km=1.5, min_risk=2.0)
    haversine = risk_clusters(points[:, 0], points[:, 1], risk, eps_km=1.5, min_risk=2.0, metric="haversine")
    assert chord.max() > 5 and (chord == haversine).all()


def test_a_dense_risky_group_is_a_significantly_hot_cluster():
    """Five points of risk 0.9 within 200 m, thirty of risk 0.1 scattered 50 km apart.

    Only the group gathers the risk of 2 that a core point needs. Cluster Gi* with the group as one
    neighbourhood: n = 35, x̄ = 7.5/35, S² = 4.35/35 − x̄², k = 5, Σx = 4.5 →
    (4.5 − 5x̄) / (S √((35·5 − 25)/34)) = 5.830952.
    """
    rng = np.random.default_rng(1)
    group_lat, group_lon = 6.0 + rng.uniform(0, 0.001, 5), -2.0 + rng.uniform(0, 0.001, 5)
    grid = np.arange(30)
    far_lat, far_lon = 7.0 + (grid // 6) * 0.5, -3.0 + (grid % 6) * 0.5
    points = pd.DataFrame({"theme": "child_labour", "id": [f"p{i}" for i in range(35)], "kind": "actor",
                           "lat": np.r_[group_lat, far_lat], "lon": np.r_[group_lon, far_lon],
                           "risk": [0.9] * 5 + [0.1] * 30, "country": "GH"})
    clusters, located = spatial_clusters(points, eps_km=1.0, min_risk=2.0, band_km=1.0)
    assert len(clusters) == 1
    cluster = clusters.iloc[0]
    assert cluster["points"] == 5 and cluster["total_risk"] == pytest.approx(4.5)
    assert cluster["gi_z"] == pytest.approx(5.830952, abs=1e-6)
    assert bool(cluster["hot"]) and cluster["p_value"] < 0.001
    assert (located["cluster"].iloc[5:] == -1).all()
    labels = risk_clusters(points["lat"], points["lon"], points["risk"], eps_km=1.0, min_risk=5.0)
    assert (labels == -1).all()  # 4.5 < 5: no core point


def test_a_plot_point_counts_its_own_evidence_once(eudr):
    """The map's risk of a plot = the plot's hotspot exposure: the owner's likelihood *before* plot evidence,
    raised by this plot's loss or failed geolocation (not by its siblings' evidence a second time)."""
    from riskgraph.hotspots.clusters import _spatial_points
    from riskgraph.hotspots.deforestation import _plot_table, deforestation_hotspots
    from riskgraph.geo.plots import plot_checks

    assessment = rg.assess(eudr)
    plot_table, _ = _plot_table(eudr, None, plot_checks(eudr.plots, eudr.actors))
    rows = deforestation_hotspots(eudr, assessment, plot_table=plot_table)
    points = _spatial_points(eudr, assessment, rows, plot_table, ("deforestation",))
    flagged = rows[rows["kind"] == "plot"].set_index("plot")["exposure"]
    drawn = points[points["kind"] == "plot"].set_index("id")["risk"]
    located = [p for p in flagged.index if p in drawn.index]
    assert located, "the small EUDR chain has flagged plots with coordinates"
    np.testing.assert_allclose(drawn[located].to_numpy(), flagged[located].to_numpy(), atol=1e-12)
    # a clean plot of a farm whose other plot lost forest is not painted with its sibling's loss
    owners = plot_table.set_index("plot")["actor"]
    clean = [p for p in drawn.index if p not in flagged.index and owners.get(p) == "farm_br"]
    assert clean and (drawn[clean] < 1.0).all()


def test_hotspots_carry_their_cluster_and_z(eudr_found):
    table = eudr_found.hotspots
    located = table[table["lat"].notna()]
    assert located["gi_z"].notna().all()
    assert {"theme", "cluster", "gi_z", "hot"} <= set(eudr_found.clusters.columns)


# --------------------------------------------------------------------------- anomalies


def test_mass_balance_gaps():
    chain = chain_of(
        [("m", "farm", "CI"), ("t1", "trader", "CI"), ("t2", "trader", "CI"), ("t3", "trader", "CI"),
         ("t4", "trader", "CI"), ("b", "manufacturer", "NL")],
        [("m", "t1", 100, "t"), ("t1", "b", 125, "t"),     # 25 % more out: a gap
         ("m", "t2", 100, "t"), ("t2", "b", 105, "t"),     # 5 %: within tolerance
         ("m", "t3", 100, "kg"), ("t3", "b", 130, "t"),    # units differ: not compared
         ("m", "t4", None, "t"), ("t4", "b", 300, "t")],   # a volume missing: not compared
    )
    gaps = mass_balance_gaps(chain)
    assert gaps["actor"].tolist() == ["t1"]
    assert gaps["score"].tolist() == pytest.approx([0.25])
    assert gaps["reason"].iloc[0].startswith("ships 125.0 t but receives 100.0 t: 25% more out than in (tolerance 10%)")
    assert mass_balance_gaps(chain, tolerance=0.30).empty


def test_sourcing_shifts_between_years():
    chain = chain_of(
        [("ci", "cooperative", "CI"), ("gh", "cooperative", "GH"), ("t", "trader", "NL"), ("u", "trader", "NL")],
        [("ci", "t", 80, "t", 2024), ("gh", "t", 20, "t", 2024), ("ci", "t", 30, "t", 2025), ("gh", "t", 70, "t", 2025),
         ("ci", "u", 50, "t", 2024), ("gh", "u", 50, "t", 2024),
         ("ci", "u", 40, "t", 2025), ("gh", "u", 60, "t", 2025)],
    )
    shifts = sourcing_shifts(chain, threshold=0.3)
    assert shifts[["actor", "year"]].values.tolist() == [["t", 2025]]
    assert shifts["score"].iloc[0] == pytest.approx(0.5)
    assert "share from CI fell from 80% (2024) to 30% (2025)" in shifts["reason"].iloc[0]


def test_isolation_forest_flags_an_odd_trader_with_reasons():
    from riskgraph.chain.generate import generate_chain

    chain = generate_chain("food", 120, seed=3)
    farms = chain.actors.loc[chain.actors["stage"] == "farm", "id"].tolist()
    maker = chain.actors.loc[chain.actors["stage"] == "manufacturer", "id"].iloc[0]
    odd = pd.DataFrame([{"id": "odd_trader", "name": "Odd", "stage": "trader", "country": "NL", "sector": "food"}])
    flows = pd.DataFrame({"source": farms[:40] + ["odd_trader"], "target": ["odd_trader"] * 40 + [maker],
                          "volume": [1e5] * 40 + [4e7], "unit": "t", "year": 2024})
    chain = chain.replace(actors=pd.concat([chain.actors, odd], ignore_index=True),
                          flows=pd.concat([chain.flows, flows], ignore_index=True))
    flagged = isolation_anomalies(chain).set_index("actor")
    assert "odd_trader" in flagged.index
    assert "suppliers 40" in flagged.loc["odd_trader", "reason"]
    assert isolation_anomalies(chain.replace(actors=chain.actors.head(20), flows=chain.flows.head(10))).empty


def test_every_anomaly_has_a_reason(gold):
    found = anomalies(gold)
    assert found["reason"].str.len().gt(20).all()


# --------------------------------------------------------------------------- entry point and outputs


def test_find_hotspots_options(eudr):
    only = find_hotspots(eudr, theme="deforestation", top=2)
    assert set(only.hotspots["theme"]) == {"deforestation"} and only.hotspots["rank"].max() == 2
    assert set(only.chokepoints["theme"]) == {"deforestation"} and only.chokepoints["rank"].max() <= 2
    with pytest.raises(InputError, match="theme must be one of"):
        find_hotspots(eudr, theme="forests")
    with pytest.raises(InputError, match="top must be at least 1"):
        find_hotspots(eudr, top=0)


def test_plots_from_a_file_replace_the_chain_plots(gold):
    found = find_hotspots(gold, plots=DATA / "eudr_small" / "plots.geojson")
    assert "unknown_actor" in set(found.geolocation_findings["rule"])  # none of these plots is a gold actor


def test_to_dict_has_exactly_the_documented_shape(eudr_found):
    document = eudr_found.to_dict()
    assert list(document) == ["hotspots", "geolocation_findings"]
    assert all(list(h) == ["actor", "theme", "score", "rank", "reasons"] for h in document["hotspots"])
    assert all(list(f) == ["plot", "rule", "detail"] for f in document["geolocation_findings"])
    json.dumps(document)


def test_to_geojson(eudr_found, tmp_path):
    path = eudr_found.to_geojson(tmp_path / "hotspots.geojson")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    by_plot = {f["properties"]["plot"]: f for f in document["features"] if f["properties"]["kind"] == "plot"}
    assert by_plot["BR-LOSS-2022"]["geometry"]["type"] == "Polygon"
    assert by_plot["CI-5DEC"]["geometry"]["coordinates"] == [-6.58123, 5.79321]
    for feature in document["features"]:
        assert isinstance(feature["properties"]["score"], float) and feature["properties"]["reasons"]
    assert len(document["features"]) + document["unlocated"] == len(eudr_found.hotspots)


def test_top_hotspots_per_theme(eudr):
    table = top_hotspots(eudr, top=2)
    assert table.columns.tolist() == ["chain", "theme", "rank", "actor", "name", "stage", "country", "score", "reasons"]
    assert table.groupby("theme")["rank"].max().le(2).all()
    assert table["reasons"].map(lambda r: isinstance(r, str)).all()  # joined text (English; a Phrase says it in Dutch)


def test_html_map_is_self_contained_and_renders(eudr_found, tmp_path):
    path = eudr_found.to_html(tmp_path / "map.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert "http://" not in text and "https://" not in text
    assert " src=" not in text and "<link" not in text
    assert 'class="hs deforestation"' in text and "BR-LOSS-2022" in text
    if not CHROMIUM.exists():
        return  # the structural checks above stand in for a rendering
    png = tmp_path / "map.png"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    "--window-size=1200,900", f"--screenshot={png}", path.as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


# --------------------------------------------------------------------------- command line


@pytest.fixture
def main():
    """The riskgraph entry point with the hotspots command registered (as riskgraph.cli will)."""
    from riskgraph.cli import cli, main
    from riskgraph.cli.hotspots import hotspots

    if "hotspots" not in cli.commands:
        cli.add_command(hotspots)

    def run(*args):
        with pytest.raises(SystemExit) as exit_info:
            main(list(args) + ["-q"])
            raise SystemExit(0)
        return exit_info.value.code

    return run


def test_cli_json_is_exactly_the_documented_document(capsys):
    from riskgraph.cli.hotspots import hotspots

    result = CliRunner().invoke(hotspots, [str(DATA / "gold_dol"), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["hotspots", "geolocation_findings"]
    assert [(h["actor"], h["theme"], h["rank"]) for h in document["hotspots"]] == [
        ("mine_a", "child_labour", 1), ("mine_b", "child_labour", 2)]
    assert set(document["hotspots"][0]) == {"actor", "theme", "score", "rank", "reasons"}


def test_cli_formats_and_files(tmp_path):
    from riskgraph.cli.hotspots import hotspots

    runner = CliRunner()
    csv = runner.invoke(hotspots, [str(DATA / "eudr_small"), "--theme", "deforestation", "--top", "3",
                                   "--format", "csv"])
    assert csv.exit_code == 0
    rows = pd.read_csv(pd.io.common.StringIO(csv.stdout))
    assert rows["rank"].max() == 3 and set(rows["theme"]) == {"deforestation"}
    table = runner.invoke(hotspots, [str(DATA / "eudr_small")])
    assert table.exit_code == 0 and "EUDR geolocation findings" in table.stdout
    for suffix in (".csv", ".geojson", ".html"):
        out = tmp_path / f"found{suffix}"
        result = runner.invoke(hotspots, [str(DATA / "eudr_small"), "--out", str(out), "-q"])
        assert result.exit_code == 0 and out.stat().st_size > 100
    result = runner.invoke(hotspots, [str(DATA / "gold_dol"), "--plots", str(DATA / "eudr_small" / "plots.geojson"),
                                      "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["geolocation_findings"]


def test_cli_exit_codes(main, tmp_path, data_dir):
    assert main("hotspots", str(DATA / "gold_dol")) == 0
    assert main("hotspots", str(DATA / "gold_dol"), "--out", str(tmp_path / "found.xlsx")) == 2  # InputError
    assert main("hotspots", str(DATA / "gold_dol"), "--theme", "forests") == 2  # click usage error
    assert main("hotspots", str(data_dir / "bad_rows")) == 1  # validation errors: rows were quarantined


def test_cli_help_has_an_example():
    from riskgraph.cli.hotspots import hotspots

    result = CliRunner().invoke(hotspots, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--plots" in result.output


def test_repeated_plot_ids_in_a_plot_file_are_findings_not_a_crash(eudr, tmp_path):
    """Real EU plot files repeat plot ids; `hotspots --plots` crashed on a non-unique index."""
    source = json.loads((DATA / "eudr_small" / "plots.geojson").read_text(encoding="utf-8"))
    features = source["features"]
    repeated = features + [json.loads(json.dumps(f)) for f in features[:2]]  # the first two plots again
    for feature in repeated[len(features):]:
        feature["properties"]["forest_loss_ha_after_2020"] = 2.5
    path = tmp_path / "plots.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": repeated}), encoding="utf-8")
    found = find_hotspots(eudr, plots=path)
    duplicates = found.geolocation_findings[found.geolocation_findings["rule"] == "duplicate_plot_id"]
    assert len(duplicates) == 2
    assert found.plots["plot"].is_unique
    result = CliRunner().invoke(__import__("riskgraph.cli", fromlist=["cli"]).cli,
                                ["hotspots", str(DATA / "eudr_small"), "--plots", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    assert sum(f["rule"] == "duplicate_plot_id" for f in document["geolocation_findings"]) == 2
