"""Trase (trase.earth, SEI and Global Canopy) → chains: supply-chain exports, and cocoa cooperatives with their buyers.

Two kinds of Trase data reach due-diligence teams:

* **Supply-chain downloads** (``read_trase``): one row per flow from a place
  of production through a port and an exporter to an importer and a country
  of destination, with its volume (tonnes) and FOB value (USD). Columns
  vary by commodity and version: national-level downloads (``year,
  country_of_production, port_of_export, exporter, exporter_group,
  country_of_destination, economic_bloc, volume, fob``), sub-national ones
  (``biome, state, municipality`` …, ``importer, importer_group``), older
  SEI-PCS exports in upper case (``COUNTRY OF FIRST IMPORT``,
  ``TRADE_VOLUME``). Every field is double-quoted, numbers included.
* **Côte d'Ivoire cocoa cooperatives** (``read_trase_cooperatives``): the
  cooperatives map (GeoJSON points: ``coop_stable_id, full_name,
  abbreviated_name, year, department_name, department_trase_id, buyers`` …)
  and a company's own disclosure CSV (``SUPPLIER_FULLNAME,
  SUPPLIER_ABRVNAME, COMPANY, YEAR, LATITUDE, LONGITUDE``; decimal points
  and decimal commas mixed, empty coordinates).

The chain of a supply-chain download
------------------------------------
=====================  =======================================================
production place       one actor per (country, region): ``region`` is the
                       municipality, else the state, else the biome (the others
                       kept as columns); country-level when the file names no
                       region. Stage: the sector's chain start (``farm``).
exporter               one actor per (exporter, country of production), with
                       ``exporter_group``; Trase's ``UNKNOWN`` exporter is kept
                       as "unknown exporter" of that country.
importer               one actor per (importer, country of destination); without
                       an importer column, "importers in <country>".
flows                  production → exporter and exporter → importer, summed per
                       (source, target, year); the export flow carries
                       ``fob_usd``, ``port`` and ``economic_bloc`` (the bloc is
                       never taken for the destination country).
=====================  =======================================================

Where the file has no place of production (``UNKNOWN COUNTRY`` or an empty
country of production), the exporter gets no production input: its material
is of unknown origin, as the risk engine carries it. A destination stated as
unknown makes an importer without a country (kept, with a warning); Trase's
``DOMESTIC CONSUMPTION`` is consumption in the country of production.

Volume is conserved: every row either becomes flows or is quarantined with
its reason (a volume that is not a number or is negative, a country that is
not a country), so for the file **accepted + quarantined volume = file total**
(:func:`trase_volumes`).

Sources: Trase data downloads, https://trase.earth/open-data (SEI-PCS
method: Godar et al. 2015, *Ecological Economics* 112:25–35); the
cooperatives map and its update script in github.com/sei-international/trase-public.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.chain.countries import is_stated_unknown, to_iso2
from riskgraph.chain.io import read_csv_table
from riskgraph.chain.model import Chain
from riskgraph.chain.validate import WARNING, RawTable
from riskgraph.errors import InputError
from riskgraph.sources._common import (
    ImportReason,
    _Pending,
    _empty,
    _key,
    _nan_frame,
    _snake,
    _validated,
    actor_id,
    clean_text,
)

#: Trase header spellings (snake case) → field, first match wins.
TRASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("year",),
    "country_of_production": ("country_of_production", "production_country", "country_of_origin"),
    "biome": ("biome", "biome_of_production"),
    "state": ("state", "state_of_production", "province", "department"),
    "municipality": ("municipality", "municipality_of_production", "district"),
    "municipality_trase_id": ("municipality_of_production_trase_id", "municipality_trase_id", "trase_geocode"),
    "logistics_hub": ("logistics_hub",),
    "port": ("port_of_export", "port", "exit_port"),
    "exporter": ("exporter", "exporter_name"),
    "exporter_group": ("exporter_group",),
    "importer": ("importer", "importer_name"),
    "importer_group": ("importer_group",),
    "country_of_destination": ("country_of_destination", "country_of_first_import", "country_of_import",
                               "destination_country", "country"),
    "economic_bloc": ("economic_bloc",),
    "volume": ("volume", "trade_volume", "volume_tonnes", "soy_equivalent_tonnes", "tonnes"),
    "fob": ("fob", "fob_usd", "trade_value", "fob_value"),
}
#: Stages of (production place, exporter, importer) per sector.
TRASE_STAGES = {
    "food": ("farm", "trader", "trader"),
    "textiles": ("cotton_farm", "ginner", "spinner"),
    "natural_stone": ("quarry", "exporter", "importer"),
    "gold": ("mine_lsm", "trader", "refiner"),
}
DOMESTIC = "domestic consumption"
_UNKNOWN_PLACE = re.compile(r"^unknown\b", re.IGNORECASE)


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    present = {}
    for field, spellings in TRASE_COLUMNS.items():
        for spelling in spellings:
            if spelling in frame.columns and spelling not in present.values():
                present[field] = spelling
                break
    return present


def _number(text: str | None) -> float | None:
    """Trase numbers are quoted text with a decimal point; a decimal comma alone is read too."""
    if text is None:
        return None
    value = text.strip().replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", value):
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _place(value: str | None) -> str | None:
    """A place name, or None for empty and Trase's UNKNOWN / UNKNOWN STATE … placeholders."""
    return None if value is None or _UNKNOWN_PLACE.match(value) else value


