"""Open Supply Hub facility exports → actors.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from riskgraph.errors import InputError
from riskgraph.chain.io import read_csv_table
from riskgraph.chain.model import SECTORS, Chain
from riskgraph.chain.validate import WARNING, RawTable
from riskgraph.sources._common import HEADER_SCAN_ROWS, ImportReason, _Pending, _empty, _empty_flows, _nan_frame, _read_any_grid, _snake, _split_multi, _validated, cell_text, clean_text, country_code
from riskgraph.sources.vocabulary import infer_sector, infer_stage



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


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _read_workbook(path: Path) -> RawTable:
    """An Open Supply Hub export saved as a workbook: the header is the first row naming ``os_id``."""
    import pandas as pd

    grid, file = _read_any_grid(path)
    header = next((i for i, row in enumerate(grid[:HEADER_SCAN_ROWS])
                   if any(_snake(c) == "os_id" for c in row if not _empty(c))), None)
    if header is None:
        raise InputError(f"is not an Open Supply Hub export: no 'os_id' header in the first {HEADER_SCAN_ROWS} rows "
                         "of its first sheet", path=path)
    names = [str(c).strip() if not _empty(c) else f"Unnamed: {i}" for i, c in enumerate(grid[header])]
    body = [list(row[:len(names)]) + [None] * (len(names) - len(row)) for row in grid[header + 1:]]
    frame = pd.DataFrame([[cell_text(v) for v in row] for row in body], columns=names, dtype=object)
    frame = frame.where(frame.notna(), np.nan)
    keep = [c for c in frame.columns if not (c.startswith("Unnamed: ") and frame[c].isna().all())]
    frame = frame[keep]
    rows = np.arange(header + 2, header + 2 + len(frame))
    empty = frame.isna().all(axis=1).to_numpy()
    return RawTable(name="osh", file=file, frame=frame.loc[~empty].reset_index(drop=True), rows=rows[~empty],
                    original_columns={}, empty_rows=int(empty.sum()))


def read_open_supply_hub(path: Path | str, *, sector: str | None = None, stage: str | None = None) -> Chain:
    """Read an Open Supply Hub facility export (CSV, or the same table saved as .xlsx / .xls) as actors.

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
    raw = _read_workbook(path) if path.suffix.lower() in WORKBOOK_SUFFIXES else read_csv_table(path, "osh")
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
        cells = {c: clean_text(v) for c, v in zip(frame.columns, row)}
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
