"""A child-labour due-diligence statement for one company (Dutch Child Labour Due Diligence Act, OECD steps).

The Act (Wet zorgplicht kinderarbeid) asks a company to investigate whether
there is a reasonable suspicion that its goods were produced with child
labour, and to draw up and carry out a plan of action where there is. This
module drafts that statement from a chain:

- **investigated**: the company's chain-location matrix for the theme, with
  the sources behind it;
- **reasonable suspicions**: upstream actors whose inherent risk is in the
  ``high`` category or above (DOL-listed goods, high prevalence countries at
  relevant stages), with the heaviest path that carries their material;
- **plan of action**: one editable row per suspicion (supplier, country,
  stage, severity, leverage via the chokepoint on the path, a proposed step,
  owner, due date, status), as a table to complete and keep.

Output as HTML (to read and sign off) and Excel (to edit the plan).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.graph import share_graph
from riskgraph.chain.model import chain_start_stages

PLAN_COLUMNS = ["suspicion", "supplier", "name", "country", "stage", "commodity", "likelihood", "severity", "weight",
                "path", "leverage", "direct_supplier", "proposed_step", "owner", "due_date", "status"]


@lru_cache(maxsize=None)
def action_steps() -> pd.DataFrame:
    """Proposed steps per theme and position on the path (origin, intermediary, direct)."""
    return pd.read_csv(dataset_path("reference", "action_steps.csv"))


@dataclass
class Statement:
    """A due-diligence statement draft for one node and theme."""

    node: str
    name: str
    theme: str
    matrix: pd.DataFrame
    shares: pd.DataFrame
    suspicions: pd.DataFrame
    plan: pd.DataFrame
    sources: pd.DataFrame
    unknown_share: float
    threshold: float


def child_labour_statement(chain, node: str, *, theme: str = "child_labour", threshold: float | None = None,
                           assessment=None, lang: str = "en", due_in_days: int = 90) -> Statement:
    """Draft the statement of ``node`` for ``theme`` (default child labour).

    Parameters
    ----------
    threshold : float, optional
        Inherent risk from which an upstream actor is a reasonable suspicion;
        default: the lower bound of the ``high`` category.
    """
    from riskgraph.risk import assess, upstream_weights

    if node not in set(chain.actors["id"]):
        raise InputError(f"actor '{node}' is not in the chain")
    assessment = assessment or assess(chain)
    if theme not in assessment.themes:
        raise InputError(f"theme '{theme}' is not one of {list(assessment.themes)}")
    threshold = float(assessment.thresholds.get("high", 0.5)) if threshold is None else threshold
    weights = upstream_weights(chain, nodes=[node])[node]
    risk = assessment.inherent[theme]
    chosen = weights[(weights > 0) & (risk >= threshold) & (weights.index != node)]
    actors = chain.actors.set_index("id")
    provenance = assessment.actor_risk[assessment.actor_risk["theme"] == theme].set_index("actor")
    graph = share_graph(assessment.shares_info)
    starts = chain_start_stages()
    records = []
    for actor in chosen.index:
        path = nx.shortest_path(graph, actor, node, weight="weight")
        records.append({
            "supplier": actor, "name": actors.loc[actor, "name"], "country": actors.loc[actor, "country"],
            "stage": actors.loc[actor, "stage"], "commodity": actors.loc[actor, "commodity"],
            "likelihood": float(provenance.loc[actor, "likelihood"]), "risk": float(risk[actor]),
            "weight": float(chosen[actor]), "basis": provenance.loc[actor, "basis"],
            "source": provenance.loc[actor, "source"], "path": path,
            "origin": (actors.loc[actor, "sector"], actors.loc[actor, "stage"]) in starts,
        })
    suspicions = pd.DataFrame(records, columns=["supplier", "name", "country", "stage", "commodity", "likelihood",
                                                "risk", "weight", "basis", "source", "path", "origin"])
    suspicions["contribution"] = suspicions["weight"] * suspicions["risk"]
    suspicions = suspicions.sort_values(["contribution", "supplier"], ascending=[False, True]).reset_index(drop=True)
    # Chokepoint: the intermediary on the suspicions' paths through which the most risky material passes.
    through: dict[str, float] = {}
    for row in suspicions.itertuples(index=False):
        for hop in row.path[1:-1]:
            through[hop] = through.get(hop, 0.0) + row.contribution
    severity = float(assessment.severity.get(theme, 3))
    steps = action_steps()
    steps = steps[steps["theme"] == theme].set_index("position")
    column = "step_nl" if lang == "nl" else "step_en"
    due = (datetime.date.today() + datetime.timedelta(days=due_in_days)).isoformat()
    plan = []
    for number, row in enumerate(suspicions.itertuples(index=False), start=1):
        hops = row.path[1:-1]
        leverage = max(hops, key=lambda h: (through[h], h)) if hops else row.supplier
        position = "direct" if not hops else "origin" if row.origin else "intermediary"
        step = steps.loc[position, column] if position in steps.index else ""
        plan.append({
            "suspicion": number, "supplier": row.supplier, "name": row.name, "country": row.country,
            "stage": row.stage, "commodity": row.commodity, "likelihood": row.likelihood, "severity": severity,
            "weight": row.weight, "path": " → ".join(row.path), "leverage": leverage,
            "direct_supplier": row.path[-2], "proposed_step": step, "owner": "", "due_date": due, "status": "open",
        })
    upstream_locations = assessment.cells(nodes=[node], themes=[theme])[["stage", "country"]].drop_duplicates()
    used = provenance.join(actors[["stage", "country"]]).merge(upstream_locations, on=["stage", "country"])
    sources = (used.groupby(["source", "basis"]).size().rename("actors").reset_index()
               .sort_values("actors", ascending=False).reset_index(drop=True))
    return Statement(
        node=node, name=str(actors.loc[node, "name"]), theme=theme, matrix=assessment.matrix(node, theme),
        shares=assessment.shares(node), suspicions=suspicions, plan=pd.DataFrame(plan, columns=PLAN_COLUMNS),
        sources=sources, unknown_share=float(assessment.unknown_share[node]), threshold=threshold,
    )


def write_statement(statement: Statement, path: Path | str, *, lang: str = "en") -> Path:
    """Write the statement as ``.html`` (to read and sign off) or ``.xlsx`` (plan of action to edit)."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        return _write_xlsx(statement, path, lang)
    if suffix == ".html":
        return _write_html(statement, path, lang)
    raise InputError(f"cannot write a statement to '{suffix or path.name}': use .html or .xlsx")


