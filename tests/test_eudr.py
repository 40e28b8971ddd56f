"""EUDR under Regulation (EU) 2023/1115 as amended by Regulation (EU) 2025/2650, on hand-made chains.

Each test names the rule (``datasets/regulation/eudr_rules.csv``) it specifies.
"""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli import cli
from riskgraph.regulation.eudr import eudr_role, eudr_statement, geometry_2d, resolve_product
from riskgraph.geo.plots import check_plot_file, plot_checks
from riskgraph.regulation.common import rules


def square(lon, lat, d=0.01, z=False):
    """GeoJSON text of a d° square with six-decimal literals (optionally with a third value)."""
    ring = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat)]
    tail = ", 12.5" if z else ""
    positions = ", ".join(f"[{x:.6f}, {y:.6f}{tail}]" for x, y in ring)
    return '{"type": "Polygon", "coordinates": [[' + positions + "]]}"


def point(lon, lat):
    return '{"type": "Point", "coordinates": [' + f"{lon:.6f}, {lat:.6f}" + "]}"


def chain_of(actors, flows, plots=None):
    actors = pd.DataFrame(actors, columns=["id", "stage", "country", "commodity", "sector"]).assign(
        name=lambda f: f["id"].str.upper())
    flows = pd.DataFrame(flows, columns=["source", "target", "commodity", "volume", "unit"]).assign(year=2025)
    return rg.Chain(actors=actors, flows=flows, plots=plots)


@pytest.fixture
def cocoa():
    """Ivorian farms → Dutch trader (imports) → Dutch chocolate maker → Dutch supermarket."""
    actors = [("f1", "farm", "CI", "cocoa", "food"), ("f2", "farm", "CI", "cocoa", "food"),
              ("tA", "trader", "NL", "cocoa", "food"), ("maker", "manufacturer", "NL", "chocolate", "food"),
              ("shop", "retailer", "NL", "chocolate", "food")]
    flows = [("f1", "tA", "cocoa beans", 60.0, "t"), ("f2", "tA", "cocoa beans", 40.0, "t"),
             ("tA", "maker", "cocoa beans", 100.0, "t"), ("maker", "shop", "chocolate", 150.0, "t")]
    plots = pd.DataFrame({
        "plot_id": ["p1", "p2"], "actor_id": ["f1", "f2"], "area_ha": [122.6, 122.5],
        "forest_loss_ha_after_2020": [0.0, 2.5], "geometry": [square(-6.45, 6.87), square(-6.60, 5.78)],
        "production_period": ["2025-01/2025-03", "2025-01/2025-03"], "legality_evidence": ["land title", "land title"],
    })
    return chain_of(actors, flows, plots)


# --------------------------------------------------------------------------- rules as data


def test_every_rule_has_an_article_a_source_and_a_known_severity():
    table = rules("eudr")
    assert table["rule_id"].is_unique and len(table) >= 20
    assert (table["article"].str.len() > 0).all() and (table["source"].str.len() > 0).all()
    assert set(table["severity"]) <= {"blocking", "required", "warning", "info"}
    cut = table.set_index("rule_id").loc["EUDR-CUTOFF"]
    assert "Art. 3(a)" in cut["article"] and cut["severity"] == "blocking"


def test_rules_command_prints_the_table_without_a_chain():
    result = CliRunner().invoke(cli, ["eudr", "--rules", "--format", "csv"])
    assert result.exit_code == 0, result.output
    printed = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(printed["rule_id"]) == list(rules("eudr")["rule_id"])


# --------------------------------------------------------------------------- HS codes (Annex I)


@pytest.mark.parametrize("commodity, code, expected, codes", [
    ("wood pulp", None, "wood", ["47"]),
    (None, "4703", "wood", ["47"]),
    ("chocolate", None, "cocoa", ["1806"]),
    (None, "1806 31", "cocoa", ["1806"]),
    ("palm oil", None, "oil_palm", ["1511"]),
    (None, "1513", "oil_palm", ["1513 21", "1513 29"]),
    ("cocoa", "2101", None, []),  # a code outside Annex I governs over the name
    ("granite", None, None, []),
])
def test_products_resolve_on_names_and_on_hs_codes(commodity, code, expected, codes):
    found, found_codes, _ = resolve_product(commodity, code)
    assert found == expected and found_codes == codes


