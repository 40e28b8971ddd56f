"""Benchmark: where the hotspot search spends its time on a large chain, step by step.

``find_hotspots`` on a generated chain, each step timed on its own in one
process (CPU seconds): the ranked deforestation and child-labour hotspots
(with their reasons), the spatial points, DBSCAN clusters and Gi*,
chokepoints, and the three anomaly searches. The baseline, in the same
process on the same chain, is ``riskgraph.assess`` (the risk model the
search starts from): each step is reported as a ratio of it, so figures from
a busy machine stay comparable.

Run from the repository root::

    python benchmarks/bench_hotspot_search.py --actors 100000 --sector food
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_report import generated_chain  # noqa: E402


def _timed(results: list, name: str, fn, *args, **kwargs):
    start = time.process_time()
    value = fn(*args, **kwargs)
    results.append((name, time.process_time() - start))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--sector", default="food")
    args = parser.parse_args()

    import riskgraph as rg
    from riskgraph.geo.plots import plot_checks

    find, reach, clusters, chokepoints, anomalies, deforestation = (
        importlib.import_module(f"riskgraph.hotspots.{name}")
        for name in ("find", "reach", "clusters", "chokepoints", "anomalies", "deforestation"))
    chain = rg.read_chain(generated_chain(args.sector, args.actors))
    steps: list[tuple[str, float]] = []
    assessment = _timed(steps, "assess (baseline)", rg.assess, chain)
    themes = find.HOTSPOT_THEMES
    downstream = _timed(steps, "downstream reach", reach.downstream_reach, chain, assessment)
    checks = _timed(steps, "plot checks", plot_checks, chain.plots, chain.actors)
    table, _ = deforestation._plot_table(chain, chain.plots, checks)
    ranked = _timed(steps, "ranked hotspots (deforestation, child labour)", find._ranked_hotspots, chain,
                    assessment, themes, downstream, table, None)
    points = _timed(steps, "spatial points", clusters._spatial_points, chain, assessment, ranked, table, themes)
    _timed(steps, "DBSCAN clusters and Gi*", clusters.spatial_clusters, points)
    _timed(steps, "chokepoints", chokepoints.chokepoints, chain, assessment, reach=downstream)
    _timed(steps, "mass-balance gaps", anomalies.mass_balance_gaps, chain)
    _timed(steps, "sourcing shifts", anomalies.sourcing_shifts, chain)
    _timed(steps, "IsolationForest anomalies", anomalies.isolation_anomalies, chain)
    _timed(steps, "find_hotspots (all of it)", find.find_hotspots, chain, assessment)

    base = steps[0][1]
    print(f"{chain!r}: {len(ranked):,} hotspot rows, {len(points):,} map points\n")
    print("| step | CPU s | × assess |")
    print("|---|---:|---:|")
    for name, seconds in steps:
        print(f"| {name} | {seconds:.2f} | {seconds / base:.1f} |")


if __name__ == "__main__":
    main()
