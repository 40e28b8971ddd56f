"""Forest evidence from rasters: tiles written here with known forest and loss, plots with known answers.

The tiles follow the conventions of the distributed Hansen GFC products
(uint8, EPSG:4326, 0.00025° pixels, no nodata value, named with the top-left
corner of their 10° tile) but are small clips at the edge where the tiles
10N_080W and 10N_070W meet, so that a plot can cross from one into the other.

Map (tile A = clip of 10N_080W, lon −70.1…−70.0; tile B = clip of 10N_070W,
lon −70.0…−69.9; both lat 9.9…10.0):

* A: tree cover 80 %, except a strip lon −70.1…−70.075 with 10 %;
  loss 2022 at lat 10…9.95, lon −70.05…−70.0; loss 2015 at lat 9.95…9.9,
  lon −70.075…−70.05.
* B: tree cover 80 %; loss 2023 at lat 10…9.95, lon −70.0…−69.95.

Expected figures are the exact ellipsoidal areas of the rectangles
(:func:`riskgraph.forest.cell_area_ha`, checked against pyproj.Geod), which the
spec wants matched within 2 %.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings, strategies as st

from riskgraph.errors import InputError
from riskgraph.forest import (
    DECLARED_LOSS,
    cell_area_ha,
    find_tiles,
    forest_findings,
    geodesic_area_ha,
    hansen_name,
    plot_forest,
    write_tile,
)
from riskgraph.forest.findings import differ


RES = 0.00025
SIDE = 400  # pixels: 0.1°
JRC_RES = 0.000089831528412  # the JRC GFC2020 map's 10 m grid in degrees


def _rows(lat_top, lat_bottom, north=10.0):
    return slice(round((north - lat_top) / RES), round((north - lat_bottom) / RES))


def _cols(lon_west, lon_east, west):
    return slice(round((lon_west - west) / RES), round((lon_east - west) / RES))


@pytest.fixture(scope="module")
def gfc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gfc")
    tc_a = np.full((SIDE, SIDE), 80, np.uint8)
    tc_a[:, _cols(-70.1, -70.075, -70.1)] = 10
    ly_a = np.zeros((SIDE, SIDE), np.uint8)
    ly_a[_rows(10.0, 9.95), _cols(-70.05, -70.0, -70.1)] = 22
    ly_a[_rows(9.95, 9.9), _cols(-70.075, -70.05, -70.1)] = 15
    tc_b = np.full((SIDE, SIDE), 80, np.uint8)
    ly_b = np.zeros((SIDE, SIDE), np.uint8)
    ly_b[_rows(10.0, 9.95), _cols(-70.0, -69.95, -70.0)] = 23
    # Named as the distributed tiles (corner of the whole 10° tile), georeferenced as the clips they are.
    write_tile(folder / hansen_name("treecover2000", -80, 10), tc_a, west=-70.1, north=10.0)
    write_tile(folder / hansen_name("lossyear", -80, 10), ly_a, west=-70.1, north=10.0)
    write_tile(folder / "east" / hansen_name("treecover2000", -70, 10), tc_b, west=-70.0, north=10.0)
    write_tile(folder / "east" / hansen_name("lossyear", -70, 10), ly_b, west=-70.0, north=10.0)
    (folder / "lossyear.txt").write_text("download list, not a tile\n")
    return folder


def box_ha(west, south, east, north):
    return float(cell_area_ha(north, south, east - west))


def _plots(boxes: dict, **extra) -> pd.DataFrame:
    rows = []
    for plot_id, geometry in boxes.items():
        if geometry is None or isinstance(geometry, str):
            text = geometry
        else:
            text = shapely.to_geojson(shapely.box(*geometry))
        rows.append({"plot_id": plot_id, "geometry": text, **{k: v.get(plot_id) for k, v in extra.items()}})
    return pd.DataFrame(rows)


PLOTS = {
    "inside_loss": (-70.04, 9.96, -70.02, 9.98),
    "half_loss": (-70.04, 9.94, -70.02, 9.96),
    "no_loss": (-70.07, 9.98, -70.06, 9.99),
    "loss_2015": (-70.07, 9.92, -70.06, 9.93),
    "crossing": (-70.01, 9.97, -69.99, 9.99),
    "low_canopy": (-70.095, 9.98, -70.085, 9.99),
}


@pytest.fixture(scope="module")
def measured(gfc):
    plots = _plots(PLOTS)
    return plot_forest(plots, gfc_dir=gfc).set_index("plot_id")


def test_the_exact_cell_area_agrees_with_pyproj_and_the_earths_surface():
    for lat in (0.0, 10.0, 45.0, 70.0, -33.3):
        cell = shapely.box(10.0, lat, 10.0 + RES * 40, lat + RES * 40)
        assert float(cell_area_ha(lat + RES * 40, lat, RES * 40)) == pytest.approx(geodesic_area_ha(cell), rel=1e-6)
    # WGS84 surface: 510 065 621.7 km² (NIMA TR8350.2) = 51 006 562 172 ha.
    assert float(cell_area_ha(90, -90, 360)) == pytest.approx(51_006_562_172, rel=1e-9)


@given(st.floats(-80, 80), st.floats(0.0001, 5), st.floats(0.0001, 5))
@settings(max_examples=50, deadline=None)
def test_cell_areas_add_up_and_shrink_towards_the_poles(south, height, split):
    middle = south + min(split, height)
    top = south + height
    whole = cell_area_ha(top, south, 1.0)
    assert float(cell_area_ha(middle, south, 1.0) + cell_area_ha(top, middle, 1.0)) == pytest.approx(float(whole))
    if south >= 0:
        assert float(cell_area_ha(south + 0.1, south, 1.0)) >= float(cell_area_ha(top + 0.1, top, 1.0))


def test_a_plot_inside_the_loss_lost_all_its_forest_in_2022(measured):
    row = measured.loc["inside_loss"]
    area = box_ha(*PLOTS["inside_loss"])
    assert row["forest_2020_ha"] == pytest.approx(area, rel=0.02)
    assert row["forest_loss_ha_after_2020"] == pytest.approx(area, rel=0.02)
    assert row["forest_loss_by_year"] == {"2022": pytest.approx(area, rel=0.02)}
    assert row["forest_loss_year"] == 2022
    assert row["forest_source"] == "Hansen_GFC-2024-v1.12"
    assert row["forest_flag"] is None


def test_a_plot_half_over_the_loss_lost_half(measured):
    row = measured.loc["half_loss"]
    west, south, east, north = PLOTS["half_loss"]
    assert row["forest_2020_ha"] == pytest.approx(box_ha(west, south, east, north), rel=0.02)
    assert row["forest_loss_ha_after_2020"] == pytest.approx(box_ha(west, 9.95, east, north), rel=0.02)


def test_a_plot_outside_the_loss_keeps_its_forest(measured):
    row = measured.loc["no_loss"]
    assert row["forest_2020_ha"] == pytest.approx(box_ha(*PLOTS["no_loss"]), rel=0.02)
    assert row["forest_loss_ha_after_2020"] == 0
    assert row["forest_loss_by_year"] == {}
    assert pd.isna(row["forest_loss_year"])


def test_loss_before_2021_means_no_forest_in_2020_and_no_finding(measured):
    row = measured.loc["loss_2015"]
    assert row["forest_2020_ha"] == 0
    assert row["forest_loss_ha_after_2020"] == 0
    assert row["tree_cover_loss_ha_2001_2020"] == pytest.approx(box_ha(*PLOTS["loss_2015"]), rel=0.02)


def test_low_canopy_is_not_forest_at_30_percent_but_is_at_10(gfc, measured):
    assert measured.loc["low_canopy", "forest_2020_ha"] == 0
    low = plot_forest(_plots({"low_canopy": PLOTS["low_canopy"]}), gfc_dir=gfc, min_canopy=10)
    assert low.loc[0, "forest_2020_ha"] == pytest.approx(box_ha(*PLOTS["low_canopy"]), rel=0.02)


def test_a_plot_crossing_two_tiles_is_measured_in_both(measured):
    row = measured.loc["crossing"]
    west, south, east, north = PLOTS["crossing"]
    assert row["forest_2020_ha"] == pytest.approx(box_ha(west, south, east, north), rel=0.02)
    assert row["forest_loss_by_year"]["2022"] == pytest.approx(box_ha(west, south, -70.0, north), rel=0.02)
    assert row["forest_loss_by_year"]["2023"] == pytest.approx(box_ha(-70.0, south, east, north), rel=0.02)
    assert row["forest_loss_year"] == 2023
    assert row["forest_assessed_ha"] == pytest.approx(geodesic_area_ha(shapely.box(*PLOTS["crossing"])), rel=0.02)


def test_a_point_stands_for_a_circle_of_its_declared_area(gfc):
    plots = _plots({"p": '{"type": "Point", "coordinates": [-70.03, 9.97]}',
                    "q": '{"type": "Point", "coordinates": [-70.03, 9.97]}'}, area_ha={"p": 3.0})
    result = plot_forest(plots, gfc_dir=gfc).set_index("plot_id")
    assert result.loc["p", "forest_loss_ha_after_2020"] == pytest.approx(3.0, rel=0.02)
    assert result.loc["q", "forest_flag"] == "point_without_area"
    assert np.isnan(result.loc["q", "forest_2020_ha"])


def test_plots_outside_or_partly_outside_the_tiles_are_flagged(gfc):
    plots = _plots({"far": (20.0, 5.0, 20.01, 5.01), "edge": (-70.11, 9.98, -70.09, 9.99), "none": None})
    result = plot_forest(plots, gfc_dir=gfc).set_index("plot_id")
    assert result.loc["far", "forest_flag"] == "outside_tiles" and np.isnan(result.loc["far", "forest_2020_ha"])
    assert result.loc["edge", "forest_flag"] == "partly_outside_tiles"
    assert result.loc["edge", "forest_assessed_ha"] == pytest.approx(box_ha(-70.1, 9.98, -70.09, 9.99), rel=0.02)
    assert result.loc["none", "forest_flag"] == "no_geometry"
    findings = forest_findings(result.reset_index())
    assert set(findings.loc[findings["rule"] == "not_assessed", "plot_id"]) == {"far", "edge", "none"}


def test_multipolygons_and_3d_positions_are_measured_whole(gfc):
    a, b = PLOTS["inside_loss"], PLOTS["no_loss"]
    rings = [[[[x, y, 120.0] for x, y in shapely.box(*r).exterior.coords]] for r in (a, b)]
    plots = _plots({"m": json.dumps({"type": "MultiPolygon", "coordinates": rings})})
    row = plot_forest(plots, gfc_dir=gfc).iloc[0]
    assert row["forest_2020_ha"] == pytest.approx(box_ha(*a) + box_ha(*b), rel=0.02)
    assert row["forest_loss_ha_after_2020"] == pytest.approx(box_ha(*a), rel=0.02)


@given(st.floats(-70.095, -70.01), st.floats(9.905, 9.99), st.floats(0.0005, 0.008), st.floats(0.0005, 0.008))
@settings(max_examples=25, deadline=None)
def test_the_assessed_area_is_the_geodesic_area_of_any_rectangle(gfc, west, south, width, height):
    plots = _plots({"r": (west, south, west + width, south + height)})
    row = plot_forest(plots, gfc_dir=gfc).iloc[0]
    assert row["forest_assessed_ha"] == pytest.approx(box_ha(west, south, west + width, south + height), rel=1e-4, abs=1e-4)
    assert row["forest_2020_ha"] <= row["forest_assessed_ha"] + 1e-9


def test_a_declared_figure_is_kept_and_disagreements_are_findings_with_figures(gfc):
    plots = _plots({"inside_loss": PLOTS["inside_loss"], "no_loss": PLOTS["no_loss"], "loss_2015": PLOTS["loss_2015"]},
                   forest_loss_ha_after_2020={"inside_loss": 0.0, "no_loss": 0.0, "loss_2015": 2.0})
    result = plot_forest(plots, gfc_dir=gfc)
    assert result[DECLARED_LOSS].tolist() == [0.0, 0.0, 2.0]
    again = plot_forest(result, gfc_dir=gfc)  # a second run keeps the declaration, not the first run's figure
    assert again[DECLARED_LOSS].tolist() == [0.0, 0.0, 2.0]
    findings = forest_findings(again)
    by_rule = findings.groupby("rule")["plot_id"].apply(set).to_dict()
    assert by_rule["declared_vs_satellite"] == {"inside_loss", "loss_2015"}
    assert by_rule["loss_before_cutoff"] == {"loss_2015"}
    detail = findings.loc[findings["plot_id"] == "inside_loss", "detail"].iloc[0]
    area = box_ha(*PLOTS["inside_loss"])
    assert f"declared 0.00 ha" in detail and f"{area:.2f} ha" in detail and "2022" in detail
    assert "Hansen_GFC-2024-v1.12" in detail


def test_figures_agree_within_a_pixel_or_ten_percent():
    assert differ([0.0, 10.0, np.nan], [0.09, 10.9, 5.0]).tolist() == [False, False, False]
    assert differ([0.0, 10.0], [0.2, 11.5]).tolist() == [True, True]


def test_the_jrc_map_decides_forest_in_2020_and_hansen_the_loss(gfc, tmp_path):
    # JRC forest (value 1) on lat 10…9.95 × lon −70.05…−70.0, elsewhere 0, at the JRC's 10 m grid.
    n_x, n_y = round(0.1 / JRC_RES) + 1, round(0.1 / JRC_RES) + 1
    lon = -70.1 + (np.arange(n_x) + 0.5) * JRC_RES
    lat = 10.0 - (np.arange(n_y) + 0.5) * JRC_RES
    values = ((lat[:, None] > 9.95) & (lon[None, :] > -70.05)).astype(np.uint8)
    write_tile(tmp_path / "JRC_GFC2020_V2_N10_W80.tif", values, west=-70.1, north=10.0, res=JRC_RES)
    plots = _plots({"inside_loss": PLOTS["inside_loss"], "no_loss": PLOTS["no_loss"], "half": PLOTS["half_loss"]})
    result = plot_forest(plots, gfc_dir=gfc, jrc_dir=tmp_path).set_index("plot_id")
    assert result.loc["inside_loss", "forest_2020_ha"] == pytest.approx(box_ha(*PLOTS["inside_loss"]), rel=0.02)
    assert result.loc["inside_loss", "forest_loss_ha_after_2020"] == pytest.approx(box_ha(*PLOTS["inside_loss"]),
                                                                                   rel=0.02)
    assert result.loc["no_loss", "forest_2020_ha"] == 0  # 80 % tree cover, but not forest on the JRC map
    west, south, east, north = PLOTS["half_loss"]
    assert result.loc["half", "forest_2020_ha"] == pytest.approx(box_ha(west, 9.95, east, north), rel=0.02)
    assert result.loc["inside_loss", "forest_source"] == "JRC_GFC2020_V2 (forest 2020); Hansen_GFC-2024-v1.12 (lossyear)"


def test_nodata_cells_are_not_assessed(tmp_path):
    tc = np.full((SIDE, SIDE), 80, np.uint8)
    ly = np.zeros((SIDE, SIDE), np.uint8)
    ly[:, : SIDE // 2] = 255
    write_tile(tmp_path / hansen_name("treecover2000", 0, 10), tc, west=0.0, north=10.0, nodata=255)
    write_tile(tmp_path / hansen_name("lossyear", 0, 10), ly, west=0.0, north=10.0, nodata=255)
    row = plot_forest(_plots({"x": (0.04, 9.95, 0.06, 9.96)}), gfc_dir=tmp_path).iloc[0]
    assert row["forest_assessed_ha"] == pytest.approx(box_ha(0.05, 9.95, 0.06, 9.96), rel=0.02)
    assert row["forest_2020_ha"] == pytest.approx(box_ha(0.05, 9.95, 0.06, 9.96), rel=0.02)


def test_tiles_are_found_by_georeferencing_and_versions_are_not_mixed(gfc, tmp_path):
    tiles = find_tiles(gfc)
    assert sorted((t.grid.west, t.grid.north) for t in tiles.gfc) == [(-70.1, 10.0), (-70.0, 10.0)]
    assert all(t.grid.width == SIDE for t in tiles.gfc)
    write_tile(tmp_path / hansen_name("treecover2000", 0, 10), np.zeros((8, 8)), west=0.0, north=10.0)
    with pytest.raises(InputError, match="no Hansen GFC 'lossyear'"):
        find_tiles(tmp_path)
    write_tile(tmp_path / hansen_name("lossyear", 0, 10, version="GFC-2023-v1.11"), np.zeros((8, 8)),
               west=0.0, north=10.0)
    with pytest.raises(InputError, match="several Hansen GFC versions"):
        find_tiles(tmp_path)
    with pytest.raises(InputError, match="no such folder"):
        find_tiles(tmp_path / "missing")


def test_tiles_must_be_latitude_longitude(tmp_path):
    import rasterio
    from affine import Affine

    for layer in ("treecover2000", "lossyear"):
        with rasterio.open(tmp_path / hansen_name(layer, 0, 10), "w", driver="GTiff", width=4, height=4, count=1,
                           dtype="uint8", crs="EPSG:3857", transform=Affine(30, 0, 0, 0, -30, 0)) as dst:
            dst.write(np.zeros((1, 4, 4), np.uint8))
    with pytest.raises(InputError, match="EPSG:4326"):
        find_tiles(tmp_path)


def test_a_bad_canopy_threshold_is_a_usage_error(gfc):
    with pytest.raises(InputError, match="min_canopy"):
        plot_forest(_plots({"a": PLOTS["no_loss"]}), gfc_dir=gfc, min_canopy=130)


def test_progress_reports_plots_and_tiles(gfc):
    calls = []
    plot_forest(_plots(PLOTS), gfc_dir=gfc, progress=lambda *args: calls.append(args))
    assert calls[-1] == (len(PLOTS), len(PLOTS), 2, 2)


def test_a_plot_the_rasters_cannot_measure_keeps_its_figures(gfc):
    plots = _plots({"far": (20.0, 5.0, 20.01, 5.01), "near": PLOTS["inside_loss"]},
                   forest_loss_ha_after_2020={"far": 1.5, "near": 0.0})
    result = plot_forest(plots, gfc_dir=gfc).set_index("plot_id")
    assert result.loc["far", "forest_loss_ha_after_2020"] == 1.5  # the declaration, not "no loss"
    assert pd.isna(result.loc["far", "forest_source"]) and result.loc["far", "forest_flag"] == "outside_tiles"
    assert result.loc["near", "forest_loss_ha_after_2020"] == pytest.approx(box_ha(*PLOTS["inside_loss"]), rel=0.02)
    findings = forest_findings(result.reset_index())
    assert findings.set_index("plot_id").loc["far", "rule"] == "not_assessed"  # not "declared vs satellite"


# --------------------------------------------------------------------------- the command


def _cli(args):
    from click.testing import CliRunner

    from riskgraph.cli import cli

    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_the_forest_command_writes_plots_and_findings(gfc, tmp_path):
    from riskgraph.chain.io import read_geojson_plots

    source = tmp_path / "plots.geojson"
    from riskgraph.chain.io import write_geojson_plots

    write_geojson_plots(_plots({"inside_loss": PLOTS["inside_loss"], "no_loss": PLOTS["no_loss"]},
                               forest_loss_ha_after_2020={"inside_loss": 0.0, "no_loss": 0.0}), source)
    out = tmp_path / "out" / "plots.forest.geojson"
    result = _cli(["forest", str(source), "--gfc", str(gfc), "--out", str(out)])
    assert result.exit_code == 1, result.output  # the declared 0 ha disagrees with the rasters
    assert "declared 0.00 ha of forest loss after 2020, Hansen_GFC-2024-v1.12 show" in result.stderr
    written = read_geojson_plots(out).frame.set_index("plot_id")
    assert float(written.loc["inside_loss", "forest_loss_ha_after_2020"]) == pytest.approx(
        box_ha(*PLOTS["inside_loss"]), rel=0.02)
    assert json.loads(written.loc["inside_loss", "forest_loss_by_year"]).keys() == {"2022"}
    assert float(written.loc["inside_loss", "declared_forest_loss_ha_after_2020"]) == 0
    findings = pd.read_csv(tmp_path / "out" / "plots.forest.findings.csv")
    assert findings["rule"].tolist() == ["declared_vs_satellite"]


def test_the_forest_command_exits_0_without_findings_and_2_on_bad_input(gfc, tmp_path):
    from riskgraph.chain.io import write_geojson_plots

    source = tmp_path / "plots.geojson"
    write_geojson_plots(_plots({"no_loss": PLOTS["no_loss"]}), source)
    ok = _cli(["forest", str(source), "--gfc", str(gfc), "--out", str(tmp_path / "o.geojson"), "-q"])
    assert ok.exit_code == 0 and ok.stderr == ""
    missing = _cli(["forest", str(source), "--gfc", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o.geojson")])
    assert missing.exit_code == 2 and "no such folder" in missing.stderr
    bad = _cli(["forest", str(source), "--gfc", str(gfc), "--min-canopy", "101", "--out", str(tmp_path / "o.geojson")])
    assert bad.exit_code == 2


SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples" / "eudr_geojson" / "whisp"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples/eudr_geojson/whisp (Whisp's test plots) not present")
def test_whisps_own_multipolygon_plots_are_measured_part_by_part(tmp_path):
    # Whisp's test plots (northern Brazil) are one MultiPolygon spanning 20° of longitude; a clip of
    # tile 00N_070W under its first square, forest lost in 2022, measures that part and flags the rest.
    from riskgraph.geo.plots import read_plots

    plots = read_plots(SAMPLES / "whisp_nBR_plots_pasture_after2020.geojson")
    first = shapely.get_geometry(shapely.from_geojson(plots.loc[0, "geometry"]), 0)
    west, south, east, north = first.bounds
    clip_west, clip_north = np.floor(west / RES) * RES - 0.01, np.ceil(north / RES) * RES + 0.01
    side = 200
    write_tile(tmp_path / hansen_name("treecover2000", -70, 0), np.full((side, side), 90, np.uint8),
               west=clip_west, north=clip_north)
    write_tile(tmp_path / hansen_name("lossyear", -70, 0), np.full((side, side), 22, np.uint8),
               west=clip_west, north=clip_north)
    row = plot_forest(plots, gfc_dir=tmp_path).iloc[0]
    assert row["forest_flag"] == "partly_outside_tiles"
    assert row["forest_loss_ha_after_2020"] == pytest.approx(geodesic_area_ha(first), rel=0.02)
    assert row["forest_loss_by_year"] == {"2022": pytest.approx(geodesic_area_ha(first), rel=0.02)}


def test_the_forest_command_compares_with_whisp(gfc, tmp_path):
    from riskgraph.chain.io import write_geojson_plots

    whisp = Path(__file__).parent / "data" / "whisp" / "whisp_results_ha.csv"
    source = tmp_path / "plots.geojson"
    write_geojson_plots(_plots({"CI-P-001": PLOTS["inside_loss"], "CI-P-004": PLOTS["loss_2015"]}), source)
    out = tmp_path / "checked.geojson"
    result = _cli(["forest", str(source), "--gfc", str(gfc), "--whisp", str(whisp), "--out", str(out)])
    assert result.exit_code == 1
    findings = pd.read_csv(tmp_path / "checked.findings.csv")
    assert findings[["plot_id", "rule"]].values.tolist() == [["CI-P-001", "satellite_vs_whisp"]]
    area = box_ha(*PLOTS["inside_loss"])
    assert f"show {area:.2f} ha" in findings["detail"][0] and "Whisp shows 1.20 ha" in findings["detail"][0]
    assert "2 Whisp rows could not be used" in result.stderr
    assert "2 Whisp plots match no plot id" in result.stderr  # CI-P-002 and CI-P-003
