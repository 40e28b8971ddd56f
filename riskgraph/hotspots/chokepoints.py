"""Chokepoints: intermediate actors through which the largest share of risky material passes.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.chain.model import Chain
from riskgraph.formatting import Phrase
from riskgraph.hotspots._common import CHOKEPOINT_COLUMNS, HOTSPOT_THEMES
from riskgraph.hotspots.reach import downstream_reach


# --------------------------------------------------------------------------- chokepoints


def chokepoints(chain: Chain, assessment=None, *, themes=HOTSPOT_THEMES, reach: pd.DataFrame | None = None,
                top: int | None = None) -> pd.DataFrame:
    """Chokepoints: intermediate actors whose material comes from places where the harm is likely.

    For theme t, intermediate actor u (inputs and outputs) at a chokepoint
    stage of its sector (``datasets/reference/chokepoint_stages.csv``:
    refiners for gold, gins and spinners for textiles, traders and
    processors for food, processors and exporters for stone; every
    intermediate actor of a sector with none listed) and the origin commodity
    k that makes it riskiest::

        risky_share_t(u)       = Σ_{origin o of k, r_t(o) ≥ high} W[o, u] · f_k(o) / Σ_{origin o of k} W[o, u] · f_k(o)
        upstream_exposure_t(u) = Σ_{origin o of k} W[o, u] · r_t(o) / Σ_{origin o of k} W[o, u]

    ``risky_share`` is the share of u's material of that commodity that
    comes from origins (farms, mines, quarries) whose likelihood is at least
    the ``high`` category bound; ``upstream_exposure`` is the likelihood of
    its origin material. An unidentified refiner (no RMI smelter id) whose
    material is mostly from such origins ranks first: its risk is likely and
    no audit can be checked. Then ranked by ``risky_share``, then
    ``upstream_exposure``, then ``reach`` (the share of the chain's
    delivered material through u): as with hotspots, how likely first, how
    much second. A refiner that takes most of its gold from artisanal mines
    in listed countries is the first place to ask, however small it is.
    """
    from riskgraph.risk import assess
    from riskgraph.chain.model import chain_start_stages

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    matrix = assessment.shares_info.matrix
    actors = assessment.actors
    has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
    has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
    info = chain.actors.set_index("id").reindex(actors)
    pairs = chain.flows[["source", "target"]].drop_duplicates()
    country = chain.actors.set_index("id")["country"]
    suppliers = pairs.groupby("target").size().reindex(actors).fillna(0).astype(int)
    supplier_countries = (pairs.assign(c=pairs["source"].map(country)).groupby("target")["c"].nunique()
                          .reindex(actors).fillna(0).astype(int))
    buyers = pairs.groupby("source").size().reindex(actors).fillna(0).astype(int)
    middle = has_in & has_out
    stages = chokepoint_stages()
    listed = set(zip(stages["sector"], stages["stage"]))
    sectors_listed = set(stages["sector"])
    at_stage = np.array([(se, st) in listed or se not in sectors_listed
                         for se, st in zip(info["sector"].astype(object), info["stage"].astype(object))], dtype=bool)
    candidates = np.flatnonzero(middle & at_stage)
    ids = info["smelter_id"] if "smelter_id" in info.columns else pd.Series(None, index=info.index)
    unknown_refiner = ((info["stage"] == "refiner") & ~ids.astype(object).map(
        lambda v: isinstance(v, str) and bool(v.strip()))).to_numpy(dtype=bool)
    parts = assessment.parts
    sector_of = assessment.classes["sector"].to_numpy()
    klass = parts["class"].to_numpy()
    starts = chain_start_stages()
    origin = np.array([k >= 0 and (sector_of[k], st) in starts for k, st in zip(klass, parts["stage"])], dtype=bool)
    weights = assessment.part_weights[candidates].tocsc()[:, np.flatnonzero(origin)].tocsr()
    commodity = assessment._part_commodity[origin]
    high = float(assessment.thresholds.get("high", 0.5))
    # plain arrays: the row loop below runs once per candidate and theme
    names, stage_of, country_of = (info[c].to_numpy(dtype=object) for c in ("name", "stage", "country"))
    actor_ids = actors.to_numpy(dtype=object)
    reach_of = reach["reach"].reindex(actors).to_numpy(dtype=float)
    n_suppliers, n_countries, n_buyers = (counts.to_numpy() for counts in (suppliers, supplier_countries, buyers))
    rows = []
    for theme in themes:
        risk = assessment.part_risk(theme)[origin]
        best = np.zeros(len(candidates))
        likely = np.zeros(len(candidates))
        which = np.full(len(candidates), -1)
        for k in np.unique(commodity):
            columns = commodity == k
            total = np.asarray(weights[:, columns].sum(axis=1)).ravel()
            risky = np.asarray(weights[:, columns] @ (risk[columns] >= high).astype(float)).ravel()
            mean = np.asarray(weights[:, columns] @ risk[columns]).ravel()
            share = np.divide(risky, total, out=np.zeros_like(risky), where=total > 0)
            better = (share > best) | ((share == best) & (which < 0) & (total > 0))
            best = np.where(better, share, best)
            likely = np.where(better, np.divide(mean, total, out=np.zeros_like(mean), where=total > 0), likely)
            which = np.where(better, k, which)
        for i in np.flatnonzero(best > 0):
            p = candidates[i]
            good = assessment.commodities[which[i]]
            reasons = [
                Phrase("chokepoint.risky_share", share=best[i], commodity=good, theme=theme, high=high),
                Phrase("chokepoint.origin_likelihood", theme=theme, commodity=good, likelihood=likely[i]),
                Phrase("chokepoint.reach", reach=reach_of[p]),
                Phrase("chokepoint.links", suppliers=int(n_suppliers[p]), countries=int(n_countries[p]),
                       buyers=int(n_buyers[p])),
            ]
            unidentified = bool(unknown_refiner[p])
            if unidentified:
                reasons.insert(0, Phrase("chokepoint.unidentified_refiner"))
            rows.append({"theme": theme, "actor": actor_ids[p], "name": names[p], "stage": stage_of[p],
                         "country": country_of[p], "risky_share": float(best[i]),
                         "upstream_exposure": float(likely[i]), "reach": float(reach_of[p]),
                         "suppliers": int(n_suppliers[p]), "supplier_countries": int(n_countries[p]),
                         "buyers": int(n_buyers[p]), "reasons": reasons,
                         "_unverified": unidentified and best[i] >= 0.5})
    frame = pd.DataFrame(rows, columns=[c for c in CHOKEPOINT_COLUMNS if c != "rank"] + ["_unverified"])
    # sums of shares that are 1 in exact arithmetic differ in the last bits: rank on 12 decimals
    keys = frame.assign(_share=frame["risky_share"].round(12), _likely=frame["upstream_exposure"].round(12))
    frame = frame.loc[keys.sort_values(["theme", "_unverified", "_share", "_likely", "reach", "actor"],
                                       ascending=[True, False, False, False, False, True], kind="stable").index]
    frame["rank"] = frame.groupby("theme").cumcount() + 1
    if top is not None:
        frame = frame[frame["rank"] <= top]
    return frame[CHOKEPOINT_COLUMNS].reset_index(drop=True)


def chokepoint_stages() -> pd.DataFrame:
    """``sector, stage, source, rationale``: the stages where due diligence has leverage over many origins."""
    from riskgraph._resources import dataset_path

    return pd.read_csv(dataset_path("reference", "chokepoint_stages.csv"))
