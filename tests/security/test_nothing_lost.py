"""Nothing lost silently: odd numbers, broken quotes and twin sheets are findings with row numbers."""
from __future__ import annotations

import pandas as pd
import pytest

from riskgraph.chain.io import read_chain, write_chain
from riskgraph.errors import InputError
from riskgraph.testing import assert_chain_equal

from . import probes


def with_flow_cell(tmp_path, row: int, column: str, text: str):
    """A probe chain folder whose flows.csv has ``text`` in one cell (row 0 is the file's line 2)."""
    folder = probes.chain_folder(tmp_path / "c")
    flows = pd.read_csv(folder / "flows.csv", dtype=str)
    flows.loc[row, column] = text
    flows.to_csv(folder / "flows.csv", index=False)
    return folder


def findings(chain, reason):
    issues = chain.report.issues
    return issues[issues["reason"] == reason]


@pytest.mark.parametrize("volume", ["inf", "1e400", "-Infinity", "nan", "1e20"])
def test_absurd_volumes_are_errors_on_their_row(tmp_path, volume):
    chain = read_chain(with_flow_cell(tmp_path, 1, "volume", volume))
    found = chain.report.errors
    assert list(found["row"]) == [3] and found["column"].tolist() == ["volume"]
    assert found["reason"].iloc[0] in ("non_finite_number", "implausible_number")
    assert len(chain.flows) == 3 and chain.flows["volume"].map(lambda v: v == v and abs(v) < 1e15).all()


@pytest.mark.parametrize("year", ["1e20", "Infinity", "20240", "1066"])
def test_absurd_years_are_errors_on_their_row(tmp_path, year):
    chain = read_chain(with_flow_cell(tmp_path, 0, "year", year))
    assert chain.report.errors["row"].tolist() == [2]
    assert chain.report.errors["reason"].iloc[0] in ("implausible_number", "non_finite_number")


def test_an_unterminated_quote_is_a_finding_on_the_row_that_swallowed_the_lines(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    lines = (folder / "actors.csv").read_text(encoding="utf-8").splitlines()
    # row 3 opens a quote in the name that is closed only two lines later
    lines[2] = lines[2].replace("Andes Aurífera", '"Andes Aurífera')
    lines[4] = lines[4].replace("Alpine Refinery", 'Alpine" Refinery')
    (folder / "actors.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    chain = read_chain(folder)
    found = findings(chain, "unterminated_quote")
    assert found["row"].tolist() == [3] and found["severity"].tolist() == ["error"]
    assert "2 line(s)" in found["message"].iloc[0]
    counts = chain.report.counts.set_index("table").loc["actors"]
    assert counts["rows_in"] == counts["accepted"] + counts["quarantined"]


def test_twin_sheets_flows_and_Flows_are_a_finding_not_a_silent_loss(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    chain = read_chain(folder)
    book = tmp_path / "twins.xlsx"
    from riskgraph.output import excel_writer

    with excel_writer(book) as writer:
        chain.actors.to_excel(writer, sheet_name="actors", index=False)
        chain.flows.to_excel(writer, sheet_name="flows", index=False)
        chain.flows.head(2).to_excel(writer, sheet_name="Flows ", index=False)
    read = read_chain(book)
    found = findings(read, "duplicate_sheet")
    assert len(found) == 1 and "'Flows '" in found["message"].iloc[0] and "2 rows were not read" in found["message"].iloc[0]
    assert not read.report.ok and len(read.flows) == 4


def test_line_breaks_and_lone_carriage_returns_round_trip_through_csv_and_xlsx(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    chain = read_chain(folder)
    names = ["a\rb", "c\nd", "e\r\nf", "_x000D_ literal", "tab\tinside"]
    chain = chain.replace(actors=chain.actors.assign(name=names), report=None)
    for target in (tmp_path / "out", tmp_path / "out.xlsx"):
        write_chain(chain, target)
        back = read_chain(target)
        assert back.report.ok
        assert back.actors["name"].tolist() == names, target
        assert_chain_equal(back.replace(report=None), chain)


def test_x000D_escapes_written_by_excel_are_decoded(tmp_path):
    import zipfile

    folder = probes.chain_folder(tmp_path / "c")
    book = tmp_path / "excel.xlsx"
    write_chain(read_chain(folder), book)
    # As Excel writes a carriage return inside a shared string:
    patched = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                data = data.replace(b"Kisita Miners", b"Kisita_x000D_Miners")
            target.writestr(item.filename, data)
    assert "Kisita\rMiners" in set(read_chain(patched).actors["name"])