def test_oil_palm_gets_its_annex_codes_1511_and_1513():
    # 'oil palm' (the Annex's spelling) and 'oil_palm' (the project's key) both give every oil-palm code.
    for name in ("oil palm", "oil_palm", "palm fruit"):
        commodity, codes, _ = resolve_product(name)
        assert commodity == "oil_palm"
        assert {"1511", "1513 21", "1513 29"} <= set(codes), name


def test_hs_codes_given_on_flows_are_used():
    chain = chain_of([("mill", "processor", "MY", "palm oil", "food"), ("nl", "manufacturer", "NL", "soap", "food")],
                     [("mill", "nl", "crude palm oil", 20.0, "t")])
    chain = chain.replace(flows=chain.flows.assign(hs_code="1511 10 90"))
    row = eudr_statement(chain, "nl").commodities.iloc[0]
    assert (row["commodity"], row["hs_codes"], row["matched_on"], row["quantity_kg"]) == (
        "oil_palm", "1511", "hs_code", 20000.0)


# --------------------------------------------------------------------------- roles (Art. 2, 4, 5 as amended)


def test_only_the_operator_placing_first_files_a_statement(cocoa):
    trader = eudr_role(cocoa, "tA", year=2025)
    assert trader.role == "operator" and trader.files_statement
    assert "Art. 7" in trader.reasons[0]
    maker = eudr_role(cocoa, "maker", year=2025)
    assert maker.role == "downstream_operator" and not maker.files_statement
    shop = eudr_role(cocoa, "shop", year=2025)
    assert shop.role == "trader" and not shop.files_statement  # the supermarket files nothing


def test_downstream_keeps_reference_numbers_only_of_suppliers_that_are_operators(cocoa):
    keep = eudr_role(cocoa, "maker").keep.set_index("supplier")
    assert keep.loc["tA", "supplier_role"] == "operator" and keep.loc["tA", "reference_needed"]
    missing = eudr_statement(cocoa, "maker").missing
    assert missing.loc[missing["item"] == "dds_reference", "actor"].tolist() == ["tA"]
    # The supermarket's supplier is a downstream operator: no reference number to keep (Art. 5(3)(a)).
    keep = eudr_role(cocoa, "shop").keep.set_index("supplier")
    assert keep.loc["maker", "supplier_role"] == "downstream_operator" and not keep.loc["maker", "reference_needed"]
    given = cocoa.replace(flows=cocoa.flows.assign(dds_reference=["", "", "25NLABCDEF1234", ""]))
    assert eudr_statement(given, "maker").missing.query("item == 'dds_reference'").empty


def test_sme_and_registration():
    chain = chain_of([("f", "farm", "BR", "soy", "food"), ("t", "trader", "NL", "soy", "food"),
                      ("w", "trader", "DE", "soy", "food")],
                     [("f", "t", "soy beans", 10.0, "t"), ("t", "w", "soy beans", 10.0, "t")])
    chain = chain.replace(actors=chain.actors.assign(sme=["", "no", "no"]))
    role = eudr_role(chain, "w")
    assert role.role == "trader" and "EUDR-REGISTER-NON-SME" in role.rule_ids


def test_actor_outside_the_union_is_not_the_operator():
    chain = chain_of([("f", "farm", "BR", "coffee", "food"), ("ch", "trader", "CH", "coffee", "food")],
                     [("f", "ch", "coffee", 5.0, "t")])
    role = eudr_role(chain, "ch")
    assert role.role == "outside_union" and "Art. 7" in role.reasons[0]


# --------------------------------------------------------------------------- what blocks (Art. 3, 9(1)(d))


