"""The self-contained HTML report: heatmaps per theme, priorities, Sankey, hotspot map, explanations, data quality, sources, method (English or Dutch).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.report.labels import labels, stage_label, theme_label
from riskgraph.report.sankey import sankey_svg


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
        "used_for": "Themes", "values_used": "Values used",
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
        "used_for": "Thema's", "values_used": "Gebruikte waarden",
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
    publication : riskgraph.covenant.secretariat.Publication, optional
        Publish k-anonymously: only the publication's cells and hotspots are
        shown, priorities come from published cells, no actor is named
        (explanations are left out) and flows are drawn only where ≥ k members
        report them.
    """
    import datetime

    import jinja2

    from riskgraph import __version__
    from riskgraph.chain.countries import country_name

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
                if share != share or value != value:  # withheld, or empty: a publication shows both alike
                    cells.append({"colour": "#eeeeee", "text": "—", "title": "no figure published (empty or withheld)"})
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
    quality_rows = report.counts.values.tolist() if report is not None and publication is None else []
    findings = report.reason_counts() if report is not None and publication is None else pd.DataFrame()
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
    if publication is not None:  # totals only as the disclosure rules allow (rounded, ≥ k members)
        quality_notes = []
        figures = [(t[name], f"≈ {publication.totals[key]:,}" if key in ("actors", "flows") else
                    f"{publication.totals[key]:.0%}" if key == "unknown_share" else f"{publication.totals[key]:,}")
                   for name, key in (("actors", "actors"), ("flows_count", "flows"), ("countries", "countries"),
                                     ("unknown", "unknown_share")) if key in publication.totals]
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
        sankey=sankey_svg(chain) if publication is None else sankey_svg(chain, links=publication.links), hotspots=hot, hotspot_map=hotspot_map, explanations=explanations,
        quality={"columns": quality_columns, "rows": quality_rows},
        findings={"columns": list(findings.columns), "rows": findings.values.tolist()},
        quality_notes=quality_notes, sources=sources, method=METHOD[lang], notices=notices or [],
    )
    if publication is not None:  # the published figures as data, for readers and 'secretariat audit'
        from riskgraph.output import json_for_html

        html = html.replace("</body>", '<script type="application/json" id="riskgraph-publication">'
                            + json_for_html(publication.to_dict()) + "</script>\n</body>", 1)
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
