"""Who is a Union importer under Regulation (EU) 2017/821, and against which Annex I row its imports are compared.

* **Union importer** (Art. 2; rule ``MIN-UNION-IMPORTER``): an actor
  established in an EU member state that receives Annex I material from a
  supplier outside the EU. An actor outside the Union, one supplied only from
  inside it, or one that imports only goods outside Annex I (jewellery,
  components) is not, and :func:`union_importers` says why.
* **Thresholds** (Art. 1(3), Annex I; ``MIN-THRESHOLD``): the Regulation does
  not apply to an importer whose annual *imported* volume of a mineral or
  metal is below that Annex I row's threshold. Each flow is put on its row
  by its form — ore or concentrate, gold that has not passed the refining
  stage (< 99.5 %), refined metal, compound — read from the flow's CN code
  (``cn_code`` or ``hs_code`` column), else from its commodity text
  (``doré``, ``bars``, ``cassiterite``, ``jewellery`` …), else from the stage
  of the supplier (:data:`GOLD_STAGE_FORM`: a mine or gold trader ships doré,
  a refiner or bullion bank refined gold, a manufacturer jewellery). Only kg
  imported from outside the EU count; thresholds that could not be read in a
  source stay blank and the position is ``unknown`` (never guessed).
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.regulation.common import EU_MEMBER_STATES, article, digits, kg_factor
from riskgraph.regulation.minerals.reference import annex_thresholds
from riskgraph.regulation.minerals.refiners import _flow_metals

ORE, UNREFINED, REFINED, COMPOUND, OUTSIDE = ("ore_concentrate", "unrefined_gold", "refined_metal", "compound",
                                              "outside_annex")
#: What a gold-sector supplier at each stage ships (module docstring).
GOLD_STAGE_FORM = {"mine_asm": UNREFINED, "mine_lsm": UNREFINED, "recycler": UNREFINED, "trader": UNREFINED,
                   "refiner": REFINED, "bullion_bank": REFINED, "manufacturer": OUTSIDE, "retailer": OUTSIDE}
_TEXT_FORMS = [
    (OUTSIDE, re.compile(r"jewel|sierad|juweel|watch|horloge|component|electronic")),
    (UNREFINED, re.compile(r"dor[eé]\b|unrefined|ongeraffineerd|not refined")),
    (ORE, re.compile(r"\bores?\b|concentrate|cassiterite|coltan|wolframite|scheelite|\berts")),
    (REFINED, re.compile(r"\bbars?\b|bullion|ingots?|grains?|refined|baren|staaf|wire|rods?|sheet|powder")),
]
IMPORTER_COLUMNS = ["node", "country", "in_union", "importer", "metals", "imported_kg", "annex_i_imported_kg",
                    "reason", "rule_id", "article"]
THRESHOLD_COLUMNS = ["node", "metal", "year", "form", "part", "description", "cn_code", "imported_kg", "received_kg",
                     "threshold_kg", "position", "confirmed", "rule_id", "note"]


def supply_form(commodity: object, supplier_sector: object, supplier_stage: object) -> str | None:
    """The Annex I form of a delivery from its commodity text, else the supplier's stage; ``None`` if unknown.

    >>> supply_form("Doré", "gold", "refiner"), supply_form("gold", "gold", "refiner")
    ('unrefined_gold', 'refined_metal')
    >>> supply_form(None, "gold", "manufacturer"), supply_form("cassiterite", None, "trader")
    ('outside_annex', 'ore_concentrate')
    """
    text = "" if commodity is None or commodity is pd.NA or (isinstance(commodity, float) and commodity != commodity) \
        else str(commodity).casefold()
    for form, pattern in _TEXT_FORMS:
        if pattern.search(text):
            return form
    stage = str(supplier_stage) if isinstance(supplier_stage, str) else ""
    if supplier_sector == "gold" and stage in GOLD_STAGE_FORM:
        return GOLD_STAGE_FORM[stage]
    if "mine" in stage or "quarry" in stage or stage in ("trader", "exporter"):
        return ORE
    if stage in ("smelter", "refiner"):
        return REFINED
    if stage:
        return OUTSIDE
    return None


def _rows_for(annex: pd.DataFrame, metal: str, form: str | None, code: str) -> list[int]:
    """Annex rows a delivery counts towards: by CN code (disambiguated by form), else every row of its form."""
    rows = annex[annex["metal"] == metal]
    if code:
        by_code = rows[[bool(d) and (code.startswith(d) or d.startswith(code)) for d in rows["cn_code"].map(digits)]]
        if len(by_code) > 1 and form is not None and (by_code["form"] == form).any():
            by_code = by_code[by_code["form"] == form]
        return list(by_code.index)
    if form in (None, OUTSIDE):
        return []
    return list(rows.index[rows["form"] == form])


def classify_deliveries(chain: Chain, nodes: Sequence[str], *, year: int | None = None) -> pd.DataFrame:
    """The 3TG deliveries to ``nodes``: flows with ``metal, form, code, kg, outside, rows`` (Annex row indices)."""
    annex = annex_thresholds()
    flows = chain.flows.assign(metal=_flow_metals(chain).to_numpy())
    flows = flows[flows["target"].isin(list(nodes)) & flows["metal"].notna()]
    if year is not None:
        flows = flows[flows["year"] == year]
    actors = chain.actors.set_index("id")
    codes = (flows["cn_code"] if "cn_code" in flows.columns else flows["hs_code"] if "hs_code" in flows.columns
             else pd.Series("", index=flows.index)).map(digits)
    forms = [supply_form(c, actors.at[s, "sector"], actors.at[s, "stage"])
             for c, s in zip(flows["commodity"].astype(object), flows["source"])]
    out = flows.assign(
        form=forms, code=codes.to_numpy(),
        factor=flows["unit"].astype(object).map(kg_factor).astype(float),
        outside=~flows["source"].map(actors["country"]).isin(EU_MEMBER_STATES).to_numpy(),
        year_key=flows["year"].astype(object).where(flows["year"].notna(), None),
    )
    out["kg"] = out["volume"].astype(float) * out["factor"]
    out["rows"] = [_rows_for(annex, m, f, c) for m, f, c in zip(out["metal"], out["form"], out["code"])]
    return out


def union_importers(chain: Chain, nodes: Sequence[str], *, year: int | None = None,
                    deliveries: pd.DataFrame | None = None) -> pd.DataFrame:
    """Whether each node is a Union importer of Annex I minerals or metals, with the reason (``IMPORTER_COLUMNS``)."""
    deliveries = classify_deliveries(chain, nodes, year=year) if deliveries is None else deliveries
    actors = chain.actors.set_index("id")
    rows = []
    for node in nodes:
        country = actors.at[node, "country"] if isinstance(actors.at[node, "country"], str) else None
        mine = deliveries[deliveries["target"] == node]
        in_union = country in EU_MEMBER_STATES
        imported = mine[mine["outside"]]
        annex_imported = imported[imported["rows"].map(len) > 0]
        metals = ", ".join(sorted(set(mine["metal"])))
        if not in_union:
            reason = f"not a Union importer: established outside the Union ({country or 'country unknown'})"
        elif mine.empty:
            reason = "not a Union importer: receives no tin, tantalum, tungsten or gold in the chain"
        elif imported.empty:
            origins = ", ".join(sorted(set(mine["source"].map(actors["country"]).dropna())))
            reason = f"not a Union importer: supplied with 3TG only from inside the Union ({origins})"
        elif annex_imported.empty:
            forms = ", ".join(sorted({str(f).replace("_", " ") for f in imported["form"]}))
            reason = (f"not a Union importer of Annex I minerals or metals: imports only goods outside Annex I ({forms}; "
                      "e.g. jewellery, heading 7113, is not in Annex I; " + article("minerals", "MIN-SCOPE") + ")")
        else:
            outside = ", ".join(sorted(set(annex_imported["source"].map(actors["country"]).dropna())))
            reason = (f"Union importer: established in {country} and imports Annex I material from outside the Union "
                      f"({outside})")
        rows.append({
            "node": node, "country": country, "in_union": in_union, "importer": in_union and not annex_imported.empty,
            "metals": metals, "imported_kg": float(imported["kg"].sum()) if len(imported) else 0.0,
            "annex_i_imported_kg": float(annex_imported["kg"].sum()) if len(annex_imported) else 0.0,
            "reason": reason, "rule_id": "MIN-UNION-IMPORTER", "article": article("minerals", "MIN-UNION-IMPORTER"),
        })
    return pd.DataFrame(rows, columns=IMPORTER_COLUMNS)


def threshold_table(chain: Chain, nodes: Sequence[str], *, year: int | None = None,
                    annex: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each Union importer's *imported* kg per metal, year and Annex I row, against that row's threshold.

    Flows without a unit are read as kg (noted); flows in a unit that is not
    a mass or is ambiguous (``oz``, ``ton``, ``pcs``) are left out (noted).
    Nodes that are not Union importers have no rows (see
    :func:`union_importers` for the reason).

    Examples
    --------
    >>> import pandas as pd
    >>> chain = Chain(
    ...     actors=pd.DataFrame({"id": ["m", "r"], "stage": ["mine_asm", "refiner"],
    ...                          "country": ["PE", "NL"], "sector": "gold"}),
    ...     flows=pd.DataFrame({"source": ["m"], "target": ["r"], "volume": [0.15], "unit": ["t"],
    ...                         "commodity": ["doré"]}),
    ... )
    >>> row = threshold_table(chain, ["r"]).iloc[0]
    >>> row["form"], float(row["imported_kg"]), float(row["threshold_kg"]), row["position"]
    ('unrefined_gold', 150.0, 100.0, 'above')
    """
    annex = annex_thresholds() if annex is None else annex
    deliveries = classify_deliveries(chain, nodes, year=year)
    importers = union_importers(chain, nodes, year=year, deliveries=deliveries)
    chosen = set(importers.loc[importers["importer"], "node"])
    deliveries = deliveries[deliveries["target"].isin(chosen)]
    if deliveries.empty:
        return pd.DataFrame(columns=THRESHOLD_COLUMNS)
    exploded = deliveries.explode("rows").dropna(subset=["rows"])
    rows = []
    for (node, metal, year_key, index), group in exploded.groupby(["target", "metal", "year_key", "rows"],
                                                                    dropna=False, sort=True):
        item = annex.loc[index]
        imported = group[group["outside"]]
        if imported.empty:
            continue
        notes = _unit_notes(imported)
        if not imported["code"].ne("").all():
            notes.append("row chosen from the commodity or the supplier's stage (no CN code on the flow)")
        usable = imported["kg"].dropna()
        limit = item["threshold_kg"]
        kg = float(usable.sum())
        position = "unknown" if pd.isna(limit) else ("above" if kg >= limit else "below")
        if item["confirmed"] != "yes":
            notes.append("threshold not read in a source: unknown" if pd.isna(limit)
                         else "threshold from a secondary source")
        if "2020/1588" in str(item["source"]) and pd.isna(limit):
            notes.append("threshold set by Delegated Regulation (EU) 2020/1588 (MIN-THRESHOLD-2020-1588, "
                         + article("minerals", "MIN-THRESHOLD-2020-1588") + ")")
        rows.append({"node": node, "metal": metal, "year": year_key, "form": item["form"], "part": item["part"],
                     "description": item["description"], "cn_code": item["cn_code"], "imported_kg": kg,
                     "received_kg": float(group["kg"].dropna().sum()), "threshold_kg": limit, "position": position,
                     "confirmed": item["confirmed"], "rule_id": "MIN-THRESHOLD", "note": "; ".join(notes) or None})
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
                        if kg_factor(u) != 1.0})
    if converted:
        notes.append(f"converted to kg from {', '.join(converted)}")
    no_volume = int(group["volume"].isna().sum())
    if no_volume:
        notes.append(f"{no_volume} flow(s) without volume not counted")
    return notes


__all__ = ["GOLD_STAGE_FORM", "IMPORTER_COLUMNS", "THRESHOLD_COLUMNS", "classify_deliveries", "supply_form",
           "threshold_table", "union_importers"]
