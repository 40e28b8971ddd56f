"""The bundled reference scores, as an expert would check them.

``tests/data/reference_expectations.csv`` is the specification: one row per expectation an
expert states about the country and region scores (deforestation in Brazil above the
Netherlands, Xinjiang forced labour at least 0.8, ...), each with its reason.  The other tests
check that the scores rebuild byte-for-byte from ``datasets/reference/raw/`` and that every score
says where it comes from.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "datasets" / "reference"
EXPECTATIONS = Path(__file__).parent / "data" / "reference_expectations.csv"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)  # "NA" is Namibia


COUNTRY = _read(REFERENCE / "country_scores.csv")
REGION = _read(REFERENCE / "region_scores.csv")
EVIDENCE = _read(REFERENCE / "commodity_evidence.csv")


def score(theme: str, place: str) -> float:
    """Score of a country (ISO alpha-2) or a region (ISO 3166-2) for a theme."""
    table, key = (REGION, "region") if "-" in place else (COUNTRY, "iso2")
    hit = table[(table[key] == place) & (table["theme"] == theme)]
    assert len(hit) == 1, f"no single {theme} score for {place}"
    return float(hit["score"].iloc[0])


def _expectations() -> list:
    table = _read(EXPECTATIONS)
    return [pytest.param(r, id=f"{r.check}-{r.theme}-{r.subject}-{r.other or r.value}")
            for r in table.itertuples(index=False)]


@pytest.mark.parametrize("row", _expectations())
def test_expert_expectation(row):
    if row.check == "above":
        a, b = score(row.theme, row.subject), score(row.theme, row.other)
        assert a > b, f"{row.subject} {a:.3f} should be above {row.other} {b:.3f}: {row.why}"
    elif row.check == "at_least":
        assert score(row.theme, row.subject) >= float(row.value), row.why
    elif row.check == "below":
        assert score(row.theme, row.subject) < float(row.value), row.why
    elif row.check == "not_in_top":
        ranked = COUNTRY[COUNTRY["theme"] == row.theme].assign(s=lambda t: t["score"].astype(float))
        top = ranked.sort_values(["s", "iso2"], ascending=[False, True])["iso2"].head(int(row.value))
        assert row.subject not in set(top), f"{row.subject} in the top {row.value}: {row.why}"
    elif row.check == "gold_hub":
        hit = EVIDENCE[(EVIDENCE["iso2"] == row.subject) & (EVIDENCE["commodity"] == "gold")
                       & (EVIDENCE["theme"] == row.theme)]
        assert len(hit) == 1 and float(hit["floor"].iloc[0]) >= float(row.value), row.why
        assert "transit" in hit["evidence"].iloc[0] and "Annex II" in hit["evidence"].iloc[0]
    elif row.check == "floor":  # commodity evidence: subject = country, other = commodity key
        hit = EVIDENCE[(EVIDENCE["iso2"] == row.subject) & (EVIDENCE["commodity"] == row.other)
                       & (EVIDENCE["theme"] == row.theme)]
        assert len(hit) == 1 and float(hit["floor"].iloc[0]) >= float(row.value), row.why
    else:
        pytest.fail(f"unknown check {row.check!r} in {EXPECTATIONS.name}")


def test_the_expectations_cover_the_themes_and_places_the_issue_names():
    table = _read(EXPECTATIONS)
    assert {"deforestation", "child_labour", "forced_labour", "conflict_financing", "living_wage",
            "health_safety"} <= set(table["theme"])
    assert {"CN-XJ", "CD-NK", "PE-MDD", "IN-RJ", "BR-PA", "BR-MT"} <= set(table["subject"])
    assert table["why"].str.len().gt(10).all()


def test_every_country_score_names_its_source_and_year():
    assert not COUNTRY.duplicated(["iso2", "theme"]).any()
    assert (COUNTRY["source"].str.strip() != "").all() and (COUNTRY["year"].str.strip() != "").all()
    measured = COUNTRY[COUNTRY["method"] != "default_no_data"]
    assert measured["year"].str.contains(r"\d{4}").all()
    # The only rows without a year are the documented defaults: no source has a value there.
    defaults = COUNTRY[COUNTRY["method"] == "default_no_data"]
    assert (defaults["source"] == "default").all() and (defaults["year"] == "no_data").all()
    assert set(defaults["iso2"]) <= {"AQ", "EH", "VA", "HK", "MO", "TW", "XK"}


def test_every_region_score_names_a_source_with_address_and_year():
    assert not REGION.duplicated(["region", "theme"]).any()
    assert REGION["source"].str.contains(r"https?://").all()
    assert REGION["year"].str.contains(r"\d{4}").all()
    assert REGION["region"].map(lambda r: bool(re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", r))).all()
    assert (REGION["country"] == REGION["region"].str[:2]).all()


def test_every_listed_cahra_region_has_a_conflict_score_above_the_country_floor():
    cahra = _read(REFERENCE / "raw" / "indicators" / "conflict_eu_cahra_regions_2026.csv")
    conflict = REGION[REGION["theme"] == "conflict_financing"]
    assert len(conflict) == len(cahra) == 234
    assert conflict["score"].astype(float).min() > 0.75
    drc = conflict[conflict["country"] == "CD"]
    assert len(drc) == 26 and drc["source"].str.contains("cahraslist.net").all()


def test_proxies_are_labelled_and_national_estimates_flagged_secondary():
    india = COUNTRY[(COUNTRY["iso2"] == "IN") & (COUNTRY["theme"] == "child_labour")].iloc[0]
    assert india["method"].startswith("secondary:") and "secondary" in india["source"]
    proxied = COUNTRY[COUNTRY["method"].str.contains("ols\\(")]
    assert proxied["method"].str.startswith("proxy:").all()


def test_gulf_living_wage_rests_on_migrant_worker_evidence():
    for iso in ("AE", "QA", "KW", "SA"):
        row = COUNTRY[(COUNTRY["iso2"] == iso) & (COUNTRY["theme"] == "living_wage")].iloc[0]
        assert "migrant_workforce_floor" in row["method"] and "ILO" in row["source"]


def test_dol_2024_removals_are_applied_and_forced_labour_kept():
    def rows(iso, commodity):
        return EVIDENCE[(EVIDENCE["iso2"] == iso) & (EVIDENCE["commodity"] == commodity)]
    for iso, commodity in (("AR", "blueberries"), ("KH", "salt"), ("MN", "fluorspar")):
        assert rows(iso, commodity).empty, (iso, commodity)
    thai = rows("TH", "shrimp")
    assert list(thai["theme"]) == ["forced_labour"] and "2024 edition removed" in thai["evidence"].iloc[0]
    assert set(rows("KH", "shrimp")["theme"]) == {"child_labour"}  # not among the removals


def test_dol_2024_additions_named_in_two_sources_are_applied_as_2024_rows():
    added = _read(REFERENCE / "raw" / "dol_tvpra_2024_additions.csv")
    assert len(added) >= 2 and added["second_source_url"].str.startswith("http").all()
    for iso in ("MU", "MM"):
        hit = EVIDENCE[(EVIDENCE["iso2"] == iso) & (EVIDENCE["commodity"] == "garments")
                       & (EVIDENCE["theme"] == "forced_labour")]
        assert len(hit) == 1 and hit["year"].iloc[0] == "2024" and "2024 edition" in hit["source"].iloc[0]
    # Burma's garments keep their 2022 child-labour listing, with the 2022 source
    burma = EVIDENCE[(EVIDENCE["iso2"] == "MM") & (EVIDENCE["commodity"] == "garments")
                     & (EVIDENCE["theme"] == "child_labour")]
    assert list(burma["year"]) == ["2022"]


def test_one_transit_hub_table_serves_the_minerals_flag_and_the_gold_floor():
    from riskgraph.regulation.minerals import transit_hubs

    hubs = transit_hubs()
    assert set(hubs["source"]) == {"sentry_2020", "un_goe_drc_2020"}  # both sources, one table
    assert not (REFERENCE / "raw" / "gold_transit_hubs.csv").exists()
    assert not (ROOT / "datasets" / "regulation" / "minerals_transit_hubs.csv").exists()
    floors = EVIDENCE[(EVIDENCE["commodity"] == "gold") & (EVIDENCE["theme"] == "conflict_financing")]
    assert set(floors["iso2"]) == set(hubs.loc[hubs["metal"] == "gold", "iso2"])
    uae = floors[floors["iso2"] == "AE"].iloc[0]
    assert "The Sentry" in uae["source"] and "UN Group of Experts" in uae["source"]


def test_eudr_benchmark_is_a_floor_for_eudr_commodities_only():
    defo = EVIDENCE[EVIDENCE["theme"] == "deforestation"]
    assert set(defo["commodity"]) == {"cattle", "leather", "cocoa", "coffee", "oil_palm", "rubber", "rubber_gloves",
                                      "soya", "wood", "teak", "charcoal", "furniture", "paper"}
    assert not COUNTRY[COUNTRY["theme"] == "deforestation"]["source"].str.contains("EUDR").any()


@pytest.mark.slow
def test_build_scores_rebuilds_the_committed_tables_byte_for_byte(tmp_path):
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    outputs = ["country_scores.csv", "region_scores.csv", "commodity_evidence.csv", "commodity_aliases.csv"]
    for name in outputs:
        (copy / name).unlink()
    run = subprocess.run([sys.executable, str(copy / "build_scores.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "self-check: all assertions passed" in run.stdout
    for name in outputs:
        assert (copy / name).read_bytes() == (REFERENCE / name).read_bytes(), name
