"""EU conflict minerals (Regulation (EU) 2017/821): refiners, red flags with their paths, Annex I thresholds.

Gold, tin, tantalum and tungsten (3TG) pass through a smelter or refiner,
the control point of OECD minerals due diligence. :func:`conflict_minerals`
answers three questions for the company nodes of a chain:

1. **Which refiners and smelters are there, and are they identified?**
   Actors at stage ``refiner`` or carrying a ``smelter_id``, and the smelters
   named in suppliers' CMRTs, are mapped to the RMI smelter/refiner list: by
   CID first, by name and alias (:func:`riskgraph.match.suggest_smelter_ids`,
   with its score) when the CID is missing. A user-supplied list of
   conformant smelters (``CID, status, date``) gives each identified one a
   status.
2. **Which 3TG reaches the company from where, and through which refiner?**
   Flags, each with the heaviest path that carries the material (the path
   whose product of input shares is largest) and the share of the company's
   material it represents:

   ``unidentified_refiner``
       material passed through a refiner with no CID (or a CID that is not
       on the RMI list, or a CMRT's "smelter not yet identified"); share =
       ``W[r, n]``, the share of n's material that passed through r.
   ``non_conformant_refiner``
       the same for an identified refiner whose status on the conformant
       list is not accepted (by default only ``conformant`` is; ``active``
       and ``non-conformant`` are not), or that is missing from that list.
       Without a conformant list no refiner is flagged for its status: the
       status is ``unknown``.
   ``cahra_origin``
       material that entered the chain (a mine or a recycler: the sector's
       chain-start stages) in a country on the EU CAHRA indicative list
       **and reaches the company without passing through a conformant
       refiner**. share = Σ over such origins u of ``W'[u, n]``, where
       ``W'`` is computed with the outputs of conformant refiners cut.

   The cut in ``cahra_origin`` is a deliberate choice: a conformant refiner
   has been audited on exactly this risk (the RMAP/LBMA standards examine
   the refiner's CAHRA sourcing), so gold from a CAHRA-listed country that
   passes through it is the refiner's documented due diligence, not a red
   flag for the buyer. Gold from the same country through an unidentified
   or non-conformant refiner is flagged twice: once for its origin and once
   for the refiner, each with its path. Without a conformant list no refiner
   is conformant, so every CAHRA origin is flagged.
3. **Is the company above the Annex I import-volume thresholds?** The
   volume a node receives per metal and year, converted to kg, against each
   Annex I row of that metal (``datasets/reference/eu_3tg_thresholds.csv``).

Notes
-----
* Material is followed per metal: a flow's metal is its commodity (``gold``,
  ``doré``, ``cassiterite``, ``coltan``, ``wolframite``, … via the commodity
  aliases), else its source actor's; a gold-sector actor without a
  commodity is gold. Each metal has its own input shares, so tin does not
  dilute gold.
* Weights come from :func:`riskgraph.risk.upstream_weights`. On a chain with
  a leaking cycle (recycling) ``W`` counts passes, so a refiner's share may
  exceed the material's single-pass share (DESIGN §3.5). The cut weights
  ``W'`` are a sparse solve of ``(I − S') x = e_n``; ``_cahra_shares_by_paths``
  is the path-enumeration reference used in the tests.
* CMRT smelters are declared by a supplier, not placed in the chain: their
  flags name the CMRT's company as the node and carry no share.
* Thresholds: Regulation (EU) 2017/821 counts a Union importer's annual
  imports per CN code. A chain rarely says in which customs form material
  arrived; when ``flows`` has a ``cn_code`` column, a flow counts only
  towards the Annex rows its code falls under, otherwise towards every row
  of its metal. ``received_kg`` is everything the node received;
  ``imported_kg`` the part from suppliers outside the EU-27. ``position`` is
  ``above`` when the volume is at or above the threshold (the Regulation
  does not apply below it), ``unknown`` where the threshold could not be
  confirmed (see the ``confirmed`` column and ``SOURCES.md``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.graph import InputShares, chain_ends, input_shares
from riskgraph.model import Chain, chain_start_stages
from riskgraph.reference import commodity_key
from riskgraph.risk import upstream_weights

METALS = ("gold", "tin", "tantalum", "tungsten")
#: Conformant-list statuses that count as conformant unless the caller says otherwise.
DEFAULT_ACCEPTED = ("conformant",)
#: Shares below this are rounding noise, not material.
MIN_SHARE = 1e-12
#: The EU-27 member states: suppliers outside them make ``imported_kg``.
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
#: Units of ``flows.unit`` → kg. ``oz`` and ``ton`` are ambiguous (troy or avoirdupois ounce; short or metric
#: ton) and are left out, with a note, rather than guessed.
UNIT_TO_KG = {
    "kg": 1.0, "kgs": 1.0, "kilogram": 1.0, "kilograms": 1.0, "g": 1e-3, "gram": 1e-3, "grams": 1e-3,
    "t": 1000.0, "tonne": 1000.0, "tonnes": 1000.0, "mt": 1000.0, "metric_ton": 1000.0, "lb": 0.45359237,
    "lbs": 0.45359237, "ozt": 0.0311034768, "toz": 0.0311034768, "troy_oz": 0.0311034768,
    "troy_ounce": 0.0311034768,
}
_CID = re.compile(r"^CID\d{6}$")
CONFORMANT_HEADERS = {
    "smelter_id": ("cid", "smelter_id", "smelter_identification_number", "smelter_identification", "rmi_id",
                   "facility_id", "id"),
    "status": ("status", "rmap_status", "assessment_status", "conformance_status", "conformance"),
    "date": ("date", "status_date", "last_audit_date", "audit_date", "valid_until", "as_of"),
}
REFINER_COLUMNS = ["actor", "name", "metal", "country", "source", "smelter_id", "smelter_id_given", "rmi_name",
                   "match", "score", "status", "status_date"]
FLAG_COLUMNS = ["node", "metal", "reason", "origin_country", "refiner", "smelter_id", "status", "path", "share",
                "path_share", "source"]
THRESHOLD_COLUMNS = ["node", "metal", "year", "received_kg", "imported_kg", "part", "description", "cn_code",
                     "threshold_kg", "position", "confirmed", "note"]
NO_CONFORMANT_LIST = ("no conformant list given: refiner statuses are 'unknown', no refiner is flagged for its "
                      "status and every CAHRA origin is flagged")


class FlagReason(str, Enum):
    """Why material reaching a node is flagged. Codes appear in the ``reason`` column."""

    cahra_origin = "cahra_origin"
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

    Columns ``part, metal, description, cn_code, taric, threshold_kg,
    confirmed, source, note``; ``threshold_kg`` is empty where the figure
    could not be confirmed from a public source (``confirmed`` = ``no``).
    """
    table = pd.read_csv(dataset_path("reference", "eu_3tg_thresholds.csv"), dtype=str, keep_default_na=False)
    table["threshold_kg"] = pd.to_numeric(table["threshold_kg"].replace("", np.nan), errors="raise")
    return table


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
    from riskgraph.io import read_csv_table

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


