"""Reference data of the conflict-minerals view: metals, EU member states, CAHRA list, Annex I thresholds, conformant
refiner lists, transit hubs, and the rule behind each flag (``datasets/regulation/minerals_rules.csv``).
"""
from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.risk.reference import commodity_key


METALS = ("gold", "tin", "tantalum", "tungsten")
#: Conformant-list statuses that count as conformant unless the caller says otherwise.
DEFAULT_ACCEPTED = ("conformant",)
#: Shares below this are rounding noise, not material.
MIN_SHARE = 1e-12
# The EU member states and mass units are shared by the regulation views.
from riskgraph.regulation.common import EU_MEMBER_STATES, UNIT_TO_KG  # noqa: E402  (re-exported)

_CID = re.compile(r"^CID\d{6}$")
CONFORMANT_HEADERS = {
    "smelter_id": ("cid", "smelter_id", "smelter_identification_number", "smelter_identification", "rmi_id",
                   "facility_id", "id"),
    "status": ("status", "rmap_status", "assessment_status", "conformance_status", "conformance"),
    "date": ("date", "status_date", "last_audit_date", "audit_date", "valid_until", "as_of"),
}
REFINER_COLUMNS = ["actor", "name", "metal", "country", "source", "smelter_id", "smelter_id_given", "rmi_name",
                   "match", "score", "status", "status_date"]
FLAG_COLUMNS = ["node", "metal", "reason", "origin_country", "via", "refiner", "smelter_id", "status", "path", "share",
                "path_share", "source", "rule_id", "article"]
#: The rule behind each flag reason (``datasets/regulation/minerals_rules.csv``).
FLAG_RULES = {"cahra_origin": "MIN-STEP2-RED-FLAG-ORIGIN", "cahra_transit": "MIN-STEP2-RED-FLAG-TRANSIT",
              "transit_hub": "MIN-STEP2-RED-FLAG-HUB", "unidentified_refiner": "MIN-STEP2-REFINER",
              "non_conformant_refiner": "MIN-STEP2-REFINER"}
NO_CONFORMANT_LIST = ("no conformant list given: refiner statuses are 'unknown', no refiner is flagged for its "
                      "status and every CAHRA origin is flagged")


class FlagReason(str, Enum):
    """Why material reaching a node is flagged. Codes appear in the ``reason`` column."""

    cahra_origin = "cahra_origin"
    cahra_transit = "cahra_transit"
    transit_hub = "transit_hub"
    non_conformant_refiner = "non_conformant_refiner"
    unidentified_refiner = "unidentified_refiner"

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------- reference data


@lru_cache(maxsize=None)
def cahra_countries() -> frozenset[str]:
    """ISO alpha-2 codes of the countries with an area on the EU CAHRA indicative list (newest edition bundled).

    >>> {"CD", "CO"} <= cahra_countries()
    True
    """
    folder = dataset_path("reference", "raw", "indicators")
    files = sorted(folder.glob("conflict_eu_cahra_listed_*.csv"))
    if not files:
        raise InputError(f"no EU CAHRA list (conflict_eu_cahra_listed_*.csv) in {folder}")
    table = pd.read_csv(files[-1], dtype=str, keep_default_na=False)
    return frozenset(table.loc[pd.to_numeric(table["value"], errors="coerce") == 1, "iso2"])


@lru_cache(maxsize=None)
def annex_thresholds() -> pd.DataFrame:
    """Annex I of Regulation (EU) 2017/821 as amended by Delegated Regulation (EU) 2020/1588.

    Columns ``part, metal, form, description, cn_code, taric, threshold_kg,
    confirmed, source, note``; ``form`` is ``ore_concentrate``,
    ``unrefined_gold``, ``refined_metal`` or ``compound``; ``threshold_kg``
    is empty where the figure could not be read in a source (``confirmed`` =
    ``no``): such rows are ``unknown``, never guessed.
    """
    table = pd.read_csv(dataset_path("regulation", "eu_2017_821_annex_i.csv"), dtype=str, keep_default_na=False)
    table["threshold_kg"] = pd.to_numeric(table["threshold_kg"].replace("", np.nan), errors="raise")
    return table


