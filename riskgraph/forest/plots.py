"""Forest on 31 December 2020 and forest loss after it, per plot, from the rasters on disk.

:func:`plot_forest` answers the two questions of EUDR due diligence for each
production plot — was it forest at the cut-off, and has forest been lost on it
since — from Hansen Global Forest Change tiles (optionally with the JRC GFC2020
forest map), offline.

Method
------
1. Each plot's footprint: its Polygon or MultiPolygon; a Point becomes a
   circle of its declared area (``area_ha``; the EU information system's
   ``Area`` is read as ``area_ha``); a Point without area is flagged, not
   guessed.
2. Footprints are split between the tiles by the tiles' georeferencing (a
   plot crossing a tile edge is measured in both; overlapping clips count
   each part once).
3. Per tile, plots are grouped into blocks of pixels; each block's window is
   read once (rasterio windowed read) and exactextract gives, for every plot,
   the cells it touches and the fraction of each cell it covers.
4. Each covered cell contributes ``coverage × cell area`` (exact ellipsoidal
   area of its row, :func:`riskgraph.forest.area.cell_area_ha`):

   - forest 2020 (Hansen): ``treecover2000 ≥ min_canopy`` and ``lossyear`` 0
     or ≥ 21; with the JRC map: its forest share of the cell;
   - loss after 2020: forest-2020 cells with ``lossyear`` ≥ 21, by year;
   - tree-cover loss 2001–2020 (``treecover2000 ≥ min_canopy``, ``lossyear``
     1–20): loss before the cut-off, reported for context, not a finding.

Limits (say them when presenting the figures): tree cover is not forest in
the EUDR sense (Art. 2(4) excludes agricultural and urban land use; tree crops
such as oil palm or cocoa under shade have tree cover); 30 m pixels blur plot
edges, so a few hundredths of a hectare of "loss" on a small plot may be a
neighbour's; Hansen loss is stand-replacing disturbance of any cause,
including the harvest of plantations and fire.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.forest.area import circles, row_areas_ha
from riskgraph.forest.tiles import CUTOFF_LOSSYEAR, LOSSYEAR_BASE, ForestTiles, find_tiles, jrc_fraction, pixel_window

#: The properties :func:`plot_forest` writes, in this order.
FOREST_COLUMNS = (
    "forest_2020_ha",
    "forest_loss_ha_after_2020",
    "forest_loss_by_year",
    "forest_loss_year",
    "tree_cover_loss_ha_2001_2020",
    "forest_assessed_ha",
    "forest_source",
    "forest_flag",
)

#: Where a plot's own figure of forest loss is kept once the rasters' figure takes its column.
DECLARED_LOSS = "declared_forest_loss_ha_after_2020"

#: Side (pixels) of the blocks that group plots for one windowed read and one exactextract call.
BLOCK_PIXELS = 1024

#: Figures are rounded to 1 m² (4 decimals of a hectare).
DECIMALS = 4

#: Plots whose assessed area is below this share of the footprint are flagged ``partly_outside_tiles``.
COVERED_SHARE = 0.999

#: GDAL block cache while reading (MB).
GDAL_CACHE_MB = 64

Progress = Callable[[int, int, int, int], None]


# --------------------------------------------------------------------------- footprints


def _plot_frame(plots) -> pd.DataFrame:
    if isinstance(plots, (str, Path)):
        from riskgraph.geo.plots import read_plots

        return read_plots(plots)
    if isinstance(plots, pd.DataFrame):
        if "geometry" not in plots.columns:
            raise InputError("the plots table has no 'geometry' column (GeoJSON text per plot)")
        return plots.reset_index(drop=True).copy()
    raise InputError(f"plots must be a DataFrame or a path to a plot file, not {type(plots).__name__}")


def footprints(plots: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Shapely footprints of the plots and a flag per plot where none can be made.

    Returns ``(geometries, flags)``: Polygons/MultiPolygons in lon/lat (z
    dropped, invalid rings repaired with ``shapely.make_valid``), Points as
    circles of their ``area_ha``; ``None`` with a flag (``no_geometry``,
    ``unreadable_geometry``, ``point_without_area``, ``not_an_area``)
    otherwise. A repaired polygon keeps the flag ``repaired_geometry``.
    """
    import shapely

    texts = [json.dumps(g) if isinstance(g, dict) else g for g in plots["geometry"].astype(object)]
    n = len(texts)
    flags = np.full(n, None, dtype=object)
    present = np.array([isinstance(t, str) and t.strip() not in ("", "null") for t in texts], dtype=bool)
    flags[~present] = "no_geometry"
    geoms = np.full(n, None, dtype=object)
    if present.any():
        parsed = shapely.from_geojson(np.array(texts, dtype=object)[present], on_invalid="ignore")
        geoms[present] = parsed
    unreadable = present & pd.isna(pd.Series(geoms)).to_numpy()
    flags[unreadable] = "unreadable_geometry"
    has = ~pd.isna(pd.Series(geoms)).to_numpy()
    if has.any():
        geoms[has] = shapely.force_2d(geoms[has].astype(object))
    kinds = np.array([shapely.get_type_id(g) if g is not None else -1 for g in geoms])
    points = kinds == 0
    if points.any():
        area = pd.to_numeric(plots.get("area_ha", pd.Series([np.nan] * n)).astype(object), errors="coerce")
        area = area.to_numpy(dtype=float)
        xy = shapely.get_coordinates(geoms[points].astype(object))
        made = circles(xy[:, 0], xy[:, 1], area[points])
        geoms[points] = made
        flags[np.flatnonzero(points)[pd.isna(pd.Series(made)).to_numpy()]] = "point_without_area"
    polygonal = np.isin(kinds, (3, 6))
    other = (kinds >= 0) & ~points & ~polygonal
    geoms[other] = None
    flags[other] = "not_an_area"
    if polygonal.any():
        invalid = polygonal.copy()
        invalid[polygonal] = ~shapely.is_valid(geoms[polygonal].astype(object))
        for i in np.flatnonzero(invalid):
            repaired = shapely.make_valid(geoms[i])
            parts = [p for p in shapely.get_parts(repaired) if shapely.get_type_id(p) in (3, 6)]
            geoms[i] = shapely.union_all(parts) if parts else None
            flags[i] = "repaired_geometry" if parts else "not_an_area"
    return geoms, flags


