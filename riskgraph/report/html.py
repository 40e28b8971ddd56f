"""The self-contained HTML report: heatmaps per theme, priorities, Sankey, hotspot map, explanations, data quality, sources, method (English or Dutch).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from functools import lru_cache

from riskgraph import _vocabulary
from riskgraph.formatting import category_label, commodity_label, format_cell, format_number, header_label, say
from riskgraph.report.heatmap import heat_matrix, legend, theme_cells
from riskgraph.report.labels import labels, stage_label, theme_label
from riskgraph.report.sankey import sankey_svg


# --------------------------------------------------------------------------- HTML report

#: The report's texts by language: the ``report.*`` phrases of ``datasets/vocabulary/phrases.csv``.
HTML_TEXT = _vocabulary.texts("report.")

#: The method section, paragraph by paragraph (``report.method.1`` …).
METHOD = {lang: [text for key, text in sorted(HTML_TEXT[lang].items()) if key.startswith("method.")]
          for lang in HTML_TEXT}


def heat_colour(value: float) -> str:
    """Green (0) → yellow (0.5) → red (1), the Excel 3-colour scale of the workbooks."""
    v = min(max(float(value), 0.0), 1.0)
    low, mid, high = (0x63, 0xBE, 0x7B), (0xFF, 0xEB, 0x84), (0xF8, 0x69, 0x6B)
    a, b, f = (low, mid, v / 0.5) if v <= 0.5 else (mid, high, (v - 0.5) / 0.5)
    return "#" + "".join(f"{round(x + (y - x) * f):02X}" for x, y in zip(a, b))


def _priorities(assessment, scope) -> pd.DataFrame:
    """The ranked priorities of a node or portfolio: the assessment's own ranking (one formula, the API's)."""
    return assessment.profile(scope)


@lru_cache(maxsize=None)
def _theme_actions() -> pd.DataFrame:
    from riskgraph._resources import dataset_path

    return pd.read_csv(dataset_path("reference", "theme_actions.csv")).set_index("theme")


def _published_cells(publication, theme: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells of a k-anonymous publication (no commodity) and the cells it withholds."""
    values = publication.matrices[theme].stack(future_stack=True).rename("exposure")
    shares = publication.shares.stack(future_stack=True).rename("share")
    frame = pd.concat([values, shares], axis=1).reset_index()
    # rows are stages, or (commodity, stage) pairs when the members' material holds several commodities
    keys = ["commodity", "stage", "country"] if frame.shape[1] == 5 else ["stage", "country"]
    frame.columns = [*keys, "exposure", "share"]
    if "commodity" not in frame.columns:
        frame["commodity"] = ""
    frame["commodity"] = frame["commodity"].astype(object).fillna("").astype(str)
    withheld = frame[frame["exposure"].isna() | frame["share"].isna()][["stage", "country"]]
    frame = frame.dropna(subset=["exposure", "share"])
    frame = frame[frame["share"] > 0]
    frame["likelihood"] = frame["exposure"] / frame["share"]
    return frame, withheld


