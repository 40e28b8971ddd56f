"""Areas on the WGS84 ellipsoid: raster cells, plots and the circle around a point plot.

The forest rasters (Hansen GFC, JRC GFC2020) are on a latitude/longitude grid
(EPSG:4326): a pixel of 0.00025° is about 27.8 m × 27.8 m at the equator but
only 27.8 m × 19.6 m at 45°. Areas are therefore computed on the ellipsoid,
never as "pixel count × 0.09 ha".

A cell bounded by the parallels φ₁ < φ₂ and by two meridians Δλ apart has the
exact area (authalic formula, e.g. Snyder 1987, *Map Projections — A Working
Manual*, USGS Professional Paper 1395, eq. 3-12 for q)::

    A = b² · Δλ / 2 · (q(φ₂) − q(φ₁)),
    q(φ) = sin φ / (1 − e² sin² φ) + 1/(2e) · ln((1 + e sin φ) / (1 − e sin φ))

with b the semi-minor axis and e the first eccentricity of WGS84. It depends
on latitude only, so a raster row has one cell area.
"""
from __future__ import annotations

import numpy as np

#: WGS84 semi-major axis (m) and flattening (NIMA TR8350.2, 3rd ed., table 3.1).
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
_E2 = WGS84_F * (2 - WGS84_F)
_E = np.sqrt(_E2)
_B = WGS84_A * (1 - WGS84_F)

#: Square metres per hectare.
M2_PER_HA = 10_000.0

#: Vertices of the polygon that stands for a point plot's circle.
CIRCLE_VERTICES = 64


def _q(lat_deg: np.ndarray) -> np.ndarray:
    s = np.sin(np.radians(lat_deg))
    return s / (1 - _E2 * s * s) + np.log((1 + _E * s) / (1 - _E * s)) / (2 * _E)


def cell_area_ha(lat_top, lat_bottom, dlon_deg) -> np.ndarray:
    """Exact ellipsoidal area (ha) of latitude/longitude cells.

    Parameters
    ----------
    lat_top, lat_bottom : array_like
        Latitudes (degrees) of the cells' northern and southern edges.
    dlon_deg : float or array_like
        Width of the cells in degrees of longitude.

    Returns
    -------
    ndarray
        Areas in hectares (positive whichever edge is given first).

    Examples
    --------
    A Hansen pixel at the equator is about 0.077 ha, at 60° N about half that:

    >>> round(float(cell_area_ha(0.00025, 0.0, 0.00025)), 5)
    0.07693
    >>> round(float(cell_area_ha(60.00025, 60.0, 0.00025)), 5)
    0.03885
    """
    top = np.asarray(lat_top, dtype=float)
    bottom = np.asarray(lat_bottom, dtype=float)
    area = _B * _B * np.radians(np.asarray(dlon_deg, dtype=float)) / 2 * np.abs(_q(top) - _q(bottom))
    return area / M2_PER_HA


def row_areas_ha(north: float, res_y: float, res_x: float, rows: int) -> np.ndarray:
    """Cell area (ha) of each row of a north-up grid whose first row starts at ``north``."""
    edges = north - res_y * np.arange(rows + 1, dtype=float)
    return cell_area_ha(edges[:-1], edges[1:], res_x)


def geodesic_area_ha(geometry) -> float:
    """Area (ha) of a shapely (Multi)Polygon in lon/lat on the WGS84 ellipsoid (pyproj.Geod)."""
    from pyproj import Geod

    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(geometry)
    return abs(area) / M2_PER_HA


def circles(lon, lat, area_ha, *, vertices: int = CIRCLE_VERTICES):
    """Polygons of the given area (ha) centred on points: the footprint of a point plot.

    EUDR Art. 9(1)(d) lets plots of less than four hectares be declared by a
    single point; the declared area then says how much land the point stands
    for. The circle's vertices lie at a geodesic distance ``r`` from the centre
    (pyproj ``Geod.fwd``), with ``r`` enlarged so that the inscribed polygon,
    not the circle, has the declared area: ``πr² · N/(2π) · sin(2π/N)`` is the
    area of a regular N-gon inscribed in a circle of radius r.

    Returns
    -------
    ndarray of shapely Polygons (``None`` where the area is not positive).
    """
    import shapely
    from pyproj import Geod

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    area = np.asarray(area_ha, dtype=float) * M2_PER_HA
    ok = np.isfinite(area) & (area > 0) & np.isfinite(lon) & np.isfinite(lat)
    result = np.full(len(lon), None, dtype=object)
    if not ok.any():
        return result
    polygon_ratio = vertices / (2 * np.pi) * np.sin(2 * np.pi / vertices)
    radius = np.sqrt(area[ok] / (np.pi * polygon_ratio))
    n = int(ok.sum())
    azimuths = np.tile(np.linspace(0.0, 360.0, vertices, endpoint=False), n)
    x, y, _ = Geod(ellps="WGS84").fwd(np.repeat(lon[ok], vertices), np.repeat(lat[ok], vertices), azimuths,
                                      np.repeat(radius, vertices))
    rings = np.stack([x, y], axis=1).reshape(n, vertices, 2)
    rings = np.concatenate([rings, rings[:, :1, :]], axis=1)
    result[ok] = shapely.polygons(rings)
    return result
