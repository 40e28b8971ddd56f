"""Synthetic chains: the sector's stages, heavy-tailed degrees, deterministic per seed, valid."""
import pytest
from click.testing import CliRunner

import riskgraph as rg
from riskgraph.cli import cli
from riskgraph.chain.generate import generate_chain
from riskgraph.graph import input_shares
from riskgraph.chain.model import stages_of
from riskgraph.testing import assert_chain_equal


@pytest.mark.parametrize("sector", rg.SECTORS)
def test_generated_chains_validate_and_use_every_stage(sector):
    chain = generate_chain(sector, 400, seed=3)
    accepted, report = rg.validate_chain(chain)
    assert report.ok, report.errors.head()
    assert len(accepted.actors) == 400
    assert set(chain.actors["stage"]) == set(stages_of(sector))


def test_same_seed_same_chain_other_seed_other_chain():
    assert_chain_equal(generate_chain("food", 300, seed=5), generate_chain("food", 300, seed=5))
    assert not generate_chain("food", 300, seed=5).flows.equals(generate_chain("food", 300, seed=6).flows)


def test_degrees_are_heavy_tailed_many_origins_few_hubs():
    chain = generate_chain("textiles", 2000, seed=1)
    farms = (chain.actors["stage"] == "cotton_farm").sum()
    assert farms > 0.6 * len(chain.actors)
    in_degree = chain.flows.groupby("target").size()
    assert in_degree.max() > 20 * in_degree.median()


def test_every_non_origin_actor_has_inputs():
    chain = generate_chain("gold", 500, seed=2)
    origin = chain.actors["stage"].isin(["mine_asm", "mine_lsm", "recycler"])
    assert chain.actors.loc[~origin, "id"].isin(chain.flows["target"]).all()
    assert input_shares(chain).matrix.shape == (500, 500)


def test_generate_command_writes_a_readable_chain(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--sector", "gold", "--actors", "120", "--seed", "1",
                                      "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    chain = rg.read_chain(tmp_path / "g")
    assert chain.report.ok and len(chain.actors) == 120


@pytest.mark.parametrize("sector", ["gold", "food", "textiles", "natural_stone"])
def test_generated_chains_pass_validation_without_a_warning(sector):
    # at 5 000 actors a seller drawn twice for one buyer and year gave 1 570 duplicate-flow warnings
    from riskgraph.chain.validate import validate_chain

    chain = generate_chain(sector, 5000, seed=0)
    _, report = validate_chain(chain)
    assert report.issues.empty, report.reason_counts()
    assert not chain.flows.duplicated(["source", "target", "commodity", "year"]).any()


def test_generate_then_validate_on_the_command_line(tmp_path):
    import json

    runner = CliRunner()
    assert runner.invoke(cli, ["generate", "--sector", "gold", "--actors", "5000", "--out", str(tmp_path / "g")]).exit_code == 0
    result = runner.invoke(cli, ["validate", str(tmp_path / "g"), "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["errors"] == 0 and document["warnings"] == 0 and document["issues"] == []
