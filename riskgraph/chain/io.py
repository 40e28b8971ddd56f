"""Read and write chains: folders of CSV or Parquet files, Excel workbooks, GeoJSON plots.

A chain is a folder (``actors.csv``, ``flows.csv`` and optionally
``plots.geojson``, ``indicators.csv``, ``relevance.csv``; or the same stems as
``.parquet``) or an Excel workbook with sheets of the same names.

Readers tolerate what real files contain: ``;``, ``,``, tab or ``|``
separators; UTF-8 with or without BOM and cp1252; header case and spacing;
decimal commas; numeric ids; trailing empty rows; extra columns (kept).
Every file passes through :func:`riskgraph.chain.validate.validate_tables`, so the
chain holds the accepted rows and ``chain.report`` says what was set aside.
Writers are lossless: read → write → read gives an equal chain.
"""
from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.limits import check_geojson, check_file_size, check_text_file, check_workbook
from riskgraph.output import excel_writer, restore_cell, write_csv
from riskgraph.chain.model import OPTIONAL_TABLES, STRING, TABLES, Chain
from riskgraph.formatting import Phrase
from riskgraph.chain.validate import RawTable, validate_tables

#: Header spellings seen in real files → data-contract column, per table.
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "actors": {
        "actor_id": "id", "supplier_id": "id", "latitude": "lat", "lng": "lon", "long": "lon",
        "longitude": "lon", "country_code": "country", "land": "country", "naam": "name",
        "cid": "smelter_id", "smelter_identification_number": "smelter_id",
    },
    "flows": {
        "from": "source", "to": "target", "supplier": "source", "buyer": "target",
        "quantity": "volume", "qty": "volume", "amount": "volume", "volume_t": "volume",
    },
    "plots": {"id": "plot_id", "area": "area_ha", "actor": "actor_id", "producer_id": "actor_id"},
    "indicators": {"value": "score", "country_code": "country", "iso2": "country"},
    "relevance": {"relevance": "weight", "g": "weight"},
}
SEPARATORS = (";", ",", "\t", "|")
#: How an actor whose country is not known is written (read back as stated unknown, not as an empty cell).
UNKNOWN_COUNTRY = "unknown"
_NA = {"keep_default_na": False, "na_values": [""]}  # "NA" is Namibia, not a missing value


def normalise_header(name: object, table: str) -> str:
    """Header text → data-contract column name: trimmed, lower case, ``_`` for spaces.

    >>> normalise_header(" Smelter ID ", "actors"), normalise_header("Lng", "actors")
    ('smelter_id', 'lon')
    """
    text = str(name).replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return COLUMN_ALIASES.get(table, {}).get(text, text)


def _raw_table(table: str, file: str, frame: pd.DataFrame, first_row: int) -> RawTable:
    """Rename headers, drop fully empty rows (counted), number rows as the user sees them."""
    originals = {}
    renamed = []
    for column in frame.columns:
        new = normalise_header(column, table)
        if new in originals or str(column).startswith("Unnamed:") and frame[column].isna().all():
            new = f"{new}__{len(renamed)}" if new in originals else new
        originals[new] = str(column).replace("\ufeff", "").strip()
        renamed.append(new)
    frame = frame.set_axis(renamed, axis=1)
    # Columns without a header and without values are spreadsheet debris.
    debris = [c for c in frame.columns if originals[c].startswith("Unnamed:") and frame[c].isna().all()]
    frame = frame.drop(columns=debris)
    for c in debris:
        originals.pop(c)
    rows = np.arange(first_row, first_row + len(frame))
    empty = frame.isna().all(axis=1).to_numpy() if len(frame.columns) else np.ones(len(frame), bool)
    if empty.any():
        frame = frame.loc[~empty].reset_index(drop=True)
        rows = rows[~empty]
    # Only headers that changed are remembered, so messages show the user's spelling.
    changed = {k: v for k, v in originals.items() if k != v}
    return RawTable(name=table, file=file, frame=frame, rows=rows, original_columns=changed,
                    empty_rows=int(empty.sum()))


