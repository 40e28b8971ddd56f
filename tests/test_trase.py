"""Trase: supply-chain downloads become chains with volume conserved; cooperatives keep buyers without invented countries.

Fixtures in ``tests/data/trase/`` are written by hand in the shapes Trase publishes: a sub-national
download (every field double-quoted; Trase's UNKNOWN exporter, importer, municipality and country;
DOMESTIC CONSUMPTION; an economic bloc given where a country should be), the Côte d'Ivoire cocoa
cooperatives map (GeoJSON points) and a company disclosure (decimal commas, empty coordinates).
"""
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli import cli
from riskgraph.sources import read_trase, read_trase_cooperatives, trase_volumes

DATA = Path(__file__).parent / "data" / "trase"
SUGARCANE = DATA / "brazil-sugarcane-v2.2.0-2024-03-01.csv"
# volumes of the file's rows, by hand: 1000.5 + 200 + 50 + 300.25 + 500 + 25 + (empty) + (n/a) + 10 + 14.25 + 4
FILE_TOTAL = 2104.0


@pytest.fixture(scope="module")
def sugarcane():
    return read_trase(SUGARCANE)


def test_volume_is_conserved(sugarcane):
    volumes = trase_volumes(sugarcane)
    assert volumes["total"] == pytest.approx(FILE_TOTAL)
    assert volumes["quarantined"] == pytest.approx(25.0)  # 'EUROPEAN UNION' is a bloc, not a country
    assert volumes["accepted"] == pytest.approx(FILE_TOTAL - 25.0)
    counts = sugarcane.report.counts.set_index("table")
    assert (counts["rows_in"] == counts["accepted"] + counts["quarantined"]).all()


def test_rows_that_cannot_be_used_are_quarantined_with_their_reason(sugarcane):
    errors = sugarcane.report.errors.set_index("row")
    assert sorted(errors.index) == [7, 8, 9]
    assert errors.loc[7, "reason"] == "unknown_country" and "economic bloc" in errors.loc[7, "message"]
    assert "volume is empty" in errors.loc[8, "message"] and "'n/a'" in errors.loc[9, "message"]
    assert sorted(sugarcane.report.quarantine["flows"]["row"]) == [7, 8, 9]


def test_unknown_country_is_kept_as_unknown_origin_not_quarantined(sugarcane):
    # Trase's UNKNOWN COUNTRY destination (2.4 % of a real export's volume was quarantined before)
    importers = sugarcane.actors.set_index("name")
    assert pd.isna(importers.loc["importers in UNKNOWN COUNTRY", "country"])
    export = sugarcane.flows[sugarcane.flows["hop"] == "export"].merge(
        sugarcane.actors[["id", "name"]], left_on="target", right_on="id")
    assert export.set_index("name").loc["importers in UNKNOWN COUNTRY", "volume"] == pytest.approx(50.0)
    # a row without a country of production: its exporter has no origin, which the engine carries as unknown
    assessment = rg.assess(sugarcane)
    quintella = importers.loc["COMERCIAL QUINTELLA LTDA", "id"]
    netherlands = importers.loc["importers in NETHERLANDS", "id"]
    assert assessment.unknown_share[quintella] == pytest.approx(1.0)
    assert assessment.unknown_share[netherlands] == pytest.approx(1.0)
    raizen_china = importers.loc["RAIZEN TRADING LLP", "id"]
    assert assessment.unknown_share[raizen_china] == pytest.approx(0.0)


def test_customs_spellings_of_destinations(sugarcane):
    countries = sugarcane.actors.set_index("name")["country"]
    assert countries["importers in CHINA (HONG KONG)"] == "HK"
    assert countries["importers in BRUNEI"] == "BN"
    assert countries["importers in CONGO DEMOCRATIC REPUBLIC OF THE"] == "CD"
    assert countries["RAIZEN TRADING LLP"] == "CN"


def test_places_exporters_importers_and_flows(sugarcane):
    actors = sugarcane.actors.set_index("name")
    piracicaba = actors.loc["production in PIRACICABA, SAO PAULO, BRAZIL"]
    assert piracicaba["stage"] == "farm" and piracicaba["region"] == "PIRACICABA"
    assert piracicaba["municipality_trase_id"] == "BR-3538709" and piracicaba["biome"] == "MATA ATLANTICA"
    # UNKNOWN municipality: the state is the most specific place the row knows
    assert actors.loc["production in GOIAS, BRAZIL", "region"] == "GOIAS"
    assert actors.loc["RAIZEN ENERGIA S.A.", "exporter_group"] == "RAIZEN"
    assert "unknown exporter (BRAZIL)" in actors.index
    assert actors.loc["domestic market (BRAZIL)", "country"] == "BR"  # DOMESTIC CONSUMPTION stays home
    flows = sugarcane.flows.merge(sugarcane.actors[["id", "name"]], left_on="source", right_on="id") \
        .rename(columns={"name": "source_name"}).drop(columns="id") \
        .merge(sugarcane.actors[["id", "name"]], left_on="target", right_on="id").rename(columns={"name": "target_name"})
    china = flows[(flows["source_name"] == "RAIZEN ENERGIA S.A.") & (flows["target_name"] == "RAIZEN TRADING LLP")]
    assert china["volume"].tolist() == [1000.5] and china["fob_usd"].astype(float).tolist() == [400200.0]
    assert china["port"].tolist() == ["SANTOS"] and china["unit"].tolist() == ["t"]
    # two 2020 rows from Piracicaba to Raizen (1000.5 + 200) are one flow; 2021 is another
    supply = flows[(flows["source_name"] == "production in PIRACICABA, SAO PAULO, BRAZIL")]
    assert sorted(zip(supply["year"], supply["volume"])) == [(2020, 1200.5), (2021, 24.25)]
    assert set(sugarcane.flows["commodity"]) == {"sugarcane"}  # from the file name


