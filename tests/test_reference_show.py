"""``region_scores()``, ``reference_profile()`` and ``riskgraph reference show``: why is a country high?"""
from __future__ import annotations

import io
import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from riskgraph.cli import cli
from riskgraph.errors import InputError
from riskgraph.risk.reference import (
    PROFILE_COLUMNS,
    REGION_COLUMNS,
    country_scores,
    reference_profile,
    region_scores,
    score_category,
)


def test_region_scores_have_the_documented_columns_and_iso_3166_2_codes():
    table = region_scores()
    assert list(table.columns) == REGION_COLUMNS
    assert table["region"].str.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}").all()
    assert (table["region"].str[:2] == table["country"]).all()
    assert table["score"].between(0, 1).all()
    xinjiang = table[(table["region"] == "CN-XJ") & (table["theme"] == "forced_labour")].iloc[0]
    assert xinjiang["score"] >= 0.8 and "Uyghur Forced Labor Prevention Act" in xinjiang["source"]


def test_profile_of_india_lists_every_theme_then_its_regions():
    table = reference_profile("India")
    assert list(table.columns) == PROFILE_COLUMNS
    country = table[table["level"] == "country"]
    assert len(country) == 10 and set(country["place"]) == {"IN"}
    assert list(table["level"]).index("region") == 10  # regions after the ten country rows
    # Rajasthan (silicosis, child labour) and the two CAHRA-listed states (Chhattisgarh, Jammu and Kashmir)
    assert set(table.loc[table["level"] == "region", "place"]) == {"IN-RJ", "IN-CG", "IN-JK"}
    child = country[country["theme"] == "child_labour"].iloc[0]
    # Census 2011: 3.9 % on the log scale between 2 % (0.25) and 5 % (0.5):
    # 0.25 + 0.25 * log(3.9 / 2) / log(5 / 2) = 0.432
    assert child["score"] == pytest.approx(0.25 + 0.25 * math.log(3.9 / 2) / math.log(5 / 2), abs=1e-6)
    assert child["category"] == "medium" and child["year"] == "2011"
    assert child["method"].startswith("secondary:") and "Census of India" in child["source"]


def test_profile_accepts_codes_and_names_alike_and_filters_a_theme():
    by_code = reference_profile("IN", "child_labour")
    assert by_code.equals(reference_profile("IND", "child_labour"))
    assert by_code.equals(reference_profile("india", "child_labour"))
    assert set(by_code["theme"]) == {"child_labour"} and list(by_code["place"]) == ["IN", "IN-RJ"]


def test_profile_with_commodities_shows_the_gold_hub_floor_of_the_uae():
    table = reference_profile("AE", "conflict_financing", commodities=True)
    assert list(table["level"]) == ["country", "commodity:gold"]
    country, gold = table.iloc[0], table.iloc[1]
    assert country["category"] == "low" and gold["score"] == 0.75 and gold["category"] == "very_high"
    assert "transit" in gold["method"] and "Annex II" in gold["method"]


def test_profile_rejects_unknown_countries_and_themes():
    with pytest.raises(InputError, match="unknown country"):
        reference_profile("Atlantis")
    with pytest.raises(InputError, match="unknown theme"):
        reference_profile("IN", "happiness")


@pytest.mark.parametrize("score, category", [(0.0, "low"), (0.249, "low"), (0.25, "medium"), (0.5, "high"),
                                             (0.75, "very_high"), (1.0, "very_high")])
def test_score_category_uses_the_bundled_thresholds(score, category):
    assert score_category(score) == category


def test_reference_show_table_names_source_year_and_method():
    result = CliRunner().invoke(cli, ["reference", "show", "--country", "IN", "--theme", "child_labour"])
    assert result.exit_code == 0, result.output
    for text in ("India (IN)", "0.432", "Census of India", "2011", "secondary:national_estimate", "IN-RJ"):
        assert text in result.stdout


def test_reference_show_csv_is_one_row_per_score():
    result = CliRunner().invoke(cli, ["reference", "show", "--country", "CD", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert list(table.columns) == PROFILE_COLUMNS
    assert (table["level"] == "country").sum() == 10
    regions = table[table["level"] == "region"]
    assert {"CD-NK", "CD-SK", "CD-IT", "CD-MA", "CD-TA"} <= set(regions["place"])
    expected = country_scores().query("iso2 == 'CD' and theme == 'deforestation'")["score"].iloc[0]
    got = table[(table["level"] == "country") & (table["theme"] == "deforestation")]["score"].iloc[0]
    assert got == pytest.approx(expected)


def test_reference_show_json_is_one_document_of_records():
    result = CliRunner().invoke(cli, ["reference", "show", "--country", "Côte d'Ivoire", "--theme", "deforestation",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["level"] for r in records] == ["country"]
    assert records[0]["place"] == "CI" and "secondary" in records[0]["method"] and records[0]["year"]


def test_reference_show_usage_errors_exit_2():
    unknown = CliRunner().invoke(cli, ["reference", "show", "--country", "Atlantis"])
    assert unknown.exit_code == 2 and "unknown country" in unknown.output
    missing = CliRunner().invoke(cli, ["reference", "show"])
    assert missing.exit_code == 2 and "--country" in missing.output


def test_reference_help_has_an_example():
    result = CliRunner().invoke(cli, ["reference", "show", "--help"])
    assert result.exit_code == 0 and "riskgraph reference show --country IN" in result.output
