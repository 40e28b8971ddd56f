"""EUDR geolocation checks: one hand-made plot file with a plot per rule, small in-code cases, real samples."""
from pathlib import Path

import pandas as pd
import pytest

import riskgraph as rg
from riskgraph.geo.plots import ERROR, INFO, WARNING, Rule, check_plot_file, plot_checks, read_plots

DATA = Path(__file__).parent / "data" / "hotspots"


def point(lon: str, lat: str) -> str:
    return '{"type": "Point", "coordinates": [' + f"{lon}, {lat}" + "]}"


def polygon(*rings) -> str:
    return '{"type": "Polygon", "coordinates": [' + ", ".join(
        "[" + ", ".join(f"[{x}, {y}]" for x, y in ring) + "]" for ring in rings) + "]}"


def plots_of(*rows, **columns) -> pd.DataFrame:
    """rows: (plot_id, geometry text[, area_ha])."""
    frame = pd.DataFrame([r + (None,) * (3 - len(r)) for r in rows], columns=["plot_id", "geometry", "area_ha"])
    return frame.assign(**columns)


def rules(checks, plot=None) -> set[str]:
    findings = checks.findings if plot is None else checks.findings[checks.findings["plot"] == plot]
    return set(findings["rule"])


# A 25 ha square in Ghana (500 m sides), written with six decimals.
SQUARE = [("-1.982275", "6.348210"), ("-1.977725", "6.348210"), ("-1.977725", "6.352710"),
          ("-1.982275", "6.352710"), ("-1.982275", "6.348210")]


@pytest.fixture(scope="module")
def small_chain():
    return rg.read_chain(DATA / "eudr_small")


@pytest.fixture(scope="module")
def small_checks(small_chain):
    return plot_checks(read_plots(DATA / "eudr_small" / "plots.geojson"), small_chain.actors)


def test_every_plot_of_the_hand_made_file_gets_exactly_its_findings(small_checks):
    found = small_checks.findings.groupby("plot")["rule"].agg(set).to_dict()
    assert found == {
        "CI-SWAP": {"axis_order"},
        "CI-PT-10HA": {"point_above_4ha"},
        "CI-5DEC": {"too_few_decimals"},
        "BR-OPEN": {"ring_not_closed"},
        "BR-AREA": {"area_mismatch"},
        "BR-3D": {"third_dimension"},
        "GHOST": {"unknown_actor"},
    }
    clean = {"CI-OK-01", "BR-LOSS-2019", "BR-LOSS-2022", "FR-OK"}
    assert clean <= set(small_checks.plots.loc[small_checks.plots["valid"], "plot"])
    severity = small_checks.findings.set_index("plot")["severity"].to_dict()
    assert severity == {"CI-SWAP": ERROR, "CI-PT-10HA": ERROR, "CI-5DEC": ERROR, "BR-OPEN": ERROR,
                        "BR-AREA": WARNING, "BR-3D": INFO, "GHOST": ERROR}


def test_a_point_of_10_ha_needs_a_polygon():
    checks = plot_checks(plots_of(("big", point("-6.581234", "5.791234"), 10.0),
                                  ("small", point("-6.581234", "5.791234"), 4.0)), country="CI")
    assert rules(checks, "big") == {"point_above_4ha"}
    assert rules(checks, "small") == set()


def test_swapped_lon_lat_is_found_by_the_declared_country(small_checks):
    detail = small_checks.findings.set_index("plot").loc["CI-SWAP", "detail"]
    assert "swapped it lies in CI" in detail and "[lon, lat]" in detail
    assert small_checks.plots.set_index("plot").loc["CI-SWAP", "located_in"] == "GQ"


