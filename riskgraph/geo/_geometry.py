"""Parsing GeoJSON geometry text into flat coordinate arrays, keeping the literals so decimals can be counted.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskgraph.formatting import Phrase
from riskgraph.geo.rules import Rule

# --------------------------------------------------------------------------- parsing geometry text


class _Num(str):
    """A JSON number literal kept as its text (so ``6.348210`` keeps its six decimals)."""

    __slots__ = ()


class _Malformed(Exception):
    pass


POINT, MULTIPOINT, POLYGON, MULTIPOLYGON = "Point", "MultiPoint", "Polygon", "MultiPolygon"


@dataclass
class _Flat:
    """Geometries of a chunk flattened into position and ring arrays."""

    kind: list  # per plot: "Point", "MultiPoint", "Polygon", "MultiPolygon" or None
    problem: list  # per plot: (Rule, detail) when the geometry cannot be used, else None
    first: np.ndarray  # per plot: index of its first position
    count: np.ndarray  # per plot: number of positions
    third: np.ndarray  # per plot: positions with a third value
    xs: list  # longitude literals
    ys: list  # latitude literals
    ring_start: np.ndarray
    ring_len: np.ndarray
    ring_plot: np.ndarray
    ring_part: np.ndarray  # polygon number within the plot
    ring_hole: np.ndarray


def _flatten(texts) -> _Flat:
    kind, problem, first, count, third = [], [], [], [], []
    xs, ys = [], []
    ring_start, ring_len, ring_plot, ring_part, ring_hole = [], [], [], [], []
    decode = json.JSONDecoder(parse_float=_Num, parse_int=_Num).decode
    for i, text in enumerate(texts):
        start_pos, start_ring = len(xs), len(ring_start)
        first.append(start_pos)
        z = 0
        try:
            if type(text) is not str and _blank(text) or type(text) is str and not text.strip():
                raise _Malformed(Rule.missing_geometry, Phrase("geo.no_geometry"))
            try:
                geometry = decode(text) if type(text) is str else text
            except ValueError as exc:
                raise _Malformed(Rule.unsupported_geometry, Phrase("geo.not_json", error=str(exc))) from None
            if not isinstance(geometry, dict):
                raise _Malformed(Rule.unsupported_geometry, Phrase("geo.not_geojson"))
            gtype = geometry.get("type")
            coords = geometry.get("coordinates")
            if gtype == POINT:
                z += _add_ring([coords], xs, ys)
            elif gtype == MULTIPOINT:
                if not isinstance(coords, list) or not coords:
                    raise _Malformed(Rule.unsupported_geometry, Phrase("geo.no_positions", kind=MULTIPOINT))
                z += _add_ring(coords, xs, ys)
            elif gtype in (POLYGON, MULTIPOLYGON):
                polygons = [coords] if gtype == POLYGON else coords
                if not isinstance(polygons, list) or not polygons:
                    raise _Malformed(Rule.unsupported_geometry, Phrase("geo.no_coordinates", kind=gtype))
                for part, polygon in enumerate(polygons):
                    if not isinstance(polygon, list) or not polygon:
                        raise _Malformed(Rule.unsupported_geometry, Phrase("geo.part_without_rings", kind=gtype,
                                                                            part=part + 1))
                    for r, ring in enumerate(polygon):
                        if not isinstance(ring, list):
                            raise _Malformed(Rule.unsupported_geometry, Phrase("geo.ring_not_list", ring=r + 1))
                        ring_start.append(len(xs))
                        z += _add_ring(ring, xs, ys)
                        ring_len.append(len(xs) - ring_start[-1])
                        ring_plot.append(i)
                        ring_part.append(part)
                        ring_hole.append(r > 0)
            elif gtype is None and geometry == {}:
                raise _Malformed(Rule.missing_geometry, Phrase("geo.empty_geometry"))
            else:
                raise _Malformed(Rule.unsupported_geometry, Phrase("geo.unsupported_type", kind=repr(gtype)))
            if len(xs) == start_pos:
                raise _Malformed(Rule.unsupported_geometry, Phrase("geo.no_positions", kind=gtype))
            kind.append(gtype)
            problem.append(None)
        except _Malformed as exc:
            del xs[start_pos:], ys[start_pos:]
            for table in (ring_start, ring_len, ring_plot, ring_part, ring_hole):
                del table[start_ring:]
            kind.append(None)
            problem.append(exc.args)
            z = 0
        count.append(len(xs) - start_pos)
        third.append(z)
    return _Flat(kind=kind, problem=problem, first=np.asarray(first, dtype=np.int64),
                 count=np.asarray(count, dtype=np.int64), third=np.asarray(third, dtype=np.int64), xs=xs, ys=ys,
                 ring_start=np.asarray(ring_start, dtype=np.int64), ring_len=np.asarray(ring_len, dtype=np.int64),
                 ring_plot=np.asarray(ring_plot, dtype=np.int64), ring_part=np.asarray(ring_part, dtype=np.int64),
                 ring_hole=np.asarray(ring_hole, dtype=bool))


def _add_ring(positions: list, xs: list, ys: list) -> int:
    """Append the literals of a list of positions; returns how many had a third value."""
    z = 0
    xs_append, ys_append = xs.append, ys.append
    for p in positions:
        if type(p) is list:
            n = len(p)
            if n == 2:
                x, y = p
                if type(x) is _Num and type(y) is _Num:
                    xs_append(x)
                    ys_append(y)
                    continue
            elif n == 3:
                x, y, h = p
                if type(x) is _Num and type(y) is _Num and type(h) is _Num:
                    xs_append(x)
                    ys_append(y)
                    z += 1
                    continue
        raise _Malformed(Rule.unsupported_geometry,
                         f"position {_short(p)} is not a list of two or three numbers [lon, lat(, z)]")
    return z


def _short(value, limit: int = 40) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decimals_and_values(literals: list) -> tuple[np.ndarray, np.ndarray]:
    """Decimals written and float value of each number literal (Arrow kernels, exponent forms handled)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not literals:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    text = pa.array(literals, type=pa.string())
    values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    dot = pc.find_substring(text, ".").to_numpy(zero_copy_only=False)
    length = pc.utf8_length(text).to_numpy(zero_copy_only=False)
    decimals = np.where(dot >= 0, length - dot - 1, 0).astype(np.int64)
    exponent = pc.match_substring_regex(text, "[eE]").to_numpy(zero_copy_only=False)
    if exponent.any():
        from decimal import Decimal

        for k in np.flatnonzero(exponent):
            decimals[k] = max(0, -Decimal(literals[k]).as_tuple().exponent)
    return decimals, values


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or not str(value).strip()
