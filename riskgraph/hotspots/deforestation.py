"""Deforestation hotspots: EUDR producers at risk, plots with forest loss after the cut-off or failed geolocation.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from riskgraph._text import per_distinct
from riskgraph.chain.model import Chain, chain_start_stages
from riskgraph.formatting import Phrase
from riskgraph.hotspots._common import (RISKY_BENCHMARK, UNVERIFIED_WEIGHT, _ROW_COLUMNS, _actor_frame, _float, _ids, _num,
                                        _reach_reason, eudr_benchmark)
from riskgraph.hotspots.reach import downstream_reach


# --------------------------------------------------------------------------- plots and forest loss


def _plot_table(chain: Chain, plots, checks) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plots in use with forest-loss facts (:func:`riskgraph.risk.evidence.plot_table`)."""
    from riskgraph.risk.evidence import plot_table

    return plot_table(chain, plots, checks)


def deforestation_hotspots(chain: Chain, assessment=None, *, plots=None, checks=None, reach=None,
                           plot_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Deforestation hotspots: EUDR producers at risk, plots with post-cut-off loss or bad geolocation.

    Parameters
    ----------
    chain : Chain
    assessment : Assessment, optional
        ``riskgraph.assess(chain)`` when not given.
    plots : DataFrame or path, optional
        Plots to use instead of ``chain.plots``.

    Returns
    -------
    DataFrame
        Unranked hotspot rows (:data:`HOTSPOT_COLUMNS` without ``rank``,
        ``gi_z``, ``cluster``); :func:`find_hotspots` ranks them.
    """
    from riskgraph.risk.reference import commodity_key, eudr_commodities
    from riskgraph.risk import assess

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    if plot_table is None:
        plot_table, _ = _plot_table(chain, plots, checks)
    actors = _actor_frame(chain, assessment, "deforestation")
    keys = pd.Series(per_distinct(commodity_key, actors["commodity"]), index=actors.index, dtype=object)
    eudr = keys.map(eudr_commodities())
    benchmark = actors["country"].map(eudr_benchmark())
    starts = chain_start_stages()
    chain_start = pd.Series(per_distinct(lambda s, st: (s, st) in starts, actors["sector"], actors["stage"]),
                            index=actors.index, dtype=bool)

    by_actor = plot_table.groupby("actor", dropna=True)
    area_total = by_actor["weight_ha"].sum()
    loss_area = plot_table[plot_table["post_cutoff_loss"]].groupby("actor")["weight_ha"].sum()
    has_error = plot_table["error_rules"].map(len) > 0
    error_area = plot_table.loc[has_error, ["actor", "weight_ha"]].groupby("actor")["weight_ha"].sum()
    plot_count = by_actor.size()
    has_plots = plot_count.reindex(actors.index).fillna(0) > 0
    chain_has_plots = bool(len(plot_table))

    producer = (chain_start | has_plots) & eudr.notna()
    loss_share = (loss_area / area_total).reindex(actors.index).fillna(0.0)
    unverified = (error_area / area_total).reindex(actors.index).fillna(0.0)
    no_plots = producer & ~has_plots & chain_has_plots
    unverified = unverified.where(~no_plots, 1.0)
    # the risk model's likelihood with plot evidence (risk.evidence), here from the plots in use
    prior = actors["prior"].astype(float).fillna(0.0)
    g = actors["relevance"].astype(float).fillna(1.0)
    raised = np.where(loss_share > 0, 1.0, 1 - (1 - prior) * (1 - UNVERIFIED_WEIGHT * unverified))
    exposure = pd.Series(raised * g, index=actors.index)
    severity = float(assessment.severity.get("deforestation", 1.0))
    candidate = producer & (benchmark.isin(RISKY_BENCHMARK) | (loss_share > 0) | (unverified > 0))

    # where an actor without coordinates is drawn: the mean of its located plots
    plot_centre = plot_table.dropna(subset=["lat", "lon"]).groupby("actor")[["lat", "lon"]].mean()
    # the plot facts each actor row cites
    loss_plots = plot_table[plot_table["post_cutoff_loss"]].groupby("actor")
    error_plots = plot_table[has_error].groupby("actor")
    table = actors.assign(key=keys, eudr=eudr, benchmark=benchmark, exposure=exposure, loss_share=loss_share,
                          plot_count=plot_count.reindex(actors.index).fillna(0).astype(int), no_plots=no_plots)
    table = table.join(reach[["reach", "dependence", "basis"]].rename(columns={"basis": "reach_basis"}))
    # the rows cited below: candidate actors and the owners of flagged plots
    flagged = plot_table[plot_table["post_cutoff_loss"] | has_error]
    cited = table[candidate.to_numpy() | table.index.isin(flagged["actor"].dropna().astype(object).to_numpy())]
    columns = list(cited.columns)  # a plain list: iterating a pandas Index of strings per row is slow
    info = {actor: dict(zip(columns, values))
            for actor, values in zip(cited.index.to_numpy(dtype=object),
                                     zip(*(cited[c].to_numpy(dtype=object) for c in columns)))}
    rows = []
    for actor in actors.index[candidate.to_numpy()].to_numpy(dtype=object):
        a = info[actor]
        risky = a["benchmark"] in RISKY_BENCHMARK
        benchmark_class = a["benchmark"] if isinstance(a["benchmark"], str) else "unlisted"
        reasons = [Phrase("deforestation.eudr_risky" if risky else "deforestation.eudr", commodity=a["key"],
                          eudr=a["eudr"], country=a["country"], benchmark=benchmark_class),
                   Phrase("deforestation.likelihood", likelihood=a["exposure"], prior=_num(a["prior"]),
                          relevance=_num(a["relevance"]), severity=severity)]
        if actor in loss_plots.groups:
            group = loss_plots.get_group(actor)
            hectares = np.nansum(group["loss_after_cutoff_ha"].to_numpy(dtype=float))
            reasons.append(Phrase("deforestation.loss_plots", lost=len(group), plots=a["plot_count"],
                                  hectares=hectares, share=a["loss_share"], ids=_ids(group["plot"])))
        if actor in error_plots.groups:
            group = error_plots.get_group(actor)
            rules = sorted({rule for rules in group["error_rules"] for rule in rules})
            reasons.append(Phrase("deforestation.failed_plots", failed=len(group), plots=a["plot_count"],
                                  rules=rules, ids=_ids(group["plot"])))
        if a["no_plots"]:
            reasons.append(Phrase("deforestation.no_plots"))
        reasons.append(_reach_reason(a["reach"], a["dependence"], a["reach_basis"]))
        lat, lon = _float(a["lat"]), _float(a["lon"])
        if not (np.isfinite(lat) and np.isfinite(lon)) and actor in plot_centre.index:
            lat, lon = float(plot_centre.at[actor, "lat"]), float(plot_centre.at[actor, "lon"])
        rows.append({"kind": "actor", "actor": actor, "plot": None, "name": a["name"], "stage": a["stage"],
                     "country": a["country"], "commodity": a["key"], "exposure": float(a["exposure"]),
                     "reach": float(a["reach"]), "dependence": float(a["dependence"]), "reasons": reasons,
                     "lat": lat, "lon": lon})

    # plot rows: plots with post-cut-off loss or a geolocation error
    totals = area_total.to_dict()
    for p in flagged.to_dict("records"):
        actor = p["actor"] if p["actor"] in info else None
        a = info.get(actor)
        prior = float(a["prior"]) if a and a["prior"] == a["prior"] else 0.0
        g = float(a["relevance"]) if a and a["relevance"] == a["relevance"] else 1.0
        plot_exposure = g * (1.0 if p["post_cutoff_loss"] else
                             1 - (1 - prior) * (1 - UNVERIFIED_WEIGHT * float(bool(p["error_rules"]))))
        share = float(p["weight_ha"] / totals[actor]) if actor in totals else 1.0
        reasons = [Phrase("deforestation.plot_of", plot=p["plot"], actor=actor) if actor
                   else Phrase("deforestation.plot_alone", plot=p["plot"])]
        if p["post_cutoff_loss"]:
            hectares = p["loss_after_cutoff_ha"]
            reasons.append(Phrase(
                "deforestation.loss",
                lost=Phrase("deforestation.lost_ha", hectares=hectares) if np.isfinite(hectares)
                else Phrase("deforestation.lost"),
                when=Phrase("deforestation.in_year", year=int(p["loss_year"])) if np.isfinite(p["loss_year"]) else "",
                area=Phrase("deforestation.on_plot", area=p["area_ha"]) if np.isfinite(p["area_ha"]) else ""))
        if p["error_rules"]:
            reasons.append(Phrase("deforestation.plot_fails", rules=list(p["error_rules"])))
        reasons.append(Phrase("deforestation.plot_share", share=share))
        rows.append({"kind": "plot", "actor": actor, "plot": p["plot"], "name": a["name"] if a else None,
                     "stage": a["stage"] if a else None, "country": a["country"] if a else p["country"],
                     "commodity": a["key"] if a else None, "exposure": plot_exposure,
                     "reach": float(a["reach"]) * share if a else 0.0,
                     "dependence": float(a["dependence"]) if a else 0.0,
                     "reasons": reasons, "lat": p["lat"], "lon": p["lon"]})
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    frame.insert(0, "theme", "deforestation")
    frame["score"] = frame["exposure"].astype(float) * severity
    return frame