def html_report(assessment, path: Path | str, *, node=None, lang: str = "en", hotspots: pd.DataFrame | None = None,
                hotspot_map: str | None = None, notices: list[str] | None = None, top: int = 3,
                publication=None, progress=None) -> Path:
    """Write a self-contained HTML report (no network needed to view it).

    The first page holds the five priorities, what to do about each and
    the data quality in three numbers; then the heatmaps (coloured by
    likelihood, annotated with shares, one switch per commodity), the
    material flows, hotspots, explanations, data quality, sources and
    method. Large chains are summarised (top-N tables, aggregated flows),
    so the file stays small whatever the chain's size.

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
    progress : callable, optional
        Called with the name of each step (for a progress bar).
    """
    import datetime

    import jinja2

    from riskgraph import __version__
    from riskgraph.chain.countries import country_name as _country_name
    from riskgraph.chain.model import stage_order

    def country_name(code):
        return _country_name(code, lang)

    step = progress or (lambda name: None)
    labels(lang)
    t = HTML_TEXT[lang]
    chain = assessment.chain
    sectors = chain.actors["sector"].dropna().unique()
    sector = sectors[0] if len(sectors) == 1 else None
    scope_nodes = node if node is not None else assessment.chain_ends
    portfolio = not isinstance(scope_nodes, str)
    scope = node if isinstance(node, str) else t["all_ends"].format(n=len(scope_nodes)) if node is None else \
        ", ".join(map(str, node))
    step("priorities")
    profile = _priorities(assessment, scope_nodes) if publication is None else \
        _published_profile(assessment, publication)
    actions = _theme_actions()
    priorities = []
    for row in profile.itertuples(index=False):
        where = " · ".join(x for x in (stage_label(row.peak_stage, lang, sector) if row.peak_stage else None,
                                       country_name(row.peak_country) if row.peak_country else None,
                                       commodity_label(row.peak_commodity, lang)) if x)
        action = actions.loc[row.theme] if row.theme in actions.index else None
        priorities.append({**row._asdict(), "theme_label": theme_label(row.theme, lang),
                           "category_label": category_label(row.category, lang), "where": where,
                           "peak_text": format_number(row.peak, "likelihood", lang),
                           "share_text": format_number(row.peak_share, "share", lang),
                           "exposure_text": format_number(row.exposure, "exposure", lang),
                           "priority_text": format_number(row.priority, "likelihood", lang),
                           "action": action[f"action_{lang}"] if action is not None else "",
                           "action_source": action["source"] if action is not None else ""})

    step("matrices")
    order = stage_order()
    colour_scale_legend = legend(heat_colour, lang)
    matrices, commodities = [], set()
    scope_cells = assessment.node_cells(scope_nodes) if publication is None else None  # once for every theme
    for theme in profile["theme"]:
        withheld = None
        if publication is None:
            cells = theme_cells(scope_cells, theme)
        else:
            cells, withheld = _published_cells(publication, theme)
        options = dict(stage_order=order, stage_label=lambda s: stage_label(s, lang, sector),
                       country_name=country_name, lang=lang, colour=heat_colour, withheld=withheld)
        variants = [{"commodity": "", "matrix": heat_matrix(cells, **options)}]
        present = sorted(c for c in cells["commodity"].unique() if c) if len(cells) else []
        if len(present) > 1:
            commodities.update(present)
            variants += [{"commodity": c, "matrix": heat_matrix(cells[cells["commodity"] == c], **options)}
                         for c in present]
        matrices.append({"title": theme_label(theme, lang), "variants": variants})

    step("explanations")
    explanations = []
    for row in profile.head(top if publication is None else 0).itertuples(index=False):
        if not row.peak_stage:
            continue
        target = scope_nodes if not portfolio else _heaviest_node(assessment, scope_nodes, row)
        e = assessment.explain(target, row.theme, stage=row.peak_stage, country=row.peak_country, top=5, paths=1)
        table = e.actors[["actor", "name", "weight", "likelihood", "relevance", "risk", "source", "year"]]
        kinds = {c: ("share" if c == "weight" else "likelihood" if c in ("likelihood", "relevance", "risk")
                     else "plain" if c == "year" else "text") for c in table.columns}
        location = (f"{stage_label(row.peak_stage, lang, sector)}, {country_name(row.peak_country)}")
        scope_line = t["explain_scope"].format(share=format_number(row.peak_share, "share", lang),
                                              likelihood=format_number(row.peak, "likelihood", lang))
        node_line = t["explain_node" if portfolio else "explain_self"].format(
            node=target, contributors=e.contributors, share=format_number(e.share, "share", lang),
            exposure=format_number(e.exposure, "exposure", lang))
        explanations.append({
            "title": f"{theme_label(row.theme, lang)} — {location}",
            "summary": scope_line, "detail": node_line,
            "columns": [header_label(c, lang) for c in table.columns],
            "rows": [[format_cell(v, kinds[c], c, lang) for c, v in zip(table.columns, r)]
                     for r in table.itertuples(index=False)],
            "paths": [{"ids": list(p.path) if isinstance(p.path, (list, tuple)) else str(p.path).split(" → "),
                       "weight": format_number(p.weight, "share", lang)} for p in e.paths.itertuples(index=False)],
        })

    step("data quality")
    report = chain.report
    quality_columns = [t["table"], t["file"], t["rows_in"], t["accepted"], t["quarantined"], t["empty_rows"]]
    quality_rows = [[format_cell(v, "text" if isinstance(v, str) else "count", c, lang)
                     for c, v in zip(report.counts.columns, r)] for r in report.counts.itertuples(index=False)] \
        if report is not None and publication is None else []
    findings = report.reason_counts() if report is not None and publication is None else pd.DataFrame()
    structure = assessment.shares_info
    unknown = assessment.portfolio_unknown_share(scope_nodes) if publication is None else float("nan")
    no_volume = float(chain.flows["volume"].isna().mean()) if len(chain.flows) else 0.0
    quarantined = int(report.counts["quarantined"].sum()) if report is not None else 0
    rows_in = int(report.counts["rows_in"].sum()) if report is not None else 0
    quality_three = [
        (format_number(unknown, "share", lang) if unknown == unknown else "—", t["unknown"]),
        (format_number(no_volume, "share", lang), t["no_volume"]),
        (f"{format_number(quarantined, 'count', lang)} / {format_number(rows_in, 'count', lang)}", t["set_aside"]),
    ]
    quality_notes = [
        f"{t['unknown']}: {quality_three[0][0]}",
        f"{t['equal_split']}: {format_number(int(structure.equal_split.sum()), 'count', lang)}",
    ]
    figures = [
        (t["actors"], format_number(len(chain.actors), "count", lang)),
        (t["flows_count"], format_number(len(chain.flows), "count", lang)),
        (t["countries"], format_number(chain.actors["country"].nunique(), "count", lang)),
    ]
    if publication is not None:  # totals only as the disclosure rules allow (rounded, ≥ k members)
        quality_notes = []
        figures = [(t[name], f"≈ {publication.totals[key]:,}" if key in ("actors", "flows") else
                    f"{publication.totals[key]:.0%}" if key == "unknown_share" else f"{publication.totals[key]:,}")
                   for name, key in (("actors", "actors"), ("flows_count", "flows"), ("countries", "countries"),
                                     ("unknown", "unknown_share")) if key in publication.totals]
    used = assessment.actor_risk.merge(pd.DataFrame({"actor": assessment.actors}), on="actor")
    sources = (used.groupby("source").agg(themes=("theme", lambda s: ", ".join(
        sorted(theme_label(x, lang).lower() for x in set(s)))), count=("theme", "size")).reset_index()
        .sort_values("count", ascending=False))
    sources["count"] = sources["count"].map(lambda v: format_number(v, "count", lang))
    hot = None
    if hotspots is not None and len(hotspots):
        shown = hotspots.head(25)
        hot = {"columns": [header_label(c, lang) for c in shown.columns],
               "rows": [[_hotspot_cell(v, c, lang, shown) for c, v in zip(shown.columns, r)]
                        for r in shown.itertuples(index=False)],
               "total": len(hotspots)}

    step("flows")
    sankey = sankey_svg(chain, lang=lang) if publication is None else sankey_svg(chain, links=publication.links,
                                                                                  lang=lang)
    step("writing")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
    )
    html = environment.get_template("report.html.j2").render(
        lang=lang, t=t, version=__version__, chain_name=chain.name or "chain", scope=scope,
        generated=datetime.date.today().isoformat(), figures=figures, priorities=priorities, matrices=matrices,
        commodities=[{"code": c, "label": commodity_label(c, lang)} for c in sorted(commodities)],
        legend=colour_scale_legend,
        sankey=sankey, hotspots=hot, hotspot_map=hotspot_map, explanations=explanations,
        quality={"columns": quality_columns, "rows": quality_rows}, quality_three=quality_three,
        findings={"columns": [header_label(c, lang) for c in findings.columns],
                  "rows": [[format_cell(v, "text" if isinstance(v, str) else "count", c, lang)
                            for c, v in zip(findings.columns, r)] for r in findings.itertuples(index=False)]},
        quality_notes=quality_notes, sources=sources.to_dict("records"), method=METHOD[lang], notices=notices or [],
    )
    if publication is not None:  # the published figures as data, for readers and 'secretariat audit'
        from riskgraph.output import json_for_html

        html = html.replace("</body>", '<script type="application/json" id="riskgraph-publication">'
                            + json_for_html(publication.to_dict()) + "</script>\n</body>", 1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def _hotspot_cell(value, column: str, lang: str, shown: pd.DataFrame) -> str:
    """A hotspot table cell: the score in words (relative to the chain's highest), the rest as usual."""
    if column == "score":
        from riskgraph.geo.maps import score_level

        top = float(shown["score"].max()) if len(shown) else 0.0
        return category_label(score_level(value, top), lang)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(say(v, lang)) for v in value)
    return format_cell(value, "plain" if column == "rank" else "text" if not isinstance(value, float) else
                       "likelihood", column, lang)


