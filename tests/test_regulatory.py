"""Regulatory views: the child-labour statement (Wet zorgplicht kinderarbeid), covenant monitoring.

EUDR: tests/test_eudr.py; conflict minerals: tests/test_minerals.py.
"""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

import pytest

import riskgraph as rg
from riskgraph.covenant.monitor import covenant_figures, monitor
from riskgraph.regulation.common import rules
from riskgraph.regulation.statement import SuspicionCriteria, child_labour_statement, supplier_evidence, write_statement


def polygon(lon, lat, d=0.01):
    """GeoJSON text of a d° square with six-decimal literals."""
    ring = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat)]
    positions = ", ".join(f"[{x:.6f}, {y:.6f}]" for x, y in ring)
    return '{"type": "Polygon", "coordinates": [[' + positions + "]]}"


@pytest.fixture
def cocoa():
    """Two Ivorian farms and a Ghanaian one feed two traders; only trader A supplies the Dutch maker."""
    actors = pd.DataFrame(
        [("f1", "farm", "CI", "cocoa"), ("f2", "farm", "CI", "cocoa"), ("f3", "farm", "GH", "cocoa"),
         ("tA", "trader", "NL", "cocoa"), ("tB", "trader", "CH", "cocoa"), ("maker", "manufacturer", "NL", "cocoa")],
        columns=["id", "stage", "country", "commodity"]).assign(sector="food", name=lambda f: f["id"].str.upper())
    flows = pd.DataFrame([("f1", "tA", 60.0, 2025), ("f2", "tA", 40.0, 2025), ("f3", "tB", 50.0, 2025),
                          ("tA", "maker", 100.0, 2025)], columns=["source", "target", "volume", "year"])
    flows["unit"] = "t"
    flows["commodity"] = "cocoa"
    # Plots: f1 and f2 upstream of the maker, f3 not. Areas are the geodesic areas of 0.01° squares there.
    plots = pd.DataFrame({
        "plot_id": ["p1", "p2", "p3"], "actor_id": ["f1", "f2", "f3"],
        "area_ha": [122.6, 122.5, 122.4], "forest_loss_ha_after_2020": [0.0, 2.5, 0.0],
        "geometry": [polygon(-6.45, 6.87), polygon(-6.60, 5.78), polygon(-1.62, 6.70)],
    })
    return rg.Chain(actors=actors, flows=flows, plots=plots)


def test_statement_lists_exactly_the_suspicions_upstream_of_the_company(cocoa):
    statement = child_labour_statement(cocoa, "maker")
    assert sorted(statement.suspicions["supplier"]) == ["f1", "f2"]  # f3 (GH) reaches only trader B
    plan = statement.plan.set_index("supplier")
    assert plan.loc["f1", "path"] == "f1 → tA → maker"
    assert plan.loc["f1", "leverage"] == "tA" and plan.loc["f1", "direct_supplier"] == "tA"
    assert plan.loc["f1", "severity"] == 5 and plan.loc["f1", "status"] == "open"
    assert "CLMRS" in plan.loc["f1", "proposed_step"]


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_statement_is_written_as_html_or_excel(cocoa, tmp_path, suffix):
    out = write_statement(child_labour_statement(cocoa, "maker"), tmp_path / f"s{suffix}", lang="nl")
    assert out.stat().st_size > 2000
    if suffix == ".html":
        text = re.sub(r"<[^>]+>", "", out.read_text())  # the path's ids sit in unbreakable spans
        assert "Redelijke vermoedens" in text and "f1 → tA → maker" in text


def test_statement_states_the_act_is_not_in_force_and_the_text_relied_on(cocoa, tmp_path):
    statement = child_labour_statement(cocoa, "maker")
    assert "has not entered into force" in statement.status and "Stb. 2019, 401" in statement.text_relied_on
    html = write_statement(statement, tmp_path / "en.html", lang="en").read_text()
    assert "has not entered into force" in html and "Stb. 2019, 401" in html
    dutch = write_statement(child_labour_statement(cocoa, "maker", lang="nl"), tmp_path / "nl.html", lang="nl")
    assert "niet in werking getreden" in dutch.read_text()


