"""Usage mistakes a newcomer makes exit 2 with a hint; tables name what changed; outputs land where asked."""
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from riskgraph.cli import cli
from riskgraph.cli._common import suggest

DATA = Path(__file__).parent / "data"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --------------------------------------------------------------------------- did you mean …


@pytest.mark.parametrize("value,choices,expected", [
    ("mine", ["mine_asm", "mine_lsm", "refiner"], "did you mean 'mine_asm' or 'mine_lsm'?"),
    ("refinr", ["mine_asm", "refiner"], "did you mean 'refiner'?"),
    ("Refiner", ["refiner"], "did you mean 'refiner'?"),
    ("child", ["child_labour", "forced_labour", "deforestation"], "did you mean 'child_labour'?"),
    ("xyz", ["refiner"], ""),
    ("a", ["ab", "ac", "ad", "ae"], "did you mean 'ab', 'ac' or 'ad'?"),
])
def test_suggest(value, choices, expected):
    assert suggest(value, choices) == expected


def test_explain_an_unknown_stage_exits_2_with_did_you_mean():
    result = invoke("explain", DATA / "gold_small", "--node", "jeweller_nl", "--theme", "child_labour",
                    "--stage", "mine")
    assert result.exit_code == 2
    assert "did you mean 'mine_asm' or 'mine_lsm'?" in result.output
    assert "Stages present: manufacturer, mine_asm, mine_lsm, refiner, trader" in result.output


def test_explain_a_known_stage_still_works():
    result = invoke("explain", DATA / "gold_small", "--node", "jeweller_nl", "--theme", "child_labour",
                    "--stage", "mine_asm", "--format", "json")
    assert result.exit_code == 0, result.output


def test_matrix_a_year_without_flows_exits_2_with_the_years_present():
    result = invoke("matrix", DATA / "gold_small", "--node", "jeweller_nl", "--year", "1999")
    assert result.exit_code == 2
    assert "no flows in 1999" in result.output and "years present: 2024" in result.output
    assert invoke("matrix", DATA / "gold_small", "--node", "jeweller_nl", "--year", "2024").exit_code == 0


def test_matrix_year_on_flows_without_years(tmp_path):
    chain = tmp_path / "chain"
    shutil.copytree(DATA / "gold_small", chain)
    flows = pd.read_csv(chain / "flows.csv").drop(columns="year")
    flows.to_csv(chain / "flows.csv", index=False)
    result = invoke("matrix", chain, "--node", "jeweller_nl", "--year", "2024")
    assert result.exit_code == 2 and "no year column" in result.output


# --------------------------------------------------------------------------- diff names suppliers


def test_diff_table_names_the_suppliers_gained_and_lost(tmp_path):
    new = tmp_path / "2025"
    shutil.copytree(DATA / "gold_small", new)
    actors = pd.read_csv(new / "actors.csv")
    actors.loc[actors["id"] == "mine_ug", ["id", "name", "country"]] = ["mine_gh", "Tarkwa Small Miners", "GH"]
    actors.to_csv(new / "actors.csv", index=False)
    flows = pd.read_csv(new / "flows.csv").replace({"mine_ug": "mine_gh"})
    flows.to_csv(new / "flows.csv", index=False)
    result = invoke("diff", DATA / "gold_small", new)
    assert result.exit_code == 0, result.output
    assert "Kisita Miners" in result.stdout and "mine_ug" in result.stdout  # lost, by name and id
    assert "Tarkwa Small Miners" in result.stdout and "mine_gh" in result.stdout  # new


# --------------------------------------------------------------------------- outputs go where asked


def test_eudr_out_named_like_a_file_is_refused(tmp_path):
    out = tmp_path / "eudr.xlsx"
    result = invoke("eudr", "datasets/food", "--node", "FOD-RTL-NL-01", "--out", out)
    assert result.exit_code == 2 and "expects a folder" in result.output
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["generate", "--sector", "gold", "--actors", "20", "--out", "{tmp}/synthetic.csv"],
    ["secretariat", "merge", str(DATA / "gold_small"), "--out", "{tmp}/sector.xlsx"],
    ["import", "suppliers", str(DATA / "importers" / "supplier_list_tiers.csv"), "--sector", "textiles",
     "--out", "{tmp}/acme.csv"],
])
def test_folder_outputs_named_like_files_are_refused(tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_generate_to_a_workbook_is_still_allowed(tmp_path):
    result = invoke("generate", "--sector", "gold", "--actors", "30", "--out", tmp_path / "g.xlsx")
    assert result.exit_code == 0 and (tmp_path / "g.xlsx").is_file()
