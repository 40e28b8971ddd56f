"""EUDR geolocation checks on production plots (Regulation (EU) 2023/1115, Art. 2(28) and 9(1)(d)).

Every finding names the plot and a stable rule code (:class:`Rule`), with a
severity and a sentence saying what is wrong and what was expected. The checks
run on the plots table of a chain (geometry kept as the GeoJSON text of the
file, so that decimals are counted on the literal text) or on a plot file of
its own (:func:`read_plots`: GeoJSON, CSV with latitude/longitude columns, KML).

Rules
-----
==========================  ========  ===================================================================
rule                        severity  fires when
==========================  ========  ===================================================================
``unreadable_file``         error     the plot file cannot be parsed at all (one finding for the file)
``missing_plot_id``         error     a feature has no ``plot_id`` (nor ``id`` / ``ProductionPlace``)
``duplicate_plot_id``       error     a plot id is used by an earlier feature
``missing_geometry``        error     ``"geometry": null`` or no geometry
``unsupported_geometry``    error     not a Point, Polygon or MultiPolygon, or positions that are not
                                      lists of two or three numbers
``coordinate_out_of_range`` error     a latitude outside ±90 or a longitude outside ±180
``axis_order``              error     the coordinates read as [lat, lon]: swapped, they land in the
                                      declared country (or an out-of-range latitude is a valid longitude)
``outside_declared_country`` warning  the plot lies outside its declared country (see *Country* below)
``too_few_decimals``        error /   fewer than ``min_decimals`` (6) decimals, counted on the literal
                            warning   text (see *Decimals* below)
``point_above_4ha``         error     a Point for a plot of more than 4 ha (Art. 2(28): a polygon is needed)
``missing_area``            warning   a Point without ``area_ha``: the 4 ha rule cannot be checked
``ring_not_closed``         error     a ring's last position differs from its first
``too_few_positions``       error     a ring with fewer than 4 positions (RFC 7946 §3.1.6)
``invalid_polygon``         error     shapely ``is_valid`` is false (self-intersection, a hole equal to
                                      the shell, overlapping parts …); the detail quotes
                                      ``explain_validity`` and says when the area is zero
``area_mismatch``           warning   declared ``area_ha`` and the geodesic area (pyproj ``Geod``, WGS84)
                                      differ by more than ``area_tolerance`` (10 %) of the declared area
``unknown_actor``           error     the plot has no ``actor_id``, or one that is not an actor of the chain
``third_dimension``         info      positions carry a third value (elevation); it is dropped
==========================  ========  ===================================================================

Decisions
---------
*Decimals.* Each coordinate value's decimals are counted on its text as
written (``6.348210`` has 6; a float parser would say 5). Writers that go
through floats drop trailing zeros, so an honest 6-decimal geometry shows a
few 5-decimal values (one value in ten ends in 0; the EU's own TRACES example
has ``3.55957``). Hence: when *every* value of a plot has fewer than 6
decimals the geometry was recorded coarsely → **error**; when only some do →
**warning** (probably stripped zeros; write the values padded). More than 6
decimals is accepted (validators that demand *at most* 6 reject Whisp's
15-decimal plots for no gain; a coordinate is not less true for being precise).

*Country.* The declared country is the plot's own ``country`` /
``ProducerCountry`` property, else its actor's country, else the ``country``
argument (the country of production declared for a whole file). The test is
offline: :func:`riskgraph.geo.country_at` gives the country of the *nearest
populated place* (GeoNames, > 1 000 inhabitants), which can lie across a
border near frontiers or in empty land. A plot is therefore only reported
when no place of the declared country lies within ``border_km`` (30 km) of
it, and always as a warning; the detail gives the nearest place's country
and distance so a reader can judge. Polygons are tested at the mean of their
first ring's vertices. Plots without a declared country are not tested.

*Polygons.* Interior rings (holes) are accepted when valid — RFC 7946 allows
them and the EUDR does not forbid them; the area subtracts them. Unclosed
rings are closed for the validity and area tests so that one defect does not
hide the others. MultiPolygons are valid when each part is and parts do not
overlap (shapely's rules). 3-D positions are accepted and the third value is
dropped (``third_dimension``, info).

*Scale.* Parsing is a Python loop over the geometry texts (``json.loads``
with the number literals kept as text); everything after it is vectorised
(Arrow string kernels for decimals, numpy for ranges and rings, shapely for
validity, one k-d tree query for countries), in chunks of ``chunk_size``
plots so memory stays bounded: about 70 000 plots/s on one core
(``benchmarks/bench_hotspots.py``).
"""
from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError

