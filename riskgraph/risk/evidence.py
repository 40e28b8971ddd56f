"""Actor evidence: what a chain's own records say about one actor, beyond its country and good.

Plots (EUDR geolocation, DESIGN §2) are the first such evidence. A producer
whose plots lost forest after the EUDR cut-off (31 December 2020, Regulation
(EU) 2023/1115 Art. 2(13)) has a deforestation likelihood of 1: the loss is
a recorded fact, not a probability. Plots whose geolocation fails the EUDR
rules, and producers of an EUDR commodity with no plot at all when the chain
records plots, cannot be verified: their likelihood is raised as a noisy-or,
``L' = 1 − (1 − L)(1 − ½·unverified)``, ``unverified`` being the share of the
producer's plot area that fails (1 when it has none).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError

CUTOFF_YEAR = 2020  # EUDR Art. 2(13): the cut-off date is 31 December 2020
UNVERIFIED_WEIGHT = 0.5  # how much unverifiable geolocation raises the deforestation likelihood


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column].astype(object), errors="coerce").to_numpy(dtype=float)


def plot_table(chain, plots=None, checks=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plots in use, their EUDR check results and forest-loss facts; and the check findings.

    Columns added to the checks' per-plot table: ``loss_after_cutoff_ha``,
    ``loss_year``, ``post_cutoff_loss`` (loss after 2020, from
    ``forest_loss_ha_after_2020 > 0`` or a ``forest_loss_year`` after 2020),
    ``weight_ha`` (area, else geodesic area, else 1), ``geometry`` and
    ``error_rules`` (the failed EUDR rules of severity ``error``).
    """
    from riskgraph.geo.plots import plot_checks, read_plots

    if plots is None:
        frame = chain.plots
    elif isinstance(plots, (str, Path)):
        frame = read_plots(plots)
    elif isinstance(plots, pd.DataFrame):
        frame = plots
    else:
        raise InputError(f"plots must be a DataFrame or a path to a plot file, not {type(plots).__name__}")
    frame = frame.reset_index(drop=True)
    checks = checks if checks is not None else plot_checks(frame, chain.actors)
    table = checks.plots.copy()
    loss_after = _numbers(frame, "forest_loss_ha_after_2020")
    loss_year = _numbers(frame, "forest_loss_year")
    loss_any = _numbers(frame, "forest_loss_ha")
    after = np.where(np.isnan(loss_after) & (loss_year > CUTOFF_YEAR), loss_any, loss_after)
    table["loss_after_cutoff_ha"] = after
    table["loss_year"] = loss_year
    table["post_cutoff_loss"] = (np.nan_to_num(after) > 0) | (loss_year > CUTOFF_YEAR)
    area = table["area_ha"].to_numpy(dtype=float)
    geodesic = table["geodesic_area_ha"].to_numpy(dtype=float)
    table["weight_ha"] = np.where(np.isfinite(area) & (area > 0), area,
                                  np.where(np.isfinite(geodesic) & (geodesic > 0), geodesic, 1.0))
    if "geometry" in frame.columns:
        table["geometry"] = frame["geometry"].astype(object).to_numpy()
    errors = checks.findings[checks.findings["severity"] == "error"]
    rules = errors.groupby("feature")["rule"].agg(lambda r: sorted(set(r)))
    table["error_rules"] = table["feature"].map(rules)
    table["error_rules"] = table["error_rules"].map(lambda v: v if isinstance(v, list) else [])
    return table, checks.findings


def plot_evidence(chain, producers: pd.Series, plots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per actor with plot evidence: ``loss_share, unverified, loss_plots, error_plots, text``.

    Parameters
    ----------
    chain : Chain
    producers : Series of bool
        Index actor ids: producers of an EUDR commodity (a chain start, or an
        actor with plots); only they can lack plots.
    plots : DataFrame, optional
        :func:`plot_table` output (computed when not given).

    Returns
    -------
    DataFrame
        Index actor ids, only actors with some evidence (loss, a failed
        plot, or no plot while the chain records plots).
    """
    columns = ["loss_share", "unverified", "loss_plots", "error_plots", "text"]
    if plots is None:
        if chain.plots is None or not len(chain.plots):
            return pd.DataFrame(columns=columns)
        plots, _ = plot_table(chain)
    if not len(plots):
        return pd.DataFrame(columns=columns)
    linked = plots[plots["actor"].notna()]
    area = linked.groupby("actor")["weight_ha"].sum()
    loss = linked[linked["post_cutoff_loss"]]
    failed = linked[linked["error_rules"].map(len) > 0]
    loss_share = (loss.groupby("actor")["weight_ha"].sum() / area).reindex(producers.index).fillna(0.0)
    unverified = (failed.groupby("actor")["weight_ha"].sum() / area).reindex(producers.index).fillna(0.0)
    no_plots = producers & ~producers.index.isin(area.index)
    unverified = unverified.where(~no_plots, 1.0)
    loss_ids = loss.groupby("actor")["plot"].agg(list)
    fail_ids = failed.groupby("actor")["plot"].agg(list)
    hectares = loss.groupby("actor")["loss_after_cutoff_ha"].sum(min_count=1)
    keep = (loss_share > 0) | (unverified > 0)
    rows = {}
    for actor in loss_share.index[keep.to_numpy()]:
        lost, bad = loss_ids.get(actor, []), fail_ids.get(actor, [])
        parts = []
        if lost:
            ha = hectares.get(actor, np.nan)
            size = f"{ha:.1f} ha" if ha == ha else "forest"
            parts.append(f"plot {', '.join(map(str, lost[:5]))}{' …' if len(lost) > 5 else ''} lost {size} "
                         "after the EUDR cut-off (31 Dec 2020)")
        if bad:
            parts.append(f"plot {', '.join(map(str, bad[:5]))}{' …' if len(bad) > 5 else ''} fails EUDR "
                         "geolocation rules")
        if not lost and not bad:
            parts.append("no plot geolocation recorded for an EUDR commodity (EUDR Art. 9(1)(d))")
        rows[actor] = {"loss_share": float(loss_share[actor]), "unverified": float(unverified[actor]),
                       "loss_plots": list(lost), "error_plots": list(bad), "text": "; ".join(parts)}
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def raised_likelihood(likelihood: float, loss_share: float, unverified: float) -> float:
    """Deforestation likelihood with plot evidence: 1 on confirmed loss, else the noisy-or of unverified area."""
    if loss_share > 0:
        return 1.0
    return 1.0 - (1.0 - likelihood) * (1.0 - UNVERIFIED_WEIGHT * unverified)
