"""RMI Conflict Minerals Reporting Template (CMRT 6.x and the legacy CFSI 3.01 layout) → smelters, declaration and RMI comparison.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.model import Chain
from riskgraph.chain.validate import ERROR, ISSUE_COLUMNS, WARNING, RawTable
from riskgraph.sources._common import HEADER_SCAN_ROWS, ImportReason, _Pending, _empty, _empty_flows, _key, _nan_frame, _read_grid, _sheet_names, _sort_issues, _validated, actor_id, cell_text, country_code
from riskgraph.sources.vocabulary import METALS, _CID, _METAL_NAMES, _PLACEHOLDER



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
#: Product List columns B–D by position (CMRT 3.x–6.x): product number (required), product name, comments.
PRODUCT_COLUMNS = {1: "product_number", 2: "product_name", 3: "comments"}
PRODUCT_HEADER_ROW = 5
_TEMPLATE_TEXT = re.compile(r"^\s*©|all rights reserved", re.IGNORECASE)
PRODUCT_TABLE_COLUMNS = ["product_number", "product_name", "comments", "row", "file"]
#: Sheets of the template that are never the smelter look-up (the look-up is found by structure among the rest).
_NOT_LOOKUP = {"Revision", "Instructions", "Definitions", "Declaration", "Smelter List", "Checker", "Product List"}


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
        ``smelters`` + ``quarantined``; ``smelters`` distinct; ``products``.
    products : DataFrame
        The Product List (for a declaration scoped to products):
        ``product_number, product_name, comments, row, file``.
    """

    file: str
    version: str | None
    revision: str | None
    declaration: dict
    smelters: pd.DataFrame
    findings: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict = field(default_factory=dict)
    products: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PRODUCT_TABLE_COLUMNS))

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
    """The workbook's own smelter look-up: (metal, look-up name) → CID, as the template's formulas use it.

    Found by structure, not by header text (headers follow the language of
    ``Declaration!D3``): the sheet named ``Smelter Look-up`` when present,
    else the first other sheet that holds one; CFSI 3.x keeps its reference
    names on a hidden sheet ``K`` (metal, name, …, id in F).
    """
    candidates = [n for n in names if n == "Smelter Look-up"]
    candidates += [n for n in names if n not in _NOT_LOOKUP and n not in candidates and n != "K"]
    for sheet in candidates:
        table = _lookup_from_grid(_read_grid(path, sheet))
        if table:
            return table
    table: dict[tuple[str, str], str] = {}
    if "K" in names:
        for row in _read_grid(path, "K")[1:]:
            if len(row) > 5 and not _empty(row[5]) and not _empty(row[0]):
                table[(_key(row[0]), _key(row[1]))] = str(row[5]).strip().upper()
    return table


def _lookup_from_grid(grid: list[list[object]]) -> dict[tuple[str, str], str]:
    """A look-up table read by structure: the column of metal names, the look-up name right of it, the CID column.

    The columns are the ones whose cells most often are metal names and
    ``CIDnnnnnn`` ids; the look-up name sits right of the metal (``Metal``,
    ``Smelter Look-up`` in every template). A sheet without at least one
    row holding a metal and a CID is not a look-up (empty result).
    """
    width = max((len(r) for r in grid), default=0)
    metal_hits, cid_hits = np.zeros(width, dtype=int), np.zeros(width, dtype=int)
    for row in grid:
        for column, cell in enumerate(row):
            if isinstance(cell, str):
                text = cell.strip()
                if _CID.match(text.upper()):
                    cid_hits[column] += 1
                elif _key(text) in _METAL_NAMES:
                    metal_hits[column] += 1
    if not width or cid_hits.max() == 0 or metal_hits.max() == 0:
        return {}
    m, s = int(metal_hits.argmax()), int(cid_hits.argmax())
    n = m + 1
    table: dict[tuple[str, str], str] = {}
    for row in grid:
        if len(row) > max(m, n, s) and isinstance(row[s], str) and _CID.match(row[s].strip().upper()) \
                and not _empty(row[n]) and _key(row[m] if not _empty(row[m]) else "") in _METAL_NAMES:
            table.setdefault((_METAL_NAMES[_key(row[m])], _key(row[n])), row[s].strip().upper())
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
    the template's formulas would; the look-up sheet is read by structure,
    so a workbook saved in another language works alike) and a row whose id
    cannot be filled so is a warning (``id_not_filled``). The Product List
    is read by position too (``report.products``). In CFSI 3.x files old
    ids such as ``1DEU001`` are translated with the ``Standard Smelter
    Names`` sheet.
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
    decl_file, smelter_file = f"{path.name}[Declaration]", f"{path.name}[Smelter List]"
    findings = _Pending()
    declaration = _read_declaration(_read_grid(path, "Declaration"), decl_file, findings)
    mapped, quarantine, rows_in = _read_smelter_rows(
        _read_grid(path, "Smelter List"), smelter_file, findings,
        lookup=_lookup_table(path, names), old_ids=_old_ids(path, names))
    smelters = _merge_smelter_rows(mapped, path.name)
    _check_smelters_against_declaration(smelters, declaration, decl_file, smelter_file, findings)
    products = _read_products(_read_grid(path, "Product List") if "Product List" in names else [], path.name,
                              declaration, findings)
    counts = {"rows_in": rows_in, "merged_into": int(smelters["count"].sum()) if len(smelters) else 0,
              "smelters": len(smelters), "quarantined": len(quarantine), "products": len(products)}
    return CmrtReport(file=path.name, version=declaration["version"], revision=declaration["revision"],
                      declaration=declaration, smelters=smelters, findings=_sort_issues(findings.issues_frame()),
                      quarantine=pd.DataFrame(quarantine), counts=counts, products=products)