def test_a_deforested_plot_blocks_and_is_never_exported(cocoa, tmp_path):
    statement = eudr_statement(cocoa, "tA", year=2025)
    blocking = statement.blocking.set_index("plot")
    assert blocking.loc["p2", "rule_id"] == "EUDR-CUTOFF" and "Art. 3(a)" in blocking.loc["p2", "article"]
    assert blocking.loc["p2", "share"] == pytest.approx(0.4)
    statement.write(tmp_path)
    exported = json.loads((tmp_path / "plots.geojson").read_text())
    assert [f["properties"]["ProductionPlace"] for f in exported["features"]] == ["p1"]
    assert check_plot_file(tmp_path / "plots.geojson").ok


def test_failed_geolocation_blocks_and_a_producer_without_plot_blocks(cocoa):
    bad = cocoa.plots.assign(forest_loss_ha_after_2020=0.0)
    bad.loc[1, "geometry"] = point(-6.60, 5.78)  # a 122.5 ha cocoa plot given as a point
    chain = cocoa.replace(plots=bad.iloc[[1]])
    blocking = eudr_statement(chain, "tA").blocking.set_index("actor")
    assert blocking.loc["f2", "rule_id"] == "EUDR-POLYGON-ABOVE-4HA" and "point_above_4ha" in blocking.loc[
        "f2", "reason"]
    assert blocking.loc["f2", "article"] == "Art. 2(28)"
    assert blocking.loc["f1", "rule_id"] == "EUDR-NO-GEOLOCATION"


def test_a_cattle_establishment_of_25_ha_may_be_a_point():
    plots = pd.DataFrame({"plot_id": ["ranch"], "actor_id": ["r"], "area_ha": [25.0],
                          "forest_loss_ha_after_2020": [0.0], "geometry": [point(-52.123456, -10.654321)]})
    chain = chain_of([("r", "farm", "BR", "cattle", "food"), ("nl", "trader", "NL", "beef", "food")],
                     [("r", "nl", "beef", 3.0, "t")], plots)
    statement = eudr_statement(chain, "nl")
    assert statement.blocking.empty, statement.blocking
    assert [f["properties"]["Area"] for f in statement.geojson["features"]] == [25.0]
    # The same point for 25 ha of soya is not enough (Art. 2(28): a polygon above 4 ha, other than cattle).
    soy = chain.replace(actors=chain.actors.assign(commodity=["soya", "soya"]),
                        flows=chain.flows.assign(commodity="soya beans"))
    assert eudr_statement(soy, "nl").blocking["rule_id"].tolist() == ["EUDR-POLYGON-ABOVE-4HA"]


def test_multipoint_passes_the_checks_and_is_exported():
    multi = '{"type": "MultiPoint", "coordinates": [[-75.512345, 4.812345], [-75.513456, 4.813456]]}'
    plots = pd.DataFrame({"plot_id": ["m"], "actor_id": ["f"], "area_ha": [3.0], "forest_loss_ha_after_2020": [0.0],
                          "geometry": [multi]})
    checks = plot_checks(plots, country="CO")
    assert checks.ok and checks.plots.loc[0, "geometry_type"] == "MultiPoint"
    chain = chain_of([("f", "farm", "CO", "coffee", "food"), ("nl", "trader", "NL", "coffee", "food")],
                     [("f", "nl", "green coffee", 2.0, "t")], plots)
    features = eudr_statement(chain, "nl").geojson["features"]
    assert json.loads(features[0]["geometry"])["type"] == "MultiPoint"