TEXT = {
    "en": {"title": "Due-diligence statement", "investigated": "Where the risk was investigated",
           "suspicions": "Reasonable suspicions", "plan": "Plan of action", "sources": "Sources",
           "intro": "This draft follows the OECD due-diligence steps: the company's chain was mapped, the risk located "
                    "per stage and country, and suppliers whose inherent risk is at or above {threshold:.2f} are listed "
                    "as reasonable suspicions with the path that carries their material to the company.",
           "unknown": "Share of material with unknown origin: {share:.1%}. Suspicions cannot be excluded there.",
           "none": "No upstream supplier reaches the threshold.", "sign": "Approved by (name, role, date):"},
    "nl": {"title": "Verklaring gepaste zorgvuldigheid", "investigated": "Waar het risico is onderzocht",
           "suspicions": "Redelijke vermoedens", "plan": "Plan van aanpak", "sources": "Bronnen",
           "intro": "Dit concept volgt de OESO-stappen voor gepaste zorgvuldigheid: de keten van het bedrijf is in kaart "
                    "gebracht, het risico per ketenstap en land bepaald, en leveranciers met een inherent risico van "
                    "ten minste {threshold:.2f} staan hieronder als redelijk vermoeden, met het pad waarlangs hun "
                    "materiaal het bedrijf bereikt.",
           "unknown": "Aandeel materiaal met onbekende herkomst: {share:.1%}. Daar zijn vermoedens niet uit te sluiten.",
           "none": "Geen leverancier stroomopwaarts bereikt de drempel.",
           "sign": "Goedgekeurd door (naam, functie, datum):"},
}


