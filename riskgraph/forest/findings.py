"""Where the figures of forest loss disagree: the member's declaration, the rasters, Whisp.

A plot can carry three answers to "has forest been lost here after 2020?":
what the member declared (kept as ``declared_forest_loss_ha_after_2020`` once
a satellite figure takes ``forest_loss_ha_after_2020``), what the rasters say
(``forest_loss_ha_after_2020`` with ``forest_source``) and what Whisp said
(``whisp_forest_loss_ha_after_2020`` after :func:`riskgraph.sources.whisp.merge_whisp`).
They differ for honest reasons (30 m pixels at a plot's edge, a different
canopy threshold, a different forest map) and for others; either way the
difference is information for due diligence, so each one is a finding with
the figures side by side — never silently averaged away.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

#: Columns of the findings table.
FINDING_COLUMNS = ["plot_id", "rule", "severity", "detail", "declared_ha", "satellite_ha", "whisp_ha", "source"]

#: Two figures agree when they differ by at most this many hectares (about one 30 m pixel,
#: 0.077 ha at the equator) ...
TOLERANCE_HA = 0.1
#: ... or by at most this share of the larger one.
TOLERANCE_SHARE = 0.10

#: ``forest_flag`` values that mean the rasters could not (fully) answer.
NOT_ASSESSED = {
    "no_geometry": "has no geometry",
    "unreadable_geometry": "has a geometry that cannot be read",
    "point_without_area": "is a point without a declared area, so its footprint is unknown",
    "not_an_area": "has a geometry that is neither a polygon nor a point",
    "outside_tiles": "lies outside every forest tile given",
    "partly_outside_tiles": "lies partly outside the forest tiles given; figures cover the part inside",
}


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column].astype(object), errors="coerce").to_numpy(dtype=float)


def _text(frame: pd.DataFrame, column: str) -> list:
    if column not in frame.columns:
        return [None] * len(frame)
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
            for v in frame[column].astype(object)]


def _years(value) -> str:
    """``{"2022": 1.2, "2023": 0.3}`` (dict or JSON text) → ``2022: 1.2 ha, 2023: 0.3 ha``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return ""
    if not isinstance(value, dict) or not value:
        return ""
    return ", ".join(f"{year}: {float(ha):.2f} ha" for year, ha in sorted(value.items()))


