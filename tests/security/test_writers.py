"""Outputs are safe to open: no formula from data in any workbook or CSV, no script break-out in HTML.

Formula injection ("CSV injection", OWASP: https://owasp.org/www-community/attacks/CSV_Injection):
a cell starting with = + - @ TAB or CR is run by spreadsheet programs. Workbooks store
text as text; CSV cells get a leading ' (undone by riskgraph's own readers).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from riskgraph.chain.io import read_chain, write_chain
from riskgraph.cli import cli
from riskgraph.output import (FORMULA_TRIGGERS, csv_safe, json_for_html, neutralise_cell, restore_cell,
                              write_csv, write_frame)
from riskgraph.testing import assert_chain_equal

from .conftest import HOSTILE_NAMES

ROOT = Path(__file__).resolve().parents[2]


def formulas_in(workbook: Path) -> list[str]:
    """The formulas (``<f>`` elements) and hyperlinks stored in an .xlsx file."""
    found = []
    with zipfile.ZipFile(workbook) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                text = book.read(name).decode("utf-8")
                found += re.findall(r"<f[ >].*?</f>", text) + re.findall(r"<hyperlink ", text)
    return found


def dangerous_csv_cells(text: str) -> list[str]:
    """CSV cells a spreadsheet program would run as a formula."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    return [c for c in cells if c[:1] in FORMULA_TRIGGERS and not re.fullmatch(r"[+-]?[\d.]+(e[+-]?\d+)?", c)]


