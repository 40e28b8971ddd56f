"""Importers: the files members really have → the data contract.

Each importer maps a third-party format onto actors (and flows where the file
says who supplies whom) and then passes the mapped rows through the one
validation path, :func:`riskgraph.validate.validate_tables`, with the row
numbers the user sees in the file. Rows that cannot even be mapped (a CMRT
row without a metal, a smelter that is "not yet identified") go to an
importer-level quarantine with the same columns. Nothing is dropped silently:
for every table, rows in = accepted + quarantined (fully empty rows are
counted apart as ``empty_rows``).

=====================================  ==========================================
:func:`read_open_supply_hub`           Open Supply Hub facility export (CSV)
:func:`read_cmrt`                      RMI Conflict Minerals Reporting Template
                                       (6.x, and the legacy CFSI 3.01 layout)
:func:`read_rmi_smelter_list`          RMI smelter/refiner reference list
:func:`read_supplier_list`             plain supplier / factory lists (CSV, .xlsx,
                                       legacy .xls), header row detected
=====================================  ==========================================

Ids
---
Actors from an Open Supply Hub export take their ``os_id`` as id; smelters
from a CMRT their RMI id (``CID000123``). Actors from a plain supplier list
get a deterministic id from name and country (:func:`actor_id`), so the same
supplier spelled the same way gets the same id in every member's list; when
one file holds two suppliers with the same name in the same country (two
factories of one group), their address, city and postal code are added to
the key to keep them apart. Spelling variants across members are the job of
:mod:`riskgraph.match`.

Stages
------
A facility's stage is inferred from its facility/process type where the
words allow it (:data:`FACILITY_STAGES`, per sector; a facility doing
several steps gets the most downstream one, its output), else taken from the
``stage`` argument, else the row is reported (``unknown_stage``) with the
type text the file gave.
"""
from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io as _io
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from riskgraph.countries import _fold, to_iso2
from riskgraph.errors import InputError
from riskgraph.io import SEPARATORS, read_csv_table
from riskgraph.model import SECTORS, Chain, stage_table, stages_of
from riskgraph.validate import ERROR, ISSUE_COLUMNS, WARNING, RawTable, ValidationReport, validate_tables


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

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- vocabularies

#: Facility / process words → stage, per sector. Each pipe-separated item of a
#: facility or processing type is tested against every pattern; of the stages
#: found, the most downstream one is taken (a factory that knits, dyes and
#: sews ships garments).
FACILITY_STAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "textiles": (
        (r"ginn", "ginner"),
        (r"spinn|\byarn", "spinner"),
        (r"weav|knit(?!wear)|fabric|textile or material production|^materials?$|textile mill", "weaver_knitter"),
        (r"\bdye|dyeing|print|wash|laund|finishing|wet process|tanning|tannery", "wet_processor"),
        (r"sew|cutting|\bcut\b|assembl|garment|apparel|finished goods|final product|embroider|\bcmt\b|knitwear", "garment_maker"),
        (r"cotton farm|\bfarm\b|plantation|grower", "cotton_farm"),
        (r"\bbrand\b", "brand"),
        (r"retail", "retailer"),
    ),
    "food": (
        (r"\bfarm|plantation|\bestate\b|smallholder|grower|producer group", "farm"),
        (r"cooperative|co-?op\b|\bscoops?\b|coop-?ca|union of", "cooperative"),
        (r"\btrad|export|buying (station|centre|center)|aggregat|collect", "trader"),
        (r"refin|\bmill|crush|process|grind|roast|ferment|manufacturing plant|factory|packing|packhouse|slaughter", "processor"),
        (r"retail|supermarket", "retailer"),
    ),
    "natural_stone": (
        (r"quarr|\bmine\b|mining", "quarry"),
        (r"process|cutting|polish|\bsaw|factory|workshop|\bmill", "processor"),
        (r"export", "exporter"),
        (r"import", "importer"),
        (r"wholesal|distribut|stockist", "wholesaler"),
        (r"install|contractor", "installer"),
    ),
    "gold": (
        (r"artisanal|\basm\b|small.?scale", "mine_asm"),
        (r"large.?scale|industrial min", "mine_lsm"),
        (r"recycl|scrap", "recycler"),
        (r"\btrad|export|dealer|aggregat|comptoir", "trader"),
        (r"refin|smelt", "refiner"),
        (r"bullion|\bbank\b|vault", "bullion_bank"),
        (r"jewel|manufactur|fabricat|factory", "manufacturer"),
        (r"retail|\bshop\b|store", "retailer"),
    ),
}

#: Sector words in Open Supply Hub's ``sector`` field (and similar columns) → sector.
SECTOR_WORDS: tuple[tuple[str, str], ...] = (
    (r"apparel|textile|garment|footwear|leather|accessor|fashion|\byarn|fib(re|er)|cotton|home goods", "textiles"),
    (r"food|agricultur|beverage|cocoa|coffee|palm|sugar|\btea\b|dairy|meat|fish|fruit|vegetable|grain|soy|spice|nut", "food"),
    (r"stone|marble|granite|slate|sandstone|limestone|quartzite", "natural_stone"),
    (r"\bgold\b|jewel|precious metal", "gold"),
)

METALS = ("tantalum", "tin", "gold", "tungsten")  # the order of the CMRT declaration rows
_METAL_NAMES = {"tantalum": "tantalum", "tin": "tin", "gold": "gold", "tungsten": "tungsten", "wolfram": "tungsten"}
_CID = re.compile(r"^CID\d{6}$")
_PLACEHOLDER = re.compile(r"smelter not (listed|yet identified)", re.IGNORECASE)


def _stage_rank() -> dict[tuple[str, str], int]:
    table = stage_table()
    return {(s, st): int(o) for s, st, o in zip(table["sector"], table["stage"], table["order"])}


def infer_stage(texts: Iterable[object], sector: str | None) -> str | None:
    """The stage that facility/process type texts point to in a sector, or ``None``.

    Texts may be multi-valued (``|`` or ``;`` separated). A text that is a
    stage name or label of the sector is taken as it is. Of several stages
    found, the most downstream one wins.

    >>> infer_stage(["Knitting|Dyeing|Sewing"], "textiles")
    'garment_maker'
    >>> infer_stage(["Refinery | Manufacturing Plant"], "food")
    'processor'
    >>> infer_stage(["Office / HQ"], "textiles") is None
    True
    """
    if sector not in FACILITY_STAGES:
        return None
    stages = set(stages_of(sector))
    labels = {_key(label): stage for stage, label in zip(stage_table()["stage"], stage_table()["label_en"])
              if stage in stages}
    found: set[str] = set()
    for text in texts:
        for item in _split_multi(text):
            key = _key(item)
            if key.replace(" ", "_") in stages:
                found.add(key.replace(" ", "_"))
                continue
            if key in labels:
                found.add(labels[key])
                continue
            for pattern, stage in FACILITY_STAGES[sector]:
                if re.search(pattern, key):
                    found.add(stage)
    if not found:
        return None
    rank = _stage_rank()
    return max(sorted(found), key=lambda st: rank.get((sector, st), 0))


