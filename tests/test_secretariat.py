"""Secretariats: merged chains keep members apart; nothing published rests on fewer than k members."""
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import riskgraph as rg
from riskgraph.covenant.secretariat import OTHER, location_members, merge_members, publish, write_merged


def member_chain(tmp: Path, name: str, farms: list[tuple[str, str]], os_id: str | None = None) -> Path:
    """A member: farms (id, country) → one shared-or-own processor → the member's retailer."""
    actors = [(fid, "farm", country, "food", "cocoa", None) for fid, country in farms]
    actors += [("proc", "processor", "NL", "food", "cocoa", os_id), (f"shop_{name}", "retailer", "NL", "food", None, None)]
    frame = pd.DataFrame(actors, columns=["id", "stage", "country", "sector", "commodity", "os_id"])
    flows = [(fid, "proc", 10.0) for fid, _ in farms] + [("proc", f"shop_{name}", 10.0 * len(farms))]
    folder = tmp / name
    rg.write_chain(rg.Chain(actors=frame, flows=pd.DataFrame(flows, columns=["source", "target", "volume"])), folder)
    return folder


def test_merge_labels_members_and_joins_shared_registry_ids(tmp_path):
    a = member_chain(tmp_path, "acme", [("f1", "CI"), ("f2", "GH")], os_id="NL2024ABC")
    b = member_chain(tmp_path, "bakker", [("f1", "CI")], os_id="NL2024ABC")
    chain, members = merge_members([a, b], match_names=False)
    ids = set(chain.actors["id"])
    assert {"acme/f1", "acme/f2", "bakker/f1", "os:NL2024ABC", "acme/shop_acme", "bakker/shop_bakker"} == ids
    shared = chain.actors.set_index("id").loc["os:NL2024ABC"]
    assert shared["members"] == "acme;bakker"
    assert set(chain.flows["member"]) == {"acme", "bakker"}
    assert members["member"].tolist() == ["acme", "bakker"] and members["actors"].tolist() == [4, 3]
    write_merged(chain, members, tmp_path / "sector")
    again = rg.read_chain(tmp_path / "sector")
    assert again.report.ok and "members" in again.actors.columns


def test_publish_withholds_cells_of_fewer_than_k_members(tmp_path):
    folders = [member_chain(tmp_path, f"m{i}", [(f"f{i}", "CI")] + ([("g", "GH")] if i == 0 else []))
               for i in range(3)]
    chain, _ = merge_members(folders, match_names=False)
    publication = publish(rg.assess(chain), k=3)
    matrix = publication.matrices["child_labour"]
    assert np.isnan(matrix.loc["farm", "GH"])  # only one member sources from Ghana
    # Three members source cocoa from Côte d'Ivoire, but all material starts at a farm: publishing
    # CI would give GH as 1 − CI. So CI is withheld too (secondary suppression) and the two are pooled.
    assert np.isnan(matrix.loc["farm", "CI"])
    assert publication.withheld == {("farm", "GH"): "threshold", ("farm", "CI"): "secondary"}
    assert publication.shares.loc["farm", OTHER] == 1.0
    assert publication.suppressed == 2
    assert "2 cells were withheld" in publication.notice()


def test_pooling_into_other_when_the_pool_reaches_k(tmp_path):
    countries = ["GH", "CM", "NG"]
    folders = [member_chain(tmp_path, f"m{i}", [(f"f{i}", c)]) for i, c in enumerate(countries)]
    publication = publish(rg.assess(merge_members(folders, match_names=False)[0]), k=3)
    matrix = publication.matrices["child_labour"]
    assert OTHER in matrix.columns and matrix.loc["farm", OTHER] > 0
    assert all(np.isnan(matrix.loc["farm", c]) for c in countries)
    assert publication.pooled == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["CI", "GH", "EC", "NG", "CM"]), min_size=1, max_size=3, unique=True),
                min_size=1, max_size=6),
       st.integers(1, 4))
def test_no_published_figure_rests_on_fewer_than_k_members(member_countries, k):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folders = [member_chain(Path(tmp), f"m{i}", [(f"f{i}{c}", c) for c in cs])
                   for i, cs in enumerate(member_countries)]
        chain, _ = merge_members(folders, match_names=False)
        assessment = rg.assess(chain)
        publication = publish(assessment, k=k)
        who = {(r.stage, r.country): r.members for r in location_members(assessment, assessment.chain_ends).itertuples()}
        for theme, matrix in publication.matrices.items():
            for stage in matrix.index:
                for country in matrix.columns:
                    value = matrix.loc[stage, country]
                    if np.isnan(value) or value == 0:
                        continue
                    if country == OTHER:
                        pooled = [c for c in publication.shares.columns if c != OTHER]
                        behind = set().union(*(who.get((stage, c), set()) for c in pooled
                                               if np.isnan(publication.shares.loc[stage, c])))
                    else:
                        behind = who[(stage, country)]
                    assert len(behind) >= k, (theme, stage, country, behind)
        assert (publication.members["members"] >= k).all()