def test_decimals_are_counted_on_the_text_not_the_float():
    checks = plot_checks(plots_of(
        ("trailing_zeros", point("-5.312100", "7.203200"), 1.0),    # 6 decimals as written
        ("five", point("-6.58123", "5.79321"), 1.0),                # every value short: error
        ("mixed", point("-5.31210", "7.203200"), 1.0),              # one value short: stripped zero, warning
        ("many", point("-5.312100123456789", "7.2032001234567"), 1.0),  # more than 6 is fine
    ), country="CI")
    table = checks.findings.set_index("plot")
    assert set(table.index) == {"five", "mixed"}
    assert table.loc["five", "severity"] == ERROR and table.loc["mixed", "severity"] == WARNING
    assert "1 of 2 coordinate values" in table.loc["mixed", "detail"]
    decimals = checks.plots.set_index("plot")[["decimals_min", "decimals_max"]]
    assert decimals.loc["trailing_zeros"].tolist() == [6, 6]
    assert decimals.loc["many"].tolist() == [13, 15]


def test_unclosed_ring_is_found_and_closed_for_the_other_checks(small_checks):
    table = small_checks.plots.set_index("plot")
    assert table.loc["BR-OPEN", "geodesic_area_ha"] == pytest.approx(48.808, abs=0.01)
    assert "repeat the first position" in small_checks.findings.set_index("plot").loc["BR-OPEN", "detail"]


def test_rings_need_four_positions_and_must_be_valid():
    bowtie = [SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3], SQUARE[0]]
    checks = plot_checks(plots_of(
        ("triangle_short", polygon([SQUARE[0], SQUARE[1], SQUARE[0]]), 1.0),
        ("bowtie", polygon(bowtie), 25.0),
        ("hole_is_shell", polygon(SQUARE, SQUARE), 25.0),
        ("fine", polygon(SQUARE), 25.0),
    ), country="GH")
    assert rules(checks, "triangle_short") == {"too_few_positions"}
    table = checks.findings[checks.findings["rule"] == "invalid_polygon"].set_index("plot")["detail"]
    assert "Self-intersection" in table["bowtie"]
    assert "interior ring 1 repeats the exterior ring" in table["hole_is_shell"]
    assert "the area is zero" in table["hole_is_shell"]
    assert rules(checks, "fine") == set()


def test_declared_area_is_compared_with_the_geodesic_area(small_checks):
    table = small_checks.plots.set_index("plot")
    assert table.loc["BR-LOSS-2022", "geodesic_area_ha"] == pytest.approx(99.614, abs=0.01)
    assert table.loc["CI-OK-01", "geodesic_area_ha"] == pytest.approx(3.226, abs=0.01)
    assert "+99.2%" in small_checks.findings.set_index("plot").loc["BR-AREA", "detail"]
    # 25.05 ha declared as 23 ha is within 10 %, as 22 ha it is not
    checks = plot_checks(plots_of(("ok", polygon(SQUARE), 23.0), ("off", polygon(SQUARE), 22.0)), country="GH")
    assert set(checks.findings["plot"]) == {"off"}


def test_3d_positions_and_multipolygons(small_checks):
    table = small_checks.plots.set_index("plot")
    assert table.loc["BR-3D", "geometry_type"] == "MultiPolygon"
    assert table.loc["BR-3D", "geodesic_area_ha"] == pytest.approx(2 * 8.964, abs=0.02)
    assert "third value (elevation)" in small_checks.findings.set_index("plot").loc["BR-3D", "detail"]


def test_plots_are_linked_to_actors(small_checks):
    detail = small_checks.findings.set_index("plot").loc["GHOST", "detail"]
    assert detail == "actor_id 'nobody' is not an actor of the chain"
    actors = pd.DataFrame({"id": ["a"], "country": ["CI"]})
    unlinked = plot_checks(plots_of(("p", point("-6.581234", "5.791234"), 1.0)), actors)
    assert unlinked.findings["detail"].tolist() == ["the plot has no actor_id; link it to the producer in actors"]