def differ(a, b, *, tolerance_ha: float = TOLERANCE_HA, tolerance_share: float = TOLERANCE_SHARE) -> np.ndarray:
    """True where both figures are known and differ beyond both tolerances.

    >>> differ([0.0, 1.0, 1.0], [0.05, 1.05, 2.0]).tolist()
    [False, False, True]
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    known = np.isfinite(a) & np.isfinite(b)
    gap = np.abs(np.nan_to_num(a) - np.nan_to_num(b))
    return known & (gap > np.maximum(tolerance_ha, tolerance_share * np.maximum(np.nan_to_num(a), np.nan_to_num(b))))


def forest_findings(plots: pd.DataFrame, *, tolerance_ha: float = TOLERANCE_HA,
                    tolerance_share: float = TOLERANCE_SHARE) -> pd.DataFrame:
    """Findings where the declared, the raster and the Whisp figures of forest loss after 2020 differ.

    Rules (``severity``):

    * ``declared_vs_satellite`` (warning): the member's figure and the one in
      ``forest_loss_ha_after_2020`` (named by ``forest_source``) differ;
    * ``declared_vs_whisp`` / ``satellite_vs_whisp`` (warning): the same
      against Whisp's figure;
    * ``loss_before_cutoff`` (info): loss was declared, none is seen after
      2020 but tree-cover loss is seen in 2001–2020 — likely a dating question,
      and loss before the cut-off is not an EUDR finding;
    * ``unconfirmed_alert`` (warning): Whisp reports RADD radar alerts after
      2020 where no confirmed loss is recorded — to be checked on the ground
      or with later imagery, not counted as loss;
    * ``not_assessed`` (warning): the rasters could not measure the plot (see
      :data:`NOT_ASSESSED`).

    Parameters
    ----------
    plots : DataFrame
        Plots after :func:`riskgraph.forest.plot_forest` and/or
        :func:`riskgraph.sources.whisp.merge_whisp`.
    tolerance_ha, tolerance_share : float
        Figures agree when they differ by at most ``tolerance_ha`` or by at
        most ``tolerance_share`` of the larger one.

    Returns
    -------
    DataFrame with :data:`FINDING_COLUMNS`, one row per finding.
    """
    ids = _text(plots, "plot_id")
    ids = [i if i is not None else f"feature {k + 1}" for k, i in enumerate(ids)]
    declared = _numbers(plots, "declared_forest_loss_ha_after_2020")
    sources = _text(plots, "forest_source")
    # Only a figure with a source is the satellite's; without one it is still the member's declaration.
    satellite = np.where([s is not None for s in sources], _numbers(plots, "forest_loss_ha_after_2020"), np.nan)
    whisp = _numbers(plots, "whisp_forest_loss_ha_after_2020")
    before = _numbers(plots, "tree_cover_loss_ha_2001_2020")
    alerts = _numbers(plots, "whisp_forest_alert_ha_after_2020")
    own_alerts = _numbers(plots, "forest_alert_ha_after_2020")
    alerts = np.where(np.isnan(alerts), own_alerts, alerts)
    whisp_sources = _text(plots, "whisp_forest_source")
    by_year = plots["forest_loss_by_year"].tolist() if "forest_loss_by_year" in plots.columns else [None] * len(plots)
    flags = _text(plots, "forest_flag")
    options = dict(tolerance_ha=tolerance_ha, tolerance_share=tolerance_share)
    rows = []

    def add(k, rule, severity, detail, source):
        rows.append({"plot_id": ids[k], "rule": rule, "severity": severity, "detail": detail,
                     "declared_ha": declared[k], "satellite_ha": satellite[k], "whisp_ha": whisp[k], "source": source})

    def years(k):
        text = _years(by_year[k])
        return f" ({text})" if text else ""

    for k in np.flatnonzero(differ(declared, satellite, **options)):
        add(k, "declared_vs_satellite", "warning",
            f"plot {ids[k]}: declared {declared[k]:.2f} ha of forest loss after 2020, {sources[k] or 'the rasters'} "
            f"show {satellite[k]:.2f} ha{years(k)}", sources[k])
    for k in np.flatnonzero(differ(declared, whisp, **options)):
        add(k, "declared_vs_whisp", "warning",
            f"plot {ids[k]}: declared {declared[k]:.2f} ha of forest loss after 2020, Whisp shows {whisp[k]:.2f} ha "
            f"({whisp_sources[k] or 'Whisp'})", whisp_sources[k])
    for k in np.flatnonzero(differ(satellite, whisp, **options)):
        add(k, "satellite_vs_whisp", "warning",
            f"plot {ids[k]}: {sources[k] or 'the rasters'} show {satellite[k]:.2f} ha of forest loss after 2020"
            f"{years(k)}, Whisp shows {whisp[k]:.2f} ha ({whisp_sources[k] or 'Whisp'})", sources[k])
    seen_after = np.fmax(satellite, whisp)
    dated = (np.nan_to_num(declared) > 0) & (np.nan_to_num(seen_after) == 0) & np.isfinite(seen_after) \
        & (np.nan_to_num(before) > 0)
    for k in np.flatnonzero(dated):
        add(k, "loss_before_cutoff", "info",
            f"plot {ids[k]}: declared {declared[k]:.2f} ha of forest loss after 2020; the rasters show none after "
            f"2020 but {before[k]:.2f} ha of tree-cover loss in 2001–2020 (before the cut-off)", sources[k])
    confirmed = np.nan_to_num(np.fmax(satellite, whisp))
    for k in np.flatnonzero((np.nan_to_num(alerts) > 0) & (confirmed == 0)):
        add(k, "unconfirmed_alert", "warning",
            f"plot {ids[k]}: {alerts[k]:.2f} ha of RADD radar alerts after 2020 (unconfirmed) and no confirmed "
            "forest loss; check with later imagery or on the ground", whisp_sources[k] or sources[k])
    for k, flag in enumerate(flags):
        if flag in NOT_ASSESSED:
            add(k, "not_assessed", "warning", f"plot {ids[k]} {NOT_ASSESSED[flag]}", sources[k])
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