# --------------------------------------------------------------------------- result


@dataclass
class MineralsReport:
    """What :func:`conflict_minerals` returns.

    Attributes
    ----------
    nodes : list of str
        The company nodes examined.
    refiners : DataFrame
        One row per refiner or smelter, in the chain (``source`` = ``chain``)
        or in a CMRT (``source`` = the file): ``actor, name, metal, country,
        source, smelter_id`` (as resolved), ``smelter_id_given, rmi_name,
        match`` (``cid``, ``cid_other_metal``, ``cid_unknown``,
        ``cid_unchecked``, ``name``, ``review``, ``none``,
        ``not_identified``), ``score`` (name matches), ``status``
        (the conformant list's status, ``not_in_list``, ``unknown`` or
        ``unidentified``) and ``status_date``.
    flags : DataFrame
        ``node, metal, reason, origin_country, refiner, smelter_id, status,
        path, share, path_share, source``: ``share`` is the share of the
        node's material of that metal the flag concerns; ``path`` the
        heaviest path that carries it and ``path_share`` the share that
        followed exactly that path.
    thresholds : DataFrame
        ``node, metal, year, received_kg, imported_kg, part, description,
        cn_code, threshold_kg, position, confirmed, note``.
    cmrt_findings : DataFrame
        What the CMRT importer reported (missing fields, inconsistencies,
        CIDs not on the RMI list).
    notes : list of str
        Assumptions that apply to the whole report.
    """

    nodes: list[str]
    refiners: pd.DataFrame
    flags: pd.DataFrame
    thresholds: pd.DataFrame
    cmrt_findings: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """True when at least one flag was raised."""
        return len(self.flags) > 0

    def summary(self) -> dict:
        """Counts: flags by reason and metal, refiners by status, thresholds reached."""
        return {
            "nodes": len(self.nodes),
            "flags": len(self.flags),
            "flags_by_reason": {str(k): int(v) for k, v in self.flags["reason"].value_counts().items()},
            "flags_by_metal": {str(k): int(v) for k, v in self.flags["metal"].value_counts().items()},
            "refiners": len(self.refiners),
            "refiners_by_status": {str(k): int(v) for k, v in self.refiners["status"].value_counts().items()},
            "thresholds_above": int((self.thresholds["position"] == "above").sum()),
        }

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``nodes, summary, notes, flags, refiners, thresholds, cmrt_findings``."""
        from riskgraph.output import to_jsonable

        return {
            "nodes": list(self.nodes),
            "summary": self.summary(),
            "notes": list(self.notes),
            "flags": to_jsonable(self.flags),
            "refiners": to_jsonable(self.refiners),
            "thresholds": to_jsonable(self.thresholds),
            "cmrt_findings": to_jsonable(self.cmrt_findings),
        }


# --------------------------------------------------------------------------- entry point


def conflict_minerals(
    chain: Chain,
    *,
    node: str | Sequence[str] | None = None,
    cmrts: Iterable = (),
    rmi: pd.DataFrame | Path | str | None = None,
    conformant: pd.DataFrame | Path | str | None = None,
    accept: Sequence[str] = DEFAULT_ACCEPTED,
    year: int | None = None,
    cahra: Iterable[str] | None = None,
    threshold: float | None = None,
) -> MineralsReport:
    """EU conflict-minerals view of a chain: refiners, flags with their paths, Annex I thresholds.

    Parameters
    ----------
    chain : Chain
        A validated chain (:func:`riskgraph.read_chain`).
    node : str or list of str, optional
        The company node(s) to examine; default every chain end.
    cmrts : iterable of CmrtReport or path
        Suppliers' CMRTs (:func:`riskgraph.importers.read_cmrt`, or paths).
    rmi : DataFrame or path, optional
        The RMI smelter/refiner list (:func:`riskgraph.importers.read_rmi_smelter_list`).
        Without it CIDs are taken as given (``match`` = ``cid_unchecked``)
        and refiners without a CID stay unidentified.
    conformant : DataFrame or path, optional
        Smelters' conformance, ``CID, status, date`` (:func:`read_conformant`).
    accept : sequence of str
        Conformant-list statuses that count as conformant (default
        ``("conformant",)``; add ``"active"`` to accept smelters whose audit
        is under way).
    year : int, optional
        Use only the flows of this year (shares and thresholds).
    cahra : iterable of str, optional
        ISO alpha-2 codes to use instead of the bundled EU CAHRA list.
    threshold : float, optional
        Name-match threshold (default :data:`riskgraph.match.DEFAULT_THRESHOLD`).

    Returns
    -------
    MineralsReport

    Raises
    ------
    InputError
        An unknown node id, or an unreadable CMRT, RMI list or conformant list.
    ChainError
        A closed material loop in the chain.

    Examples
    --------
    >>> import riskgraph as rg  # doctest: +SKIP
    >>> report = conflict_minerals(rg.read_chain("datasets/gold"), node="GLD-RTL-NL-23")  # doctest: +SKIP
    >>> report.flags[["reason", "origin_country", "refiner", "share", "path"]]  # doctest: +SKIP
    """
    from riskgraph.match import DEFAULT_THRESHOLD

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    nodes = _nodes(chain, node)
    rmi = _load_rmi(rmi)
    reports = [_load_cmrt(c) for c in cmrts]
    conformant_given = conformant is not None
    if conformant is not None:
        conformant = read_conformant(conformant) if isinstance(conformant, (str, Path)) else conformant_table(
            conformant)
    accepted = {_status(s) for s in accept}
    cahra_set = frozenset(cahra) if cahra is not None else cahra_countries()

    chain_refiners = _chain_refiners(chain, rmi=rmi, threshold=threshold)
    cmrt_refiners, findings = _cmrt_refiners(reports, rmi=rmi, threshold=threshold)
    refiners = pd.concat([f for f in (chain_refiners, cmrt_refiners) if len(f)] or [chain_refiners],
                         ignore_index=True)
    refiners = _with_status(refiners, conformant)

    flags = []
    chain_rows = refiners[refiners["source"] == "chain"]
    for metal, sub in _metal_chains(chain).items():
        flags.extend(_chain_flags(sub, metal, nodes, chain_rows, accepted=accepted, conformant_given=conformant_given,
                                  cahra=cahra_set, year=year))
    flags.extend(_cmrt_flags(refiners[refiners["source"] != "chain"], reports, accepted=accepted,
                             conformant_given=conformant_given, cahra=cahra_set))
    flag_frame = pd.DataFrame(flags, columns=FLAG_COLUMNS)
    if len(flag_frame):
        flag_frame = flag_frame.sort_values(["node", "metal", "reason", "share"], ascending=[True, True, True, False],
                                            kind="stable", na_position="last").reset_index(drop=True)
    notes = [] if conformant_given else [NO_CONFORMANT_LIST]
    if rmi is None:
        notes.append("no RMI list given: CIDs are taken as given and refiners without a CID stay unidentified")
    return MineralsReport(nodes=nodes, refiners=refiners[REFINER_COLUMNS], flags=flag_frame,
                          thresholds=threshold_table(chain, nodes, year=year), cmrt_findings=findings, notes=notes)


def _nodes(chain: Chain, node) -> list[str]:
    if node is None:
        return list(chain_ends(chain))
    wanted = [node] if isinstance(node, str) else list(node)
    known = set(chain.actors["id"])
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise InputError(f"unknown actor id(s) {unknown}: a node must be an actor id of the chain")
    return wanted


def _load_rmi(rmi):
    if rmi is None or isinstance(rmi, pd.DataFrame):
        return rmi
    from riskgraph.importers import read_rmi_smelter_list

    return read_rmi_smelter_list(rmi)


def _load_cmrt(value):
    from riskgraph.importers import CmrtReport, read_cmrt

    return value if isinstance(value, CmrtReport) else read_cmrt(value)


# --------------------------------------------------------------------------- refiners


def _actor_metals(chain: Chain) -> pd.Series:
    """Each actor's metal: its commodity's, else gold for the gold sector, else ``None``."""
    actors = chain.actors
    metal = actors["commodity"].astype(object).map(metal_of)
    gold = (actors["sector"].astype(object) == "gold") & actors["commodity"].isna()
    metal = metal.where(~gold.to_numpy(), "gold")
    return pd.Series(metal.to_numpy(), index=actors["id"].astype(object), dtype=object)


def _flow_metals(chain: Chain) -> pd.Series:
    """Each flow's metal: its commodity's, else its source actor's, else its target actor's."""
    actor_metal = _actor_metals(chain)
    flows = chain.flows
    metal = flows["commodity"].astype(object).map(metal_of)
    own = flows["commodity"].notna().to_numpy()
    from_source = flows["source"].astype(object).map(actor_metal)
    from_target = flows["target"].astype(object).map(actor_metal)
    inferred = from_source.where(from_source.notna(), from_target)
    # A flow that names a commodity other than 3TG (silver, cocoa) is not 3TG, whoever ships it.
    return pd.Series(np.where(own, metal, inferred), index=flows.index, dtype=object)


def _metal_chains(chain: Chain) -> dict[str, Chain]:
    metals = _flow_metals(chain)
    return {m: chain.replace(flows=chain.flows[(metals == m).to_numpy()]) for m in METALS if (metals == m).any()}


def _chain_refiners(chain: Chain, *, rmi: pd.DataFrame | None, threshold: float) -> pd.DataFrame:
    """Refiners and smelters of the chain, matched to the RMI list by CID, else by name and alias."""
    actors = chain.actors
    is_refiner = ((actors["stage"] == "refiner").to_numpy(dtype=bool, na_value=False)
                  | actors["smelter_id"].notna().to_numpy())
    chosen = actors.loc[is_refiner]
    actor_metal = _actor_metals(chain)
    flow_metal = _flow_metals(chain)
    rows = []
    for position, record in enumerate(chosen.astype(object).where(chosen.notna(), None).to_dict("records")):
        metal = actor_metal.get(record["id"])
        if metal is None:  # a refiner without a 3TG commodity: the metal of what it ships or buys
            touched = flow_metal[(chain.flows["source"] == record["id"]) | (chain.flows["target"] == record["id"])]
            metal = next((m for m in touched if m), None)
        given = (record["smelter_id"] or "").strip().upper() or None
        rows.append({"actor": record["id"], "name": record["name"], "metal": metal, "country": record["country"],
                     "source": "chain", "smelter_id": given, "smelter_id_given": given, "rmi_name": None,
                     "match": None, "score": np.nan, "row": position})
    frame = pd.DataFrame(rows, columns=REFINER_COLUMNS[:10] + ["row"])
    if frame.empty:
        return frame.reindex(columns=REFINER_COLUMNS)
    _match_by_cid(frame, rmi)
    missing = frame["smelter_id"].isna()
    if rmi is not None and missing.any():
        _match_by_name(frame, frame.loc[missing].assign(file="chain"), rmi, threshold=threshold)
    frame.loc[frame["match"].isna(), "match"] = "none"
    return frame.drop(columns="row")


def _match_by_cid(frame: pd.DataFrame, rmi: pd.DataFrame | None) -> None:
    """Fill ``match`` and ``rmi_name`` for rows that carry a CID."""
    if rmi is None:
        frame.loc[frame["smelter_id"].notna(), "match"] = "cid_unchecked"
        return
    listed = rmi[rmi["status"] == "listed"]
    by_pair = {(m, c): n for m, c, n in zip(listed["metal"], listed["smelter_id"], listed["name"])}
    by_cid = {c: n for c, n in zip(listed["smelter_id"], listed["name"])}
    for index, metal, cid in zip(frame.index, frame["metal"], frame["smelter_id"]):
        if cid is None or cid is np.nan or (isinstance(cid, float) and cid != cid):
            continue
        if (metal, cid) in by_pair:
            frame.loc[index, ["match", "rmi_name"]] = ["cid", by_pair[(metal, cid)]]
        elif cid in by_cid:
            frame.loc[index, ["match", "rmi_name"]] = ["cid_other_metal", by_cid[cid]]
        else:
            frame.loc[index, "match"] = "cid_unknown"


def _match_by_name(frame: pd.DataFrame, missing: pd.DataFrame, rmi: pd.DataFrame, *, threshold: float) -> None:
    """Suggest CIDs for rows without one (``riskgraph.match.suggest_smelter_ids``) and take the confident ones."""
    from riskgraph.match import DEFAULT_REVIEW_LOW, suggest_smelter_ids

    query = pd.DataFrame({
        "file": missing["file"].to_numpy(), "row": missing["row"].astype(int).to_numpy(),
        "metal": missing["metal"].to_numpy(), "name": missing["name"].to_numpy(),
        "country": missing["country"].to_numpy(), "smelter_id": None, "status": "not_listed",
    })
    query = query[query["metal"].notna() & query["name"].notna()]
    if query.empty:
        return
    suggested = suggest_smelter_ids(query, rmi, threshold=threshold, review_low=min(DEFAULT_REVIEW_LOW, threshold))
    keys = {(f, int(r)): i for i, f, r in zip(missing.index, missing["file"], missing["row"])}
    for record in suggested.to_dict("records"):
        index = keys.get((record["file"], int(record["row"])))
        if index is None:
            continue
        frame.loc[index, ["rmi_name", "score"]] = [record["rmi_name"], float(record["score"])]
        if record["decision"] == "match":
            frame.loc[index, ["smelter_id", "match"]] = [record["smelter_id_suggested"], "name"]
        else:
            frame.loc[index, "match"] = "review"


def _cmrt_refiners(reports: list, *, rmi: pd.DataFrame | None, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The smelters of the CMRTs as refiner rows, matched like the chain's; and the CMRT findings."""
    from riskgraph.importers import cmrt_tables

    if not reports:
        return pd.DataFrame(columns=REFINER_COLUMNS), pd.DataFrame()
    tables = cmrt_tables(reports, rmi=rmi)
    smelters = tables["smelters"]
    rows = []
    for record in smelters.astype(object).where(smelters.notna(), None).to_dict("records"):
        cid = record["smelter_id"]
        if record["status"] == "not_identified":
            match = "not_identified"
        elif cid and rmi is not None:
            match = {"listed": "cid", "other_metal": "cid_other_metal", "unknown_cid": "cid_unknown"}.get(
                record.get("rmi_status"), "cid_unknown")
        elif cid:
            match = "cid_unchecked"
        else:
            match = None
        rows.append({"actor": f"{record['file']}#{record['row']}", "name": record["name"], "metal": record["metal"],
                     "country": record["country"] or record["country_raw"], "source": record["file"],
                     "smelter_id": cid, "smelter_id_given": cid, "rmi_name": record.get("rmi_name"),
                     "match": match, "score": np.nan, "row": int(record["row"]), "file": record["file"],
                     "mine_countries": record["mine_countries"]})
    frame = pd.DataFrame(rows)
    missing = frame["match"].isna()
    if rmi is not None and missing.any():
        _match_by_name(frame, frame.loc[missing], rmi, threshold=threshold)
    frame.loc[frame["match"].isna(), "match"] = "none"
    # Mine countries stay along (as ``_mines``) for the CMRT's cahra_origin flags.
    return frame.drop(columns=["row", "file"]).rename(columns={"mine_countries": "_mines"}), tables["findings"]