EARTH_RADIUS_KM = 6371.0088
ERROR, WARNING, INFO = "error", "warning", "info"


class Rule(str, Enum):
    """Stable codes of the geolocation rules; the value is the code used in tables and JSON."""

    unreadable_file = "unreadable_file"
    missing_plot_id = "missing_plot_id"
    duplicate_plot_id = "duplicate_plot_id"
    missing_geometry = "missing_geometry"
    unsupported_geometry = "unsupported_geometry"
    coordinate_out_of_range = "coordinate_out_of_range"
    axis_order = "axis_order"
    outside_declared_country = "outside_declared_country"
    too_few_decimals = "too_few_decimals"
    point_above_4ha = "point_above_4ha"
    missing_area = "missing_area"
    ring_not_closed = "ring_not_closed"
    too_few_positions = "too_few_positions"
    invalid_polygon = "invalid_polygon"
    area_mismatch = "area_mismatch"
    unknown_actor = "unknown_actor"
    third_dimension = "third_dimension"

    def __str__(self) -> str:
        return self.value


#: Default severity of each rule (``too_few_decimals`` is downgraded to a warning when only some values are short).
SEVERITY: dict[Rule, str] = {
    Rule.unreadable_file: ERROR, Rule.missing_plot_id: ERROR, Rule.duplicate_plot_id: ERROR,
    Rule.missing_geometry: ERROR, Rule.unsupported_geometry: ERROR, Rule.coordinate_out_of_range: ERROR,
    Rule.axis_order: ERROR, Rule.outside_declared_country: WARNING, Rule.too_few_decimals: ERROR,
    Rule.point_above_4ha: ERROR, Rule.missing_area: WARNING, Rule.ring_not_closed: ERROR,
    Rule.too_few_positions: ERROR, Rule.invalid_polygon: ERROR, Rule.area_mismatch: WARNING,
    Rule.unknown_actor: ERROR, Rule.third_dimension: INFO,
}

FINDING_COLUMNS = ["plot", "rule", "severity", "detail", "actor", "feature"]
PLOT_COLUMNS = ["plot", "feature", "actor", "geometry_type", "positions", "lat", "lon", "decimals_min",
                "decimals_max", "area_ha", "geodesic_area_ha", "country", "located_in", "errors", "warnings",
                "valid"]

#: Property names (normalised) that declare a plot's country of production.
COUNTRY_PROPERTIES = ("country", "producer_country", "producercountry", "country_of_production")


# --------------------------------------------------------------------------- results


@dataclass
class PlotChecks:
    """What :func:`plot_checks` found.

    Attributes
    ----------
    findings : DataFrame
        One row per finding: ``plot, rule, severity, detail, actor, feature``
        (``feature``: 1-based position of the plot in its table or file).
    plots : DataFrame
        One row per plot: ``plot, feature, actor, geometry_type, positions,
        lat, lon`` (a representative point: the point itself, or the mean of a
        polygon's first ring), ``decimals_min, decimals_max, area_ha``
        (declared), ``geodesic_area_ha, country`` (declared), ``located_in``
        (country of the nearest populated place), ``errors, warnings, valid``
        (no error finding).
    """

    findings: pd.DataFrame
    plots: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not (self.findings["severity"] == ERROR).any()

    def rule_counts(self) -> pd.DataFrame:
        """Number of findings per rule and severity."""
        if self.findings.empty:
            return pd.DataFrame(columns=["rule", "severity", "count"])
        return self.findings.groupby(["rule", "severity"]).size().rename("count").reset_index()