def _write_xlsx(statement: Statement, path: Path, lang: str) -> Path:
    from riskgraph.report import colour_scale, theme_label

    text = TEXT[lang]
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 14})
        statement.plan.to_excel(writer, sheet_name=text["plan"][:31], index=False, startrow=2)
        sheet = writer.sheets[text["plan"][:31]]
        sheet.write(0, 0, f"{text['plan']} — {theme_label(statement.theme, lang)} — {statement.name} ({statement.node})",
                    title)
        sheet.set_column(0, len(PLAN_COLUMNS), 16)
        sheet.set_column(PLAN_COLUMNS.index("path"), PLAN_COLUMNS.index("path"), 50, wrap)
        sheet.set_column(PLAN_COLUMNS.index("proposed_step"), PLAN_COLUMNS.index("proposed_step"), 60, wrap)
        if len(statement.plan):
            column = PLAN_COLUMNS.index("status")
            sheet.data_validation(3, column, 2 + len(statement.plan), column,
                                  {"validate": "list", "source": ["open", "in progress", "done", "not applicable"]})
            date_column = PLAN_COLUMNS.index("due_date")
            sheet.data_validation(3, date_column, 2 + len(statement.plan), date_column,
                                  {"validate": "any"})
        statement.matrix.to_excel(writer, sheet_name=text["investigated"][:31], startrow=2)
        matrix_sheet = writer.sheets[text["investigated"][:31]]
        matrix_sheet.write(0, 0, text["intro"].format(threshold=statement.threshold), wrap)
        if len(statement.matrix) and len(statement.matrix.columns):
            matrix_sheet.conditional_format(3, 1, 2 + len(statement.matrix), len(statement.matrix.columns), colour_scale())
        statement.suspicions.assign(path=statement.suspicions["path"].map(" → ".join)).to_excel(
            writer, sheet_name=text["suspicions"][:31], index=False)
        statement.sources.to_excel(writer, sheet_name=text["sources"][:31], index=False)
    return path


def _write_html(statement: Statement, path: Path, lang: str) -> Path:
    from html import escape

    from riskgraph import __version__
    from riskgraph.report import heat_colour, stage_label, theme_label

    text = TEXT[lang]

    def table(frame: pd.DataFrame, heat: bool = False) -> str:
        head = "".join(f"<th>{escape(str(c))}</th>" for c in ([frame.index.name or ""] if heat else []) + list(frame.columns))
        rows = []
        for index, values in frame.iterrows():
            cells = [f"<th>{escape(stage_label(str(index), lang))}</th>"] if heat else []
            for value in values:
                if heat:
                    cells.append(f'<td style="background:{heat_colour(value)};text-align:right">{value:.2f}</td>')
                else:
                    shown = f"{value:.3g}" if isinstance(value, float) else escape(str(value))
                    cells.append(f"<td>{shown}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    plan = statement.plan.drop(columns=["weight"]).assign(
        owner='', due_date=statement.plan["due_date"], status=statement.plan["status"])
    body = [
        f"<h1>{escape(text['title'])}: {escape(theme_label(statement.theme, lang))}</h1>",
        f"<p>{escape(statement.name)} ({escape(statement.node)}) · {datetime.date.today().isoformat()} · riskgraph {__version__}</p>",
        f"<p>{escape(text['intro'].format(threshold=statement.threshold))}</p>",
        f"<h2>{escape(text['investigated'])}</h2>", table(statement.matrix, heat=True),
        f"<p>{escape(text['unknown'].format(share=statement.unknown_share))}</p>",
        f"<h2>{escape(text['suspicions'])} ({len(statement.suspicions)})</h2>",
        table(statement.suspicions.assign(path=statement.suspicions["path"].map(" → ".join)).drop(columns=["origin"]))
        if len(statement.suspicions) else f"<p>{escape(text['none'])}</p>",
        f"<h2>{escape(text['plan'])}</h2>", table(plan) if len(plan) else f"<p>{escape(text['none'])}</p>",
        f"<h2>{escape(text['sources'])}</h2>", table(statement.sources),
        f"<p><b>{escape(text['sign'])}</b> ____________________</p>",
    ]
    style = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:1300px}table{border-collapse:collapse;"
             "font-size:.85rem;margin:.5rem 0 1rem}th,td{border:1px solid #d9e2ec;padding:.2rem .4rem;vertical-align:top}"
             "th{background:#f0f4f8}")
    path.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(text["title"])}'
                    f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>", encoding="utf-8")
    return path