def _with_status(refiners: pd.DataFrame, conformant: pd.DataFrame | None) -> pd.DataFrame:
    """Each refiner's status: from the conformant list by CID, ``not_in_list``, ``unknown`` or ``unidentified``."""
    refiners = refiners.copy()
    lookup = {} if conformant is None else {c: (s, d) for c, s, d in zip(conformant["smelter_id"],
                                                                         conformant["status"], conformant["date"])}
    statuses, dates = [], []
    for cid, match in zip(refiners["smelter_id"], refiners["match"]):
        cid = None if _empty(cid) else cid
        if cid is not None and cid in lookup:
            status, date = lookup[cid]
        elif cid is None or match == "cid_unknown":
            status, date = "unidentified", None
        elif conformant is not None:
            status, date = "not_in_list", None
        else:
            status, date = "unknown", None
        statuses.append(status)
        dates.append(date)
    refiners["status"] = statuses
    refiners["status_date"] = dates
    return refiners


# --------------------------------------------------------------------------- flags with paths


def _share_graph(shares: InputShares) -> nx.DiGraph:
    """Edges ``u → n`` weighted ``−log S[u, n]``: the shortest path is the heaviest by share product."""
    coo = shares.matrix.tocoo()
    ids = shares.actors.to_numpy()
    graph = nx.DiGraph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from(
        (ids[u], ids[n], -math.log(s)) for u, n, s in zip(coo.row, coo.col, coo.data) if s > MIN_SHARE)
    return graph