# --------------------------------------------------------------------------- reading plot files


def read_plots(path: Path | str) -> pd.DataFrame:
    """Read a plot file without validating it: GeoJSON, CSV (point plots) or KML.

    Returns the plots table (``plot_id, actor_id, area_ha,
    forest_loss_ha_after_2020, geometry`` and any extra properties, numbers as
    read) with every feature kept — also those without id or geometry, which
    :func:`plot_checks` reports.

    * GeoJSON: :func:`riskgraph.io.read_geojson_plots` (geometry text as written).
    * CSV: ``plot_id`` and ``latitude``/``longitude`` (or ``lat``/``lon``)
      columns become Points with the cells' text as coordinate literals; a
      ``geometry`` column of GeoJSON text is used as it is.
    * KML: each Placemark's Point or Polygon (several → MultiPolygon); the
      plot id is the ``plot_id`` ExtendedData value, else the name.

    Raises
    ------
    InputError
        The file does not exist or cannot be parsed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such plot file", path=path)
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        from riskgraph.io import read_geojson_plots

        frame = read_geojson_plots(path).frame
    elif suffix == ".csv":
        frame = _read_csv_points(path)
    elif suffix == ".kml":
        frame = _read_kml(path)
    else:
        raise InputError(f"cannot read plots from '{suffix or path.name}': use .geojson, .json, .csv or .kml",
                         path=path)
    for column in ("plot_id", "actor_id", "area_ha", "forest_loss_ha_after_2020", "geometry"):
        if column not in frame.columns:
            frame[column] = None
    return frame.reset_index(drop=True)


def _read_csv_points(path: Path) -> pd.DataFrame:
    from riskgraph.io import normalise_header, read_csv_table

    frame = read_csv_table(path, "plots").frame.astype(object)
    frame.columns = [normalise_header(c, "actors") if c in ("latitude", "longitude", "lng", "long") else c
                     for c in frame.columns]
    if "geometry" not in frame.columns:
        if not {"lat", "lon"} <= set(frame.columns):
            raise InputError("a plot CSV needs latitude and longitude columns (or a geometry column of GeoJSON text)",
                             path=path)
        geometry = []
        for lat, lon in zip(frame["lat"], frame["lon"]):
            if _blank(lat) or _blank(lon):
                geometry.append(None)
            else:
                geometry.append('{"type": "Point", "coordinates": [' + f"{str(lon).strip()}, {str(lat).strip()}" + "]}")
        frame["geometry"] = geometry
    return frame


_KML = "{http://www.opengis.net/kml/2.2}"


def _read_kml(path: Path) -> pd.DataFrame:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise InputError(f"is not readable KML ({exc})", path=path) from None
    ns = _KML if root.tag.startswith(_KML) else ""
    records = []
    for placemark in root.iter(f"{ns}Placemark"):
        record = {"plot_id": (placemark.findtext(f"{ns}name") or "").strip() or None}
        for data in placemark.iter(f"{ns}Data"):
            value = data.findtext(f"{ns}value")
            if data.get("name") and value is not None:
                record[data.get("name").strip().lower()] = value.strip()
        polygons = []
        for polygon in placemark.iter(f"{ns}Polygon"):
            rings = [_kml_positions(polygon.find(f"{ns}outerBoundaryIs//{ns}coordinates"))]
            rings += [_kml_positions(inner) for inner in polygon.findall(f"{ns}innerBoundaryIs//{ns}coordinates")]
            polygons.append("[" + ", ".join(rings) + "]")
        points = [_kml_positions(p.find(f"{ns}coordinates"))[1:-1] for p in placemark.iter(f"{ns}Point")]
        if len(polygons) == 1:
            record["geometry"] = '{"type": "Polygon", "coordinates": ' + polygons[0] + "}"
        elif polygons:
            record["geometry"] = '{"type": "MultiPolygon", "coordinates": [' + ", ".join(polygons) + "]}"
        elif points:
            record["geometry"] = '{"type": "Point", "coordinates": ' + points[0] + "}"
        else:
            record["geometry"] = None
        records.append(record)
    return pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=["plot_id", "geometry"])


def _kml_positions(element) -> str:
    """KML ``lon,lat[,alt]`` tuples → GeoJSON positions text with the literals kept."""
    text = (element.text or "") if element is not None else ""
    positions = ["[" + ", ".join(part for part in item.split(",")) + "]" for item in text.split()]
    return "[" + ", ".join(positions) + "]"


def _blank(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or not str(value).strip()


# --------------------------------------------------------------------------- parsing geometry text


class _Num(str):
    """A JSON number literal kept as its text (so ``6.348210`` keeps its six decimals)."""

    __slots__ = ()


class _Malformed(Exception):
    pass


POINT, POLYGON, MULTIPOLYGON = "Point", "Polygon", "MultiPolygon"


@dataclass
class _Flat:
    """Geometries of a chunk flattened into position and ring arrays."""

    kind: list  # per plot: "Point", "Polygon", "MultiPolygon" or None
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
                raise _Malformed(Rule.missing_geometry, "the feature has no geometry")
            try:
                geometry = decode(text) if type(text) is str else text
            except ValueError as exc:
                raise _Malformed(Rule.unsupported_geometry, f"geometry is not valid JSON ({exc})") from None
            if not isinstance(geometry, dict):
                raise _Malformed(Rule.unsupported_geometry, "geometry is not a GeoJSON object")
            gtype = geometry.get("type")
            coords = geometry.get("coordinates")
            if gtype == POINT:
                z += _add_ring([coords], xs, ys)
            elif gtype in (POLYGON, MULTIPOLYGON):
                polygons = [coords] if gtype == POLYGON else coords
                if not isinstance(polygons, list) or not polygons:
                    raise _Malformed(Rule.unsupported_geometry, f"{gtype} without coordinates")
                for part, polygon in enumerate(polygons):
                    if not isinstance(polygon, list) or not polygon:
                        raise _Malformed(Rule.unsupported_geometry, f"{gtype} part {part + 1} has no rings")
                    for r, ring in enumerate(polygon):
                        if not isinstance(ring, list):
                            raise _Malformed(Rule.unsupported_geometry, f"ring {r + 1} is not a list of positions")
                        ring_start.append(len(xs))
                        z += _add_ring(ring, xs, ys)
                        ring_len.append(len(xs) - ring_start[-1])
                        ring_plot.append(i)
                        ring_part.append(part)
                        ring_hole.append(r > 0)
            elif gtype is None and geometry == {}:
                raise _Malformed(Rule.missing_geometry, "the feature has an empty geometry")
            else:
                raise _Malformed(Rule.unsupported_geometry,
                                 f"geometry type {gtype!r} is not used for EUDR plots (Point, Polygon or MultiPolygon)")
            if len(xs) == start_pos:
                raise _Malformed(Rule.unsupported_geometry, f"{gtype} without positions")
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


# --------------------------------------------------------------------------- the checks


def plot_checks(
    plots: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    *,
    country: str | None = None,
    min_decimals: int = 6,
    point_max_ha: float = 4.0,
    area_tolerance: float = 0.10,
    border_km: float = 30.0,
    chunk_size: int = 100_000,
) -> PlotChecks:
    """Run the EUDR geolocation rules on a plots table.

    Parameters
    ----------
    plots : DataFrame
        ``plot_id, geometry`` (GeoJSON text with the literals as written) and
        optionally ``actor_id, area_ha`` and a ``country`` /
        ``producer_country`` property — a chain's ``plots`` table or
        :func:`read_plots`.
    actors : DataFrame, optional
        The chain's actors (``id, country``): plots are linked to them
        (``unknown_actor``) and inherit their country. Without it, links are
        not checked.
    country : str, optional
        Declared country of production for plots that declare none and have
        no actor (ISO alpha-2 or a name).
    min_decimals, point_max_ha, area_tolerance, border_km
        The thresholds of the rules (module docstring).
    chunk_size : int
        Plots parsed at a time (bounds memory on millions of plots).

    Returns
    -------
    PlotChecks
        ``findings`` and the per-plot table ``plots``.

    Examples
    --------
    >>> import pandas as pd
    >>> plots = pd.DataFrame({"plot_id": ["p1"], "area_ha": [10.0],
    ...                       "geometry": ['{"type": "Point", "coordinates": [-5.31210, 7.203200]}']})
    >>> plot_checks(plots, country="CI").findings[["plot", "rule"]].values.tolist()
    [['p1', 'too_few_decimals'], ['p1', 'point_above_4ha']]
    """
    from riskgraph.countries import to_iso2

    frame = plots.reset_index(drop=True)
    n = len(frame)
    ids = _text_column(frame, "plot_id")
    feature = np.arange(1, n + 1)
    label = np.where(pd.isna(ids), np.char.add("feature ", feature.astype(str)).astype(object), ids)
    actor_ids = _text_column(frame, "actor_id")
    area = _number_column(frame, "area_ha")
    declared = np.full(n, None, dtype=object)
    for column in COUNTRY_PROPERTIES:
        if column in frame.columns:
            values = [None if _blank(v) else to_iso2(v) for v in frame[column].astype(object)]
            declared = np.array([d if d is not None else v for d, v in zip(declared, values)], dtype=object)
    actor_country = {}
    if actors is not None:
        actor_country = {a: (None if _blank(c) else str(c)) for a, c in
                         zip(actors["id"].astype(object), actors["country"].astype(object))}
        declared = np.array([d if d is not None else actor_country.get(a) for d, a in zip(declared, actor_ids)],
                            dtype=object)
    if country is not None:
        code = to_iso2(country)
        if code is None:
            raise InputError(f"country {country!r} is not a known country; expected an ISO code or a name")
        declared = np.array([d if d is not None else code for d in declared], dtype=object)

    out = _Findings(label, actor_ids, feature)
    # identity and links
    missing_id = pd.isna(ids)
    out.add(np.flatnonzero(missing_id), Rule.missing_plot_id,
            "the feature has no plot_id: it cannot be linked to a producer, supplier or shipment; "
            "add a stable plot_id property")
    dup = pd.Series(ids).duplicated(keep="first").to_numpy() & ~missing_id
    out.add(np.flatnonzero(dup), Rule.duplicate_plot_id,
            [f"plot_id '{ids[i]}' is used by an earlier feature; give every plot its own id"
             for i in np.flatnonzero(dup)])
    if actors is not None:
        unknown = np.array([a is None or a not in actor_country for a in actor_ids], dtype=bool)
        out.add(np.flatnonzero(unknown), Rule.unknown_actor,
                ["the plot has no actor_id; link it to the producer in actors" if actor_ids[i] is None
                 else f"actor_id '{actor_ids[i]}' is not an actor of the chain" for i in np.flatnonzero(unknown)])

    table = {c: np.full(n, np.nan) for c in ("lat", "lon", "geodesic_area_ha")}
    table["geometry_type"] = np.full(n, None, dtype=object)
    table["positions"] = np.zeros(n, dtype=np.int64)
    table["decimals_min"] = np.full(n, -1, dtype=np.int64)
    table["decimals_max"] = np.full(n, -1, dtype=np.int64)
    geometry = frame["geometry"].astype(object).to_numpy() if "geometry" in frame.columns else np.full(n, None)
    options = dict(min_decimals=min_decimals, point_max_ha=point_max_ha, area_tolerance=area_tolerance)
    for start in range(0, n, max(1, chunk_size)):
        stop = min(n, start + chunk_size)
        _check_chunk(geometry[start:stop], start, area[start:stop], out, table, **options)

    located = _check_countries(table, declared, out, border_km=border_km)
    findings = out.frame()
    severities = findings.groupby(["feature", "severity"]).size().unstack(fill_value=0) if len(findings) else None
    per_plot = pd.DataFrame({
        "plot": label, "feature": feature, "actor": actor_ids, "geometry_type": table["geometry_type"],
        "positions": table["positions"], "lat": table["lat"], "lon": table["lon"],
        "decimals_min": pd.array(np.where(table["decimals_min"] < 0, pd.NA, table["decimals_min"]), dtype="Int64"),
        "decimals_max": pd.array(np.where(table["decimals_max"] < 0, pd.NA, table["decimals_max"]), dtype="Int64"),
        "area_ha": area, "geodesic_area_ha": table["geodesic_area_ha"], "country": declared, "located_in": located,
    })
    for column, severity in (("errors", ERROR), ("warnings", WARNING)):
        counts = severities[severity] if severities is not None and severity in severities.columns else None
        per_plot[column] = (counts.reindex(feature, fill_value=0).to_numpy() if counts is not None
                            else np.zeros(n, dtype=np.int64))
    per_plot["valid"] = per_plot["errors"] == 0
    return PlotChecks(findings=findings, plots=per_plot[PLOT_COLUMNS])


def geolocation_findings(plots: pd.DataFrame, actors: pd.DataFrame | None = None, **options) -> pd.DataFrame:
    """The findings of :func:`plot_checks`: ``plot, rule, severity, detail, actor, feature``."""
    return plot_checks(plots, actors, **options).findings


def check_plot_file(path: Path | str, actors: pd.DataFrame | None = None, **options) -> PlotChecks:
    """Read a plot file and check it; a file that cannot be read is one ``unreadable_file`` finding."""
    try:
        plots = read_plots(path)
    except InputError as exc:
        finding = pd.DataFrame([{"plot": Path(path).name, "rule": str(Rule.unreadable_file), "severity": ERROR,
                                 "detail": str(exc), "actor": None, "feature": 0}], columns=FINDING_COLUMNS)
        return PlotChecks(findings=finding, plots=pd.DataFrame(columns=PLOT_COLUMNS))
    return plot_checks(plots, actors, **options)


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


def _number_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    from riskgraph.validate import parse_numbers

    values = frame[column]
    if values.dtype.kind in "fiu":
        return values.to_numpy(dtype=float)
    numbers, _ = parse_numbers(values.astype(object).where(values.notna(), None).map(
        lambda v: None if v is None else str(v)).astype("string"))
    return numbers.to_numpy(dtype=float)


def _check_chunk(geometry, offset: int, area: np.ndarray, out: _Findings, table: dict, *, min_decimals: int,
                 point_max_ha: float, area_tolerance: float) -> None:
    flat = _flatten(geometry)
    m = len(geometry)
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

    # representative point: the point, or the mean of the first ring without its closing position
    is_point = kind == POINT
    rep_x, rep_y = np.full(m, np.nan), np.full(m, np.nan)
    points = np.flatnonzero(is_point & has)
    rep_x[points], rep_y[points] = x[flat.first[points]], y[flat.first[points]]
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

    # points above the size limit, points without an area
    chunk_area = area
    big = np.flatnonzero(is_point & (chunk_area > point_max_ha))
    out.add(big + offset, Rule.point_above_4ha,
            [f"a Point for a plot of {chunk_area[i]:g} ha: plots above {point_max_ha:g} ha need a polygon of their "
             f"boundary (EUDR Art. 2(28))" for i in big])
    no_area = np.flatnonzero(is_point & np.isnan(chunk_area))
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
    from riskgraph.geo import country_at, place_index, unit_vectors

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


__all__ = ["Rule", "SEVERITY", "PlotChecks", "plot_checks", "geolocation_findings", "check_plot_file", "read_plots"]