def _sniff_separator(first_line: str) -> str:
    counts = {sep: len(re.findall(re.escape(sep) + r'(?=(?:[^"]*"[^"]*")*[^"]*$)', first_line)) for sep in SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class _Irregular(Exception):
    """The fast reader met something it does not number exactly (blank or ragged lines)."""


def _read_csv_fast(path: Path, sep: str, encoding: str) -> pd.DataFrame:
    """Arrow's multithreaded CSV reader, all cells as text; raises :class:`_Irregular` on
    blank lines, ragged rows or bytes that are not UTF-8, where row numbers would drift."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    def irregular(row):
        raise _Irregular(row.text)

    with path.open("rb") as handle:
        header = handle.readline().decode("utf-8", errors="replace").lstrip("\ufeff")
    names = next(csv.reader([header], delimiter=sep), [])
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(encoding=encoding, block_size=8 << 20),
            parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False, invalid_row_handler=irregular),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, _Irregular) as exc:
        raise _Irregular(str(exc)) from None
    return table.to_pandas(types_mapper={pa.string(): STRING}.get)


def read_csv_table(path: Path | str, table: str) -> RawTable:
    """Read one CSV file as text cells, tolerating separators, encodings and header spellings.

    Regular UTF-8 files take Arrow's multithreaded reader; files with blank
    lines, ragged rows or cp1252 bytes take pandas' reader, which pads short
    rows and keeps every line's number.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise InputError("the file is empty; expected a header row", path=path)
    check_text_file(path, separators=SEPARATORS)
    encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first_line = next((line for line in first.splitlines() if line.strip()), "")
    sep = _sniff_separator(first_line)
    header = next(csv.reader([first_line], delimiter=sep), [])
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        key = normalise_header(name, table)
        if key in seen and key:
            raise InputError(f"the header names {key!r} twice (columns {seen[key]} and {number}); "
                             "rename one of them", path=path)
        seen[key] = number
    # Old Mac files end lines with CR alone; Arrow's reader and the header sniffing expect LF.
    cr_only = b"\n" not in head and b"\r" in head
    try:
        frame = None if cr_only else _read_csv_fast(path, sep, "utf-8")
    except _Irregular:
        frame = None
    if frame is None:
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            encoding = "cp1252"
        try:
            frame = pd.read_csv(path, sep=sep, dtype=str, encoding=encoding, skip_blank_lines=False,
                                lineterminator="\r" if cr_only else None, **_NA)
        except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"cannot be read as CSV ({_first_line(exc)})", path=path) from None
        except pd.errors.EmptyDataError:
            raise InputError("the file is empty; expected a header row", path=path) from None
    raw = _raw_table(table, path.name, _restored(frame), first_row=2)
    raw.notes.extend(_swallowed_lines(raw.frame, sep))
    return raw


def _swallowed_lines(frame: pd.DataFrame, sep: str) -> list[dict]:
    """Cells whose line breaks hide whole rows: an unterminated quote swallowed the lines after it.

    A quoted cell may hold line breaks (an address); when the text after a
    break holds as many separators as a row has, it is more likely rows that a
    missing closing quote joined into one cell. Each becomes an error on its
    row (:class:`riskgraph.chain.validate.Reason` ``unterminated_quote``).
    """
    notes = []
    needed = max(len(frame.columns) - 1, 1)
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind in "biufcmM":
            continue
        text = values.astype(STRING)
        broken = text.str.contains(r"[\r\n]", regex=True).fillna(False).to_numpy(dtype=bool)
        for position in np.flatnonzero(broken):
            lines = re.split(r"\r\n|\r|\n", str(text.iloc[position]))
            if any(line.count(sep) >= needed for line in lines[1:]):
                notes.append({"position": int(position), "column": column, "reason": "unterminated_quote",
                              "message": Phrase("validate.unterminated_quote", column=column, lines=len(lines) - 1)})
    return notes