def _heaviest(graph: nx.DiGraph, sources: Iterable[str], target: str) -> list[str] | None:
    sources = {s for s in sources if s in graph}
    if target not in graph or not sources:
        return None
    if target in sources:
        return [target]
    try:
        _, path = nx.multi_source_dijkstra(graph, sources, target=target, weight="weight")
    except nx.NetworkXNoPath:
        return None
    return path


def _path_share(graph: nx.DiGraph, path: list[str]) -> float:
    return math.exp(-sum(graph.edges[a, b]["weight"] for a, b in zip(path, path[1:])))


def _cut_weights(shares: InputShares, node: str, cut: Iterable[str]) -> np.ndarray:
    """Column n of ``W' = (I − S')⁻¹`` where S' has the outputs of the ``cut`` actors removed.

    ``W'[u, n]`` is the share of n's material that passed through u and
    then reached n without passing through any cut actor.
    """
    ids = shares.actors
    keep = np.ones(len(ids))
    positions = ids.get_indexer(list(cut))
    keep[positions[positions >= 0]] = 0.0
    cut_matrix = sp.diags(keep) @ shares.matrix
    system = (sp.identity(len(ids), format="csc") - cut_matrix).tocsc()
    target = np.zeros(len(ids))
    target[ids.get_loc(node)] = 1.0
    return np.asarray(spsolve(system, target)).ravel()