@lru_cache(maxsize=None)
def transit_hubs() -> pd.DataFrame:
    """Countries known as transit or trading hubs for conflict minerals: one row per country, metal and source.

    Columns ``iso2, country, metal, role`` (``transit`` or ``trading_hub``), ``basis``, ``source``
    (``sentry_2020``, ``un_goe_drc_2020``), ``source_title, source_url, year, quote``. The same table
    sets the conflict-financing floor of the reference data (``datasets/reference/raw/
    minerals_transit_hubs.csv``, SOURCES.md section 3), so the transit-hub flag and the likelihood
    name the same countries.
    """
    return pd.read_csv(dataset_path("reference", "raw", "minerals_transit_hubs.csv"), dtype=str,
                       keep_default_na=False)


def metal_of(value: object) -> str | None:
    """The 3TG metal a commodity text names, or ``None``.

    >>> metal_of("Doré"), metal_of("cassiterite"), metal_of("Coltan"), metal_of("cocoa")
    ('gold', 'tin', 'tantalum', None)
    """
    key = commodity_key(value)
    return key if key in METALS else None


def read_conformant(path: Path | str) -> pd.DataFrame:
    """Read a list of smelters' conformance: ``CID, status, date`` (CSV, any separator; header spellings tolerated).

    Returns ``smelter_id, status, date``, one row per CID (the latest date
    wins, else the last row). Statuses are folded to lower case with
    hyphens: ``Conformant``, ``Active``, ``Non Conformant`` → ``conformant``,
    ``active``, ``non-conformant``.

    Raises
    ------
    InputError
        The file cannot be read, has no CID or status column, or has CIDs
        not of the form ``CID000000``.
    """
    from riskgraph.chain.io import read_csv_table

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    frame = read_csv_table(path, "conformant").frame
    found = {}
    for target, names in CONFORMANT_HEADERS.items():
        column = next((c for c in names if c in frame.columns), None)
        if column is None and target != "date":
            raise InputError(f"no {target} column (expected one of {list(names)}); columns present: "
                             f"{list(frame.columns)}", path=path)
        found[target] = column
    return conformant_table(frame.rename(columns={v: k for k, v in found.items() if v}), source=path)


def conformant_table(frame: pd.DataFrame, *, source: object = None) -> pd.DataFrame:
    """Normalise an in-memory conformant list (columns ``smelter_id`` or ``cid``, ``status``, optional ``date``)."""
    frame = frame.rename(columns={"cid": "smelter_id", "CID": "smelter_id"})
    if "smelter_id" not in frame.columns or "status" not in frame.columns:
        raise InputError(f"a conformant list needs columns smelter_id (CID) and status; columns present: "
                         f"{list(frame.columns)}", path=source)
    table = pd.DataFrame({
        "smelter_id": frame["smelter_id"].astype(object).map(lambda v: None if _empty(v) else str(v).strip().upper()),
        "status": frame["status"].astype(object).map(_status),
        "date": frame["date"].astype(object).map(lambda v: None if _empty(v) else str(v).strip())
        if "date" in frame.columns else None,
    })
    table = table.dropna(subset=["smelter_id"])
    bad = table.loc[~table["smelter_id"].map(lambda c: bool(_CID.match(c)))]
    if len(bad):
        shown = ", ".join(f"row {i + 2}: {c!r}" for i, c in bad["smelter_id"].head(5).items())
        raise InputError(f"{len(bad)} smelter ids are not of the form CID000000 ({shown}); fix or remove them",
                         path=source)
    missing = table["status"].isna()
    if missing.any():
        rows = ", ".join(str(i + 2) for i in table.index[missing][:5])
        raise InputError(f"{int(missing.sum())} rows have no status (rows {rows})", path=source)
    table["_date"] = pd.to_datetime(table["date"], errors="coerce", dayfirst=False)
    table = table.reset_index(drop=True).reset_index(names="_order")
    table = table.sort_values(["smelter_id", "_date", "_order"], na_position="first", kind="stable")
    table = table.drop_duplicates("smelter_id", keep="last")
    return table[["smelter_id", "status", "date"]].sort_values("smelter_id").reset_index(drop=True)


def _status(value: object) -> str | None:
    if _empty(value):
        return None
    return re.sub(r"[\s_]+", "-", str(value).strip().lower())


def _empty(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip())
