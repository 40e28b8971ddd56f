"""Whisp result tables → riskgraph's plot properties, with which dataset said what.

Whisp ("What is in that plot?", FAO Open Foris and the Forest Data Partnership)
computes, per plot, the area each of many global and national datasets
maps as forest in 2020, as disturbed before or after 2020, or as a
commodity. Users run it in Earth Engine or its web app and keep a CSV or
GeoJSON table. riskgraph reads that table offline.

Column names are Whisp's own, as listed in its lookup tables (repository
forestdatapartnership/whisp, ``src/openforis_whisp/parameters/``
``lookup_context_and_metadata.csv`` at commit 5664f46c and
``lookup_gee_datasets.csv`` at commit 00fd637b; output names in
``config_runtime.py``):

* context: ``plotId`` (Whisp's row id), ``external_id`` (the user's own id,
  when one was given), ``Area`` (ha), ``Unit`` (``ha`` or ``percent``: the
  dataset columns are hectares or percent of ``Area``), ``Country``,
  ``ProducerCountry``, ``Geometry_type``, ``Centroid_lon``, ``Centroid_lat``,
  ``In_waterbody``, ``geo`` (the geometry as GeoJSON text, CSV output);
* forest in 2020: ``EUFO_2020`` (the JRC GFC2020 map shown on the EU
  Observatory, EUFO), ``GFC_TC_2020`` (Hansen GFC tree cover in 2020),
  ``TMF_undist`` (JRC Tropical Moist Forest, undisturbed);
* disturbance: ``GFC_loss_after_2020`` / ``GFC_loss_before_2020`` (Hansen
  GFC loss), ``GFC_loss_year_YYYY`` per year, ``TMF_def_after_2020`` /
  ``TMF_def_before_2020`` and ``TMF_def_YYYY`` (JRC TMF deforestation),
  ``RADD_after_2020`` / ``RADD_year_YYYY`` (Wageningen University RADD radar
  alerts).

How they become riskgraph's plot properties:

* ``forest_2020_ha`` = ``EUFO_2020``, else ``GFC_TC_2020``;
* ``forest_loss_ha_after_2020`` = the larger of ``GFC_loss_after_2020`` and
  ``TMF_def_after_2020`` (both are confirmed, annual products; due diligence
  takes the one that sees more), ``forest_source`` names which;
* ``forest_loss_by_year`` / ``forest_loss_year`` from ``GFC_loss_year_YYYY``
  (and ``TMF_def_YYYY`` for the latest year) after 2020;
* ``tree_cover_loss_ha_2001_2020`` = ``GFC_loss_before_2020``;
* ``forest_alert_ha_after_2020`` = ``RADD_after_2020``: radar **alerts**,
  unconfirmed — kept apart and never counted as loss;
* ``forest_evidence``: every Whisp figure used, by column name, in hectares.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.limits import check_text_file
from riskgraph.chain.io import geojson_literal, load_geojson

#: Whisp's dataset columns read here, with the dataset each one reports.
DATASETS = {
    "EUFO_2020": "JRC GFC2020 forest map (EUFO)",
    "GFC_TC_2020": "Hansen GFC tree cover 2020",
    "TMF_undist": "JRC TMF undisturbed forest",
    "GFC_loss_after_2020": "Hansen GFC loss",
    "GFC_loss_before_2020": "Hansen GFC loss",
    "TMF_def_after_2020": "JRC TMF deforestation",
    "TMF_def_before_2020": "JRC TMF deforestation",
    "RADD_after_2020": "RADD radar alerts",
}
GFC_YEAR = re.compile(r"^GFC_loss_year_(\d{4})$")
TMF_YEAR = re.compile(r"^TMF_def_(\d{4})$")
LOSS_COLUMNS = ("GFC_loss_after_2020", "TMF_def_after_2020")
UNITS = ("ha", "percent")

#: Columns of the quarantine table.
QUARANTINE_COLUMNS = ["file", "row", "plot_id", "column", "value", "reason"]


@dataclass
class WhispTable:
    """A Whisp result table read: usable plots, and the rows that could not be used."""

    plots: pd.DataFrame
    quarantine: pd.DataFrame
    file: str

    @property
    def ok(self) -> bool:
        return self.quarantine.empty


def _read_records(path: Path) -> tuple[pd.DataFrame, list]:
    """The table as text cells, and the geometry of each row (GeoJSON text or None)."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        data = load_geojson(path)
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise InputError("is not a GeoJSON FeatureCollection", path=path)
        records, geometries = [], []
        for feature in features:
            feature = feature if isinstance(feature, dict) else {}
            properties = feature.get("properties") or {}
            records.append({k: None if v is None else str(v) for k, v in properties.items()})
            geometry = feature.get("geometry")
            geometries.append(None if geometry is None else geojson_literal(geometry))
        return pd.DataFrame.from_records(records).astype(object), geometries
    if suffix == ".csv":
        check_text_file(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_bytes().decode("cp1252")
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                quoting=csv.QUOTE_MINIMAL)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
            raise InputError(f"cannot be read as CSV ({str(exc).splitlines()[0][:300]})", path=path) from None
        frame = frame.astype(object).where(frame != "", None)
        geometries = [None] * len(frame)
        if "geo" in frame.columns:
            geometries = [g if isinstance(g, str) and g.lstrip().startswith("{") else None for g in frame["geo"]]
        return frame.drop(columns=[c for c in ("geo",) if c in frame.columns]), geometries
    raise InputError(f"cannot read a Whisp table from '{suffix or path.name}': use .csv or .geojson", path=path)


