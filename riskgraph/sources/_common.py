"""What every importer shares: reason codes, cell helpers, importer-level findings, spreadsheet and CSV grids.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io as _io
import re
import unicodedata
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph._text import fold as _fold
from riskgraph.chain.countries import to_iso2
from riskgraph.errors import InputError
from riskgraph.chain.io import SEPARATORS
from riskgraph.chain.limits import check_text_file, check_workbook
from riskgraph.chain.model import Chain
from riskgraph.chain.validate import ERROR, ISSUE_COLUMNS, WARNING, RawTable, ValidationReport, validate_tables



class ImportReason(str, Enum):
    """Why an importer set a row aside or flagged a file. Codes appear in ``reason`` columns."""

    unmapped_row = "unmapped_row"
    unknown_metal = "unknown_metal"
    not_identified = "not_identified"
    missing_required_field = "missing_required_field"
    inconsistent_declaration = "inconsistent_declaration"
    invalid_smelter_id = "invalid_smelter_id"
    unknown_country = "unknown_country"
    cid_not_in_reference = "cid_not_in_reference"
    cid_under_two_metals = "cid_under_two_metals"
    closed_facility = "closed_facility"
    flows_not_derivable = "flows_not_derivable"
    flows_inferred = "flows_inferred"
    left_out = "left_out"
    duplicate_row = "duplicate_row"
    id_not_filled = "id_not_filled"
    default_stage = "default_stage"
    text_cleaned = "text_cleaned"

    def __str__(self) -> str:
        return self.value



# --------------------------------------------------------------------------- small helpers


HEADER_SCAN_ROWS = 30  # how far down a sheet the header row is looked for


def _key(text: object) -> str:
    """Folded, lower case, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", _fold(str(text))).split())


def _split_multi(text: object) -> list[str]:
    if _empty(text):
        return []
    return [p.strip() for p in re.split(r"\s*[|;]\s*", str(text)) if p.strip()]