# --------------------------------------------------------------------------- exactextract plumbing


def _wkb_source(wkbs: list[bytes]):
    """An exactextract feature source over WKB geometries, features numbered in order."""
    global _WkbSource
    if _WkbSource is None:  # exactextract is imported on first use, and its classes defined once
        from exactextract._exactextract import Feature
        from exactextract.feature import FeatureSource

        class _Feature(Feature):
            def __init__(self, index: int, wkb: bytes):
                Feature.__init__(self)
                self.properties = {"i": index}
                self.wkb = wkb

            def geometry(self):
                return self.wkb

            def set_geometry_format(self):
                return "wkb"

            def set_geometry(self, wkb):
                self.wkb = wkb

            def get(self, name):
                return self.properties[name]

            def set(self, name, value):
                self.properties[name] = value

            def fields(self):
                return list(self.properties)

        class _Source(FeatureSource):
            def __init__(self, geometries: list[bytes]):
                super().__init__()
                self.geometries = geometries

            def count(self):
                return len(self.geometries)

            def __iter__(self):
                for i, wkb in enumerate(self.geometries):
                    yield _Feature(i, wkb)

            def srs_wkt(self):
                return None

        _WkbSource = _Source
    return _WkbSource(wkbs)


_WkbSource = None


def covered_cells(window: np.ndarray, west: float, north: float, res_x: float, res_y: float, geometries):
    """For each geometry, the cells of a window it touches and the fraction of each it covers.

    A thin wrapper over ``exactextract`` (ops ``cell_id`` and ``coverage``)
    with the window as an in-memory raster. Returns ``(owner, cells,
    coverage)``: flat arrays, ``owner`` the geometry's position,
    ``cells`` row-major indices into ``window``.
    """
    import shapely
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    height, width = window.shape
    source = NumPyRasterSource(window, west, north - height * res_y, west + width * res_x, north)
    wkbs = list(shapely.to_wkb(np.asarray(geometries, dtype=object)))
    result = exact_extract(source, _wkb_source(wkbs), ["cell_id", "coverage"], output="geojson")
    cell_lists = [f["properties"]["cell_id"] for f in result]
    lengths = np.fromiter((len(c) for c in cell_lists), dtype=np.int64, count=len(cell_lists))
    if lengths.sum() == 0:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty.astype(np.int64), empty
    cells = np.concatenate(cell_lists).astype(np.int64)
    coverage = np.concatenate([f["properties"]["coverage"] for f in result]).astype(float)
    owner = np.repeat(np.arange(len(wkbs)), lengths)
    return owner, cells, coverage