def test_a_national_download_without_regions(tmp_path):
    path = tmp_path / "argentina-wood-pulp-v0.2.3-2024-01-17.csv"
    path.write_text(
        'year,country_of_production,port_of_export,exporter,exporter_group,country_of_destination,economic_bloc,volume,fob\n'
        '"2015","ARGENTINA","IGUAZU","ALTO PARANA SOCIEDAD ANONIMA X","ALTO PARANA SOCIEDAD ANONIMA X","BRAZIL","BRAZIL","135479.57699999984","102887072.92999998"\n'
        '"2015","ARGENTINA","ROSARIO","UNKNOWN","UNKNOWN","ITALY","EUROPEAN UNION","602.5010000000001","535856.4400000001"\n',
        encoding="utf-8")
    chain = read_trase(path)
    assert chain.report.ok
    assert set(chain.flows["commodity"]) == {"wood pulp"}
    places = chain.actors[chain.actors["stage"] == "farm"]
    assert places["name"].tolist() == ["production in ARGENTINA"] and places["country"].tolist() == ["AR"]
    italy = chain.actors.set_index("name").loc["importers in ITALY", "country"]
    assert italy == "IT"  # the bloc 'EUROPEAN UNION' is kept on the flow, never taken for the country
    assert "EUROPEAN UNION" in set(chain.flows["economic_bloc"].dropna())
    assert trase_volumes(chain)["total"] == pytest.approx(135479.57699999984 + 602.5010000000001)
    assert "country-level" in chain.report.warnings["message"].iloc[0]


def test_a_file_that_is_not_a_trase_download(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,country\nA,NL\n", encoding="utf-8")
    with pytest.raises(rg.InputError, match="not a Trase"):
        read_trase(path)


def test_cooperatives_and_disclosure_keep_buyers_without_inventing_countries():
    chain = read_trase_cooperatives(DATA / "cote-d-ivoire-cocoa-cooperatives.geojson", DATA / "company_disclosure.csv")
    assert chain.report.ok
    actors = chain.actors.set_index("name")
    coops = actors[actors["stage"] == "cooperative"]
    buyers = actors[actors["stage"] == "trader"]
    assert set(buyers.index) == {"CARGILL", "OLAM", "BARRY CALLEBAUT", "HERSHEY", "CHOCO CORP", "GLOBAL BEANS",
                                 "SWEET TREATS"}
    assert buyers["country"].isna().all()  # the data gives no buyer's country: none is invented
    assert coops.loc["ABO", "region"] == "MEAGUI" and coops.loc["ABO", "country"] == "CI"  # department CI-020203
    # disclosed cooperatives are matched to the map by full name or a unique abbreviation
    assert len(coops) == 7
    links = chain.flows.merge(chain.actors[["id", "name"]], left_on="source", right_on="id")
    assert ("COOPERATIVE LES AGRICULTEURS D'AKOUPE", 2024) in set(zip(links["name"], links["year"]))
    assert ("COOPERATIVE AGRICOLE OUBE DE BANOUFLA", 2024) in set(zip(links["name"], links["year"]))
    # decimal commas read; no coordinates → no country rather than a guess
    assert coops.loc["ENTENTE DES PRODUCTEURS DE L'OUEST", ["lat", "lon"]].tolist() == [6.15, -7.25]
    assert pd.isna(coops.loc["COOPERATIVE SANS COORDONNEES", "country"])
    assert coops.loc["COOPERATIVE DES NOUVEAUX FERMIERS", "country"] == "CI"  # from its coordinates


def test_import_trase_command_prints_the_volume_balance(tmp_path):
    out = tmp_path / "members" / "trase"
    result = CliRunner().invoke(cli, ["import", "trase", str(SUGARCANE), "--out", str(out)])
    assert result.exit_code == 1  # rows were quarantined
    assert "file total 2,104.000 t = accepted 2,079.000 t + quarantined 25.000 t" in result.stderr
    assert (out / "_import" / "quarantine.csv").is_file()
    again = rg.read_chain(out)  # an actor without a country reads back as stated unknown
    assert again.report.ok and len(again.actors) == len(read_trase(SUGARCANE).actors)
    result = CliRunner().invoke(cli, ["import", "trase", str(DATA / "cote-d-ivoire-cocoa-cooperatives.geojson"),
                                      str(DATA / "company_disclosure.csv"), "--out", str(tmp_path / "coops")])
    assert result.exit_code == 0, result.output
    assert len(rg.read_chain(tmp_path / "coops").actors) == 14


def test_real_trase_samples(shared_dir):
    folder = shared_dir / "samples" / "trase"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    path = folder / "argentina-wood-pulp-v0.2.3-2024-01-17.csv"
    chain = read_trase(path)
    raw = pd.read_csv(path)
    assert trase_volumes(chain)["total"] == pytest.approx(raw["volume"].sum())
    assert trase_volumes(chain)["quarantined"] == 0  # every country spelling of the file is known
    coops = read_trase_cooperatives(disclosure=folder / "trase_example_user_disclosure_data.csv")
    assert coops.actors["country"].isna().sum() >= 3  # the buyers, and the cooperative without coordinates
