"""Statistical disclosure control for secretariats: nothing a reader can recover, in one release or by subtracting two.

Rules: threshold k, p % and (n, k) dominance, secondary suppression (Hundepool et al.,
Statistical Disclosure Control, 2012, ch. 4); a ledger of releases against differencing (§4.6).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli import cli
from riskgraph.covenant.audit import audit
from riskgraph.covenant.disclosure import Ledger, ReleaseRefused, Rules, count_band, sensitive, suppress, volume_band
from riskgraph.covenant.secretariat import OTHER, merge_members, publish, write_merged


def member(tmp: Path, name: str, farms: list[tuple[str, str, float]]) -> Path:
    """A member: farms (id, country, volume) → the member's processor → the member's shop."""
    actors = [(fid, "farm", country, "food", "cocoa") for fid, country, _ in farms]
    actors += [("proc", "processor", "NL", "food", "cocoa"), (f"shop_{name}", "retailer", "NL", "food", None)]
    total = sum(v for *_, v in farms)
    flows = [(fid, "proc", v) for fid, _, v in farms] + [("proc", f"shop_{name}", total)]
    folder = tmp / name
    rg.write_chain(rg.Chain(actors=pd.DataFrame(actors, columns=["id", "stage", "country", "sector", "commodity"]),
                            flows=pd.DataFrame(flows, columns=["source", "target", "volume"])), folder)
    return folder


def sector(tmp: Path, folders, name: str) -> Path:
    chain, table = merge_members(folders, match_names=False)
    return write_merged(chain, table, tmp / name)


@pytest.fixture
def five_members(tmp_path) -> list[Path]:
    """Five members buying cocoa in Côte d'Ivoire and Ghana, none dominating."""
    return [member(tmp_path, f"m{i}", [(f"ci{i}", "CI", 10.0 + 2 * i), (f"gh{i}", "GH", 8.0 + 3 * i)])
            for i in range(5)]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --------------------------------------------------------------------------- the rules


def test_threshold_and_dominance_rules():
    rules = Rules(k=3, p=10, dominance=(1, 90))
    assert sensitive({"a": 1, "b": 1}, rules) == "threshold"
    assert sensitive({"a": 91, "b": 5, "c": 4}, rules) == "dominance"  # one member holds ≥ 90 %
    assert sensitive({"a": 60, "b": 37, "c": 3}, rules) == "p_percent"  # b estimates a within 5 %
    assert sensitive({"a": 40, "b": 35, "c": 25}, rules) is None


def test_secondary_suppression_leaves_no_line_with_one_recoverable_cell():
    # stage farm: CI (3 members) and GH (1 member); the stage total is known (all material starts at a farm)
    contributions = {("farm", "CI"): {"a": 10, "b": 10, "c": 10}, ("farm", "GH"): {"a": 10},
                     ("proc", "NL"): {"a": 20, "b": 10, "c": 10}}
    withheld = suppress(contributions, {("farm", "CI"): 0.75, ("farm", "GH"): 0.25, ("proc", "NL"): 1.0}, Rules(k=3))
    assert withheld == {("farm", "GH"): "threshold", ("farm", "CI"): "secondary"}


def test_bands():
    assert volume_band(137.0) == (100.0, 200.0) and volume_band(999.0) == (500.0, 1000.0)
    assert count_band(4, 3) == "3–4" and count_band(12, 3) == "10–19"


# --------------------------------------------------------------------------- one publication


def test_no_totals_when_fewer_than_k_members(tmp_path):
    folders = [member(tmp_path, f"m{i}", [(f"ci{i}", "CI", 10.0)]) for i in range(2)]
    chain, _ = merge_members(folders, match_names=False)
    publication = publish(rg.assess(chain), k=3)
    assert publication.totals == {}
    assert not [key for key in publication.figures() if key.startswith(("total|", "cell|", "link|"))]


def test_dominated_link_and_cell_are_withheld(tmp_path):
    folders = [member(tmp_path, "big", [("f", "CI", 950.0)])] + [
        member(tmp_path, f"m{i}", [(f"f{i}", "CI", 10.0)]) for i in range(3)]
    chain, _ = merge_members(folders, match_names=False)
    publication = publish(rg.assess(chain), k=3)
    assert publication.withheld[("farm", "CI")] == "dominance"
    assert publication.links.empty  # every link carries the big member's 95 %


def test_hotspots_are_counts_never_scores(five_members):
    chain, _ = merge_members(five_members, match_names=False)
    assessment = rg.assess(chain)
    hotspots = pd.DataFrame({"actor": chain.actors["id"], "theme": "child_labour", "score": 0.9})
    published = publish(assessment, k=3, hotspots=hotspots).hotspots
    assert list(published.columns) == ["theme", "stage", "country", "hotspots", "members"]
    assert "score" not in " ".join(published.columns) and (published["hotspots"] >= 1).all()


def test_withheld_and_empty_cells_look_the_same_in_html(tmp_path, five_members):
    folders = five_members + [member(tmp_path, "lone", [("ec", "EC", 9.0)])]
    path = sector(tmp_path, folders, "sector")
    result = run("secretariat", "publish", path, "--out", tmp_path / "p.html", "--k", "3", "--lang", "en")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    cells = set(re.findall(r"<td[^>]*>—</td>", page))
    assert len(cells) == 1  # every cell without a figure has the same markup
    assert "withheld (fewer than k" not in page and "m0/ci0" not in page