# --------------------------------------------------------------------------- the computation


class _Totals:
    """Running sums per plot, filled block by block."""

    def __init__(self, n: int):
        self.forest = np.zeros(n)
        self.assessed = np.zeros(n)
        self.before = np.zeros(n)
        self.loss: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, plots: np.ndarray, owner, area, valid, forest, before, lossyear) -> None:
        n = len(plots)
        self.assessed[plots] += np.bincount(owner, weights=area * valid, minlength=n)
        self.forest[plots] += np.bincount(owner, weights=area * forest * valid, minlength=n)
        self.before[plots] += np.bincount(owner, weights=area * before * valid, minlength=n)
        lost = valid & (lossyear > CUTOFF_LOSSYEAR) & (forest > 0)
        if lost.any():
            self.loss.append((plots[owner[lost]], lossyear[lost].astype(np.int64), (area * forest)[lost]))


def plot_forest(plots, *, gfc_dir: Path | str, jrc_dir: Path | str | None = None, min_canopy: int = 30,
                block: int = BLOCK_PIXELS, progress: Progress | None = None) -> pd.DataFrame:
    """Forest on 31 December 2020 and forest loss after it, per plot, from Hansen GFC (and JRC) tiles.

    Parameters
    ----------
    plots : DataFrame or path
        The plots table (``plot_id``, ``area_ha``, ``geometry`` as GeoJSON
        text, …; :func:`riskgraph.geo.plots.read_plots`) or a plot file.
    gfc_dir : path
        Folder with Hansen GFC ``treecover2000`` and ``lossyear`` tiles or clips.
    jrc_dir : path, optional
        Folder with JRC GFC2020 tiles: forest in 2020 is then the JRC map's,
        loss after 2020 is Hansen ``lossyear`` ≥ 21 on that forest.
    min_canopy : int, default 30
        Tree-cover percentage in 2000 from which a Hansen pixel counts as
        forest (the default of Global Forest Watch; the EUDR's definition
        says "more than 10 %", Art. 2(4) — see the README on choosing it).
    block : int
        Side in pixels of the blocks that share one windowed read.
    progress : callable, optional
        Called as ``progress(plots_done, plots_total, tiles_done, tiles_total)``.

    Returns
    -------
    DataFrame
        The plots with :data:`FOREST_COLUMNS` set (a plot's previous
        ``forest_loss_ha_after_2020`` that did not come from a raster is kept
        as :data:`DECLARED_LOSS`). ``forest_loss_by_year`` maps a year
        (text, as in JSON) to hectares; ``forest_loss_year`` is the latest
        year with loss. Plots that cannot be measured have NaN figures and a
        ``forest_flag`` saying why.

    Raises
    ------
    InputError
        Bad folders or tiles (:func:`riskgraph.forest.tiles.find_tiles`),
        ``min_canopy`` outside 0–100, a plots table without geometry.
    """
    if not 0 <= int(min_canopy) <= 100 or int(min_canopy) != min_canopy:
        raise InputError(f"min_canopy {min_canopy!r} must be a whole percentage from 0 to 100")
    frame = _plot_frame(plots)
    tiles = find_tiles(gfc_dir, jrc_dir)
    geoms, flags = footprints(frame)
    totals = _Totals(len(frame))
    outside, touched = _measure(geoms, tiles, totals, int(min_canopy), block, progress)
    return _result(frame, flags, totals, tiles, touched, outside)


def keep_declared(plots: pd.DataFrame) -> pd.DataFrame:
    """A copy of the plots with the member's own loss figure moved to :data:`DECLARED_LOSS`.

    ``forest_loss_ha_after_2020`` is the column hotspots and the EUDR view
    read, so a satellite figure takes it; what the member declared there is
    kept beside it for comparison. A value that already came from a satellite
    source (``forest_source`` set) is not a declaration and is not moved; a
    declaration kept by an earlier run stays.
    """
    out = plots.copy()
    if "forest_loss_ha_after_2020" not in out.columns:
        return out
    sources = out["forest_source"] if "forest_source" in out.columns else pd.Series(None, index=out.index)
    declared = out["forest_loss_ha_after_2020"].where(sources.isna())
    if DECLARED_LOSS in out.columns:
        declared = out[DECLARED_LOSS].where(out[DECLARED_LOSS].notna(), declared)
    if declared.notna().any():
        out[DECLARED_LOSS] = pd.to_numeric(declared.astype(object), errors="coerce")
    return out


