"""Hotspots (DESIGN §4): where in a chain due diligence should look first, and why.

:func:`find_hotspots` is the entry point. It combines

* **deforestation** hotspots (:func:`deforestation_hotspots`): producers of
  EUDR commodities in standard- or high-risk countries of the EUDR country
  benchmark, plots with forest loss after the cut-off date (31 December
  2020), plots whose geolocation fails the EUDR rules
  (:mod:`riskgraph.geolocation`);
* **child labour** hotspots (:func:`child_labour_hotspots`): actors at stages
  where child labour is relevant (stage relevance ≥ 0.5) whose country and
  good are on the US DOL list, or whose country likelihood is high;
* **spatial clusters** (:func:`spatial_clusters`): DBSCAN over the geolocated
  actors and plots weighted by risk, with Getis-Ord Gi* z-scores
  (:func:`gi_star`) saying which clusters are significantly hot;
* **chokepoints** (:func:`chokepoints`): intermediate nodes through which the
  largest share of risky material passes;
* **anomalies** (:func:`anomalies`): mass-balance gaps, sourcing shifts
  between years and an IsolationForest over per-actor flow features.

Ranking
-------
Every hotspot row has ``score = exposure × reach`` and a ``rank`` within its
theme (1 = look here first).

``reach`` (:func:`downstream_reach`) is the share of the chain's *delivered*
material — what arrives at the chain ends, weighted by the volume each end
receives — that passed through the actor: ``Σ_e W[u, e]·vol(e) / Σ_e vol(e)``
with the upstream weights ``W`` of the risk model (an end with some flows
lacking a volume is scaled up from its known flows). When the ends' units
differ or most end volumes are unknown, every end weighs the same and reach
equals :attr:`riskgraph.risk.Assessment.reach`. Beside it, ``dependence`` =
``Σ_{n ≠ u} W[u, n]`` counts how many downstream actors depend on u and how
much (one actor that gets all its material through u counts 1), and
``downstream_actors`` is the plain count (computed for the first
:data:`COUNTED_ROWS` rows of each theme; ``<NA>`` beyond).

``exposure`` is the actor's inherent risk ``r`` of the theme (risk model,
DESIGN §3.3). For deforestation it is raised by plot evidence as a
noisy-or: ``1 − (1 − r)(1 − loss)(1 − ½·unverified)`` where ``loss`` is the
share of the actor's plot area with forest loss after the cut-off and
``unverified`` the share whose geolocation has an error (or 1 when the chain
records plots but none for this producer). A plot row has
``exposure = 1 − (1 − r)(1 − [loss])(1 − ½·[error])`` and ``score =
exposure × reach of its actor × its share of the actor's plot area``.

Forest loss after the cut-off is ``forest_loss_ha_after_2020 > 0``, or a
``forest_loss_year`` after 2020 when the area is not given; loss dated 2020
or earlier is not a finding (EUDR Art. 2(13), cut-off 31 December 2020).

Spatial statistics
------------------
Per theme the points are every geolocated actor (risk: its hotspot
exposure, else its inherent risk) and, for deforestation, every located plot
in place of its producer (risk: the plot's exposure). DBSCAN
(:func:`risk_clusters`, ``eps_km``) makes a cluster where the risk within
``eps_km`` adds up to ``min_risk``; Getis-Ord Gi* (:func:`gi_star`,
``band_km``) gives every point a z-score, and every cluster one, computed
with the cluster as the neighbourhood; a cluster is *hot* when z > 1.96.
The defaults (10 km, 2.0, 25 km) suit actors; dense plot data wants about
1 km and 3 km. Distances are great-circle distances; the BallTree searches
them as chords between unit vectors, which gives the haversine metric's
neighbourhoods exactly at a quarter of the cost (``metric="haversine"``
uses scikit-learn's haversine metric itself; tests check both agree).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.model import Chain, chain_start_stages, stage_order

HOTSPOT_THEMES = ("deforestation", "child_labour")
THEME_CHOICES = (*HOTSPOT_THEMES, "all")
CUTOFF_YEAR = 2020  # EUDR Art. 2(13): the cut-off date is 31 December 2020
RELEVANCE_MIN = 0.5  # child labour: stages where g ≥ 0.5 count as child-labour relevant
UNVERIFIED_WEIGHT = 0.5  # how much unverifiable geolocation raises deforestation exposure
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

    The table of :func:`riskgraph.reference.eudr_benchmark` (Implementing
    Regulation (EU) 2025/1093) as a Series. Countries not listed are treated
    as unknown.
    """
    from riskgraph.reference import eudr_benchmark as benchmark

    return pd.Series(benchmark(), name="eudr_risk").rename_axis("iso2").str.strip().str.lower()


@lru_cache(maxsize=None)
def _dol_child_labour() -> dict[tuple[str, str], str]:
    """(country, commodity key) → the DOL evidence sentence, for goods listed for child labour."""
    from riskgraph.reference import commodity_evidence

    table = commodity_evidence()
    table = table[(table["theme"] == "child_labour") & table["source"].str.contains("DOL", na=False)]
    return dict(zip(zip(table["iso2"], table["commodity"]), table["evidence"]))


# --------------------------------------------------------------------------- reach


def downstream_reach(chain: Chain, assessment=None) -> pd.DataFrame:
    """How much of the chain's delivered material depends on each actor.

    Returns
    -------
    DataFrame
        Index: actor ids. ``reach`` — share of the material arriving at the
        chain ends that passed through the actor (volume-weighted by what
        each end receives; equal weights when end volumes are unknown or in
        different units: then ``reach`` equals ``Assessment.reach``);
        ``delivered`` — that material in the flows' unit (``NaN`` when not
        volume-weighted); ``dependence`` — ``Σ_{n ≠ u} W[u, n]``;
        ``basis`` — ``volume`` or ``mean_share``.
    """
    from riskgraph.risk import _propagate_vector, assess

    assessment = assessment if assessment is not None else assess(chain)
    matrix = assessment.shares_info.matrix.tocsr()
    actors = assessment.actors
    has_in = np.asarray(matrix.sum(axis=0)).ravel() > 0
    has_out = np.asarray(matrix.sum(axis=1)).ravel() > 0
    ends = has_in & ~has_out
    volume, unit = _end_volumes(chain, actors, ends)
    basis = "volume" if volume is not None else "mean_share"
    weights = volume if volume is not None else ends.astype(float)
    total = weights.sum()
    delivered = _propagate_vector(matrix, weights) if total > 0 else np.zeros(len(actors))
    reach = delivered / total if total > 0 else np.zeros(len(actors))
    dependence = _propagate_vector(matrix, np.ones(len(actors))) - 1.0
    return pd.DataFrame({
        "reach": reach,
        "delivered": delivered if volume is not None else np.nan,
        "unit": unit,
        "dependence": np.maximum(dependence, 0.0),
        "basis": basis,
    }, index=actors)


