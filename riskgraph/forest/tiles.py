"""Forest raster tiles in a folder: found by their georeferencing, read by window.

Users download the public rasters once and point riskgraph at the folder:

* **Hansen Global Forest Change** (University of Maryland): 10° × 10° GeoTIFF
  tiles in EPSG:4326, 0.00025° pixels (40 000 × 40 000 per tile), uint8,
  named ``Hansen_GFC-2024-v1.12_<layer>_10N_080W.tif`` — the name gives the
  product version, the layer and the tile's top-left corner. riskgraph reads
  the layers ``treecover2000`` (percent canopy closure of vegetation taller
  than 5 m in 2000, 0–100) and ``lossyear`` (0 = no loss, n = stand-replacing
  loss detected in year 2000 + n).
* **JRC global map of forest cover 2020** (GFC2020, European Commission Joint
  Research Centre): 10 m forest/non-forest map made for the EUDR cut-off, value
  1 = forest; files named like ``JRC_GFC2020_V2_N10_W80.tif``.

The product, version and layer come from the file name (the only place the
publishers put them); *where* a tile lies comes from its georeferencing alone,
so clips of the tiles with any name suffix, extent or pixel count work as well
as whole tiles. A tile's nodata value is respected when the file declares one
(the distributed Hansen tiles declare none).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from riskgraph.errors import InputError

#: ``Hansen_GFC-2024-v1.12_lossyear_10N_080W.tif``; early releases are ``Hansen_GFC2015_…``.
HANSEN_NAME = re.compile(
    r"(?P<product>Hansen_GFC-?\d{4}(?:-v\d+(?:\.\d+)*)?)_(?P<layer>treecover2000|lossyear|datamask|gain|loss|first|last)"
    r"(?:_(?P<corner>\d{2}[NS]_\d{3}[EW]))?",
    re.IGNORECASE,
)
#: ``JRC_GFC2020_V2_N10_W80.tif`` (and clips keeping that prefix).
JRC_NAME = re.compile(r"(?P<product>JRC_GFC2020(?:_V\d+)?)", re.IGNORECASE)

#: Hansen ``lossyear`` values are years since 2000; the EUDR cut-off is 31 December 2020
#: (Regulation (EU) 2023/1115, Art. 2(13)), so loss after it is ``lossyear >= 21``.
LOSSYEAR_BASE = 2000
CUTOFF_LOSSYEAR = 20

#: The JRC GFC2020 map's forest class.
JRC_FOREST = 1

#: Two grids are the same when their edges agree within this fraction of a pixel.
GRID_TOLERANCE = 1e-6

TIFF_SUFFIXES = (".tif", ".tiff")

#: A file name containing this word holds made-up values (test data, the bundled demo clip); every figure
#: measured on it says so in its ``forest_source``.
SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class Tile:
    """One GeoTIFF: what it holds (from its name) and where it lies (from its georeferencing)."""

    path: Path
    product: str
    layer: str
    west: float
    south: float
    east: float
    north: float
    res_x: float
    res_y: float
    width: int
    height: int
    nodata: float | None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.west, self.south, self.east, self.north)

    def same_grid(self, other: "Tile") -> bool:
        """True when both tiles cover the same pixels (same extent and resolution)."""
        tol = GRID_TOLERANCE * min(self.res_x, self.res_y)
        return (self.width, self.height) == (other.width, other.height) and all(
            abs(a - b) <= tol for a, b in zip(self.bounds, other.bounds))


@dataclass(frozen=True)
class GfcTile:
    """A Hansen ``treecover2000`` tile and the ``lossyear`` tile on the same grid."""

    treecover: Tile
    lossyear: Tile

    @property
    def name(self) -> str:
        return self.lossyear.path.name

    @property
    def grid(self) -> Tile:
        """The shared grid (the ``lossyear`` tile's georeferencing)."""
        return self.lossyear


@dataclass
class ForestTiles:
    """The tiles riskgraph uses: Hansen GFC pairs and, optionally, JRC GFC2020 tiles."""

    gfc: list[GfcTile]
    jrc: list[Tile] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Dataset and version of the forest figures, from the file names (e.g. ``Hansen_GFC-2024-v1.12``)."""
        hansen = self.gfc[0].lossyear.product
        source = f"{self.jrc[0].product} (forest 2020); {hansen} (lossyear)" if self.jrc else hansen
        tiles = [t for pair in self.gfc for t in (pair.treecover, pair.lossyear)] + list(self.jrc)
        if any(SYNTHETIC in t.path.name.lower() for t in tiles):
            source += " (synthetic clip)"
        return source


def _describe(path: Path) -> Tile | None:
    """Read a GeoTIFF's georeferencing; ``None`` when its name is neither a Hansen nor a JRC layer."""
    import rasterio

    hansen = HANSEN_NAME.search(path.name)
    jrc = JRC_NAME.search(path.name) if hansen is None else None
    if hansen is None and jrc is None:
        return None
    try:
        with rasterio.open(path) as src:
            crs, transform, width, height, nodata = src.crs, src.transform, src.width, src.height, src.nodata
            dtype = src.dtypes[0]
    except rasterio.errors.RasterioError as exc:
        raise InputError(f"is not a readable GeoTIFF ({exc})", path=path) from None
    if crs is None or not crs.is_geographic or crs.to_epsg() != 4326:
        raise InputError(f"is in {crs.to_string() if crs else 'no coordinate system'}; forest tiles must be in "
                         "EPSG:4326 (WGS84 latitude/longitude) as Hansen GFC and JRC GFC2020 are distributed",
                         path=path)
    if transform.b != 0 or transform.d != 0 or transform.a <= 0 or transform.e >= 0:
        raise InputError("is rotated or not north-up; re-save it as a north-up GeoTIFF", path=path)
    if not np.issubdtype(np.dtype(dtype), np.integer):
        raise InputError(f"holds {dtype} values; forest layers are integer codes (uint8 as distributed)", path=path)
    if hansen is not None:
        product, layer = hansen["product"], hansen["layer"].lower()
        product = "Hansen_GFC" + product[len("Hansen_GFC"):]
    else:
        product, layer = jrc["product"].upper(), "forest2020"
    return Tile(path=path, product=product, layer=layer, west=transform.c, north=transform.f,
                east=transform.c + width * transform.a, south=transform.f + height * transform.e,
                res_x=transform.a, res_y=-transform.e, width=width, height=height,
                nodata=None if nodata is None else float(nodata))


def _scan(folder: Path | str, what: str) -> list[Tile]:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"no such folder of {what} tiles", path=folder)
    tiles = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in TIFF_SUFFIXES and path.is_file():
            tile = _describe(path)
            if tile is not None:
                tiles.append(tile)
    return tiles