def _restored(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo the ``'`` that CSV writers put before formula-like text (:func:`riskgraph.output.neutralise_cell`)."""
    frame = frame.set_axis([restore_cell(c) for c in frame.columns], axis=1)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype.kind in "biufcmM":
            continue
        quoted = values.astype(STRING).str.startswith("'").fillna(False).to_numpy(dtype=bool)
        if quoted.any():
            values = values.copy()
            values[quoted] = values[quoted].map(restore_cell)
            frame.isetitem(position, values)
    return frame


def read_excel_tables(path: Path | str) -> dict[str, RawTable]:
    """Read the sheets of a workbook whose names are table names (``actors``, ``flows``, …)."""
    path = Path(path)
    check_workbook(path)
    try:
        from python_calamine import CalamineWorkbook

        names = list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:  # calamine has an error class per format problem
        raise InputError(f"cannot be read as an Excel workbook ({_first_line(exc)})", path=path) from None
    chosen: dict[str, list[str]] = {}
    for sheet in names:
        table = normalise_header(sheet, "")
        if table in TABLES:
            chosen.setdefault(table, []).append(sheet)
    out = {}
    for table, sheets in chosen.items():
        frames = []
        for sheet in sheets:
            try:
                frames.append(pd.read_excel(path, sheet_name=sheet, dtype=str, engine="calamine", **_NA))
            except Exception as exc:
                raise InputError(f"sheet {sheet!r} cannot be read ({_first_line(exc)})", path=path) from None
        out[table] = _raw_table(table, f"{path.name}[{sheets[0]}]", frames[0], first_row=2)
        # 'flows' and 'Flows ' are both the flows table: the first is read, the others are findings.
        for sheet, frame in zip(sheets[1:], frames[1:]):
            out[table].notes.append({
                "position": None, "column": None, "reason": "duplicate_sheet",
                "message": Phrase("validate.duplicate_sheet", sheet=repr(sheet), table=table, first=repr(sheets[0]),
                                  rows=len(frame.dropna(how="all")))})
        if table == "plots":
            out[table].frame = out[table].frame.astype(object)
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def read_parquet_table(path: Path | str, table: str) -> RawTable:
    """Read one Parquet file; rows are numbered from 1 (records, no header line)."""
    path = Path(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds
        raise InputError(f"cannot be read as Parquet ({exc})", path=path) from None
    frame = frame.astype({c: object for c in frame.columns if frame[c].dtype == "string"})
    return _raw_table(table, path.name, frame, first_row=1)


# --------------------------------------------------------------------------- GeoJSON


def load_geojson(path: Path) -> object:
    """A GeoJSON file parsed within the reader limits, numbers kept as :class:`~decimal.Decimal` literals.

    Raises :class:`InputError` (one line: file and reason) for a file too large, not JSON, or nested
    or sized beyond the limits of :mod:`riskgraph.chain.limits`.
    """
    check_file_size(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"is not valid GeoJSON ({_first_line(exc)})", path=path) from None
    except RecursionError:
        raise InputError("is nested deeper than a JSON reader can follow (GeoJSON needs 7 levels)", path=path) from None
    check_geojson(data, path)
    return data


def geojson_literal(value) -> str:
    """JSON text of parsed GeoJSON with numbers written exactly as they were read."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(geojson_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {geojson_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


PLOT_PROPERTY_ALIASES = {"productionplace": "plot_id", "area": "area_ha", "producer_id": "actor_id"}


def read_geojson_plots(path: Path | str) -> RawTable:
    """Read EUDR-style plots: one row per feature, geometry kept as literal GeoJSON text.

    The plot id is the ``plot_id`` property, else the feature's ``id``, else
    ``ProductionPlace`` (the EU information system's field). Rows are numbered
    by feature, from 1.
    """
    path = Path(path)
    data = load_geojson(path)
    if isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    elif isinstance(data, dict) and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        raise InputError("is not a GeoJSON FeatureCollection or Feature", path=path)
    records = []
    id_sources: dict[str, int] = {}  # where plot ids came from, so messages can name the user's field
    for feature in features:
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") or {}
        record = {}
        for key, value in properties.items():
            column = normalise_header(key, "plots")
            column = PLOT_PROPERTY_ALIASES.get(column, column)
            if column == "plot_id" and "plot_id" not in record:
                id_sources[str(key)] = id_sources.get(str(key), 0) + 1
            record.setdefault(column, _plain(value))
        if "plot_id" not in record and feature.get("id") is not None:
            record["plot_id"] = _plain(feature["id"])
            id_sources["id (feature member)"] = id_sources.get("id (feature member)", 0) + 1
        geometry = feature.get("geometry")
        record["geometry"] = None if geometry is None else geojson_literal(geometry)
        records.append({k: (None if v is None else str(v) if not isinstance(v, str) else v) for k, v in record.items()})
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=["plot_id", "geometry"])
    frame = frame.astype(object).where(frame.notna(), np.nan)
    raw = _raw_table("plots", path.name, frame, first_row=1)
    if id_sources and "plot_id" not in id_sources:
        raw.original_columns.setdefault("plot_id", max(id_sources, key=id_sources.get))
    return raw


def write_geojson_plots(plots: pd.DataFrame, path: Path | str) -> None:
    """Write plots as a GeoJSON FeatureCollection, geometry text written verbatim."""
    features = []
    for record in plots.astype(object).to_dict("records"):
        geometry = record.pop("geometry")
        properties = {k: _json_value(v) for k, v in record.items() if not _isna(v)}
        features.append(
            '{"type": "Feature", "properties": ' + json.dumps(properties, ensure_ascii=False)
            + ', "geometry": ' + (geometry if isinstance(geometry, str) else "null") + "}"
        )
    Path(path).write_text('{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n", encoding="utf-8")


def _isna(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _json_value(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


# --------------------------------------------------------------------------- chains


def _find(folder: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".parquet", ".geojson", ".json", ".txt"):
        for candidate in (folder / f"{stem}{suffix}", folder / f"{stem.capitalize()}{suffix}", folder / f"{stem.upper()}{suffix}"):
            if candidate.is_file():
                return candidate
    return None


def _read_one(path: Path, table: str) -> RawTable:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet_table(path, table)
    if table == "plots" and suffix in (".geojson", ".json"):
        return read_geojson_plots(path)
    return read_csv_table(path, table)


def read_raw_tables(path: Path | str) -> dict[str, RawTable]:
    """The raw tables of a chain folder or workbook, before validation."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    if path.is_file():
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raw = read_excel_tables(path)
            plots = path.with_name(path.stem + ".plots.geojson")
            if "plots" not in raw and plots.is_file():
                raw["plots"] = read_geojson_plots(plots)
        else:
            raise InputError(
                "expected a chain folder (actors.csv + flows.csv) or an Excel workbook (.xlsx) with sheets 'actors' and 'flows'",
                path=path,
            )
    else:
        raw = {}
        for table in TABLES:
            found = _find(path, table)
            if found is not None:
                raw[table] = _read_one(found, table)
    missing = [t for t in ("actors", "flows") if t not in raw]
    if missing:
        raise InputError(
            f"no {' and no '.join(missing)} table found; a chain needs actors and flows "
            "(actors.csv/flows.csv, .parquet, or sheets in a workbook)",
            path=path,
        )
    return raw


def read_chain(path: Path | str, *, sector: str | None = None, on_error: str = "quarantine") -> Chain:
    """Read and validate a chain from a folder (CSV or Parquet) or an Excel workbook.

    Parameters
    ----------
    path : path-like
        A folder with ``actors`` and ``flows`` files, or an ``.xlsx`` workbook.
    sector : str, optional
        The sector of every actor when ``actors`` has no ``sector`` column.
    on_error : {"quarantine", "raise"}
        ``"quarantine"`` (default) keeps going: rejected rows are in
        ``chain.report.quarantine``. ``"raise"`` raises :class:`InputError` on
        the first file with errors, with a summary.

    Returns
    -------
    Chain
        The accepted rows; ``chain.report`` is the :class:`ValidationReport`.

    Raises
    ------
    InputError
        The path does not exist, is not a chain, or a file cannot be parsed.

    Examples
    --------
    >>> chain = read_chain(dataset_path("demo", "gold"))  # doctest: +SKIP
    >>> chain.report.ok  # doctest: +SKIP
    True
    """
    if on_error not in ("quarantine", "raise"):
        raise InputError(f"on_error must be 'quarantine' or 'raise', not {on_error!r}")
    path = Path(path)
    raw = read_raw_tables(path)
    chain, report = validate_tables(raw, sector=sector, name=path.stem if path.is_file() else path.name)
    if on_error == "raise" and not report.ok:
        first = report.errors["message"].head(5).tolist()
        raise InputError(f"{len(report.errors)} validation errors, first: " + " | ".join(first), path=path)
    return chain.replace(report=report)


def write_chain(chain: Chain, path: Path | str, *, format: str | None = None) -> Path:
    """Write a chain losslessly: a folder of CSV (default) or Parquet files, or an ``.xlsx`` workbook.

    Plots go to ``plots.geojson`` in a CSV folder, ``plots.parquet`` in a
    Parquet folder and a ``plots`` sheet (geometry as GeoJSON text) in a workbook.
    """
    path = Path(path)
    if format is None:
        format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    tables = dict(chain.tables)
    actors = tables.get("actors")
    if actors is not None and "country" in actors.columns and actors["country"].isna().any():
        # an actor kept without a country was stated unknown: write it so that it reads back alike
        tables["actors"] = actors.assign(country=actors["country"].astype(object).where(actors["country"].notna(),
                                                                                          UNKNOWN_COUNTRY))
    if format == "xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with excel_writer(path) as writer:
            for table, frame in tables.items():
                frame.to_excel(writer, sheet_name=table, index=False)
        return path
    if format not in ("csv", "parquet"):
        raise InputError(f"format must be 'csv', 'parquet' or 'xlsx', not {format!r}")
    path.mkdir(parents=True, exist_ok=True)
    for table, frame in tables.items():
        if format == "parquet":
            frame.to_parquet(path / f"{table}.parquet", index=False)
        elif table == "plots":
            write_geojson_plots(frame, path / "plots.geojson")
        else:
            write_csv(frame, path / f"{table}.csv")
    return path


__all__ = ["read_chain", "write_chain", "read_raw_tables", "normalise_header", "OPTIONAL_TABLES"]
