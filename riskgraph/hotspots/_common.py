"""What every kind of hotspot shares: themes, columns, reference look-ups, actor frames, ranking.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.formatting import Phrase


from riskgraph._vocabulary import HOTSPOT_THEMES  # noqa: E402  (the command line reads it without pandas)
THEME_CHOICES = (*HOTSPOT_THEMES, "all")
from riskgraph.risk.evidence import CUTOFF_YEAR, UNVERIFIED_WEIGHT  # noqa: E402,F401  (EUDR Art. 2(13) cut-off)
RELEVANCE_MIN = 0.5  # child labour: stages where g ≥ 0.5 count as child-labour relevant
RISKY_BENCHMARK = ("standard", "high")
GI_CRITICAL = 1.96  # the conventional Gi* hot-spot threshold (95 % two-sided; one-sided p < 0.025)
EARTH_RADIUS_KM = 6371.0088
COUNTED_ROWS = 1000  # rows per theme whose downstream actors are counted exactly (a BFS each)
MIN_ACTORS_FOR_ISOLATION = 50  # IsolationForest needs a population to call anything unusual

HOTSPOT_COLUMNS = ["theme", "rank", "kind", "actor", "plot", "name", "stage", "country", "commodity", "score",
                   "exposure", "reach", "dependence", "downstream_actors", "reasons", "lat", "lon", "gi_z", "cluster"]
_ROW_COLUMNS = [c for c in HOTSPOT_COLUMNS if c not in ("theme", "rank", "score", "downstream_actors", "gi_z", "cluster")]
CLUSTER_COLUMNS = ["theme", "cluster", "points", "actors", "plots", "lat", "lon", "radius_km", "total_risk",
                   "mean_risk", "gi_z", "p_value", "hot", "countries", "top_members"]
CHOKEPOINT_COLUMNS = ["theme", "rank", "actor", "name", "stage", "country", "risky_share", "upstream_exposure",
                      "reach", "suppliers", "supplier_countries", "buyers", "reasons"]
ANOMALY_COLUMNS = ["actor", "name", "stage", "country", "kind", "year", "score", "reason"]


# --------------------------------------------------------------------------- reference


def eudr_benchmark() -> pd.Series:
    """EUDR country benchmark class (``low`` / ``standard`` / ``high``) by ISO alpha-2.

    The table of :func:`riskgraph.risk.reference.eudr_benchmark` (Implementing
    Regulation (EU) 2025/1093) as a Series. Countries not listed are treated
    as unknown.
    """
    from riskgraph.risk.reference import eudr_benchmark as benchmark

    return pd.Series(benchmark(), name="eudr_risk").rename_axis("iso2").str.strip().str.lower()


# --------------------------------------------------------------------------- themes


def _actor_frame(chain: Chain, assessment, theme: str) -> pd.DataFrame:
    """Actors with their inherent risk and its parts for one theme."""
    actors = chain.actors.set_index("id")
    risk = assessment.actor_risk
    risk = risk[risk["theme"] == theme].set_index("actor")
    frame = actors[["name", "stage", "country", "sector", "commodity", "lat", "lon"]].astype(object).copy()
    for column in ("likelihood", "relevance", "risk", "basis", "source", "prior"):
        frame[column] = risk[column].reindex(frame.index)
    frame["risk"] = frame["risk"].astype(float).fillna(0.0)
    return frame


def _reach_reason(reach: float, dependence: float, basis: str) -> Phrase:
    return Phrase("reach.volume" if basis == "volume" else "reach.mean_share", reach=reach, dependence=dependence)


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _num(value):
    """A number for a reason, or "?" when it is not there."""
    value = _float(value)
    return "?" if not np.isfinite(value) else value


def _ids(values, limit: int = 5):
    """Ids for a reason: the first ``limit``, then "and N more"."""
    values = [str(v) for v in values]
    shown = ", ".join(values[:limit])
    return Phrase("list.more", ids=shown, more=len(values) - limit) if len(values) > limit else shown


def _rank(frame: pd.DataFrame, score: str = "score") -> pd.DataFrame:
    """Rank rows within each theme by score, then downstream reach, then dependence, then ids.

    For hotspots ``score`` is the priority, severity × likelihood (OECD), so
    within a theme the likelihood decides and reach only breaks ties: a
    plot with confirmed forest loss outranks a larger farm with none.
    """
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="Int64"))
    ties = [c for c in ("reach", "dependence") if c in frame.columns and c != score]
    order = ["theme", score, *ties, "actor"] + (["plot"] if "plot" in frame.columns else [])
    ascending = [True, False, *[False] * len(ties), True] + ([True] if "plot" in frame.columns else [])
    frame = frame.sort_values(order, ascending=ascending, kind="stable", na_position="last")
    frame["rank"] = frame.groupby("theme").cumcount() + 1
    return frame.reset_index(drop=True)