def test_declaration_is_separate_from_investigation_and_plan(cocoa, tmp_path):
    statement = child_labour_statement(cocoa, "maker")
    assert statement.declaration["article"] == "Art. 4" and "MAKER declares" in statement.declaration["text"]
    assert "f1" not in str(statement.declaration)  # nothing from the findings in the declaration
    html = write_statement(statement, tmp_path / "s.html").read_text()
    assert html.index("Declaration (Art. 4)") < html.index("Investigation") < html.index("Plan of action (Art. 5)")
    table = rules("child_labour").set_index("rule_id")
    assert table.loc["WZK-DECLARATION", "article"] == "Art. 4" and table.loc["WZK-PLAN-OF-ACTION", "article"] == "Art. 5"


def test_reasonable_suspicion_comes_from_evidence_at_the_right_stage(cocoa):
    weights = pd.Series({"f1": 0.6, "f2": 0.4, "tA": 1.0, "maker": 1.0})
    evidence = supplier_evidence(cocoa, "maker", weights).set_index("supplier")
    # Cocoa from Côte d'Ivoire is on the DOL list and 22.1 % of Ivorian children work: both count at the farm.
    assert evidence.loc["f1", "evidence"] == "DOL, region" and evidence.loc["f1", "points"] == 2
    # The Dutch trader handles the same listed good but does not produce it: no evidence.
    assert evidence.loc["tA", "points"] == 0 and not evidence.loc["tA", "suspicion"]
    stricter = supplier_evidence(cocoa, "maker", weights, criteria=SuspicionCriteria(threshold=2.5))
    assert not stricter["suspicion"].any()


def test_a_trader_in_a_dol_country_is_not_a_suspicion_but_an_audit_finding_is(cocoa):
    # Trader A moved to Côte d'Ivoire (cocoa there is DOL-listed) and an audit found child labour at it.
    actors = cocoa.actors.assign(child_labour_audit_finding=["", "", "", "yes", "", ""],
                                 country=["CI", "CI", "GH", "CI", "CH", "NL"])
    chain = cocoa.replace(actors=actors)
    evidence = supplier_evidence(chain, "maker", pd.Series({"tA": 1.0})).set_index("supplier")
    assert evidence.loc["tA", "evidence"] == "audit" and evidence.loc["tA", "suspicion"]
    assert "not counted at stage trader" in evidence.loc["tA", "dol"]


def test_plan_cites_the_right_guidance(cocoa):
    plan = child_labour_statement(cocoa, "maker").plan
    guidance = " ".join(plan["guidance"])
    assert "ILO-IOE Child Labour Guidance Tool" in guidance and "Step 3" in guidance
    assert "OECD-FAO Guidance for Responsible Agricultural Supply Chains" in guidance
    assert "OECD-FAO Guidance step 3" not in guidance and " 3.1" not in guidance


def member(tmp: Path, name: str, years: dict[int, int], actions: list[str] = ()) -> Path:
    """A member whose chain reaches `years[y]` tiers deep in year y (a linear chain farm → … → retailer)."""
    stages = ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer"]
    actors, flows = [], []
    for year, depth in years.items():
        chain_stages = stages[-(depth + 1):]
        ids = [f"{s}{year}" for s in chain_stages]
        actors += [(i, s, "CI" if s == "farm" else "NL") for i, s in zip(ids, chain_stages)]
        flows += [(a, b, 10.0, year) for a, b in zip(ids, ids[1:])]
    folder = tmp / name
    rg.write_chain(rg.Chain(actors=pd.DataFrame(actors, columns=["id", "stage", "country"]).assign(sector="food"),
                            flows=pd.DataFrame(flows, columns=["source", "target", "volume", "year"])), folder)
    if actions:
        pd.DataFrame({"supplier": list(actions), "theme": "child_labour", "step": "audit"}).to_csv(
            folder / "actions.csv", index=False)
    return folder


