"""The vectorised geolocation checks behind :func:`riskgraph.geo.plots.plot_checks`: positions, rings, areas, countries.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from riskgraph.geo._geometry import (
    MULTIPOINT,
    MULTIPOLYGON,
    POINT,
    _decimals_and_values,
    _Flat,
    _flatten,
)
from riskgraph.geo.rules import (
    EARTH_RADIUS_KM,
    ERROR,
    FINDING_COLUMNS,
    SEVERITY,
    WARNING,
    Rule,
)


class _Findings:
    """Collects findings as (feature index, rule, detail, severity); one DataFrame at the end."""

    def __init__(self, label, actors, feature) -> None:
        self.label, self.actors, self.feature = label, actors, feature
        self.index: list = []
        self.rule: list = []
        self.detail: list = []
        self.severity: list = []

    def add(self, index, rule: Rule, detail, severity: str | None = None) -> None:
        index = np.asarray(index, dtype=np.int64).ravel()
        if not len(index):
            return
        self.index.append(index)
        self.rule.append(np.full(len(index), list(Rule).index(rule)))
        self.detail.extend([detail] * len(index) if isinstance(detail, str) else list(detail))
        self.severity.extend([severity or SEVERITY[rule]] * len(index))

    def frame(self) -> pd.DataFrame:
        if not self.index:
            return pd.DataFrame(columns=FINDING_COLUMNS)
        index = np.concatenate(self.index)
        order = np.concatenate(self.rule)
        rules = np.array([r.value for r in Rule], dtype=object)
        frame = pd.DataFrame({
            "plot": self.label[index], "rule": rules[order], "severity": self.severity, "detail": self.detail,
            "actor": self.actors[index], "feature": self.feature[index], "_order": order,
        })
        frame = frame.sort_values(["feature", "_order"], kind="stable").drop(columns="_order")
        return frame[FINDING_COLUMNS].reset_index(drop=True)


def _text_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column as stripped text, ``None`` for missing or blank cells (object array)."""
    if column not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    text = frame[column].astype("string").str.strip()
    values = text.to_numpy(dtype=object, na_value=None)
    values[values == ""] = None
    return values


def _flag_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A yes/no column as booleans (``True``, ``1``, ``yes``, ``true``, ``x`` are true); all false when absent."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    values = frame[column].astype(object)
    return np.array([v is True or (isinstance(v, (int, float, np.integer, np.floating)) and v == v and bool(v))
                     or (isinstance(v, str) and v.strip().lower() in ("yes", "true", "1", "x", "y"))
                     for v in values], dtype=bool)


def _number_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    from riskgraph.chain.validate import parse_numbers

    values = frame[column]
    if values.dtype.kind in "fiu":
        return values.to_numpy(dtype=float)
    numbers, _ = parse_numbers(values.astype(object).where(values.notna(), None).map(
        lambda v: None if v is None else str(v)).astype("string"))
    return numbers.to_numpy(dtype=float)