def _empty(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip()
    )


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a person reads: ``None`` for empty, ``97220.0`` → ``'97220'``.

    Dates become ISO text; surrounding spaces and trailing TABs are stripped.

    >>> cell_text(97220.0), cell_text(" Viet Nam\\t"), cell_text(""), cell_text(0.125)
    ('97220', 'Viet Nam', None, '0.125')
    """
    if _empty(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, (_dt.datetime,)):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, (_dt.date,)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=None)
def _replacements() -> dict[int, str]:
    """``datasets/vocabulary/text_replacements.csv``: code point → replacement (applied after NFKC)."""
    table = pd.read_csv(dataset_path("vocabulary", "text_replacements.csv"), dtype=str, keep_default_na=False)
    return {int(cp.strip()[2:], 16): replacement for cp, replacement in zip(table["codepoint"], table["replacement"])}


def clean_text(value: object) -> str | None:
    """A cell's text with junk and full-width forms normalised: Unicode NFKC, then the replacement table.

    NFKC turns full-width letters, digits and punctuation into their plain
    forms (``，`` → ``,``, ``（`` → ``(``, ``Ａ`` → ``A``) and no-break spaces into
    spaces; :file:`datasets/vocabulary/text_replacements.csv` then replaces
    the characters an exporting program put where it could not show one
    (``□``, ``�``: a space) and drops zero-width spaces, and maps the CJK
    punctuation NFKC keeps (``、`` → ``, ``). Runs of spaces become one,
    spaces before punctuation go, a comma glued to the next word gets its
    space (never between digits: ``6,150`` stays). Non-text values are
    returned as :func:`cell_text` gives them.

    >>> clean_text("No.8□Road，Xinhui District（Jiangmen）")
    'No.8 Road, Xinhui District(Jiangmen)'
    >>> clean_text("  ＡＢＣ Garments\u00a0Ltd "), clean_text("□"), clean_text(97220.0)
    ('ABC Garments Ltd', None, '97220')
    """
    text = cell_text(value)
    if text is None or not isinstance(value, str):
        return text
    text = unicodedata.normalize("NFKC", text)
    replacements = _replacements()
    if any(ord(c) in replacements for c in text):
        text = "".join(replacements.get(ord(c), c) if ord(c) in replacements else c for c in text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:)])", r"\1", text)
    text = re.sub(r"([,;])(?=[^\W\d_])", r"\1 ", text)  # "301,Building" but never "6,150"
    return text.strip() or None


def country_code(value: object) -> str | None:
    """ISO alpha-2 for a country name or code (:func:`riskgraph.chain.countries.to_iso2`), ``None`` for empty cells.

    ``to_iso2`` also reads the ``Name (Qualifier)`` form of UN lists and RMI:

    >>> country_code("Korea (Republic of)"), country_code("BOLIVIA (PLURINATIONAL STATE OF)"), country_code("Viet Nam")
    ('KR', 'BO', 'VN')
    """
    return None if _empty(value) else to_iso2(value)


def actor_id(name: object, country: object, *, discriminator: object = None) -> str:
    """A deterministic actor id from a name and a country (and optionally an address).

    The id is ``<iso2>_<slug>_<hash>``: the country code in lower case (the
    folded text when it is not a known country), the first words of the
    folded name, and 8 hex digits of the SHA-1 of folded name, country and
    discriminator. Case, accents and punctuation do not change the id; any
    other spelling does.

    >>> actor_id("Fakir Apparels Ltd.", "Bangladesh") == actor_id("FAKIR APPARELS LTD", "BD")
    True
    >>> actor_id("Fakir Apparels Ltd.", "BD")
    'bd_fakir_apparels_ltd_34410ef1'
    """
    name_key = _key(name) if not _empty(name) else ""
    code = country_code(country)
    country_key = code if code else _key(country) if not _empty(country) else ""
    extra = _key(discriminator) if not _empty(discriminator) else ""
    digest = hashlib.sha1(f"{name_key}|{country_key.upper()}|{extra}".encode("utf-8")).hexdigest()[:8]
    slug = "_".join(re.sub(r"[^a-z0-9]+", " ", name_key).split())[:32].strip("_") or "actor"
    prefix = re.sub(r"[^a-z0-9]+", "", country_key.lower())[:8] or "xx"
    return f"{prefix}_{slug}_{digest}"


def _snake(header: object) -> str:
    text = _fold(str(header)).replace("%", " pct ")
    return "_".join(re.sub(r"[\W_]+", " ", text).split()) or "column"


def _nan_frame(records: list[dict], columns: Sequence[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns) if records or columns else pd.DataFrame()
    return frame.astype(object).where(frame.notna(), np.nan)


# --------------------------------------------------------------------------- importer-level findings


class _Pending:
    """Importer-level findings and quarantined rows, merged into the validation report at the end."""

    def __init__(self) -> None:
        self.issues: list[dict] = []
        self.quarantine: dict[str, list[dict]] = {}

    def issue(self, *, file, row, column, value, reason, message, severity=ERROR) -> None:
        where = f"{file} row {row}" if row is not None else f"{file}"
        self.issues.append({"severity": severity, "file": file, "row": row, "column": column,
                            "value": value, "reason": str(reason), "message": f"{where}: {message}"})

    def reject(self, table: str, *, file, row, record: dict, column, reason, message) -> None:
        self.issue(file=file, row=row, column=column, value=record.get(column), reason=reason, message=message)
        entry = {"file": file, "row": row, "reasons": message}
        entry.update({k: v for k, v in record.items() if not _empty(v)})
        self.quarantine.setdefault(table, []).append(entry)

    def issues_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.issues, columns=ISSUE_COLUMNS)


def _sort_issues(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    order = frame["severity"].map({ERROR: 0, WARNING: 1}).fillna(2)
    frame = frame.assign(_o=order).sort_values(["_o", "file", "row"], kind="stable", na_position="first")
    return frame.drop(columns="_o").reset_index(drop=True)[ISSUE_COLUMNS]


def _validated(raw: dict[str, RawTable], pending: _Pending, *, sector: str | None, name: str,
               merged_rows: dict[str, int] | None = None) -> Chain:
    """Validate mapped tables and merge the importer's own findings into one report.

    ``merged_rows`` counts, per table, rows that repeated an earlier row exactly and were merged
    into it (with a finding each): like empty rows they are counted apart (``merged_rows``), so
    rows in = accepted + quarantined still holds for the rows that became actors or were set aside.
    """
    chain, report = validate_tables(raw, sector=sector, name=name)
    issues = pd.concat([f for f in (pending.issues_frame(), report.issues) if len(f)] or [report.issues],
                       ignore_index=True)
    quarantine = dict(report.quarantine)
    counts = report.counts.copy()
    for table, entries in pending.quarantine.items():
        extra = pd.DataFrame(entries)
        quarantine[table] = (pd.concat([extra, quarantine[table]], ignore_index=True)
                             .sort_values("row", kind="stable").reset_index(drop=True)
                             if table in quarantine and len(quarantine[table]) else extra)
        at = counts["table"] == table
        counts.loc[at, "rows_in"] += len(entries)
        counts.loc[at, "quarantined"] += len(entries)
    if merged_rows is not None:
        counts["merged_rows"] = counts["table"].map(merged_rows).fillna(0).astype(int)
    merged = ValidationReport(issues=_sort_issues(issues), quarantine=quarantine, counts=counts)
    return chain.replace(report=merged)


def _empty_flows(file: str) -> RawTable:
    return RawTable(name="flows", file=file, frame=pd.DataFrame(columns=["source", "target"], dtype=object),
                    rows=np.array([], dtype=int))


# --------------------------------------------------------------------------- spreadsheets and CSV grids


def _read_grid(path: Path, sheet: str | int | None = None) -> list[list[object]]:
    """All cells of one sheet (cached values, formulas not evaluated), rows from A1."""
    from python_calamine import CalamineWorkbook

    check_workbook(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error classes for every format problem
        raise InputError(f"cannot be read as a spreadsheet (.xlsx, .xlsm, .xls): {exc}", path=path) from None
    names = book.sheet_names
    if sheet is None:
        sheet = names[0]
    if isinstance(sheet, str) and sheet not in names:
        raise InputError(f"has no sheet {sheet!r}; sheets present: {names}", path=path)
    try:
        target = book.get_sheet_by_name(sheet) if isinstance(sheet, str) else book.get_sheet_by_index(sheet)
        return target.to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged sheet
        message = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        raise InputError(f"sheet {sheet!r} cannot be read: {message}", path=path) from None


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    check_workbook(path)
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:
        raise InputError(f"cannot be read as a spreadsheet (.xlsx, .xlsm, .xls): {exc}", path=path) from None


def _read_csv_grid(path: Path) -> list[list[str]]:
    """A CSV file as rows of cells, separator sniffed on the widest of the first lines, UTF-8 or cp1252."""
    if not path.stat().st_size:
        raise InputError("the file is empty", path=path)
    check_text_file(path, separators=SEPARATORS)
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the file is empty", path=path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_count = ",", 0
    for sep in SEPARATORS:
        count = max((len(next(csv.reader([line], delimiter=sep), [])) for line in lines), default=0)
        if count > best_count:
            best, best_count = sep, count
    return [row for row in csv.reader(_io.StringIO(text, newline=""), delimiter=best)]


def _read_any_grid(path: Path, sheet: str | int | None = None) -> tuple[list[list[object]], str]:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        names = _sheet_names(path)
        chosen = sheet if sheet is not None else names[0]
        return _read_grid(path, chosen), f"{path.name}[{chosen}]"
    return _read_csv_grid(path), path.name