def infer_sector(text: object) -> str | None:
    """The riskgraph sector named by a sector text such as ``Apparel|Footwear``, or ``None``.

    ``None`` too when the text names several of riskgraph's sectors.

    >>> infer_sector("Agriculture|Food|Food & Beverage"), infer_sector("Government Registry")
    ('food', None)
    """
    found = set()
    for item in _split_multi(text):
        key = _key(item)
        if key.replace(" ", "_") in SECTORS:
            found.add(key.replace(" ", "_"))
            continue
        for pattern, sector in SECTOR_WORDS:
            if re.search(pattern, key):
                found.add(sector)
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------- small helpers


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


def country_code(value: object) -> str | None:
    """ISO alpha-2 for a country name or code (:func:`riskgraph.countries.to_iso2`), ``None`` for empty cells.

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


def _validated(raw: dict[str, RawTable], pending: _Pending, *, sector: str | None, name: str) -> Chain:
    """Validate mapped tables and merge the importer's own findings into one report."""
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
    merged = ValidationReport(issues=_sort_issues(issues), quarantine=quarantine, counts=counts)
    return chain.replace(report=merged)


def _empty_flows(file: str) -> RawTable:
    return RawTable(name="flows", file=file, frame=pd.DataFrame(columns=["source", "target"], dtype=object),
                    rows=np.array([], dtype=int))


# --------------------------------------------------------------------------- spreadsheets and CSV grids


def _read_grid(path: Path, sheet: str | int | None = None) -> list[list[object]]:
    """All cells of one sheet (cached values, formulas not evaluated), rows from A1."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error classes for every format problem
        raise InputError(f"cannot be read as a spreadsheet (.xlsx, .xlsm, .xls): {exc}", path=path) from None
    names = book.sheet_names
    if sheet is None:
        sheet = names[0]
    if isinstance(sheet, str) and sheet not in names:
        raise InputError(f"has no sheet {sheet!r}; sheets present: {names}", path=path)
    target = book.get_sheet_by_name(sheet) if isinstance(sheet, str) else book.get_sheet_by_index(sheet)
    return target.to_python(skip_empty_area=False)


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception as exc:
        raise InputError(f"cannot be read as a spreadsheet (.xlsx, .xlsm, .xls): {exc}", path=path) from None


def _read_csv_grid(path: Path) -> list[list[str]]:
    """A CSV file as rows of cells, separator sniffed on the widest of the first lines, UTF-8 or cp1252."""
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


# --------------------------------------------------------------------------- Open Supply Hub

OSH_REQUIRED = ("os_id", "name")
#: Open Supply Hub columns kept on the actors under these names.
OSH_EXTRAS = {
    "address": "address", "country_name": "country_name", "sector": "osh_sector",
    "contributor_list": "contributors", "contributor": "contributors", "number_of_workers": "number_of_workers",
    "parent_company": "parent_company", "facility_type": "facility_type", "processing_type": "processing_type",
    "processing_type_facility_type_raw": "processing_type_facility_type_raw", "product_type": "product_type",
    "is_closed": "is_closed", "contribution_date": "contribution_date",
}


def read_open_supply_hub(path: Path | str, *, sector: str | None = None, stage: str | None = None) -> Chain:
    """Read an Open Supply Hub facility export (CSV) as actors.

    Parameters
    ----------
    path : path-like
        The CSV downloaded from Open Supply Hub (17 columns: ``os_id,
        contribution_date, name, address, country_code, country_name, lat,
        lng, sector, …``).
    sector : str, optional
        The riskgraph sector of every facility (the covenant's sector). When
        not given it is inferred from OS Hub's ``sector`` field (``Apparel`` →
        textiles, ``Food|Agriculture`` → food); rows where that fails are
        reported (``unknown_sector``).
    stage : str, optional
        The stage of facilities whose facility/processing type does not name
        one (see :data:`FACILITY_STAGES`); without it such rows are reported
        (``unknown_stage``).

    Returns
    -------
    Chain
        Actors with ``id`` = ``os_id``, ``name``, ``country`` (from
        ``country_code``), ``lat``/``lon``, and OS Hub's fields as extra
        columns (multi-valued fields ``|``-separated, duplicates removed); no
        flows. ``chain.report`` holds every finding and the quarantine.

    Raises
    ------
    InputError
        The file is missing, unreadable, or lacks ``os_id`` or ``name``.

    Notes
    -----
    ``os_id`` is the key: OS Hub lists one company name on many facilities.
    Coordinates keep the precision the export gives (3 to 15 decimals).
    Facilities marked ``is_closed`` are kept with a warning.

    Examples
    --------
    >>> chain = read_open_supply_hub("facilities.csv", sector="food")  # doctest: +SKIP
    >>> chain.report.counts  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    raw = read_csv_table(path, "osh")
    frame = raw.frame
    frame.columns = [_snake(c) for c in frame.columns]
    missing = [c for c in OSH_REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            f"is not an Open Supply Hub export: column {missing[0]!r} is missing. Columns present: "
            f"{list(raw.original_columns.get(c, c) for c in raw.frame.columns)}",
            path=path,
        )
    if sector is not None and sector not in SECTORS:
        raise InputError(f"sector {sector!r} is not one of {list(SECTORS)}")
    pending = _Pending()
    records = []
    no_sector = no_stage = 0
    for position, row in enumerate(frame.itertuples(index=False)):
        cells = {c: cell_text(v) for c, v in zip(frame.columns, row)}
        country_text = cells.get("country_code") or cells.get("country_name") or cells.get("country")
        actor_sector = sector or infer_sector(cells.get("sector"))
        types = [cells.get(c) for c in ("facility_type", "processing_type", "processing_type_facility_type_raw")]
        actor_stage = infer_stage(types, actor_sector) or stage
        no_sector += actor_sector is None
        no_stage += actor_sector is not None and actor_stage is None
        if actor_stage is None:
            shown = " | ".join(t for t in types if t)
            actor_stage = shown  # validation reports it with the words the file gave (or empty)
        record = {
            "id": cells.get("os_id"), "name": cells.get("name"), "stage": actor_stage,
            "country": country_code(country_text) or country_text,
            "sector": actor_sector or cells.get("sector"),
            "lat": cells.get("lat"), "lon": cells.get("lng", cells.get("lon")), "os_id": cells.get("os_id"),
        }
        for column, target in OSH_EXTRAS.items():
            if column in cells and target not in record:
                value = cells[column]
                record[target] = "|".join(dict.fromkeys(_split_multi(value))) if value else None
        records.append(record)
        if (cells.get("is_closed") or "").lower() in ("true", "yes", "1"):
            pending.issue(file=raw.file, row=int(raw.rows[position]), column="is_closed", value=cells["is_closed"],
                          reason=ImportReason.closed_facility, severity=WARNING,
                          message="Open Supply Hub marks this facility as closed; it is kept")
    if no_sector:
        pending.issue(file=raw.file, row=None, column="sector", value=None, reason=ImportReason.unmapped_row,
                      severity=WARNING, message=f"{no_sector} facilities have an Open Supply Hub sector that names "
                      "none (or several) of riskgraph's sectors; pass sector=... (command line: --sector)")
    if no_stage:
        pending.issue(file=raw.file, row=None, column="facility_type", value=None, reason=ImportReason.unmapped_row,
                      severity=WARNING, message=f"{no_stage} facilities have no facility_type or processing_type "
                      "that names a stage; pass stage=... for them (command line: --stage)")
    actors = _nan_frame(records)
    original = {"id": "id (os_id)", "country": "country_code", "lon": "lng", "sector": "sector (riskgraph)",
                "stage": "stage (from facility_type/processing_type)"}
    actors_raw = RawTable(name="actors", file=raw.file, frame=actors, rows=raw.rows, original_columns=original,
                          empty_rows=raw.empty_rows)
    return _validated({"actors": actors_raw, "flows": _empty_flows(raw.file)}, pending, sector=sector,
                      name=path.stem)


