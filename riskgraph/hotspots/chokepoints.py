"""Chokepoints: intermediate actors through which the largest share of risky material passes.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.hotspots._common import CHOKEPOINT_COLUMNS, HOTSPOT_THEMES, _rank
from riskgraph.hotspots.reach import _end_volumes, downstream_reach


# --------------------------------------------------------------------------- chokepoints


def chokepoints(chain: Chain, assessment=None, *, themes=HOTSPOT_THEMES, reach: pd.DataFrame | None = None,
                top: int | None = None) -> pd.DataFrame:
    """Intermediate nodes through which the largest share of risky material passes.

    For theme t and node u with inputs and outputs::

        upstream_exposure_t(u) = Σ_v W[v, u] · r_t(v)          (risk carried by u's material)
        risky_share_t(u)       = upstream_exposure_t(u) · Σ_e W[u, e]·vol(e) / Σ_e vol(e)·upstream_exposure_t(e)

    The numerator is the risk-weighted material from every upstream actor v
    that reaches the chain ends *through u* (on an acyclic chain the paths
    v → u → e carry ``W[v, u]·W[u, e]``); the denominator is all
    risk-weighted material delivered. So ``risky_share`` is the share of the
    chain's risky material that u could stop or trace — leverage, not
    betweenness: a node on many paths that carry little or clean material
    ranks low. End volumes as in :func:`downstream_reach`.
    """
    from riskgraph.risk import assess

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    matrix = assessment.shares_info.matrix
    actors = assessment.actors
    has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
    has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
    ends = has_in & ~has_out
    volume, _ = _end_volumes(chain, actors, ends)
    end_weight = volume if volume is not None else ends.astype(float)
    info = chain.actors.set_index("id").reindex(actors)
    pairs = chain.flows[["source", "target"]].drop_duplicates()
    country = chain.actors.set_index("id")["country"]
    suppliers = pairs.groupby("target").size().reindex(actors).fillna(0).astype(int)
    supplier_countries = (pairs.assign(c=pairs["source"].map(country)).groupby("target")["c"].nunique()
                          .reindex(actors).fillna(0).astype(int))
    buyers = pairs.groupby("source").size().reindex(actors).fillna(0).astype(int)
    shares = assessment.class_shares[:, :-1]
    rows = []
    middle = np.flatnonzero(has_in & has_out)
    # plain arrays: per-element .iloc on (Arrow-backed) Series costs microseconds each, minutes on large chains
    name_of, stage_of, country_of = (info[c].to_numpy(dtype=object) for c in ("name", "stage", "country"))
    reach_of = reach["reach"].to_numpy(dtype=float)
    suppliers_of, countries_of, buyers_of = (s.to_numpy() for s in (suppliers, supplier_countries, buyers))
    for theme in themes:
        risk = assessment.class_risk[theme].fillna(0.0).to_numpy()
        exposure = np.asarray(shares @ risk).ravel()
        total = float((end_weight * exposure).sum())
        if total <= 0:
            continue
        delivered = reach["reach"].to_numpy() * end_weight.sum()
        risky = exposure * delivered / total
        for p in middle:
            if risky[p] <= 0:
                continue
            actor = actors[p]
            reasons = [
                f"{risky[p]:.1%} of the chain's {theme.replace('_', ' ')}-risk-weighted delivered material passes "
                "through it",
                f"its material carries upstream {theme.replace('_', ' ')} exposure {exposure[p]:.3f} "
                "(Σ over upstream actors of share × inherent risk)",
                f"{reach_of[p]:.1%} of the chain's delivered material passes through it",
                f"{suppliers_of[p]} suppliers in {countries_of[p]} countries, {buyers_of[p]} buyers",
            ]
            rows.append({"theme": theme, "actor": actor, "name": name_of[p], "stage": stage_of[p],
                         "country": country_of[p], "risky_share": float(risky[p]),
                         "upstream_exposure": float(exposure[p]), "reach": float(reach_of[p]),
                         "suppliers": int(suppliers_of[p]), "supplier_countries": int(countries_of[p]),
                         "buyers": int(buyers_of[p]), "reasons": reasons})
    frame = pd.DataFrame(rows, columns=[c for c in CHOKEPOINT_COLUMNS if c != "rank"])
    frame["dependence"] = 0.0
    frame = _rank(frame, score="risky_share").drop(columns="dependence")
    if top is not None:
        frame = frame[frame["rank"] <= top]
    return frame[CHOKEPOINT_COLUMNS].reset_index(drop=True)