def _check_chunk(geometry, offset: int, area: np.ndarray, out: _Findings, table: dict, *, min_decimals: int,
                 point_max_ha: float, area_tolerance: float, establishment: np.ndarray | None = None) -> None:
    flat = _flatten(geometry)
    m = len(geometry)
    establishment = np.zeros(m, dtype=bool) if establishment is None else establishment
    idx = np.arange(m) + offset
    for i, problem in enumerate(flat.problem):
        if problem is not None:
            out.add([i + offset], problem[0], problem[1])
    kind = np.array(flat.kind, dtype=object)
    table["geometry_type"][offset:offset + m] = kind
    table["positions"][offset:offset + m] = flat.count
    has = flat.count > 0
    if not has.any():
        return
    out.add(idx[flat.third > 0], Rule.third_dimension,
            [f"{k} of {c} positions carry a third value (elevation); it is dropped"
             for k, c in zip(flat.third[flat.third > 0], flat.count[flat.third > 0])])

    decimals_x, x = _decimals_and_values(flat.xs)
    decimals_y, y = _decimals_and_values(flat.ys)
    starts = flat.first[has]
    pos_plot = np.repeat(np.arange(m), flat.count)

    # decimals, counted per value on the text
    dec = np.minimum(decimals_x, decimals_y)
    dmin = np.minimum.reduceat(dec, starts)
    dmax = np.maximum.reduceat(np.maximum(decimals_x, decimals_y), starts)
    table["decimals_min"][idx[has]] = dmin
    table["decimals_max"][idx[has]] = dmax
    short_values = np.bincount(pos_plot, weights=(decimals_x < min_decimals) + (decimals_y < min_decimals),
                               minlength=m).astype(np.int64)
    short = np.flatnonzero(has)[dmin < min_decimals]
    if len(short):
        details, severities = [], []
        for i in short:
            lo, hi = flat.first[i], flat.first[i] + flat.count[i]
            sample = _example(flat.xs[lo:hi], flat.ys[lo:hi], decimals_x[lo:hi], decimals_y[lo:hi], min_decimals)
            total = 2 * flat.count[i]
            if table["decimals_max"][i + offset] < min_decimals:
                severities.append(ERROR)
                details.append(f"every coordinate value has fewer than {min_decimals} decimals (at most "
                               f"{table['decimals_max'][i + offset]}, e.g. '{sample}'): the plot was recorded "
                               f"coarsely; EUDR asks for at least {min_decimals} decimal places")
            else:
                severities.append(WARNING)
                details.append(f"{short_values[i]} of {total} coordinate values have fewer than {min_decimals} "
                               f"decimals (fewest {table['decimals_min'][i + offset]}, e.g. '{sample}') while others "
                               f"have {table['decimals_max'][i + offset]}: probably trailing zeros dropped by the "
                               f"writer; write every value with at least {min_decimals} decimals")
        for severity in (ERROR, WARNING):
            chosen = np.array([s == severity for s in severities])
            out.add(short[chosen] + offset, Rule.too_few_decimals,
                    [d for d, c in zip(details, chosen) if c], severity=severity)

    # ranges
    bad_lat = ~(np.abs(y) <= 90)
    bad_lon = ~(np.abs(x) <= 180)
    out_of_range = np.bincount(pos_plot, weights=bad_lat | bad_lon, minlength=m) > 0
    for i in np.flatnonzero(out_of_range):
        lo, hi = flat.first[i], flat.first[i] + flat.count[i]
        k = lo + int(np.argmax(bad_lat[lo:hi] | bad_lon[lo:hi]))
        what = (f"latitude {flat.ys[k]} is outside ±90" if bad_lat[k] else f"longitude {flat.xs[k]} is outside ±180")
        out.add([i + offset], Rule.coordinate_out_of_range, f"{what} (position [{flat.xs[k]}, {flat.ys[k]}])")
        if bad_lat[k] and abs(x[k]) <= 90 and abs(y[k]) <= 180:
            out.add([i + offset], Rule.axis_order,
                    f"latitude {flat.ys[k]} is out of range but would be a valid longitude, and longitude "
                    f"{flat.xs[k]} a valid latitude: the values look swapped; GeoJSON writes [lon, lat]")

    # representative point: the point, the mean of a MultiPoint's points, or the mean of the first ring without
    # its closing position
    is_point = (kind == POINT) | (kind == MULTIPOINT)
    rep_x, rep_y = np.full(m, np.nan), np.full(m, np.nan)
    points = np.flatnonzero(is_point & has)
    counts = np.maximum(np.bincount(pos_plot, minlength=m), 1)
    rep_x[points] = (np.bincount(pos_plot, weights=x, minlength=m) / counts)[points]
    rep_y[points] = (np.bincount(pos_plot, weights=y, minlength=m) / counts)[points]
    if len(flat.ring_start):
        first_ring = np.r_[True, flat.ring_plot[1:] != flat.ring_plot[:-1]]
        rs, rl, rp = flat.ring_start[first_ring], flat.ring_len[first_ring], flat.ring_plot[first_ring]
        closed_first = (x[rs] == x[rs + rl - 1]) & (y[rs] == y[rs + rl - 1]) & (rl > 1)
        used = rl - closed_first.astype(np.int64)
        seg = np.repeat(np.arange(len(rs)), rl)
        within = np.arange(len(seg)) - np.repeat(np.cumsum(rl) - rl, rl)
        keep = within < np.repeat(used, rl)
        pos = _ranges(rs, rl)
        sums_x = np.bincount(seg[keep], weights=x[pos[keep]], minlength=len(rs))
        sums_y = np.bincount(seg[keep], weights=y[pos[keep]], minlength=len(rs))
        rep_x[rp], rep_y[rp] = sums_x / np.maximum(used, 1), sums_y / np.maximum(used, 1)
    fine = ~out_of_range
    table["lon"][offset:offset + m] = np.where(fine, rep_x, np.nan)
    table["lat"][offset:offset + m] = np.where(fine, rep_y, np.nan)

    # points above the size limit, points without an area (cattle establishments may be points: Art. 2(28))
    chunk_area = area
    by_polygon = is_point & ~establishment
    big = np.flatnonzero(by_polygon & (chunk_area > point_max_ha))
    out.add(big + offset, Rule.point_above_4ha,
            [f"a {kind[i]} for a plot of {chunk_area[i]:g} ha: plots above {point_max_ha:g} ha used for commodities "
             f"other than cattle need a polygon of their boundary (EUDR Art. 2(28))" for i in big])
    no_area = np.flatnonzero(by_polygon & np.isnan(chunk_area))
    out.add(no_area + offset, Rule.missing_area,
            f"no area_ha: a Point is allowed only for plots of at most {point_max_ha:g} ha, which cannot be checked")

    if len(flat.ring_start):
        _check_rings(flat, x, y, offset, chunk_area, out, table, area_tolerance=area_tolerance,
                     out_of_range=out_of_range)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + length)`` for every pair, without a Python loop."""
    total = int(lengths.sum())
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)


def _example(xs, ys, dx, dy, minimum) -> str:
    for literal, d in zip(list(xs) + list(ys), np.r_[dx, dy]):
        if d < minimum:
            return str(literal)
    return str(xs[0])


def _check_rings(flat: _Flat, x, y, offset, area, out: _Findings, table: dict, *, area_tolerance: float,
                 out_of_range: np.ndarray) -> None:
    import shapely

    rs, rl, rp = flat.ring_start, flat.ring_len, flat.ring_plot
    last = rs + np.maximum(rl, 1) - 1
    closed = (rl > 1) & (x[rs] == x[last]) & (y[rs] == y[last])
    few = rl < 4
    for k in np.flatnonzero(~closed & (rl > 0)):
        out.add([rp[k] + offset], Rule.ring_not_closed,
                f"{_ring_name(flat, k)} is not closed: it starts at [{flat.xs[rs[k]]}, {flat.ys[rs[k]]}] and ends at "
                f"[{flat.xs[last[k]]}, {flat.ys[last[k]]}]; repeat the first position at the end")
    for k in np.flatnonzero(few):
        out.add([rp[k] + offset], Rule.too_few_positions,
                f"{_ring_name(flat, k)} has {rl[k]} positions; a ring needs at least 4 (a closed triangle)")

    # rings usable for shapely: at least 4 positions once closed, all in range
    usable_ring = np.where(closed, rl >= 4, rl >= 3) & ~out_of_range[rp]
    plot_ok = np.ones(len(flat.kind), dtype=bool)
    plot_ok[rp[~usable_ring]] = False
    keep = plot_ok[rp]
    if not keep.any():
        return
    k_start, k_len, k_plot, k_part = rs[keep], rl[keep], rp[keep], flat.ring_part[keep]
    positions = _ranges(k_start, k_len)
    ring_index = np.repeat(np.arange(len(k_start)), k_len)
    rings = shapely.linearrings(np.column_stack([x[positions], y[positions]]), indices=ring_index)
    polygon_key = k_plot * (int(flat.ring_part.max()) + 1) + k_part
    polygon_index = np.r_[0, np.cumsum(polygon_key[1:] != polygon_key[:-1])]
    polygons = shapely.polygons(rings, indices=polygon_index)
    polygon_plot = k_plot[np.r_[True, polygon_key[1:] != polygon_key[:-1]]]
    plot_index = np.r_[0, np.cumsum(polygon_plot[1:] != polygon_plot[:-1])]
    geometries = shapely.multipolygons(polygons, indices=plot_index)
    geometry_plot = polygon_plot[np.r_[True, polygon_plot[1:] != polygon_plot[:-1]]]
    valid = shapely.is_valid(geometries)
    for g in np.flatnonzero(~valid):
        i = geometry_plot[g]
        reason = shapely.is_valid_reason(geometries[g])
        notes = []
        if shapely.area(geometries[g]) == 0:
            notes.append("the area is zero")
        repeated = _repeated_holes(flat, x, y, i)
        if repeated:
            notes.append(f"interior ring {repeated[0]} repeats the exterior ring")
        detail = f"invalid polygon: {reason}" + (f" ({'; '.join(notes)})" if notes else "")
        out.add([i + offset], Rule.invalid_polygon, detail)

    # geodesic area: shells minus holes, over all parts (closed for the computation)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    sums = np.zeros(len(flat.kind))
    ends = np.cumsum(k_len)
    begins = ends - k_len
    lon, lat = x[positions], y[positions]
    holes = flat.ring_hole[keep]
    for b, e, p, hole in zip(begins, ends, k_plot, holes):
        a, _ = geod.polygon_area_perimeter(lon[b:e], lat[b:e])
        sums[p] += -abs(a) if hole else abs(a)
    hectares = sums / 1e4
    polygonal = np.unique(k_plot)
    table["geodesic_area_ha"][polygonal + offset] = hectares[polygonal]
    declared = area[polygonal]
    computed = hectares[polygonal]
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.abs(computed - declared) / declared
    mismatch = np.isfinite(declared) & ((declared == 0) & (computed > 0) | (declared > 0) & (off > area_tolerance))
    out.add(polygonal[mismatch] + offset, Rule.area_mismatch,
            [f"declared area {d:g} ha, geodesic area {c:.4g} ha ({_relative(c, d)}); tolerance "
             f"{area_tolerance:.0%} of the declared area" for d, c in zip(declared[mismatch], computed[mismatch])])


def _relative(computed: float, declared: float) -> str:
    if declared == 0:
        return "declared zero"
    return f"{(computed - declared) / declared:+.1%}"


def _rings_of(flat: _Flat, plot: int) -> np.ndarray:
    """Ring numbers of one plot (rings are stored plot by plot, so a binary search finds them)."""
    return np.arange(np.searchsorted(flat.ring_plot, plot, "left"), np.searchsorted(flat.ring_plot, plot, "right"))


def _ring_name(flat: _Flat, k: int) -> str:
    plot = flat.ring_plot[k]
    part = flat.ring_part[k]
    of_part = f" of part {part + 1}" if flat.kind[plot] == MULTIPOLYGON else ""
    if not flat.ring_hole[k]:
        return "the exterior ring" + of_part
    holes = [r for r in _rings_of(flat, plot) if flat.ring_part[r] == part and flat.ring_hole[r]]
    return f"interior ring {holes.index(k) + 1}" + of_part


def _repeated_holes(flat: _Flat, x, y, plot: int) -> list[int]:
    """Numbers of the interior rings that repeat their exterior ring (the same set of positions)."""
    found, shells, hole = [], {}, 0
    for k in _rings_of(flat, plot):
        s, length = flat.ring_start[k], flat.ring_len[k]
        coords = frozenset(zip(x[s:s + length].tolist(), y[s:s + length].tolist()))
        part = flat.ring_part[k]
        if not flat.ring_hole[k]:
            shells[part] = coords
            hole = 0
        else:
            hole += 1
            if coords == shells.get(part):
                found.append(hole)
    return found


def _check_countries(table: dict, declared: np.ndarray, out: _Findings, *, border_km: float) -> np.ndarray:
    """Country of each plot's representative point, and the country/axis findings (module docstring)."""
    from riskgraph.geo.places import country_at, place_index, unit_vectors

    lat, lon = table["lat"], table["lon"]
    n = len(lat)
    located = np.full(n, None, dtype=object)
    where = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    if not len(where):
        return located
    located[where] = country_at(lat[where], lon[where])
    test = where[pd.notna(declared[where]) & (located[where] != declared[where])]
    if not len(test):
        return located
    tree, codes = place_index()
    radius = 2 * math.sin(border_km / EARTH_RADIUS_KM / 2)
    vectors = unit_vectors(lat[test], lon[test])
    near = tree.query_ball_point(vectors, r=radius)
    inside = np.array([any(codes[j] == declared[i] for j in found) for i, found in zip(test, near)], dtype=bool)
    test = test[~inside]
    if not len(test):
        return located
    distance, _ = tree.query(unit_vectors(lat[test], lon[test]), k=1)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(distance / 2, 0, 1))
    swappable = np.abs(lon[test]) <= 90
    swapped = np.full(len(test), None, dtype=object)
    if swappable.any():
        swapped[swappable] = country_at(lon[test][swappable], lat[test][swappable])
    for i, d, s in zip(test, km, swapped):
        where_text = f"(lat {lat[i]:.6f}, lon {lon[i]:.6f})"
        if s is not None and s == declared[i]:
            out.add([i], Rule.axis_order,
                    f"as written the plot {where_text} lies in {located[i]}; with latitude and longitude swapped it "
                    f"lies in {declared[i]}, the declared country: the coordinates look like [lat, lon]; "
                    "GeoJSON writes [lon, lat]")
        else:
            out.add([i], Rule.outside_declared_country,
                    f"the plot {where_text} lies outside the declared country {declared[i]}: the nearest populated "
                    f"place is in {located[i]}, {d:.0f} km away, and no place in {declared[i]} lies within "
                    f"{border_km:g} km (offline nearest-place test; near borders and in empty land check on a map)")
    return located