def test_output_is_2d_and_short_decimals_are_reported_not_padded(cocoa):
    plots = cocoa.plots.assign(forest_loss_ha_after_2020=0.0, area_ha=float("nan"))
    plots.loc[0, "geometry"] = square(-6.45, 6.87, z=True)
    plots.loc[1, "geometry"] = plots.loc[1, "geometry"].replace("-6.590000", "-6.59")
    statement = eudr_statement(cocoa.replace(plots=plots), "tA")
    geometries = {f["properties"]["ProductionPlace"]: f["geometry"] for f in statement.geojson["features"]}
    coordinates = json.loads(geometries["p1"])["coordinates"][0]
    assert all(len(position) == 2 for position in coordinates)
    assert "-6.59," in geometries["p2"]  # written as delivered, never padded
    warned = statement.warnings.set_index("plot")["rule_id"]
    assert warned["p1"] == "EUDR-2D-WGS84" and warned["p2"] == "EUDR-SIX-DECIMALS"
    areas = {f["properties"]["ProductionPlace"]: f["properties"]["Area"] for f in statement.geojson["features"]}
    assert areas["p1"] == pytest.approx(122.6, rel=0.01)  # geodesic area where none was declared


def test_geometry_2d_keeps_literals():
    text, dropped, short = geometry_2d('{"type": "Point", "coordinates": [5.100000, 52.1234567, 0]}')
    assert text == '{"type": "Point", "coordinates": [5.100000, 52.1234567]}' and dropped == 1 and short == 0


# --------------------------------------------------------------------------- Art. 9(1) information


def test_what_is_missing_is_listed_with_its_article():
    chain = chain_of([("f", "farm", "GH", "cocoa", "food"), ("nl", "trader", "NL", "cocoa", "food")],
                     [("f", "nl", "cocoa", 5.0, "pcs")],
                     pd.DataFrame({"plot_id": ["g"], "actor_id": ["f"], "area_ha": [2.0],
                                   "forest_loss_ha_after_2020": [None], "geometry": [point(-1.623456, 6.701234)]}))
    statement = eudr_statement(chain, "nl")
    items = set(statement.missing["item"])
    assert {"production_date", "legality_evidence", "deforestation_free_evidence", "quantity", "supplier"} <= items
    assert statement.missing.set_index("item").loc["legality_evidence", "article"].startswith("Art. 9(1)(h)")
    info = statement.information.set_index("item")
    assert info.loc["legality evidence", "status"] == "missing"
    assert info.loc["country of production", "status"] == "complete"


def test_complete_information_for_the_operator(cocoa):
    actors = cocoa.actors.assign(address="Dorpsstraat 1, Abidjan", email="info@example.org")
    statement = eudr_statement(cocoa.replace(actors=actors), "tA")
    assert statement.missing.empty, statement.missing
    assert (statement.information["status"] == "complete").all()
    row = statement.commodities.iloc[0]
    assert row["hs_codes"] == "1801" and row["quantity_kg"] == 100000.0


# --------------------------------------------------------------------------- command line


def test_eudr_command_exit_codes_and_files(cocoa, tmp_path):
    cocoa = cocoa.replace(actors=cocoa.actors.assign(address="Kade 1, Zaandam", email="info@example.org"))
    rg.write_chain(cocoa, tmp_path / "chain")
    runner = CliRunner()
    result = runner.invoke(cli, ["eudr", str(tmp_path / "chain"), "--node", "tA", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output  # p2 blocks
    assert (tmp_path / "o" / "plots.geojson").is_file() and (tmp_path / "o" / "blocking.csv").is_file()
    result = runner.invoke(cli, ["eudr", str(tmp_path / "chain"), "--node", "shop", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "s" / "plots.geojson").exists()
    assert json.loads((tmp_path / "s" / "statement.json").read_text())["role"]["role"] == "trader"
    result = runner.invoke(cli, ["eudr", str(tmp_path / "chain")])
    assert result.exit_code == 2


def test_eudr_json_is_one_document(cocoa, tmp_path):
    rg.write_chain(cocoa, tmp_path / "chain")
    result = CliRunner().invoke(cli, ["eudr", str(tmp_path / "chain"), "--node", "tA", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["role"]["role"] == "operator" and data["blocking"][0]["rule_id"] == "EUDR-CUTOFF"
    assert data["application"]["article"] == "Art. 38(2)-(3)"
