"""Publishable outputs of an assessment: the chain-location risk matrix as an Excel workbook.

The workbook is what a sector federation hands around: one sheet per theme
with the stage × country heatmap of one node (colours from green to red on a
fixed 0–1 scale, so sheets compare), the share matrix, a summary sheet, and a
sources sheet naming every indicator behind the numbers. Labels in English or
Dutch (``lang="nl"``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.model import stage_table, theme_table

LABELS = {
    "en": {
        "title": "Chain-location risk matrix", "node": "Node", "theme": "Theme", "stage": "Stage",
        "country": "Country", "share": "Share of material", "exposure": "Exposure (share × risk)",
        "summary": "Summary", "sources": "Sources", "shares": "Shares", "peak": "Peak", "peak_actor": "Peak actor",
        "category": "Category", "severity": "Severity", "unknown": "Unknown origin (share)",
        "note": "Cells: Σ over upstream actors at this stage and country of W[u, n] · r_t(u). "
                "Colours: 0 (green) to 1 (red), the same scale on every sheet.",
        "likelihood": "Likelihood", "relevance": "Stage relevance", "basis": "Basis", "source": "Source",
        "year": "Year", "raw_value": "Raw value", "priority": "Priority",
    },
    "nl": {
        "title": "Ketenlocatie-risicomatrix", "node": "Schakel", "theme": "Thema", "stage": "Ketenstap",
        "country": "Land", "share": "Aandeel materiaal", "exposure": "Blootstelling (aandeel × risico)",
        "summary": "Samenvatting", "sources": "Bronnen", "shares": "Aandelen", "peak": "Piek", "peak_actor": "Piekactor",
        "category": "Categorie", "severity": "Ernst", "unknown": "Onbekende herkomst (aandeel)",
        "note": "Cellen: Σ over actoren stroomopwaarts in deze ketenstap en dit land van W[u, n] · r_t(u). "
                "Kleuren: 0 (groen) tot 1 (rood), op elk blad dezelfde schaal.",
        "likelihood": "Waarschijnlijkheid", "relevance": "Relevantie ketenstap", "basis": "Grondslag",
        "source": "Bron", "year": "Jaar", "raw_value": "Ruwe waarde", "priority": "Prioriteit",
    },
}


def labels(lang: str) -> dict:
    if lang not in LABELS:
        raise InputError(f"language must be one of {sorted(LABELS)}, not {lang!r}")
    return LABELS[lang]


def theme_label(theme: str, lang: str) -> str:
    table = theme_table().set_index("theme")
    label = table.loc[theme, f"label_{lang}"] if theme in table.index else theme
    return label[:1].upper() + label[1:]


def stage_label(stage: str, lang: str, sector: str | None = None) -> str:
    """A stage's label in ``lang``; the sector's own label when given (food's trader is no gold exporter)."""
    table = stage_table()
    rows = table[(table["stage"] == stage) & ((table["sector"] == sector) if sector else True)]
    if rows.empty:
        rows = table[table["stage"] == stage]
    return rows.iloc[0][f"label_{lang}"] if len(rows) else stage


def matrix_workbook(assessment, node, path: Path | str, *, themes=None, lang: str = "en") -> Path:
    """Write node n's chain-location matrices to an ``.xlsx`` workbook.

    ``node`` may be a list of nodes: their volume-weighted portfolio.

    One sheet per theme (exposure heatmap), a ``shares`` sheet (V), a
    summary sheet (peak, category, severity, unknown share per theme) and a
    sources sheet (the indicator behind every upstream actor's likelihood).
    """
    text = labels(lang)
    path = Path(path)
    themes = list(assessment.themes) if themes is None else list(themes)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(node, str):
        summary = assessment.summary()
        summary = summary[(summary["node"] == node) & summary["theme"].isin(themes)]
    else:  # a portfolio: peaks over its weighted material
        summary = assessment.profile(node)
        summary = summary[summary["theme"].isin(themes)].assign(
            peak_actor=None, unknown_share=assessment.portfolio_unknown_share(node))
    label = node if isinstance(node, str) else ", ".join(node) if len(node) <= 3 else f"{len(node)} nodes"
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        number = book.add_format({"num_format": "0.000"})
        wrap = book.add_format({"text_wrap": True, "valign": "top", "italic": True})

        overview = summary[["theme", "peak", "category", "severity", "peak_stage", "peak_country", "peak_actor",
                            "priority", "unknown_share"]].copy()
        overview["theme"] = overview["theme"].map(lambda t: theme_label(t, lang))
        overview.columns = [text["theme"], text["peak"], text["category"], text["severity"], text["stage"],
                            text["country"], text["peak_actor"], text["priority"], text["unknown"]]
        sheet_name = text["summary"][:31]
        overview.to_excel(writer, sheet_name=sheet_name, index=False, startrow=3)
        sheet = writer.sheets[sheet_name]
        sheet.write(0, 0, f"{text['title']} — {text['node']}: {label}", title)
        sheet.write(1, 0, text["note"], wrap)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(overview.columns), 16, number)
        if len(overview):
            sheet.conditional_format(4, 1, 3 + len(overview), 1, _scale())

        for theme in themes:
            _matrix_sheet(writer, assessment.matrix(node, theme), theme_label(theme, lang)[:31],
                          f"{text['title']} — {theme_label(theme, lang)} — {text['node']}: {label}", text, lang,
                          formats=(title, bold, number, wrap))
        _matrix_sheet(writer, assessment.shares(node), text["shares"][:31],
                      f"{text['share']} — {text['node']}: {label}", text, lang, formats=(title, bold, number, wrap),
                      heat=False)

        sources = _sources(assessment, node, themes, lang)
        sources.to_excel(writer, sheet_name=text["sources"][:31], index=False)
        writer.sheets[text["sources"][:31]].set_column(0, len(sources.columns), 22)
    return path


