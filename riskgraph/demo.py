"""The main job on the bundled sector chains: what ``riskgraph demo`` runs.

For each bundled chain (gold, natural stone, textiles, food): read and
validate, summarise its structure, assess every node (chain-location
matrices for every theme), find the hotspots, list the top risks and
hotspots, and write the HTML report and the Excel risk matrix of the sector
(every most-downstream actor, weighted by volume). No server is needed.
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from riskgraph.graph import structure
from riskgraph.chain.io import read_chain
from riskgraph.output import emit_table, stderr


def _top_risks(name: str, assessment, top: int) -> pd.DataFrame:
    ranked = assessment.summary().sort_values(["priority", "peak"], ascending=False, kind="stable").head(top)
    ranked.insert(0, "chain", name)
    return ranked[["chain", "node", "theme", "priority", "peak", "category", "peak_stage", "peak_country",
                   "peak_actor", "unknown_share"]].reset_index(drop=True)


def run_demo(paths: list[Path], *, out: Path | None = None, top: int = 5, quiet: bool = False) -> pd.DataFrame:
    """Run the whole job on each chain; print summary, top risks and hotspots; write reports to ``out``."""
    from riskgraph.hotspots import find_hotspots
    from riskgraph.report import html_report, matrix_workbook
    from riskgraph.risk import assess

    if not paths:
        stderr("No bundled chains found (expected datasets/<sector>/actors.csv).")
        return pd.DataFrame()
    rows, risks, hot = [], [], []
    for path in paths:
        start = time.perf_counter()
        chain = read_chain(path)
        facts = structure(chain)
        assessment = assess(chain)
        cells = assessment.cells()
        found = find_hotspots(chain, assessment)
        ranked = found.hotspots.sort_values("score", ascending=False).head(top)
        hot.append(ranked.assign(chain=chain.name)[["chain", "actor", "theme", "score", "rank", "reasons"]])
        risks.append(_top_risks(chain.name, assessment, top))
        if out is not None:
            from riskgraph.geo.maps import hotspot_map_frame
            from riskgraph.report import hotspot_table

            folder = Path(out)
            html_report(assessment, folder / f"{chain.name}.html", hotspots=hotspot_table(found.hotspots),
                        hotspot_map=hotspot_map_frame(found))
            matrix_workbook(assessment, assessment.chain_ends, folder / f"{chain.name}.xlsx")
        rows.append({
            "chain": chain.name, "actors": facts["actors"], "flows": facts["flows"], "plots": facts["plots"],
            "countries": len(facts["actors_by_country"]), "errors": len(chain.report.errors),
            "warnings": len(chain.report.warnings), "quarantined": int(chain.report.counts["quarantined"].sum()),
            "cells": len(cells), "hotspots": len(found.hotspots), "seconds": round(time.perf_counter() - start, 2),
        })
    summary = pd.DataFrame(rows)
    emit_table(summary, title="Bundled sector chains: validation, matrices (cells), hotspots")
    emit_table(pd.concat(risks, ignore_index=True),
               title="Top risks per sector (priority = severity × peak × downstream reach)")
    hotspots = pd.concat(hot, ignore_index=True)
    # The first two reasons; the reports and `riskgraph hotspots` give them all.
    hotspots["reasons"] = hotspots["reasons"].map(
        lambda r: "; ".join(list(r)[:2]) + (" …" if len(r) > 2 else "") if isinstance(r, (list, tuple)) else r)
    emit_table(hotspots, title="Top hotspots per sector")
    if out is not None and not quiet:
        stderr(f"Reports written to {out}/ (one .html and one .xlsx per sector).")
    if not quiet:
        stderr("Next: riskgraph matrix PATH --node ID · riskgraph explain … · riskgraph report … (riskgraph --help)")
    return summary