def _read_products(grid: list[list[object]], file: str, declaration: dict, findings: _Pending) -> pd.DataFrame:
    """The Product List by position (B number, C name, D comments; header row 5, data from row 6)."""
    product_file = f"{file}[Product List]"
    records = []
    for index in range(PRODUCT_HEADER_ROW, len(grid)):
        row = grid[index]
        cells = {}
        for column, name in PRODUCT_COLUMNS.items():
            value = row[column] if column < len(row) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0 and name != "product_number":
                value = None  # a formula's 0 for a blank cell
            cells[name] = cell_text(value)
        if not any(cells.values()) or any(_TEMPLATE_TEXT.search(v) for v in cells.values() if v):
            continue  # empty, or the template's own footer ("© 2014 Conflict-Free Sourcing Initiative …")
        records.append(cells | {"row": index + 1, "file": file})
        if cells["product_number"] is None:
            findings.issue(file=product_file, row=index + 1, column="Manufacturer's Product Number (B)", value=None,
                           reason=ImportReason.missing_required_field, severity=WARNING,
                           message="a product without its (required) manufacturer's product number")
    scope = str(declaration.get("declaration_scope") or "")
    if "product" in scope.lower() and not records:
        findings.issue(file=product_file, row=None, column="Product List", value=scope,
                       reason=ImportReason.missing_required_field,
                       message=f"the declaration is scoped to products ('{scope}') but the Product List is empty")
    return pd.DataFrame(records, columns=PRODUCT_TABLE_COLUMNS)


def _read_declaration(grid: list[list[object]], decl_file: str, findings: _Pending) -> dict[str, object]:
    """The Declaration sheet: version, company fields (personal data left out), questions 1–2 per metal."""
    revision = _declaration_text(grid, 3, 9)
    version_match = re.search(r"(\d+\.\d+)", revision or "")
    declaration: dict[str, object] = {"version": version_match[1] if version_match else None, "revision": revision}
    for name, row in CMRT_DECLARATION_ROWS.items():
        value = _declaration_text(grid, row)
        label = _declaration_text(grid, row, 1) or name
        if name not in _PERSONAL_FIELDS:
            declaration[name] = value
        if "(*)" in label and value is None:
            shown = re.sub(r"\s*\(\*\)\s*:?\s*$", "", label).strip() or name
            findings.issue(file=decl_file, row=row, column=f"{shown} (D{row})", value=None,
                           reason=ImportReason.missing_required_field,
                           message=f"required field '{shown}' (cell D{row}) is empty")
    if declaration.get("effective_date"):
        declaration["effective_date"] = _parse_date(str(declaration["effective_date"])) or declaration["effective_date"]
    for question, first in CMRT_QUESTION_ROWS.items():
        declaration[question] = {metal: _declaration_text(grid, first + i) for i, metal in enumerate(METALS)}
    if not any(declaration["used"].values()):
        findings.issue(file=decl_file, row=CMRT_QUESTION_ROWS["used"], column="question 1 (D26:D29)", value=None,
                       reason=ImportReason.missing_required_field,
                       message="question 1 (is 3TG intentionally added or used?) is unanswered for every metal")
    return declaration


