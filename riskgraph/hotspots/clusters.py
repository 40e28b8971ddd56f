"""Spatial clusters: DBSCAN over risk-weighted points and Getis-Ord Gi* z-scores (BallTree neighbourhoods).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.model import Chain
from riskgraph.hotspots._common import CLUSTER_COLUMNS, EARTH_RADIUS_KM, GI_CRITICAL, UNVERIFIED_WEIGHT


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
        tables.append(_cluster_table(theme, group, values))
    tables = [t for t in tables if len(t)]
    clusters = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=CLUSTER_COLUMNS)
    if len(clusters):
        clusters = clusters.sort_values(["theme", "gi_z", "total_risk"], ascending=[True, False, False],
                                        kind="stable", na_position="last").reset_index(drop=True)
    located = pd.concat(parts, ignore_index=True) if parts else points.assign(cluster=pd.Series(dtype=int),
                                                                               gi_z=pd.Series(dtype=float))
    return clusters, located


def _cluster_table(theme: str, group: pd.DataFrame, values: np.ndarray) -> pd.DataFrame:
    """One row per DBSCAN cluster of a theme's points (:data:`CLUSTER_COLUMNS`), all clusters at once.

    ``gi_z`` takes the cluster as one neighbourhood of k members among the
    theme's n points: ``(Σ risk − x̄ k) / (S √((n k − k²) / (n − 1)))``;
    the centre is the risk-weighted mean position (plain mean when the
    members' risk is all zero), the radius the farthest member from it.
    """
    from scipy.stats import norm

    members = group[group["cluster"] >= 0]
    if members.empty:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    n = len(values)
    mean = values.mean()
    s = np.sqrt(max((values ** 2).mean() - mean ** 2, 0.0))
    label = members["cluster"].to_numpy()
    risk = members["risk"].to_numpy(dtype=float)
    lat, lon = members["lat"].to_numpy(dtype=float), members["lon"].to_numpy(dtype=float)
    by = pd.Series(risk).groupby(label)
    k = by.size().to_numpy()
    total = by.sum().to_numpy()
    labels = by.size().index.to_numpy()
    # weights: the risk, or 1 for every member of a cluster whose risk adds up to 0
    position = np.searchsorted(labels, label)
    w = np.where(total[position] > 0, risk, 1.0)
    w_sum = np.bincount(position, weights=w)
    clat = np.bincount(position, weights=w * lat) / w_sum
    clon = np.bincount(position, weights=w * lon) / w_sum
    radius = pd.Series(_haversine_km(clat[position], clon[position], lat, lon)).groupby(position).max().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (total - mean * k) / (s * np.sqrt((n * k - k * k) / (n - 1))) if n > 1 else np.full(len(k), np.nan)
    z = np.where(np.isfinite(z), z, np.nan)
    kind = members["kind"].to_numpy(dtype=object)
    order = members.assign(_position=position).sort_values("risk", ascending=False, kind="stable")
    order = order.sort_values("_position", kind="stable")
    top = order.groupby("_position")["id"].agg(lambda ids: list(ids[:5]))
    countries = members["country"].groupby(position).agg(lambda c: sorted({x for x in c if isinstance(x, str)}))
    return pd.DataFrame({
        "theme": theme, "cluster": labels.astype(int), "points": k,
        "actors": np.bincount(position, weights=kind == "actor").astype(int),
        "plots": np.bincount(position, weights=kind == "plot").astype(int),
        "lat": clat, "lon": clon, "radius_km": radius, "total_risk": total, "mean_risk": total / k,
        "gi_z": z, "p_value": np.where(np.isfinite(z), norm.sf(np.nan_to_num(z)), np.nan),
        "hot": np.isfinite(z) & (np.nan_to_num(z, nan=-np.inf) > GI_CRITICAL),
        "countries": countries.to_numpy(), "top_members": top.to_numpy(),
    }, columns=CLUSTER_COLUMNS)


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
            # the owner's likelihood *before* plot evidence: the actor's inherent risk already counts its
            # plots' loss and failed geolocation, which each plot adds below (as deforestation_hotspots does)
            own = assessment.actor_risk
            own = own[own["theme"] == "deforestation"].set_index("actor")
            prior = own["prior"].astype(float).reindex(plots["actor"]).fillna(0.0).to_numpy()
            relevance = own["relevance"].astype(float).reindex(plots["actor"]).fillna(1.0).to_numpy()
            loss = plots["post_cutoff_loss"].to_numpy(dtype=float)
            error = (plots["error_rules"].map(len) > 0).to_numpy(dtype=float)
            plot_risk = relevance * (1 - (1 - prior) * (1 - loss) * (1 - UNVERIFIED_WEIGHT * error))
            parts.append(pd.DataFrame({"theme": theme, "id": plots["plot"].to_numpy(object), "kind": "plot",
                                       "lat": plots["lat"].to_numpy(float), "lon": plots["lon"].to_numpy(float),
                                       "risk": plot_risk, "country": plots["country"].to_numpy(object)}))
    if not parts:
        return pd.DataFrame(columns=["theme", "id", "kind", "lat", "lon", "risk", "country"])
    return pd.concat(parts, ignore_index=True)