# --------------------------------------------------------------------------- supplier lists

#: Header spellings (folded, punctuation as spaces) → field, for plain supplier lists.
SUPPLIER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "supplier name", "supplier", "factory name", "factory", "facility name", "facility",
             "company name", "company", "vendor name", "vendor", "site name", "producer name", "producer",
             "mill name", "organisation name", "organization name", "naam", "leverancier", "bedrijfsnaam",
             "leveranciersnaam", "fabriek", "business name", "legal name"),
    "country": ("country", "country region", "country name", "country code", "country iso", "iso2", "iso 2",
                "land", "country of facility", "facility country", "factory country", "supplier country"),
    "address": ("address", "street", "street address", "facility address", "factory address", "adres",
                "address line 1", "full address", "straat"),
    "city": ("city", "town", "plaats", "stad", "woonplaats"),
    "region": ("state", "province", "state province", "provincie", "state region", "county", "district"),
    "postal_code": ("postal code", "postcode", "zip", "zip code", "post code", "postal"),
    "product": ("product", "products", "product type", "product category", "product group", "producttype",
                "product categories"),
    "tier": ("tier", "supplier tier", "tier level", "tier no", "tier number", "tier nr", "schakel"),
    "stage": ("stage", "chain stage", "production stage", "supply chain stage", "ketenstap"),
    "facility_type": ("factory type", "facility type", "processing type", "process", "processes", "supplier type",
                      "type", "activity", "production process", "type of facility", "type of supplier"),
    "supplies_to": ("supplies to", "supplies", "customer", "buyer", "parent supplier", "delivers to",
                    "levert aan", "afnemer", "next tier", "tier 1 supplier", "customer name", "sold to"),
    "source_id": ("id", "supplier id", "factory id", "vendor id", "supplier code", "vendor code", "supplier number",
                  "leveranciersnummer"),
    "os_id": ("os id", "osh id", "open supply hub id", "os hub id"),
    "smelter_id": ("smelter id", "cid", "smelter identification number", "smelter identification"),
    "lat": ("lat", "latitude", "breedtegraad"),
    "lon": ("lon", "lng", "long", "longitude", "lengtegraad"),
    "commodity": ("commodity", "raw material", "grondstof", "material"),
    "sector": ("sector",),
}
#: Headers of columns with personal data (contact persons): never imported.
_PERSONAL_HEADER = re.compile(r"\b(contact|e ?mail|phone|telephone|fax|mobile|gsm)\b")
_HEADER_LOOKUP = {spelling: field for field, spellings in SUPPLIER_HEADERS.items() for spelling in spellings}
HEADER_SCAN_ROWS = 30


def _header_field(cell: object) -> str | None:
    if _empty(cell):
        return None
    return _HEADER_LOOKUP.get(_key(cell))


def _find_header(grid: list[list[object]], path: Path) -> int:
    """Index of the header row: the row among the first ones naming most known fields, with name and country."""
    best, best_score = None, 0
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        fields = {_header_field(c) for c in row} - {None}
        if {"name", "country"} <= fields and len(fields) > best_score:
            best, best_score = index, len(fields)
    if best is None:
        raise InputError(
            f"no header row with a supplier name and a country column in the first {HEADER_SCAN_ROWS} rows; "
            f"expected headers such as {list(SUPPLIER_HEADERS['name'][:4])} and {list(SUPPLIER_HEADERS['country'][:3])}",
            path=path,
        )
    return best


def _tier(value: object) -> int | None:
    if _empty(value):
        return None
    match = re.search(r"\d+", str(value))
    return int(match[0]) if match else None


