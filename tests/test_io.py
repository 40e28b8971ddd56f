"""Readers tolerate real files; writers round-trip losslessly (CSV ↔ Excel ↔ Parquet)."""
import json

import pandas as pd
import pytest

import riskgraph as rg
from riskgraph.chain.io import normalise_header, read_geojson_plots
from riskgraph.testing import assert_chain_equal


def test_semicolons_cp1252_decimal_commas_and_dutch_country_names(data_dir):
    chain = rg.read_chain(data_dir / "messy_cp1252")
    assert chain.report.ok
    assert chain.actors["id"].tolist() == ["1", "2", "003", "4", "5"]  # numeric ids stay text, leading zeros kept
    assert chain.actors["name"].tolist()[:2] == ["Coopérative Daloa", "Plantation Soubré"]
    assert chain.actors["country"].tolist() == ["CI", "CI", "NL", "NL", "NL"]
    assert chain.actors["lat"].tolist()[:2] == [6.877, 5.785]
    assert chain.flows["volume"].tolist()[:3] == [1250.5, 1200.0, 800.25]
    assert chain.actors["sector"].unique().tolist() == ["food"]  # "Food" normalised


def test_trailing_empty_rows_are_counted_not_quarantined(data_dir):
    counts = rg.read_chain(data_dir / "messy_cp1252").report.counts.set_index("table")
    assert counts.loc["actors", ["rows_in", "accepted", "quarantined", "empty_rows"]].tolist() == [5, 5, 0, 2]


def test_extra_columns_are_kept_under_their_own_header(data_dir):
    chain = rg.read_chain(data_dir / "messy_cp1252")
    assert "Certificaat" in chain.actors.columns and "Remark" in chain.flows.columns
    assert chain.flows["Remark"].tolist()[0] == "weighed at gate"


def test_utf8_bom_and_alpha3_and_turkish_names(data_dir):
    chain = rg.read_chain(data_dir / "bom_utf8")
    assert chain.report.ok
    assert chain.actors.columns[0] == "id"
    assert chain.actors["country"].tolist() == ["TR", "TR", "BE"]
    assert chain.actors["sector"].tolist() == ["natural_stone"] * 3


@pytest.mark.parametrize(
    ("header", "column"),
    [(" ID ", "id"), ("Country Code", "country"), ("LATITUDE", "lat"), ("lng", "lon"), ("Smelter ID", "smelter_id"),
     ("\ufeffid", "id")],
)
def test_headers_are_normalised(header, column):
    assert normalise_header(header, "actors") == column


@pytest.fixture
def food_chain(data_dir, tmp_path):
    """The messy chain plus plots, indicators and relevance: every table."""
    chain = rg.read_chain(data_dir / "messy_cp1252")
    plots = pd.DataFrame(
        {
            "plot_id": ["p1", "p2"],
            "actor_id": ["2", "2"],
            "area_ha": [3.5, 12.25],
            "forest_loss_ha_after_2020": [0.0, 1.5],
            "geometry": [
                '{"type": "Point", "coordinates": [-6.606000, 5.785000]}',
                '{"type": "Polygon", "coordinates": [[[-6.600000, 5.780000], [-6.590000, 5.780000], '
                '[-6.590000, 5.790000], [-6.600000, 5.780000]]]}',
            ],
        }
    )
    indicators = pd.DataFrame({"country": ["CI"], "theme": ["child_labour"], "score": [0.9], "commodity": ["cocoa"],
                               "source": ["own audit 2025"]})
    relevance = pd.DataFrame({"stage": ["processor"], "theme": ["child_labour"], "weight": [0.1]})
    return chain.replace(plots=plots, indicators=indicators, relevance=relevance)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_write_then_read_gives_the_same_chain(food_chain, tmp_path, fmt):
    target = tmp_path / ("chain.xlsx" if fmt == "xlsx" else "chain")
    rg.write_chain(food_chain, target, format=fmt)
    again = rg.read_chain(target)
    assert again.report.ok, again.report.errors
    assert_chain_equal(again, food_chain)


def test_csv_to_excel_to_parquet_to_csv_is_lossless(food_chain, tmp_path):
    rg.write_chain(food_chain, tmp_path / "a.xlsx")
    rg.write_chain(rg.read_chain(tmp_path / "a.xlsx"), tmp_path / "b", format="parquet")
    rg.write_chain(rg.read_chain(tmp_path / "b"), tmp_path / "c", format="csv")
    assert_chain_equal(rg.read_chain(tmp_path / "c"), food_chain)


def test_geojson_keeps_coordinate_literals_so_decimals_can_be_counted(tmp_path):
    (tmp_path / "plots.geojson").write_text(json.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"ProductionPlace": "Farm A", "Area": 2, "ProducerName": "X"},
                      "geometry": {"type": "Point", "coordinates": [0, 0]}}],
    }).replace("[0, 0]", "[-6.606000, 5.78500]"))
    raw = read_geojson_plots(tmp_path / "plots.geojson")
    record = raw.frame.iloc[0]
    assert record["geometry"] == '{"type": "Point", "coordinates": [-6.606000, 5.78500]}'
    assert record["plot_id"] == "Farm A" and record["area_ha"] == "2"
    assert record["producername"] == "X"


def test_missing_paths_and_non_chains_raise_input_errors(tmp_path):
    with pytest.raises(rg.InputError, match="no such file or folder"):
        rg.read_chain(tmp_path / "nowhere")
    with pytest.raises(rg.InputError, match="no actors and no flows table found"):
        rg.read_chain(tmp_path)
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(rg.InputError, match="expected a chain folder"):
        rg.read_chain(tmp_path / "x.txt")


def test_on_error_raise_stops_at_validation_errors(data_dir):
    with pytest.raises(rg.InputError, match=r"14 validation errors, first: actors.csv row 3: id is empty"):
        rg.read_chain(data_dir / "bad_rows", on_error="raise")


def test_excel_workbook_sheets_with_numeric_ids_and_namibia(tmp_path):
    actors = pd.DataFrame({"ID": [1, 2], "Stage": ["mine_asm", "refiner"], "Country": ["NA", "Zwitserland"],
                           "Sector": ["gold", "gold"]})
    flows = pd.DataFrame({"Source": [1], "Target": [2], "Volume": [3.5]})
    with pd.ExcelWriter(tmp_path / "members.xlsx") as writer:
        actors.to_excel(writer, sheet_name="Actors", index=False)
        flows.to_excel(writer, sheet_name="Flows", index=False)
        pd.DataFrame({"note": ["ignored"]}).to_excel(writer, sheet_name="Read me", index=False)
    chain = rg.read_chain(tmp_path / "members.xlsx")
    assert chain.report.ok
    assert chain.actors["id"].tolist() == ["1", "2"] and chain.actors["country"].tolist() == ["NA", "CH"]
    assert chain.flows["source"].tolist() == ["1"]
