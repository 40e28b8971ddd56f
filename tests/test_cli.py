"""The command line: thin over the API, exit codes 0/1/2, help everywhere, no tracebacks."""
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from riskgraph.cli import cli, main

README = Path(__file__).resolve().parents[1] / "README.md"


def run(args):
    """Run through ``main`` (as the console script does) and capture exit code and output."""
    runner = CliRunner()
    return runner.invoke(click.Command("rg", callback=lambda: main(args)), [], catch_exceptions=False)


def commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))


@pytest.mark.parametrize(("path", "command"), list(commands()), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example_and_is_in_the_readme(path, command):
    assert command.help and "Example" in command.help, f"{path} lacks help with an example"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert f"riskgraph {' '.join(path)}" in README.read_text(), f"README does not mention riskgraph {' '.join(path)}"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and re.match(r"riskgraph, version \d", result.output)


def test_validate_clean_chain_exits_0(data_dir):
    result = run(["validate", str(data_dir / "gold_small")])
    assert result.exit_code == 0, result.output


def test_validate_with_errors_exits_1_and_writes_the_quarantine(data_dir, tmp_path):
    result = run(["validate", str(data_dir / "bad_rows"), "--quarantine", str(tmp_path / "q.xlsx")])
    assert result.exit_code == 1
    assert "duplicate_id" in result.output and (tmp_path / "q.xlsx").is_file()


def test_validate_json_is_one_document(data_dir):
    result = CliRunner().invoke(cli, ["validate", str(data_dir / "bad_rows"), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["errors"] == 14 and {t["table"] for t in data["tables"]} == {"actors", "flows"}


def test_missing_path_is_a_usage_error_with_exit_2(tmp_path):
    result = run(["validate", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_folder_that_is_not_a_chain_is_one_line_and_exit_2(tmp_path):
    result = run(["info", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "no actors and no flows table found" in result.output


def test_bad_option_is_exit_2(data_dir):
    result = run(["validate", str(data_dir / "gold_small"), "--format", "xml"])
    assert result.exit_code == 2


def test_info_json(data_dir):
    result = CliRunner().invoke(cli, ["info", str(data_dir / "gold_small"), "--format", "json"])
    facts = json.loads(result.stdout)
    assert facts["actors"] == 5 and facts["max_tier"] == 3 and facts["validation"] == {"errors": 0, "warnings": 0}


def test_matrix_json_for_one_theme_is_one_object_with_the_documented_keys(data_dir):
    result = CliRunner().invoke(cli, ["matrix", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                      "--theme", "child_labour", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"node", "theme", "cells", "unknown_share", "stage_exposure", "peak"}
    first = data["cells"][0]
    assert {"stage": "mine_asm", "country": "UG", "commodity": "gold", "share": 0.4} == {
        k: first[k] for k in ("stage", "country", "commodity", "share")}
    # likelihood: Uganda's child-labour score 0.911883 (UNICEF 18.1 %, above the DOL gold floor 0.8) × relevance 1
    assert first["likelihood"] == pytest.approx(0.911883) and first["exposure"] == pytest.approx(0.4 * 0.911883)
    assert set(data["peak"]) >= {"stage", "country", "commodity", "likelihood", "share", "actor", "category"}
    assert data["peak"]["actor"] == "mine_ug" and data["peak"]["share"] == pytest.approx(0.4)


def test_explain_json_names_the_contributing_actors_and_their_evidence(data_dir):
    result = CliRunner().invoke(cli, ["explain", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                      "--theme", "child_labour", "--stage", "mine_asm", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["commodity"] == "gold" and data["share"] == pytest.approx(0.4)
    top = data["actors"][0]
    assert top["actor"] == "mine_ug" and top["basis"] == "country" and top["likelihood"] == pytest.approx(0.911883)


def test_priorities_command_lists_severity_times_likelihood(data_dir):
    result = CliRunner().invoke(cli, ["priorities", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                      "--format", "json", "--top", "5"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["priorities"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["priority"] == pytest.approx(r["severity"] * r["likelihood"]) for r in rows)
    assert set(rows[0]) >= {"rank", "theme", "commodity", "stage", "country", "severity", "likelihood", "share",
                            "priority", "basis"}
    result = CliRunner().invoke(cli, ["priorities", str(data_dir / "gold_small"), "--node", "nobody"])
    assert result.exit_code == 2


def test_matrix_json_without_theme_is_a_list_per_theme(data_dir):
    result = CliRunner().invoke(cli, ["matrix", str(data_dir / "gold_small"), "--node", "jeweller_nl", "--format", "json"])
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 10 and data[0]["theme"] == "child_labour"


def test_matrix_without_node_is_the_long_table(data_dir, tmp_path):
    result = CliRunner().invoke(cli, ["matrix", str(data_dir / "gold_small"), "--format", "csv"])
    header = result.stdout.splitlines()[0]
    assert header == "node,theme,stage,country,commodity,share,likelihood,exposure"
    run(["matrix", str(data_dir / "gold_small"), "--out", str(tmp_path / "cells.parquet")])
    import pandas as pd

    assert len(pd.read_parquet(tmp_path / "cells.parquet")) > 10


def test_matrix_xlsx_has_a_sheet_per_theme_a_summary_and_sources_in_dutch(data_dir, tmp_path):
    out = tmp_path / "m.xlsx"
    result = run(["matrix", str(data_dir / "gold_small"), "--node", "jeweller_nl", "--out", str(out), "--lang", "nl"])
    assert result.exit_code == 0, result.output
    import openpyxl

    book = openpyxl.load_workbook(out)
    assert {"Samenvatting", "Kinderarbeid", "Ontbossing", "Aandelen", "Bronnen"} <= set(book.sheetnames)
    sheet = book["Kinderarbeid"]
    assert sheet.conditional_formatting, "heatmap colours missing"
    assert "Kinderarbeid" in sheet["A1"].value


def test_matrix_unknown_node_is_exit_2(data_dir):
    result = run(["matrix", str(data_dir / "gold_small"), "--node", "nope"])
    assert result.exit_code == 2 and "'nope' is not an actor id" in result.output


def test_explain_json_names_actors_sources_and_paths(data_dir):
    result = CliRunner().invoke(cli, ["explain", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                      "--theme", "child_labour", "--country", "Uganda", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["actors"][0]["actor"] == "mine_ug" and "UNICEF" in data["actors"][0]["source"]
    assert data["paths"][0]["path"] == "mine_ug → trader_ae → refiner_ch → jeweller_nl"


def test_the_python_api_exposes_the_main_functions_at_the_top():
    import riskgraph as rg

    for name in ("read_chain", "write_chain", "validate_chain", "assess", "find_hotspots", "open_store",
                 "html_report", "matrix_workbook", "generate_chain", "compare"):
        assert callable(getattr(rg, name)), name
    with pytest.raises(AttributeError):
        rg.no_such_function  # noqa: B018


def test_explain_without_a_stage_sums_over_stages_and_claims_no_share(data_dir):
    """Each stage passes on all of the material: the shares of several stages add up past 100 %, so the title of
    an explanation over every stage gives the summed exposure and the number of stages, not a share."""
    result = CliRunner().invoke(cli, ["explain", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                      "--theme", "child_labour", "-q"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    title = " ".join(lines[:next(i for i, line in enumerate(lines) if line.startswith("actor"))])
    assert "summed over" in title and "stages" in title and "%" not in title
    one = CliRunner().invoke(cli, ["explain", str(data_dir / "gold_small"), "--node", "jeweller_nl",
                                   "--theme", "child_labour", "--stage", "mine_asm", "-q"])
    assert "likelihood" in one.stdout.splitlines()[0] and "%" in one.stdout.splitlines()[0]
