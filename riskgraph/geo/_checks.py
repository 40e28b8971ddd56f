"""The vectorised geolocation checks behind :func:`riskgraph.geo.plots.plot_checks`: positions, rings, areas, countries.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from riskgraph.formatting import Phrase
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
        self.detail.extend([detail] * len(index) if isinstance(detail, str) else list(detail))  # text or Phrase
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
        frame["detail"] = pd.Series(self.detail, index=frame.index, dtype=object)  # keeps the phrases (Dutch tables)
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
            [Phrase("geo.third_dimension", third=int(k), count=int(c))
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
                details.append(Phrase("geo.too_few_decimals_all", minimum=int(min_decimals),
                                      most=int(table["decimals_max"][i + offset]), sample=str(sample)))
            else:
                severities.append(WARNING)
                details.append(Phrase("geo.too_few_decimals_some", short=int(short_values[i]), total=int(total),
                                      minimum=int(min_decimals), fewest=int(table["decimals_min"][i + offset]),
                                      most=int(table["decimals_max"][i + offset]), sample=str(sample)))
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
        # coordinates are quoted as written in the file (text), not re-formatted
        what = (Phrase("geo.latitude_out", value=str(flat.ys[k])) if bad_lat[k]
                else Phrase("geo.longitude_out", value=str(flat.xs[k])))
        out.add([i + offset], Rule.coordinate_out_of_range,
                Phrase("geo.out_of_range", what=what, x=str(flat.xs[k]), y=str(flat.ys[k])))
        if bad_lat[k] and abs(x[k]) <= 90 and abs(y[k]) <= 180:
            out.add([i + offset], Rule.axis_order, Phrase("geo.swapped_range", x=str(flat.xs[k]), y=str(flat.ys[k])))

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
            [Phrase("geo.point_above_4ha", kind=str(kind[i]), area=float(chunk_area[i]), limit=float(point_max_ha))
             for i in big])
    no_area = np.flatnonzero(by_polygon & np.isnan(chunk_area))
    out.add(no_area + offset, Rule.missing_area,
            Phrase("geo.missing_area", limit=float(point_max_ha)))

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
                Phrase("geo.ring_not_closed", ring=_ring_name(flat, k), x0=str(flat.xs[rs[k]]), y0=str(flat.ys[rs[k]]),
                       x1=str(flat.xs[last[k]]), y1=str(flat.ys[last[k]])))
    for k in np.flatnonzero(few):
        out.add([rp[k] + offset], Rule.too_few_positions,
                Phrase("geo.too_few_positions", ring=_ring_name(flat, k), count=int(rl[k])))

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
            notes.append(Phrase("geo.area_zero"))
        repeated = _repeated_holes(flat, x, y, i)
        if repeated:
            notes.append(Phrase("geo.hole_repeats_shell", ring=int(repeated[0])))
        detail = (Phrase("geo.invalid_polygon_notes", reason=reason, notes=Phrase.join(notes)) if notes
                  else Phrase("geo.invalid_polygon", reason=reason))
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
            [Phrase("geo.area_mismatch", declared=float(d), computed=float(c), relative=_relative(c, d),
                    tolerance=float(area_tolerance)) for d, c in zip(declared[mismatch], computed[mismatch])])


def _relative(computed: float, declared: float) -> Phrase:
    if declared == 0:
        return Phrase("geo.declared_zero")
    return Phrase("geo.relative", change=float((computed - declared) / declared))


def _rings_of(flat: _Flat, plot: int) -> np.ndarray:
    """Ring numbers of one plot (rings are stored plot by plot, so a binary search finds them)."""
    return np.arange(np.searchsorted(flat.ring_plot, plot, "left"), np.searchsorted(flat.ring_plot, plot, "right"))


def _ring_name(flat: _Flat, k: int) -> str:
    plot = flat.ring_plot[k]
    part = flat.ring_part[k]
    multi = flat.kind[plot] == MULTIPOLYGON
    if not flat.ring_hole[k]:
        return Phrase("geo.exterior_ring_of_part", part=int(part) + 1) if multi else Phrase("geo.exterior_ring")
    holes = [r for r in _rings_of(flat, plot) if flat.ring_part[r] == part and flat.ring_hole[r]]
    ring = holes.index(k) + 1
    return Phrase("geo.interior_ring_of_part", ring=ring, part=int(part) + 1) if multi else \
        Phrase("geo.interior_ring", ring=ring)


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
        where = Phrase("geo.where", lat=float(lat[i]), lon=float(lon[i]))
        if s is not None and s == declared[i]:
            out.add([i], Rule.axis_order, Phrase("geo.axis_order", where=where, located=located[i],
                                                 declared=declared[i]))
        else:
            out.add([i], Rule.outside_declared_country,
                    Phrase("geo.outside_country", where=where, declared=declared[i], located=located[i],
                           km=float(d), border=float(border_km)))
    return located