def find_tiles(gfc_dir: Path | str, jrc_dir: Path | str | None = None) -> ForestTiles:
    """Find the Hansen GFC (and JRC GFC2020) tiles in folders, by name and georeferencing.

    Parameters
    ----------
    gfc_dir : path
        Folder (searched recursively) with Hansen ``treecover2000`` and
        ``lossyear`` GeoTIFFs: whole 10° tiles or clips, one version.
    jrc_dir : path, optional
        Folder with JRC GFC2020 GeoTIFFs; may be the same folder.

    Returns
    -------
    ForestTiles

    Raises
    ------
    InputError
        A folder is missing; no tiles; tiles of several Hansen versions; a
        ``treecover2000`` tile without the ``lossyear`` tile on the same grid;
        a tile that is not EPSG:4326 or not north-up.
    """
    tiles = _scan(gfc_dir, "Hansen GFC")
    layers = {layer: [t for t in tiles if t.layer == layer] for layer in ("treecover2000", "lossyear")}
    for layer, found in layers.items():
        if not found:
            raise InputError(f"no Hansen GFC '{layer}' GeoTIFF found (expected names like "
                             f"Hansen_GFC-2024-v1.12_{layer}_10N_080W.tif)", path=gfc_dir)
    products = sorted({t.product for t in layers["treecover2000"] + layers["lossyear"]})
    if len(products) > 1:
        raise InputError(f"holds tiles of several Hansen GFC versions ({', '.join(products)}); keep one version "
                         "per folder so the figures name one source", path=gfc_dir)
    pairs = []
    unmatched = list(layers["lossyear"])
    for treecover in layers["treecover2000"]:
        match = next((t for t in unmatched if t.same_grid(treecover)), None)
        if match is None:
            raise InputError(f"{treecover.path.name} has no lossyear tile on the same grid (extent "
                             f"{_extent(treecover)}); both layers are needed for each area", path=gfc_dir)
        unmatched.remove(match)
        pairs.append(GfcTile(treecover=treecover, lossyear=match))
    if unmatched:
        raise InputError(f"{unmatched[0].path.name} has no treecover2000 tile on the same grid (extent "
                         f"{_extent(unmatched[0])})", path=gfc_dir)
    jrc = []
    if jrc_dir is not None:
        jrc = [t for t in _scan(jrc_dir, "JRC GFC2020") if t.layer == "forest2020"]
        if not jrc:
            raise InputError("no JRC GFC2020 GeoTIFF found (expected names like JRC_GFC2020_V2_N10_W80.tif)",
                             path=jrc_dir)
        versions = sorted({t.product for t in jrc})
        if len(versions) > 1:
            raise InputError(f"holds JRC GFC2020 tiles of several versions ({', '.join(versions)})", path=jrc_dir)
    return ForestTiles(gfc=pairs, jrc=jrc)