def read_supplier_list(path: Path | str, *, sector: str, stage: str | None = None,
                       sheet: str | int | None = None) -> Chain:
    """Read a plain supplier or factory list (CSV, .xlsx or legacy .xls) as actors, and flows where derivable.

    Parameters
    ----------
    path : path-like
        A list with one supplier per row: name, address, country and
        optionally city, state, postal code, product, tier, stage or
        facility type, "supplies to". Header spellings vary
        (:data:`SUPPLIER_HEADERS`); the header row is detected among the
        first 30 rows (brand exports put a title above it).
    sector : str
        The sector of every supplier.
    stage : str, optional
        The stage of suppliers whose row names none (a ``stage`` column, or
        a facility type such as ``FINISHED GOODS`` or ``Spinning``).
    sheet : str or int, optional
        The sheet of a workbook (default: the first).

    Returns
    -------
    Chain
        Actors with deterministic ids (:func:`actor_id`) and the list's
        other columns as extras (numbers as written: postal code ``97220``,
        not ``97220.0``). Flows tier n → tier n−1 when the list has a tier
        column and a "supplies to" column naming the customer (by name or
        by the list's own supplier id), or when tier n−1 holds a single
        supplier; otherwise actors only, with a note in the report.

    Raises
    ------
    InputError
        Missing or unreadable file, unknown sector, or no header row with a
        name and a country column.

    Examples
    --------
    >>> chain = read_supplier_list("factories.xls", sector="textiles")  # doctest: +SKIP
    >>> chain.report.counts  # doctest: +SKIP
    """
    path = Path(path)
    if sector not in SECTORS:
        raise InputError(f"sector {sector!r} is not one of {list(SECTORS)}")
    if stage is not None and stage not in stages_of(sector):
        raise InputError(f"stage {stage!r} is not a stage of {sector}; expected one of {list(stages_of(sector))}")
    grid, file = _read_any_grid(path, sheet)
    header_index = _find_header(grid, path)
    header = grid[header_index]
    fields: dict[int, str] = {}
    extras: dict[int, str] = {}
    personal = []
    for position, cell in enumerate(header):
        field = _header_field(cell)
        if field and field not in fields.values():
            fields[position] = field
        elif not _empty(cell) and _PERSONAL_HEADER.search(_key(cell)):
            personal.append(str(cell).strip())
        elif not _empty(cell):
            name = _snake(cell)
            if name in SUPPLIER_HEADERS or name in ("id", "stage", "sector", "country", "name"):
                name = f"source_{name}"
            extras[position] = name
    header_text = {field: str(header[p]).strip() for p, field in fields.items()}

    pending = _Pending()
    if personal:
        pending.issue(file=file, row=None, column=", ".join(personal), value=None, reason=ImportReason.left_out,
                      severity=WARNING, message=f"columns with personal data are not imported: {personal}")
    records, rows, empty_rows = [], [], 0
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        cells = {field: cell_text(row[p]) if p < len(row) else None for p, field in fields.items()}
        extra = {name: cell_text(row[p]) if p < len(row) else None for p, name in extras.items()}
        if all(v is None for v in cells.values()) and all(v is None for v in extra.values()):
            empty_rows += 1
            continue
        records.append((cells, extra))
        rows.append(index + 1)
    # Trailing empty rows of a sheet are debris, counted as empty; empty rows inside the data likewise.

    keys = [(_key(c.get("name") or ""), country_code(c.get("country")) or _key(c.get("country") or ""))
            for c, _ in records]
    collisions = pd.Series(keys, dtype=object).duplicated(keep=False).to_numpy() if keys else np.array([], bool)
    actors, tiers = [], []
    for (cells, extra), collide in zip(records, collisions):
        country_text = cells.get("country")
        code = country_code(country_text)
        discriminator = None
        if collide:
            discriminator = " ".join(x for x in (cells.get("address"), cells.get("city"), cells.get("postal_code")) if x)
        explicit = _key(cells["stage"]).replace(" ", "_") if cells.get("stage") else None
        actor_stage = explicit if explicit in stages_of(sector) else infer_stage(
            [cells.get("stage"), cells.get("facility_type")], sector) or stage
        if actor_stage is None:
            actor_stage = cells.get("stage") or cells.get("facility_type")
        record = {
            "id": actor_id(cells.get("name"), country_text, discriminator=discriminator) if cells.get("name") else None,
            "name": cells.get("name"), "stage": actor_stage, "country": code or country_text, "sector": sector,
            "lat": cells.get("lat"), "lon": cells.get("lon"), "region": cells.get("region"),
            "os_id": cells.get("os_id"), "smelter_id": cells.get("smelter_id"), "commodity": cells.get("commodity"),
        }
        for field in ("address", "city", "postal_code", "product", "tier", "facility_type", "supplies_to", "source_id"):
            if field in cells:
                record[field] = cells[field]
        for name, value in extra.items():
            record.setdefault(name, value)
        actors.append(record)
        tiers.append(_tier(cells.get("tier")))

    original = {field: header_text[field] for field in ("name", "country", "region", "lat", "lon", "os_id",
                                                         "smelter_id", "commodity") if field in header_text}
    if "stage" in header_text or "facility_type" in header_text:
        original["stage"] = header_text.get("stage") or header_text["facility_type"]
    actors_frame = _nan_frame(actors)
    actors_raw = RawTable(name="actors", file=file, frame=actors_frame, rows=np.asarray(rows, dtype=int),
                          original_columns=original, empty_rows=empty_rows)
    flows_raw = _tier_flows(actors, tiers, rows, file, header_text, pending)
    return _validated({"actors": actors_raw, "flows": flows_raw}, pending, sector=sector, name=path.stem)


def _tier_flows(actors: list[dict], tiers: list[int | None], rows: list[int], file: str,
                header_text: dict[str, str], pending: _Pending) -> RawTable:
    """Flows tier n → tier n−1 where the list says (or leaves no doubt) who the customer is."""
    if "tier" not in header_text:
        return _empty_flows(file)
    by_name: dict[str, list[int]] = {}
    by_source: dict[str, list[int]] = {}
    for i, actor in enumerate(actors):
        if actor.get("name"):
            by_name.setdefault(_key(actor["name"]), []).append(i)
        if actor.get("source_id"):
            by_source.setdefault(str(actor["source_id"]).strip(), []).append(i)
    by_tier: dict[int, list[int]] = {}
    for i, tier in enumerate(tiers):
        if tier is not None:
            by_tier.setdefault(tier, []).append(i)
    records, flow_rows, inferred = [], [], 0
    for i, (actor, tier) in enumerate(zip(actors, tiers)):
        if tier is None or tier <= 1 and not actor.get("supplies_to"):
            continue  # tier 1 supplies the member itself, who is not in its own list
        target_text = actor.get("supplies_to")
        if target_text:
            candidates = by_source.get(str(target_text).strip()) or by_name.get(_key(target_text), [])
            if len(candidates) > 1:
                candidates = [c for c in candidates if tiers[c] == tier - 1] or candidates
            target = actors[candidates[0]]["id"] if len(candidates) == 1 else target_text
        elif len(by_tier.get(tier - 1, [])) == 1:
            target = actors[by_tier[tier - 1][0]]["id"]
            inferred += 1
        else:
            continue
        records.append({"source": actor["id"], "target": target, "tier": str(tier)})
        flow_rows.append(rows[i])
    if "supplies_to" not in header_text:
        deeper = sum(1 for t in tiers if t is not None and t > 1)
        if deeper > inferred:
            pending.issue(file=file, row=None, column=header_text["tier"], value=None,
                          reason=ImportReason.flows_not_derivable, severity=WARNING,
                          message=f"{deeper - inferred} suppliers at tier 2 or deeper have no 'supplies to' column "
                                  "naming their customer and tier n−1 holds several suppliers; they are imported as "
                                  "actors without flows")
    if inferred:
        pending.issue(file=file, row=None, column=header_text["tier"], value=None,
                      reason=ImportReason.flows_inferred, severity=WARNING,
                      message=f"{inferred} flows tier n → tier n−1 inferred because tier n−1 holds a single supplier")
    original = {"target": header_text.get("supplies_to", "tier")}
    frame = _nan_frame(records, columns=["source", "target", "tier"])
    return RawTable(name="flows", file=file, frame=frame, rows=np.asarray(flow_rows, dtype=int),
                    original_columns=original)


# --------------------------------------------------------------------------- RMI reference list


