"""The OECD five-step structure of Regulation (EU) 2017/821 (Art. 4-7) with what the chain data show for each step.

1. management system (Art. 4): chain of custody — the share of material traced
   to a mine or recycler — and refiners identified; policy, grievance
   mechanism and records are not chain data and are listed as to document;
2. risk identification (Art. 5): the red flags on origin, transit and
   refiners;
3. response (Art. 5): the flags that need a risk management plan;
4. third-party audit (Art. 6): refiners' status and whether the Art. 6(2)
   exemption is possible;
5. reporting (Art. 7): what the annual report covers, and a recycled share
   (Art. 7(4)).
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from riskgraph.regulation.common import article

STEP_COLUMNS = ["node", "step", "name", "article", "rule_id", "status", "finding"]


def oecd_steps(nodes: Sequence[str], *, flags: pd.DataFrame, refiners_reached: dict, traced: dict,
               importers: pd.DataFrame, thresholds: pd.DataFrame, recycled: dict) -> pd.DataFrame:
    """The OECD five-step structure per node with what the data show (``STEP_COLUMNS``).

    ``refiners_reached[node]`` maps refiner → (status, share); ``traced[node]``
    maps metal → share of the material traced to a mine or recycler;
    ``recycled[node]`` maps metal → share entering at a recycler.
    """
    importer = importers.set_index("node")
    rows = []
    for node in nodes:
        mine = flags[flags["node"] == node]
        reached = refiners_reached.get(node, {})
        shares = traced.get(node, {})
        applies = bool(importer.at[node, "importer"]) if node in importer.index else False
        above = thresholds[(thresholds["node"] == node) & (thresholds["position"] == "above")]
        unknown = thresholds[(thresholds["node"] == node) & (thresholds["position"] == "unknown")]
        scope = ("Union importer above an Annex I threshold: the steps are obligations" if applies and len(above)
                 else "Union importer; whether a threshold is reached is unknown for some rows" if applies and len(
                     unknown) else "Union importer below every threshold read" if applies
                 else importer.at[node, "reason"] if node in importer.index else "")

        def add(step, name, rule_id, status, finding):
            rows.append({"node": node, "step": step, "name": name, "article": article("minerals", rule_id),
                         "rule_id": rule_id, "status": status, "finding": finding})

        unidentified = sorted(r for r, (s, _) in reached.items() if s == "unidentified")
        traced_text = "; ".join(f"{m}: {v:.0%} traced to a mine or recycler" for m, v in sorted(shares.items()))
        add(1, "management system", "MIN-STEP1-MANAGEMENT",
            "gaps" if unidentified or any(v < 1 - 1e-9 for v in shares.values()) else "data complete",
            f"{scope}. Chain of custody: {traced_text or 'no 3TG material in the chain'}; refiners reached: "
            f"{len(reached)}, unidentified: {', '.join(unidentified) or 'none'}. Supply chain policy, senior "
            "management oversight, supplier contracts, grievance mechanism and five-year records are not in the "
            "chain data: document them (Art. 4(a)-(e)).")
        red = mine[mine["reason"].isin(["cahra_origin", "cahra_transit", "transit_hub"])]
        refiner_flags = mine[mine["reason"].isin(["unidentified_refiner", "non_conformant_refiner"])]
        described = "; ".join(
            f"{r.reason} {(r.via if isinstance(r.via, str) else None) or r.origin_country or r.refiner or ''}"
            + (f" ({r.share:.0%})" if r.share == r.share else "") for r in mine.itertuples(index=False))
        add(2, "risk identification (red flags)", "MIN-STEP2-RED-FLAG-ORIGIN", "red flags" if len(mine) else "none found",
            f"{len(red)} origin/transit red flags, {len(refiner_flags)} refiner flags: {described or 'none'}.")
        add(3, "response to identified risks", "MIN-STEP3-RESPONSE", "response needed" if len(mine) else "none needed",
            (f"{len(mine)} flags need a risk management plan reported to senior management: continue trade while "
             "mitigating, suspend, or disengage; monitor the mitigation." if len(mine) else
             "No red flag in the data: no response needed; keep monitoring."))
        accepted = [r for r, (s, _) in reached.items() if s == "conformant"]
        others = sorted(f"{r} ({s})" for r, (s, _) in reached.items() if s != "conformant")
        exempt = bool(reached) and not others
        add(4, "third-party audit (refiners)", "MIN-STEP4-AUDIT", "exemption possible" if exempt else "audit needed",
            f"{len(accepted)} of {len(reached)} refiners conformant" + (f"; not accepted: {', '.join(others)}" if others
                                                                          else "")
            + (". Art. 6(2) exemption possible: every refiner on the paths is accepted (conformant list as a proxy "
               "for the Commission's Art. 9 list)." if exempt else
               ". An independent third-party audit of the importer's due diligence is needed (Art. 6(1))."))
        recycled_text = "; ".join(f"{m}: {v:.0%} enters at a recycler" for m, v in sorted(recycled.get(node, {}).items())
                                  if v > 0)
        add(5, "annual reporting", "MIN-STEP5-REPORTING", "to report" if applies else "voluntary",
            "Annual public report on supply chain due diligence policies and practices (Art. 7(3)), audit reports to "
            "the competent authority (Art. 7(1)), due diligence information to downstream purchasers (Art. 7(2))."
            + (f" Recycled material: {recycled_text} — a disclosure if the metal is only recycled (MIN-RECYCLED, "
               f"{article('minerals', 'MIN-RECYCLED')})." if recycled_text else "")
            + f" Obligations apply from 1 January 2021 ({article('minerals', 'MIN-APPLICATION')}).")
    return pd.DataFrame(rows, columns=STEP_COLUMNS)


__all__ = ["STEP_COLUMNS", "oecd_steps"]