def _extent(tile: Tile) -> str:
    return f"W {tile.west:g}, S {tile.south:g}, E {tile.east:g}, N {tile.north:g}"


def pixel_window(tile, west: float, south: float, east: float, north: float) -> tuple[int, int, int, int]:
    """``(col_off, row_off, width, height)`` of the pixels of ``tile`` that cover a box, clamped to the tile."""
    eps = 1e-9
    col0 = int(np.floor((west - tile.west) / tile.res_x + eps))
    col1 = int(np.ceil((east - tile.west) / tile.res_x - eps))
    row0 = int(np.floor((tile.north - north) / tile.res_y + eps))
    row1 = int(np.ceil((tile.north - south) / tile.res_y - eps))
    col0, row0 = max(col0, 0), max(row0, 0)
    col1, row1 = min(max(col1, col0 + 1), tile.width), min(max(row1, row0 + 1), tile.height)
    return col0, row0, col1 - col0, row1 - row0


def jrc_fraction(jrc: list[Tile], datasets: dict, west: float, north: float, res_x: float, res_y: float,
                 width: int, height: int) -> np.ndarray:
    """Share of each cell of a Hansen window that the JRC GFC2020 map calls forest (NaN: no JRC data).

    The JRC map (10 m) and the Hansen grid (0.00025°) do not nest, so the
    forest indicator (1 where the value is :data:`JRC_FOREST`, 0 elsewhere,
    nodata kept out) is averaged onto the Hansen cells with
    ``rasterio.warp.reproject(..., Resampling.average)``: each Hansen cell gets
    the forest share of the JRC pixels inside it.
    """
    import rasterio
    from affine import Affine
    from rasterio.warp import Resampling, reproject

    out = np.full((height, width), np.nan, dtype=np.float32)
    east, south = west + width * res_x, north - height * res_y
    dst_transform = Affine(res_x, 0, west, 0, -res_y, north)
    for tile in jrc:
        if tile.west >= east or tile.east <= west or tile.south >= north or tile.north <= south:
            continue
        src = datasets.get(tile.path)
        if src is None:
            src = datasets[tile.path] = rasterio.open(tile.path)
        col, row, w, h = pixel_window(tile, west - tile.res_x, south - tile.res_y, east + tile.res_x,
                                      north + tile.res_y)
        values = src.read(1, window=((row, row + h), (col, col + w)))
        forest = (values == JRC_FOREST).astype(np.float32)
        if tile.nodata is not None:
            forest[values == tile.nodata] = np.nan
        part = np.full((height, width), np.nan, dtype=np.float32)
        src_transform = Affine(tile.res_x, 0, tile.west + col * tile.res_x, 0, -tile.res_y, tile.north - row * tile.res_y)
        reproject(forest, part, src_transform=src_transform, src_crs="EPSG:4326", src_nodata=np.nan,
                  dst_transform=dst_transform, dst_crs="EPSG:4326", dst_nodata=np.nan, resampling=Resampling.average)
        out = np.where(np.isnan(out), part, out)
    return out


def write_tile(path: Path | str, values: np.ndarray, *, west: float, north: float, res: float = 0.00025,
               nodata: float | None = None, compress: str = "lzw", blocksize: int = 256) -> Path:
    """Write a uint8 GeoTIFF in the conventions of the distributed forest tiles.

    EPSG:4326, north-up, top-left corner at (``west``, ``north``), square
    pixels of ``res`` degrees, tiled and compressed, no nodata value unless
    one is given (the Hansen tiles declare none). Used by the tests, the
    benchmark and the bundled synthetic clip; handy for users who want to
    try the forest commands on data they make.
    """
    import rasterio
    from affine import Affine

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    values = np.asarray(values, dtype=np.uint8)
    height, width = values.shape
    profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="uint8", crs="EPSG:4326",
                   transform=Affine(res, 0, west, 0, -res, north), compress=compress, nodata=nodata)
    if width >= blocksize and height >= blocksize:
        profile.update(tiled=True, blockxsize=blocksize, blockysize=blocksize)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
    return path


def hansen_name(layer: str, west: float, north: float, *, version: str = "GFC-2024-v1.12") -> str:
    """The distributed file name of a Hansen tile whose top-left corner is (west, north).

    >>> hansen_name("lossyear", -80, 10)
    'Hansen_GFC-2024-v1.12_lossyear_10N_080W.tif'
    """
    lat = f"{abs(int(round(north))):02d}{'N' if north >= 0 else 'S'}"
    lon = f"{abs(int(round(west))):03d}{'E' if west >= 0 else 'W'}"
    return f"Hansen_{version}_{layer}_{lat}_{lon}.tif"