def hotspot_table(hotspots: pd.DataFrame, top: int = 25) -> pd.DataFrame:
    """The hotspots a report lists: the best ``top`` by score, with the columns a reader needs."""
    shown = hotspots.sort_values("score", ascending=False).head(top)
    columns = [c for c in ("actor", "name", "theme", "score", "rank", "country", "stage", "reasons")
               if c in shown.columns]
    return shown[columns]


def _published_profile(assessment, publication) -> pd.DataFrame:
    """Priorities from published cells only: location likelihood = exposure / share, priority as everywhere."""
    from riskgraph.risk.priorities import priority

    records = []
    shares = publication.shares
    for theme, frame in publication.matrices.items():
        best = (0.0, None, None, 0.0, 0.0)
        exposure = float(np.nansum(frame.to_numpy()))
        for stage in frame.index:
            for country in frame.columns:
                share, value = shares.loc[stage, country], frame.loc[stage, country]
                if share == share and value == value and share > 0:
                    likelihood = value / share
                    if likelihood > best[0]:
                        best = (likelihood, stage, country, share, value)
        records.append({"theme": theme, "peak": best[0], "peak_stage": best[1], "peak_country": best[2],
                        "peak_commodity": None, "peak_share": best[3], "exposure": exposure})
    frame = pd.DataFrame(records)
    frame["category"] = assessment.category(frame["peak"])
    frame["severity"] = frame["theme"].map(assessment.severity).astype(float)
    frame["priority"] = priority(frame["severity"], frame["peak"])
    return frame.sort_values(["priority", "peak_share"], ascending=False, kind="stable").reset_index(drop=True)


def _heaviest_node(assessment, nodes, row) -> str:
    """The node of a portfolio with the largest share at the row's peak location (the first such node on ties)."""
    nodes = list(nodes)
    cells = assessment.cells(nodes=nodes, themes=[row.theme])
    hit = cells[(cells["stage"] == row.peak_stage) & (cells["country"] == row.peak_country)]
    if hit.empty:
        return nodes[0]
    share = hit.groupby(hit["node"].astype(object))["share"].max().reindex(nodes).fillna(0.0)
    return share.idxmax()