def read_rmi_smelter_list(path: Path | str) -> pd.DataFrame:
    """Read the RMI smelter/refiner reference list: one row per (metal, smelter id), aliases as a list.

    Parameters
    ----------
    path : path-like
        The list as CSV (columns ``Metal, Smelter Look-up (*), Standard
        Smelter Names, Smelter Facility Location: Country, Smelter ID, …``,
        as on the ``Smelter Look-up`` sheet of a CMRT) or a CMRT workbook,
        whose ``Smelter Look-up`` sheet is read.

    Returns
    -------
    DataFrame
        ``metal`` (lower case), ``smelter_id``, ``name`` (standard name),
        ``aliases`` (list of the other look-up names), ``country`` (ISO
        alpha-2), ``country_raw``, ``city``, ``state``, ``status``
        (``listed``, or ``not_listed`` / ``not_identified`` for the
        placeholder rows each metal ends with), ``rows`` (source rows) and
        ``n_rows``; the sum of ``n_rows`` is the number of data rows read.

    Examples
    --------
    >>> rmi = read_rmi_smelter_list("rmi_smelter_lookup.csv")  # doctest: +SKIP
    >>> rmi.loc[rmi["status"] == "listed"].groupby("metal").size()  # doctest: +SKIP
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        grid, file = _read_any_grid(path, "Smelter Look-up")
    else:
        grid, file = _read_any_grid(path)
    header_index = None
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        keys = [_key(c) if not _empty(c) else "" for c in row]
        if "metal" in keys and "smelter id" in keys:
            header_index = index
            break
    if header_index is None:
        raise InputError("no header row with 'Metal' and 'Smelter ID' found; is this the RMI smelter look-up list?",
                         path=path)
    keys = [_key(c) if not _empty(c) else "" for c in grid[header_index]]

    def column(*names: str) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    at = {"metal": column("metal"), "lookup": column("smelter look up", "smelter names"),
          "standard": column("standard smelter names", "standard smelter name"),
          "country": column("smelter facility location country", "country location", "country"),
          "smelter_id": column("smelter id"), "city": column("smelter city"),
          "state": column("smelter facility location state province")}
    groups: dict[tuple, dict] = {}
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        cells = {k: (cell_text(row[p]) if p is not None and p < len(row) else None) for k, p in at.items()}
        if not any(cells.values()):
            continue
        metal = _METAL_NAMES.get(_key(cells["metal"] or ""), _key(cells["metal"] or "") or None)
        lookup = cells["lookup"] or ""
        cid = (cells["smelter_id"] or "").upper() or None
        if cid:
            key, status = (metal, cid), "listed"
        else:
            placeholder = _PLACEHOLDER.search(lookup)
            status = ("not_identified" if "identified" in lookup.lower() else "not_listed") if placeholder else "no_id"
            key = (metal, None, _key(lookup))
        entry = groups.get(key)
        if entry is None:
            groups[key] = entry = {
                "metal": metal, "smelter_id": cid, "name": cells["standard"] or lookup or None, "aliases": [],
                "country_raw": cells["country"], "country": country_code(cells["country"]),
                "city": cells["city"], "state": cells["state"], "status": status, "rows": [], "n_rows": 0,
            }
        if lookup and lookup != entry["name"] and lookup not in entry["aliases"]:
            entry["aliases"].append(lookup)
        entry["rows"].append(index + 1)
        entry["n_rows"] += 1
    frame = pd.DataFrame(list(groups.values()),
                         columns=["metal", "smelter_id", "name", "aliases", "country", "country_raw", "city",
                                  "state", "status", "rows", "n_rows"])
    frame.attrs["file"] = file
    return frame


# --------------------------------------------------------------------------- CMRT

#: Smelter List columns A–Q by position (the header text depends on the template's language).
CMRT_COLUMNS = ("input_id", "metal", "lookup_name", "smelter_name", "country_raw", "smelter_id", "id_source",
                "street", "city", "state", "contact_name", "contact_email", "next_steps", "mine_names",
                "mine_countries", "recycled", "comments")
#: Columns that formulas fill with 0 when the referenced cell is blank.
_FORMULA_TEXT = {"lookup_name", "smelter_name", "country_raw", "smelter_id", "id_source", "street", "city", "state",
                 "contact_name", "contact_email", "next_steps", "mine_names", "mine_countries", "recycled", "comments"}
#: Columns that may hold personal data; they are neither stored nor written.
_PERSONAL = {"contact_name", "contact_email"}
#: Declaration company block: field → row (column D), as in CMRT 3.x–6.x.
CMRT_DECLARATION_ROWS = {
    "company_name": 8, "declaration_scope": 9, "scope_description": 10, "company_unique_id": 12,
    "company_unique_id_authority": 13, "address": 14, "contact_name": 15, "contact_email": 16,
    "contact_phone": 17, "authorizer": 18, "authorizer_title": 19, "authorizer_email": 20,
    "authorizer_phone": 21, "effective_date": 22,
}
_PERSONAL_FIELDS = {"contact_name", "contact_email", "contact_phone", "authorizer", "authorizer_email",
                    "authorizer_phone"}
#: First row of question 1 (is the metal used?) and question 2 (does it remain in the product?).
CMRT_QUESTION_ROWS = {"used": 26, "in_product": 32}
SMELTER_HEADER_ROW = 4


@dataclass
class CmrtReport:
    """What one CMRT says: the declaration, the smelters, and what does not add up.

    Attributes
    ----------
    file : str
        The file name.
    version : str or None
        Template revision, e.g. ``"6.4"`` (from ``Declaration!J3``).
    declaration : dict
        Company block (name, scope, unique id, address, effective date) and
        the answers per metal to question 1 (``used``) and 2
        (``in_product``). Contact names, e-mails and phones are never kept.
    smelters : DataFrame
        One row per (metal, smelter id) — rows that repeat a CID (one per
        mine) are merged, ``count`` says how many — with ``metal,
        smelter_id, name, country, country_raw, lookup_name, smelter_name,
        id_source, street, city, state, next_steps, mine_names,
        mine_countries, recycled, comments, status, count, rows, row, file``.
    findings : DataFrame
        ``severity, file, row, column, value, reason, message``: missing
        required fields, declaration vs smelter-list inconsistencies,
        malformed ids, unknown countries. Reported, never fixed.
    quarantine : DataFrame
        Smelter List rows that could not be mapped (no metal, unknown
        metal), with their values and reasons.
    counts : dict
        ``rows_in`` (non-empty Smelter List rows) = ``merged_into`` rows of
        ``smelters`` + ``quarantined``; ``smelters`` distinct.
    """

    file: str
    version: str | None
    revision: str | None
    declaration: dict
    smelters: pd.DataFrame
    findings: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when there is no error-level finding and nothing was quarantined."""
        return not (self.findings["severity"] == ERROR).any() and self.quarantine.empty

    def smelter_counts(self) -> pd.Series:
        """Distinct smelters per metal."""
        identified = self.smelters[self.smelters["status"] != "not_identified"]
        return identified.groupby("metal").size().rename("smelters")

    def to_actors(self, *, metals: Sequence[str] = ("gold",)) -> Chain:
        """The listed smelters and refiners as actors of the gold chain (stage ``refiner``).

        Parameters
        ----------
        metals : sequence of str
            Metals to include (default gold only: riskgraph's sectors have
            a gold chain; tin, tantalum and tungsten smelters are placed at
            the same ``refiner`` stage when asked for, with the metal as
            commodity).

        Returns
        -------
        Chain
            Actors with ``id`` = smelter id (a generated :func:`actor_id`
            for "smelter not listed" rows), ``smelter_id``, ``country``,
            ``commodity`` = metal, validated; "not yet identified" rows are
            quarantined, metals left out are noted in the report.
        """
        wanted = {_METAL_NAMES.get(_key(m), _key(m)) for m in metals}
        pending = _Pending()
        file = f"{self.file}[Smelter List]"
        records, rows = [], []
        for record in self.smelters.to_dict("records"):
            record = {k: (None if _empty(v) else v) for k, v in record.items()}
            if record["metal"] not in wanted:
                continue
            row = int(record["row"])
            if record["status"] == "not_identified":
                pending.reject("actors", file=file, row=row, record={"metal": record["metal"],
                               "name": record["lookup_name"]}, column="smelter_id",
                               reason=ImportReason.not_identified,
                               message="the smelter is 'not yet identified'; it cannot become an actor")
                continue
            actor = {
                "id": record["smelter_id"] or actor_id(record["name"], record["country"] or record["country_raw"]),
                "name": record["name"], "stage": "refiner",
                "country": record["country"] or record["country_raw"], "sector": "gold",
                "commodity": record["metal"], "smelter_id": record["smelter_id"],
                "city": record["city"], "state": record["state"], "cmrt_rows": record["rows"],
            }
            records.append(actor)
            rows.append(row)
        left_out = self.smelters[~self.smelters["metal"].isin(wanted)]
        if len(left_out):
            summary = ", ".join(f"{n} {m}" for m, n in left_out.groupby("metal").size().items())
            pending.issue(file=file, row=None, column="metal", value=None, reason=ImportReason.left_out,
                          severity=WARNING, message=f"smelters of other metals left out of the actors ({summary}); "
                                                    f"pass metals=... to include them")
        actors = _nan_frame(records, columns=["id", "name", "stage", "country", "sector", "commodity", "smelter_id",
                                              "city", "state", "cmrt_rows"])
        raw = RawTable(name="actors", file=file, frame=actors, rows=np.asarray(rows, dtype=int),
                       original_columns={"country": "Smelter Country", "smelter_id": "Smelter Identification",
                                         "name": "Smelter Look-up / Smelter Name"})
        return _validated({"actors": raw, "flows": _empty_flows(file)}, pending, sector="gold",
                          name=Path(self.file).stem)


