"""Benchmark: forest on 2020-12-31 and loss after it for 100 000 plots over one whole Hansen-size tile.

The benchmark writes its own tile pair (``treecover2000`` and ``lossyear``,
40 000 × 40 000 pixels of 0.00025° = the 10° × 10° tile 10N_080W, uint8,
LZW-compressed, 256 × 256 internal tiles as in the distributed product) with
synthetic patches of tree cover and loss, caches it under ``benchmarks/out/``,
scatters plots over it (polygons of 0.5–10 ha, a fifth of them points with a
declared area) and reports:

* :func:`riskgraph.forest.plot_forest` on all plots: seconds, plots/s;
* peak memory of the same call in a fresh process;
* the baseline, in the same process on a sample: one plain ``exact_extract``
  call on the ``lossyear`` file (``frac`` and ``unique`` of the loss codes,
  GeoJSON features, feature-sequential reads from the file) — the simplest
  use of the library, which computes less (one layer, no areas);
* the ratios of plots/s, ours ÷ baseline: ours on all plots, and ours on the
  baseline's sample alone (sparser, so each block read serves fewer plots).

Targets (issue 19): ≥ 2 000 plots/s and < 2 GB.

Run from the repository root::

    python benchmarks/bench_forest.py --plots 100000 --size 40000
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
from _common import OUT, peak_memory_of  # noqa: E402

WEST, NORTH, RES = -80.0, 10.0, 0.00025
CHUNK_ROWS = 1024


def write_tiles(size: int, *, seed: int = 7) -> Path:
    """The tile pair of ``size`` × ``size`` pixels, written once and cached."""
    import rasterio
    from affine import Affine

    from riskgraph.forest import hansen_name

    folder = OUT / f"forest-{size}"
    names = [folder / hansen_name(layer, WEST, NORTH) for layer in ("treecover2000", "lossyear")]
    if all(p.is_file() for p in names):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"writing two {size} × {size} tiles to {folder} …", file=sys.stderr)
    rng = np.random.default_rng(seed)
    # Patches of 32 pixels (~900 m): tree cover 0–100, a quarter of patches lost in some year 2001–2024.
    coarse = -(-size // 32)
    cover = rng.integers(0, 101, (coarse, coarse), dtype=np.uint8)
    years = np.where(rng.random((coarse, coarse)) < 0.25, rng.integers(1, 25, (coarse, coarse)), 0).astype(np.uint8)
    profile = dict(driver="GTiff", width=size, height=size, count=1, dtype="uint8", crs="EPSG:4326",
                   transform=Affine(RES, 0, WEST, 0, -RES, NORTH), compress="lzw", tiled=True,
                   blockxsize=256, blockysize=256, BIGTIFF="IF_SAFER")
    started = time.perf_counter()
    with rasterio.open(names[0], "w", **profile) as tc, rasterio.open(names[1], "w", **profile) as ly:
        for row in range(0, size, CHUNK_ROWS):
            rows = min(CHUNK_ROWS, size - row)
            r = np.arange(row, row + rows) // 32
            # Within a patch, cover varies by a few percent (fine texture, as real canopy has).
            texture = ((np.arange(row, row + rows)[:, None] * 7 + np.arange(size)[None, :] * 3) % 9).astype(np.int16)
            block_cover = np.repeat(cover[r], 32, axis=1)[:, :size].astype(np.int16) + texture - 4
            tc.write(np.clip(block_cover, 0, 100).astype(np.uint8), 1, window=((row, row + rows), (0, size)))
            ly.write(np.repeat(years[r], 32, axis=1)[:, :size], 1, window=((row, row + rows), (0, size)))
    print(f"  written in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return folder


def synthetic_plots(n: int, size: int, *, seed: int = 0) -> pd.DataFrame:
    """``n`` plots spread over the tile: rotated rectangles of 0.5–10 ha, 20 % points with a declared area."""
    rng = np.random.default_rng(seed)
    span = size * RES
    lon = WEST + rng.uniform(0.01, span - 0.01, n)
    lat = NORTH - rng.uniform(0.01, span - 0.01, n)
    area_ha = rng.uniform(0.5, 10.0, n)
    side_m = np.sqrt(area_ha * 10_000)
    aspect = rng.uniform(0.5, 2.0, n)
    half_w = side_m * np.sqrt(aspect) / 2 / (111_320 * np.cos(np.radians(lat)))
    half_h = side_m / np.sqrt(aspect) / 2 / 110_574
    angle = rng.uniform(0, np.pi / 2, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float)
    dx = corners[None, :, 0] * half_w[:, None]
    dy = corners[None, :, 1] * half_h[:, None]
    xs = lon[:, None] + dx * np.cos(angle)[:, None] - dy * np.sin(angle)[:, None]
    ys = lat[:, None] + dx * np.sin(angle)[:, None] + dy * np.cos(angle)[:, None]
    point = rng.random(n) < 0.2
    geometry = []
    for i in range(n):
        if point[i]:
            geometry.append(f'{{"type": "Point", "coordinates": [{lon[i]:.6f}, {lat[i]:.6f}]}}')
        else:
            ring = ", ".join(f"[{x:.6f}, {y:.6f}]" for x, y in zip(xs[i], ys[i]))
            geometry.append(f'{{"type": "Polygon", "coordinates": [[{ring}]]}}')
    return pd.DataFrame({"plot_id": [f"plot{i:06d}" for i in range(n)], "area_ha": np.round(area_ha, 2),
                         "geometry": geometry})


def baseline(plots: pd.DataFrame, folder: Path) -> float:
    """Seconds of one plain exactextract call on the lossyear file (GeoJSON features, frac + unique)."""
    from exactextract import exact_extract

    from riskgraph.forest import hansen_name

    features = [{"type": "Feature", "properties": {"plot_id": pid}, "geometry": json.loads(g)}
                for pid, g in zip(plots["plot_id"], plots["geometry"])]
    started = time.perf_counter()
    exact_extract(str(folder / hansen_name("lossyear", WEST, NORTH)), features, ["frac", "unique"],
                  output="pandas")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plots", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=40_000, help="tile side in pixels (40 000 = a whole tile)")
    parser.add_argument("--sample", type=int, default=10_000, help="polygon plots for the baseline")
    parser.add_argument("--no-memory", action="store_true", help="skip the fresh-process memory run")
    args = parser.parse_args()

    from riskgraph.forest import plot_forest

    folder = write_tiles(args.size)
    plots = synthetic_plots(args.plots, args.size)
    polygons = plots[plots["geometry"].str.contains("Polygon")].head(args.sample)

    started, cpu_started = time.perf_counter(), time.process_time()
    result = plot_forest(plots, gfc_dir=folder)
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    ours_sample_started = time.perf_counter()
    plot_forest(polygons, gfc_dir=folder)
    ours_sample = time.perf_counter() - ours_sample_started
    cpu_started = time.process_time()
    base = baseline(polygons, folder)
    base_cpu = time.process_time() - cpu_started

    figures = {
        "plots": len(plots),
        "tile_pixels": f"{args.size} x {args.size}",
        "seconds": round(ours, 2),
        "plots_per_s": round(len(plots) / ours),
        # CPU seconds of this process: on a shared machine the wall time includes waiting for a core, and
        # plot_forest runs on one thread, so plots per CPU second is what an idle core would give.
        "cpu_seconds": round(ours_cpu, 2),
        "plots_per_cpu_s": round(len(plots) / ours_cpu),
        "measured": int(result["forest_source"].notna().sum()),
        "with_loss_after_2020": int((result["forest_loss_ha_after_2020"] > 0).sum()),
        "forest_2020_ha_total": round(float(result["forest_2020_ha"].sum()), 1),
        "baseline_sample_plots": len(polygons),
        "baseline_plots_per_s": round(len(polygons) / base),
        "baseline_plots_per_cpu_s": round(len(polygons) / base_cpu),
        # Throughput ratio, ours on all plots ÷ the plain call (whose per-plot cost does not depend on how many
        # plots share the tile: it reads each feature's window from the file).
        "ratio_all_plots_vs_baseline": round((len(plots) / ours) / (len(polygons) / base), 2),
        "ratio_all_plots_vs_baseline_cpu": round((len(plots) / ours_cpu) / (len(polygons) / base_cpu), 2),
        # The same sample through plot_forest: sparse plots make plot_forest read whole blocks for few plots.
        "sample_ours_plots_per_s": round(len(polygons) / ours_sample),
        "ratio_same_sample": round(base / ours_sample, 2),
    }
    if not args.no_memory:
        table = OUT / f"forest-plots-{args.plots}-{args.size}.parquet"
        plots.to_parquet(table)
        code = ("import pandas as pd\nfrom riskgraph.forest import plot_forest\n"
                f"plot_forest(pd.read_parquet({str(table)!r}), gfc_dir={str(folder)!r})\n")
        figures["peak_memory_mb"] = round(peak_memory_of(code))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
