"""Publishable outputs of an assessment: the chain-location risk matrix as an Excel workbook.

The workbook is what a sector federation hands around: one sheet per theme
with the stage × country heatmap of one node (colours from green to red on a
fixed 0–1 scale, so sheets compare), the share matrix, a summary sheet, and a
sources sheet naming every indicator behind the numbers. Labels in English or
Dutch (``lang="nl"``).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from riskgraph.formatting import category_label, commodity_label, term_label
from riskgraph.output import excel_writer
from riskgraph.report.labels import labels, stage_label, theme_label


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
            unknown_share=assessment.portfolio_unknown_share(node))
        summary["peak_actor"] = _portfolio_peak_actors(assessment, list(node), summary)
    label = node if isinstance(node, str) else ", ".join(node) if len(node) <= 3 else \
        text["chain_ends" if set(node) == set(assessment.chain_ends) else "portfolio"].format(n=len(node))
    scope_word = text["node"] if isinstance(node, str) else text["scope"]
    with excel_writer(path) as writer:
        book = writer.book
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        number = book.add_format({"num_format": "0.000"})
        wrap = book.add_format({"text_wrap": True, "valign": "top", "italic": True})

        overview = summary[["theme", "peak", "category", "severity", "peak_stage", "peak_country", "peak_actor",
                            "priority", "unknown_share"]].copy()
        overview["theme"] = overview["theme"].map(lambda t: theme_label(t, lang))
        overview["category"] = overview["category"].map(lambda c: category_label(c, lang))
        overview["peak_stage"] = overview["peak_stage"].map(lambda s: stage_label(s, lang) if isinstance(s, str) else s)
        overview.columns = [text["theme"], text["peak"], text["category"], text["severity"], text["stage"],
                            text["country"], text["peak_actor"], text["priority"], text["unknown"]]
        sheet_name = text["summary"][:31]
        overview.to_excel(writer, sheet_name=sheet_name, index=False, startrow=3)
        sheet = writer.sheets[sheet_name]
        sheet.write(0, 0, f"{text['title']} — {text['node'] if isinstance(node, str) else text['scope']}: {label}",
                    title)
        sheet.write(1, 0, text["note"], wrap)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(overview.columns), 16, number)
        if len(overview):
            sheet.conditional_format(4, 1, 3 + len(overview), 1, colour_scale())

        for theme in themes:
            _matrix_sheet(writer, assessment.matrix(node, theme), theme_label(theme, lang)[:31],
                          f"{text['title']} — {theme_label(theme, lang)} — {scope_word}: {label}", text, lang,
                          formats=(title, bold, number, wrap))
        _matrix_sheet(writer, assessment.shares(node), text["shares"][:31],
                      f"{text['share']} — {scope_word}: {label}", text, lang, formats=(title, bold, number, wrap),
                      heat=False)

        sources = _sources(assessment, node, themes, lang)
        sources.to_excel(writer, sheet_name=text["sources"][:31], index=False)
        writer.sheets[text["sources"][:31]].set_column(0, len(sources.columns), 22)
    return path


def _portfolio_peak_actors(assessment, nodes: list[str], summary: pd.DataFrame) -> list:
    """Per theme row of a portfolio's summary: the actor contributing most at the peak location.

    The portfolio's upstream weights are one propagation of its volume
    weights (``Σ_n w_n W[u, n]``, as :meth:`Assessment.profile` weighs the
    nodes); the peak actor is the largest ``weight × inherent risk`` among
    the actors at the peak's stage, country and commodity.
    """
    import numpy as np

    from riskgraph.risk.propagation import propagate_vector

    weights = assessment.inflow.reindex(nodes).fillna(0.0)
    if weights.sum() <= 0:
        weights = pd.Series(1.0, index=nodes)
    start = np.zeros(len(assessment.actors))
    start[assessment.actors.get_indexer(weights.index)] = weights.to_numpy() / weights.sum()
    upstream = propagate_vector(assessment.shares_info.matrix.tocsr(), start)
    actors = assessment.chain.actors.set_index("id").reindex(assessment.actors)
    found = []
    for row in summary.itertuples(index=False):
        if not row.peak_stage:
            found.append(None)
            continue
        here = (actors["stage"].eq(row.peak_stage) & actors["country"].eq(row.peak_country)).fillna(False)
        if isinstance(row.peak_commodity, str) and row.peak_commodity:
            here &= actors["commodity"].eq(row.peak_commodity).fillna(False)
        here = here.to_numpy(dtype=bool)
        contribution = np.where(here, upstream * assessment.inherent[row.theme].to_numpy(), 0.0)
        found.append(assessment.actors[int(contribution.argmax())] if contribution.max() > 0 else None)
    return found


def colour_scale() -> dict:
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
        sheet.conditional_format(4, 1, 3 + len(shown), len(shown.columns), colour_scale())
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
    if lang != "en":  # English keeps the codes, as the tables do
        table["commodity"] = table["commodity"].map(lambda c: commodity_label(c, lang))
        table["basis"] = table["basis"].map(lambda b: term_label("basis", b, lang))
    table.columns = [text["theme"], text["country"], text["commodity"], text["likelihood"], text["basis"],
                     text["source"], text["year"], text["raw_value"]]
    return table.reset_index(drop=True)


def publication_workbook(publication, path: Path | str, *, lang: str = "en") -> Path:
    """Write a publication to ``.xlsx``: a sheet per theme, withheld and empty cells both as '—'.

    No totals are written: a total next to withheld cells would let a reader
    recover them. Sheets ``figures`` and ``release`` hold the published
    figures as data (what :func:`riskgraph.covenant.audit.audit` reads).
    """
    text = labels(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with excel_writer(path) as writer:
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
                sheet.conditional_format(4, 1, 3 + len(shown), len(shown.columns), colour_scale())
        publication.members[["stage", "country", "band"]].rename(columns={"band": "members"}).to_excel(
            writer, sheet_name="members per cell", index=False)
        if len(publication.hotspots):
            publication.hotspots.to_excel(writer, sheet_name=text.get("hotspots", "hotspots")[:31], index=False)
        # The same figures as data, for readers' own tools and 'riskgraph secretariat audit'.
        data = publication.to_dict()
        pd.DataFrame({"figure": list(data["figures"]), "value": [str(v) for v in data["figures"].values()]}).to_excel(
            writer, sheet_name="figures", index=False)
        pd.DataFrame({"field": ["format", "k", "rules", "members"],
                      "value": [data["format"], str(data["k"]), json.dumps(data["rules"]),
                                ";".join(data["members"])]}).to_excel(writer, sheet_name="release", index=False)
    return path