def _declaration_text(grid: list[list[object]], row: int, column: int = 3) -> str | None:
    if row - 1 >= len(grid) or column >= len(grid[row - 1]):
        return None
    value = grid[row - 1][column]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        return None  # a formula's 0 for an empty cell
    return cell_text(value)


def _parse_date(text: str | None) -> str | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d-%b-%Y", "%d-%B-%Y", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return _dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _lookup_table(path: Path, names: list[str]) -> dict[tuple[str, str], str]:
    """The workbook's own smelter look-up: (metal, look-up name) → CID, as the template's formulas use it."""
    table: dict[tuple[str, str], str] = {}
    if "Smelter Look-up" in names:
        grid = _read_grid(path, "Smelter Look-up")
        header = next((i for i, row in enumerate(grid[:HEADER_SCAN_ROWS])
                       if any(_key(c) == "smelter id" for c in row if not _empty(c))), None)
        if header is not None:
            keys = [_key(c) if not _empty(c) else "" for c in grid[header]]
            m, n, s = keys.index("metal") if "metal" in keys else 0, 1, keys.index("smelter id")
            for row in grid[header + 1:]:
                if len(row) > s and not _empty(row[s]):
                    table[(_key(row[m]), _key(row[n]))] = str(row[s]).strip().upper()
    elif "K" in names:  # CFSI 3.x keeps its reference names on a hidden sheet 'K': metal, name, …, id in F
        for row in _read_grid(path, "K")[1:]:
            if len(row) > 5 and not _empty(row[5]) and not _empty(row[0]):
                table[(_key(row[0]), _key(row[1]))] = str(row[5]).strip().upper()
    return table


def _old_ids(path: Path, names: list[str]) -> dict[str, str]:
    """CFSI 3.x ``Standard Smelter Names``: old smelter id → new CID."""
    if "Standard Smelter Names" not in names:
        return {}
    out = {}
    for row in _read_grid(path, "Standard Smelter Names"):
        if len(row) > 4 and not _empty(row[3]) and isinstance(row[4], str) and _CID.match(row[4].strip()):
            out[str(row[3]).strip().upper()] = row[4].strip()
    return out