def _end_volumes(chain: Chain, actors: pd.Index, ends: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """Volume received by each chain end, or ``None`` when it cannot be compared.

    An end some of whose input flows lack a volume is scaled up from its
    known flows (known sum × flows / flows with a volume); an end with no
    known volume gets the median of the others. ``None`` when the ends'
    flows are in different units or more than half of the ends have no
    known volume — then every end weighs the same.
    """
    if not ends.any():
        return None, None
    end_ids = actors[ends]
    flows = chain.flows[chain.flows["target"].isin(set(end_ids))]
    units = flows["unit"].dropna().unique()
    if flows.empty or len(units) > 1:
        return None, None
    grouped = flows.groupby("target")["volume"]
    known = grouped.sum(min_count=1).reindex(end_ids)
    flow_count = grouped.size().reindex(end_ids)
    known_count = grouped.count().reindex(end_ids)
    estimate = np.array(known * flow_count / known_count.where(known_count > 0), dtype=float)
    missing = ~np.isfinite(estimate)
    if missing.mean() > 0.5:
        return None, None
    estimate[missing] = np.median(estimate[~missing])
    volume = np.zeros(len(actors))
    volume[ends] = estimate
    return volume, (str(units[0]) if len(units) else None)


def _downstream_counts(chain: Chain, ids) -> dict[str, int]:
    """Number of actors downstream of each given actor (breadth-first search on the flow graph)."""
    from scipy.sparse.csgraph import breadth_first_order

    from riskgraph.graph import adjacency

    matrix = adjacency(chain)
    position = chain.actor_ids
    out = {}
    for actor in dict.fromkeys(a for a in ids if a is not None):
        p = position.get_indexer([actor])[0]
        if p < 0:
            continue
        order = breadth_first_order(matrix, p, directed=True, return_predecessors=False)
        out[actor] = len(order) - 1
    return out


# --------------------------------------------------------------------------- plots and forest loss


def _plot_table(chain: Chain, plots, checks) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plots in use and their per-plot check table joined with forest-loss facts."""
    from riskgraph.geolocation import plot_checks, read_plots

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


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column].astype(object), errors="coerce").to_numpy(dtype=float)


# --------------------------------------------------------------------------- themes


def _actor_frame(chain: Chain, assessment, theme: str) -> pd.DataFrame:
    """Actors with their inherent risk and its parts for one theme."""
    actors = chain.actors.set_index("id")
    risk = assessment.actor_risk
    risk = risk[risk["theme"] == theme].set_index("actor")
    frame = actors[["name", "stage", "country", "sector", "commodity", "lat", "lon"]].astype(object).copy()
    for column in ("likelihood", "relevance", "risk", "basis", "source"):
        frame[column] = risk[column].reindex(frame.index)
    frame["risk"] = frame["risk"].astype(float).fillna(0.0)
    return frame


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
    from riskgraph.reference import commodity_key, eudr_commodities
    from riskgraph.risk import assess

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    if plot_table is None:
        plot_table, _ = _plot_table(chain, plots, checks)
    actors = _actor_frame(chain, assessment, "deforestation")
    keys = actors["commodity"].map(commodity_key)
    eudr = keys.map(eudr_commodities())
    benchmark = actors["country"].map(eudr_benchmark())
    starts = chain_start_stages()
    chain_start = pd.Series([(s, st) in starts for s, st in zip(actors["sector"], actors["stage"])], index=actors.index)

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
    r = actors["risk"]
    exposure = 1 - (1 - r) * (1 - loss_share) * (1 - UNVERIFIED_WEIGHT * unverified)
    candidate = producer & (benchmark.isin(RISKY_BENCHMARK) | (loss_share > 0) | (unverified > 0))

    # where an actor without coordinates is drawn: the mean of its located plots
    plot_centre = plot_table.dropna(subset=["lat", "lon"]).groupby("actor")[["lat", "lon"]].mean()
    # the plot facts each actor row cites
    loss_plots = plot_table[plot_table["post_cutoff_loss"]].groupby("actor")
    error_plots = plot_table[has_error].groupby("actor")
    table = actors.assign(key=keys, eudr=eudr, benchmark=benchmark, exposure=exposure, loss_share=loss_share,
                          plot_count=plot_count.reindex(actors.index).fillna(0).astype(int), no_plots=no_plots)
    table = table.join(reach[["reach", "dependence", "basis"]].rename(columns={"basis": "reach_basis"}))
    info = table.to_dict("index")
    rows = []
    for actor in actors.index[candidate.to_numpy()]:
        a = info[actor]
        risky = a["benchmark"] in RISKY_BENCHMARK
        benchmark_class = a["benchmark"] if isinstance(a["benchmark"], str) else "unlisted"
        reasons = [f"{a['key']} is an EUDR commodity ({a['eudr']})" + (" and " if risky else "; ")
                   + f"{a['country']} is '{benchmark_class}' risk in the EUDR country benchmark",
                   f"inherent deforestation risk r = {a['risk']:.2f} (likelihood {_num(a['likelihood'])} × "
                   f"stage relevance {_num(a['relevance'])}; {a['basis']})"]
        if actor in loss_plots.groups:
            group = loss_plots.get_group(actor)
            hectares = np.nansum(group["loss_after_cutoff_ha"].to_numpy(dtype=float))
            reasons.append(f"{len(group)} of {a['plot_count']} plots lost forest after the EUDR cut-off "
                           f"(31 Dec 2020): {hectares:.1f} ha; {a['loss_share']:.0%} of its plot area "
                           f"({_ids(group['plot'])})")
        if actor in error_plots.groups:
            group = error_plots.get_group(actor)
            rules = sorted({rule for rules in group["error_rules"] for rule in rules})
            reasons.append(f"{len(group)} of {a['plot_count']} plots fail EUDR geolocation rules "
                           f"({', '.join(rules)}): {_ids(group['plot'])}")
        if a["no_plots"]:
            reasons.append("no plot geolocation recorded for an EUDR commodity (EUDR Art. 9(1)(d))")
        reasons.append(_reach_reason(a["reach"], a["dependence"], a["reach_basis"]))
        lat, lon = _float(a["lat"]), _float(a["lon"])
        if not (np.isfinite(lat) and np.isfinite(lon)) and actor in plot_centre.index:
            lat, lon = float(plot_centre.at[actor, "lat"]), float(plot_centre.at[actor, "lon"])
        rows.append({"kind": "actor", "actor": actor, "plot": None, "name": a["name"], "stage": a["stage"],
                     "country": a["country"], "commodity": a["key"], "exposure": float(a["exposure"]),
                     "reach": float(a["reach"]), "dependence": float(a["dependence"]), "reasons": reasons,
                     "lat": lat, "lon": lon})

    # plot rows: plots with post-cut-off loss or a geolocation error
    flagged = plot_table[plot_table["post_cutoff_loss"] | has_error]
    totals = area_total.to_dict()
    for p in flagged.to_dict("records"):
        actor = p["actor"] if p["actor"] in info else None
        a = info.get(actor)
        r_actor = float(a["risk"]) if a else 0.0
        plot_exposure = 1 - (1 - r_actor) * (1 - float(p["post_cutoff_loss"])) * (
            1 - UNVERIFIED_WEIGHT * float(bool(p["error_rules"])))
        share = float(p["weight_ha"] / totals[actor]) if actor in totals else 1.0
        reasons = [f"plot {p['plot']}" + (f" of {actor}" if actor else " linked to no actor of the chain")]
        if p["post_cutoff_loss"]:
            hectares = p["loss_after_cutoff_ha"]
            when = f" in {int(p['loss_year'])}" if np.isfinite(p["loss_year"]) else ""
            size = f"{hectares:.1f} ha of forest lost" if np.isfinite(hectares) else "forest lost"
            of_area = f" on a {p['area_ha']:.1f} ha plot" if np.isfinite(p["area_ha"]) else ""
            reasons.append(f"{size}{when} after the EUDR cut-off (31 Dec 2020){of_area}")
        if p["error_rules"]:
            reasons.append("geolocation fails EUDR rules: " + ", ".join(p["error_rules"]))
        reasons.append(f"{share:.0%} of its producer's plot area")
        rows.append({"kind": "plot", "actor": actor, "plot": p["plot"], "name": a["name"] if a else None,
                     "stage": a["stage"] if a else None, "country": a["country"] if a else p["country"],
                     "commodity": a["key"] if a else None, "exposure": plot_exposure,
                     "reach": float(a["reach"]) * share if a else 0.0,
                     "dependence": float(a["dependence"]) if a else 0.0,
                     "reasons": reasons, "lat": p["lat"], "lon": p["lon"]})
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    frame.insert(0, "theme", "deforestation")
    frame["score"] = frame["exposure"] * frame["reach"]
    return frame


def child_labour_hotspots(chain: Chain, assessment=None, *, reach=None) -> pd.DataFrame:
    """Child-labour hotspots: relevant stages (g ≥ 0.5) in DOL-listed country × good or high-likelihood countries.

    Returns unranked hotspot rows like :func:`deforestation_hotspots`;
    ``exposure`` is the inherent risk ``r`` and ``score = r × reach``.
    """
    from riskgraph.reference import commodity_key
    from riskgraph.risk import assess

    assessment = assessment if assessment is not None else assess(chain)
    reach = reach if reach is not None else downstream_reach(chain, assessment)
    actors = _actor_frame(chain, assessment, "child_labour")
    high = float(assessment.thresholds.get("high", 0.5))
    keys = actors["commodity"].map(commodity_key)
    dol = _dol_child_labour()
    listed = pd.Series([dol.get((c, k)) for c, k in zip(actors["country"], keys)], index=actors.index, dtype=object)
    relevance = actors["relevance"].astype(float).fillna(1.0)
    likelihood = actors["likelihood"].astype(float).fillna(0.0)
    candidate = (relevance >= RELEVANCE_MIN) & (listed.notna() | (likelihood >= high))
    table = actors.assign(key=keys, listed=listed, g=relevance, L=likelihood)
    table = table[candidate.to_numpy()].join(reach[["reach", "dependence", "basis"]].rename(
        columns={"basis": "reach_basis"}))
    rows = []
    for actor, a in table.to_dict("index").items():
        reasons = [f"stage {a['stage']}: child-labour relevance {a['g']:.2f} (≥ {RELEVANCE_MIN})"]
        if a["listed"] is not None:
            reasons.append(a["listed"])
        if a["L"] >= high:
            reasons.append(f"likelihood {a['L']:.2f} in {a['country']} is high (≥ {high:.2f}); source: {a['source']}")
        reasons.append(f"inherent child-labour risk r = {a['risk']:.2f}")
        reasons.append(_reach_reason(a["reach"], a["dependence"], a["reach_basis"]))
        rows.append({"kind": "actor", "actor": actor, "plot": None, "name": a["name"], "stage": a["stage"],
                     "country": a["country"], "commodity": a["key"], "exposure": float(a["risk"]),
                     "reach": float(a["reach"]), "dependence": float(a["dependence"]), "reasons": reasons,
                     "lat": _float(a["lat"]), "lon": _float(a["lon"])})
    frame = pd.DataFrame(rows, columns=_ROW_COLUMNS)
    frame.insert(0, "theme", "child_labour")
    frame["score"] = frame["exposure"] * frame["reach"]
    return frame


def _reach_reason(reach: float, dependence: float, basis: str) -> str:
    what = ("of the volume delivered at the chain ends" if basis == "volume"
            else "of the chain ends' material (mean over ends)")
    return (f"{reach:.1%} {what} passed through it; downstream dependence {dependence:.2f} "
            "(Σ over downstream actors of the share of their material that came through it)")


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _num(value) -> str:
    value = _float(value)
    return "?" if not np.isfinite(value) else f"{value:.2f}"


def _ids(values, limit: int = 5) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:limit]) + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _rank(frame: pd.DataFrame, score: str = "score") -> pd.DataFrame:
    """Rank rows within each theme by score (ties: dependence, then ids)."""
    if frame.empty:
        return frame.assign(rank=pd.Series(dtype="Int64"))
    tie = "dependence" if "dependence" in frame.columns else score
    order = ["theme", score, tie, "actor"] + (["plot"] if "plot" in frame.columns else [])
    ascending = [True, False, False, True] + ([True] if "plot" in frame.columns else [])
    frame = frame.sort_values(order, ascending=ascending, kind="stable", na_position="last")
    frame["rank"] = frame.groupby("theme").cumcount() + 1
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- spatial statistics


METRICS = ("chord", "haversine")


def _embedding(lat, lon, km: float, metric: str) -> tuple[np.ndarray, float, str]:
    """Points and radius for a great-circle neighbourhood search of ``km``.

    ``chord``: 3-D unit vectors and the chord ``2 sin(d / 2R)`` under the Euclidean metric — the same
    neighbourhoods as the haversine metric (chord length grows monotonically with great-circle
    distance) at a quarter of the cost, because the tree's bounds need no trigonometry.
    ``haversine``: (lat, lon) in radians and ``d / R`` under scikit-learn's haversine metric.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if metric == "haversine":
        return np.radians(np.column_stack([lat, lon])), km / EARTH_RADIUS_KM, "haversine"
    if metric != "chord":
        raise InputError(f"metric must be one of {list(METRICS)}, not {metric!r}")
    phi, lam = np.radians(lat), np.radians(lon)
    points = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    return points, 2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2), "euclidean"