def _number(text) -> float:
    if text is None:
        return np.nan
    value = str(text).strip().replace(",", ".") if str(text).count(",") == 1 and "." not in str(text) else str(text)
    return float(value)


def read_whisp(path: Path | str) -> WhispTable:
    """Read a Whisp result table (CSV or GeoJSON) into riskgraph's plot properties.

    Parameters
    ----------
    path : path
        A Whisp output: CSV (geometry, when present, in the ``geo`` column) or
        GeoJSON (the columns as feature properties).

    Returns
    -------
    WhispTable
        ``plots``: ``plot_id`` (``external_id`` when given, else ``plotId``),
        ``area_ha``, ``country``, ``geometry`` and the forest properties
        described in the module docstring; ``quarantine``: rows that could
        not be used (no id, a value that is not a number, an unknown unit),
        with file, row, column, value and reason.

    Raises
    ------
    InputError
        The file cannot be read, or it has none of Whisp's forest columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such Whisp table", path=path)
    frame, geometries = _read_records(path)
    columns = set(frame.columns)
    wanted = set(DATASETS) | {c for c in columns if GFC_YEAR.match(c) or TMF_YEAR.match(c)}
    if not (columns & wanted):
        raise InputError("has none of Whisp's forest columns (e.g. EUFO_2020, GFC_loss_after_2020, "
                         f"TMF_def_after_2020, RADD_after_2020). Columns present: {sorted(columns)[:30]}", path=path)
    if "plotId" not in columns and "external_id" not in columns:
        raise InputError(f"has no plotId or external_id column. Columns present: {sorted(columns)[:30]}", path=path)
    gfc_years = sorted((int(GFC_YEAR.match(c)[1]), c) for c in columns if GFC_YEAR.match(c))
    tmf_years = sorted((int(TMF_YEAR.match(c)[1]), c) for c in columns if TMF_YEAR.match(c))
    plots, quarantine = [], []
    for k, record in enumerate(frame.to_dict("records")):
        row = k + (2 if path.suffix.lower() == ".csv" else 1)  # CSV: header is line 1; GeoJSON: feature number
        plot_id = record.get("external_id") or record.get("plotId")

        def reject(column, value, reason):
            quarantine.append({"file": path.name, "row": row, "plot_id": plot_id, "column": column,
                               "value": value, "reason": reason})

        if plot_id is None or not str(plot_id).strip():
            reject("plotId", None, "no plot id (plotId or external_id)")
            continue
        unit = (record.get("Unit") or "ha").strip().lower()
        if unit not in UNITS:
            reject("Unit", record.get("Unit"), f"unit must be one of {', '.join(UNITS)}")
            continue
        values, bad = {}, False
        for column in ["Area", *sorted(wanted & columns)]:
            try:
                values[column] = _number(record.get(column))
            except ValueError:
                reject(column, record.get(column), "not a number")
                bad = True
        if bad:
            continue
        area = values.pop("Area", np.nan)
        if unit == "percent":
            if not np.isfinite(area):
                reject("Area", record.get("Area"), "figures are in percent of Area, and Area is missing")
                continue
            values = {c: v / 100 * area for c, v in values.items()}
        plots.append(_properties(str(plot_id).strip(), area, record, geometries[k], values, gfc_years, tmf_years))
    table = pd.DataFrame(plots)
    if table.empty:
        table = pd.DataFrame(columns=["plot_id", "area_ha", "geometry"])
    return WhispTable(plots=table, quarantine=pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS), file=path.name)


def _properties(plot_id, area, record, geometry, values, gfc_years, tmf_years) -> dict:
    def known(column):
        value = values.get(column, np.nan)
        return value if np.isfinite(value) else None

    forest_column = "EUFO_2020" if known("EUFO_2020") is not None else "GFC_TC_2020"
    losses = {c: known(c) for c in LOSS_COLUMNS if known(c) is not None}
    loss_column = max(losses, key=lambda c: (losses[c], c == "GFC_loss_after_2020")) if losses else None
    by_year = {str(y): round(known(c), 4) for y, c in gfc_years if y > 2020 and (known(c) or 0) > 0}
    latest = [y for y, c in gfc_years + tmf_years if y > 2020 and (known(c) or 0) > 0]
    evidence = {c: round(v, 4) for c, v in values.items() if np.isfinite(v) and c in DATASETS}
    source = "Whisp"
    if loss_column is not None:
        source = f"Whisp: {loss_column} ({DATASETS[loss_column]})"
    if known(forest_column) is not None:
        source += f"; forest 2020: {forest_column} ({DATASETS[forest_column]})"
    return {
        "plot_id": plot_id,
        "area_ha": area if np.isfinite(area) else None,
        "country": record.get("ProducerCountry") or record.get("Country"),
        "forest_2020_ha": known(forest_column),
        "forest_loss_ha_after_2020": losses.get(loss_column) if loss_column else None,
        "forest_loss_by_year": by_year if gfc_years else None,
        "forest_loss_year": max(latest) if latest else None,
        "tree_cover_loss_ha_2001_2020": known("GFC_loss_before_2020"),
        "forest_alert_ha_after_2020": known("RADD_after_2020"),
        "forest_source": source,
        "forest_evidence": evidence,
        "geometry": geometry,
    }


#: Properties of a Whisp table that :func:`merge_whisp` puts beside a plot's own, prefixed ``whisp_``.
MERGED = ("forest_2020_ha", "forest_loss_ha_after_2020", "forest_alert_ha_after_2020", "forest_source",
          "forest_evidence")


def merge_whisp(plots: pd.DataFrame, whisp: WhispTable | pd.DataFrame, *, replace: bool = False
                ) -> tuple[pd.DataFrame, list[str]]:
    """Put Whisp's figures on a member's plots, by plot id.

    Parameters
    ----------
    plots : DataFrame
        The member's plots (``plot_id``, …), possibly with raster figures
        from :func:`riskgraph.forest.plot_forest`.
    whisp : WhispTable or its ``plots``
    replace : bool
        False (default): Whisp's figures go beside the plot's own, as
        ``whisp_forest_loss_ha_after_2020`` etc. (to compare them with the
        rasters). True: they become the plot's forest properties (what
        hotspots and the EUDR view read), the member's own loss figure kept
        as ``declared_forest_loss_ha_after_2020``.

    Returns
    -------
    (DataFrame, list of str)
        The plots, and the Whisp plot ids that match no plot.
    """
    from riskgraph.forest.plots import keep_declared

    table = whisp.plots if isinstance(whisp, WhispTable) else whisp
    table = table.drop_duplicates("plot_id", keep="first").set_index("plot_id")
    ids = plots["plot_id"].astype(object).map(lambda v: None if v is None or v != v else str(v))
    unmatched = sorted(set(table.index) - set(ids.dropna()))
    if replace:
        out = keep_declared(plots)
        columns = [c for c in table.columns if c not in ("geometry", "area_ha", "country")]
        for column in columns:
            mapped = ids.map(table[column].to_dict())
            found = ids.isin(table.index)
            if column in out.columns:
                out[column] = out[column].astype(object).where(~found, mapped)
            else:
                out[column] = mapped.where(found, None)
        return out, unmatched
    out = plots.copy()
    for column in MERGED:
        if column in table.columns:
            out[f"whisp_{column}"] = ids.map(table[column].to_dict())
    return out, unmatched
