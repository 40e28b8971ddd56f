"""The main job on the bundled sector chains: what ``riskgraph demo`` runs.

For each bundled chain (gold, natural stone, textiles, food): read and
validate, summarise its structure, assess every node (chain-location
matrices for every theme) and list the top risks by priority. Later stages
of the pipeline (hotspots, reports) add their results here, so the demo is
always the whole job end to end, with no server.
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


def top_risks(path: Path, *, top: int = 5) -> pd.DataFrame:
    """The chain's top node × theme risks by priority (severity × peak × downstream reach)."""
    from riskgraph.risk import assess

    summary = assess(read_chain(path)).summary()
    ranked = summary.sort_values(["priority", "peak"], ascending=False, kind="stable").head(top)
    ranked.insert(0, "chain", path.name)
    return ranked[["chain", "node", "theme", "priority", "peak", "category", "peak_stage", "peak_country",
                   "peak_actor", "unknown_share"]].reset_index(drop=True)


def run_demo(paths: list[Path], *, quiet: bool = False) -> pd.DataFrame:
    """Run the demo and print its tables; returns the summary."""
    if not paths:
        stderr("No bundled chains found (expected datasets/<sector>/actors.csv).")
        return pd.DataFrame()
    summary = demo_summary(paths)
    emit_table(summary, title="Bundled sector chains: validation and structure")
    risks = pd.concat([top_risks(path) for path in paths], ignore_index=True)
    emit_table(risks, title="Top risks per sector (priority = severity × peak × downstream reach)")
    if not quiet:
        stderr("Next: riskgraph validate PATH · riskgraph info PATH (see riskgraph --help)")
    return summary