def _scale() -> dict:
    return {"type": "3_color_scale", "min_type": "num", "min_value": 0, "min_color": "#63BE7B",
            "mid_type": "num", "mid_value": 0.5, "mid_color": "#FFEB84",
            "max_type": "num", "max_value": 1, "max_color": "#F8696B"}


def _matrix_sheet(writer, frame: pd.DataFrame, name: str, heading: str, text: dict, lang: str, *, formats,
                  heat: bool = True) -> None:
    title, bold, number, wrap = formats
    shown = frame.copy()
    shown.index = [stage_label(s, lang) for s in shown.index]
    shown.index.name = text["stage"]
    shown.to_excel(writer, sheet_name=name, startrow=3)
    sheet = writer.sheets[name]
    sheet.write(0, 0, heading, title)
    sheet.write(1, 0, text["note"] if heat else text["share"], wrap)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, max(1, len(shown.columns)), 10, number)
    if heat and len(shown) and len(shown.columns):
        sheet.conditional_format(4, 1, 3 + len(shown), len(shown.columns), _scale())
    totals_row = 5 + len(shown)
    sheet.write(totals_row, 0, text["exposure"] if heat else text["share"], bold)
    for j, value in enumerate(shown.sum(axis=0), start=1):
        sheet.write_number(totals_row, j, float(value), number)


def _sources(assessment, node: str, themes: list[str], lang: str) -> pd.DataFrame:
    """The indicator rows behind the likelihood of every actor upstream of the node."""
    text = labels(lang)
    nodes = [node] if isinstance(node, str) else list(node)
    upstream = assessment.cells(nodes=nodes, themes=themes[:1])[["stage", "country"]].drop_duplicates()
    risk = assessment.actor_risk.merge(
        assessment.chain.actors[["id", "stage", "country", "commodity"]], left_on="actor", right_on="id"
    )
    risk = risk.merge(upstream, on=["stage", "country"])
    risk = risk[risk["theme"].isin(themes)]
    table = (risk[["theme", "country", "commodity", "likelihood", "basis", "source", "year", "raw_value"]]
             .drop_duplicates().sort_values(["theme", "country", "commodity"], na_position="first"))
    table["theme"] = table["theme"].map(lambda t: theme_label(t, lang))
    table.columns = [text["theme"], text["country"], "commodity", text["likelihood"], text["basis"], text["source"],
                     text["year"], text["raw_value"]]
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- HTML report

