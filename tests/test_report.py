"""Reports: a self-contained HTML report checked in headless Chromium, and year-over-year diffs."""
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli import cli
from riskgraph.covenant.diff import compare
from riskgraph.report import heat_colour, html_report, sankey_links

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def gold(data_dir):
    return rg.read_chain(data_dir / "gold_small")


def test_heat_colours_run_green_yellow_red():
    assert (heat_colour(0), heat_colour(0.5), heat_colour(1)) == ("#63BE7B", "#FFEB84", "#F8696B")
    assert heat_colour(-1) == "#63BE7B" and heat_colour(7) == "#F8696B"


def test_html_report_has_every_section_and_loads_nothing_from_the_network(gold, tmp_path):
    out = html_report(rg.assess(gold), tmp_path / "r.html", node="jeweller_nl")
    html = out.read_text()
    for anchor in ("priorities", "matrices", "flows", "explanations", "quality", "sources", "method"):
        assert f'id="{anchor}"' in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "the report must be self-contained"
    assert "<svg" in html and "artisanal and small-scale mine" in html  # stages by their labels
    assert "Kisita Miners" in html  # the explanation names the actor
    # sources: Uganda's child-labour score (UNICEF, above the DOL floor); the DOL gold listing no longer
    # reaches the Peruvian large-scale mine (it describes artisanal mining)
    assert "UNICEF" in html
    assert html.count("<table>") >= 10 + 2  # a heatmap per theme, priorities, quality


def test_dutch_report(gold, tmp_path):
    html = html_report(rg.assess(gold), tmp_path / "r.html", lang="nl").read_text()
    assert 'lang="nl"' in html and "Kinderarbeid" in html and "Ketenlocatie-matrices" in html


def test_sankey_links_sum_volumes_between_locations(gold):
    links = sankey_links(gold).set_index(["stage", "country", "stage_to", "country_to"])["volume"]
    assert links[("mine_asm", "UG", "trader", "AE")] == 40 and links[("refiner", "CH", "manufacturer", "NL")] == 50


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package 'chromium') is not installed")
def test_report_renders_in_headless_chromium(gold, tmp_path):
    out = html_report(rg.assess(gold), tmp_path / "r.html")
    png = tmp_path / "r.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,2000", f"--screenshot={png}",
                    out.as_uri()], capture_output=True, timeout=120)
    assert png.is_file() and png.stat().st_size > 20_000


def test_report_command_html_and_xlsx(data_dir, tmp_path):
    for name in ("r.html", "r.xlsx"):
        result = CliRunner().invoke(cli, ["report", str(data_dir / "gold_small"), "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text()
    assert 'id="hotspots"' in html and "<iframe" in html and "hotspot-data" in html  # the map, inline
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    result = CliRunner().invoke(cli, ["report", str(data_dir / "gold_small"), "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "must end in .html or .xlsx" in result.output


def test_diff_finds_new_and_lost_suppliers_and_risk_changes(gold):
    actors = gold.actors.copy()
    flows = gold.flows.copy()
    # Next year: the Ugandan mine is replaced by a Ghanaian one.
    actors.loc[actors["id"] == "mine_ug", ["id", "country"]] = ["mine_gh", "GH"]
    flows = flows.replace({"mine_ug": "mine_gh"})
    new = rg.Chain(actors=actors, flows=flows)
    comparison = compare(gold, new)
    assert set(zip(comparison.suppliers["actor"], comparison.suppliers["change"])) == {("mine_gh", "new"),
                                                                                        ("mine_ug", "lost")}
    cells = comparison.cells.set_index(["theme", "stage", "country"])
    assert cells.loc[("child_labour", "mine_asm", "UG"), "new"] == 0
    assert cells.loc[("child_labour", "mine_asm", "GH"), "old"] == 0
    assert comparison.coverage.set_index("measure").loc["traced_share", "new"] == pytest.approx(1.0)


def test_diff_command(data_dir):
    result = CliRunner().invoke(cli, ["diff", str(data_dir / "gold_small"), str(data_dir / "gold_small"),
                                      "--format", "json"])
    assert result.exit_code == 0
    assert '"cells": []' in result.stdout
