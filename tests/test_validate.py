"""Validation reports every bad row with file, row, column and reason, and drops nothing silently."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import riskgraph as rg
from riskgraph.chain.validate import Reason, parse_numbers


@pytest.fixture
def bad(data_dir):
    return rg.read_chain(data_dir / "bad_rows")


def findings(report, file):
    issues = report.issues[report.issues["file"] == file]
    return {(r.severity, r.row if r.row is not pd.NA else None, r.column, r.reason) for r in issues.itertuples()}


def test_every_bad_actor_row_is_reported_at_its_row_and_column(bad):
    assert findings(bad.report, "actors.csv") == {
        ("error", 3, "id", "empty_id"),
        ("error", 4, "id", "duplicate_id"),
        ("error", 5, "stage", "unknown_stage"),
        ("error", 6, "sector", "unknown_sector"),
        ("error", 7, "country", "unknown_country"),
        ("error", 8, "lat", "impossible_coordinate"),
        ("error", 9, "lon", "impossible_coordinate"),
        ("error", 11, "lat", "non_numeric_coordinate"),
        ("warning", 10, "lat", "swapped_coordinates"),
    }


def test_every_bad_flow_row_is_reported_at_its_row_and_column(bad):
    assert findings(bad.report, "flows.csv") == {
        ("error", 3, "target", "dangling_flow"),
        ("error", 4, "volume", "negative_volume"),
        ("error", 5, "volume", "non_numeric_volume"),
        ("error", 6, "target", "self_loop"),
        ("error", 7, "source", "dangling_flow"),
        ("error", 8, "year", "non_numeric_year"),
        ("warning", None, "volume", "missing_volume"),
    }


def test_messages_name_the_value_and_what_was_expected(bad):
    messages = bad.report.issues.set_index(["file", "row", "reason"])["message"]
    assert messages[("actors.csv", 4, "duplicate_id")] == (
        "actors.csv row 4: id 'ok1' is already used on row 2; ids must be unique (the first row is kept)"
    )
    assert messages[("flows.csv", 4, "negative_volume")] == "flows.csv row 4: volume '-5' must be ≥ 0"
    assert "refers to an actor that was quarantined (actors.csv row 5)" in messages[("flows.csv", 7, "dangling_flow")]
    assert "'goldsmith'" in messages[("actors.csv", 5, "unknown_stage")]
    assert "look swapped" in messages[("actors.csv", 8, "impossible_coordinate")]


def test_rows_in_equal_accepted_plus_quarantined(bad):
    counts = bad.report.counts.set_index("table")
    assert counts.loc["actors", ["rows_in", "accepted", "quarantined"]].tolist() == [11, 3, 8]
    assert counts.loc["flows", ["rows_in", "accepted", "quarantined"]].tolist() == [8, 2, 6]
    assert bad.actors["id"].tolist() == ["ok1", "sw1", "ok2"]
    assert len(bad.report.quarantine["actors"]) == 8 and len(bad.report.quarantine["flows"]) == 6


def test_quarantine_keeps_the_original_values_row_and_reasons(bad):
    rejected = bad.report.quarantine["flows"].set_index("row")
    assert rejected.loc[5, "volume"] == "ten"
    assert rejected.loc[5, "reasons"] == "volume 'ten' is not a number"
    assert rejected.loc[5, "file"] == "flows.csv"


def test_a_missing_required_column_quarantines_the_whole_file_and_names_the_columns(data_dir):
    chain = rg.read_chain(data_dir / "missing_column")
    file_level = chain.report.errors[chain.report.errors["row"].isna()]
    assert file_level["message"].tolist() == [
        "actors.csv: column 'country' is required and missing. Columns present: ['id', 'name', 'stage', 'sector']"
    ]
    assert chain.report.counts.set_index("table")["quarantined"].to_dict() == {"actors": 2, "flows": 1}
    assert len(chain.actors) == 0


def test_a_sector_option_fills_a_missing_sector_column(tmp_path):
    (tmp_path / "actors.csv").write_text("id,stage,country\na,farm,GH\nb,cooperative,GH\n")
    (tmp_path / "flows.csv").write_text("source,target\na,b\n")
    chain = rg.read_chain(tmp_path, sector="food")
    assert chain.report.ok and chain.actors["sector"].tolist() == ["food", "food"]


def test_report_renders_as_json_with_counts_per_reason(bad):
    data = bad.report.to_dict()
    assert data["ok"] is False and data["errors"] == 14 and data["warnings"] == 2
    reasons = {(r["file"], r["reason"]): r["count"] for r in data["reasons"]}
    assert reasons[("flows.csv", "dangling_flow")] == 2
    assert '"reason": "self_loop"' in bad.report.to_json()


def test_quarantine_is_written_as_excel_csv_or_folder(bad, tmp_path):
    bad.report.write_quarantine(tmp_path / "q.xlsx")
    sheets = pd.read_excel(tmp_path / "q.xlsx", sheet_name=None)
    assert set(sheets) == {"actors", "flows", "issues"} and len(sheets["flows"]) == 6
    bad.report.write_quarantine(tmp_path / "q.csv")
    assert len(pd.read_csv(tmp_path / "q.csv")) == 14
    bad.report.write_quarantine(tmp_path / "qdir")
    assert (tmp_path / "qdir" / "actors.csv").is_file()


def test_in_memory_chains_validate_with_rows_counted_from_one():
    chain = rg.Chain(
        actors=pd.DataFrame({"id": ["a", "a"], "stage": ["farm", "farm"], "country": ["GH", "GH"], "sector": "food"}),
        flows=pd.DataFrame({"source": ["a"], "target": ["b"], "volume": [1.0]}),
    )
    accepted, report = rg.validate_chain(chain)
    assert findings(report, "actors") == {("error", 2, "id", "duplicate_id")}
    assert findings(report, "flows") == {("error", 1, "target", "dangling_flow")}
    assert len(accepted.actors) == 1


@pytest.mark.parametrize(
    ("text", "value"),
    [("1250.5", 1250.5), ("1.250,5", 1250.5), ("1,250.5", 1250.5), ("800,25", 800.25),
     ("6,150", 6.15), (" 42 ", 42.0), ("1 234,5", 1234.5), ("-3", -3.0), ("1e3", 1000.0)],
)
def test_numbers_are_read_as_people_write_them(text, value):
    numbers, bad = parse_numbers(pd.Series([text], dtype=object))
    assert numbers[0] == pytest.approx(value) and not bad[0]


def test_text_that_is_not_a_number_is_flagged_and_empty_cells_are_not():
    numbers, bad = parse_numbers(pd.Series(["ten", None, "", "1,2,3"], dtype=object))
    assert bad.tolist() == [True, False, False, True]
    assert numbers.isna().all()


def test_every_reason_has_a_readable_code():
    assert all(str(r) == r.value and r.value.islower() for r in Reason)


ids = st.sampled_from(["a", "b", "c", "d", "", "a "])
stages = st.sampled_from(["farm", "cooperative", "processor", "wizard", ""])
countries = st.sampled_from(["GH", "CI", "Holland", "Atlantis", ""])
volumes = st.sampled_from(["1", "2,5", "-1", "x", "", "0"])


@given(
    actors=st.lists(st.tuples(ids, stages, countries), max_size=12),
    flows=st.lists(st.tuples(ids, ids, volumes), max_size=20),
)
def test_accepted_plus_quarantined_equals_rows_in_for_any_table(actors, flows):
    actor_frame = pd.DataFrame(actors, columns=["id", "stage", "country"], dtype=object).assign(sector="food")
    flow_frame = pd.DataFrame(flows, columns=["source", "target", "volume"], dtype=object)
    chain, report = rg.validate_chain({"actors": actor_frame, "flows": flow_frame})
    counts = report.counts.set_index("table")
    for table, frame in (("actors", actor_frame), ("flows", flow_frame)):
        row = counts.loc[table]
        assert row["rows_in"] == len(frame)
        assert row["accepted"] + row["quarantined"] == len(frame)
        assert len(report.quarantine[table]) == row["quarantined"]
    assert len(chain.actors) == counts.loc["actors", "accepted"]
    assert len(chain.flows) == counts.loc["flows", "accepted"]
    # Every quarantined row has at least one error finding at its row number.
    for table in ("actors", "flows"):
        errors = set(report.errors.loc[report.errors["file"] == table, "row"].dropna())
        assert set(report.quarantine[table]["row"]) <= errors
    assert chain.actors["id"].is_unique
    assert np.isin(chain.flows["source"], chain.actors["id"]).all()