def read_cmrt(path: Path | str) -> CmrtReport:
    """Read a Conflict Minerals Reporting Template (RMI CMRT 6.x, or the legacy CFSI 3.01 layout).

    Parameters
    ----------
    path : path-like
        The CMRT workbook (.xlsx, .xlsm or .xls).

    Returns
    -------
    CmrtReport
        The declaration, the smelters (de-duplicated per metal and smelter
        id, with the count of rows merged), the findings and the rows that
        could not be mapped. ``report.to_actors()`` gives refiner actors.

    Raises
    ------
    InputError
        The file is missing, unreadable, or has no ``Smelter List`` or
        ``Declaration`` sheet.

    Notes
    -----
    Columns are mapped by position (A input id, B metal, C look-up name, D
    smelter name, E country, F smelter id, G id source, H street, I city, J
    state, K–L contact, M next steps, N mine names, O mine countries, P 100 %
    recycled, Q comments): the header texts are formulas whose cached value
    depends on the language chosen in ``Declaration!D3``. The header is on
    row 4, data from row 5. Cached values are read (formulas are not
    evaluated); a formula's ``0`` for a blank cell counts as empty. When the
    smelter id is empty but the look-up name is one of the workbook's own
    look-up names, the id is taken from the workbook's look-up table (as
    the template's formulas would); in CFSI 3.x files old ids such as
    ``1DEU001`` are translated with the ``Standard Smelter Names`` sheet.
    Contact names and e-mails (personal data) are neither kept nor written.

    Examples
    --------
    >>> report = read_cmrt("supplier_cmrt.xlsx")  # doctest: +SKIP
    >>> report.smelter_counts(), report.findings[["reason", "message"]]  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    names = _sheet_names(path)
    for sheet in ("Declaration", "Smelter List"):
        if sheet not in names:
            raise InputError(f"is not a CMRT: sheet {sheet!r} is missing. Sheets present: {names}", path=path)
    declaration_grid = _read_grid(path, "Declaration")
    smelter_grid = _read_grid(path, "Smelter List")
    decl_file, smelter_file = f"{path.name}[Declaration]", f"{path.name}[Smelter List]"
    findings = _Pending()

    revision = _declaration_text(declaration_grid, 3, 9)
    version_match = re.search(r"(\d+\.\d+)", revision or "")
    version = version_match[1] if version_match else None
    declaration: dict[str, object] = {"version": version, "revision": revision}
    for name, row in CMRT_DECLARATION_ROWS.items():
        value = _declaration_text(declaration_grid, row)
        label = _declaration_text(declaration_grid, row, 1) or name
        mandatory = "(*)" in label
        if name not in _PERSONAL_FIELDS:
            declaration[name] = value
        if mandatory and value is None:
            shown = re.sub(r"\s*\(\*\)\s*:?\s*$", "", label).strip() or name
            findings.issue(file=decl_file, row=row, column=f"{shown} (D{row})", value=None,
                           reason=ImportReason.missing_required_field,
                           message=f"required field '{shown}' (cell D{row}) is empty")
    if declaration.get("effective_date"):
        declaration["effective_date"] = _parse_date(str(declaration["effective_date"])) or declaration["effective_date"]
    for question, first in CMRT_QUESTION_ROWS.items():
        declaration[question] = {metal: _declaration_text(declaration_grid, first + i) for i, metal in enumerate(METALS)}
    if not any(declaration["used"].values()):
        findings.issue(file=decl_file, row=CMRT_QUESTION_ROWS["used"], column="question 1 (D26:D29)", value=None,
                       reason=ImportReason.missing_required_field,
                       message="question 1 (is 3TG intentionally added or used?) is unanswered for every metal")

    lookup = _lookup_table(path, names)
    old_ids = _old_ids(path, names)
    quarantine = []
    mapped = []
    rows_in = 0
    for index in range(SMELTER_HEADER_ROW, len(smelter_grid)):
        row = list(smelter_grid[index][:len(CMRT_COLUMNS)]) + [None] * max(0, len(CMRT_COLUMNS) - len(smelter_grid[index]))
        cells = {}
        for name, value in zip(CMRT_COLUMNS, row):
            if name in _FORMULA_TEXT and isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
                value = None
            text = cell_text(value)
            if text in ("#N/A", "#REF!", "#VALUE!"):
                text = None
            cells[name] = text
        if not any(cells.values()):
            continue
        rows_in += 1
        number = index + 1
        public = {k: v for k, v in cells.items() if k not in _PERSONAL}
        metal = _METAL_NAMES.get(_key(cells["metal"] or ""))
        if cells["metal"] is None:
            entry = {"file": smelter_file, "row": number,
                     "reasons": "metal (column B) is empty; a smelter row needs its metal"}
            quarantine.append(entry | {k: v for k, v in public.items() if v})
            findings.issue(file=smelter_file, row=number, column="metal (B)", value=None,
                           reason=ImportReason.unmapped_row, message=entry["reasons"])
            continue
        if metal is None:
            entry = {"file": smelter_file, "row": number,
                     "reasons": f"metal '{cells['metal']}' is not one of tin, tantalum, tungsten, gold"}
            quarantine.append(entry | {k: v for k, v in public.items() if v})
            findings.issue(file=smelter_file, row=number, column="metal (B)", value=cells["metal"],
                           reason=ImportReason.unknown_metal, message=entry["reasons"])
            continue
        public["metal"] = metal
        cid = (cells["smelter_id"] or cells["input_id"] or "").strip().upper() or None
        source = cells["id_source"]
        if cid and not _CID.match(cid):
            if cid in old_ids:
                cid, source = old_ids[cid], "old id translated (Standard Smelter Names)"
            else:
                findings.issue(file=smelter_file, row=number, column="Smelter Identification (F)", value=cid,
                               reason=ImportReason.invalid_smelter_id, severity=WARNING,
                               message=f"smelter id '{cid}' is not of the form CID000000; kept without an id")
                cid = None
        lookup_name = cells["lookup_name"]
        placeholder = bool(lookup_name and _PLACEHOLDER.search(lookup_name))
        if cid is None and lookup_name and not placeholder:
            found = lookup.get((metal, _key(lookup_name)))
            if found:
                cid, source = found, "workbook look-up"
        if placeholder and "identified" in lookup_name.lower():
            status = "not_identified"
        elif cid:
            status = "identified"
        else:
            status = "not_listed"
        name = lookup_name if lookup_name and not placeholder else cells["smelter_name"]
        if status == "not_identified":
            name = cells["smelter_name"] or lookup_name
        country = country_code(cells["country_raw"])
        if cells["country_raw"] and country is None and status != "not_identified":
            findings.issue(file=smelter_file, row=number, column="Smelter Country (E)", value=cells["country_raw"],
                           reason=ImportReason.unknown_country, severity=WARNING,
                           message=f"smelter country '{cells['country_raw']}' is not a known country")
        if status == "not_listed" and not name:
            findings.issue(file=smelter_file, row=number, column="Smelter Name (D)", value=None,
                           reason=ImportReason.missing_required_field, severity=WARNING,
                           message="'Smelter not listed' but no smelter name in column D")
        public.update({"smelter_id": cid, "id_source": source, "name": name, "country": country,
                       "status": status, "row": number})
        mapped.append(public)

    smelters = _merge_smelter_rows(mapped, path.name)
    clash = smelters.dropna(subset=["smelter_id"]).groupby("smelter_id")["metal"].nunique()
    for cid in clash[clash > 1].index:
        rows = smelters.loc[smelters["smelter_id"] == cid, "row"].tolist()
        findings.issue(file=smelter_file, row=int(rows[0]), column="Smelter Identification (F)", value=cid,
                       reason=ImportReason.cid_under_two_metals, severity=WARNING,
                       message=f"smelter id {cid} is listed under several metals (rows {', '.join(map(str, rows))})")
    listed = set(smelters.loc[smelters["status"] != "not_identified", "metal"])
    for metal in METALS:
        answer = (declaration["used"].get(metal) or "").strip()
        row = CMRT_QUESTION_ROWS["used"] + METALS.index(metal)
        if answer.lower().startswith("yes") and metal not in listed:
            findings.issue(file=decl_file, row=row, column="question 1", value=answer,
                           reason=ImportReason.inconsistent_declaration, severity=WARNING,
                           message=f"{metal} is declared as used (question 1: '{answer}') but no {metal} smelter "
                                   "is listed on the Smelter List")
        if answer.lower().startswith("no") and metal in listed:
            count = int((smelters["metal"] == metal).sum())
            findings.issue(file=decl_file, row=row, column="question 1", value=answer,
                           reason=ImportReason.inconsistent_declaration, severity=WARNING,
                           message=f"{metal} is declared as not used (question 1: '{answer}') but the Smelter List "
                                   f"names {count} {metal} smelter(s)")
    quarantine_frame = pd.DataFrame(quarantine)
    counts = {"rows_in": rows_in, "merged_into": int(smelters["count"].sum()) if len(smelters) else 0,
              "smelters": len(smelters), "quarantined": len(quarantine)}
    return CmrtReport(file=path.name, version=version, revision=revision, declaration=declaration,
                      smelters=smelters, findings=_sort_issues(findings.issues_frame()),
                      quarantine=quarantine_frame, counts=counts)


SMELTER_COLUMNS = ["metal", "smelter_id", "name", "country", "country_raw", "lookup_name", "smelter_name",
                   "id_source", "street", "city", "state", "next_steps", "mine_names", "mine_countries", "recycled",
                   "comments", "status", "count", "rows", "row", "file"]


def _merge_smelter_rows(mapped: list[dict], file: str) -> pd.DataFrame:
    """One row per (metal, CID) — or per (metal, name, country) without a CID — with the count merged."""
    groups: dict[tuple, dict] = {}
    for record in mapped:
        if record["smelter_id"]:
            key = (record["metal"], record["smelter_id"])
        else:
            key = (record["metal"], None, _key(record["name"] or ""), record["country"] or record["country_raw"],
                   record["status"])
        entry = groups.get(key)
        if entry is None:
            groups[key] = entry = dict(record) | {"count": 0, "rows": [], "mine_names": None, "mine_countries": None}
            entry["_mines"], entry["_mine_countries"] = [], []
        entry["count"] += 1
        entry["rows"].append(record["row"])
        for source, target in (("mine_names", "_mines"), ("mine_countries", "_mine_countries")):
            if record.get(source) and record[source] not in entry[target]:
                entry[target].append(record[source])
    out = []
    for entry in groups.values():
        entry["mine_names"] = " | ".join(entry.pop("_mines")) or None
        entry["mine_countries"] = " | ".join(entry.pop("_mine_countries")) or None
        entry["row"] = entry["rows"][0]
        entry["rows"] = ", ".join(map(str, entry["rows"]))
        entry["file"] = file
        out.append(entry)
    return pd.DataFrame(out, columns=SMELTER_COLUMNS)


def compare_with_rmi(smelters: pd.DataFrame, rmi: pd.DataFrame) -> pd.DataFrame:
    """Check the smelter ids of CMRT smelters against the RMI reference list.

    Parameters
    ----------
    smelters : DataFrame
        ``CmrtReport.smelters`` (or several concatenated).
    rmi : DataFrame
        :func:`read_rmi_smelter_list`.

    Returns
    -------
    DataFrame
        ``smelters`` with ``rmi_status`` — ``listed`` (the (metal, CID)
        pair is on the list), ``other_metal`` (the CID is listed under
        another metal), ``unknown_cid`` (not on the list: retired, merged or
        mistyped), ``no_cid`` — and ``rmi_name``, the list's standard name.
    """
    listed = rmi.loc[rmi["status"] == "listed"]
    by_pair = {(m, c): n for m, c, n in zip(listed["metal"], listed["smelter_id"], listed["name"])}
    by_cid = {c: n for c, n in zip(listed["smelter_id"], listed["name"])}
    status, names = [], []
    for metal, cid in zip(smelters["metal"], smelters["smelter_id"]):
        if _empty(cid):
            status.append("no_cid")
            names.append(None)
        elif (metal, cid) in by_pair:
            status.append("listed")
            names.append(by_pair[(metal, cid)])
        elif cid in by_cid:
            status.append("other_metal")
            names.append(by_cid[cid])
        else:
            status.append("unknown_cid")
            names.append(None)
    return smelters.assign(rmi_status=status, rmi_name=names)


def cmrt_tables(reports: Sequence[CmrtReport], *, rmi: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Several CMRTs as tables: ``smelters``, ``declarations``, ``findings``, ``quarantine``.

    With ``rmi`` (:func:`read_rmi_smelter_list`) the smelters carry
    ``rmi_status``/``rmi_name`` and every smelter id not on the list is a
    finding (``cid_not_in_reference``).
    """
    smelters = pd.concat([r.smelters for r in reports], ignore_index=True) if reports else pd.DataFrame(
        columns=SMELTER_COLUMNS)
    findings = [r.findings for r in reports if len(r.findings)]
    if rmi is not None and len(smelters):
        smelters = compare_with_rmi(smelters, rmi)
        extra = _Pending()
        for record in smelters[smelters["rmi_status"].isin(["unknown_cid", "other_metal"])].to_dict("records"):
            what = ("is not on the RMI reference list" if record["rmi_status"] == "unknown_cid"
                    else f"is on the RMI reference list under another metal ({record['rmi_name']})")
            extra.issue(file=f"{record['file']}[Smelter List]", row=int(record["row"]),
                        column="Smelter Identification (F)", value=record["smelter_id"],
                        reason=ImportReason.cid_not_in_reference, severity=WARNING,
                        message=f"{record['metal']} smelter {record['smelter_id']} ({record['name']}) {what}")
        if extra.issues:
            findings.append(extra.issues_frame())
    declarations = pd.DataFrame([
        {"file": r.file, "version": r.version, **{k: v for k, v in r.declaration.items() if not isinstance(v, dict)},
         **{f"{q}_{m}": a for q in CMRT_QUESTION_ROWS for m, a in r.declaration[q].items()},
         "smelter_rows": r.counts.get("rows_in"), "smelters": r.counts.get("smelters")}
        for r in reports
    ])
    quarantine = [r.quarantine for r in reports if len(r.quarantine)]
    return {
        "smelters": smelters,
        "declarations": declarations,
        "findings": _sort_issues(pd.concat(findings, ignore_index=True)) if findings else pd.DataFrame(
            columns=ISSUE_COLUMNS),
        "quarantine": pd.concat(quarantine, ignore_index=True) if quarantine else pd.DataFrame(
            columns=["file", "row", "reasons"]),
    }


__all__ = [
    "CmrtReport",
    "FACILITY_STAGES",
    "ImportReason",
    "SUPPLIER_HEADERS",
    "actor_id",
    "cell_text",
    "cmrt_tables",
    "compare_with_rmi",
    "country_code",
    "infer_sector",
    "infer_stage",
    "read_cmrt",
    "read_open_supply_hub",
    "read_rmi_smelter_list",
    "read_supplier_list",
]