def read_trase(path: Path | str, *, sector: str = "food", commodity: str | None = None,
               country: str | None = None) -> Chain:
    """Read a Trase supply-chain download (CSV) as a chain: production places → exporters → importers.

    Parameters
    ----------
    path : path-like
        The CSV as downloaded (any of the column spellings of
        :data:`TRASE_COLUMNS`; ``exporter`` and a volume column are needed).
    sector : str
        The riskgraph sector; stages follow :data:`TRASE_STAGES`.
    commodity : str, optional
        The commodity (``soy``, ``cocoa``, ``wood pulp`` …); default: from the
        file name (``argentina-wood-pulp-v0.2.3….csv`` → ``wood pulp``) when
        it names one, else none.
    country : str, optional
        The country of production for files without that column (Trase's
        older single-country exports).

    Returns
    -------
    Chain
        Actors and flows; ``chain.report`` holds every finding and the
        quarantined rows. :func:`trase_volumes` gives the volume balance.

    Raises
    ------
    InputError
        Missing or unreadable file, an unknown sector, no exporter or volume
        column, or no country of production at all.

    Examples
    --------
    >>> chain = read_trase("brazil-soy.csv", commodity="soy")  # doctest: +SKIP
    >>> trase_volumes(chain)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    if sector not in TRASE_STAGES:
        raise InputError(f"sector {sector!r} is not one of {list(TRASE_STAGES)}")
    raw = read_csv_table(path, "trase")
    frame = raw.frame
    frame.columns = [_snake(c) for c in frame.columns]
    columns = _columns(frame)
    for needed in ("exporter", "volume"):
        if needed not in columns:
            raise InputError(f"is not a Trase supply-chain download: no {needed} column "
                             f"(expected one of {list(TRASE_COLUMNS[needed])}). Columns present: "
                             f"{list(raw.original_columns.get(c, c) for c in raw.frame.columns)}", path=path)
    declared = None
    if country is not None:
        declared = to_iso2(country)
        if declared is None:
            raise InputError(f"country {country!r} is not a known country")
    if "country_of_production" not in columns and declared is None:
        raise InputError("has no country_of_production column: pass the country of production "
                         "(command line: --country)", path=path)
    commodity = commodity or _commodity_from_name(path.name)
    production_stage, exporter_stage, importer_stage = TRASE_STAGES[sector]
    region_field = next((f for f in ("municipality", "state", "biome") if f in columns), None)

    pending = _Pending()
    actors: dict[str, dict] = {}
    flows: dict[tuple, dict] = {}
    file = raw.file

    def cell(values: dict, field: str) -> str | None:
        return values.get(columns[field]) if field in columns else None

    def reject(position: int, values: dict, column_field: str, reason, message: str) -> None:
        record = {columns.get(f, f): cell(values, f) for f in columns}
        pending.reject("flows", file=file, row=int(raw.rows[position]), record=record,
                       column=columns.get(column_field, column_field), reason=reason, message=message)

    for position, row in enumerate(frame.itertuples(index=False)):
        values = {c: clean_text(v) for c, v in zip(frame.columns, row)}
        volume_text = cell(values, "volume")
        volume = _number(volume_text)
        if volume is None or volume < 0:
            what = "is empty" if volume_text is None else f"'{volume_text}' is not a volume ≥ 0"
            reject(position, values, "volume", ImportReason.unmapped_row, f"volume {what}")
            continue
        production_text = cell(values, "country_of_production")
        production = declared if production_text is None else to_iso2(production_text)
        # no place of production in the file (empty, or stated unknown): the exporter's origin is unknown
        production_unknown = production is None and (production_text is None or is_stated_unknown(production_text))
        if production is None and not production_unknown:
            reject(position, values, "country_of_production", ImportReason.unknown_country,
                   f"country of production '{production_text}' is not a known country")
            continue
        destination_text = cell(values, "country_of_destination")
        if destination_text is not None and _key(destination_text) == DOMESTIC:
            destination, destination_shown = production, destination_text
        else:
            destination, destination_shown = to_iso2(destination_text), destination_text
        if destination is None and not (destination_text is None or is_stated_unknown(destination_text)
                                        or _key(destination_text or "") == DOMESTIC):
            reject(position, values, "country_of_destination", ImportReason.unknown_country,
                   f"country of destination '{destination_text}' is not a known country (the economic bloc "
                   "is never taken for it)")
            continue
        year = cell(values, "year")
        fob = _number(cell(values, "fob")) if cell(values, "fob") is not None else None
        exporter_name = cell(values, "exporter")
        exporter_known = exporter_name is not None and not _UNKNOWN_PLACE.match(exporter_name)
        exporter_country = production
        exporter_label = exporter_name if exporter_known else (
            f"unknown exporter ({production_text or 'unknown country'})")
        exporter_id = "trase_" + actor_id(exporter_label, exporter_country or "unknown")
        actors.setdefault(exporter_id, {
            "id": exporter_id, "name": exporter_label, "stage": exporter_stage,
            "country": exporter_country or "Unknown", "sector": sector, "commodity": commodity,
            "exporter_group": cell(values, "exporter_group"), "_row": int(raw.rows[position])})

        # the place of production (none when the file does not know the country)
        if production is not None:
            # the most specific place the row knows: municipality, else state, else biome
            region = next((p for p in (_place(cell(values, f)) for f in ("municipality", "state", "biome")) if p), None)
            state = _place(cell(values, "state"))
            label = ", ".join(x for x in (region, state if state != region else None) if x)
            place_name = f"production in {label + ', ' if label else ''}{production_text or production}"
            place_id = "trase_" + actor_id(place_name, production)
            actors.setdefault(place_id, {
                "id": place_id, "name": place_name, "stage": production_stage, "country": production,
                "sector": sector, "commodity": commodity, "region": region,
                **{f: _place(cell(values, f)) for f in ("biome", "state", "municipality", "municipality_trase_id")
                   if f in columns},
                "_row": int(raw.rows[position])})
            _add_flow(flows, place_id, exporter_id, year, volume, None, values, columns, commodity, raw.rows[position],
                      hop="production")

        importer_name = cell(values, "importer")
        importer_known = (importer_name is not None and not _UNKNOWN_PLACE.match(importer_name)
                          and _key(importer_name) != DOMESTIC)
        if _key(destination_text or "") == DOMESTIC:
            importer_label = f"domestic market ({production_text or production})"
        else:
            importer_label = importer_name if importer_known else f"importers in {destination_shown or 'unknown country'}"
        importer_country = destination if destination is not None else (destination_text or "unknown")
        importer_id = "trase_" + actor_id(importer_label, importer_country)
        actors.setdefault(importer_id, {
            "id": importer_id, "name": importer_label, "stage": importer_stage, "country": importer_country,
            "sector": sector, "commodity": commodity, "importer_group": cell(values, "importer_group"),
            "_row": int(raw.rows[position])})
        _add_flow(flows, exporter_id, importer_id, year, volume, fob, values, columns, commodity, raw.rows[position],
                  hop="export")

    actor_records = sorted(actors.values(), key=lambda a: a["_row"])
    actor_rows = [a.pop("_row") for a in actor_records]
    actors_raw = RawTable(name="actors", file=file, frame=_nan_frame(actor_records), rows=np.asarray(actor_rows),
                          original_columns={"id": "id (derived)", "country": "country_of_production / destination"})
    flow_records = list(flows.values())
    flow_rows = [f.pop("_row") for f in flow_records]
    for record in flow_records:
        record["file_rows"] = ", ".join(map(str, record["file_rows"]))
        record["volume"] = repr(round(record["volume"], 9))
        record["fob_usd"] = None if record["fob_usd"] is None else round(record["fob_usd"], 6)
    flows_raw = RawTable(name="flows", file=file, frame=_nan_frame(flow_records), rows=np.asarray(flow_rows),
                         original_columns={"volume": columns["volume"]}, empty_rows=raw.empty_rows)
    if region_field is None:
        pending.issue(file=file, row=None, column=None, value=None, reason=ImportReason.left_out, severity=WARNING,
                      message="the file names no municipality, state or biome: places of production are "
                              "country-level")
    return _validated({"actors": actors_raw, "flows": flows_raw}, pending, sector=sector, name=path.stem)


def _add_flow(flows: dict, source: str, target: str, year, volume: float, fob, values: dict, columns: dict,
              commodity, row, *, hop: str) -> None:
    """Sum one row into the flow (source, target, year); the export hop carries FOB, port and bloc."""
    key = (source, target, year)
    flow = flows.get(key)
    if flow is None:
        flow = flows[key] = {"source": source, "target": target, "commodity": commodity, "volume": 0.0, "unit": "t",
                             "year": year, "hop": hop, "fob_usd": None, "port": None, "economic_bloc": None,
                             "file_rows": [], "_row": int(row)}
    flow["volume"] += volume
    flow["file_rows"].append(int(row))
    if hop == "export":
        if fob is not None:
            flow["fob_usd"] = (flow["fob_usd"] or 0.0) + fob
        for field, target_field in (("port", "port"), ("economic_bloc", "economic_bloc")):
            value = values.get(columns[field]) if field in columns else None
            if value and value not in (flow[target_field] or "").split("|"):
                flow[target_field] = value if not flow[target_field] else f"{flow[target_field]}|{value}"


def _commodity_from_name(name: str) -> str | None:
    """``argentina-wood-pulp-v0.2.3-2024-01-17.csv`` → ``wood pulp``: the words between the country and the version.

    >>> _commodity_from_name("argentina-wood-pulp-v0.2.3-2024-01-17.csv"), _commodity_from_name("cote-d-ivoire-cocoa-v1.0.csv")
    ('wood pulp', 'cocoa')
    >>> _commodity_from_name("my_export.csv") is None
    True
    """
    match = re.match(r"^([a-z]+(?:-[a-z]+)+)-v\d", name.lower())
    if not match:
        return None
    words = match.group(1).split("-")
    for cut in range(len(words) - 1, 0, -1):
        if to_iso2(" ".join(words[:cut])) is not None:
            return " ".join(words[cut:])
    return None


def trase_volumes(chain: Chain) -> dict[str, float]:
    """The volume balance of a Trase import: ``{"accepted", "quarantined", "total"}`` in tonnes.

    ``accepted`` sums the export flows (exporter → importer) of the chain;
    ``quarantined`` the volumes of the rows and flows set aside (a row
    without a usable volume counts 0); ``total = accepted + quarantined`` is
    the file's total volume.
    """
    flows = chain.flows
    export = flows["hop"] == "export" if "hop" in flows.columns else pd.Series(True, index=flows.index)
    accepted = float(pd.to_numeric(flows.loc[export, "volume"], errors="coerce").fillna(0).sum())
    quarantined = 0.0
    table = chain.report.quarantine.get("flows") if chain.report is not None else None
    if table is not None and len(table):
        hop = table["hop"] if "hop" in table.columns else pd.Series(None, index=table.index)
        rows = table[(hop == "export") | hop.isna()]
        column = next((c for c in TRASE_COLUMNS["volume"] if c in rows.columns), None)
        for value in rows[column] if column else []:
            number = _number(str(value)) if not _empty(value) else None
            quarantined += number if number is not None and number >= 0 else 0.0
    return {"accepted": accepted, "quarantined": quarantined, "total": accepted + quarantined}


# --------------------------------------------------------------------------- cocoa cooperatives


def read_trase_cooperatives(cooperatives: Path | str | None = None, disclosure: Path | str | None = None, *,
                            commodity: str = "cocoa") -> Chain:
    """Read Trase's cocoa cooperatives map and/or a company disclosure as cooperatives with their buyers.

    Parameters
    ----------
    cooperatives : path-like, optional
        The cooperatives GeoJSON (one Point per cooperative and year;
        ``buyers`` a comma-separated list of company names).
    disclosure : path-like, optional
        A company disclosure CSV: ``SUPPLIER_FULLNAME`` (or
        ``SUPPLIER_ABRVNAME``), ``COMPANY`` (or ``BUYER``), ``YEAR``,
        ``LATITUDE``, ``LONGITUDE`` (``DISCL_``-prefixed spellings too).
        Disclosed cooperatives are matched to the map by full name, then by
        an abbreviation used by one map cooperative only; the rest become
        cooperatives of their own.
    commodity : str
        The commodity of the cooperatives (default ``cocoa``).

    Returns
    -------
    Chain
        Cooperatives (stage ``cooperative``, sector food) with their
        department as ``region`` and coordinates; buyers (stage ``trader``)
        with the country the data gives — none does, so ``Unknown``: kept,
        with a warning, and never invented; flows cooperative → buyer per
        year without volume (equal split, flagged by the risk engine).

    Notes
    -----
    A cooperative's country comes from the map's department code
    (``CI-090101`` → CI), else from its coordinates (the country of the
    nearest populated place, :func:`riskgraph.geo.places.country_at`), else
    it is unknown.
    """
    if cooperatives is None and disclosure is None:
        raise InputError("give the cooperatives GeoJSON, a disclosure CSV, or both")
    pending = _Pending()
    coops: dict[str, dict] = {}
    links: dict[tuple, dict] = {}
    by_name: dict[str, str] = {}
    by_abbreviation: dict[str, list[str]] = {}
    map_file = Path(cooperatives).name if cooperatives is not None else None
    if cooperatives is not None:
        for number, properties, point in _features(Path(cooperatives)):
            key = str(properties.get("coop_stable_id") or f"feature {number}")
            coop_id = f"trase_coop_{_slug(key)}"
            name = clean_text(properties.get("full_name")) or clean_text(properties.get("abbreviated_name"))
            department = clean_text(properties.get("department_trase_id")) or ""
            country = to_iso2(department.split("-")[0]) if "-" in department else None
            lat, lon = _coordinate(properties.get("latitude")), _coordinate(properties.get("longitude"))
            if (lat is None or lon is None) and point is not None:
                lon, lat = point
            if country is None and lat is not None and lon is not None:
                country = _country_at(lat, lon)
            coops.setdefault(coop_id, {
                "id": coop_id, "name": name, "stage": "cooperative", "country": country or "Unknown",
                "sector": "food", "commodity": commodity, "lat": lat, "lon": lon,
                "region": clean_text(properties.get("department_name")),
                "abbreviation": clean_text(properties.get("abbreviated_name")), "coop_stable_id": key,
                "_file": map_file, "_row": number})
            if name:
                by_name.setdefault(_key(name), coop_id)
            abbreviation = clean_text(properties.get("abbreviated_name"))
            if abbreviation and coop_id not in by_abbreviation.get(_key(abbreviation), []):
                by_abbreviation.setdefault(_key(abbreviation), []).append(coop_id)
            for buyer in _buyers(properties.get("buyers")):
                _link(links, coop_id, buyer, properties.get("year"), map_file, number)
    if disclosure is not None:
        _read_disclosure(Path(disclosure), coops, links, by_name, by_abbreviation, pending, commodity)

    buyers: dict[str, dict] = {}
    for (coop_id, buyer, year), link in links.items():
        buyer_id = "trase_buyer_" + _slug(_key(buyer))
        buyers.setdefault(buyer_id, {"id": buyer_id, "name": buyer, "stage": "trader", "country": "Unknown",
                                     "sector": "food", "commodity": commodity, "_file": link["file"],
                                     "_row": link["row"]})
        link["target"] = buyer_id
    file = " + ".join(f for f in (map_file, Path(disclosure).name if disclosure is not None else None) if f)
    actor_records = list(coops.values()) + list(buyers.values())
    rows = [a.pop("_row") for a in actor_records]
    for record in actor_records:
        record.pop("_file")
    actors_raw = RawTable(name="actors", file=file, frame=_nan_frame(actor_records), rows=np.asarray(rows),
                          original_columns={"country": "country (department code, coordinates; buyers: none given)"})
    flow_records = [{"source": coop_id, "target": link["target"], "commodity": commodity, "year": year,
                     "reported_by": link["file"]} for (coop_id, _, year), link in links.items()]
    flow_rows = [link["row"] for link in links.values()]
    flows_raw = RawTable(name="flows", file=file, frame=_nan_frame(flow_records, columns=["source", "target",
                                                                                           "commodity", "year"]),
                         rows=np.asarray(flow_rows, dtype=int))
    if buyers:
        pending.issue(file=file, row=None, column="buyers", value=None, reason=ImportReason.left_out,
                      severity=WARNING,
                      message=f"{len(buyers)} buyers are named without a country: their country is 'Unknown' "
                              "(none is invented); add it where you know it")
    return _validated({"actors": actors_raw, "flows": flows_raw}, pending, sector="food",
                      name=Path(cooperatives or disclosure).stem)


def _features(path: Path):
    """(feature number, properties, (lon, lat) or None) of a GeoJSON file."""
    import json

    if not path.is_file():
        raise InputError("no such file", path=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"is not valid GeoJSON ({exc})", path=path) from None
    for number, feature in enumerate(data.get("features") or [], start=1):
        geometry = (feature or {}).get("geometry") or {}
        point = None
        if geometry.get("type") == "Point" and len(geometry.get("coordinates") or []) >= 2:
            point = tuple(float(v) for v in geometry["coordinates"][:2])
        yield number, (feature or {}).get("properties") or {}, point


def _read_disclosure(path: Path, coops: dict, links: dict, by_name: dict, by_abbreviation: dict,
                     pending: _Pending, commodity: str) -> None:
    if not path.is_file():
        raise InputError("no such file", path=path)
    raw = read_csv_table(path, "disclosure")
    frame = raw.frame
    frame.columns = [_snake(c).removeprefix("discl_") for c in frame.columns]
    name_column = next((c for c in ("supplier_fullname", "supplier_abrvname") if c in frame.columns), None)
    buyer_column = next((c for c in ("company", "buyer") if c in frame.columns), None)
    if name_column is None or buyer_column is None:
        raise InputError("is not a Trase cooperative disclosure: it needs SUPPLIER_FULLNAME (or SUPPLIER_ABRVNAME) "
                         f"and COMPANY (or BUYER). Columns present: {list(raw.frame.columns)}", path=path)
    for position, row in enumerate(frame.itertuples(index=False)):
        values = {c: clean_text(v) for c, v in zip(frame.columns, row)}
        number = int(raw.rows[position])
        full, abbreviation = values.get("supplier_fullname"), values.get("supplier_abrvname")
        if not (full or abbreviation):
            pending.reject("flows", file=raw.file, row=number, record=values, column=name_column,
                           reason=ImportReason.missing_required_field, message="no cooperative name")
            continue
        coop_id = by_name.get(_key(full)) if full else None
        if coop_id is None and abbreviation and len(by_abbreviation.get(_key(abbreviation), [])) == 1:
            coop_id = by_abbreviation[_key(abbreviation)][0]
        if coop_id is None:
            lat, lon = _coordinate(values.get("latitude")), _coordinate(values.get("longitude"))
            coop_id = "trase_" + actor_id(full or abbreviation, "disclosed")
            country = _country_at(lat, lon) if lat is not None and lon is not None else None
            coops.setdefault(coop_id, {
                "id": coop_id, "name": full or abbreviation, "stage": "cooperative", "country": country or "Unknown",
                "sector": "food", "commodity": commodity, "lat": lat, "lon": lon, "abbreviation": abbreviation,
                "_file": raw.file, "_row": number})
            by_name.setdefault(_key(full or abbreviation), coop_id)
        buyer = values.get(buyer_column)
        if buyer:
            _link(links, coop_id, buyer, values.get("year"), raw.file, number)


def _link(links: dict, coop_id: str, buyer: str, year, file: str, row: int) -> None:
    year_text = None if _empty(year) else str(int(float(year))) if re.fullmatch(r"\d+(\.0+)?", str(year)) else str(year)
    links.setdefault((coop_id, " ".join(str(buyer).split()).upper(), year_text), {"file": file, "row": int(row)})


def _buyers(text) -> list[str]:
    if _empty(text):
        return []
    return [b for b in (clean_text(part) for part in str(text).split(",")) if b]


def _coordinate(value) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return _number(str(value))


def _country_at(lat: float, lon: float) -> str | None:
    from riskgraph.geo.places import country_at

    try:
        found = country_at(np.array([lat]), np.array([lon]))
    except Exception:  # outside the place index: no country rather than a guess
        return None
    value = found[0] if len(found) else None
    return value if isinstance(value, str) else None


def _slug(text: str) -> str:
    return "_".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split()) or "x"


__all__ = ["TRASE_COLUMNS", "TRASE_STAGES", "read_trase", "read_trase_cooperatives", "trase_volumes"]