HTML_TEXT = {
    "en": {
        "report_title": "Due-diligence risk report", "scope": "Scope", "generated": "generated",
        "priorities": "Priorities", "matrices": "Chain-location matrices", "flows": "Material flows",
        "hotspots": "Hotspots", "explanations": "Explanations", "quality": "Data quality", "sources": "Sources",
        "method": "Method", "theme": "Theme", "severity": "Severity", "peak": "Likelihood (peak)",
        "category": "Category", "where": "Where", "share": "Share of material", "exposure": "Exposure",
        "priority": "Priority", "stage": "Stage", "empty": "No material reaches this scope.",
        "paths": "Heaviest paths", "findings": "Validation findings by reason", "source": "Source",
        "used_for": "Themes", "values": "Values used",
        "priorities_note": "Ranked by priority = severity (1–5, OECD: scale, scope, irremediable character) × "
                           "likelihood at the riskiest chain location holding at least 1 % of the material. "
                           "Severity and likelihood are shown apart.",
        "matrix_note": "Each cell: the share of the material that passed through that stage in that country, "
                       "times the inherent risk there (likelihood × stage relevance). Colours from 0 (green) "
                       "to 1 (red), the same scale everywhere; hover a cell for its share.",
        "flows_note": "Material flows between stages and countries, widths proportional to volume.",
        "actors": "actors", "flows_count": "flows", "countries": "countries", "unknown": "unknown origin",
        "equal_split": "actors with assumed equal input shares", "errors": "validation errors",
        "warnings": "warnings", "all_ends": "all {n} most-downstream actors, weighted by volume",
        "table": "Table", "rows_in": "Rows in", "accepted": "Accepted", "quarantined": "Quarantined",
        "empty_rows": "Empty rows", "reason": "Reason", "count": "Count", "severity_col": "Severity",
        "file": "File",
    },
    "nl": {
        "report_title": "Risicorapport gepaste zorgvuldigheid", "scope": "Reikwijdte", "generated": "gemaakt op",
        "priorities": "Prioriteiten", "matrices": "Ketenlocatie-matrices", "flows": "Materiaalstromen",
        "hotspots": "Hotspots", "explanations": "Toelichting", "quality": "Datakwaliteit", "sources": "Bronnen",
        "method": "Methode", "theme": "Thema", "severity": "Ernst", "peak": "Waarschijnlijkheid (piek)",
        "category": "Categorie", "where": "Waar", "share": "Aandeel materiaal", "exposure": "Blootstelling",
        "priority": "Prioriteit", "stage": "Ketenstap", "empty": "Er bereikt geen materiaal deze reikwijdte.",
        "paths": "Zwaarste ketenpaden", "findings": "Validatiebevindingen per reden", "source": "Bron",
        "used_for": "Thema's", "values": "Gebruikte waarden",
        "priorities_note": "Gerangschikt op prioriteit = ernst (1–5, OESO: schaal, reikwijdte, onherstelbaarheid) × "
                           "waarschijnlijkheid op de meest risicovolle ketenlocatie met ten minste 1 % van het "
                           "materiaal. Ernst en waarschijnlijkheid staan apart.",
        "matrix_note": "Elke cel: het aandeel van het materiaal dat in dat land door die ketenstap ging, maal het "
                       "inherente risico daar (waarschijnlijkheid × relevantie van de ketenstap). Kleuren van 0 "
                       "(groen) tot 1 (rood), overal dezelfde schaal; wijs een cel aan voor het aandeel.",
        "flows_note": "Materiaalstromen tussen ketenstappen en landen, breedte naar volume.",
        "actors": "actoren", "flows_count": "stromen", "countries": "landen", "unknown": "onbekende herkomst",
        "equal_split": "actoren met aangenomen gelijke inkoopaandelen", "errors": "validatiefouten",
        "warnings": "waarschuwingen", "all_ends": "alle {n} meest stroomafwaartse actoren, gewogen naar volume",
        "table": "Tabel", "rows_in": "Rijen in", "accepted": "Aanvaard", "quarantined": "In quarantaine",
        "empty_rows": "Lege rijen", "reason": "Reden", "count": "Aantal", "severity_col": "Ernst",
        "file": "Bestand",
    },
}