def test_published_volumes_are_bands(tmp_path, five_members):
    path = sector(tmp_path, five_members, "sector")
    assert run("secretariat", "publish", path, "--out", tmp_path / "p.json", "--k", "3").exit_code == 0
    figures = json.loads((tmp_path / "p.json").read_text())["figures"]
    links = {k: v for k, v in figures.items() if k.startswith("link|")}
    assert links and all(re.fullmatch(r"[\d,.]+–[\d,.]+", v) for v in links.values())


# --------------------------------------------------------------------------- across releases


def test_differencing_two_releases_without_a_ledger_is_caught_by_the_audit(tmp_path, five_members):
    all_five = sector(tmp_path, five_members, "all")
    four = sector(tmp_path, five_members[:4], "four")
    assert run("secretariat", "publish", all_five, "--out", tmp_path / "a.json", "--k", "3").exit_code == 0
    assert run("secretariat", "publish", four, "--out", tmp_path / "b.xlsx", "--k", "3").exit_code == 0
    leaks = audit([tmp_path / "a.json", tmp_path / "b.xlsx"])
    assert len(leaks) and set(leaks["attack"]) == {"differencing"}
    assert leaks["detail"].str.contains("m4").all()
    result = run("secretariat", "audit", tmp_path / "a.json", tmp_path / "b.xlsx")
    assert result.exit_code == 1


def test_the_ledger_refuses_a_release_one_member_apart(tmp_path, five_members):
    all_five = sector(tmp_path, five_members, "all")
    four = sector(tmp_path, five_members[:4], "four")
    ledger = tmp_path / "releases.json"
    first = run("secretariat", "publish", all_five, "--out", tmp_path / "a.html", "--k", "3", "--ledger", ledger)
    assert first.exit_code == 0, first.output
    refused = run("secretariat", "publish", four, "--out", tmp_path / "b.html", "--k", "3", "--ledger", ledger)
    assert refused.exit_code == 1
    assert "Refused" in refused.output and "--suppress-differences" in refused.output
    assert not (tmp_path / "b.html").exists() and len(Ledger.open(ledger).releases) == 1


def test_with_and_without_a_member_recovers_nothing(tmp_path, five_members):
    """The acceptance attack: publish five members, then the same without one; subtract."""
    all_five = sector(tmp_path, five_members, "all")
    four = sector(tmp_path, five_members[:4], "four")
    ledger = tmp_path / "releases.json"
    for path, out, extra in ((all_five, "a.html", []), (four, "b.html", ["--suppress-differences"])):
        result = run("secretariat", "publish", path, "--out", tmp_path / out, "--k", "3", "--ledger", ledger, *extra)
        assert result.exit_code == 0, result.output
    assert audit([tmp_path / "a.html", tmp_path / "b.html"]).empty
    assert run("secretariat", "audit", tmp_path / "a.html", tmp_path / "b.html").exit_code == 0
    from riskgraph.covenant.audit import read_publication

    a, b = (read_publication(tmp_path / name)["figures"] for name in ("a.html", "b.html"))
    assert all(a[key] == b[key] for key in set(a) & set(b))  # nothing left to subtract
    assert not any(key.startswith("total|") for key in b)


def test_a_release_k_members_apart_is_published_in_full(tmp_path):
    folders = [member(tmp_path, f"m{i}", [(f"ci{i}", "CI", 10.0 + i)]) for i in range(7)]
    ledger = Ledger(tmp_path / "l.json")
    first = publish(rg.assess(merge_members(folders, match_names=False)[0]), k=3, ledger=ledger)
    ledger.record(first, "first")
    later = publish(rg.assess(merge_members(folders[:4], match_names=False)[0]), k=3, ledger=ledger)
    assert later.suppressed == 0 and later.totals
    with pytest.raises(ReleaseRefused):
        publish(rg.assess(merge_members(folders[:6], match_names=False)[0]), k=3, ledger=ledger)


from hypothesis import given, settings
from hypothesis import strategies as st


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(
    st.tuples(st.sampled_from(["farm", "mill", "shop"]), st.sampled_from(["CI", "GH", "EC", "NL"])),
    st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), st.floats(0, 100), min_size=1, max_size=5),
    min_size=1, max_size=12), st.integers(1, 4))
def test_after_suppression_no_stage_or_country_gives_a_withheld_cell_away(contributions, k):
    rules = Rules(k=k)
    size = {cell: sum(v.values()) for cell, v in contributions.items()}
    withheld = suppress(contributions, size, rules)
    for cell, members in contributions.items():  # primary: nothing sensitive is published
        assert cell in withheld or sensitive(members, rules) is None
    for axis in (0, 1):  # secondary: each line's withheld cells pool into a safe total, or the line is all withheld
        for key in {cell[axis] for cell in contributions}:
            line = [c for c in contributions if c[axis] == key]
            hidden = [c for c in line if c in withheld]
            pooled = {}
            for cell in hidden:
                for m, v in contributions[cell].items():
                    pooled[m] = pooled.get(m, 0.0) + v
            assert not hidden or sensitive(pooled, rules) is None or len(hidden) == len(line)
