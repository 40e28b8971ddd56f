"""`riskgraph plots check`: a plot file on its own, as the EU, Whisp and suppliers write them."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskgraph.cli import cli

DATA = Path(__file__).parent / "data" / "hotspots"
# A 25 ha square in Ghana, six decimals, lon/lat as GeoJSON writes them; and the same square written [lat, lon].
SQUARE = "[[[-1.982275, 6.348210], [-1.977725, 6.348210], [-1.977725, 6.352710], [-1.982275, 6.352710], [-1.982275, 6.348210]]]"
SWAPPED = "[[[6.348210, -1.982275], [6.348210, -1.977725], [6.352710, -1.977725], [6.352710, -1.982275], [6.348210, -1.982275]]]"


def feature_collection(path: Path, *features: tuple[dict, str]) -> Path:
    text = ",".join('{"type": "Feature", "properties": ' + json.dumps(p) + ', "geometry": {"type": "Polygon", '
                    '"coordinates": ' + coordinates + "}}" for p, coordinates in features)
    path.write_text('{"type": "FeatureCollection", "features": [' + text + "]}", encoding="utf-8")
    return path


def check(*args):
    return CliRunner().invoke(cli, ["plots", "check", *map(str, args)])


def test_a_clean_eu_statement_file_exits_0_with_json_findings(tmp_path):
    path = feature_collection(tmp_path / "dds.geojson", ({"ProductionPlace": "", "Area": 25.0}, SQUARE))
    result = check(path, "--country", "GH", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["plots"] == 1 and document["errors"] == 0
    assert [list(f) for f in document["findings"]] == [["plot", "rule", "severity", "detail"]]
    assert document["findings"][0]["severity"] == "info"


def test_swapped_coordinates_are_found_against_the_declared_country(tmp_path):
    path = feature_collection(tmp_path / "plots.geojson", ({"plot_id": "GH-1", "area_ha": 25.0}, SWAPPED))
    without = check(path, "--format", "json")
    assert "axis_order" not in {f["rule"] for f in json.loads(without.stdout)["findings"]}
    result = check(path, "--country", "Ghana", "--format", "json")
    assert result.exit_code == 1
    assert "axis_order" in {f["rule"] for f in json.loads(result.stdout)["findings"]}


def test_swapped_coordinates_are_found_against_the_actor_country(tmp_path):
    chain = tmp_path / "chain"
    chain.mkdir()
    (chain / "actors.csv").write_text("id,stage,country,sector,commodity\nfarm_gh,farm,GH,food,cocoa\n", encoding="utf-8")
    (chain / "flows.csv").write_text("source,target\n", encoding="utf-8")
    path = feature_collection(tmp_path / "plots.geojson",
                              ({"plot_id": "GH-1", "actor_id": "farm_gh", "area_ha": 25.0}, SWAPPED),
                              ({"plot_id": "GH-2", "actor_id": "farm_xx", "area_ha": 25.0}, SQUARE))
    result = check(path, "--chain", chain, "--format", "csv")
    assert result.exit_code == 1
    assert "GH-1,axis_order,error" in result.stdout and "GH-2,unknown_actor,error" in result.stdout


def test_repeated_ids_are_findings_and_out_writes_them(tmp_path):
    path = feature_collection(tmp_path / "plots.geojson", ({"plot_id": "P1", "area_ha": 25.0}, SQUARE),
                              ({"plot_id": "P1", "area_ha": 25.0}, SQUARE))
    result = check(path, "--country", "GH", "--out", tmp_path / "findings.csv")
    assert result.exit_code == 1 and "duplicate_plot_id" in result.stdout
    assert "P1 (feature 2)" in (tmp_path / "findings.csv").read_text(encoding="utf-8")


def test_unusable_options_exit_2(tmp_path):
    path = feature_collection(tmp_path / "plots.geojson", ({"plot_id": "P1"}, SQUARE))
    assert check(path, "--country", "Atlantis").exit_code == 2
    assert check(path, "--out", tmp_path / "findings.txt").exit_code == 2
    assert check(tmp_path / "missing.geojson").exit_code == 2


def test_an_unreadable_file_is_one_error_finding(tmp_path):
    broken = tmp_path / "broken.kml"
    broken.write_text("<kml><Document><Placemark>", encoding="utf-8")
    result = check(broken, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["rule"] == "unreadable_file"


@pytest.mark.parametrize("name", ["eu_traces_api_examples/cf7_retrieve_response_example_1.geojson",
                                  "eu_traces_api_examples/cf7_retrieve_response_example_2.geojson",
                                  "eu_traces_api_examples/cf2_submit_dds_import_example_farm1.geojson"])
def test_the_eus_own_examples_have_no_errors(shared_dir, name):
    path = shared_dir / "samples" / "eudr_geojson" / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    assert check(path).exit_code == 0