def _split(geoms: np.ndarray, tiles: ForestTiles) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """Per Hansen tile: the plots that lie (partly) on it and the part of each that it measures.

    Also returns, per plot, the share of its footprint (in lon/lat degrees²,
    a ratio) that no tile covers.
    """
    import shapely

    remaining = geoms.copy()
    alive = ~pd.isna(pd.Series(remaining)).to_numpy()
    out = []
    for pair in tiles.gfc:
        grid = pair.grid
        box = shapely.box(grid.west, grid.south, grid.east, grid.north)
        index = np.flatnonzero(alive)
        if len(index) == 0:
            out.append((index, np.zeros(0, dtype=object)))
            continue
        candidates = remaining[index].astype(object)
        hits = shapely.intersects(box, candidates)
        index, candidates = index[hits], candidates[hits]
        inside = shapely.contains_properly(box, candidates)
        parts = candidates.copy()
        crossing = ~inside
        if crossing.any():
            parts[crossing] = shapely.intersection(candidates[crossing], box)
            rest = shapely.difference(candidates[crossing], box)
            remaining[index[crossing]] = rest
            alive[index[crossing]] = ~shapely.is_empty(rest)
        alive[index[inside]] = False
        keep = ~shapely.is_empty(parts) & (shapely.area(parts) > 0)
        out.append((index[keep], parts[keep]))
    outside = np.zeros(len(geoms))
    left = np.flatnonzero(alive)
    if len(left):
        outside[left] = shapely.area(remaining[left].astype(object)) / shapely.area(geoms[left].astype(object))
    return out, outside


def _measure(geoms, tiles: ForestTiles, totals: _Totals, min_canopy: int, block: int, progress):
    """Measure every plot part on its tile, block by block; returns (share outside the tiles, touched)."""
    from contextlib import ExitStack

    import rasterio
    import shapely

    split, outside = _split(geoms, tiles)
    parts_left = np.zeros(len(geoms), dtype=np.int64)
    for index, _ in split:
        np.add.at(parts_left, index, 1)
    touched = parts_left > 0
    plots_total = int(touched.sum())
    done = 0
    jrc_datasets: dict = {}
    with ExitStack() as stack:
        # Each window is read once, so GDAL's block cache (by default 5 % of RAM) buys little and costs memory.
        stack.enter_context(rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB * 1024 * 1024))
        stack.callback(lambda: [dataset.close() for dataset in jrc_datasets.values()])
        for k, (pair, (index, parts)) in enumerate(zip(tiles.gfc, split)):
            if len(index):
                grid = pair.grid
                with rasterio.open(pair.treecover.path) as tc_src, rasterio.open(pair.lossyear.path) as ly_src:
                    bounds = shapely.bounds(parts)
                    cols = np.floor((bounds[:, 0] - grid.west) / grid.res_x / block).astype(np.int64)
                    rows = np.floor((grid.north - bounds[:, 3]) / grid.res_y / block).astype(np.int64)
                    order = np.lexsort((cols, rows))
                    keys = rows[order] * (1 << 31) + cols[order]
                    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
                    for start, stop in zip(starts, np.r_[starts[1:], len(order)]):
                        members = order[start:stop]
                        _block(grid, tc_src, ly_src, pair, tiles, jrc_datasets, index[members], parts[members],
                               bounds[members], totals, min_canopy)
                        parts_left[index[members]] -= 1
                        done += int((parts_left[index[members]] == 0).sum())
                        if progress is not None:
                            progress(done, plots_total, k, len(tiles.gfc))
            if progress is not None:
                progress(done, plots_total, k + 1, len(tiles.gfc))
    return outside, touched


