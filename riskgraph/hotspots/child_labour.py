"""Child-labour hotspots: actors at relevant stages in listed or high-likelihood locations.
"""
from __future__ import annotations


import pandas as pd

from riskgraph._text import per_distinct
from riskgraph.chain.model import Chain
from riskgraph.formatting import Phrase
from riskgraph.hotspots._common import RELEVANCE_MIN, _ROW_COLUMNS, _actor_frame, _float, _reach_reason
from riskgraph.hotspots.reach import downstream_reach


def child_labour_hotspots(chain: Chain, assessment=None, *, reach=None) -> pd.DataFrame:
    """Child-labour hotspots: relevant stages (g ≥ 0.5) in DOL-listed country × good × stage or high-likelihood places.

    A listing counts only at the stages it describes (DOL "gold" → artisanal
    mines, :func:`riskgraph.risk.likelihood.listing`). Returns unranked
    hotspot rows like :func:`deforestation_hotspots`; ``exposure`` is the
    actor's likelihood ``r`` and ``score = severity × r`` (the priority).
    """
    from riskgraph.risk.reference import commodity_key
    from riskgraph.risk import assess

    from riskgraph.risk.priorities import priority

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    severity = float(assessment.severity.get("child_labour", 1.0))
    actors = _actor_frame(chain, assessment, "child_labour")
    high = float(assessment.thresholds.get("high", 0.5))
    keys = pd.Series(per_distinct(commodity_key, actors["commodity"]), index=actors.index, dtype=object)
    from riskgraph.risk.likelihood import listing

    listed = pd.Series(per_distinct(lambda c, k, se, st: listing(c, k, se, st, "child_labour"), actors["country"],
                                     keys, actors["sector"], actors["stage"]), index=actors.index, dtype=object)
    relevance = actors["relevance"].astype(float).fillna(1.0)
    likelihood = actors["likelihood"].astype(float).fillna(0.0)
    candidate = (relevance >= RELEVANCE_MIN) & (listed.notna() | (likelihood >= high))
    table = actors.assign(key=keys, listed=listed, g=relevance, L=likelihood)
    table = table[candidate.to_numpy()].join(reach[["reach", "dependence", "basis"]].rename(
        columns={"basis": "reach_basis"}))
    columns = ["stage", "g", "listed", "L", "country", "source", "risk", "basis", "reach", "dependence",
               "reach_basis", "name", "key", "lat", "lon"]
    rows = []
    for actor, values in zip(table.index.to_numpy(dtype=object),
                             zip(*(table[c].to_numpy(dtype=object) for c in columns))):
        a = dict(zip(columns, values))
        reasons = [Phrase("child_labour.relevance", stage=a["stage"], relevance=a["g"], minimum=RELEVANCE_MIN)]
        if a["listed"] is not None:
            reasons.append(a["listed"])
        if a["L"] >= high:
            reasons.append(Phrase("child_labour.high", likelihood=a["L"], country=a["country"], high=high,
                                  source=a["source"]))
        reasons.append(Phrase("child_labour.priority", risk=a["risk"], basis=a["basis"], severity=severity))
        reasons.append(_reach_reason(a["reach"], a["dependence"], a["reach_basis"]))
        rows.append({"kind": "actor", "actor": actor, "plot": None, "name": a["name"], "stage": a["stage"],
                     "country": a["country"], "commodity": a["key"], "exposure": float(a["risk"]),
                     "reach": float(a["reach"]), "dependence": float(a["dependence"]), "reasons": reasons,
                     "lat": _float(a["lat"]), "lon": _float(a["lon"])})
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    frame.insert(0, "theme", "child_labour")
    frame["score"] = priority(severity, frame["exposure"].astype(float))
    return frame
