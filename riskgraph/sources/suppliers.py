"""Plain supplier and factory lists (CSV, .xlsx, legacy .xls) → actors and tier flows; the header row is detected.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.chain.model import SECTORS, Chain, stages_of
from riskgraph.chain.validate import WARNING, RawTable
from riskgraph.sources._common import HEADER_SCAN_ROWS, ImportReason, _Pending, _empty, _empty_flows, _key, _nan_frame, _read_any_grid, _snake, _validated, actor_id, cell_text, clean_text, country_code
from riskgraph.sources.vocabulary import infer_stage



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


@lru_cache(maxsize=None)
def default_stages() -> dict[str, str]:
    """The stage of a supplier list's rows that name none, per sector (``supplier_list_stages.csv``).

    A member's list holds its direct (tier 1) suppliers: a brand's factory
    list its garment makers, a food company's its processors. The file says
    why for each sector.
    """
    table = pd.read_csv(dataset_path("vocabulary", "supplier_list_stages.csv"), dtype=str, keep_default_na=False)
    return dict(zip(table["sector"], table["stage"]))


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
        a facility type such as ``FINISHED GOODS`` or ``Spinning``). Without
        it such suppliers get the sector's usual direct-supplier stage
        (:func:`default_stages`: garment makers for textiles, processors for
        food and natural stone, manufacturers for gold), with a warning that
        counts them and quotes the types that named no stage.
    sheet : str or int, optional
        The sheet of a workbook (default: the first).

    Notes
    -----
    Every text cell passes :func:`clean_text` (Unicode NFKC and the
    replacement table: ``□`` and full-width commas leave addresses). A row
    that repeats an earlier row exactly is merged into it with a
    ``duplicate_row`` warning and counted in ``merged_rows``, not
    quarantined.

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
    seen: dict[tuple, int] = {}
    merged = cleaned = 0
    cleaned_example = None
    for index in range(header_index + 1, len(grid)):
        row = grid[index]
        raw_cells = {p: row[p] if p < len(row) else None for p in list(fields) + list(extras)}
        texts = {p: clean_text(v) for p, v in raw_cells.items()}
        for p, v in raw_cells.items():
            if isinstance(v, str) and texts[p] != cell_text(v):
                cleaned += 1
                cleaned_example = cleaned_example or (index + 1, cell_text(v), texts[p])
        cells = {field: texts[p] for p, field in fields.items()}
        extra = {name: texts[p] for p, name in extras.items()}
        if all(v is None for v in cells.values()) and all(v is None for v in extra.values()):
            empty_rows += 1
            continue
        # The same row twice (a list pasted into itself, a sheet exported twice) is one supplier, not an error.
        key = tuple(texts[p] for p in sorted(texts))
        if key in seen:
            merged += 1
            pending.issue(file=file, row=index + 1, column=None, value=None, reason=ImportReason.duplicate_row,
                          severity=WARNING, message=f"repeats row {seen[key]} exactly; merged into it")
            continue
        seen[key] = index + 1
        records.append((cells, extra))
        rows.append(index + 1)
    # Trailing empty rows of a sheet are debris, counted as empty; empty rows inside the data likewise.
    if cleaned:
        row_number, before, after = cleaned_example
        pending.issue(file=file, row=None, column=None, value=None, reason=ImportReason.text_cleaned,
                      severity=WARNING,
                      message=f"{cleaned} cells had junk or full-width characters normalised (Unicode NFKC and "
                              f"datasets/vocabulary/text_replacements.csv), e.g. row {row_number}: {before!r} → "
                              f"{after!r}")

    defaulted: list[str | None] = []  # the stage or type text of rows given the default stage
    fallback = stage if stage is not None else default_stages().get(sector)
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
            [cells.get("stage"), cells.get("facility_type")], sector)
        if actor_stage is None:
            actor_stage = fallback
            if stage is None:
                words = cells.get("stage") or cells.get("facility_type")
                defaulted.append(words)
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
    if defaulted:
        unnamed = [w for w in defaulted if w]
        words = sorted(set(unnamed))
        detail = (f" ({len(unnamed)} of them with a type that names no stage: "
                  + ", ".join(f"'{w}'" for w in words[:5]) + (" …" if len(words) > 5 else "") + ")") if unnamed else ""
        pending.issue(file=file, row=None, column=header_text.get("stage") or header_text.get("facility_type"),
                      value=None, reason=ImportReason.default_stage, severity=WARNING,
                      message=f"{len(defaulted)} suppliers name no stage{detail}: they are taken as '{fallback}', the "
                              f"usual direct supplier of a {sector} company (datasets/vocabulary/"
                              "supplier_list_stages.csv); pass stage=... (command line: --stage) if the list holds "
                              "another tier")
    actors_frame = _nan_frame(actors)
    actors_raw = RawTable(name="actors", file=file, frame=actors_frame, rows=np.asarray(rows, dtype=int),
                          original_columns=original, empty_rows=empty_rows)
    flows_raw = _tier_flows(actors, tiers, rows, file, header_text, pending)
    return _validated({"actors": actors_raw, "flows": flows_raw}, pending, sector=sector, name=path.stem,
                      merged_rows={"actors": merged})


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
