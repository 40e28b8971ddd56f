"""EU conflict minerals: refiners mapped to the RMI list, flags with their paths, Annex I thresholds.

The chains in ``tests/data/minerals/`` are hand-made; their numbers are written out here.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from riskgraph.cli import RiskGraphGroup
from riskgraph.cli.minerals import minerals
from riskgraph.errors import InputError
from riskgraph.sources import read_cmrt, read_rmi_smelter_list
from riskgraph.chain.io import read_chain
from riskgraph.chain.model import Chain
from riskgraph.regulation.minerals import (FLAG_COLUMNS, annex_thresholds, cahra_countries, conflict_minerals,
                                          conformant_table, read_conformant, threshold_table, union_importers)
from riskgraph.regulation.minerals.flags import _cahra_shares_by_paths

DATA = Path(__file__).parent / "data" / "minerals"
CONFORMANT = DATA / "conformant.csv"
RMI = DATA / "rmi_list.csv"


@pytest.fixture(scope="module")
def rmi():
    return read_rmi_smelter_list(RMI)


def chain(name):
    return read_chain(DATA / name)


# --------------------------------------------------------------------------- the two cases


def test_gold_from_a_cahra_country_through_an_unidentified_refiner_is_flagged_with_its_path():
    # MINE-CD (60 kg via TRADER-UG) and MINE-GH (40 kg) feed REFINER, which has no smelter id; SHOP buys it all.
    report = conflict_minerals(chain("unidentified"), node="SHOP")
    flags = report.flags[report.flags["reason"] != "transit_hub"].set_index("reason")
    assert set(flags.index) == {"cahra_origin", "unidentified_refiner"}
    cahra = flags.loc["cahra_origin"]
    assert cahra["origin_country"] == "CD"
    assert cahra["path"] == "MINE-CD → TRADER-UG → REFINER → SHOP"
    assert cahra["share"] == pytest.approx(0.6)
    assert cahra["refiner"] == "REFINER"
    refiner = flags.loc["unidentified_refiner"]
    assert refiner["share"] == pytest.approx(1.0)  # all of SHOP's gold passed the refiner
    assert refiner["path"] == "MINE-CD → TRADER-UG → REFINER → SHOP"  # the heavier of its two supply paths
    assert refiner["path_share"] == pytest.approx(0.6)
    assert report.refiners.set_index("actor").loc["REFINER", "status"] == "unidentified"


def test_the_same_gold_through_a_conformant_refiner_is_not_flagged():
    report = conflict_minerals(chain("conformant"), node="SHOP", conformant=CONFORMANT, rmi=RMI)
    assert report.flags.empty
    assert not report.flagged
    refiner = report.refiners.set_index("actor").loc["REFINER"]
    assert (refiner["smelter_id"], refiner["match"], refiner["status"]) == ("CID900001", "cid", "conformant")
    assert refiner["status_date"] == "2025-03-01"


def test_without_a_conformant_list_no_refiner_is_conformant_so_the_cahra_origin_is_flagged():
    report = conflict_minerals(chain("conformant"), node="SHOP")
    # Uganda is a transit country, but all that passed the Ugandan trader came from DR Congo: flagged for its origin.
    assert report.flags["reason"].tolist() == ["cahra_origin"]
    assert report.flags.loc[0, "status"] == "unknown"
    assert report.notes and "no conformant list" in report.notes[0]


# --------------------------------------------------------------------------- shares, fast and reference


def _fast(chain_, conformant):
    flags = conflict_minerals(chain_, node="SHOP", conformant=conformant).flags
    return float(flags.loc[flags["reason"] == "cahra_origin", "share"].sum())


def _reference(chain_, conformant):
    cut = ["REF-OK"] if conformant is not None else []
    return _cahra_shares_by_paths(chain_, "SHOP", ["MINE-CD"], cut)


@pytest.mark.parametrize("impl", (_fast, _reference))
@pytest.mark.parametrize("conformant, expected", [
    # MINE-CD → TRADER-AE splits 50/50 to REF-OK (50 of its 350 kg) and REF-BAD (50 of 80 kg); MAKER takes
    # half from each refiner and SHOP all of MAKER's: 1 · 50/350 · 0.5 + 1 · 50/80 · 0.5.
    (None, 1 / 14 + 0.3125),
    # REF-OK is conformant: only the path through REF-BAD counts.
    (CONFORMANT, 0.3125),
])
def test_cahra_share_avoids_conformant_refiners(impl, conformant, expected):
    assert impl(chain("two_refiners"), conformant) == pytest.approx(expected)


def test_unidentified_refiner_share_and_heaviest_path_in_a_two_refiner_chain():
    flags = conflict_minerals(chain("two_refiners"), node="SHOP", conformant=CONFORMANT).flags
    row = flags[flags["reason"] == "unidentified_refiner"].iloc[0]
    assert row["refiner"] == "REF-BAD"
    assert row["share"] == pytest.approx(0.5)
    assert row["path"] == "MINE-CD → TRADER-AE → REF-BAD → MAKER → SHOP"
    assert row["path_share"] == pytest.approx(50 / 80 * 0.5)


@pytest.mark.parametrize("accept, flagged", [(("conformant",), True), (("conformant", "active"), False)])
def test_an_active_refiner_is_non_conformant_unless_accepted(accept, flagged):
    statuses = conformant_table(pd.DataFrame({"cid": ["CID900001"], "status": ["Active"], "date": ["2025-01-15"]}))
    flags = conflict_minerals(chain("two_refiners"), node="SHOP", conformant=statuses, accept=accept).flags
    found = flags[flags["reason"] == "non_conformant_refiner"]
    assert (len(found) == 1) is flagged
    if flagged:
        assert found.iloc[0]["refiner"] == "REF-OK"
        assert found.iloc[0]["status"] == "active"
        assert found.iloc[0]["share"] == pytest.approx(0.5)
        assert found.iloc[0]["path"] == "MINE-GH → REF-OK → MAKER → SHOP"


def test_unknown_node_is_an_input_error():
    with pytest.raises(InputError, match="unknown actor id"):
        conflict_minerals(chain("unidentified"), node="NOBODY")


# --------------------------------------------------------------------------- conformant list and reference data


def test_read_conformant_normalises_statuses_and_headers():
    table = read_conformant(CONFORMANT)
    assert table.to_dict("list") == {
        "smelter_id": ["CID900001", "CID900002", "CID900003", "CID900101"],
        "status": ["conformant", "active", "non-conformant", "conformant"],
        "date": ["2025-03-01", "2025-01-15", "2024-11-30", "2025-02-10"],
    }


def test_read_conformant_rejects_malformed_ids(tmp_path):
    bad = tmp_path / "rmap.csv"
    bad.write_text("CID,status,date\nCID900001,conformant,2025-01-01\n123,conformant,2025-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="not of the form CID000000"):
        read_conformant(bad)
    missing = tmp_path / "no_status.csv"
    missing.write_text("CID,date\nCID900001,2025-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="no status column"):
        read_conformant(missing)


def test_reference_tables():
    assert {"CD", "CO", "BF", "ML"} <= cahra_countries()
    assert "NL" not in cahra_countries()
    annex = annex_thresholds()
    assert len(annex) == 23
    assert set(annex["metal"]) == {"gold", "tin", "tantalum", "tungsten"}
    confirmed = annex[annex["confirmed"] == "yes"].set_index("description")["threshold_kg"]
    assert confirmed["Tin ores and concentrates"] == 5000
    assert confirmed["Tungsten ores and concentrates"] == 250000
    assert confirmed["Tungsten oxides and hydroxides"] == 100000
    assert annex.loc[annex["confirmed"] == "no", "threshold_kg"].isna().all()


# --------------------------------------------------------------------------- CMRT


def build_cmrt(path, smelters, *, company="Voorbeeld Componenten B.V."):
    """A CMRT 6.x-shaped workbook: Declaration (D8, J3, D26:D29), Smelter List (header row 4, data from row 5)."""
    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    for name in ("Definitions", "Declaration", "Smelter List", "Checker", "Product List"):
        book.create_sheet(name)
    declaration = book["Declaration"]
    declaration["J3"] = "Revision 6.5\nApril 25, 2025"
    declaration["B8"], declaration["D8"] = "Company Name (*):", company
    declaration["B9"], declaration["D9"] = "Declaration Scope or Class (*):", "A. Company"
    declaration["B22"], declaration["D22"] = "Effective Date (*):", "2025-05-01"
    for offset, (metal, answer) in enumerate(zip(("Tantalum", "Tin", "Gold", "Tungsten"), ("No", "Yes", "Yes", "No"))):
        declaration[f"B{26 + offset}"], declaration[f"D{26 + offset}"] = f"{metal} (*)", answer
    sheet = book["Smelter List"]
    header = ["Smelter Identification Number Input Column", "Metal (*)", "Smelter Look-up (*)", "Smelter Name (1) (*)",
              "Smelter Country (*)", "Smelter Identification", "Source of Smelter Identification Number",
              "Smelter Street", "Smelter City", "Smelter Facility Location: State / Province",
              "Smelter Contact Name", "Smelter Contact Email", "Proposed next steps", "Name of Mine(s)",
              "Location (Country) of Mine(s)", "Does 100% of the smelter's feedstock originate from recycled or "
              "scrap sources?", "Comments"]
    for column, text in enumerate(header, start=1):  # columns A–Q
        sheet.cell(row=4, column=column, value=text)
    for offset, values in enumerate(smelters):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=5 + offset, column=column, value=value)
    book.save(path)
    return path


SMELTERS = [
    # A, B metal, C look-up, D name, E country, F CID, G source, H–M, N mine, O mine country
    (None, "Gold", "Helvetia Affinage SA", "Helvetia Affinage SA", "SWITZERLAND", "CID900001", "RMI"),
    (None, "Gold", "Smelter not listed", "LBR Entebbe", "UGANDA", None, None),  # an alias, no CID
    (None, "Gold", "Smelter not yet identified", None, None, None, None),
    (None, "Gold", "Dune Precious Metals DMCC", "Dune Precious Metals DMCC", "UNITED ARAB EMIRATES", "CID900003",
     "RMI", None, None, None, None, None, None, None, "DEMOCRATIC REPUBLIC OF THE CONGO"),
    (None, "Tin", "Andes Tin Smelter S.A.", "Andes Tin Smelter S.A.", "BOLIVIA (PLURINATIONAL STATE OF)",
     "CID900101", "RMI", None, None, None, None, None, None, None, "DEMOCRATIC REPUBLIC OF THE CONGO"),
]


def test_cmrt_smelter_without_cid_is_matched_by_alias(tmp_path, rmi):
    cmrt = read_cmrt(build_cmrt(tmp_path / "supplier_cmrt.xlsx", SMELTERS))
    report = conflict_minerals(chain("conformant"), node="SHOP", cmrts=[cmrt], rmi=rmi, conformant=CONFORMANT)
    from_cmrt = report.refiners[report.refiners["source"] == "supplier_cmrt.xlsx"].set_index("name")
    alias = from_cmrt.loc["LBR Entebbe"]
    assert alias["match"] == "name"
    assert pd.isna(alias["smelter_id_given"])
    assert alias["smelter_id"] == "CID900002"
    assert alias["rmi_name"] == "Lakeside Bullion Refiners Ltd."
    assert alias["score"] >= 0.8
    assert alias["status"] == "active"
    assert from_cmrt.loc["Helvetia Affinage SA", "match"] == "cid"
    assert from_cmrt.loc["Andes Tin Smelter S.A.", "status"] == "conformant"

    flags = report.flags[report.flags["source"] == "supplier_cmrt.xlsx"]
    assert set(flags["node"]) == {"CMRT Voorbeeld Componenten B.V."}
    assert flags["share"].isna().all()  # a CMRT places its smelters in no chain
    got = sorted(zip(flags["reason"], flags["refiner"], flags["origin_country"].fillna("")))
    assert got == [
        ("cahra_origin", "Dune Precious Metals DMCC", "CD"),  # non-conformant, mine in CD
        ("non_conformant_refiner", "Dune Precious Metals DMCC", ""),
        ("non_conformant_refiner", "LBR Entebbe", ""),  # active is not accepted by default
        ("unidentified_refiner", "Smelter not yet identified", ""),  # as the CMRT names it
    ]  # the conformant tin smelter's CD mine is covered by its audit


def test_cmrt_sample_is_mapped_to_the_rmi_sample(shared_dir):
    samples = shared_dir / "samples" / "cmrt"
    sample = samples / "cmrt_6.4_central_glass_redacted.xlsx"
    reference = samples / "rmi_smelter_lookup_from_cmrt_6.5.csv"
    if not sample.is_file() or not reference.is_file():
        pytest.skip(f"the CMRT samples are not in {samples}")
    report = conflict_minerals(chain("conformant"), node="SHOP", cmrts=[sample], rmi=reference)
    from_cmrt = report.refiners[report.refiners["source"] == sample.name]
    assert len(from_cmrt) == 4 and set(from_cmrt["metal"]) == {"tungsten"}
    assert set(from_cmrt["match"]) <= {"cid", "cid_other_metal", "cid_unknown", "name", "review", "none"}


# --------------------------------------------------------------------------- thresholds


def test_thresholds_on_a_hand_example():
    # 2024: 60 kg (CH) + 0.05 t (CH) of refined gold imported = 110 kg; 20 000 g (DE) and 3 pcs (BE) are not imports.
    # Refined gold is compared with the refined-gold row, whose threshold could not be read: unknown, never guessed.
    # Tin: 1 500 kg of bars (CN 8003 00 00) from Bolivia, compared only with the tin-bars row.
    table = threshold_table(chain("thresholds"), ["MAKER"])
    gold = table[table["metal"] == "gold"].set_index("year")
    assert gold.loc[2024, ["form", "imported_kg", "received_kg", "position"]].tolist() == [
        "refined_metal", 110.0, 130.0, "unknown"]
    assert "converted to kg from t" in gold.loc[2024, "note"]
    assert gold.loc[2025, ["imported_kg", "position"]].tolist() == [80.0, "unknown"]
    assert not (table["description"].str.contains("lower than 99,5")).any()
    tin = table[table["metal"] == "tin"]
    assert tin[["cn_code", "imported_kg", "threshold_kg", "position", "confirmed"]].values.tolist() == [
        ["8003 00", 1500.0, 1400.0, "above", "secondary"]]


def gold_chain(actors, flows):
    actors = pd.DataFrame(actors, columns=["id", "stage", "country"]).assign(sector="gold", name=lambda f: f["id"])
    flows = pd.DataFrame(flows, columns=["source", "target", "commodity", "volume", "unit"]).assign(year=2025)
    return Chain(actors=actors, flows=flows)


def test_a_dutch_refiner_importing_150_kg_of_peruvian_dore_is_above_the_unrefined_gold_threshold():
    chain_ = gold_chain([("mine", "mine_asm", "PE"), ("exp", "trader", "PE"), ("ref", "refiner", "NL")],
                        [("mine", "exp", "doré", 150.0, "kg"), ("exp", "ref", "doré", 150.0, "kg")])
    importer = union_importers(chain_, ["ref"]).iloc[0]
    assert importer["importer"] and "PE" in importer["reason"]
    row = threshold_table(chain_, ["ref"]).iloc[0]
    assert row["form"] == "unrefined_gold" and "lower than 99,5 %" in row["description"]
    assert (row["imported_kg"], row["threshold_kg"], row["position"]) == (150.0, 100.0, "above")
    assert row["rule_id"] == "MIN-THRESHOLD"


def test_refined_gold_imported_is_compared_with_the_refined_row():
    chain_ = gold_chain([("ref", "refiner", "CH"), ("maker", "manufacturer", "NL")],
                        [("ref", "maker", "gold", 150.0, "kg")])
    row = threshold_table(chain_, ["maker"]).iloc[0]
    assert row["form"] == "refined_metal" and row["part"] == "metals"
    assert pd.isna(row["threshold_kg"]) and row["position"] == "unknown"
    # The flow's CN code and its wording both override the stage: doré from a Swiss trader is unrefined.
    dore = chain_.replace(flows=chain_.flows.assign(commodity="doré"))
    assert threshold_table(dore, ["maker"]).iloc[0]["position"] == "above"


def test_a_dutch_buyer_supplied_only_from_the_netherlands_is_not_a_union_importer():
    chain_ = gold_chain([("ref", "refiner", "NL"), ("shop", "retailer", "NL")],
                        [("ref", "shop", "gold bars", 370.0, "kg")])
    importer = union_importers(chain_, ["shop"]).iloc[0]
    assert not importer["importer"] and importer["reason"].startswith("not a Union importer: supplied with 3TG only "
                                                                     "from inside the Union (NL)")
    assert threshold_table(chain_, ["shop"]).empty
    report = conflict_minerals(chain_, node="shop")
    assert not report.importers.iloc[0]["importer"]
    assert report.steps.set_index("step").loc[5, "status"] == "voluntary"


def test_jewellery_is_outside_annex_i_and_a_swiss_buyer_is_not_a_union_importer():
    chain_ = gold_chain([("maker", "manufacturer", "TR"), ("shop", "retailer", "NL"), ("ch", "retailer", "CH"),
                         ("ref", "refiner", "AE")],
                        [("maker", "shop", "gold jewellery", 40.0, "kg"), ("ref", "ch", "gold bars", 500.0, "kg")])
    table = union_importers(chain_, ["shop", "ch"]).set_index("node")
    assert not table.loc["shop", "importer"] and "outside Annex I" in table.loc["shop", "reason"]
    assert not table.loc["ch", "importer"] and "outside the Union (CH)" in table.loc["ch", "reason"]


def test_red_flags_on_origin_and_transit():
    # Ghanaian gold through a trader in DR Congo (a CAHRA) and a trader in Rwanda (a known transit country).
    chain_ = gold_chain([("mine", "mine_lsm", "GH"), ("cd", "trader", "CD"), ("rw", "trader", "RW"),
                         ("ref", "refiner", "NL")],
                        [("mine", "cd", "doré", 10.0, "kg"), ("cd", "rw", "doré", 10.0, "kg"),
                         ("rw", "ref", "doré", 10.0, "kg")])
    flags = conflict_minerals(chain_, node="ref").flags.set_index("reason")
    assert "cahra_origin" not in flags.index
    assert flags.loc["cahra_transit", "via"] == "cd (CD)" and flags.loc["cahra_transit", "share"] == pytest.approx(1)
    assert flags.loc["transit_hub", "via"] == "rw (RW)"
    assert flags.loc["cahra_transit", "rule_id"] == "MIN-STEP2-RED-FLAG-TRANSIT"
    assert flags.loc["cahra_transit", "article"].startswith("Art. 5")


def test_the_five_steps_say_what_the_data_show():
    report = conflict_minerals(chain("unidentified"), node="SHOP")
    steps = report.steps.set_index("step")
    assert list(steps.index) == [1, 2, 3, 4, 5]
    assert steps.loc[1, "article"].startswith("Art. 4") and "unidentified: REFINER" in steps.loc[1, "finding"]
    assert steps.loc[2, "status"] == "red flags" and "cahra_origin CD (60%)" in steps.loc[2, "finding"]
    assert steps.loc[3, "status"] == "response needed"
    assert steps.loc[4, "article"].startswith("Art. 6") and steps.loc[4, "status"] == "audit needed"
    conformant = conflict_minerals(chain("conformant"), node="SHOP", conformant=CONFORMANT, rmi=RMI)
    assert conformant.steps.set_index("step").loc[4, "status"] == "exemption possible"


def test_minerals_rules_command():
    result = CliRunner().invoke(RiskGraphGroup(commands={"minerals": minerals}), ["minerals", "--rules"])
    assert result.exit_code == 0, result.output
    assert "MIN-UNION-IMPORTER" in result.output and "MIN-STEP4-AUDIT" in result.output


# --------------------------------------------------------------------------- the bundled gold chain


def test_gold_dataset_unidentified_refiner_reaches_the_utrecht_chain_in_2024():
    report = conflict_minerals(read_chain("datasets/gold"), node="GLD-RTL-NL-23", year=2024)
    row = report.flags[report.flags["reason"] == "unidentified_refiner"].iloc[0]
    assert row["refiner"] == "GLD-REF-AE-05"
    assert row["path"].endswith("GLD-REF-AE-05 → GLD-MFG-TR-01 → GLD-RTL-NL-23")
    assert 0 < row["path_share"] <= row["share"] < 1
    assert (report.flags["reason"] == "cahra_origin").any()
    assert set(report.refiners["match"]) == {"cid_unchecked", "none"}


# --------------------------------------------------------------------------- command line


@pytest.fixture
def run():
    group = RiskGraphGroup(commands={"minerals": minerals})

    def invoke(*args):
        return CliRunner().invoke(group, ["minerals", *map(str, args)])

    return invoke


def test_cli_exit_1_and_json_shape_when_flagged(run):
    result = run(DATA / "unidentified", "--format", "json", "-q")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"nodes", "summary", "notes", "importers", "flags", "refiners", "thresholds", "steps",
                         "cmrt_findings"}
    assert data["nodes"] == ["SHOP"]
    # The refiner in Dubai (a trading hub) passes the Ghanaian 40 % on too; the Congolese 60 % is flagged for its origin.
    assert data["summary"]["flags_by_reason"] == {"cahra_origin": 1, "transit_hub": 1, "unidentified_refiner": 1}
    assert all(list(flag) == FLAG_COLUMNS for flag in data["flags"])
    assert {f["path"] for f in data["flags"] if f["reason"] != "transit_hub"} == {"MINE-CD → TRADER-UG → REFINER → SHOP"}
    assert math.isclose(sum(f["share"] for f in data["flags"]), 2.0)  # 0.6 origin + 1 refiner + 0.4 via AE


def test_cli_exit_0_when_nothing_is_flagged(run, tmp_path):
    out = tmp_path / "minerals.xlsx"
    result = run(DATA / "conformant", "--conformant", CONFORMANT, "--rmi", RMI, "--out", out)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames == ["importers", "flags", "refiners", "thresholds", "steps"]


def test_cli_bad_input_exits_2(run):
    result = run(DATA / "unidentified", "--node", "NOBODY")
    assert result.exit_code == 2
    assert "NOBODY" in result.output
    assert "Example" in minerals.help
