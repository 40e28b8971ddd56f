"""The RMI smelter/refiner reference list.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskgraph.errors import InputError
from riskgraph.sources._common import HEADER_SCAN_ROWS, _empty, _key, _read_any_grid, cell_text, country_code
from riskgraph.sources.vocabulary import _METAL_NAMES, _PLACEHOLDER



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
