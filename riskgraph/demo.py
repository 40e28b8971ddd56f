"""The main job on the bundled sector chains: what ``riskgraph demo`` runs.

For each bundled chain (gold, natural stone, textiles, food): read and
validate, then summarise its structure. Later stages of the pipeline (risk
matrices, hotspots, reports) add their results here, so the demo is always
the whole job end to end, with no server.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskgraph.graph import structure
from riskgraph.io import read_chain
from riskgraph.output import emit_table, stderr


def demo_summary(paths: list[Path]) -> pd.DataFrame:
    """One row per chain: actors, flows, plots, validation findings and structure."""
    rows = []
    for path in paths:
        chain = read_chain(path)
        facts = structure(chain)
        rows.append(
            {
                "chain": chain.name,
                "actors": facts["actors"],
                "flows": facts["flows"],
                "plots": facts["plots"],
                "countries": len(facts["actors_by_country"]),
                "errors": len(chain.report.errors),
                "warnings": len(chain.report.warnings),
                "quarantined": int(chain.report.counts["quarantined"].sum()),
                "max_tier": facts["max_tier"],
                "cycles": len(facts["cycles"]),
            }
        )
    return pd.DataFrame(rows)


def run_demo(paths: list[Path], *, quiet: bool = False) -> pd.DataFrame:
    """Run the demo and print its tables; returns the summary."""
    if not paths:
        stderr("No bundled chains found (expected datasets/<sector>/actors.csv).")
        return pd.DataFrame()
    summary = demo_summary(paths)
    emit_table(summary, title="Bundled sector chains: validation and structure")
    if not quiet:
        stderr("Next: riskgraph validate PATH · riskgraph info PATH (see riskgraph --help)")
    return summary