def _block(grid, tc_src, ly_src, pair, tiles, jrc_datasets, plots, parts, bounds, totals: _Totals,
           min_canopy: int) -> None:
    """One windowed read and one exactextract call for the plots of one block."""
    col, row, width, height = pixel_window(grid, bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(),
                                           bounds[:, 3].max())
    window = ((row, row + height), (col, col + width))
    treecover = tc_src.read(1, window=window)
    lossyear = ly_src.read(1, window=window)
    west, north = grid.west + col * grid.res_x, grid.north - row * grid.res_y
    owner, cells, coverage = covered_cells(lossyear, west, north, grid.res_x, grid.res_y, parts)
    if len(cells) == 0:
        return
    areas = row_areas_ha(north, grid.res_y, grid.res_x, height)
    area = coverage * areas[cells // width]
    tc = treecover.ravel()[cells]
    ly = lossyear.ravel()[cells]
    valid = np.ones(len(cells), dtype=bool)
    for tile, values in ((pair.treecover, tc), (pair.lossyear, ly)):
        if tile.nodata is not None:
            valid &= values != tile.nodata
    canopy = tc >= min_canopy
    before = (canopy & (ly >= 1) & (ly <= CUTOFF_LOSSYEAR)).astype(float)
    if tiles.jrc:
        share = jrc_fraction(tiles.jrc, jrc_datasets, west, north, grid.res_x, grid.res_y, width, height)
        forest = share.ravel()[cells].astype(float)
        valid &= ~np.isnan(forest)
        forest = np.nan_to_num(forest)
    else:
        forest = (canopy & ((ly == 0) | (ly > CUTOFF_LOSSYEAR))).astype(float)
    totals.add(plots, owner, area, valid, forest, before, ly)


def _result(frame: pd.DataFrame, flags, totals: _Totals, tiles: ForestTiles, touched, outside) -> pd.DataFrame:
    n = len(frame)
    out = keep_declared(frame)
    measured = touched & (totals.assessed > 0)
    flags = flags.copy()
    unflagged = np.array([f is None for f in flags], dtype=bool)
    flags[unflagged & ~touched] = "outside_tiles"
    flags[unflagged & measured & (outside > 1 - COVERED_SHARE)] = "partly_outside_tiles"
    by_year = [dict() for _ in range(n)]
    latest = np.full(n, -1, dtype=np.int64)
    if totals.loss:
        plots = np.concatenate([t[0] for t in totals.loss])
        years = np.concatenate([t[1] for t in totals.loss]) + LOSSYEAR_BASE
        hectares = np.concatenate([t[2] for t in totals.loss])
        grouped = pd.DataFrame({"plot": plots, "year": years, "ha": hectares}).groupby(["plot", "year"])["ha"].sum()
        for (plot, year), ha in grouped.items():
            if round(ha, DECIMALS) > 0:
                by_year[plot][str(year)] = round(float(ha), DECIMALS)
                latest[plot] = max(latest[plot], year)
    loss_after = np.array([sum(d.values()) for d in by_year])
    years = np.where(latest > 0, latest, 0)
    computed = {
        "forest_2020_ha": np.round(totals.forest, DECIMALS),
        "forest_loss_ha_after_2020": np.round(loss_after, DECIMALS),
        "forest_loss_by_year": np.array(by_year + [None], dtype=object)[:-1],
        "forest_loss_year": pd.array(np.where(years > 0, years, None), dtype="Int64"),
        "tree_cover_loss_ha_2001_2020": np.round(totals.before, DECIMALS),
        "forest_assessed_ha": np.round(totals.assessed, DECIMALS),
        "forest_source": np.full(n, tiles.source, dtype=object),
    }
    # A plot the rasters could not measure keeps what it had (a declaration, Whisp's figures): "not measured"
    # is no evidence of "no loss", and hotspots and the EUDR view read these columns.
    for column, values in computed.items():
        before = frame[column] if column in frame.columns else pd.Series([None] * n, dtype=object)
        merged = pd.Series(values, dtype=object).where(pd.Series(measured), before.reset_index(drop=True).astype(object))
        if column == "forest_loss_year":
            merged = pd.array(pd.to_numeric(merged, errors="coerce"), dtype="Int64")
        elif column not in ("forest_loss_by_year", "forest_source"):
            merged = pd.to_numeric(merged, errors="coerce").to_numpy(dtype=float)
        else:
            merged = merged.to_numpy(dtype=object)
        out[column] = merged
    out["forest_flag"] = flags
    return out
