"""The hotspot entry point: every kind of hotspot for a chain, ranked, with the points for the map.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.model import Chain
from riskgraph.formatting import Phrase
from riskgraph.hotspots.anomalies import anomalies
from riskgraph.hotspots.child_labour import child_labour_hotspots
from riskgraph.hotspots._common import ANOMALY_COLUMNS, COUNTED_ROWS, HOTSPOT_COLUMNS, HOTSPOT_THEMES, THEME_CHOICES, _float, _rank
from riskgraph.hotspots.chokepoints import chokepoints
from riskgraph.hotspots.clusters import _spatial_points, spatial_clusters
from riskgraph.hotspots.deforestation import _plot_table, deforestation_hotspots
from riskgraph.hotspots.reach import _downstream_counts, downstream_reach


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
        ``plot, rule, severity, detail, actor, feature`` (:mod:`riskgraph.geo.plots`).
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
        # object dtype: a str column would keep only the English text of the phrases
        frame["reasons"] = pd.Series([Phrase.join(r) if isinstance(r, list) else r for r in frame["reasons"]],
                                     index=frame.index, dtype=object)
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
        """Write a self-contained interactive map (:func:`riskgraph.geo.maps.hotspot_map`)."""
        from riskgraph.geo.maps import hotspot_map

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
    with_anomalies: bool = True,
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
        see :func:`riskgraph.geo.plots.read_plots`).
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
    with_anomalies : bool
        Search for anomalies (the flow features of every actor and an
        IsolationForest: a tenth of the time on large chains); reports and
        maps, which do not show them, pass ``False`` and get an empty table.

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
    from riskgraph.geo.plots import plot_checks, read_plots
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
        anomalies=(anomalies(chain, tolerance=tolerance, shift=shift, contamination=contamination) if with_anomalies
                   else pd.DataFrame(columns=ANOMALY_COLUMNS)),
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
    from riskgraph.geo.plots import plot_checks
    from riskgraph.risk import assess

    if top < 1:
        raise InputError(f"top must be at least 1, not {top}")
    assessment = assessment if assessment is not None else assess(chain)
    reach = downstream_reach(chain, assessment)
    plot_table, _ = _plot_table(chain, None, plot_checks(chain.plots, chain.actors))
    ranked = _ranked_hotspots(chain, assessment, HOTSPOT_THEMES, reach, plot_table, top)
    ranked.insert(0, "chain", chain.name)
    ranked["reasons"] = pd.Series([Phrase.join(r) for r in ranked["reasons"]], index=ranked.index, dtype=object)
    ranked["actor"] = [f"{p} (plot of {a or '?'})" if k == "plot" else a
                       for k, a, p in zip(ranked["kind"], ranked["actor"], ranked["plot"])]
    return ranked[["chain", "theme", "rank", "actor", "name", "stage", "country", "score", "reasons"]]