CATEGORY_LABELS = {
    "en": {"low": "low", "medium": "medium", "high": "high", "very_high": "very high"},
    "nl": {"low": "laag", "medium": "middel", "high": "hoog", "very_high": "zeer hoog"},
}

METHOD = {
    "en": [
        "Likelihood L_t(c, k) per country and theme comes from public indicators (UNICEF child labour, Global "
        "Slavery Index, FAO forest loss, ITUC Global Rights Index, TI CPI, ILOSTAT, Yale EPI, EU CAHRA list, World "
        "Bank WGI and poverty headcounts), mapped to [0, 1]; commodity evidence (US DOL list of goods produced by "
        "child or forced labour, EUDR country benchmark) raises it for the goods concerned.",
        "Inherent risk r_t(u) = L_t(c, k) × g_t(s), with g the relevance of the stage for the theme in the sector.",
        "Input shares S[u, n] are the shares of n's inputs coming from u (equal split where volumes are missing, "
        "flagged). Upstream weights W = (I − S)⁻¹ give the share of n's material that passed through u over all "
        "paths; on cycles that leak (recycling) W counts passes.",
        "The chain-location matrix M[s, c] = Σ W[u, n] · r_t(u) over actors u at stage s in country c. A "
        "portfolio (several nodes) is weighted by input volume.",
        "Figures are screening estimates to direct due diligence, not findings about individual suppliers.",
    ],
    "nl": [
        "Waarschijnlijkheid L_t(c, k) per land en thema komt uit openbare indicatoren (UNICEF kinderarbeid, "
        "Global Slavery Index, FAO bosverlies, ITUC Global Rights Index, TI CPI, ILOSTAT, Yale EPI, EU CAHRA-lijst, "
        "Wereldbank WGI en armoedecijfers), omgezet naar [0, 1]; bewijs per grondstof (US DOL-lijst van goederen "
        "gemaakt met kinder- of dwangarbeid, EUDR-landenindeling) verhoogt haar voor de betrokken goederen.",
        "Inherent risico r_t(u) = L_t(c, k) × g_t(s), met g de relevantie van de ketenstap voor het thema in de sector.",
        "Inkoopaandelen S[u, n] zijn de aandelen van n's inkoop die van u komen (gelijke verdeling waar volumes "
        "ontbreken, gemarkeerd). Stroomopwaartse gewichten W = (I − S)⁻¹ geven het aandeel van n's materiaal dat "
        "via u ging, over alle paden; bij lekkende kringlopen (recycling) telt W het aantal passages.",
        "De ketenlocatie-matrix M[s, c] = Σ W[u, n] · r_t(u) over actoren u in ketenstap s in land c. Een "
        "portefeuille (meerdere schakels) wordt naar inkoopvolume gewogen.",
        "De cijfers zijn inschattingen om gepaste zorgvuldigheid te richten, geen bevindingen over afzonderlijke "
        "leveranciers.",
    ],
}


