"""Refiners of a chain and of suppliers' CMRTs, matched to the RMI list (by CID, then by name) with their audit status.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.regulation.minerals.reference import METALS, REFINER_COLUMNS, _empty, metal_of


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
    """Suggest CIDs for rows without one (``riskgraph.sources.match.suggest_smelter_ids``) and take the confident ones."""
    from riskgraph.sources.match import DEFAULT_REVIEW_LOW, suggest_smelter_ids

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
    from riskgraph.sources import cmrt_tables

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