def _gi_from_sums(values: np.ndarray, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Getis-Ord Gi* z from neighbourhood sums and sizes (binary weights, i in its own neighbourhood)."""
    n = len(values)
    mean = values.mean()
    s = np.sqrt(max((values ** 2).mean() - mean ** 2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = s * np.sqrt((n * counts - counts ** 2) / (n - 1))
        z = (sums - mean * counts) / denominator
    return np.where(np.isfinite(z), z, np.nan)


def gi_star(lat, lon, values, *, band_km: float, metric: str = "chord", chunk_size: int = 50_000) -> np.ndarray:
    """Getis-Ord Gi* z-score of every point, neighbours within ``band_km`` (great-circle).

    ``Gi* = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))`` with binary
    weights ``w_ij = 1`` when ``d(i, j) ≤ band_km`` (``i`` included), ``x̄`` and ``S`` the mean and
    (population) standard deviation of all values. Neighbourhoods come from a scikit-learn
    ``BallTree`` queried in chunks; ``metric`` picks how great-circle distance is searched
    (:func:`_embedding`: ``chord`` on unit vectors, the default, or scikit-learn's ``haversine``;
    both give the same neighbourhoods, Earth radius 6371.0088 km).

    Notes
    -----
    z is ``NaN`` when it is undefined: fewer than two points, all values equal, or a neighbourhood
    holding every point. The z-scores are not corrected for multiple testing (Getis & Ord's
    convention); with many points expect about 2.5 % above 1.96 by chance alone. The cost grows with
    the number of neighbour pairs (n × mean neighbours within the band), so choose the band for the
    density of the points: a few km for plots, tens of km for actors.
    """
    from sklearn.neighbors import BallTree

    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2:
        return np.full(n, np.nan)
    points, radius, tree_metric = _embedding(lat, lon, band_km, metric)
    tree = BallTree(points, metric=tree_metric)
    sums = np.empty(n)
    counts = np.empty(n)
    for start in range(0, n, chunk_size):
        block = tree.query_radius(points[start:start + chunk_size], r=radius)
        sizes = np.fromiter((len(b) for b in block), dtype=np.int64, count=len(block))
        flat = np.concatenate(block) if len(block) else np.zeros(0, dtype=np.int64)
        owner = np.repeat(np.arange(len(block)), sizes)
        sums[start:start + len(block)] = np.bincount(owner, weights=values[flat], minlength=len(block))
        counts[start:start + len(block)] = sizes
    return _gi_from_sums(values, sums, counts)


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _gi_star_bruteforce(lat, lon, values, *, band_km: float) -> np.ndarray:
    """Reference Gi*: every pairwise haversine distance (O(n²) memory and time); for tests and benchmarks."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n < 2:
        return np.full(n, np.nan)
    distance = _haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    weights = (distance <= band_km).astype(float)
    return _gi_from_sums(values, weights @ values, weights.sum(axis=1))


