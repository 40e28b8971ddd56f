"""Validation: clean what can be cleaned, report what cannot, drop nothing silently.

Validation is lazy, like pandera's: every check runs on every row and all
failures are collected into one :class:`ValidationReport`. An *error* sends
its row to quarantine (the original values, the row number as the user sees
it, and the reasons); a *warning* keeps the row. For every table,
``rows in = accepted + quarantined``; fully empty rows (trailing rows of a
spreadsheet export) are counted apart as ``empty_rows``.

The checks are vectorised over whole columns, so a million flows validate in
about the time it takes to read them.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph._text import fold as _fold
from riskgraph.chain.countries import is_stated_unknown, normalise_countries
from riskgraph.chain.findings import (  # noqa: F401 (re-exported: readers and sources import them from here)
    ERROR,
    ISSUE_COLUMNS,
    WARNING,
    RawTable,
    Reason,
    ValidationReport,
    _Findings,
)
from riskgraph.formatting import Phrase
from riskgraph.chain.model import (
    REQUIRED_COLUMNS,
    STRING,
    TABLES,
    THEMES,
    Chain,
    as_text,
    map_distinct,
    stage_table,
)


def _strip(values: pd.Series) -> pd.Series:
    """Text cells stripped of surrounding spaces; empty cells as ``<NA>``."""
    text = as_text(values).str.strip()
    return text.mask((text == "").fillna(False))


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Boolean mask: which cells are among ``allowed`` (missing cells are not)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = as_text(values)
    allowed = allowed if isinstance(allowed, pd.Series) else pd.Series(list(allowed), dtype=object)
    value_set = pa.array(as_text(allowed).array)
    found = pc.is_in(pa.array(text.array), value_set=value_set.drop_null())
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _at(series: pd.Series, positions) -> pd.Series:
    """Cells at positions, as text with '' for missing, for messages."""
    return as_text(series.iloc[positions]).fillna("")


def _said(key: str, column: str, cells) -> list[Phrase]:
    """The sentence ``key`` about each cell of ``column`` (``{column} '{value}' is not a number``)."""
    return [Phrase(key, column=column, value=value) for value in cells]


_SPACES = re.compile(r"[\s\u00a0\u202f']")


def _number_text(text: str) -> str:
    """One number's text → a form ``float`` reads: decimal commas and group marks handled.

    The last of ``.`` and ``,`` is the decimal mark when both occur
    (``1.234,5`` → 1234.5, ``1,234.5`` → 1234.5); a lone comma is a decimal
    comma (``6,150`` → 6.15), which is what ``;``-separated European files mean.
    """
    text = _SPACES.sub("", text)
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return text


def parse_numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse a column of numbers as people write them.

    Returns the floats (``NaN`` where empty or unreadable) and a mask of cells
    that held text which is not a number.
    """
    if values.dtype.kind in "fiu":
        return values.astype("float64").reset_index(drop=True), np.zeros(len(values), dtype=bool)
    text = _strip(values).reset_index(drop=True)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # the common case, plain numbers: one vectorised cast
        numbers = pc.cast(pa.array(text.array), pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(numbers, dtype="float64"), np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    numbers = pd.to_numeric(text.astype(object), errors="coerce").astype("float64")
    retry = numbers.isna().to_numpy() & text.notna().to_numpy()
    if retry.any():
        distinct = pd.unique(text[retry])
        parsed = {}
        for item in distinct:
            try:
                parsed[item] = float(_number_text(str(item)))
            except ValueError:
                parsed[item] = np.nan
        numbers[retry] = text[retry].map(parsed).astype("float64")
    bad = numbers.isna().to_numpy() & text.notna().to_numpy()
    return numbers, bad


def _key(values: pd.Series) -> pd.Series:
    """Vocabulary form of a cell: folded case, spaces and hyphens as underscores."""
    return map_distinct(_strip(values), lambda v: re.sub(r"[\s\-/]+", "_", _fold(v)))


@lru_cache(maxsize=None)
def _sector_aliases() -> dict[str, str]:
    table = pd.read_csv(dataset_path("vocabulary", "sector_aliases.csv"), dtype=str)
    return {_fold(a).replace(" ", "_"): s for a, s in zip(table["alias"], table["sector"])} | {
        _fold(a): s for a, s in zip(table["alias"], table["sector"])
    }


def _stages_by_sector() -> dict[str, set[str]]:
    table = stage_table()
    return {s: set(g["stage"]) for s, g in table.groupby("sector")}


# --------------------------------------------------------------------------- tables


def _missing_columns(raw: RawTable, findings: _Findings) -> bool:
    missing = [c for c in REQUIRED_COLUMNS[raw.name] if c not in raw.frame.columns]
    if not missing:
        return False
    present = [raw.original_columns.get(c, c) for c in raw.frame.columns]
    for column in missing:
        findings.add_file(
            raw,
            column=column,
            reason=Reason.missing_column,
            message=Phrase("validate.missing_column", column=column, present=str(present)),
        )
    everything = np.ones(len(raw.frame), dtype=bool)
    findings.add(
        raw, everything, column=missing[0], reason=Reason.missing_column,
        message=Phrase("validate.unusable", column=missing[0]),
        value=pd.Series([None] * len(raw.frame)),
    )
    return True


def _check_actors(raw: RawTable, findings: _Findings, *, sector: str | None) -> pd.DataFrame:
    frame = raw.frame.copy()
    if "sector" not in frame.columns and sector is not None:
        frame["sector"] = sector
        raw.frame = frame
    if _missing_columns(raw, findings):
        return frame
    out = frame.copy()
    ids = _strip(frame["id"])
    out["id"] = ids
    findings.add(raw, ids.isna().to_numpy(), column="id", reason=Reason.empty_id,
                 message=Phrase("validate.empty_actor_id"))
    duplicated = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
    if duplicated.any():
        first = pd.Series(raw.rows, index=ids.index)[~ids.duplicated(keep="first") & ids.notna()]
        first.index = ids[first.index]
        findings.add(
            raw, duplicated, column="id", reason=Reason.duplicate_id,
            message=lambda i: [Phrase("validate.duplicate_actor_id", id=a, row=int(first[a])) for a in ids.iloc[i]],
        )

    raw_sector = _strip(frame["sector"])
    aliases = _sector_aliases()
    sectors = map_distinct(raw_sector, lambda v: aliases.get(_fold(v).replace(" ", "_"), _fold(v).replace(" ", "_")))
    known_sectors = sorted(set(stage_table()["sector"]))
    bad_sector = ~_isin(sectors, known_sectors)
    findings.add(raw, bad_sector, column="sector", reason=Reason.unknown_sector,
                 message=lambda i: [Phrase("validate.unknown_sector", sector=v, sectors=str(known_sectors))
                                    for v in _at(raw_sector, i)])
    out["sector"] = sectors

    stages = _key(frame["stage"])
    vocabulary = _stages_by_sector()
    pairs = sectors.fillna("") + "/" + stages.fillna("")
    allowed = [f"{sec}/{st}" for sec, sts in vocabulary.items() for st in sts]
    bad_stage = ~bad_sector & ~_isin(pairs, allowed)
    findings.add(
        raw, bad_stage, column="stage", reason=Reason.unknown_stage,
        message=lambda i: [
            Phrase("validate.unknown_stage", stage=st, sector=sec, stages=", ".join(sorted(vocabulary[sec])))
            for st, sec in zip(_at(frame["stage"], i), sectors.iloc[i])
        ],
    )
    out["stage"] = stages

    raw_country = _strip(frame["country"])
    countries = normalise_countries(raw_country)
    # "UNKNOWN COUNTRY" is truthful, not wrong: kept without a country, carried as unknown origin by the engine
    stated = map_distinct(raw_country, lambda v: "1" if is_stated_unknown(v) else None).notna().to_numpy()
    findings.add(raw, stated, column="country", reason=Reason.country_stated_unknown, severity=WARNING,
                 message=lambda i: [Phrase("validate.country_stated_unknown", country=c) for c in _at(raw_country, i)])
    findings.add(raw, countries.isna().to_numpy() & ~stated, column="country", reason=Reason.unknown_country,
                 message=lambda i: [Phrase("validate.unknown_country", country=c) if c else Phrase("validate.empty_country")
                                    for c in _at(raw_country, i)])
    out["country"] = countries

    if "lat" in frame.columns or "lon" in frame.columns:
        _check_coordinates(raw, frame, findings, out)

    if "name" in frame.columns:
        out["name"] = _strip(frame["name"])
    for column in ("commodity", "region", "smelter_id", "os_id"):
        if column in frame.columns:
            out[column] = _strip(frame[column])
    return out


def _check_coordinates(raw: RawTable, frame: pd.DataFrame, findings: _Findings, out: pd.DataFrame) -> None:
    empty = pd.Series([np.nan] * len(frame), dtype="object")
    lat_text = frame["lat"] if "lat" in frame.columns else empty
    lon_text = frame["lon"] if "lon" in frame.columns else empty
    lat, bad_lat = parse_numbers(lat_text)
    lon, bad_lon = parse_numbers(lon_text)
    for column, text, bad in (("lat", lat_text, bad_lat), ("lon", lon_text, bad_lon)):
        findings.add(raw, bad, column=column, reason=Reason.non_numeric_coordinate,
                     message=lambda i, text=text, column=column: _said("validate.not_a_number", column, _at(_strip(text), i)))
    lat_out = (lat.abs() > 90).to_numpy()
    lon_out = (lon.abs() > 180).to_numpy()
    looks_swapped = lat_out & (lat.abs() <= 180).to_numpy() & (lon.abs() <= 90).to_numpy()
    findings.add(
        raw, lat_out, column="lat", reason=Reason.impossible_coordinate,
        message=lambda i: [
            Phrase("validate.lat_outside_swapped" if s else "validate.lat_outside", lat=str(a), lon=str(o))
            for a, o, s in zip(lat.iloc[i], lon.iloc[i], looks_swapped[i])
        ],
    )
    findings.add(raw, lon_out, column="lon", reason=Reason.impossible_coordinate,
                 message=lambda i: [Phrase("validate.lon_outside", lon=str(o)) for o in lon.iloc[i]])
    half = (lat.isna() ^ lon.isna()).to_numpy() & ~bad_lat & ~bad_lon
    findings.add(raw, half, column="lat" if "lat" in frame.columns else "lon",
                 reason=Reason.incomplete_coordinates, severity=WARNING,
                 message=Phrase("validate.incomplete_coordinates"))
    out["lat"] = lat.to_numpy()
    out["lon"] = lon.to_numpy()
    # Country-aware swap check: only the swapped pair lies inside the declared country.
    from riskgraph.geo.places import swapped_in_country

    fine = ~(lat_out | lon_out | bad_lat | bad_lon) & lat.notna().to_numpy() & lon.notna().to_numpy()
    fine &= out["country"].notna().to_numpy()
    if fine.any():
        countries = out["country"].to_numpy(dtype=object)
        swapped = np.zeros(len(frame), dtype=bool)
        swapped[fine] = swapped_in_country(lat.to_numpy()[fine], lon.to_numpy()[fine], countries[fine])
        findings.add(
            raw, swapped, column="lat", reason=Reason.swapped_coordinates, severity=WARNING,
            message=lambda i: [
                Phrase("validate.swapped_coordinates", lat=str(a), lon=str(o), country=str(c))
                for a, o, c in zip(lat.iloc[i], lon.iloc[i], countries[i])
            ],
        )


def _check_flows(raw: RawTable, findings: _Findings, *, actor_ids: pd.Series, rejected_ids: dict[str, str]) -> pd.DataFrame:
    frame = raw.frame
    if _missing_columns(raw, findings):
        return frame
    out = frame.copy()
    for column in ("source", "target"):
        ids = _strip(frame[column])
        out[column] = ids
        findings.add(raw, ids.isna().to_numpy(), column=column, reason=Reason.empty_id,
                     message=Phrase("validate.empty_flow_end", column=column))
        unknown = ids.notna().to_numpy() & ~_isin(ids, actor_ids)
        findings.add(
            raw, unknown, column=column, reason=Reason.dangling_flow,
            message=lambda i, ids=ids, column=column: [
                Phrase("validate.quarantined_actor", column=column, actor=a, where=rejected_ids[a]) if a in rejected_ids
                else Phrase("validate.not_an_actor", column=column, actor=a)
                for a in ids.iloc[i]
            ],
        )
    loop = (out["source"] == out["target"]).fillna(False).to_numpy(dtype=bool)
    findings.add(raw, loop, column="target", reason=Reason.self_loop,
                 message=lambda i: [Phrase("validate.self_loop", actor=a) for a in out["source"].iloc[i]])

    if "volume" in frame.columns:
        volume, bad = parse_numbers(frame["volume"])
        text = frame["volume"]
        findings.add(raw, bad, column="volume", reason=Reason.non_numeric_volume,
                     message=lambda i: _said("validate.not_a_number", "volume", _at(_strip(text), i)))
        _check_finite(raw, findings, "volume", volume, bad, text, upper=MAX_VOLUME)
        bad = bad | ~np.isfinite(volume.fillna(0).to_numpy()) | (volume.abs() > MAX_VOLUME).to_numpy()
        findings.add(raw, ((volume < 0) & np.isfinite(volume)).to_numpy(), column="volume", reason=Reason.negative_volume,
                     message=lambda i: _said("validate.negative", "volume", _at(_strip(text), i)))
        out["volume"] = volume.to_numpy()
        missing = int((volume.isna().to_numpy() & ~bad).sum())
    else:
        missing = len(frame)
    if missing:
        findings.add_file(
            raw, column="volume", reason=Reason.missing_volume, severity=WARNING,
            message=Phrase("validate.missing_volume", missing=missing, total=len(frame)),
        )
    if "year" in frame.columns:
        year, bad = parse_numbers(frame["year"])
        odd = ~np.isfinite(year.fillna(0).to_numpy()) | ((year < YEARS[0]) | (year > YEARS[1])).to_numpy()
        bad = bad | (~odd & (year.notna() & (year != year.round())).to_numpy())
        findings.add(raw, bad, column="year", reason=Reason.non_numeric_year,
                     message=lambda i: [Phrase("validate.year_not_whole", value=v) for v in _at(_strip(frame["year"]), i)])
        findings.add(raw, odd & ~bad, column="year", reason=Reason.implausible_number,
                     message=lambda i: [Phrase("validate.year_outside", value=v, first=YEARS[0], last=YEARS[1])
                                        for v in _at(_strip(frame["year"]), i)])
        bad = bad | odd
        out["year"] = year.where(~bad).to_numpy()
    for column in ("commodity", "unit"):
        if column in frame.columns:
            out[column] = _strip(frame[column])
    key = [c for c in ("source", "target", "commodity", "year") if c in out.columns]
    fine = ~findings.error_mask(raw)
    dup = np.zeros(len(out), dtype=bool)
    dup[fine] = out.loc[fine, key].duplicated(keep="first").to_numpy()
    findings.add(raw, dup, column="target", reason=Reason.duplicate_flow, severity=WARNING,
                 message=Phrase("validate.duplicate_flow", key="/".join(key)))
    return out


MAX_VOLUME = 1e15  # larger flows are a typing or unit error (10¹⁵ kg: 100× the world's yearly coal output)
YEARS = (1900, 2100)  # the years a delivery can have


def _check_finite(raw: RawTable, findings: _Findings, column: str, values: pd.Series, bad, text, *, upper: float):
    """``inf``, ``NaN`` written out, ``1e400`` (read as infinity) and absurdly large numbers are errors, never data."""
    numbers = values.to_numpy(dtype=float)
    written = _strip(text).notna().to_numpy()
    infinite = written & ~bad & ~np.isfinite(numbers)
    findings.add(raw, infinite, column=column, reason=Reason.non_finite_number,
                 message=lambda i: _said("validate.not_finite", column, _at(_strip(text), i)))
    huge = written & ~bad & np.isfinite(numbers) & (np.abs(np.nan_to_num(numbers)) > upper)
    findings.add(raw, huge, column=column, reason=Reason.implausible_number,
                 message=lambda i: [Phrase("validate.too_large", column=column, value=v, upper=f"{upper:.0e}")
                                    for v in _at(_strip(text), i)])


def _check_plots(raw: RawTable, findings: _Findings, *, actor_ids: pd.Series) -> pd.DataFrame:
    frame = raw.frame
    if _missing_columns(raw, findings):
        return frame
    out = frame.copy()
    ids = _strip(frame["plot_id"])
    out["plot_id"] = ids
    findings.add(raw, ids.isna(), column="plot_id", reason=Reason.empty_id, message=Phrase("validate.empty_plot_id"))
    findings.add(raw, (ids.notna() & ids.duplicated(keep="first")).to_numpy(), column="plot_id",
                 reason=Reason.duplicate_id,
                 message=lambda i: [Phrase("validate.duplicate_plot_id", plot=p) for p in _at(ids, i)])
    geometry = frame["geometry"]
    bad = np.array([not _is_geometry(g) for g in geometry], dtype=bool)
    findings.add(raw, bad, column="geometry", reason=Reason.invalid_geometry,
                 message=Phrase("validate.invalid_geometry"),
                 value=geometry.astype("object").map(lambda g: None if g is None or g != g else str(g)[:80]))
    for column in ("area_ha", "forest_loss_ha_after_2020"):
        if column in frame.columns:
            numbers, non_numeric = parse_numbers(frame[column])
            findings.add(raw, non_numeric, column=column, reason=Reason.non_numeric_value,
                         message=lambda i, column=column: _said("validate.not_a_number", column,
                                                                _at(_strip(frame[column]), i)))
            findings.add(raw, (numbers < 0).to_numpy(), column=column, reason=Reason.negative_value,
                         message=Phrase("validate.negative_value", column=column))
            out[column] = numbers
    if "actor_id" in frame.columns:
        actors = _strip(frame["actor_id"])
        out["actor_id"] = actors
        orphan = ~_isin(actors, actor_ids)
        findings.add(raw, orphan, column="actor_id", reason=Reason.plot_without_actor, severity=WARNING,
                     message=lambda i: [Phrase("validate.not_an_actor", column="actor_id", actor=a) if a
                                        else Phrase("validate.plot_without_actor") for a in _at(actors, i)])
    return out


def _is_geometry(text) -> bool:
    if text is None or (isinstance(text, float) and text != text):
        return False
    try:
        geometry = json.loads(text) if isinstance(text, str) else text
    except (TypeError, ValueError):
        return False
    return (
        isinstance(geometry, dict)
        and geometry.get("type") in {"Point", "Polygon", "MultiPolygon"}
        and bool(geometry.get("coordinates"))
    )


def _check_themes(raw: RawTable, findings: _Findings, out: pd.DataFrame) -> None:
    themes = _key(raw.frame["theme"])
    findings.add(raw, ~themes.isin(THEMES).fillna(False).to_numpy(dtype=bool), column="theme",
                 reason=Reason.unknown_theme,
                 message=lambda i: [Phrase("validate.unknown_theme", theme=t, themes=str(list(THEMES)))
                                    for t in _at(_strip(raw.frame["theme"]), i)])
    out["theme"] = themes


def _check_unit_interval(raw: RawTable, findings: _Findings, out: pd.DataFrame, column: str) -> None:
    numbers, bad = parse_numbers(raw.frame[column])
    text = _strip(raw.frame[column]).fillna("")
    findings.add(raw, bad | numbers.isna().to_numpy(), column=column, reason=Reason.non_numeric_value,
                 message=lambda i: _said("validate.not_a_number", column, text.iloc[i]))
    findings.add(raw, ((numbers < 0) | (numbers > 1)).to_numpy(), column=column, reason=Reason.score_out_of_range,
                 message=lambda i: [Phrase("validate.outside_unit_interval", column=column, value=v) for v in text.iloc[i]])
    out[column] = numbers


def _check_indicators(raw: RawTable, findings: _Findings) -> pd.DataFrame:
    if _missing_columns(raw, findings):
        return raw.frame
    out = raw.frame.copy()
    countries = normalise_countries(_strip(raw.frame["country"]))
    findings.add(raw, countries.isna().to_numpy(), column="country", reason=Reason.unknown_country,
                 message=lambda i: [Phrase("validate.unknown_country_name", country=c)
                                    for c in _at(_strip(raw.frame["country"]), i)])
    out["country"] = countries
    _check_themes(raw, findings, out)
    _check_unit_interval(raw, findings, out, "score")
    for column in ("commodity", "source"):
        if column in raw.frame.columns:
            out[column] = _strip(raw.frame[column])
    return out


def _check_relevance(raw: RawTable, findings: _Findings) -> pd.DataFrame:
    if _missing_columns(raw, findings):
        return raw.frame
    out = raw.frame.copy()
    stages = _key(raw.frame["stage"])
    known = set(stage_table()["stage"])
    findings.add(raw, ~stages.isin(known).fillna(False).to_numpy(dtype=bool), column="stage",
                 reason=Reason.unknown_stage,
                 message=lambda i: [Phrase("validate.stage_of_no_sector", stage=st) for st in _at(_strip(raw.frame["stage"]), i)])
    out["stage"] = stages
    if "sector" in raw.frame.columns:
        aliases = _sector_aliases()
        out["sector"] = _key(raw.frame["sector"]).map(lambda s: aliases.get(s, s) if isinstance(s, str) else s)
    _check_themes(raw, findings, out)
    _check_unit_interval(raw, findings, out, "weight")
    return out


# --------------------------------------------------------------------------- entry points


def validate_tables(raw: dict[str, RawTable], *, sector: str | None = None, name: str = "") -> tuple[Chain, ValidationReport]:
    """Clean and validate raw tables into a :class:`Chain` of accepted rows and a report.

    This is the one validation path: the file readers call it, and
    :func:`validate_chain` calls it for chains built in memory.
    """
    findings = _Findings()
    for table_raw in raw.values():  # what the readers found (broken quotes, twin sheets)
        for note in table_raw.notes:
            where = np.arange(len(table_raw.frame)) == (-1 if note["position"] is None else note["position"])
            add = findings.add_file if note["position"] is None else partial(findings.add, mask=where)
            add(table_raw, column=note["column"], reason=Reason(note["reason"]), message=note["message"])
    cleaned: dict[str, pd.DataFrame] = {}
    actors_raw = raw["actors"]
    cleaned["actors"] = _check_actors(actors_raw, findings, sector=sector)
    accepted_actors = ~findings.error_mask(actors_raw)
    actor_ids = cleaned["actors"]["id"][accepted_actors] if "id" in cleaned["actors"] else pd.Series([], dtype=STRING)
    rejected = {}
    if "id" in cleaned["actors"] and (~accepted_actors).any():
        kept = set(actor_ids.dropna())
        ids = cleaned["actors"]["id"]
        for row, actor in zip(actors_raw.rows[~accepted_actors], ids[~accepted_actors]):
            if isinstance(actor, str) and actor not in kept:
                rejected.setdefault(actor, Phrase("validate.where", file=actors_raw.file, row=int(row)))
    rejected_ids = rejected
    cleaned["flows"] = _check_flows(raw["flows"], findings, actor_ids=actor_ids, rejected_ids=rejected_ids)
    if "plots" in raw:
        cleaned["plots"] = _check_plots(raw["plots"], findings, actor_ids=actor_ids)
    if "indicators" in raw:
        cleaned["indicators"] = _check_indicators(raw["indicators"], findings)
    if "relevance" in raw:
        cleaned["relevance"] = _check_relevance(raw["relevance"], findings)

    accepted: dict[str, pd.DataFrame] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    counts = []
    for table, table_raw in raw.items():
        mask = findings.error_mask(table_raw)
        frame = cleaned[table].loc[~mask]
        frame = frame.rename(columns={c: table_raw.original_columns.get(c, c) for c in frame.columns if c not in TABLES[table]})
        accepted[table] = frame
        quarantine[table] = findings.quarantine(table_raw)
        counts.append(
            {"table": table, "file": table_raw.file, "rows_in": len(table_raw.frame),
             "accepted": int((~mask).sum()), "quarantined": int(mask.sum()), "empty_rows": table_raw.empty_rows}
        )
    chain = Chain(
        actors=accepted["actors"], flows=accepted["flows"], plots=accepted.get("plots"),
        indicators=accepted.get("indicators"), relevance=accepted.get("relevance"), name=name,
    )
    report = ValidationReport(issues=findings.issues(), quarantine=quarantine, counts=pd.DataFrame(counts))
    return chain, report


def raw_from_frame(table: str, frame: pd.DataFrame, *, file: str | None = None) -> RawTable:
    """Wrap an in-memory table for validation; rows are numbered from 1."""
    frame = frame.reset_index(drop=True)
    spec = TABLES[table]
    text = {}
    for column in frame.columns:
        values = frame[column]
        if spec.get(column) in ("float64", "Int64") or values.dtype.kind in "fiu":
            text[column] = values
        else:
            text[column] = values.astype("object").where(values.notna(), np.nan)
    return RawTable(name=table, file=file or table, frame=pd.DataFrame(text), rows=np.arange(1, len(frame) + 1))


def validate_chain(chain: "Chain | dict[str, pd.DataFrame]", *, sector: str | None = None) -> tuple[Chain, ValidationReport]:
    """Validate a chain built in memory; returns the accepted chain and the report.

    ``chain`` is a :class:`Chain` or a mapping of table name → DataFrame
    (``{"actors": ..., "flows": ...}``) whose cells may still be text, as a
    notebook builds them. Row numbers in the report count from 1 in each table.
    """
    if isinstance(chain, Chain):
        tables, name = dict(chain.tables), chain.name
    else:
        tables, name = {t: f for t, f in chain.items() if f is not None}, ""
        unknown = set(tables) - set(TABLES)
        if unknown or not {"actors", "flows"} <= set(tables):
            from riskgraph.errors import InputError

            raise InputError(f"expected tables actors and flows (and optionally {', '.join(TABLES)}); got {sorted(tables)}")
    raw = {table: raw_from_frame(table, frame) for table, frame in tables.items()}
    return validate_tables(raw, sector=sector, name=name)
