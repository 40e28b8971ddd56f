"""Add forest evidence from a raster to ``datasets/food``: a synthetic Hansen-style clip and four new plots.

Run from the repository root after ``build_food.py``: ``python tools/datasets/build_food_forest.py``
(``build_datasets.py`` runs it). Unlike the other builders it needs riskgraph
itself (rasterio, exactextract): the point is that the loss figures of the new
plots are *measured* by :func:`riskgraph.forest.plot_forest` on the clip, not
typed in.

What it writes:

* ``datasets/food/forest/Hansen_GFC-2024-v1.12_{treecover2000,lossyear}_10N_010W_synthetic.tif``:
  a 640 × 640-pixel clip (0.16° × 0.16°, lat 6.84…7.00, lon −6.50…−6.34,
  Haut-Sassandra, Côte d'Ivoire) in the conventions of the Hansen Global
  Forest Change tiles (uint8, EPSG:4326, 0.00025° pixels, LZW, no nodata).
  **The values are invented** (seeded): patches of 32 pixels of tree cover
  5–95 %, some patches lost before 2021, and four painted situations under
  the new plots. "synthetic" in the file names makes every figure measured
  on them say so (``forest_source``).
* four new plots appended to ``datasets/food/plots.geojson`` (``PLT-CI-0035``
  … ``0038``), declared by their farms with ``forest_loss_ha_after_2020`` = 0,
  then measured on the clip:

  - ``PLT-CI-0035`` (farm ``FOD-FRM-CI-15``): forest, its western part cleared in 2022;
  - ``PLT-CI-0036`` (``FOD-FRM-CI-17``): forest, cleared entirely in 2023;
  - ``PLT-CI-0037`` (``FOD-FRM-CI-18``): cleared in 2016 — no forest at the cut-off, no finding;
  - ``PLT-CI-0038`` (``FOD-FRM-CI-14``): standing forest, no loss.

  Under the existing plots of the region (``PLT-CI-0014`` … ``0019``) the clip
  shows tree cover and no loss, agreeing with their declarations.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from chainkit import ROOT, offset_m, polygon_geometry, polygon_ring, ring_area_ha

SEED = 20261207
OUT = ROOT / "datasets" / "food"
FOLDER = OUT / "forest"
WEST, NORTH, SIDE, RES = -6.50, 7.00, 640, 0.00025
VERSION = "GFC-2024-v1.12"
TILE = "10N_010W"  # the distributed 10° tile this clip would come from (top-left corner 10° N, 10° W)

#: (plot id, farm, area ha, distance m, bearing °, situation)
NEW_PLOTS = [
    ("PLT-CI-0035", "FOD-FRM-CI-15", 6.2, 700, 300, "cleared_west_2022"),
    ("PLT-CI-0036", "FOD-FRM-CI-17", 4.6, 650, 60, "cleared_2023"),
    ("PLT-CI-0037", "FOD-FRM-CI-18", 5.1, 700, 200, "cleared_2016"),
    ("PLT-CI-0038", "FOD-FRM-CI-14", 3.4, 650, 120, "forest"),
]
EXISTING = [f"PLT-CI-{n:04d}" for n in range(14, 20)]
PROPERTIES = ["plot_id", "actor_id", "area_ha", "forest_loss_ha_after_2020", "declared_forest_loss_ha_after_2020",
              "forest_2020_ha", "forest_loss_by_year", "forest_loss_year", "tree_cover_loss_ha_2001_2020",
              "forest_assessed_ha", "forest_source"]


def _pixels(west: float, south: float, east: float, north: float, margin: int = 2) -> tuple[slice, slice]:
    rows = slice(max(int((NORTH - north) / RES) - margin, 0), min(int(math.ceil((NORTH - south) / RES)) + margin, SIDE))
    cols = slice(max(int((west - WEST) / RES) - margin, 0), min(int(math.ceil((east - WEST) / RES)) + margin, SIDE))
    return rows, cols


def _bounds(ring) -> tuple[float, float, float, float]:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def build() -> None:
    import shapely

    from riskgraph.forest import hansen_name, plot_forest, write_tile
    from riskgraph.chain.io import read_geojson_plots

    rng = np.random.default_rng(SEED)
    actors = pd.read_csv(OUT / "actors.csv").set_index("id")
    plots_path = OUT / "plots.geojson"
    text = plots_path.read_text(encoding="utf-8")
    if '"PLT-CI-0035"' in text:
        raise SystemExit("plots.geojson already has the forest plots: run build_food.py first")

    # Background: 32-pixel patches of tree cover (agroforest and forest 55–95 %, farmland 5–35 %),
    # a tenth of the patches lost in 2001–2020 (before the cut-off, never after).
    coarse = SIDE // 32
    forest_patch = rng.random((coarse, coarse)) < 0.55
    cover = np.where(forest_patch, rng.integers(55, 96, (coarse, coarse)), rng.integers(5, 36, (coarse, coarse)))
    old_loss = np.where(forest_patch & (rng.random((coarse, coarse)) < 0.10), rng.integers(1, 21, (coarse, coarse)), 0)
    treecover = np.kron(cover, np.ones((32, 32), dtype=int)).astype(np.uint8)
    lossyear = np.kron(old_loss, np.ones((32, 32), dtype=int)).astype(np.uint8)

    existing = read_geojson_plots(plots_path).frame
    existing = existing[existing["plot_id"].isin(EXISTING)].copy()
    for geometry in existing["geometry"]:
        shape = shapely.from_geojson(geometry)
        west, south, east, north = shape.buffer(0.0015).bounds  # points stand for circles of up to ~1 ha radius
        rows, cols = _pixels(west, south, east, north)
        treecover[rows, cols], lossyear[rows, cols] = 80, 0

    features, new_rows = [], []
    for plot_id, farm, area, distance, bearing, situation in NEW_PLOTS:
        lat, lon = actors.loc[farm, ["lat", "lon"]]
        clat, clon = offset_m(lat, lon, distance * math.cos(math.radians(bearing)),
                              distance * math.sin(math.radians(bearing)))
        ring = polygon_ring(rng, clat, clon, area)
        west, south, east, north = _bounds(ring)
        rows, cols = _pixels(west, south, east, north, margin=4)
        treecover[rows, cols], lossyear[rows, cols] = 85, 0
        if situation == "cleared_west_2022":
            split = _pixels(west, south, west + 0.55 * (east - west), north, margin=0)[1].stop
            lossyear[rows, cols.start:split] = 22
        elif situation == "cleared_2023":
            lossyear[rows, cols] = 23
        elif situation == "cleared_2016":
            lossyear[rows, cols] = 16
        geometry = polygon_geometry(ring, decimals=6)
        new_rows.append({"plot_id": plot_id, "actor_id": farm, "area_ha": round(ring_area_ha(ring), 2),
                         "forest_loss_ha_after_2020": 0.0, "geometry": geometry})

    FOLDER.mkdir(parents=True, exist_ok=True)
    for layer, values in (("treecover2000", treecover), ("lossyear", lossyear)):
        name = hansen_name(layer, -10, 10, version=VERSION).replace(".tif", "_synthetic.tif")
        write_tile(FOLDER / name, values, west=WEST, north=NORTH, res=RES)

    measured = plot_forest(pd.DataFrame(new_rows), gfc_dir=FOLDER)
    for record in measured.to_dict("records"):
        properties = {}
        for key in PROPERTIES:
            value = record.get(key)
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                continue
            properties[key] = int(value) if key == "forest_loss_year" else value
        features.append('{"type": "Feature", "properties": ' + json.dumps(properties, ensure_ascii=False)
                        + ', "geometry": ' + record["geometry"] + "}")
    head, tail = text.rstrip().rsplit("\n]}", 1)
    plots_path.write_text(head + ",\n" + ",\n".join(features) + "\n]}" + tail + "\n", encoding="utf-8")
    sizes = {p.name: p.stat().st_size for p in sorted(FOLDER.glob("*.tif"))}
    print("  forest clip:", sizes)
    print(measured[["plot_id", "forest_2020_ha", "forest_loss_ha_after_2020", "forest_loss_year",
                    "tree_cover_loss_ha_2001_2020"]].to_string(index=False))


if __name__ == "__main__":
    build()