def test_structure_rules():
    checks = plot_checks(plots_of(
        (None, point("-6.581234", "5.791234"), 1.0),
        ("dup", point("-6.581234", "5.791234"), 1.0),
        ("dup", point("-6.581234", "5.791234"), 1.0),
        ("none", None, 1.0),
        ("line", '{"type": "LineString", "coordinates": [[0.1, 0.2], [0.3, 0.4]]}', 1.0),
        ("text_numbers", '{"type": "Point", "coordinates": ["-6.581234", "5.791234"]}', 1.0),
        ("broken", '{"type": "Point", "coordinates": [1.0, ', 1.0),
        ("far", point("108.891234", "200.123456"), 1.0),
    ), country="CI")
    assert checks.findings[["plot", "rule"]].values.tolist() == [
        ["feature 1", "missing_plot_id"],
        ["dup (feature 3)", "duplicate_plot_id"],
        ["none", "missing_geometry"],
        ["line", "unsupported_geometry"],
        ["text_numbers", "unsupported_geometry"],
        ["broken", "unsupported_geometry"],
        ["far", "coordinate_out_of_range"],
    ]


def test_country_tolerance_near_borders():
    """Nearest-place test: a point in Belgium declared Dutch passes when a Dutch place lies within the band."""
    plots = plots_of(("antwerp_north", point("4.400000", "51.300000"), 1.0),
                     ("brussels", point("4.350000", "50.850000"), 1.0), country="NL")
    checks = plot_checks(plots)
    assert checks.findings[["plot", "rule"]].values.tolist() == [["brussels", "outside_declared_country"]]
    assert checks.findings["severity"].tolist() == [WARNING]
    assert plot_checks(plots, border_km=60).findings.empty


def test_chunks_give_the_same_findings(small_chain):
    plots = read_plots(DATA / "eudr_small" / "plots.geojson")
    whole = plot_checks(plots, small_chain.actors)
    pieces = plot_checks(plots, small_chain.actors, chunk_size=3)
    pd.testing.assert_frame_equal(whole.findings, pieces.findings)
    pd.testing.assert_frame_equal(whole.plots, pieces.plots)


def test_csv_and_kml_plot_files(tmp_path):
    (tmp_path / "plots.csv").write_text(
        "plot_id,latitude,longitude,area_ha\nA,5.791234,-6.581234,1.2\nB,108.8934,11.9432,1\n")
    checks = check_plot_file(tmp_path / "plots.csv", country="CI")
    assert rules(checks, "A") == set()
    assert rules(checks, "B") == {"coordinate_out_of_range", "axis_order", "too_few_decimals"}
    kml = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
           "<Placemark><name>K1</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
           + " ".join(f"{x},{y},0" for x, y in SQUARE)
           + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>")
    (tmp_path / "plots.kml").write_text(kml)
    checks = check_plot_file(tmp_path / "plots.kml", country="GH")
    assert set(checks.findings["rule"]) == {"third_dimension"}
    assert checks.plots.loc[0, "geodesic_area_ha"] == pytest.approx(25.05, abs=0.01)
    (tmp_path / "broken.kml").write_text(kml[:200])
    assert check_plot_file(tmp_path / "broken.kml").findings["rule"].tolist() == ["unreadable_file"]


def test_rule_codes_are_stable():
    assert [r.value for r in Rule] == [
        "unreadable_file", "missing_plot_id", "duplicate_plot_id", "missing_geometry", "unsupported_geometry",
        "coordinate_out_of_range", "axis_order", "outside_declared_country", "too_few_decimals",
        "point_above_4ha", "missing_area", "ring_not_closed", "too_few_positions", "invalid_polygon",
        "area_mismatch", "unknown_actor", "third_dimension",
    ]


# --------------------------------------------------------------------------- real sample files (read, never copied)

FIXTURES = ("samples", "eudr_geojson", "validator_fixtures_filovara", "fixtures")