def heat_colour(value: float) -> str:
    """Green (0) → yellow (0.5) → red (1), the Excel 3-colour scale of the workbooks."""
    v = min(max(float(value), 0.0), 1.0)
    low, mid, high = (0x63, 0xBE, 0x7B), (0xFF, 0xEB, 0x84), (0xF8, 0x69, 0x6B)
    a, b, f = (low, mid, v / 0.5) if v <= 0.5 else (mid, high, (v - 0.5) / 0.5)
    return "#" + "".join(f"{round(x + (y - x) * f):02X}" for x, y in zip(a, b))


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
               k: int | None = None) -> str:
    """An SVG Sankey diagram of material flows by stage and country (as Trase shows trade).

    Columns are stages in chain order; boxes are (stage, country) sized by
    throughput; bands are flows between them, width ∝ volume (flows without
    volume count as 1 unit and are drawn dashed).
    """
    from html import escape

    from riskgraph.model import stage_order

    links = sankey_links(chain, year=year, k=k).sort_values("volume", ascending=False).head(top_links)
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
        title = escape(f"{link.stage} {link.country} → {link.stage_to} {link.country_to}: {link.volume:,.1f}")
        parts.append(f'<path d="M{x0:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
                     f'stroke="#1f5f8b" stroke-opacity="0.25" stroke-width="{w:.1f}" fill="none"><title>{title}</title></path>')
    for (stage, country), (x, top, h, _, _) in position.items():
        label = escape(f"{country}")
        parts.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{box}" height="{h:.1f}" fill="#1f5f8b">'
                     f'<title>{escape(stage)} {label}: {nodes[(stage, country)]:,.1f}</title></rect>')
        if h >= 9:
            parts.append(f'<text x="{x + box + 3:.1f}" y="{top + h / 2 + 4:.1f}">{label}</text>')
    for stage in stages:
        parts.append(f'<text x="{margin + column[stage] * step:.1f}" y="{margin - 10}" font-weight="bold">'
                     f'{escape(stage)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="Sankey diagram of material flows">' + "".join(parts) + "</svg>")