def test_monitoring_figures_computed_by_hand_for_three_members_over_two_years(tmp_path):
    # Tiers mapped: a: 1 → 2, b: 2 → 3, c: 1 → 1. Only a's 2025 farm is a suspicion with an action.
    paths = [member(tmp_path, "a", {2024: 1, 2025: 5}, actions=["farm2025"]),
             member(tmp_path, "b", {2024: 2, 2025: 3}), member(tmp_path, "c", {2024: 1, 2025: 1})]
    per_member, figures = monitor(paths, k=3)
    tiers = per_member.set_index(["member", "year"])["tiers_mapped"].to_dict()
    assert tiers == {("a", 2024): 1, ("a", 2025): 5, ("b", 2024): 2, ("b", 2025): 3, ("c", 2024): 1, ("c", 2025): 1}
    table = figures.set_index(["measure", "year"])
    assert table.loc[("mapped_tier_2", 2024), "value"] == pytest.approx(1 / 3)
    assert table.loc[("mapped_tier_2", 2025), "value"] == pytest.approx(2 / 3)
    assert table.loc[("mapped_tier_2", 2025), "change"] == pytest.approx(1 / 3)
    assert table.loc[("members_with_first_step", 2025), "value"] == pytest.approx(1 / 3)
    # Only member a has a suspicion that year: one member is fewer than k, so the figure is withheld.
    assert table.loc[("suspicions_with_action", 2025), "withheld"]
    assert np.isnan(table.loc[("suspicions_with_action", 2025), "value"])
    assert per_member.set_index(["member", "year"]).loc[("a", 2025), "suspicions_with_action"] == 1
    # Only a's 2025 chain starts at a farm; the others start at a trader or processor: unknown origin.
    assert table.loc[("traced_share", 2025), "value"] == pytest.approx(1 / 3)
    assert table.loc[("traced_share", 2024), "value"] == pytest.approx(0.0)


def test_no_covenant_figure_from_fewer_than_k_members(tmp_path):
    rng = np.random.default_rng(1)
    per_member = pd.DataFrame({
        "member": np.repeat(list("abcdefg"), 2), "year": [2024, 2025] * 7,
        "traced_share": rng.random(14), "tiers_mapped": rng.integers(0, 5, 14), "plots": rng.integers(0, 2, 14) * 10,
        "plots_valid": rng.random(14), "suspicions": rng.integers(0, 3, 14), "suspicions_with_action": 0,
        "actions": rng.integers(0, 2, 14),
    })
    for k in range(1, 9):
        figures = covenant_figures(per_member, k=k)
        published = figures[figures["value"].notna()]
        assert (published["members"] >= k).all()
        assert figures.loc[figures["members"] < k, "value"].isna().all()


def test_regulatory_commands(cocoa, tmp_path):
    from click.testing import CliRunner

    from riskgraph.cli import cli

    rg.write_chain(cocoa, tmp_path / "chain")
    runner = CliRunner()
    result = runner.invoke(cli, ["statement", str(tmp_path / "chain"), "--node", "maker", "--out",
                                 str(tmp_path / "plan.xlsx")])
    assert result.exit_code == 0 and "2 reasonable suspicions" in result.output
    assert "has not entered into force" in result.output
    result = runner.invoke(cli, ["statement", "--rules"])
    assert result.exit_code == 0 and "WZK-DECLARATION" in result.output
    result = runner.invoke(cli, ["secretariat", "monitor", str(tmp_path / "chain"), "--k", "1", "--out",
                                 str(tmp_path / "m.csv")])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(tmp_path / "m.csv")["measure"]) >= {"traced_share", "mapped_tier_2"}


@pytest.mark.parametrize("regulation", ["eudr", "minerals", "child_labour"])
def test_every_rule_in_the_tables_is_applied_in_the_code(regulation):
    """A rule that no code cites would be a promise the tool does not keep."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in (Path(rg.__file__).parent / "regulation").rglob("*.py"))
    unused = [r for r in rules(regulation)["rule_id"] if r not in code]
    assert unused == []
