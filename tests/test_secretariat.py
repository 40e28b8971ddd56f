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