def _cahra_shares_by_paths(chain: Chain, node: str, origins: Iterable[str], cut: Iterable[str], *,
                           year: int | None = None) -> float:
    """Reference for the ``cahra_origin`` share: sum over simple paths from the origins to the node that avoid
    the cut actors, of the product of input shares. Exponential in general; for tests only."""
    shares = input_shares(chain, year=year)
    graph = _share_graph(shares)
    graph.remove_nodes_from([c for c in cut if c != node])
    total = 0.0
    for origin in origins:
        if origin not in graph or origin == node:
            continue
        for path in nx.all_simple_paths(graph, origin, node):
            total += _path_share(graph, path)
    return total


def _chain_flags(sub: Chain, metal: str, nodes: list[str], refiners: pd.DataFrame, *, accepted: set,
                 conformant_given: bool, cahra: frozenset, year: int | None) -> list[dict]:
    """Flags of one metal's sub-chain for every node."""
    shares = input_shares(sub, year=year)
    has_input = np.asarray(shares.matrix.sum(axis=0)).ravel() > 0
    receiving = [n for n in nodes if has_input[shares.actors.get_loc(n)]]
    if not receiving:
        return []
    weights = upstream_weights(sub, nodes=receiving, year=year)
    graph = _share_graph(shares)
    ids = shares.actors
    actors = sub.actors.set_index("id")
    starts = ids[~has_input].tolist()

    metal_refiners = refiners[refiners["metal"] == metal]
    refiner_info = metal_refiners.set_index("actor")[["smelter_id", "status"]]
    conformant_ids = (set(metal_refiners.loc[metal_refiners["status"].isin(accepted), "actor"])
                      if conformant_given else set())
    flagged = []
    for record in metal_refiners.to_dict("records"):
        if record["status"] == "unidentified":
            flagged.append((record, FlagReason.unidentified_refiner))
        elif conformant_given and record["status"] not in accepted:
            flagged.append((record, FlagReason.non_conformant_refiner))

    start_stages = chain_start_stages()
    is_origin = np.array([(s, st) in start_stages for s, st in zip(sub.actors["sector"], sub.actors["stage"])],
                         dtype=bool)
    in_cahra = sub.actors["country"].isin(list(cahra)).to_numpy(dtype=bool, na_value=False)
    origins_all = sub.actors.loc[is_origin & in_cahra, ["id", "country"]]
    to_refiner: dict[str, list[str] | None] = {}
    out = []
    for node in receiving:
        column = weights[node]
        for record, reason in flagged:
            refiner = record["actor"]
            share = float(column.get(refiner, 0.0))
            if refiner == node or share <= MIN_SHARE:
                continue
            if refiner not in to_refiner:
                to_refiner[refiner] = _heaviest(graph, starts, refiner) or [refiner]
            onward = _heaviest(graph, [refiner], node)
            path = to_refiner[refiner][:-1] + (onward or [refiner, node])
            out.append(_flag(node, metal, reason, actors, path, share, _path_share(graph, path) if onward else np.nan,
                             refiner=refiner, smelter_id=record["smelter_id"], status=record["status"]))
        origins = origins_all[origins_all["id"] != node]
        if origins.empty:
            continue
        cut = conformant_ids - {node}
        cut_weights = _cut_weights(shares, node, cut) if cut else column.reindex(ids).to_numpy()
        allowed = graph.subgraph([a for a in graph if a not in cut])
        positions = ids.get_indexer(origins["id"])
        by_country = pd.Series(cut_weights[positions], index=origins["country"].to_numpy()).groupby(level=0).sum()
        for country, share in by_country.items():
            if share <= MIN_SHARE:
                continue
            path = _heaviest(allowed, origins.loc[origins["country"] == country, "id"], node)
            on_path = [a for a in (path or []) if a in refiner_info.index]
            out.append(_flag(node, metal, FlagReason.cahra_origin, actors, path or [], float(share),
                             _path_share(graph, path) if path else np.nan, refiner="; ".join(on_path) or None,
                             smelter_id="; ".join(str(s) for s in refiner_info.loc[on_path, "smelter_id"]
                                                  if not _empty(s)) or None,
                             status="; ".join(refiner_info.loc[on_path, "status"]) or None, origin_country=country))
    return out