def test_publish_writes_html_and_excel(tmp_path):
    folders = [member_chain(tmp_path, f"m{i}", [(f"f{i}", "CI")]) for i in range(3)]
    chain, members = merge_members(folders, match_names=False)
    write_merged(chain, members, tmp_path / "sector")
    from click.testing import CliRunner

    from riskgraph.cli import cli

    for name in ("sector.html", "sector.xlsx"):
        result = CliRunner().invoke(cli, ["secretariat", "publish", str(tmp_path / "sector"), "--out",
                                          str(tmp_path / name), "--k", "3"])
        assert result.exit_code == 0, result.output
    html = (tmp_path / "sector.html").read_text()
    assert "k = 3" in html and "m0/f0" not in html  # no supplier is named


def named_member(tmp: Path, name: str, suppliers: list[tuple[str, str, str]]) -> Path:
    """A member whose garment makers (id, name, country) supply its brand; names spelled the member's way."""
    actors = [(sid, sname, "garment_maker", country, "textiles") for sid, sname, country in suppliers]
    actors.append((f"brand_{name}", f"{name.title()} BV", "brand", "NL", "textiles"))
    frame = pd.DataFrame(actors, columns=["id", "name", "stage", "country", "sector"])
    flows = pd.DataFrame([(sid, f"brand_{name}", 100.0) for sid, _, _ in suppliers],
                         columns=["source", "target", "volume"])
    folder = tmp / name
    rg.write_chain(rg.Chain(actors=frame, flows=flows), folder)
    return folder


def test_merge_matches_shared_suppliers_spelled_differently_by_default(tmp_path):
    # The default path (name matching on) crashed with "truth value of a Series is ambiguous".
    acme = named_member(tmp_path, "acme", [("s1", "Fakir Apparels Ltd", "BD"), ("s2", "Viyellatex Ltd", "BD")])
    bakker = named_member(tmp_path, "bakker", [("x9", "FAKIR APPARELS LIMITED", "Bangladesh"),
                                               ("x7", "Ha-Meem Denim Ltd", "BD")])
    cacao = named_member(tmp_path, "cacao", [("k1", "Fakir Apparels Ltd.", "BGD")])
    chain, members = merge_members([acme, bakker, cacao])
    fakir = chain.actors[chain.actors["name"].str.upper().str.startswith("FAKIR")]
    assert len(fakir) == 1 and fakir["id"].iloc[0].startswith("match:")
    assert fakir["members"].iloc[0] == "acme;bakker;cacao"
    assert len(chain.actors) == 3 + 2 + 1  # three brands, Viyellatex and Ha-Meem, Fakir once (not three times)
    assert {"acme/s2", "bakker/x7"} <= set(chain.actors["id"])
    # every member's flow from Fakir now starts at the shared actor
    shared = fakir["id"].iloc[0]
    assert sorted(chain.flows.loc[chain.flows["source"] == shared, "member"]) == ["acme", "bakker", "cacao"]


def test_merge_without_names_on_actors_keeps_member_ids_apart(tmp_path):
    # member_chain actors have no names: matching has nothing to compare and must not crash
    folders = [member_chain(tmp_path, f"m{i}", [("f1", "CI")]) for i in range(2)]
    chain, _ = merge_members(folders)
    assert {"m0/f1", "m1/f1"} <= set(chain.actors["id"])


def test_merge_joins_the_same_importer_derived_id_across_members(tmp_path):
    from riskgraph.sources import actor_id

    sid = actor_id("Fakir Apparels Ltd", "BD")
    folders = [named_member(tmp_path, m, [(sid, "Fakir Apparels Ltd", "BD")]) for m in ("acme", "bakker", "cacao")]
    chain, _ = merge_members(folders, match_names=False)
    assert sid in set(chain.actors["id"])
    assert chain.actors.set_index("id").loc[sid, "members"] == "acme;bakker;cacao"
    assert len(chain.actors) == 4


def test_secretariat_merge_command_default_options(tmp_path):
    from click.testing import CliRunner

    from riskgraph.cli import cli

    acme = named_member(tmp_path, "acme", [("s1", "Fakir Apparels Ltd", "BD")])
    bakker = named_member(tmp_path, "bakker", [("x9", "FAKIR APPARELS LIMITED", "BD")])
    result = CliRunner().invoke(cli, ["secretariat", "merge", str(acme), str(bakker), "--out", str(tmp_path / "sector")])
    assert result.exit_code == 0, result.output
    merged = rg.read_chain(tmp_path / "sector")
    assert len(merged.actors) == 3