# file → (declared country of production, a rule that must be found). The reversed file's plot is in
# Ghana (its note says so; plot ids GH-AH-…): a declaration states the country of production.
INVALID = {
    "duplicate-ring.geojson": (None, "invalid_polygon"),
    "feature-without-geometry.geojson": (None, "missing_geometry"),
    "latitude-out-of-range.geojson": (None, "coordinate_out_of_range"),
    "malformed.kml": (None, "unreadable_file"),
    "missing-plot-id.geojson": (None, "missing_plot_id"),
    "reversed-lat-lon.geojson": ("GH", "axis_order"),
    "self-intersecting-polygon.geojson": (None, "invalid_polygon"),
    "swapped-coordinate-columns.csv": (None, "axis_order"),
    "unclosed-ring.geojson": (None, "ring_not_closed"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixtures_give_their_expected_finding(shared_dir, name):
    path = shared_dir.joinpath(*FIXTURES, "invalid", name)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    country, rule = INVALID[name]
    checks = check_plot_file(path, country=country)
    assert rule in rules(checks), checks.findings
    assert not checks.ok
    if name == "duplicate-ring.geojson":
        assert "zero" in checks.findings.set_index("rule").loc["invalid_polygon", "detail"]
    if name == "swapped-coordinate-columns.csv":
        assert "coordinate_out_of_range" in rules(checks)


@pytest.mark.parametrize("name,country", [("point-under-4ha.geojson", "VN"), ("polygon-over-4ha.geojson", "GH"),
                                          ("multipolygon-farm.geojson", "CI")])
def test_valid_fixtures_pass(shared_dir, name, country):
    path = shared_dir.joinpath(*FIXTURES, "valid", name)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    checks = check_plot_file(path, country=country)
    assert checks.findings.empty, checks.findings
    assert checks.plots["located_in"].tolist() == [country]


def test_whisp_multipolygons_and_eu_examples(shared_dir):
    folder = shared_dir / "samples" / "eudr_geojson"
    whisp = sorted((folder / "whisp").glob("*.geojson"))
    eu = folder / "eu_traces_api_examples" / "cf7_retrieve_response_example_1.geojson"
    if not whisp or not eu.is_file():
        pytest.skip("EUDR sample files are not present")
    for path in whisp:
        checks = check_plot_file(path, country="BR")
        assert checks.ok and checks.plots.loc[0, "geometry_type"] == "MultiPolygon"
        assert checks.plots.loc[0, "decimals_max"] >= 13 and checks.plots.loc[0, "geodesic_area_ha"] > 100
    # the EU's own example writes 3.55957 (a 6-decimal value whose trailing zero was dropped): a warning
    checks = check_plot_file(eu)
    short = checks.findings[checks.findings["rule"] == "too_few_decimals"]
    assert short["severity"].tolist() == [WARNING] and "'3.55957'" in short["detail"].iloc[0]


def test_multipoint_is_accepted_and_held_to_the_4_ha_rule_like_a_point():
    multi = '{"type": "MultiPoint", "coordinates": [[-75.512345, 4.812345], [-75.514345, 4.814345]]}'
    plots = pd.DataFrame({"plot_id": ["small", "big"], "area_ha": [3.0, 9.0], "geometry": [multi, multi]})
    checks = plot_checks(plots, country="CO")
    assert checks.plots["geometry_type"].tolist() == ["MultiPoint", "MultiPoint"]
    assert checks.findings[["plot", "rule"]].values.tolist() == [["big", "point_above_4ha"]]
    assert checks.plots.loc[0, "lon"] == pytest.approx(-75.513345)  # the mean of its points


def test_cattle_establishments_may_be_points_of_any_area():
    # EUDR Art. 2(28): polygons above 4 ha only for plots used for commodities other than cattle.
    point = '{"type": "Point", "coordinates": [-52.123456, -10.654321]}'
    plots = pd.DataFrame({"plot_id": ["ranch", "soy"], "area_ha": [25.0, 25.0], "geometry": [point, point],
                          "establishment": [True, False]})
    findings = plot_checks(plots, country="BR").findings
    assert findings[["plot", "rule"]].values.tolist() == [["soy", "point_above_4ha"]]


# --------------------------------------------------------------------------- plot ids as real files write them

SQUARE_TEXT = "[[" + ", ".join(f"[{x}, {y}]" for x, y in SQUARE) + "]]"


def write_features(path: Path, properties: list[dict], geometry: str = '{"type": "Polygon", "coordinates": ' + SQUARE_TEXT + "}") -> Path:
    import json

    features = ",".join('{"type": "Feature", "properties": ' + json.dumps(p) + ', "geometry": ' + geometry + "}"
                        for p in properties)
    path.write_text('{"type": "FeatureCollection", "features": [' + features + "]}", encoding="utf-8")
    return path


@pytest.mark.parametrize("properties,expected", [
    ({"plot_id": "GH-1"}, "GH-1"),
    ({"plotId": "1", "external_id": ""}, "1"),            # Whisp's output table
    ({"plotId": "1", "external_id": "CI-P-001"}, "CI-P-001"),  # … with the user's own id
    ({"Plot ID": "GH-7"}, "GH-7"),
    ({"ProductionPlace": "Farm 1", "Area": 25.0}, "Farm 1"),  # the EU information system
    ({"id": 17}, "17"),
])
def test_plot_id_columns_are_recognised(tmp_path, properties, expected):
    checks = check_plot_file(write_features(tmp_path / "plots.geojson", [properties]), country="GH")
    assert checks.plots["plot"].tolist() == [expected]
    assert "missing_plot_id" not in rules(checks)


def test_whisp_output_table_plot_ids_and_csv_plot_id_header(tmp_path):
    # 31 "missing plot id" errors came from Whisp's plotId column; a CSV with "Plot ID" likewise
    whisp = [{"plotId": str(i), "external_id": "", "Country": "GHA", "Area": 25.0} for i in range(1, 32)]
    checks = check_plot_file(write_features(tmp_path / "whisp.geojson", whisp))
    assert "missing_plot_id" not in rules(checks) and checks.plots["plot"].tolist()[:2] == ["1", "2"]
    csv = tmp_path / "plots.csv"
    csv.write_text("Plot ID,Latitude,Longitude,Area\nGH-9,6.348210,-1.982275,1.5\n", encoding="utf-8")
    assert check_plot_file(csv, country="GH").plots["plot"].tolist() == ["GH-9"]


def test_empty_production_place_of_the_eu_examples_is_not_an_error(tmp_path):
    # the shape of the EU's TRACES retrieve responses: {"ProductionPlace": "", "Area": …}
    path = write_features(tmp_path / "dds.geojson", [{"ProductionPlace": "", "Area": 25.0},
                                                      {"ProductionPlace": "", "Area": 25.0}])
    checks = check_plot_file(path, country="GH")
    assert checks.ok
    assert checks.plots["plot"].tolist() == ["feature 1", "feature 2"]
    missing = checks.findings[checks.findings["rule"] == "missing_plot_id"]
    assert missing["severity"].tolist() == [INFO, INFO] and "ProductionPlace" in missing["detail"].iloc[0]
    assert "duplicate_plot_id" not in rules(checks)  # empty names are not repeated ids


def test_repeated_production_place_names_are_a_warning_and_repeated_ids_an_error(tmp_path):
    places = check_plot_file(write_features(tmp_path / "a.geojson", [{"ProductionPlace": "Farm 1"}] * 2),
                             country="GH")
    assert places.ok
    assert places.findings.set_index("rule").loc["duplicate_plot_id", "severity"] == WARNING
    ids = check_plot_file(write_features(tmp_path / "b.geojson", [{"plot_id": "P1"}] * 3), country="GH")
    assert not ids.ok
    assert ids.plots["plot"].tolist() == ["P1", "P1 (feature 2)", "P1 (feature 3)"]  # every plot keeps a key
    assert ids.plots["plot"].is_unique
    detail = ids.findings.set_index("plot").loc["P1 (feature 3)", "detail"]
    assert "feature 1" in detail.iloc[0] if isinstance(detail, pd.Series) else "feature 1" in detail


def test_a_missing_id_column_names_the_fields_looked_for(tmp_path):
    checks = check_plot_file(write_features(tmp_path / "p.geojson", [{"name": "Plot 12"}]), country="GH")
    finding = checks.findings.set_index("rule").loc["missing_plot_id"]
    assert finding["severity"] == ERROR and "plotId" in finding["detail"]