def risk_clusters(lat, lon, risk, *, eps_km: float, min_risk: float, metric: str = "chord") -> np.ndarray:
    """DBSCAN labels (−1: noise) of points weighted by risk, great-circle distance.

    A point is a core point when the risk of the points within ``eps_km``
    (itself included) adds up to at least ``min_risk``; scikit-learn's
    ``DBSCAN(algorithm="ball_tree")`` with ``sample_weight = risk / min_risk``
    and ``min_samples = 1`` does exactly that. Points of zero risk never make
    a cluster but can border one. ``metric``: ``chord`` (default) or
    ``haversine`` — the same neighbourhoods, see :func:`_embedding`.
    """
    from sklearn.cluster import DBSCAN

    risk = np.clip(np.asarray(risk, dtype=float), 0, None)
    if len(risk) == 0:
        return np.zeros(0, dtype=np.int64)
    if min_risk <= 0:
        raise InputError(f"min_risk must be > 0, not {min_risk}")
    points, eps, tree_metric = _embedding(lat, lon, eps_km, metric)
    model = DBSCAN(eps=eps, min_samples=1, metric=tree_metric, algorithm="ball_tree")
    return model.fit_predict(points, sample_weight=risk / min_risk)


def spatial_clusters(points: pd.DataFrame, *, eps_km: float = 10.0, min_risk: float = 2.0,
                     band_km: float = 25.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clusters of risk and their significance.

    Parameters
    ----------
    points : DataFrame
        ``theme, id, kind, lat, lon, risk, country`` — one row per geolocated actor or plot.
    eps_km, min_risk
        DBSCAN radius and the risk a neighbourhood must add up to (:func:`risk_clusters`).
    band_km
        Distance band of the Gi* neighbourhoods (:func:`gi_star`).

    Returns
    -------
    clusters : DataFrame
        One row per theme × cluster (:data:`CLUSTER_COLUMNS`). ``gi_z`` is the
        Gi* statistic of the cluster taken as one neighbourhood (its members
        against all points of the theme); ``hot`` when ``gi_z > 1.96``.
    points : DataFrame
        The input with ``cluster`` (−1 noise) and ``gi_z`` (point Gi*).
    """
    from scipy.stats import norm

    parts, tables = [], []
    for theme, group in points.groupby("theme", sort=False):
        group = group[np.isfinite(group["lat"]) & np.isfinite(group["lon"])].copy()
        if group.empty:
            continue
        values = group["risk"].to_numpy(dtype=float)
        labels = risk_clusters(group["lat"], group["lon"], values, eps_km=eps_km, min_risk=min_risk)
        group["cluster"] = labels
        group["gi_z"] = gi_star(group["lat"], group["lon"], values, band_km=band_km)
        parts.append(group)
        n = len(values)
        mean = values.mean()
        s = np.sqrt(max((values ** 2).mean() - mean ** 2, 0.0))
        for label, members in group[group["cluster"] >= 0].groupby("cluster"):
            k = len(members)
            total = float(members["risk"].sum())
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (total - mean * k) / (s * np.sqrt((n * k - k * k) / (n - 1))) if n > 1 else np.nan
            z = float(z) if np.isfinite(z) else np.nan
            weights = members["risk"].to_numpy(dtype=float)
            w = weights if weights.sum() > 0 else np.ones(k)
            clat = float(np.average(members["lat"], weights=w))
            clon = float(np.average(members["lon"], weights=w))
            radius = float(_haversine_km(clat, clon, members["lat"].to_numpy(), members["lon"].to_numpy()).max())
            top = members.sort_values("risk", ascending=False, kind="stable")["id"].head(5).tolist()
            tables.append({
                "theme": theme, "cluster": int(label), "points": k,
                "actors": int((members["kind"] == "actor").sum()), "plots": int((members["kind"] == "plot").sum()),
                "lat": clat, "lon": clon, "radius_km": radius, "total_risk": total, "mean_risk": total / k,
                "gi_z": z, "p_value": float(norm.sf(z)) if np.isfinite(z) else np.nan,
                "hot": bool(np.isfinite(z) and z > GI_CRITICAL),
                "countries": sorted({c for c in members["country"] if isinstance(c, str)}), "top_members": top,
            })
    clusters = pd.DataFrame(tables, columns=CLUSTER_COLUMNS)
    if len(clusters):
        clusters = clusters.sort_values(["theme", "gi_z", "total_risk"], ascending=[True, False, False],
                                        kind="stable", na_position="last").reset_index(drop=True)
    located = pd.concat(parts, ignore_index=True) if parts else points.assign(cluster=pd.Series(dtype=int),
                                                                               gi_z=pd.Series(dtype=float))
    return clusters, located


def _spatial_points(chain: Chain, assessment, hotspots: pd.DataFrame, plot_table: pd.DataFrame,
                    themes) -> pd.DataFrame:
    """Every geolocated actor and plot with its risk per theme (the population Gi* compares against)."""
    parts = []
    actors = chain.actors.set_index("id")
    for theme in themes:
        risk = assessment.inherent[theme].reindex(actors.index).fillna(0.0)
        exposure = hotspots[(hotspots["theme"] == theme) & (hotspots["kind"] == "actor")].set_index("actor")["exposure"]
        risk = exposure.reindex(actors.index).fillna(risk)
        with_plots = set(plot_table["actor"].dropna()) if theme == "deforestation" else set()
        keep = actors["lat"].notna() & actors["lon"].notna() & ~actors.index.isin(with_plots)
        parts.append(pd.DataFrame({"theme": theme, "id": actors.index[keep], "kind": "actor",
                                   "lat": actors.loc[keep, "lat"].to_numpy(float),
                                   "lon": actors.loc[keep, "lon"].to_numpy(float),
                                   "risk": risk[keep].to_numpy(float),
                                   "country": actors.loc[keep, "country"].astype(object).to_numpy()}))
        if theme == "deforestation" and len(plot_table):
            plots = plot_table[np.isfinite(plot_table["lat"]) & np.isfinite(plot_table["lon"])]
            r_actor = assessment.inherent["deforestation"].reindex(plots["actor"]).fillna(0.0).to_numpy()
            loss = plots["post_cutoff_loss"].to_numpy(dtype=float)
            error = (plots["error_rules"].map(len) > 0).to_numpy(dtype=float)
            plot_risk = 1 - (1 - r_actor) * (1 - loss) * (1 - UNVERIFIED_WEIGHT * error)
            parts.append(pd.DataFrame({"theme": theme, "id": plots["plot"].to_numpy(object), "kind": "plot",
                                       "lat": plots["lat"].to_numpy(float), "lon": plots["lon"].to_numpy(float),
                                       "risk": plot_risk, "country": plots["country"].to_numpy(object)}))
    if not parts:
        return pd.DataFrame(columns=["theme", "id", "kind", "lat", "lon", "risk", "country"])
    return pd.concat(parts, ignore_index=True)


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
                f"{reach['reach'].iloc[p]:.1%} of the chain's delivered material passes through it",
                f"{suppliers.iloc[p]} suppliers in {supplier_countries.iloc[p]} countries, {buyers.iloc[p]} buyers",
            ]
            rows.append({"theme": theme, "actor": actor, "name": info["name"].iloc[p], "stage": info["stage"].iloc[p],
                         "country": info["country"].iloc[p], "risky_share": float(risky[p]),
                         "upstream_exposure": float(exposure[p]), "reach": float(reach["reach"].iloc[p]),
                         "suppliers": int(suppliers.iloc[p]), "supplier_countries": int(supplier_countries.iloc[p]),
                         "buyers": int(buyers.iloc[p]), "reasons": reasons})
    frame = pd.DataFrame(rows, columns=[c for c in CHOKEPOINT_COLUMNS if c != "rank"])
    frame["dependence"] = 0.0
    frame = _rank(frame, score="risky_share").drop(columns="dependence")
    if top is not None:
        frame = frame[frame["rank"] <= top]
    return frame[CHOKEPOINT_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- anomalies


def mass_balance_gaps(chain: Chain, *, tolerance: float = 0.10) -> pd.DataFrame:
    """Actors that ship more than they receive, beyond ``tolerance`` (default 10 %).

    Only actors with recorded inputs are compared (a mine has none), only
    when every input and output has a volume, and only when inputs and
    outputs are in the same unit (or none is given); totals over all years,
    so stock carried from one year to the next is not a gap. Less out than
    in is normal (processing losses) and not reported.
    """
    flows = pd.DataFrame({"source": chain.flows["source"].astype(object), "target": chain.flows["target"].astype(object),
                          "volume": chain.flows["volume"].to_numpy(dtype=float),
                          "missing": chain.flows["volume"].isna().to_numpy(),
                          "unit": chain.flows["unit"].astype(object).where(chain.flows["unit"].notna(), None)})

    def totals(key: str) -> pd.DataFrame:
        grouped = flows.groupby(key)
        return pd.DataFrame({"volume": grouped["volume"].sum(), "missing": grouped["missing"].any(),
                             "units": grouped["unit"].nunique(), "unit": grouped["unit"].first()})

    both = totals("target").add_suffix("_in").join(totals("source").add_suffix("_out"), how="inner")
    same_unit = (both["units_in"] <= 1) & (both["units_out"] <= 1) & (
        both["unit_in"].fillna("") == both["unit_out"].fillna(""))
    both = both[~both["missing_in"] & ~both["missing_out"] & same_unit]
    gap = both["volume_out"] > both["volume_in"] * (1 + tolerance)
    rows = []
    for actor, row in both[gap].iterrows():
        unit = f" {row['unit_in']}" if isinstance(row["unit_in"], str) and row["unit_in"] else ""
        excess = row["volume_out"] / row["volume_in"] - 1 if row["volume_in"] > 0 else np.inf
        gap_text = (f"{excess:.0%} more out than in" if np.isfinite(excess) else "nothing received")
        rows.append({"actor": actor, "kind": "mass_balance", "year": pd.NA, "score": float(excess),
                     "reason": f"ships {row['volume_out']:,.1f}{unit} but receives {row['volume_in']:,.1f}{unit}: "
                               f"{gap_text} (tolerance {tolerance:.0%}); material of unrecorded origin may be "
                               "mixed in"})
    return _with_actor_info(chain, pd.DataFrame(rows, columns=["actor", "kind", "year", "score", "reason"]))


def _input_shares_by_year(chain: Chain) -> pd.DataFrame:
    """``target, year, country, share``: share of each node's inputs per supplier country and year."""
    flows = chain.flows.dropna(subset=["year"])
    if flows.empty:
        return pd.DataFrame(columns=["target", "year", "country", "share"])
    country = chain.actors.set_index("id")["country"].astype(object)
    frame = pd.DataFrame({"target": flows["target"].astype(object), "year": flows["year"].astype(int),
                          "country": flows["source"].map(country).astype(object).fillna("unknown"),
                          "volume": flows["volume"].to_numpy(dtype=float)})
    incomplete = frame.groupby(["target", "year"])["volume"].transform(lambda v: v.isna().any())
    frame["weight"] = np.where(incomplete, 1.0, frame["volume"])
    weights = frame.groupby(["target", "year", "country"])["weight"].sum()
    shares = weights / weights.groupby(level=["target", "year"]).transform("sum")
    return shares.rename("share").reset_index()


def sourcing_shifts(chain: Chain, *, threshold: float = 0.30) -> pd.DataFrame:
    """Nodes whose share of inputs from a supplier country changes by more than ``threshold`` between years.

    Shares are by volume (by number of flows for a node-year with a missing
    volume), compared between consecutive years in which the node has
    inputs. ``score`` is the largest absolute change (0.45 = 45 points).
    """
    shares = _input_shares_by_year(chain)
    rows = []
    if shares.empty:
        return _with_actor_info(chain, pd.DataFrame(rows, columns=["actor", "kind", "year", "score", "reason"]))
    table = shares.pivot_table(index=["target", "year"], columns="country", values="share", fill_value=0.0)
    for target, block in table.groupby(level="target"):
        years = block.index.get_level_values("year").to_numpy()
        values = block.to_numpy()
        for k in range(1, len(years)):
            delta = values[k] - values[k - 1]
            largest = float(np.abs(delta).max())
            if largest <= threshold:
                continue
            order = np.argsort(-np.abs(delta))[:2]
            changes = [f"share from {block.columns[j]} {'rose' if delta[j] > 0 else 'fell'} from "
                       f"{values[k - 1][j]:.0%} ({years[k - 1]}) to {values[k][j]:.0%} ({years[k]})"
                       for j in order if abs(delta[j]) > 0]
            rows.append({"actor": target, "kind": "sourcing_shift", "year": int(years[k]), "score": largest,
                         "reason": "; ".join(changes) + f" (threshold {threshold:.0%} points)"})
    return _with_actor_info(chain, pd.DataFrame(rows, columns=["actor", "kind", "year", "score", "reason"]))


FEATURES = {
    "stage_order": "stage position",
    "log_in": "volume received",
    "log_out": "volume shipped",
    "balance": "out/in ratio",
    "suppliers": "suppliers",
    "buyers": "buyers",
    "supplier_countries": "supplier countries",
    "top_supplier_share": "largest supplier's share",
    "max_shift": "largest year-on-year sourcing shift",
}


def actor_features(chain: Chain) -> pd.DataFrame:
    """Per-actor flow features for :func:`isolation_anomalies` (index: actor ids with at least one flow)."""
    flows = chain.flows
    volume = flows["volume"].fillna(0.0)
    country = chain.actors.set_index("id")["country"].astype(object)
    received = volume.groupby(flows["target"]).sum()
    shipped = volume.groupby(flows["source"]).sum()
    ids = pd.Index(sorted(set(flows["source"].dropna()) | set(flows["target"].dropna())), name="actor")
    ids = ids[ids.isin(chain.actors["id"])]
    frame = pd.DataFrame(index=ids)
    order = stage_order()
    frame["stage_order"] = chain.actors.set_index("id")["stage"].map(order).reindex(ids).fillna(0).astype(float)
    frame["received"] = received.reindex(ids).fillna(0.0)
    frame["shipped"] = shipped.reindex(ids).fillna(0.0)
    frame["log_in"] = np.log1p(frame["received"])
    frame["log_out"] = np.log1p(frame["shipped"])
    with_both = (frame["received"] > 0) & (frame["shipped"] > 0)
    frame["balance"] = np.where(with_both, np.log((frame["shipped"] + 1e-9) / (frame["received"] + 1e-9)), 0.0)
    pairs = pd.DataFrame({"source": flows["source"], "target": flows["target"], "volume": volume})
    frame["suppliers"] = pairs.groupby("target")["source"].nunique().reindex(ids).fillna(0).astype(float)
    frame["buyers"] = pairs.groupby("source")["target"].nunique().reindex(ids).fillna(0).astype(float)
    frame["supplier_countries"] = (pairs.assign(c=pairs["source"].map(country)).groupby("target")["c"].nunique()
                                   .reindex(ids).fillna(0).astype(float))
    per_pair = pairs.groupby(["target", "source"])["volume"].sum()
    top = per_pair.groupby(level="target").max() / per_pair.groupby(level="target").sum()
    frame["top_supplier_share"] = top.reindex(ids).fillna(0.0).replace([np.inf, -np.inf], 0.0)
    shares = _input_shares_by_year(chain)
    if len(shares):
        table = shares.pivot_table(index=["target", "year"], columns="country", values="share", fill_value=0.0)
        diffs = table.groupby(level="target").diff().abs().max(axis=1)
        frame["max_shift"] = diffs.groupby(level="target").max().reindex(ids).fillna(0.0)
    else:
        frame["max_shift"] = 0.0
    return frame.drop(columns=["received", "shipped"])


def isolation_anomalies(chain: Chain, *, contamination: float = 0.02, random_state: int = 0,
                        min_actors: int = MIN_ACTORS_FOR_ISOLATION) -> pd.DataFrame:
    """Actors whose combination of flow features is unusual (scikit-learn ``IsolationForest``).

    Features: :func:`actor_features`. ``contamination`` is the share of
    actors flagged. The reason names the features furthest from the median
    of the actor's own stage (of the whole chain when the stage has fewer
    than five actors), in robust z units (median / MAD). Chains with
    fewer than ``min_actors`` actors with flows are not scored: a forest
    needs a population to call anything unusual.
    """
    from sklearn.ensemble import IsolationForest

    features = actor_features(chain)
    empty = pd.DataFrame(columns=["actor", "kind", "year", "score", "reason"])
    if len(features) < min_actors:
        return _with_actor_info(chain, empty)
    columns = list(FEATURES)
    model = IsolationForest(n_estimators=200, contamination=contamination, random_state=random_state)
    values = features[columns].to_numpy(dtype=float)
    flags = model.fit_predict(values) == -1
    scores = -model.decision_function(values)
    stages = chain.actors.set_index("id")["stage"].reindex(features.index)
    rows = []
    for p in np.flatnonzero(flags):
        actor = features.index[p]
        same = stages == stages.iloc[p]
        peers = features[same] if same.sum() >= 5 else features
        group = f"among {stages.iloc[p]}s" if same.sum() >= 5 else "in the chain"
        notes = []
        for column in columns:
            if column == "stage_order":
                continue
            median = float(peers[column].median())
            mad = float((peers[column] - median).abs().median()) * 1.4826
            spread = mad if mad > 0 else float(peers[column].std(ddof=0)) or 1.0
            z = (features[column].iloc[p] - median) / spread
            notes.append((abs(z), column, median))
        notes.sort(reverse=True)
        notes = [note for note in notes if note[0] >= 1.5] or notes[:1]
        words = [f"{FEATURES[c]} {_feature_text(c, features[c].iloc[p])} (median {group} "
                 f"{_feature_text(c, m)})" for _, c, m in notes[:2]]
        rows.append({"actor": actor, "kind": "isolation_forest", "year": pd.NA, "score": float(scores[p]),
                     "reason": "unusual combination of flows for the chain: " + "; ".join(words)})
    return _with_actor_info(chain, pd.DataFrame(rows, columns=["actor", "kind", "year", "score", "reason"]))


def _feature_text(column: str, value: float) -> str:
    if column in ("log_in", "log_out"):
        return f"{np.expm1(value):,.1f}"
    if column == "balance":
        return f"{np.exp(value):.2f}"
    if column in ("top_supplier_share", "max_shift"):
        return f"{value:.0%}"
    return f"{value:g}"


def anomalies(chain: Chain, *, tolerance: float = 0.10, shift: float = 0.30, contamination: float = 0.02,
              random_state: int = 0) -> pd.DataFrame:
    """Mass-balance gaps, sourcing shifts and IsolationForest outliers, each with a reason in words.

    Columns: :data:`ANOMALY_COLUMNS`; ``kind`` is ``mass_balance``,
    ``sourcing_shift`` or ``isolation_forest``.
    """
    parts = [mass_balance_gaps(chain, tolerance=tolerance), sourcing_shifts(chain, threshold=shift),
             isolation_anomalies(chain, contamination=contamination, random_state=random_state)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["year"] = frame["year"].astype("Int64")
    return frame[ANOMALY_COLUMNS]


def _with_actor_info(chain: Chain, frame: pd.DataFrame) -> pd.DataFrame:
    info = chain.actors.set_index("id")[["name", "stage", "country"]].astype(object)
    frame = frame.join(info, on="actor")
    return frame.reindex(columns=ANOMALY_COLUMNS)


# --------------------------------------------------------------------------- the entry point


@dataclass
class Hotspots:
    """What :func:`find_hotspots` returns.

    Attributes
    ----------
    hotspots : DataFrame
        :data:`HOTSPOT_COLUMNS`; ``reasons`` is a list of sentences; ``kind``
        is ``actor`` or ``plot``; ``gi_z`` the point's Getis-Ord Gi* and
        ``cluster`` its DBSCAN cluster (−1 none) in the theme's spatial
        analysis.
    geolocation_findings : DataFrame
        ``plot, rule, severity, detail, actor, feature`` (:mod:`riskgraph.geolocation`).
    clusters, chokepoints, anomalies : DataFrame
        :data:`CLUSTER_COLUMNS`, :data:`CHOKEPOINT_COLUMNS`, :data:`ANOMALY_COLUMNS`.
    plots : DataFrame
        The per-plot table of the geolocation checks with forest-loss facts.
    """

    hotspots: pd.DataFrame
    geolocation_findings: pd.DataFrame
    clusters: pd.DataFrame
    chokepoints: pd.DataFrame
    anomalies: pd.DataFrame
    plots: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    chain_name: str = ""
    options: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        per_theme = self.hotspots.groupby("theme").size().to_dict() if len(self.hotspots) else {}
        hot = int(self.clusters["hot"].sum()) if len(self.clusters) else 0
        return (f"Hotspots({self.chain_name!r}: {per_theme}, {len(self.geolocation_findings)} geolocation findings, "
                f"{len(self.clusters)} clusters ({hot} hot), {len(self.chokepoints)} chokepoints, "
                f"{len(self.anomalies)} anomalies)")

    def to_dict(self) -> dict:
        """``{"hotspots": [{actor, theme, score, rank, reasons}], "geolocation_findings": [{plot, rule, detail}]}``."""
        from riskgraph.output import to_jsonable

        hotspots = self.hotspots[["actor", "theme", "score", "rank", "reasons"]]
        findings = self.geolocation_findings[["plot", "rule", "detail"]]
        return {"hotspots": to_jsonable(hotspots), "geolocation_findings": to_jsonable(findings)}

    def table(self) -> pd.DataFrame:
        """The hotspots with ``reasons`` joined into one text cell (for CSV and terminals)."""
        frame = self.hotspots.copy()
        frame["reasons"] = frame["reasons"].map(lambda r: "; ".join(r) if isinstance(r, list) else r)
        return frame

    def to_geojson(self, path: Path | str) -> Path:
        """Write the located hotspots as a GeoJSON FeatureCollection (RFC 7946, [lon, lat]).

        Plot rows keep their plot's geometry when it is usable; other rows
        are Points. Properties: ``theme, rank, kind, actor, plot, name,
        stage, country, commodity, score, exposure, reach, dependence,
        reasons`` (list), ``gi_z, cluster``. Rows without a location are left
        out (their count is in the collection's ``unlocated`` member).
        """
        from riskgraph.output import to_jsonable

        path = Path(path)
        geometry_of = {}
        if len(self.plots) and "geometry" in self.plots.columns:
            usable = self.plots[self.plots["error_rules"].map(
                lambda r: not {"unsupported_geometry", "coordinate_out_of_range", "missing_geometry",
                               "ring_not_closed", "too_few_positions"} & set(r))]
            geometry_of = dict(zip(usable["plot"], usable["geometry"]))
        features = []
        unlocated = 0
        properties = [c for c in HOTSPOT_COLUMNS if c not in ("lat", "lon")]
        for record in self.hotspots.to_dict("records"):
            text = geometry_of.get(record["plot"]) if record["kind"] == "plot" else None
            if isinstance(text, str):
                geometry = json.loads(text)
            elif np.isfinite(_float(record["lat"])) and np.isfinite(_float(record["lon"])):
                geometry = {"type": "Point", "coordinates": [round(float(record["lon"]), 6),
                                                             round(float(record["lat"]), 6)]}
            else:
                unlocated += 1
                continue
            features.append({"type": "Feature", "geometry": geometry,
                             "properties": to_jsonable({k: record[k] for k in properties})})
        document = {"type": "FeatureCollection", "name": f"hotspots {self.chain_name}".strip(),
                    "unlocated": unlocated, "features": features}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path

    def to_html(self, path: Path | str, *, title: str | None = None) -> Path:
        """Write a self-contained interactive map (:func:`riskgraph.maps.hotspot_map`)."""
        from riskgraph.maps import hotspot_map

        return hotspot_map(self, path, title=title)


def _check_theme(theme: str) -> tuple[str, ...]:
    if theme not in THEME_CHOICES:
        raise InputError(f"theme must be one of {list(THEME_CHOICES)}, not {theme!r}")
    return HOTSPOT_THEMES if theme == "all" else (theme,)


def _ranked_hotspots(chain, assessment, themes, reach, plot_table, top) -> pd.DataFrame:
    parts = []
    if "deforestation" in themes:
        parts.append(deforestation_hotspots(chain, assessment, reach=reach, plot_table=plot_table))
    if "child_labour" in themes:
        parts.append(child_labour_hotspots(chain, assessment, reach=reach))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=HOTSPOT_COLUMNS)
    frame = _rank(pd.concat(parts, ignore_index=True))
    for column in ("actor", "plot"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    if top is not None:
        frame = frame[frame["rank"] <= top]
    counted = frame[frame["rank"] <= COUNTED_ROWS]
    counts = _downstream_counts(chain, counted["actor"])
    frame["downstream_actors"] = pd.array(
        [counts.get(a) if r <= COUNTED_ROWS and a in counts else None for a, r in zip(frame["actor"], frame["rank"])],
        dtype="Int64")
    frame["gi_z"] = np.nan
    frame["cluster"] = -1
    return frame[HOTSPOT_COLUMNS].reset_index(drop=True)


def find_hotspots(
    chain: Chain,
    assessment=None,
    *,
    theme: str = "all",
    plots=None,
    top: int | None = None,
    eps_km: float = 10.0,
    min_risk: float = 2.0,
    band_km: float = 25.0,
    tolerance: float = 0.10,
    shift: float = 0.30,
    contamination: float = 0.02,
    country: str | None = None,
) -> Hotspots:
    """Find the hotspots of a chain: deforestation, child labour, clusters, chokepoints, anomalies.

    Parameters
    ----------
    chain : Chain
    assessment : Assessment, optional
        ``riskgraph.assess(chain)`` when not given.
    theme : {"all", "deforestation", "child_labour"}
    plots : DataFrame or path, optional
        EUDR plots to use instead of ``chain.plots`` (GeoJSON, CSV or KML file,
        see :func:`riskgraph.geolocation.read_plots`).
    top : int, optional
        Keep the first ``top`` hotspots and chokepoints of each theme.
    eps_km, min_risk
        DBSCAN radius (km) and the risk a cluster core must gather.
    band_km
        Getis-Ord Gi* distance band (km).
    tolerance, shift, contamination
        Mass-balance tolerance, sourcing-shift threshold and the share of
        actors the IsolationForest flags (:func:`anomalies`).
    country : str, optional
        Declared country for plots that have neither a country nor an actor.

    Returns
    -------
    Hotspots

    Raises
    ------
    InputError
        An unknown theme, a ``top`` below 1 or an unreadable plot file.

    Notes
    -----
    ``chain.plots`` has passed validation: features without a plot id or a
    usable geometry were quarantined by :func:`riskgraph.read_chain` and are
    reported in ``chain.report``, not here. A plot file given as ``plots`` is
    checked whole, so those features appear in ``geolocation_findings``.
    Ranking is relative to the chain: scores of two chains are not comparable.

    Examples
    --------
    >>> import riskgraph as rg  # doctest: +SKIP
    >>> found = find_hotspots(rg.read_chain("datasets/food"), top=10)  # doctest: +SKIP
    >>> found.hotspots[["theme", "rank", "actor", "score"]]  # doctest: +SKIP
    """
    from riskgraph.geolocation import plot_checks, read_plots
    from riskgraph.risk import assess

    themes = _check_theme(theme)
    if top is not None and top < 1:
        raise InputError(f"top must be at least 1, not {top}")
    if eps_km <= 0 or band_km <= 0:
        raise InputError(f"eps_km and band_km must be > 0, not {eps_km} and {band_km}")
    assessment = assessment if assessment is not None else assess(chain)
    reach = downstream_reach(chain, assessment)
    frame = read_plots(plots) if isinstance(plots, (str, Path)) else plots
    frame = (chain.plots if frame is None else frame).reset_index(drop=True)
    checks = plot_checks(frame, chain.actors, country=country)
    plot_table, findings = _plot_table(chain, frame, checks)

    ranked = _ranked_hotspots(chain, assessment, themes, reach, plot_table, None)
    points = _spatial_points(chain, assessment, ranked, plot_table, themes)
    clusters, located = spatial_clusters(points, eps_km=eps_km, min_risk=min_risk, band_km=band_km)
    if len(located) and len(ranked):
        key = located.set_index(["theme", "kind", "id"])
        ids = np.where(ranked["kind"] == "plot", ranked["plot"], ranked["actor"])
        index = pd.MultiIndex.from_arrays([ranked["theme"], ranked["kind"], ids])
        ranked["gi_z"] = key["gi_z"].reindex(index).to_numpy(dtype=float)
        ranked["cluster"] = key["cluster"].reindex(index).fillna(-1).astype(int).to_numpy()
        _actor_points_from_plots(ranked, located, plot_table)
    if top is not None:
        ranked = ranked[ranked["rank"] <= top].reset_index(drop=True)
    return Hotspots(
        hotspots=ranked,
        geolocation_findings=findings.reset_index(drop=True),
        clusters=clusters,
        chokepoints=chokepoints(chain, assessment, themes=themes, reach=reach, top=top),
        anomalies=anomalies(chain, tolerance=tolerance, shift=shift, contamination=contamination),
        plots=plot_table,
        chain_name=chain.name,
        options={"theme": theme, "top": top, "eps_km": eps_km, "min_risk": min_risk, "band_km": band_km},
    )


def _actor_points_from_plots(ranked: pd.DataFrame, located: pd.DataFrame, plot_table: pd.DataFrame) -> None:
    """Deforestation actor rows located by their plots take the highest Gi* of those plots and its cluster."""
    plots = located[(located["theme"] == "deforestation") & (located["kind"] == "plot")]
    if plots.empty:
        return
    owners = dict(zip(plot_table["plot"], plot_table["actor"]))
    best = (plots.assign(actor=plots["id"].map(owners)).dropna(subset=["gi_z", "actor"])
            .sort_values("gi_z", ascending=False, kind="stable").drop_duplicates("actor").set_index("actor"))
    rows = (ranked["theme"] == "deforestation") & (ranked["kind"] == "actor") & ranked["gi_z"].isna()
    ranked.loc[rows, "gi_z"] = ranked.loc[rows, "actor"].map(best["gi_z"]).to_numpy(dtype=float)
    ranked.loc[rows, "cluster"] = ranked.loc[rows, "actor"].map(best["cluster"]).fillna(-1).astype(int).to_numpy()


def top_hotspots(chain: Chain, top: int = 5, *, assessment=None) -> pd.DataFrame:
    """The first ``top`` hotspots of each theme as a compact table (what the demo prints per sector).

    Columns: ``chain, theme, rank, actor, name, stage, country, score, reasons`` (joined with "; ").
    Spatial statistics, chokepoints and anomalies are not computed.
    """
    from riskgraph.geolocation import plot_checks
    from riskgraph.risk import assess

    if top < 1:
        raise InputError(f"top must be at least 1, not {top}")
    assessment = assessment if assessment is not None else assess(chain)
    reach = downstream_reach(chain, assessment)
    plot_table, _ = _plot_table(chain, None, plot_checks(chain.plots, chain.actors))
    ranked = _ranked_hotspots(chain, assessment, HOTSPOT_THEMES, reach, plot_table, top)
    ranked.insert(0, "chain", chain.name)
    ranked["reasons"] = ranked["reasons"].map("; ".join)
    ranked["actor"] = [f"{p} (plot of {a or '?'})" if k == "plot" else a
                       for k, a, p in zip(ranked["kind"], ranked["actor"], ranked["plot"])]
    return ranked[["chain", "theme", "rank", "actor", "name", "stage", "country", "score", "reasons"]]


__all__ = [
    "Hotspots", "find_hotspots", "top_hotspots", "deforestation_hotspots", "child_labour_hotspots",
    "downstream_reach", "chokepoints", "anomalies", "mass_balance_gaps", "sourcing_shifts", "isolation_anomalies",
    "actor_features", "spatial_clusters", "risk_clusters", "gi_star", "eudr_benchmark",
]
