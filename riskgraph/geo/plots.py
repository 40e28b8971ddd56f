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
``missing_plot_id``         error /   a feature has no plot id (see *Plot ids* below); info when the file
                            info      names plots by the EU's optional ``ProductionPlace`` and it is empty
``duplicate_plot_id``       error /   a plot id is used by an earlier feature; a warning when the ids are
                            warning   ``ProductionPlace`` names (a place name, not an identifier)
``missing_geometry``        error     ``"geometry": null`` or no geometry
``unsupported_geometry``    error     not a Point, MultiPoint, Polygon or MultiPolygon (the types the EU
                                      information system takes), or positions that are not lists of two
                                      or three numbers
``coordinate_out_of_range`` error     a latitude outside ±90 or a longitude outside ±180
``axis_order``              error     the coordinates read as [lat, lon]: swapped, they land in the
                                      declared country (or an out-of-range latitude is a valid longitude)
``outside_declared_country`` warning  the plot lies outside its declared country (see *Country* below)
``too_few_decimals``        error /   fewer than ``min_decimals`` (6) decimals, counted on the literal
                            warning   text (see *Decimals* below)
``point_above_4ha``         error     a Point or MultiPoint for a plot of more than 4 ha (Art. 2(28): a
                                      polygon is needed), except a cattle establishment (``establishment``)
