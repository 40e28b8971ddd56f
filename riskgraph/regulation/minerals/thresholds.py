"""Annex I volume thresholds of Regulation (EU) 2017/821 compared with what a node receives and imports.
"""
from __future__ import annotations

import re
from typing import Sequence

import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.regulation.minerals.reference import EU_MEMBER_STATES, THRESHOLD_COLUMNS, UNIT_TO_KG, _empty, annex_thresholds
from riskgraph.regulation.minerals.refiners import _flow_metals


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