def html_report(assessment, path: Path | str, *, node=None, lang: str = "en", hotspots: pd.DataFrame | None = None,
                hotspot_map: str | None = None, notices: list[str] | None = None, top: int = 3,
                publication=None) -> Path:
    """Write a self-contained HTML report (no network needed to view it).

    Parameters
    ----------
    assessment : Assessment
    path : path-like
    node : str or list, optional
        A company node, or several; default: all most-downstream actors
        weighted by volume (the chain's or sector's picture).
    lang : {"en", "nl"}
    hotspots : DataFrame, optional
        Ranked hotspots to list (from :mod:`riskgraph.hotspots`).
    hotspot_map : str, optional
        An inline SVG/HTML fragment with the hotspot map.
    notices : list of str, optional
        Notices shown on top (e.g. cells suppressed for k-anonymity).
    publication : riskgraph.secretariat.Publication, optional
        Publish k-anonymously: only the publication's cells and hotspots are
        shown, priorities come from published cells, no actor is named
        (explanations are left out) and flows are drawn only where ≥ k members
        report them.
    """
    import datetime

    import jinja2

    from riskgraph import __version__
    from riskgraph.countries import country_name

    labels(lang)
    t = HTML_TEXT[lang]
    chain = assessment.chain
    sectors = chain.actors["sector"].dropna().unique()
    sector = sectors[0] if len(sectors) == 1 else None
    scope_nodes = node if node is not None else assessment.chain_ends
    scope = node if isinstance(node, str) else t["all_ends"].format(n=len(scope_nodes)) if node is None else \
        ", ".join(map(str, node))
    profile = assessment.profile(scope_nodes) if publication is None else _published_profile(assessment, publication)
    priorities = []
    for row in profile.itertuples(index=False):
        where = " · ".join(x for x in (stage_label(row.peak_stage, lang, sector) if row.peak_stage else None,
                                       country_name(row.peak_country) if row.peak_country else None,
                                       row.peak_commodity) if x)
        priorities.append({**row._asdict(), "theme_label": theme_label(row.theme, lang),
                           "category_label": CATEGORY_LABELS[lang].get(row.category, row.category), "where": where})

    matrices = []
    shares = assessment.shares(scope_nodes) if publication is None else publication.shares
    for theme in profile["theme"]:
        frame = assessment.matrix(scope_nodes, theme) if publication is None else publication.matrices[theme]
        columns = [{"code": c, "name": country_name(c) if c != "other" else c} for c in frame.columns]
        rows = []
        for stage, values in frame.iterrows():
            cells = []
            for country, value in values.items():
                share = shares.loc[stage, country] if stage in shares.index and country in shares.columns else 0.0
                if share != share or value != value:  # withheld for k-anonymity
                    cells.append({"colour": "#eeeeee", "text": "—", "title": "withheld (fewer than k members)"})
                    continue
                cells.append({"colour": heat_colour(value) if share else "#ffffff",
                              "text": f"{value:.2f}" if share else "",
                              "title": f"{stage} · {country_name(country)}: {t['share'].lower()} {share:.1%}, "
                                       f"{t['exposure'].lower()} {value:.3f}"})
            rows.append({"label": stage_label(stage, lang, sector), "cells": cells})
        matrices.append({"title": theme_label(theme, lang), "columns": columns, "rows": rows})

    explanations = []
    for row in profile.head(top if publication is None else 0).itertuples(index=False):
        if not row.peak_stage:
            continue
        target = scope_nodes if isinstance(scope_nodes, str) else _heaviest_node(assessment, scope_nodes, row)
        e = assessment.explain(target, row.theme, stage=row.peak_stage, country=row.peak_country, top=5, paths=1)
        table = e.actors[["actor", "name", "weight", "likelihood", "relevance", "risk", "source", "year"]]
        explanations.append({
            "title": f"{theme_label(row.theme, lang)} — {stage_label(row.peak_stage, lang, sector)}, "
                     f"{country_name(row.peak_country)}",
            "summary": f"{target}: {e.contributors} actors, {e.share:.1%} of the material, exposure {e.exposure:.3f}",
            "columns": list(table.columns),
            "rows": [[_fmt(v) for v in r] for r in table.itertuples(index=False)],
            "paths": [f"{p.path} ({p.weight:.1%})" for p in e.paths.itertuples(index=False)],
        })

    report = chain.report
    quality_columns = [t["table"], t["file"], t["rows_in"], t["accepted"], t["quarantined"], t["empty_rows"]]
    quality_rows = report.counts.values.tolist() if report is not None else []
    findings = report.reason_counts() if report is not None else pd.DataFrame()
    structure = assessment.shares_info
    unknown = assessment.portfolio_unknown_share(scope_nodes)
    quality_notes = [
        f"{t['unknown']}: {unknown:.1%}",
        f"{t['equal_split']}: {int(structure.equal_split.sum())}",
    ]
    figures = [
        (t["actors"], f"{len(chain.actors):,}"), (t["flows_count"], f"{len(chain.flows):,}"),
        (t["countries"], f"{chain.actors['country'].nunique()}"), (t["unknown"], f"{unknown:.1%}"),
        (t["errors"], f"{len(report.errors) if report is not None else 0}"),
        (t["warnings"], f"{len(report.warnings) if report is not None else 0}"),
    ]
    used = assessment.actor_risk.merge(pd.DataFrame({"actor": assessment.actors}), on="actor")
    sources = (used.groupby("source").agg(themes=("theme", lambda s: ", ".join(sorted(set(s)))),
                                          count=("theme", "size")).reset_index()
               .sort_values("count", ascending=False).to_dict("records"))
    hot = None
    if hotspots is not None and len(hotspots):
        shown = hotspots.head(25)
        hot = {"columns": list(shown.columns), "rows": [[_fmt(v) for v in r] for r in shown.itertuples(index=False)]}

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    html = environment.get_template("report.html.j2").render(
        lang=lang, t=t, version=__version__, chain_name=chain.name or "chain", scope=scope,
        generated=datetime.date.today().isoformat(), figures=figures, priorities=priorities, matrices=matrices,
        sankey=sankey_svg(chain, k=publication.k if publication is not None else None), hotspots=hot, hotspot_map=hotspot_map, explanations=explanations,
        quality={"columns": quality_columns, "rows": quality_rows},
        findings={"columns": list(findings.columns), "rows": findings.values.tolist()},
        quality_notes=quality_notes, sources=sources, method=METHOD[lang], notices=notices or [],
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def hotspot_table(hotspots: pd.DataFrame, top: int = 25) -> pd.DataFrame:
    """The hotspots a report lists: the best ``top`` by score, with the columns a reader needs."""
    shown = hotspots.sort_values("score", ascending=False).head(top)
    columns = [c for c in ("actor", "name", "theme", "score", "rank", "country", "stage", "reasons")
               if c in shown.columns]
    return shown[columns]


def _published_profile(assessment, publication) -> pd.DataFrame:
    """Priorities from published cells only: location likelihood = exposure / share."""
    records = []
    shares = publication.shares
    for theme, frame in publication.matrices.items():
        best = (0.0, None, None, 0.0, 0.0)
        exposure = float(np.nansum(frame.to_numpy()))
        for stage in frame.index:
            for country in frame.columns:
                share, value = shares.loc[stage, country], frame.loc[stage, country]
                if share == share and value == value and share >= assessment.materiality:
                    likelihood = value / share
                    if likelihood > best[0]:
                        best = (likelihood, stage, country, share, value)
        records.append({"theme": theme, "peak": best[0], "peak_stage": best[1], "peak_country": best[2],
                        "peak_commodity": None, "peak_share": best[3], "exposure": exposure})
    frame = pd.DataFrame(records)
    frame["category"] = assessment.category(frame["peak"])
    frame["severity"] = frame["theme"].map(assessment.severity).astype(float)
    frame["priority"] = frame["severity"] * frame["peak"]
    return frame.sort_values(["priority", "exposure"], ascending=False, kind="stable").reset_index(drop=True)


def _heaviest_node(assessment, nodes, row) -> str:
    """The node of a portfolio with the largest share at the row's peak location."""
    best, best_share = nodes[0], -1.0
    for node in nodes:
        shares = assessment.shares(node)
        share = shares.loc[row.peak_stage, row.peak_country] if (
            row.peak_stage in shares.index and row.peak_country in shares.columns) else 0.0
        if share > best_share:
            best, best_share = node, share
    return best


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def publication_workbook(publication, path: Path | str, *, lang: str = "en") -> Path:
    """Write a k-anonymous sector matrix to ``.xlsx``: a sheet per theme, withheld cells as '—'.

    No totals are written: a total next to withheld cells would let a reader
    recover them.
    """
    text = labels(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        title = book.add_format({"bold": True, "font_size": 14})
        wrap = book.add_format({"text_wrap": True, "italic": True})
        grey = book.add_format({"bg_color": "#EEEEEE", "align": "center"})
        number = book.add_format({"num_format": "0.000"})
        notice = pd.DataFrame({text["summary"]: [publication.notice(lang)]})
        notice.to_excel(writer, sheet_name=text["summary"][:31], index=False)
        writer.sheets[text["summary"][:31]].set_column(0, 0, 120, wrap)
        sheets = [(theme_label(t, lang), f) for t, f in publication.matrices.items()]
        sheets.append((text["shares"], publication.shares))
        for name, frame in sheets:
            shown = frame.copy()
            shown.index = [stage_label(s, lang) for s in shown.index]
            shown.index.name = text["stage"]
            sheet = book.add_worksheet(name[:31])
            writer.sheets[name[:31]] = sheet
            sheet.write(0, 0, f"{name} — k = {publication.k}", title)
            sheet.write(1, 0, text["note"], wrap)
            sheet.write(3, 0, text["stage"])
            for j, column in enumerate(shown.columns, start=1):
                sheet.write(3, j, column)
            for i, (stage, values) in enumerate(shown.iterrows(), start=4):
                sheet.write(i, 0, stage)
                for j, value in enumerate(values, start=1):
                    if value != value:
                        sheet.write(i, j, "—", grey)
                    else:
                        sheet.write_number(i, j, float(value), number)
            sheet.set_column(0, 0, 34)
            sheet.set_column(1, len(shown.columns), 10)
            if len(shown) and len(shown.columns):
                sheet.conditional_format(4, 1, 3 + len(shown), len(shown.columns), _scale())
        publication.members.to_excel(writer, sheet_name="members per cell", index=False)
        if len(publication.hotspots):
            publication.hotspots.to_excel(writer, sheet_name=text.get("hotspots", "hotspots")[:31], index=False)
    return path