def _flag(node, metal, reason, actors, path, share, path_share, *, refiner=None, smelter_id=None, status=None,
          origin_country=None) -> dict:
    if origin_country is None and path:
        # Only where material enters the chain is a country an origin; a trader without recorded suppliers is
        # where the trail ends, and the path shows it.
        first = actors.loc[path[0]] if path[0] in actors.index else None
        if first is not None and (first["sector"], first["stage"]) in chain_start_stages() and not _empty(
                first["country"]):
            origin_country = first["country"]
    return {"node": node, "metal": metal, "reason": str(reason), "origin_country": origin_country,
            "refiner": refiner, "smelter_id": None if _empty(smelter_id) else smelter_id, "status": status,
            "path": " → ".join(path), "share": share, "path_share": path_share, "source": "chain"}


def _cmrt_flags(smelters: pd.DataFrame, reports: list, *, accepted: set, conformant_given: bool,
                cahra: frozenset) -> list[dict]:
    """Flags for smelters declared in CMRTs: no place in the chain, so no share; the node is the CMRT's company."""
    from riskgraph.importers import country_code

    companies = {r.file: (r.declaration.get("company_name") or r.file) for r in reports}
    out = []
    for record in smelters.to_dict("records"):
        node = f"CMRT {companies.get(record['source'], record['source'])}"
        label = record["name"] or record["smelter_id_given"] or "smelter not yet identified"
        path = f"{label} → {node} ({record['source']})"
        base = {"node": node, "metal": record["metal"], "refiner": label, "status": record["status"],
                "smelter_id": None if _empty(record["smelter_id"]) else record["smelter_id"], "path": path,
                "share": np.nan, "path_share": np.nan, "source": record["source"], "origin_country": None}
        if record["status"] == "unidentified":
            out.append(base | {"reason": str(FlagReason.unidentified_refiner)})
        elif conformant_given and record["status"] not in accepted:
            out.append(base | {"reason": str(FlagReason.non_conformant_refiner)})
        if conformant_given and record["status"] in accepted:
            continue
        mines = record.get("_mines")
        for text in ([] if _empty(mines) else re.split(r"\s*[|;,]\s*", str(mines))):
            country = country_code(text)
            if country in cahra:
                out.append(base | {"reason": str(FlagReason.cahra_origin), "origin_country": country,
                                   "path": f"mine in {country} → {path}"})
    return out


