"""Material flows by stage × country as Sankey links and a self-contained SVG diagram.
"""
from __future__ import annotations


import pandas as pd



def sankey_links(chain, *, year: int | None = None, k: int | None = None) -> pd.DataFrame:
    """Flow volumes between (stage, country) locations: ``stage, country, stage_to, country_to, volume, members``.

    With ``k``, only links reported by at least k members (flows carry a
    ``member`` column in a merged sector chain) are kept.
    """
    flows = chain.flows if year is None else chain.flows[chain.flows["year"] == year]
    actors = chain.actors.set_index("id")[["stage", "country"]]
    links = (flows.assign(volume=flows["volume"].fillna(1.0))
             .merge(actors, left_on="source", right_index=True)
             .merge(actors.add_suffix("_to"), left_on="target", right_index=True))
    if "member" not in links.columns:
        links["member"] = "all"
    keys = ["stage", "country", "stage_to", "country_to"]
    links = links.groupby(keys, as_index=False).agg(volume=("volume", "sum"), members=("member", "nunique"))
    if k is not None:
        links = links[links["members"] >= k]
    return links.reset_index(drop=True)


def sankey_svg(chain, *, year: int | None = None, width: int = 1100, height: int = 520, top_links: int = 250,
               k: int | None = None, links: pd.DataFrame | None = None, lang: str = "en") -> str:
    """An SVG Sankey diagram of material flows by stage and country (as Trase shows trade).

    Columns are stages in chain order; boxes are (stage, country) sized by
    throughput; bands are flows between them, width ∝ volume (flows without
    volume count as 1 unit and are drawn dashed). ``links`` draws given links
    instead, such as a publication's (volumes as bands ``low``–``high``, see
    :mod:`riskgraph.covenant.disclosure`): widths follow the band's lower
    bound and labels show the band, never a volume.
    Stages are labelled in ``lang``. However large the chain, at most
    ``top_links`` links between (stage, country) locations are drawn: the
    diagram aggregates, it never lists actors.
    """
    from html import escape

    from riskgraph.chain.model import stage_order
    from riskgraph.formatting import format_number
    from riskgraph.report.labels import stage_label

    sectors = chain.actors["sector"].dropna().unique()
    sector = sectors[0] if len(sectors) == 1 else None  # food's trader is no gold exporter
    if links is not None:
        links = links.assign(volume=links["low"].astype(float), label=links["volume_band"])
    else:
        links = sankey_links(chain, year=year, k=k)
        links = links.assign(label=[format_number(v, "volume", lang) for v in links["volume"]])
    links = links.sort_values("volume", ascending=False).head(top_links)
    if links.empty:
        return "<p>—</p>"
    order = stage_order()
    stages = sorted(set(links["stage"]) | set(links["stage_to"]), key=lambda s: (order.get(s, 99), s))
    column = {s: i for i, s in enumerate(stages)}
    nodes = {}
    for side in (("stage", "country"), ("stage_to", "country_to")):
        for (stage, country), volume in links.groupby(list(side))["volume"].sum().items():
            nodes[(stage, country)] = max(nodes.get((stage, country), 0.0), volume)
    margin, box = 30, 14
    step = (width - 2 * margin - box) / max(len(stages) - 1, 1)
    totals = {s: sum(v for (st, _), v in nodes.items() if st == s) for s in stages}
    gap = 4
    scale = min((height - 2 * margin - gap * sum(1 for _ in nodes)) / max(totals.values()), 1e9) if totals else 1
    scale = max(scale, 1e-12)
    position, parts = {}, []
    for stage in stages:
        y = margin
        members = sorted(((c, v) for (s, c), v in nodes.items() if s == stage), key=lambda cv: -cv[1])
        for country, volume in members:
            h = max(volume * scale, 1.5)
            position[(stage, country)] = [margin + column[stage] * step, y, h, y, y]  # x, top, h, out-cursor, in-cursor
            y += h + gap
    for link in links.itertuples(index=False):
        source, target = position[(link.stage, link.country)], position[(link.stage_to, link.country_to)]
        w = max(link.volume * scale, 0.8)
        x0, y0 = source[0] + box, source[3] + w / 2
        x1, y1 = target[0], target[4] + w / 2
        source[3] += w
        target[4] += w
        mid = (x0 + x1) / 2
        title = escape(f"{stage_label(link.stage, lang, sector)} {link.country} → "
                       f"{stage_label(link.stage_to, lang, sector)} {link.country_to}: {link.label}")
        parts.append(f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
                     f'stroke="#1f5f8b" stroke-opacity="0.25" stroke-width="{w:.1f}" fill="none"><title>{title}</title></path>')
    for (stage, country), (x, top, h, _, _) in position.items():
        label = escape(f"{country}")
        amount = "" if "volume_band" in links.columns else f": {format_number(nodes[(stage, country)], 'volume', lang)}"
        parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{box}" height="{h:.1f}" fill="#1f5f8b">'
                     f'<title>{escape(stage_label(stage, lang, sector))} {label}{amount}</title></rect>')
        if h >= 9:
            parts.append(f'<text x="{x + box + 3:.1f}" y="{top + h / 2 + 4:.1f}">{label}</text>')
    for stage in stages:
        parts.append(f'<text x="{margin + column[stage] * step:.1f}" y="{margin - 10}" font-weight="bold">'
                     f'{escape(stage_label(stage, lang, sector))}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="Sankey diagram of material flows">' + "".join(parts) + "</svg>")
