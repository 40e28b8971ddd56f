"""Importers map third-party formats onto the data contract and lose no row on the way.

The hand-made fixtures in ``tests/data/importers/`` and the CMRT workbooks
built below follow the real layouts; the real third-party samples are read
from ``../shared/samples/`` when that folder exists (the last tests).
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli.imports import import_group
from riskgraph.errors import InputError
from riskgraph.sources import (
    actor_id,
    cell_text,
    cmrt_tables,
    compare_with_rmi,
    country_code,
    infer_stage,
    read_cmrt,
    read_open_supply_hub,
    read_rmi_smelter_list,
    read_supplier_list,
)

# --------------------------------------------------------------------------- helpers


def rows_add_up(chain) -> None:
    counts = chain.report.counts
    assert (counts["rows_in"] == counts["accepted"] + counts["quarantined"]).all(), counts
    for table in ("actors", "flows"):
        accepted = int(counts.loc[counts["table"] == table, "accepted"].sum())
        assert accepted == len(getattr(chain, table))


def issue(report_issues: pd.DataFrame, reason: str) -> pd.DataFrame:
    return report_issues[report_issues["reason"] == reason]


# --------------------------------------------------------------------------- small helpers


@pytest.mark.parametrize(
    "value, expected",
    [(97220.0, "97220"), (" Viet Nam\t\t", "Viet Nam"), ("", None), (None, None), (0.125, "0.125"),
     (dt.datetime(2024, 5, 10), "2024-05-10"), ("71.0%", "71.0%")],
)
def test_cell_text_reads_cells_as_a_person_does(value, expected):
    assert cell_text(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [("Viet Nam", "VN"), ("China Mainland", "CN"), ("INDONESIA", "ID"), ("Korea (Republic of)", "KR"),
     ("Moldova (Republic of)", "MD"), ("BOLIVIA (PLURINATIONAL STATE OF)", "BO"), ("UNITED STATES OF AMERICA", "US"),
     ("Atlantis", None), ("Congo (Atlantis)", None)],
)
def test_country_names_of_un_lists_and_brand_exports(value, expected):
    assert country_code(value) == expected


def test_actor_ids_ignore_case_accents_and_punctuation_but_not_the_country():
    assert actor_id("Özdemir Tekstil A.Ş.", "Turkey") == actor_id("OZDEMIR TEKSTIL A S", "TR")
    assert actor_id("Fakir Apparels Ltd", "BD") != actor_id("Fakir Apparels Ltd", "PK")
    assert actor_id("Fakir Apparels Ltd", "BD", discriminator="Tongi") != actor_id("Fakir Apparels Ltd", "BD")
    assert actor_id("Fakir Apparels Ltd", "BD").startswith("bd_fakir_apparels_ltd_")


@pytest.mark.parametrize(
    "texts, sector, stage",
    [(["Knitting|Dyeing|Sewing"], "textiles", "garment_maker"),
     (["Textile or Material Production"], "textiles", "weaver_knitter"),
     (["Printing, Product Dyeing and Laundering"], "textiles", "wet_processor"),
     (["FINISHED GOODS"], "textiles", "garment_maker"), (["MATERIALS"], "textiles", "weaver_knitter"),
     (["Spinning"], "textiles", "spinner"), (["Refinery | Manufacturing Plant"], "food", "processor"),
     (["Cooperative"], "food", "cooperative"), (["Quarry"], "natural_stone", "quarry"),
     (["Refinery"], "gold", "refiner"), (["Office / HQ"], "textiles", None), (["Sewing"], None, None)],
)
def test_stage_inference_takes_the_most_downstream_step(texts, sector, stage):
    assert infer_stage(texts, sector) == stage


# --------------------------------------------------------------------------- Open Supply Hub


def test_open_supply_hub_export_maps_onto_actors(data_dir):
    chain = read_open_supply_hub(data_dir / "importers" / "osh_facilities.csv", sector="textiles")
    rows_add_up(chain)
    actors = chain.actors.set_index("id")
    assert actors.loc["BD2023101AAAAAA", "stage"] == "garment_maker"           # Knitting|Dyeing|Sewing
    assert actors.loc["VN2022300CCCCCC", "stage"] == "weaver_knitter"          # Textile or Material Production
    assert actors.loc["TR2021200DDDDDD", "stage"] == "wet_processor"
    assert actors.loc["VN2022300CCCCCC", "lat"] == pytest.approx(21.139876543210987)  # 15 decimals kept
    assert actors.loc["BD2023101AAAAAA", "os_id"] == "BD2023101AAAAAA"
    assert actors.loc["BD2023101AAAAAA", "contributors"] == "Brand A [Public List]|Brand B [Public List]"
    assert actors.loc["BD2023101AAAAAA", "processing_type_facility_type_raw"] == "Knitting|Dyeing|Sewing"
    issues = chain.report.issues
    # No facility type and no stage argument: reported, not guessed.
    assert issue(issues, "unknown_stage")["row"].tolist() == [3, 6]      # every error of a row is reported
    assert issue(issues, "impossible_coordinate")["row"].tolist() == [6]
    assert issue(issues, "unknown_country")["row"].tolist() == [7]
    assert issue(issues, "closed_facility")["row"].tolist() == [5]
    assert chain.report.quarantine["actors"]["row"].tolist() == [3, 6, 7]


def test_open_supply_hub_stage_argument_fills_only_what_the_types_leave_open(data_dir):
    chain = read_open_supply_hub(data_dir / "importers" / "osh_facilities.csv", sector="textiles",
                                 stage="garment_maker")
    stages = chain.actors.set_index("id")["stage"]
    # os_id is the key: the same name on two facilities gives two actors.
    assert chain.actors.set_index("id").loc[["BD2023101AAAAAA", "BD2023101BBBBBB"], "name"].nunique() == 1
    assert stages["BD2023101BBBBBB"] == "garment_maker"
    assert stages["VN2022300CCCCCC"] == "weaver_knitter"
    assert len(chain.actors) == 4


def test_open_supply_hub_sector_is_inferred_when_not_given(data_dir):
    chain = read_open_supply_hub(data_dir / "importers" / "osh_facilities.csv", stage="garment_maker")
    assert set(chain.actors["sector"]) == {"textiles"}


def test_a_csv_that_is_not_an_open_supply_hub_export_is_an_input_error(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,name,country\n1,A,NL\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'os_id' is missing"):
        read_open_supply_hub(path)
    with pytest.raises(InputError, match="no such file"):
        read_open_supply_hub(tmp_path / "absent.csv")


# --------------------------------------------------------------------------- supplier lists


def test_supplier_list_with_title_row_tiers_and_supplies_to(data_dir):
    chain = read_supplier_list(data_dir / "importers" / "supplier_list_tiers.csv", sector="textiles",
                               stage="garment_maker")
    rows_add_up(chain)
    counts = chain.report.counts.set_index("table")
    assert counts.loc["actors", ["rows_in", "accepted", "quarantined", "empty_rows"]].tolist() == [6, 5, 1, 1]
    actors = chain.actors.set_index("name")
    assert actors.loc["Fakir Apparels Ltd", "id"] == actor_id("Fakir Apparels Ltd", "BD")
    assert actors["country"].tolist() == ["BD", "BD", "BD", "MD", "PK"]
    assert actors.loc["Karim Spinning Mills Ltd", "postal_code"] == "1349"
    flows = {(s, t) for s, t in zip(chain.flows["source"], chain.flows["target"])}
    fakir, karim = actors.loc["Fakir Apparels Ltd", "id"], actors.loc["Karim Spinning Mills Ltd", "id"]
    assert flows == {(karim, fakir), (actors.loc["Shanta Knit Composite (Pvt.) Ltd.", "id"], fakir),
                     (actors.loc["Yarn Trader Co", "id"], karim)}
    issues = chain.report.issues
    assert issue(issues, "unknown_country")["row"].tolist() == [9]
    # A customer not in the list, and a flow from a quarantined supplier: both reported with their row.
    assert sorted(issue(issues, "dangling_flow")["row"].tolist()) == [6, 9]


def test_tier_without_supplies_to_gives_actors_only_with_a_note(tmp_path):
    path = tmp_path / "tiers.csv"
    path.write_text("name,country,tier\nA Garments,BD,1\nB Garments,BD,1\nC Spinning,IN,2\n", encoding="utf-8")
    chain = read_supplier_list(path, sector="textiles", stage="garment_maker")
    assert len(chain.actors) == 3 and len(chain.flows) == 0
    assert issue(chain.report.issues, "flows_not_derivable")["severity"].tolist() == ["warning"]


def test_single_supplier_at_tier_n_minus_1_takes_the_flows(tmp_path):
    path = tmp_path / "tiers.csv"
    path.write_text("name,country,tier\nA Garments,BD,1\nC Spinning,IN,2\nD Ginning,IN,3\n", encoding="utf-8")
    chain = read_supplier_list(path, sector="textiles", stage="garment_maker")
    assert len(chain.flows) == 2
    assert issue(chain.report.issues, "flows_inferred")["severity"].tolist() == ["warning"]


def test_brand_factory_list_xlsx_title_row_floats_percentages_and_same_name_twice(tmp_path):
    path = tmp_path / "factories.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Worksheet"
    sheet.append(["Brand Manufacturing Data Export - Filters applied: (BRAND)", None, "Data As Of", "2024"])
    sheet.append(["Factory Name", "Factory Type", "Product Type", "Address", "City", "Postal Code",
                  "Country/Region", "Total Workers", "% Female Workers", "Contact Email"])
    sheet.append(["NAN HAI GARMENT CO., LTD.", "FINISHED GOODS", "APPAREL", "27 PHETKASEM RD.", "NONGKHAM", 10160,
                  "THAILAND", 1200, "71.0%", "someone@example.invalid"])
    sheet.append(["NAN HAI GARMENT CO., LTD.", "FINISHED GOODS", "APPAREL", "99/1 MOO 4", "WACHIRABARAMEE", 66140,
                  "THAILAND", None, "64.5%", None])
    sheet.append(["SAIGON KNIT CO", "MATERIALS", "MATERIALS", "LOT 3", "HO CHI MINH", 700000.0, "Viet Nam", 300,
                  "50.0%", None])
    sheet.append(["BUSAN SPORTSWEAR", "FINISHED GOODS", "FOOTWEAR", "1 HARBOUR RD", "BUSAN", 48000,
                  "Korea (Republic of)", 800, "40.0%", None])
    book.save(path)
    chain = read_supplier_list(path, sector="textiles")
    rows_add_up(chain)
    actors = chain.actors
    assert actors["id"].is_unique and len(actors) == 4        # two factories, one name: kept apart by address
    assert actors["country"].tolist() == ["TH", "TH", "VN", "KR"]
    assert actors["stage"].tolist() == ["garment_maker", "garment_maker", "weaver_knitter", "garment_maker"]
    assert actors["postal_code"].tolist() == ["10160", "66140", "700000", "48000"]
    assert actors["pct_female_workers"].tolist() == ["71.0%", "64.5%", "50.0%", "40.0%"]
    assert "contact_email" not in actors.columns                      # personal data is not imported
    assert issue(chain.report.issues, "left_out")["message"].str.contains("Contact Email").all()


def test_supplier_list_without_name_and_country_headers_is_an_input_error(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no header row with a supplier name and a country"):
        read_supplier_list(path, sector="food")
    with pytest.raises(InputError, match="sector 'fashion'"):
        read_supplier_list(path, sector="fashion")


# --------------------------------------------------------------------------- CMRT

SMELTER_HEADER_DE = ["Schmelzhütten-Identifikationsnummer", "Metall (*)", "Schmelzhütten-Suche (*)",
                     "Name der Schmelzhütte (1)", "Land der Schmelzhütte (*)", "Schmelzhütten-Identifikation",
                     "Quelle", "Straße", "Stadt", "Bundesland", "Kontakt", "E-Mail", "Nächste Schritte",
                     "Minen", "Land der Minen", "100 % recycelt?", "Kommentare"]


LOOKUP_HEADER_EN = ["Metal", "Smelter Look-up (*)", "Standard Smelter Names", "Smelter Facility Location: Country",
                    "Smelter ID"]
# The look-up header as a workbook saved with Chinese chosen in Declaration!D3 caches it (formula text).
LOOKUP_HEADER_ZH = ["金属", "冶炼厂查找 (*)", "标准冶炼厂名称", "冶炼厂所在地：国家", "冶炼厂识别号码"]


def build_cmrt(path, *, company="Example Metals B.V.", used=("No", "Yes", "Yes", "No"), smelters=(),
               lookup=(), revision="Revision 6.4\nApril 26, 2024", old_ids=None, products=(),
               lookup_header=LOOKUP_HEADER_EN, scope="A. Company"):
    """A workbook in the CMRT layout: Declaration (D8, J3, answers D26:D29), Smelter List (header row 4),
    Product List (header row 5, B number, C name, D comments) and the Smelter Look-up sheet."""
    book = openpyxl.Workbook()
    book.active.title = "Revision"
    for name in ("Instructions", "Definitions", "Declaration", "Smelter List", "Checker", "Product List"):
        book.create_sheet(name)
    declaration = book["Declaration"]
    declaration["D2"] = "Conflict Minerals Reporting Template (CMRT)"
    declaration["D3"] = "Deutsch"
    declaration["J3"] = revision
    labels = {8: "Company Name (*):", 9: "Declaration Scope or Class (*):", 10: "Description of Scope:",
              14: "Address:", 15: "Contact Name (*):", 16: "Email – Contact (*):", 22: "Effective Date (*):"}
    for row, label in labels.items():
        declaration[f"B{row}"] = label
    if company:
        declaration["D8"] = company + "\t\t"
        declaration["D9"] = scope
        declaration["D15"] = "A. Person"
        declaration["D16"] = "person@example.invalid"
        declaration["D22"] = dt.datetime(2024, 5, 10)
    for offset, (metal, answer) in enumerate(zip(("Tantalum", "Tin", "Gold", "Tungsten"), used)):
        declaration[f"B{26 + offset}"] = f"{metal}  (*)"
        declaration[f"D{26 + offset}"] = answer
    smelter_list = book["Smelter List"]
    smelter_list["Q3"] = revision
    for column, text in enumerate(SMELTER_HEADER_DE, start=1):
        smelter_list.cell(row=4, column=column, value=text)
    for offset, values in enumerate(smelters):
        for column, value in enumerate(values, start=1):
            smelter_list.cell(row=5 + offset, column=column, value=value)
    if lookup:
        sheet = book.create_sheet("Smelter Look-up")
        sheet["A1"] = "The following list represents the RMI's latest smelter names."
        for column, text in enumerate(lookup_header, start=1):
            sheet.cell(row=4, column=column, value=text)
        for offset, values in enumerate(lookup):
            for column, value in enumerate(values, start=1):
                sheet.cell(row=5 + offset, column=column, value=value)
    product_list = book["Product List"]
    product_list["A1"] = ("Completion required only if reporting level \"Product (or List of Products)\" selected "
                          "on the 'Declaration' worksheet.")
    product_list["B4"] = "Click here to return to Declaration tab"
    for column, text in enumerate(["Manufacturer’s Product Number (*)", "Manufacturer’s Product Name", "Comments"],
                                  start=2):
        product_list.cell(row=5, column=column, value=text)
    for offset, values in enumerate(products):
        for column, value in enumerate(values, start=2):
            product_list.cell(row=6 + offset, column=column, value=value)
    if old_ids:
        sheet = book.create_sheet("Standard Smelter Names")
        sheet.append(["Note"])
        sheet.append(["Metal", "Standard Smelter Names", "Smelter Facility Location: Country", "Old Smelter ID",
                      "New Smelter ID"])
        for row in old_ids:
            sheet.append(list(row))
    book.save(path)
    return path


def smelter_row(input_id, metal, lookup_name, name, country, cid, source="RMI", mine=None, mine_country=None,
                contact=None):
    # Formula cells of the template cache 0 for blank references (street here).
    return [input_id, metal, lookup_name, name, country, cid, source, 0, "City", "State", contact, None, None,
            mine, mine_country, "No", None]


@pytest.fixture
def cmrt_file(tmp_path):
    smelters = [
        smelter_row("CID009002", "Gold", "Kampala Gold Refinery Ltd.", None, "UGANDA", "CID009002",
                    mine="Mine A", mine_country="Uganda", contact="A. Contact"),
        smelter_row("CID009002", "Gold", "Kampala Gold Refinery Ltd.", None, "UGANDA", "CID009002",
                    mine="Mine B", mine_country="Tanzania"),
        smelter_row(None, "Gold", "Helvetia Refinery", "Helvetia Refinery", "SWITZERLAND", None, source=None),
        smelter_row(None, "Gold", "Smelter not listed", "Lima Metales Preciosos SAC", "PERU", None, source=None),
        smelter_row(None, "Gold", "Smelter not yet identified", None, None, None, source=None),
        smelter_row("CID009101", "Tin", "Vinto", None, "BOLIVIA (PLURINATIONAL STATE OF)", "CID009101"),
        smelter_row("CID999999", "Tin", "Retired Smelter", None, "ATLANTIS", "CID999999"),
        smelter_row(None, None, None, "Row without a metal", "CHINA", None, source=None),
        smelter_row(None, "Silver", None, "A silver refinery", "MEXICO", None, source=None),
        smelter_row("12345", "Tin", None, "Bad id smelter", "CHINA", "12345"),
    ]
    lookup = [("Gold", "Helvetia Refinery", "Helvetia Affinage SA", "SWITZERLAND", "CID009001")]
    return build_cmrt(tmp_path / "cmrt.xlsx", smelters=smelters, lookup=lookup, used=("Yes", "Yes", "Yes", "No"))


def test_cmrt_smelter_list_is_read_by_position_and_deduplicated_per_cid(cmrt_file):
    report = read_cmrt(cmrt_file)
    assert report.version == "6.4"
    assert report.declaration["company_name"] == "Example Metals B.V."      # trailing TABs stripped
    assert report.declaration["effective_date"] == "2024-05-10"
    assert report.declaration["used"] == {"tantalum": "Yes", "tin": "Yes", "gold": "Yes", "tungsten": "No"}
    assert "contact_name" not in report.declaration                          # personal data is not kept
    smelters = report.smelters.set_index(["metal", "smelter_id"], drop=False)
    kampala = smelters.loc[("gold", "CID009002")]
    assert kampala["count"] == 2 and kampala["rows"] == "5, 6" and kampala["country"] == "UG"
    assert kampala["mine_countries"] == "Uganda | Tanzania"
    assert kampala["street"] is None or pd.isna(kampala["street"])           # a formula's 0 is empty
    assert "contact_name" not in report.smelters.columns
    # The id of a look-up name comes from the workbook's own look-up table, as its formulas would give it.
    assert smelters.loc[("gold", "CID009001"), "id_source"] == "workbook look-up"
    assert smelters.loc[("tin", "CID009101"), "country"] == "BO"
    status = report.smelters.set_index("name")["status"]
    assert status["Lima Metales Preciosos SAC"] == "not_listed"
    assert (report.smelters["status"] == "not_identified").sum() == 1
    # Rows in = rows merged into smelters + rows quarantined.
    assert report.counts == {"rows_in": 10, "merged_into": 8, "smelters": 7, "quarantined": 2, "products": 0}
    assert report.quarantine["row"].tolist() == [12, 13]
    reasons = report.findings.set_index("row")["reason"]
    assert reasons[12] == "unmapped_row" and reasons[13] == "unknown_metal"
    assert reasons[14] == "invalid_smelter_id" and reasons[11] == "unknown_country"


def test_cmrt_declaration_inconsistencies_are_reported_not_fixed(cmrt_file):
    report = read_cmrt(cmrt_file)
    inconsistent = report.findings[report.findings["reason"] == "inconsistent_declaration"]
    assert inconsistent["message"].str.contains("tantalum is declared as used").tolist() == [True]
    assert report.declaration["used"]["tantalum"] == "Yes"


def test_cmrt_with_empty_company_block_has_missing_required_field_findings(tmp_path):
    path = build_cmrt(tmp_path / "empty.xlsx", company=None,
                      smelters=[smelter_row("CID009002", "Gold", "Kampala Gold Refinery Ltd.", None, "UGANDA",
                                            "CID009002")])
    report = read_cmrt(path)
    missing = report.findings[report.findings["reason"] == "missing_required_field"]
    assert missing["column"].tolist()[:2] == ["Company Name (D8)", "Declaration Scope or Class (D9)"]
    assert (missing["severity"] == "error").all() and not report.ok
    # Tin is declared as used but no tin smelter is listed.
    assert report.findings["message"].str.contains("tin is declared as used").any()


def test_cmrt_to_actors_gives_gold_refiners_with_their_cid(cmrt_file):
    chain = read_cmrt(cmrt_file).to_actors()
    rows_add_up(chain)
    actors = chain.actors.set_index("id")
    assert set(actors["stage"]) == {"refiner"} and set(actors["sector"]) == {"gold"}
    assert actors.loc["CID009002", "smelter_id"] == "CID009002" and actors.loc["CID009002", "country"] == "UG"
    assert actor_id("Lima Metales Preciosos SAC", "PE") in actors.index    # not listed: id from name and country
    issues = chain.report.issues
    assert issue(issues, "not_identified")["row"].tolist() == [9]
    assert issue(issues, "left_out")["message"].str.contains("tin").all()


def test_legacy_cfsi_layout_translates_old_smelter_ids(tmp_path):
    smelters = [[None, "Gold", "Allgemeine Gold-und Silberscheideanstalt A.G.", "Allgemeine Gold", "GERMANY",
                 "1DEU001", None] + [None] * 10]
    path = build_cmrt(tmp_path / "cfsi.xlsx", smelters=smelters, revision="Revision 3.01\nMay 30, 2014",
                      old_ids=[("Gold", "Allgemeine Gold-und Silberscheideanstalt A.G.", "GERMANY", "1DEU001",
                                "CID000035")])
    report = read_cmrt(path)
    assert report.version == "3.01"
    assert report.smelters["smelter_id"].tolist() == ["CID000035"]
    assert report.smelters["id_source"].str.contains("old id").all()


def test_a_workbook_without_the_cmrt_sheets_is_an_input_error(tmp_path):
    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError, match="sheet 'Declaration' is missing"):
        read_cmrt(path)


# --------------------------------------------------------------------------- RMI reference list


def test_rmi_list_is_deduplicated_on_metal_and_cid_with_aliases(data_dir):
    rmi = read_rmi_smelter_list(data_dir / "importers" / "rmi_reference.csv")
    assert rmi["n_rows"].sum() == 11
    listed = rmi[rmi["status"] == "listed"].set_index("smelter_id")
    assert len(listed) == 4
    assert listed.loc["CID009001", "aliases"] == ["Helvetia Refinery", "HAF Mendrisio"]
    assert listed.loc["CID009003", "name"] == "Nordisk Ädelmetall AB" and listed.loc["CID009003", "country"] == "SE"
    assert listed.loc["CID009101", "country"] == "BO"
    assert sorted(rmi.loc[rmi["status"] != "listed", "status"]) == ["not_identified"] * 2 + ["not_listed"] * 2


def test_cmrt_cids_checked_against_the_rmi_list(cmrt_file, data_dir):
    rmi = read_rmi_smelter_list(data_dir / "importers" / "rmi_reference.csv")
    checked = compare_with_rmi(read_cmrt(cmrt_file).smelters, rmi).set_index("name")["rmi_status"]
    assert checked["Kampala Gold Refinery Ltd."] == "listed"
    assert checked["Retired Smelter"] == "unknown_cid"
    assert checked["Lima Metales Preciosos SAC"] == "no_cid"
    tables = cmrt_tables([read_cmrt(cmrt_file)], rmi=rmi)
    assert tables["findings"]["reason"].eq("cid_not_in_reference").sum() == 1


# --------------------------------------------------------------------------- command line


def test_every_import_command_has_help_with_an_example():
    runner = CliRunner()
    for name in import_group.commands:
        result = runner.invoke(import_group, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name


def test_import_osh_writes_the_chain_and_the_quarantine_beside_it(data_dir, tmp_path):
    out = tmp_path / "acme"
    result = CliRunner().invoke(import_group, ["osh", str(data_dir / "importers" / "osh_facilities.csv"),
                                               "--out", str(out), "--sector", "textiles"])
    assert result.exit_code == 1                       # rows were quarantined
    assert (out / "actors.csv").is_file()
    quarantine = pd.read_csv(out / "_import" / "quarantine.csv")
    assert quarantine["row"].tolist() == [3, 6, 7]
    assert "quarantined rows written to" in result.stderr
    # nothing beside the folder: `members/*` must keep matching members only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme"]
    assert (out / "_import" / "issues.csv").is_file()
    assert rg.read_chain(out).report.counts["rows_in"].sum() == len(rg.read_chain(out).actors)


def test_import_suppliers_and_cmrt_commands(data_dir, tmp_path, cmrt_file):
    runner = CliRunner()
    result = runner.invoke(import_group, ["suppliers", str(data_dir / "importers" / "supplier_list_tiers.csv"),
                                          "--sector", "textiles", "--stage", "garment_maker",
                                          "--out", str(tmp_path / "member")])
    assert result.exit_code == 1 and (tmp_path / "member" / "flows.csv").is_file()
    out = tmp_path / "smelters.xlsx"
    result = runner.invoke(import_group, ["cmrt", str(cmrt_file), "--out", str(out),
                                          "--rmi", str(data_dir / "importers" / "rmi_reference.csv")])
    assert result.exit_code == 1                       # two rows could not be used
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert {"smelters", "declarations", "findings", "quarantine", "suggested_ids"} <= set(sheets)
    suggested = sheets["suggested_ids"]
    assert suggested.empty or set(suggested["decision"]) <= {"match", "review"}


def test_bad_input_raises_input_error(tmp_path):
    result = CliRunner().invoke(import_group, ["cmrt", str(tmp_path / "absent.xlsx"), "--out",
                                               str(tmp_path / "x.csv")])
    assert isinstance(result.exception, InputError)
    result = CliRunner().invoke(import_group, ["cmrt", str(tmp_path / "absent.xlsx"), "--out",
                                               str(tmp_path / "x.txt")])
    assert isinstance(result.exception, InputError)


# --------------------------------------------------------------------------- real samples (../shared/samples)


@pytest.fixture
def samples(shared_dir):
    folder = shared_dir / "samples"
    if not folder.is_dir():
        pytest.skip(f"the real-format samples {folder} are not present on this machine")
    return folder


def test_real_open_supply_hub_export(samples):
    path = samples / "open_supply_hub" / "osh_facilities_download_wilmar_2024.csv"
    chain = read_open_supply_hub(path, sector="food", stage="processor")
    rows_add_up(chain)
    assert len(chain.actors) == 51 and chain.actors["os_id"].is_unique
    assert chain.actors["name"].value_counts().max() > 1           # one name on several facilities
    inferred = read_open_supply_hub(path)                          # sector and stage from OS Hub's own fields
    rows_add_up(inferred)
    print("\nOS Hub without --sector/--stage:", inferred.report.reason_counts().to_dict("records"))


CMRT_EXPECTED = {
    "cmrt_6.4_honeywell_hem_redacted.xlsx": {"tantalum": 21, "tungsten": 18},
    "cmrt_6.4_central_glass_redacted.xlsx": {"tungsten": 4},
    "cmrt_6.4_pkg_de00_redacted.xlsx": {"gold": 34, "tin": 33},
}


@pytest.mark.parametrize("name", sorted(CMRT_EXPECTED))
def test_real_cmrt_files(samples, name):
    report = read_cmrt(samples / "cmrt" / name)
    assert report.version == "6.4"
    assert report.smelter_counts().to_dict() == CMRT_EXPECTED[name]
    assert report.counts["rows_in"] == report.counts["merged_into"] + report.counts["quarantined"]
    rmi = read_rmi_smelter_list(samples / "cmrt" / "rmi_smelter_lookup_from_cmrt_6.5.csv")
    checked = compare_with_rmi(report.smelters, rmi)
    unmatched = checked.loc[checked["rmi_status"] != "listed", ["metal", "smelter_id", "name"]]
    print(f"\n{name}: {report.smelter_counts().to_dict()}, {len(report.findings)} findings; "
          f"CIDs not on the RMI 6.5 list: {unmatched.to_dict('records')}")


def test_real_cmrt_with_empty_company_block(samples):
    report = read_cmrt(samples / "cmrt" / "cmrt_6.4_pkg_de00_redacted.xlsx")
    assert report.declaration["company_name"] is None
    missing = report.findings[report.findings["reason"] == "missing_required_field"]
    assert "Company Name (D8)" in missing["column"].tolist()


def test_real_cmrt_declared_gold_without_gold_smelters(samples):
    report = read_cmrt(samples / "cmrt" / "cmrt_6.4_honeywell_hem_redacted.xlsx")
    messages = report.findings.loc[report.findings["reason"] == "inconsistent_declaration", "message"]
    assert messages.str.contains("gold is declared as used").any()
    assert (report.smelters["count"] > 1).any()                    # a CID repeated on two rows, merged


def test_real_legacy_cfsi_cmrt(samples):
    report = read_cmrt(samples / "cmrt" / "cfsi_cmrt_3.01_vendor_sample_redacted.xlsx")
    assert report.version == "3.01"
    assert report.smelter_counts().to_dict() == {"gold": 1, "tantalum": 1, "tin": 1, "tungsten": 1}


def test_real_rmi_reference_list(samples):
    rmi = read_rmi_smelter_list(samples / "cmrt" / "rmi_smelter_lookup_from_cmrt_6.5.csv")
    listed = rmi[rmi["status"] == "listed"]
    assert rmi["n_rows"].sum() == 637 and listed["smelter_id"].nunique() == 349
    assert listed.groupby("metal").size().to_dict() == {"gold": 182, "tantalum": 35, "tin": 73, "tungsten": 59}
    assert (rmi["status"] == "not_identified").sum() == 4 and (rmi["status"] == "not_listed").sum() == 4
    assert listed["country"].notna().all()


def test_real_brand_factory_list_xls(samples):
    chain = read_supplier_list(samples / "supplier_lists" / "nike_manufacturing_map_export_2021-02.xls",
                               sector="textiles")
    rows_add_up(chain)
    assert len(chain.actors) == 498 and chain.actors["id"].is_unique
    unresolved = chain.report.issues[chain.report.issues["reason"] == "unknown_country"]
    print(f"\nbrand list: {chain.actors['country'].nunique()} countries; unresolved: {unresolved['value'].tolist()}")
    assert unresolved.empty
    assert not chain.actors["postal_code"].dropna().str.endswith(".0").any()


# --------------------------------------------------------------------------- field files: factory lists as brands publish them


def test_factory_list_without_stage_takes_the_sectors_default_with_a_warning(data_dir):
    # a brand's list as submitted to the Open Apparel Registry: no stage or facility-type column
    chain = read_supplier_list(data_dir / "importers" / "factory_list_oar.csv", sector="textiles")
    rows_add_up(chain)
    assert chain.report.ok  # nothing quarantined: without --stage all rows used to be
    assert set(chain.actors["stage"]) == {"garment_maker"}
    warning = chain.report.issues.set_index("reason").loc["default_stage"]
    assert warning["severity"] == "warning" and "5 suppliers name no stage" in warning["message"]
    assert "garment_maker" in warning["message"]


def test_exact_duplicate_rows_are_merged_with_a_finding(data_dir):
    chain = read_supplier_list(data_dir / "importers" / "factory_list_oar.csv", sector="textiles")
    counts = chain.report.counts.set_index("table").loc["actors"]
    assert counts[["rows_in", "accepted", "quarantined", "merged_rows"]].tolist() == [5, 5, 0, 1]
    duplicate = chain.report.issues[chain.report.issues["reason"] == "duplicate_row"]
    assert duplicate["row"].tolist() == [5] and "repeats row 2 exactly" in duplicate["message"].iloc[0]
    assert duplicate["severity"].tolist() == ["warning"]
    assert not (chain.report.issues["reason"] == "duplicate_id").any()


def test_junk_and_full_width_punctuation_leave_names_and_addresses(data_dir):
    chain = read_supplier_list(data_dir / "importers" / "factory_list_oar.csv", sector="textiles")
    actors = chain.actors.set_index("country")
    text = " ".join(chain.actors["name"].astype(str)) + " ".join(chain.actors["address"].astype(str))
    assert "□" not in text and "，" not in text
    assert "Dongguan Huayi Garments Co., Ltd." in chain.actors["name"].tolist()
    assert "No.8 Dongcheng Road, Dongguan Guangdong" in chain.actors["address"].tolist()
    assert actors.loc["BD", "address"] == "Plot 12, BSCIC, Tongi, Gazipur"  # clean text is left alone
    cleaned = chain.report.issues.set_index("reason").loc["text_cleaned"]
    assert cleaned["severity"] == "warning" and "NFKC" in cleaned["message"]


@pytest.mark.parametrize("value,expected", [
    ("No.8□Road，Xinhui District（Jiangmen）", "No.8 Road, Xinhui District(Jiangmen)"),
    ("ＡＢＣ　Garments", "ABC Garments"), ("Room 301、Building A", "Room 301, Building A"),
    ("6,150", "6,150"), ("Zero\u200bwidth", "Zerowidth"), ("□", None), ("  plain  ", "plain"),
])
def test_clean_text(value, expected):
    from riskgraph.sources._common import clean_text

    assert clean_text(value) == expected


def test_import_osh_reads_xlsx_like_csv(data_dir, tmp_path):
    import csv

    book = openpyxl.Workbook()
    sheet = book.active
    with open(data_dir / "importers" / "osh_facilities.csv", encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle)):
            # lat/lng as numbers, as a spreadsheet holds them
            sheet.append([float(v) if number and i in (6, 7) and v else v for i, v in enumerate(row)])
    book.save(tmp_path / "facilities.xlsx")
    from_csv = read_open_supply_hub(data_dir / "importers" / "osh_facilities.csv", sector="textiles")
    from_xlsx = read_open_supply_hub(tmp_path / "facilities.xlsx", sector="textiles")
    rows_add_up(from_xlsx)
    assert from_xlsx.actors["id"].tolist() == from_csv.actors["id"].tolist()
    assert from_xlsx.report.quarantine["actors"]["row"].tolist() == [3, 6, 7]
    assert from_xlsx.actors["lat"].tolist() == from_csv.actors["lat"].tolist()
    result = CliRunner().invoke(import_group, ["osh", str(tmp_path / "facilities.xlsx"), "--out",
                                               str(tmp_path / "acme"), "--sector", "textiles"])
    assert result.exit_code == 1 and (tmp_path / "acme" / "actors.csv").is_file()


def test_import_to_a_workbook_keeps_findings_in_extra_sheets(data_dir, tmp_path):
    out = tmp_path / "members" / "acme.xlsx"
    result = CliRunner().invoke(import_group, ["osh", str(data_dir / "importers" / "osh_facilities.csv"),
                                               "--out", str(out), "--sector", "textiles"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.parent.iterdir()) == ["acme.xlsx"]
    sheets = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert {"actors", "flows", "_issues", "_quarantine"} <= set(sheets)
    assert len(rg.read_chain(out).actors) == 3  # the extra sheets are not chain tables



# --------------------------------------------------------------------------- field files: CMRT product list and look-up


def test_cmrt_product_list_is_read(tmp_path):
    products = [("ABCDEFG12345678\n", "Tool\n", "This is the main product "), ("HX-200", "Heat exchanger", None),
                ("HX-300", None, None), (None, "A product without a number", None)]
    path = build_cmrt(tmp_path / "cmrt.xlsx", products=products, scope="B. Product (or List of Products)",
                      smelters=[smelter_row("CID009002", "Gold", "Kampala Gold Refinery Ltd.", None, "UGANDA",
                                            "CID009002")])
    report = read_cmrt(path)
    numbers = report.products["product_number"]
    assert numbers[:3].tolist() == ["ABCDEFG12345678", "HX-200", "HX-300"] and pd.isna(numbers[3])
    assert report.products["product_name"].tolist()[:2] == ["Tool", "Heat exchanger"]
    assert report.products["row"].tolist() == [6, 7, 8, 9] and report.counts["products"] == 4
    missing = report.findings[report.findings["reason"] == "missing_required_field"]
    assert "[Product List]" in missing["file"].iloc[0] and missing["row"].tolist() == [9]
    tables = cmrt_tables([report])
    assert len(tables["products"]) == 4


def test_cmrt_scoped_to_products_with_an_empty_product_list_is_a_finding(tmp_path):
    report = read_cmrt(build_cmrt(tmp_path / "cmrt.xlsx", scope="B. Product (or List of Products)"))
    assert report.products.empty
    messages = report.findings.loc[report.findings["reason"] == "missing_required_field", "message"]
    assert messages.str.contains("Product List is empty").any()


@pytest.mark.parametrize("header", [LOOKUP_HEADER_EN, LOOKUP_HEADER_ZH], ids=["english", "chinese"])
def test_cmrt_lookup_is_found_by_structure_in_any_language(tmp_path, header):
    smelters = [smelter_row(None, "Gold", "Helvetia Refinery", "Helvetia Refinery", "SWITZERLAND", None, source=None),
                smelter_row(None, "Tin", "Unheard-of Tin Works", None, "CHINA", None, source=None)]
    lookup = [("Gold", "Helvetia Refinery", "Helvetia Affinage SA", "SWITZERLAND", "CID009001"),
              ("Tin", "Vinto", "Operaciones Metalurgicas S.A.", "BOLIVIA", "CID009101")]
    report = read_cmrt(build_cmrt(tmp_path / "cmrt.xlsx", smelters=smelters, lookup=lookup, lookup_header=header))
    by_name = report.smelters.set_index("name")
    assert by_name.loc["Helvetia Refinery", "smelter_id"] == "CID009001"     # filled as the formulas would
    assert by_name.loc["Helvetia Refinery", "id_source"] == "workbook look-up"
    assert pd.isna(by_name.loc["Unheard-of Tin Works", "smelter_id"])
    # the row whose id cannot be filled is said, not silently left without one
    warning = report.findings[report.findings["reason"] == "id_not_filled"]
    assert warning["row"].tolist() == [6] and warning["severity"].tolist() == ["warning"]
    assert "Unheard-of Tin Works" in warning["message"].iloc[0]


def test_cmrt_without_a_lookup_sheet_warns_for_ids_it_cannot_fill(tmp_path):
    smelters = [smelter_row(None, "Gold", "Helvetia Refinery", "Helvetia Refinery", "SWITZERLAND", None, source=None)]
    report = read_cmrt(build_cmrt(tmp_path / "cmrt.xlsx", smelters=smelters))
    message = report.findings.set_index("reason").loc["id_not_filled", "message"]
    assert "no smelter look-up sheet" in message


def test_real_cmrt_product_lists(samples):
    report = read_cmrt(samples / "cmrt" / "cfsi_cmrt_3.01_vendor_sample_redacted.xlsx")
    assert report.products["product_number"].tolist() == ["ABCDEFG12345678"]
    for name in CMRT_EXPECTED:
        assert read_cmrt(samples / "cmrt" / name).counts["products"] == 0