# --------------------------------------------------------------------------- thresholds


def _unit_factor(unit: object) -> float | None:
    if _empty(unit):
        return 1.0
    return UNIT_TO_KG.get(re.sub(r"[\s.]+", "_", str(unit).strip().lower()).strip("_"))


def _digits(code: object) -> str:
    return re.sub(r"\D", "", "" if _empty(code) else str(code))


def threshold_table(chain: Chain, nodes: Sequence[str], *, year: int | None = None,
                    annex: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each node's received 3TG per metal and year, in kg, against every Annex I row of that metal.

    Flows without a unit are read as kg (noted); flows in a unit that is not
    a mass or is ambiguous (``oz``, ``ton``, ``pcs``) are left out (noted).
    With a ``cn_code`` column on the flows, a flow counts only towards the
    Annex rows whose CN code it falls under.

    Examples
    --------
    >>> import pandas as pd
    >>> chain = Chain(
    ...     actors=pd.DataFrame({"id": ["r", "c"], "stage": ["refiner", "retailer"],
    ...                          "country": ["CH", "NL"], "sector": "gold"}),
    ...     flows=pd.DataFrame({"source": ["r"], "target": ["c"], "volume": [0.12], "unit": ["t"]}),
    ... )
    >>> row = threshold_table(chain, ["c"]).query("cn_code == 'ex 7108' and part == 'minerals'").iloc[0]
    >>> float(row["received_kg"]), float(row["threshold_kg"]), row["position"]
    (120.0, 100.0, 'above')
    """
    annex = annex_thresholds() if annex is None else annex
    flows = chain.flows.assign(metal=_flow_metals(chain).to_numpy())
    flows = flows[flows["target"].isin(list(nodes)) & flows["metal"].notna()]
    if year is not None:
        flows = flows[flows["year"] == year]
    if flows.empty:
        return pd.DataFrame(columns=THRESHOLD_COLUMNS)
    country = chain.actors.set_index("id")["country"]
    flows = flows.assign(
        factor=flows["unit"].map(_unit_factor).astype(float),
        outside=~flows["source"].map(country).isin(EU_MEMBER_STATES).to_numpy(),
        code=flows["cn_code"].map(_digits) if "cn_code" in flows.columns else "",
        year_key=flows["year"].astype(object).where(flows["year"].notna(), None),
    )
    flows["kg"] = flows["volume"].astype(float) * flows["factor"]
    rows = []
    for (node, metal, year_key), group in flows.groupby(["target", "metal", "year_key"], dropna=False, sort=True):
        notes = _unit_notes(group)
        usable = group[group["kg"].notna()]
        for item in annex[annex["metal"] == metal].to_dict("records"):
            prefix = _digits(item["cn_code"])
            counts = usable[(usable["code"] == "") | usable["code"].str.startswith(prefix)]
            if usable["code"].ne("").all() and counts.empty:
                continue  # every flow names its CN code and none falls under this row
            received = float(counts["kg"].sum())
            imported = float(counts.loc[counts["outside"], "kg"].sum())
            limit = item["threshold_kg"]
            position = "unknown" if pd.isna(limit) else ("above" if received >= limit else "below")
            note = list(notes)
            if item["confirmed"] != "yes":
                note.append("threshold not confirmed" if pd.isna(limit) else "threshold from a secondary source")
            rows.append({"node": node, "metal": metal, "year": year_key, "received_kg": received,
                         "imported_kg": imported, "part": item["part"], "description": item["description"],
                         "cn_code": item["cn_code"], "threshold_kg": limit, "position": position,
                         "confirmed": item["confirmed"], "note": "; ".join(note) or None})
    table = pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)
    table["year"] = pd.array(table["year"], dtype="Int64")
    return table


def _unit_notes(group: pd.DataFrame) -> list[str]:
    notes = []
    no_unit = int(group["unit"].isna().sum())
    if no_unit:
        notes.append(f"{no_unit} flow(s) without unit read as kg")
    unknown = group.loc[group["factor"].isna(), "unit"]
    if len(unknown):
        units = ", ".join(sorted({str(u) for u in unknown}))
        notes.append(f"{len(unknown)} flow(s) in unit(s) {units} left out (not a mass, or ambiguous)")
    converted = sorted({str(u) for u in group.loc[group["factor"].notna() & group["unit"].notna(), "unit"]
                        if _unit_factor(u) != 1.0})
    if converted:
        notes.append(f"converted to kg from {', '.join(converted)}")
    no_volume = int(group["volume"].isna().sum())
    if no_volume:
        notes.append(f"{no_volume} flow(s) without volume not counted")
    return notes


__all__ = [
    "DEFAULT_ACCEPTED",
    "FlagReason",
    "METALS",
    "MineralsReport",
    "annex_thresholds",
    "cahra_countries",
    "conflict_minerals",
    "conformant_table",
    "metal_of",
    "read_conformant",
    "threshold_table",
]