def test_no_module_writes_a_workbook_or_csv_except_through_the_safe_writers():
    """Every xlsx/CSV writer of the package goes through riskgraph.output (one place to keep safe)."""
    offenders = []
    for path in (ROOT / "riskgraph").rglob("*.py"):
        if path.name == "output.py":
            continue
        for number, line in enumerate(path.read_bytes().decode("utf-8").splitlines(), start=1):
            if re.search(r"pd\.ExcelWriter\(|\.to_csv\(|csv\.writer\(|openpyxl\.Workbook\(|xlsxwriter\.Workbook\(", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("text", HOSTILE_NAMES + ["-5", "+3.5e4", "Acme", "", "'", "''=x", "-"])
def test_neutralised_cells_are_not_formulas_and_restore_exactly(text):
    safe = neutralise_cell(text)
    assert restore_cell(safe) == text
    buffer = io.StringIO()
    write_csv(pd.DataFrame({"a": [text]}), buffer)
    assert not dangerous_csv_cells(buffer.getvalue())


def test_numbers_stay_numbers():
    frame = pd.DataFrame({"volume": [-5.0, 2.5], "text": ["-5", "-5 kg"]})
    out = csv_safe(frame)
    assert out["volume"].tolist() == [-5.0, 2.5] and out["text"].tolist() == ["-5", "'-5 kg"]


def test_write_frame_csv_and_stdout_are_neutralised_and_raw_csv_is_the_escape_hatch(tmp_path):
    frame = pd.DataFrame({"name": HOSTILE_NAMES})
    write_frame(frame, tmp_path / "out.csv")
    assert dangerous_csv_cells((tmp_path / "out.csv").read_bytes().decode("utf-8")) == []
    write_csv(frame, tmp_path / "raw.csv", raw=True)
    assert dangerous_csv_cells((tmp_path / "raw.csv").read_bytes().decode("utf-8"))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_write_frame_workbook_holds_text_only(tmp_path, suffix):
    path = write_frame(pd.DataFrame({"name": HOSTILE_NAMES}), tmp_path / f"out{suffix}")
    if suffix == ".xlsx":
        assert formulas_in(path) == []
        back = pd.read_excel(path, dtype=str, engine="calamine")["name"].tolist()
        assert back == HOSTILE_NAMES
    else:
        assert dangerous_csv_cells(path.read_bytes().decode("utf-8")) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_chain_with_hostile_names_writes_safely_and_reads_back_equal(hostile_chain, tmp_path, fmt):
    chain = read_chain(hostile_chain)
    assert chain.report.ok
    # names are trimmed by validation; everything else arrives as written
    assert sorted(chain.actors["name"]) == sorted(n.strip() for n in HOSTILE_NAMES[:len(chain.actors)])
    assert "lone\rcarriage return" in set(chain.actors["note"]) and "line\nbreak" in set(chain.actors["note"])
    out = tmp_path / ("copy.xlsx" if fmt == "xlsx" else "copy")
    write_chain(chain, out)
    if fmt == "xlsx":
        assert formulas_in(out) == []
    else:
        assert dangerous_csv_cells((out / "actors.csv").read_bytes().decode("utf-8")) == []
    assert_chain_equal(read_chain(out).replace(report=None), chain.replace(report=None))


def test_quarantine_and_validation_outputs_are_safe(hostile_chain, tmp_path):
    actors = pd.read_csv(hostile_chain / "actors.csv", dtype=str, keep_default_na=False)
    actors.loc[0, "country"] = '=HYPERLINK("http://evil.example","x")'  # an unknown country: quarantined
    actors.to_csv(hostile_chain / "actors.csv", index=False)
    report = read_chain(hostile_chain).report
    assert not report.ok
    report.write_quarantine(tmp_path / "q.xlsx")
    report.write_quarantine(tmp_path / "q.csv")
    report.write_quarantine(tmp_path / "qdir")
    assert formulas_in(tmp_path / "q.xlsx") == []
    for path in [tmp_path / "q.csv", *sorted((tmp_path / "qdir").glob("*.csv"))]:
        assert dangerous_csv_cells(path.read_bytes().decode("utf-8")) == [], path


def test_cli_outputs_are_safe_and_raw_csv_writes_cells_as_they_are(hostile_chain, tmp_path):
    actors = pd.read_csv(hostile_chain / "actors.csv", dtype=str, keep_default_na=False)
    actors.loc[0, "country"] = "=1+1"  # not a country: the row goes to quarantine
    actors.to_csv(hostile_chain / "actors.csv", index=False)
    runner = CliRunner()
    safe = runner.invoke(cli, ["validate", str(hostile_chain), "--quarantine", str(tmp_path / "q")])
    raw = runner.invoke(cli, ["validate", str(hostile_chain), "--quarantine", str(tmp_path / "raw"), "--raw-csv"])
    assert safe.exit_code == raw.exit_code == 1
    assert dangerous_csv_cells((tmp_path / "q" / "actors.csv").read_bytes().decode("utf-8")) == []
    assert "=1+1" in dangerous_csv_cells((tmp_path / "raw" / "actors.csv").read_bytes().decode("utf-8"))
    # the escape hatch ends with its command
    again = runner.invoke(cli, ["validate", str(hostile_chain), "--quarantine", str(tmp_path / "again")])
    assert again.exit_code == 1
    assert dangerous_csv_cells((tmp_path / "again" / "actors.csv").read_bytes().decode("utf-8")) == []
    matrix = runner.invoke(cli, ["matrix", str(hostile_chain), "--node", "jeweller_nl", "--format", "csv"])
    assert matrix.exit_code == 0 and dangerous_csv_cells(matrix.output) == []


def test_match_and_statement_workbooks_hold_no_formula(hostile_chain, tmp_path):
    from riskgraph.regulation.statement import child_labour_statement, write_statement
    from riskgraph.sources.match import match_actors

    chain = read_chain(hostile_chain)
    twins = pd.concat([chain.actors, chain.actors.assign(id=chain.actors["id"] + "_2")], ignore_index=True)
    result = match_actors(twins)
    result.write(tmp_path / "pairs.xlsx")
    result.write_review(tmp_path / "review.xlsx")
    result.write(tmp_path / "pairs.csv")
    assert formulas_in(tmp_path / "pairs.xlsx") == [] and formulas_in(tmp_path / "review.xlsx") == []
    assert dangerous_csv_cells((tmp_path / "pairs.csv").read_bytes().decode("utf-8")) == []
    drafted = child_labour_statement(chain, "jeweller_nl", threshold=0.0)
    write_statement(drafted, tmp_path / "plan.xlsx")
    assert formulas_in(tmp_path / "plan.xlsx") == []


def test_json_in_html_cannot_end_or_hide_the_script():
    text = json_for_html([{"name": "<!--<script>", "other": "</script><b>&amp;"}])
    assert "<" not in text and ">" not in text and "&" not in text
    import json

    assert json.loads(text) == [{"name": "<!--<script>", "other": "</script><b>&amp;"}]


def test_hotspot_map_with_a_script_like_name_keeps_its_javascript(hostile_chain):
    from riskgraph.geo.maps import hotspot_map_html
    from riskgraph.hotspots import find_hotspots

    chain = read_chain(hostile_chain)
    chain = chain.replace(actors=chain.actors.assign(name="<!--<script>"))
    page = hotspot_map_html(find_hotspots(chain))
    data = re.search(r'<script type="application/json" id="hotspot-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data
    # exactly the two scripts of the page: the data and the code
    assert page.count("<script") == 2 and page.count("</script>") == 2


def test_html_report_and_matrix_workbook_with_hostile_names(hostile_chain, tmp_path):
    from riskgraph.report import html_report, matrix_workbook
    from riskgraph.risk import assess

    chain = read_chain(hostile_chain)
    chain = chain.replace(actors=chain.actors.assign(name="<!--<script>", commodity='=HYPERLINK("x")'))
    assessment = assess(chain)
    html_report(assessment, tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    plain = (tmp_path / "plain.html")
    html_report(assess(read_chain(ROOT / "tests" / "data" / "gold_small")), plain)
    assert "<!--<script>" not in page
    assert page.count("<script") == plain.read_text(encoding="utf-8").count("<script")
    matrix_workbook(assessment, assessment.chain_ends, tmp_path / "m.xlsx")
    assert formulas_in(tmp_path / "m.xlsx") == []
