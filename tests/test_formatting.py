"""Output people can read: numbers by kind, tables that fit the terminal, CSV/JSON without float noise, Dutch."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from riskgraph import _vocabulary
from riskgraph.cli import cli
from riskgraph.cli._common import suggest
from riskgraph.formatting import (
    format_number,
    group_findings,
    render_table,
    resolve_lang,
    round_meaningful,
    rounded,
)

# A number as a table prints it: 0, 12.3%, <0.0001, 1,127.5, 0,0540 (Dutch).
NUMBER = re.compile(r"^[<>]?-?\d[\d.,]*%?$")


@pytest.mark.parametrize(("value", "kind", "lang", "text"), [
    (0.12345, "share", "en", "12.3%"),
    (0.0004, "share", "en", "0.04%"),
    (0.12345, "share", "nl", "12,3%"),
    (0.16789, "likelihood", "en", "0.17"),
    (9.913e-05, "exposure", "en", "0.0001"),
    (2e-06, "exposure", "en", "<0.0001"),
    (0.0, "exposure", "en", "0"),
    (1127.5, "volume", "en", "1,127.5"),
    (1127.5, "volume", "nl", "1.127,5"),
    (1234567, "count", "nl", "1.234.567"),
    (2024, "plain", "en", "2024"),
    (0.000991, "float", "en", "0.000991"),
    (float("nan"), "share", "en", ""),
])
def test_numbers_have_fixed_digits_per_kind_and_never_scientific_notation(value, kind, lang, text):
    assert format_number(value, kind, lang) == text


def test_csv_and_json_are_rounded_at_the_last_meaningful_digit():
    assert round_meaningful(490.29999999999995) == 490.3
    assert round_meaningful(0.1 + 0.2) == 0.3
    assert round_meaningful(1 / 3) == pytest.approx(1 / 3, rel=1e-11)
    frame = rounded(pd.DataFrame({"volume": [490.29999999999995, 1e-17 + 0.7], "id": ["a", "b"]}))
    assert frame.to_csv(index=False) == "volume,id\n490.3,a\n0.7,b\n"


def _matrix_like(columns: int) -> pd.DataFrame:
    rows = {"stage": ["artisanal and small-scale mine", "trader", "refiner"]}
    for i in range(columns):
        rows[f"C{i:02d}"] = [0.0015 * (i + 1), 9.913e-05, 0.0]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("width", [80, 120])
def test_a_table_never_exceeds_the_width_and_leaves_out_columns_rather_than_cutting_numbers(width):
    frame = _matrix_like(14)
    text = render_table(frame, title="a matrix " * 20, width=width, default_kind="exposure")
    assert max(map(len, text.splitlines())) <= width
    assert "not shown:" in text  # 14 countries do not fit in 80 or 120 columns
    wide = render_table(frame, width=400, default_kind="exposure")
    assert _numbers(text) <= _numbers(wide)


def test_ids_are_cut_with_an_ellipsis_only_when_nothing_else_fits():
    frame = pd.DataFrame({"actor": ["GLD-ASM-CO-0001-with-a-very-long-identifier"], "share": [0.5]})
    assert "GLD-ASM-CO-0001-with-a-very-long-identifier" in render_table(frame, width=80)
    narrow = render_table(frame, width=30)
    assert max(map(len, narrow.splitlines())) <= 30 and "…" in narrow


def test_findings_are_grouped_by_reason_with_counts_and_first_rows():
    issues = pd.DataFrame({
        "severity": ["warning"] * 50 + ["error"],
        "file": ["flows.csv"] * 51, "row": list(range(2, 52)) + [7], "column": ["volume"] * 51,
        "value": [None] * 51, "reason": ["missing_volume"] * 50 + ["dangling_flow"],
        "message": [f"flows.csv row {r}: no volume" for r in range(2, 52)] + ["flows.csv row 7: dangling"],
    })
    grouped = group_findings(issues)
    assert grouped[["severity", "reason", "count"]].values.tolist() == [
        ["error", "dangling_flow", 1], ["warning", "missing_volume", 50]]
    assert grouped.loc[1, "first rows"] == "2, 3, 4 …"


def test_suggest_names_the_closest_choices():
    assert suggest("chld_labour", ["child_labour", "deforestation"]) == "did you mean 'child_labour'?"
    assert suggest("gld-mfg-nl-01", ["GLD-MFG-NL-01", "GLD-RTL-NL-01"]).startswith("did you mean 'GLD-MFG-NL-01'")
    assert suggest("zzz", ["child_labour"]) == ""


def test_one_default_language_overridable_by_the_environment(monkeypatch):
    monkeypatch.delenv("RISKGRAPH_LANG", raising=False)
    assert resolve_lang() == "en"
    monkeypatch.setenv("RISKGRAPH_LANG", "nl")
    assert resolve_lang() == "nl" and resolve_lang("en") == "en"


def test_publish_and_report_default_to_the_same_language():
    defaults = {}
    for path in (("report",), ("secretariat", "publish"), ("statement",), ("matrix",)):
        command = cli
        for name in path:
            command = command.commands[name]
        option = next(p for p in command.params if p.name == "lang")
        defaults[path] = (option.default, option.envvar)
    assert set(defaults.values()) == {(None, "RISKGRAPH_LANG")}  # None: resolved to English unless the env says nl


# --------------------------------------------------------------------------- every CLI table at 80 and 120 columns

def _numbers(text: str) -> set[str]:
    return {token for line in text.splitlines() for token in line.split() if NUMBER.match(token)}


def _table_commands(data_dir, tmp_path):
    gold = str(data_dir / "gold_small")
    return {
        "validate": ["validate", str(data_dir / "bad_rows")],
        "info": ["info", gold],
        "matrix": ["matrix", gold, "--node", "jeweller_nl", "--theme", "child_labour"],
        "matrix-all": ["matrix", gold],
        "explain": ["explain", gold, "--node", "jeweller_nl", "--theme", "child_labour"],
        "hotspots": ["hotspots", str(data_dir / "hotspots" / "eudr_small")],
        "diff": ["diff", gold, gold],
        "minerals": ["minerals", str(data_dir / "minerals" / "unidentified")],
        "reference": ["reference", "show", "--country", "CD", "--commodities"],
    }


@pytest.mark.parametrize("name", ["validate", "info", "matrix", "matrix-all", "explain", "hotspots", "diff",
                                  "minerals", "reference"])
def test_every_cli_table_fits_80_and_120_columns_and_splits_no_number(name, data_dir, tmp_path):
    args = _table_commands(data_dir, tmp_path)[name]
    wide = CliRunner().invoke(cli, args, env={"COLUMNS": "400"})
    assert wide.exception is None or isinstance(wide.exception, SystemExit), wide.output
    for width in (80, 120):
        result = CliRunner().invoke(cli, args, env={"COLUMNS": str(width)})
        assert result.exit_code == wide.exit_code
        lines = result.stdout.splitlines()
        assert lines, f"{name} printed nothing"
        assert max(map(len, lines)) <= width, "\n".join(line for line in lines if len(line) > width)
        for cut in re.findall(r"(?:^|\s)([<>]?-?\d[\d.,%]*)…", result.stdout, flags=re.M):
            assert re.search(re.escape(cut) + r"(?![\d.,%])", wide.stdout), f"the number {cut}… was cut"
        assert "e-0" not in result.stdout and "e+0" not in result.stdout, "scientific notation"
        assert _numbers(result.stdout) <= _numbers(wide.stdout), "a number was split or changed"


def test_validate_groups_findings_by_reason(data_dir):
    result = CliRunner().invoke(cli, ["validate", str(data_dir / "bad_rows")], env={"COLUMNS": "120"})
    assert result.exit_code == 1
    reasons = re.findall(r"^(?:error|warning)\s+\S+\s+(\w+)", result.stdout, flags=re.M)
    assert reasons and len(reasons) == len(set(reasons))  # one line per reason


def test_info_lists_stages_in_chain_order(data_dir):
    result = CliRunner().invoke(cli, ["info", str(data_dir / "gold_small"), "--format", "json"])
    stages = [row["stage"] for row in json.loads(result.stdout)["actors_by_stage"]]
    rank = _vocabulary.stage_rank()
    assert stages == sorted(stages, key=rank.__getitem__)


def test_matrix_csv_carries_no_float_noise(data_dir):
    result = CliRunner().invoke(cli, ["matrix", str(data_dir / "gold_small"), "--format", "csv"])
    assert result.exit_code == 0
    assert not re.search(r"\d\.\d{13,}", result.stdout), "float noise in CSV"


def test_dutch_tables_carry_no_english_stage_or_category_label(data_dir):
    result = CliRunner().invoke(cli, ["matrix", str(data_dir / "gold_small"), "--node", "jeweller_nl", "--lang",
                                      "nl"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    english = {r["label_en"] for r in _vocabulary.stage_rows() if r["label_en"] != r["label_nl"]}
    english |= {r["stage"] for r in _vocabulary.stage_rows() if r["stage"] not in {"recycler"}}
    english |= {"very high", "medium", "low", "high", "child labour", "forced labour"}
    words = set(re.split(r"\s{2,}|\n", result.stdout))
    assert not words & english, words & english
    assert "kinderarbeid" in result.stdout.lower() and re.search(r"\d,\d{4}", result.stdout)


def test_unknown_node_theme_and_stage_get_a_suggestion(data_dir):
    gold = str(data_dir / "gold_small")
    result = CliRunner().invoke(cli, ["matrix", gold, "--node", "jeweller_n"])
    assert result.exit_code == 2 and "did you mean 'jeweller_nl'" in result.output
    result = CliRunner().invoke(cli, ["explain", gold, "--node", "jeweller_nl", "--theme", "chld_labour"])
    assert result.exit_code == 2 and "did you mean 'child_labour'" in result.output
    result = CliRunner().invoke(cli, ["explain", gold, "--node", "jeweller_nl", "--theme", "child_labour",
                                      "--stage", "mine_asn"])
    assert result.exit_code == 2 and "did you mean 'mine_asm'" in result.output


def test_a_stage_without_its_sector_takes_the_label_most_sectors_give_it():
    """Gold's trader is a "handelaar / exporteur", food's a "handelaar": shown without a sector, the plain word."""
    from riskgraph._vocabulary import stage_label

    assert stage_label("trader", "nl", "gold") == "handelaar / exporteur"
    assert stage_label("trader", "nl", "food") == "handelaar"
    assert stage_label("trader", "nl") == "handelaar"
    assert stage_label("mine_asm", "nl") == "kleinschalige mijn"  # one sector has it: its label
    assert stage_label("not_a_stage", "nl") == "not_a_stage"