``missing_area``            warning   a Point or MultiPoint without ``area_ha``: the 4 ha rule cannot be
                                      checked (not reported for establishments)
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
*Plot ids.* The id is taken from the first of :data:`PLOT_ID_COLUMNS` that
the file has with at least one value: ``plot_id`` or ``Plot ID``,
``external_id`` (the user's own id in Whisp's output table), ``plotId``
(Whisp's row number), ``id`` (also the GeoJSON feature member),
``ProductionPlace`` (the EU information system's field).
A plot without an id is named by its position (``feature 7``). Repeated ids
are findings, never a crash: the second plot with id ``P1`` is named
``P1 (feature 7)`` in every table, so each plot keeps a key of its own. In
the EU's own TRACES examples ``ProductionPlace`` is an optional place name
(``""`` in the retrieve responses): an empty one is an *info* finding, a
repeated one a *warning*.

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
offline: :func:`riskgraph.geo.places.country_at` gives the country of the *nearest
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

*Cattle.* Art. 2(28) asks for polygons only for plots of more than four
hectares "used for the production of the relevant commodities other than
cattle"; for cattle the geolocation refers to the establishments where the
animals were kept (Art. 9(1)(d)). A truthy ``establishment`` column marks such
plots: points are accepted for them whatever their area.

*Scale.* Parsing is a Python loop over the geometry texts (``json.loads``
with the number literals kept as text); everything after it is vectorised
(Arrow string kernels for decimals, numpy for ranges and rings, shapely for
validity, one k-d tree query for countries), in chunks of ``chunk_size``
plots so memory stays bounded: about 70 000 plots/s on one core
(``benchmarks/bench_hotspots.py``).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from riskgraph.errors import InputError
from riskgraph.formatting import Phrase
from riskgraph.geo._checks import (
    _check_chunk,
    _check_countries,
    _Findings,
    _flag_column,
    _number_column,
    _text_column,
)
from riskgraph.geo._geometry import _blank
from riskgraph.geo.rules import (
    COUNTRY_PROPERTIES,
    ERROR,
    FINDING_COLUMNS,
    INFO,
    PLOT_COLUMNS,
    WARNING,
    SEVERITY,
    Rule,
)

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


# --------------------------------------------------------------------------- plot ids

#: Columns (normalised: lower case, ``_`` for spaces) that hold a plot's id, in order of preference.
PLOT_ID_COLUMNS = ("plot_id", "external_id", "plotid", "plot_identifier", "plot_ref", "plot_reference", "plot_code",
                   "plot_number", "plot_no", "id", "fid", "feature_id", "productionplace", "production_place")
#: Id columns that hold the EU information system's optional place name rather than an identifier.
PLACE_NAME_COLUMNS = ("productionplace", "production_place")


def _normal(name: object) -> str:
    return "_".join(str(name).replace("\ufeff", "").strip().lower().replace("-", " ").split())


def plot_id_column(plots: pd.DataFrame) -> str | None:
    """The column of ``plots`` that holds the plot ids (see :data:`PLOT_ID_COLUMNS`), or ``None``.

    The first candidate with at least one value wins; a candidate present but
    empty everywhere is used only when no other has values.

    >>> plot_id_column(pd.DataFrame({"plotId": ["1"], "geometry": [None]}))
    'plotId'
    >>> plot_id_column(pd.DataFrame({"Plot ID": ["A-1"], "id": ["9"]}))
    'Plot ID'
    """
    by_name = {}
    for column in plots.columns:
        by_name.setdefault(_normal(column), column)
    present = [by_name[c] for c in PLOT_ID_COLUMNS if c in by_name]
    for column in present:
        if _text_column(plots, column).astype(bool).any() if len(plots) else False:
            return column
    return present[0] if present else None


def _recognise_ids(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Put the recognised id column under ``plot_id`` and remember the user's name for it."""
    column = plot_id_column(frame)
    if column is not None and column != "plot_id":
        if "plot_id" in frame.columns:
            frame = frame.drop(columns="plot_id")
        frame = frame.rename(columns={column: "plot_id"})
        source = column
    # None: the file has no id field at all (messages then list the fields looked for)
    frame.attrs["plot_id_source"] = source or ("plot_id" if "plot_id" in frame.columns else None)
    return frame


# --------------------------------------------------------------------------- reading plot files


def read_plots(path: Path | str) -> pd.DataFrame:
    """Read a plot file without validating it: GeoJSON, CSV (point plots) or KML.

    Returns the plots table (``plot_id, actor_id, area_ha,
    forest_loss_ha_after_2020, geometry`` and any extra properties, numbers as
    read) with every feature kept — also those without id or geometry, which
    :func:`plot_checks` reports. The id comes from the first recognised id
    column (:data:`PLOT_ID_COLUMNS`: ``plotId``, ``Plot ID``,
    ``ProductionPlace`` …); ``frame.attrs["plot_id_source"]`` names it.

    * GeoJSON: :func:`riskgraph.chain.io.read_geojson_plots` (geometry text as written).
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
    source = None
    if suffix in (".geojson", ".json"):
        from riskgraph.chain.io import read_geojson_plots

        raw = read_geojson_plots(path)
        frame = raw.frame
        source = raw.original_columns.get("plot_id")
    elif suffix == ".csv":
        frame = _read_csv_points(path)
    elif suffix == ".kml":
        frame = _read_kml(path)
    else:
        raise InputError(f"cannot read plots from '{suffix or path.name}': use .geojson, .json, .csv or .kml",
                         path=path)
    frame = _recognise_ids(frame, source)
    for column in ("plot_id", "actor_id", "area_ha", "forest_loss_ha_after_2020", "geometry"):
        if column not in frame.columns:
            frame[column] = None
    attrs = dict(frame.attrs)
    frame = frame.reset_index(drop=True)
    frame.attrs.update(attrs)
    return frame


def _read_csv_points(path: Path) -> pd.DataFrame:
    from riskgraph.chain.io import normalise_header, read_csv_table

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
    from riskgraph.chain.limits import check_file_size

    check_file_size(path)
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
        optionally ``actor_id, area_ha``, a ``country`` /
        ``producer_country`` property and ``establishment`` (a cattle
        establishment: points allowed at any area) — a chain's ``plots``
        table or :func:`read_plots`.
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
    from riskgraph.chain.countries import to_iso2

    attrs = dict(plots.attrs)
    frame = plots.reset_index(drop=True)
    column = "plot_id" if "plot_id" in frame.columns and _text_column(frame, "plot_id").astype(bool).any() \
        else plot_id_column(frame)
    source = attrs.get("plot_id_source", column) if column == "plot_id" else column
    place_names = source is not None and _normal(source) in PLACE_NAME_COLUMNS
    n = len(frame)
    ids = _text_column(frame, column) if column is not None else np.full(n, None, dtype=object)
    feature = np.arange(1, n + 1)
    missing_id = pd.isna(ids)
    dup = pd.Series(ids).duplicated(keep="first").to_numpy() & ~missing_id
    label = np.where(missing_id, np.char.add("feature ", feature.astype(str)).astype(object), ids)
    # A repeated id keeps the plot apart in every table: "P1 (feature 7)".
    label[dup] = [f"{ids[i]} (feature {i + 1})" for i in np.flatnonzero(dup)]
    actor_ids = _text_column(frame, "actor_id")
    area = _number_column(frame, "area_ha")
    establishment = _flag_column(frame, "establishment")
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
    first = {}
    for i, value in enumerate(ids):
        if value is not None:
            first.setdefault(value, i + 1)
    if place_names:
        out.add(np.flatnonzero(missing_id), Rule.missing_plot_id, Phrase("geo.no_place_name", field=source),
                severity=INFO)
        out.add(np.flatnonzero(dup), Rule.duplicate_plot_id,
                [Phrase("geo.place_name_repeated", field=source, name=str(ids[i]), first=int(first[ids[i]]))
                 for i in np.flatnonzero(dup)], severity=WARNING)
    else:
        field_name = source or "plot_id"
        out.add(np.flatnonzero(missing_id), Rule.missing_plot_id,
                Phrase("geo.no_field_id", field=field_name) if source is not None else Phrase("geo.no_id"))
        out.add(np.flatnonzero(dup), Rule.duplicate_plot_id,
                [Phrase("geo.duplicate_id", field=field_name, name=str(ids[i]), first=int(first[ids[i]]))
                 for i in np.flatnonzero(dup)])
    if actors is not None:
        unknown = np.array([a is None or a not in actor_country for a in actor_ids], dtype=bool)
        out.add(np.flatnonzero(unknown), Rule.unknown_actor,
                [Phrase("geo.no_actor") if actor_ids[i] is None else Phrase("geo.unknown_actor", actor=actor_ids[i])
                 for i in np.flatnonzero(unknown)])

    table = {c: np.full(n, np.nan) for c in ("lat", "lon", "geodesic_area_ha")}
    table["geometry_type"] = np.full(n, None, dtype=object)
    table["positions"] = np.zeros(n, dtype=np.int64)
    table["decimals_min"] = np.full(n, -1, dtype=np.int64)
    table["decimals_max"] = np.full(n, -1, dtype=np.int64)
    geometry = frame["geometry"].astype(object).to_numpy() if "geometry" in frame.columns else np.full(n, None)
    options = dict(min_decimals=min_decimals, point_max_ha=point_max_ha, area_tolerance=area_tolerance)
    for start in range(0, n, max(1, chunk_size)):
        stop = min(n, start + chunk_size)
        _check_chunk(geometry[start:stop], start, area[start:stop], out, table,
                     establishment=establishment[start:stop], **options)

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


__all__ = ["Rule", "SEVERITY", "ERROR", "WARNING", "INFO", "PLOT_ID_COLUMNS", "PlotChecks", "plot_checks",
           "plot_id_column", "geolocation_findings", "check_plot_file", "read_plots"]