def _smelter_cells(row: list[object]) -> dict[str, str | None]:
    """One Smelter List row by position; formula zeros and Excel error values count as empty."""
    row = list(row[:len(CMRT_COLUMNS)]) + [None] * max(0, len(CMRT_COLUMNS) - len(row))
    cells = {}
    for name, value in zip(CMRT_COLUMNS, row):
        if name in _FORMULA_TEXT and isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
            value = None
        text = cell_text(value)
        cells[name] = None if text in ("#N/A", "#REF!", "#VALUE!") else text
    return cells


def _read_smelter_rows(grid: list[list[object]], smelter_file: str, findings: _Pending, *,
                       lookup: dict, old_ids: dict) -> tuple[list[dict], list[dict], int]:
    """Map every non-empty Smelter List row: (mapped rows, quarantined rows, rows in)."""
    quarantine, mapped, rows_in = [], [], 0
    for index in range(SMELTER_HEADER_ROW, len(grid)):
        cells = _smelter_cells(grid[index])
        if not any(cells.values()):
            continue
        rows_in += 1
        number = index + 1
        public = {k: v for k, v in cells.items() if k not in _PERSONAL}
        metal = _METAL_NAMES.get(_key(cells["metal"] or ""))
        if metal is None:
            reason = ("metal (column B) is empty; a smelter row needs its metal" if cells["metal"] is None
                      else f"metal '{cells['metal']}' is not one of tin, tantalum, tungsten, gold")
            entry = {"file": smelter_file, "row": number, "reasons": reason}
            quarantine.append(entry | {k: v for k, v in public.items() if v})
            findings.issue(file=smelter_file, row=number, column="metal (B)", value=cells["metal"],
                           reason=ImportReason.unmapped_row if cells["metal"] is None else ImportReason.unknown_metal,
                           message=reason)
            continue
        public["metal"] = metal
        public.update(_identify_smelter(cells, metal, number, smelter_file, findings, lookup=lookup, old_ids=old_ids))
        mapped.append(public)
    return mapped, quarantine, rows_in


def _identify_smelter(cells: dict, metal: str, number: int, smelter_file: str, findings: _Pending, *,
                      lookup: dict, old_ids: dict) -> dict[str, object]:
    """A row's smelter id (given, translated from an old id, or from the workbook look-up), name, country, status."""
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
        else:
            where = ("is not in the workbook's smelter look-up" if lookup
                     else "cannot be looked up: the workbook has no smelter look-up sheet")
            findings.issue(file=smelter_file, row=number, column="Smelter Identification (F)", value=lookup_name,
                           reason=ImportReason.id_not_filled, severity=WARNING,
                           message=f"no smelter id, and the look-up name '{lookup_name}' ({metal}) {where}: the "
                                   "smelter stays without an id (add its CID from the RMI list)")
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
    return {"smelter_id": cid, "id_source": source, "name": name, "country": country, "status": status,
            "row": number}


def _check_smelters_against_declaration(smelters: pd.DataFrame, declaration: dict, decl_file: str,
                                        smelter_file: str, findings: _Pending) -> None:
    """Findings where one CID sits under two metals, or question 1 and the Smelter List disagree."""
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
    """Several CMRTs as tables: ``smelters``, ``declarations``, ``products``, ``findings``, ``quarantine``.

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
    products = [r.products for r in reports if len(r.products)]
    return {
        "smelters": smelters,
        "declarations": declarations,
        "products": pd.concat(products, ignore_index=True) if products else pd.DataFrame(
            columns=PRODUCT_TABLE_COLUMNS),
        "findings": _sort_issues(pd.concat(findings, ignore_index=True)) if findings else pd.DataFrame(
            columns=ISSUE_COLUMNS),
        "quarantine": pd.concat(quarantine, ignore_index=True) if quarantine else pd.DataFrame(
            columns=["file", "row", "reasons"]),
    }
