"""Whisp result tables: Whisp's columns become riskgraph's forest properties, dataset by dataset.

Fixtures in ``tests/data/whisp/`` are written for these tests in Whisp's column
layout (see the README there); the expected figures are the ones typed in them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskgraph.errors import InputError
from riskgraph.forest import forest_findings
from riskgraph.sources.whisp import merge_whisp, read_whisp

DATA = Path(__file__).parent / "data" / "whisp"


@pytest.fixture(scope="module")
def table():
    return read_whisp(DATA / "whisp_results_ha.csv")


def test_a_row_becomes_the_forest_properties_with_the_dataset_that_said_so(table):
    plot = table.plots.set_index("plot_id").loc["CI-P-001"]
    assert plot["area_ha"] == 1.75
    assert plot["forest_2020_ha"] == 1.7  # EUFO_2020, the JRC map
    assert plot["forest_loss_ha_after_2020"] == 1.2  # Hansen's 1.2 ha is more than TMF's 0.9 ha
    assert plot["forest_loss_by_year"] == {"2022": 0.8, "2023": 0.4}
    assert plot["forest_loss_year"] == 2023
    assert plot["forest_source"] == ("Whisp: GFC_loss_after_2020 (Hansen GFC loss); "
                                     "forest 2020: EUFO_2020 (JRC GFC2020 forest map (EUFO))")
    assert plot["forest_evidence"]["TMF_def_after_2020"] == 0.9
    assert plot["forest_evidence"]["RADD_after_2020"] == 0.5
    assert plot["geometry"].startswith('{"type": "Polygon"')


def test_radar_alerts_are_kept_as_unconfirmed_alerts_not_loss(table):
    plot = table.plots.set_index("plot_id").loc["CI-P-002"]
    assert plot["forest_loss_ha_after_2020"] == 0
    assert plot["forest_alert_ha_after_2020"] == 0.4
    assert pd.isna(plot["forest_loss_year"])


def test_tmf_deforestation_counts_when_it_sees_more(table):
    plot = table.plots.set_index("plot_id").loc["CI-P-003"]
    assert plot["forest_loss_ha_after_2020"] == 0.7
    assert plot["forest_source"].startswith("Whisp: TMF_def_after_2020 (JRC TMF deforestation)")
    assert plot["forest_loss_year"] == 2024
    assert plot["forest_loss_by_year"] == {"2024": 0.2}  # the per-year figures are Hansen's


def test_loss_before_the_cutoff_is_context_not_loss(table):
    plot = table.plots.set_index("plot_id").loc["CI-P-004"]
    assert plot["forest_2020_ha"] == 0
    assert plot["forest_loss_ha_after_2020"] == 0
    assert plot["tree_cover_loss_ha_2001_2020"] == 1.3


def test_unusable_rows_are_quarantined_with_row_column_and_reason(table):
    q = table.quarantine
    assert len(table.plots) == 4 and len(q) == 2
    bad = q.set_index("row")
    assert bad.loc[6, ["plot_id", "column", "value", "reason"]].tolist() == [
        "CI-P-005", "GFC_loss_after_2020", "n/a", "not a number"]
    assert bad.loc[7, "reason"] == "no plot id (plotId or external_id)"
    assert not table.ok


def test_percent_tables_are_converted_to_hectares():
    plots = read_whisp(DATA / "whisp_results_percent.geojson").plots.set_index("plot_id")
    assert plots.loc["GH-P-101", "forest_2020_ha"] == pytest.approx(1.8)
    assert plots.loc["GH-P-101", "forest_loss_ha_after_2020"] == pytest.approx(0.5)
    assert plots.loc["GH-P-101", "forest_loss_by_year"] == {"2022": 0.5}
    assert plots.loc["GH-P-102", "forest_alert_ha_after_2020"] == pytest.approx(0.5)


def test_a_table_without_whisp_columns_is_refused(tmp_path):
    other = tmp_path / "plots.csv"
    other.write_text("plotId,Area,geo\n1,2.0,\n")
    with pytest.raises(InputError, match="none of Whisp's forest columns"):
        read_whisp(other)
    with pytest.raises(InputError, match="no such Whisp table"):
        read_whisp(tmp_path / "missing.csv")


def _member_plots():
    return pd.DataFrame({
        "plot_id": ["CI-P-001", "CI-P-002", "CI-P-003", "CI-P-999"],
        "forest_loss_ha_after_2020": [0.0, 0.0, 0.7, 0.0],
        "geometry": [None] * 4,
    })


def test_merged_beside_the_raster_figures_disagreements_are_findings(table):
    plots = _member_plots().assign(forest_loss_ha_after_2020=[1.25, 0.0, 0.1, 0.0],
                                   forest_source=["Hansen_GFC-2024-v1.12"] * 4)
    merged, unmatched = merge_whisp(plots, table)
    assert unmatched == ["CI-P-004"]
    assert merged["whisp_forest_loss_ha_after_2020"].tolist()[:3] == [1.2, 0.0, 0.7]
    findings = forest_findings(merged)
    rules = findings.groupby("rule")["plot_id"].apply(sorted).to_dict()
    assert rules == {"satellite_vs_whisp": ["CI-P-003"], "unconfirmed_alert": ["CI-P-002"]}
    detail = findings.loc[findings["rule"] == "satellite_vs_whisp", "detail"].iloc[0]
    assert "0.10 ha" in detail and "0.70 ha" in detail and "TMF_def_after_2020" in detail


def test_whisp_figures_can_replace_a_declaration_which_is_kept(table):
    merged, _ = merge_whisp(_member_plots(), table, replace=True)
    merged = merged.set_index("plot_id")
    assert merged.loc["CI-P-001", "forest_loss_ha_after_2020"] == 1.2
    assert merged.loc["CI-P-001", "declared_forest_loss_ha_after_2020"] == 0.0
    assert merged.loc["CI-P-999", "forest_loss_ha_after_2020"] == 0.0  # no Whisp row: the declaration stays
    findings = forest_findings(merged.reset_index())
    declared = findings[findings["rule"] == "declared_vs_satellite"]
    assert declared["plot_id"].tolist() == ["CI-P-001"]
    assert "declared 0.00 ha" in declared["detail"].iloc[0] and "1.20 ha" in declared["detail"].iloc[0]


def _cli(args):
    from click.testing import CliRunner

    from riskgraph.cli import cli

    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_the_import_command_writes_plots_and_quarantines_bad_rows(tmp_path):
    from riskgraph.geo.plots import read_plots

    out = tmp_path / "plots.whisp.geojson"
    result = _cli(["import", "whisp", str(DATA / "whisp_results_ha.csv"), "--out", str(out)])
    assert result.exit_code == 1  # two rows quarantined, one unconfirmed alert
    plots = read_plots(out).set_index("plot_id")
    assert float(plots.loc["CI-P-001", "forest_loss_ha_after_2020"]) == 1.2
    assert plots.loc["CI-P-001", "geometry"].startswith('{"type": "Polygon"')
    quarantine = pd.read_csv(tmp_path / "plots.whisp.quarantine.csv")
    assert quarantine["row"].tolist() == [6, 7]
    assert "unconfirmed" in result.stderr


def test_the_import_command_puts_whisp_on_the_members_plots(tmp_path):
    from riskgraph.chain.io import write_geojson_plots
    from riskgraph.geo.plots import read_plots

    member = tmp_path / "member.geojson"
    write_geojson_plots(_member_plots(), member)
    out = tmp_path / "checked.geojson"
    result = _cli(["import", "whisp", str(DATA / "whisp_results_percent.geojson"), "--plots", str(member),
                   "--out", str(out)])
    assert result.exit_code == 0, result.stderr  # no plot id in common: nothing to compare
    assert "2 Whisp plots match no plot id" in result.stderr
    assert len(read_plots(out)) == 4
