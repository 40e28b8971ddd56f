"""A child-labour due-diligence statement under the Dutch Child Labour Due Diligence Act (Wet zorgplicht kinderarbeid).

**Status.** The Act (Wet van 24 oktober 2019, Stb. 2019, 401) has not
entered into force: its commencement is left to a royal decree that had not
been found in the sources read. Every statement says so and names the text
relied on (``TEXT_RELIED_ON``); a statement drafted here is voluntary until
the Act applies. Rules and sources: ``datasets/regulation/child_labour_rules.csv``.

The Act asks two different things, kept apart here:

- **the declaration** (Art. 4): the company declares to the supervisor that
  it exercises due diligence; it holds nothing derived from the findings;
- **the investigation and the plan of action** (Art. 5): the company
  investigates whether there is a *reasonable suspicion* that its goods were
  produced with child labour and, where there is one, draws up and carries
  out a plan of action.

**Reasonable suspicion** is decided from evidence about each upstream
supplier, not from a risk score. Evidence items and their points
(:class:`SuspicionCriteria`, all configurable and printed in the statement):

- a listing on the US DOL List of Goods Produced by Child Labor for the
  supplier's country and commodity, counted only at a stage where that good
  is produced or worked (stage relevance ≥ ``dol_min_relevance``; a trader
  or refiner of a listed good is not its producer);
- region evidence: the share of children aged 5-17 in child labour in the
  supplier's country (UNICEF, SDG 8.7.1) at or above ``region_prevalence``,
  at a stage where children work (relevance ≥ ``region_min_relevance``); for
  other themes the country score at or above ``region_score``;
- an audit finding (actors column ``child_labour_audit_finding`` = yes) or
  grievances (``child_labour_grievances`` > 0), where the company has them.

A supplier whose points reach ``threshold`` (default 1: any one item) is a
reasonable suspicion and gets a plan-of-action row: the path that carries
its material, the leverage point (the intermediary through which most
suspected material passes), a proposed step with its guidance reference
(ILO-IOE Child Labour Guidance Tool; OECD Due Diligence Guidance for RBC,
Step 3; the sector guidance), owner, due date and status.
"""
from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pandas as pd

from riskgraph import _vocabulary
from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.formatting import Phrase, format_cell, format_number, frame_with_phrases, header_label, phrase
from riskgraph.output import excel_writer
from riskgraph.graph import share_graph
from riskgraph.chain.model import chain_start_stages
from riskgraph.regulation.common import article, rules

TEXT_RELIED_ON = "Wet zorgplicht kinderarbeid, Wet van 24 oktober 2019, Stb. 2019, 401"
#: The Act's status in each language (``statement.status_text`` of ``datasets/vocabulary/phrases.csv``).
STATUS = {lang: texts["status_text"] for lang, texts in _vocabulary.texts("statement.").items()}
PLAN_COLUMNS = ["suspicion", "supplier", "name", "country", "stage", "commodity", "evidence", "points", "severity",
                "weight", "path", "leverage", "direct_supplier", "proposed_step", "guidance", "owner", "due_date",
                "status"]
EVIDENCE_COLUMNS = ["supplier", "name", "sector", "stage", "country", "commodity", "relevance", "dol", "region",
                    "audit", "grievances", "points", "suspicion", "evidence", "rules", "weight"]
#: Columns holding sentences (:class:`riskgraph.formatting.Phrase`) that the statement says in its language.
PHRASE_COLUMNS = ["dol", "region", "audit", "evidence"]
#: How the statement's numbers read (the other columns are text).
NUMBER_KINDS = {"weight": "share", "relevance": "likelihood", "points": "plain", "severity": "plain",
                "grievances": "plain", "actors": "count", "contribution": "exposure"}
#: The choices of a plan row's status (the first is every new row's).
STATUS_CHOICES = ("open", "in progress", "done", "not applicable")
#: Sector guidance for the plan of action, on top of the ILO-IOE tool and the OECD RBC guidance.
SECTOR_GUIDANCE = {
    "gold": "OECD Due Diligence Guidance for Responsible Supply Chains of Minerals from Conflict-Affected and "
            "High-Risk Areas (3rd ed. 2016), Step 3",
    "food": "OECD-FAO Guidance for Responsible Agricultural Supply Chains (2016)",
    "textiles": "OECD Due Diligence Guidance for Responsible Supply Chains in the Garment and Footwear Sector (2017)",
}
GENERAL_GUIDANCE = ("ILO-IOE Child Labour Guidance Tool for Business (2015); OECD Due Diligence Guidance for "
                    "Responsible Business Conduct (2018), Step 3")


@dataclass(frozen=True)
class SuspicionCriteria:
    """Evidence points and the threshold of a reasonable suspicion (module docstring; rule ``WZK-THRESHOLD``)."""

    threshold: float = 1.0
    dol_points: float = 1.0
    dol_min_relevance: float = 0.3
    region_points: float = 1.0
    region_prevalence: float = 10.0
    region_score: float = 0.5
    region_min_relevance: float = 0.5
    audit_points: float = 1.0
    grievance_points: float = 1.0

    def describe(self, lang: str = "en") -> str:
        """The criteria in words (rule ``WZK-THRESHOLD``), printed in every statement."""
        return self._describe(lang) + f" (WZK-THRESHOLD, {article('child_labour', 'WZK-THRESHOLD')})"

    def _describe(self, lang: str) -> str:
        return phrase("statement.criteria_text", lang, threshold=self.threshold, dol_min=self.dol_min_relevance,
                      dol_points=self.dol_points, prevalence=self.region_prevalence,
                      region_min=self.region_min_relevance, region_points=self.region_points,
                      audit_points=self.audit_points, grievance_points=self.grievance_points)


@lru_cache(maxsize=None)
def action_steps() -> pd.DataFrame:
    """Proposed steps per theme and position on the path (origin, intermediary, direct)."""
    return pd.read_csv(dataset_path("reference", "action_steps.csv"))


@lru_cache(maxsize=None)
def _child_labour_prevalence() -> dict[str, float]:
    table = pd.read_csv(dataset_path("reference", "raw", "indicators", "child_labour_unicef_sowc2023.csv"),
                        keep_default_na=False, na_values=[""])
    return dict(zip(table["iso2"], pd.to_numeric(table["value"], errors="coerce")))


@lru_cache(maxsize=None)
def _dol_listings(theme: str) -> dict[tuple[str, str], str]:
    from riskgraph.risk.reference import commodity_evidence

    table = commodity_evidence()
    table = table[(table["theme"] == theme) & table["source"].str.contains("US DOL", na=False)]
    return {(i, c): e for i, c, e in zip(table["iso2"], table["commodity"], table["evidence"])}


@dataclass
class Statement:
    """A due-diligence statement draft for one node and theme.

    ``declaration`` (Art. 4) and the investigation (Art. 5: ``matrix``,
    ``evidence``, ``suspicions``) and ``plan`` (Art. 5) are separate parts.
    """

    node: str
    name: str
    theme: str
    matrix: pd.DataFrame
    shares: pd.DataFrame
    evidence: pd.DataFrame
    suspicions: pd.DataFrame
    plan: pd.DataFrame
    sources: pd.DataFrame
    unknown_share: float
    criteria: SuspicionCriteria
    declaration: dict = field(default_factory=dict)
    status: str = STATUS["en"]
    text_relied_on: str = TEXT_RELIED_ON
    rules: pd.DataFrame = field(default_factory=lambda: rules("child_labour"))

    @property
    def threshold(self) -> float:
        return self.criteria.threshold


def _flag(value) -> bool:
    return str(value).strip().lower() in ("yes", "true", "1", "x", "y") if value is not None and value == value \
        else False


def _relevance(chain, theme: str) -> dict[tuple[str, str], float]:
    from riskgraph.risk.reference import stage_relevance

    table = stage_relevance()
    table = table[table["theme"] == theme]
    out = {(s, st): float(w) for s, st, w in zip(table["sector"], table["stage"], table["weight"])}
    own = getattr(chain, "relevance", None)
    if own is not None and len(own):
        own = own[own["theme"] == theme]
        out.update({(s, st): float(w) for s, st, w in zip(own["sector"], own["stage"], own["weight"])})
    return out


def supplier_evidence(chain, node: str, weights: pd.Series, *, theme: str = "child_labour",
                      criteria: SuspicionCriteria = SuspicionCriteria()) -> pd.DataFrame:
    """The evidence for each upstream supplier of ``node`` and whether it makes a reasonable suspicion.

    Returns ``EVIDENCE_COLUMNS``: one row per actor upstream of ``node``
    (weight > 0), with ``dol``, ``region``, ``audit`` and ``grievances`` as the
    text of the evidence found (empty where none), ``points`` and
    ``suspicion`` (points ≥ threshold).
    """
    from riskgraph.risk.reference import commodity_groups, commodity_key, country_scores

    actors = chain.actors.set_index("id")
    relevance = _relevance(chain, theme)
    dol = _dol_listings(theme)
    groups = commodity_groups()
    prevalence = _child_labour_prevalence()
    scores = country_scores()
    scores = dict(zip(scores.loc[scores["theme"] == theme, "iso2"], scores.loc[scores["theme"] == theme, "score"]))
    rows = []
    for actor, weight in weights.items():
        if actor == node or weight <= 0:
            continue
        me = actors.loc[actor]
        country = me["country"] if isinstance(me["country"], str) else None
        key = commodity_key(me["commodity"])
        weight_stage = relevance.get((me["sector"], me["stage"]), 0.0)
        points, items = 0.0, []
        listed = dol.get((country, key)) or dol.get((country, groups.get(key))) if key else None
        dol_text = ""
        if listed and weight_stage >= criteria.dol_min_relevance:
            points += criteria.dol_points
            dol_text = listed
            items.append("DOL")
        elif listed:
            dol_text = Phrase("statement.dol_not_counted", stage=me["stage"], relevance=weight_stage)
        region_text = ""
        if theme == "child_labour":
            share = prevalence.get(country)
            if share == share and share is not None and share >= criteria.region_prevalence:
                region_text = Phrase("statement.region", share=float(share), country=country)
                if weight_stage >= criteria.region_min_relevance:
                    points += criteria.region_points
                    items.append("region")
                else:
                    region_text = Phrase("statement.region_not_counted", region=region_text, stage=me["stage"])
        else:
            score = scores.get(country)
            if score is not None and score >= criteria.region_score:
                region_text = Phrase("statement.country_score", score=float(score), theme=theme)
                if weight_stage >= criteria.region_min_relevance:
                    points += criteria.region_points
                    items.append("region")
        audit = _flag(me.get(f"{theme}_audit_finding")) if f"{theme}_audit_finding" in actors.columns else False
        if audit:
            points += criteria.audit_points
            items.append("audit")
        grievances = pd.to_numeric(me.get(f"{theme}_grievances"), errors="coerce") \
            if f"{theme}_grievances" in actors.columns else float("nan")
        if grievances == grievances and grievances > 0:
            points += criteria.grievance_points
            items.append("grievance")
        rule_ids = {"DOL": "WZK-SUSPICION-DOL", "region": "WZK-SUSPICION-REGION", "audit": "WZK-SUSPICION-AUDIT",
                    "grievance": "WZK-SUSPICION-AUDIT"}
        rows.append({
            "rules": "; ".join(dict.fromkeys(rule_ids[i] for i in items)),
            "supplier": actor, "name": me["name"], "sector": me["sector"], "stage": me["stage"], "country": country,
            "commodity": me["commodity"], "relevance": weight_stage, "dol": dol_text, "region": region_text,
            "audit": Phrase("statement.audit_finding") if audit else "",
            "grievances": int(grievances) if grievances == grievances else 0,
            "points": points, "suspicion": points >= criteria.threshold,
            "evidence": Phrase("statement.evidence_items", items=items) if items else "",
            "weight": float(weight),
        })
    frame = frame_with_phrases(rows, EVIDENCE_COLUMNS, PHRASE_COLUMNS)
    return frame.sort_values(["points", "weight", "supplier"], ascending=[False, False, True]).reset_index(drop=True)


def child_labour_statement(chain, node: str, *, theme: str = "child_labour", threshold: float | None = None,
                           criteria: SuspicionCriteria | None = None, assessment=None, lang: str = "en",
                           due_in_days: int = 90) -> Statement:
    """Draft the statement of ``node`` for ``theme`` (default child labour).

    Parameters
    ----------
    threshold : float, optional
        Evidence points from which a supplier is a reasonable suspicion
        (overrides ``criteria.threshold``; default 1).
    criteria : SuspicionCriteria, optional
        The evidence points and threshold (module docstring).
    """
    from riskgraph.risk import assess, upstream_weights

    if node not in set(chain.actors["id"]):
        raise InputError(f"actor '{node}' is not in the chain")
    assessment = assessment or assess(chain)
    if theme not in assessment.themes:
        raise InputError(f"theme '{theme}' is not one of {list(assessment.themes)}")
    criteria = criteria or SuspicionCriteria()
    if threshold is not None:
        criteria = SuspicionCriteria(**{**asdict(criteria), "threshold": float(threshold)})
    weights = upstream_weights(chain, nodes=[node])[node]
    evidence = supplier_evidence(chain, node, weights, theme=theme, criteria=criteria)
    chosen = evidence[evidence["suspicion"]]
    actors = chain.actors.set_index("id")
    graph = share_graph(assessment.shares_info)
    starts = chain_start_stages()
    records = []
    for row in chosen.itertuples(index=False):
        path = nx.shortest_path(graph, row.supplier, node, weight="weight")
        records.append({
            "supplier": row.supplier, "name": row.name, "country": row.country, "stage": row.stage,
            "commodity": row.commodity, "evidence": row.evidence, "points": row.points, "weight": row.weight,
            "path": path, "origin": (row.sector, row.stage) in starts, "sector": row.sector,
        })
    suspicions = frame_with_phrases(records, ["supplier", "name", "country", "stage", "commodity", "evidence",
                                              "points", "weight", "path", "origin", "sector"], ["evidence"])
    suspicions["contribution"] = suspicions["weight"] * suspicions["points"]
    suspicions = suspicions.sort_values(["contribution", "supplier"], ascending=[False, True]).reset_index(drop=True)
    # Leverage: the intermediary on the suspicions' paths through which the most suspected material passes.
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
        basis = steps.loc[position, "rationale"] if position in steps.index else GENERAL_GUIDANCE
        guidance = "; ".join(dict.fromkeys(g for g in (basis, SECTOR_GUIDANCE.get(row.sector)) if g))
        plan.append({
            "suspicion": number, "supplier": row.supplier, "name": row.name, "country": row.country,
            "stage": row.stage, "commodity": row.commodity, "evidence": row.evidence, "points": row.points,
            "severity": severity, "weight": row.weight, "path": " → ".join(row.path), "leverage": leverage,
            "direct_supplier": row.path[-2], "proposed_step": step, "guidance": guidance, "owner": "",
            "due_date": due, "status": "open",
        })
    upstream_locations = assessment.cells(nodes=[node], themes=[theme])[["stage", "country"]].drop_duplicates()
    provenance = assessment.actor_risk[assessment.actor_risk["theme"] == theme].set_index("actor")
    used = provenance.join(actors[["stage", "country"]]).merge(upstream_locations, on=["stage", "country"])
    sources = (used.groupby(["source", "basis"]).size().rename("actors").reset_index()
               .sort_values("actors", ascending=False).reset_index(drop=True))
    name = str(actors.loc[node, "name"])
    declaration = {
        "article": article("child_labour", "WZK-DECLARATION"), "company": name, "node": node,
        "text": TEXT["en"]["declaration_text"].format(company=name), "text_nl": TEXT["nl"]["declaration_text"]
        .format(company=name),
    }
    return Statement(
        node=node, name=name, theme=theme, matrix=assessment.matrix(node, theme), shares=assessment.shares(node),
        evidence=evidence, suspicions=suspicions, plan=frame_with_phrases(plan, PLAN_COLUMNS, ["evidence"]),
        sources=sources,
        unknown_share=float(assessment.unknown_share[node]), criteria=criteria, declaration=declaration,
        status=STATUS.get(lang, STATUS["en"]),
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


#: The statement's texts by language: the ``statement.*`` phrases of ``datasets/vocabulary/phrases.csv``.
TEXT = _vocabulary.texts("statement.")
#: Each part of the statement and the rule (with its article) it answers to.
PARTS = {"status": "WZK-STATUS", "declaration": "WZK-DECLARATION", "investigation": "WZK-INVESTIGATION",
         "plan": "WZK-PLAN-OF-ACTION", "references": "WZK-GUIDANCE-ILO-IOE"}


def heading(part: str, lang: str) -> str:
    """A part's heading with the article it rests on, e.g. ``Declaration (Art. 4)``."""
    label = TEXT[lang][part]
    cited = article("child_labour", PARTS[part])
    if part == "references":
        cited = f"{cited}; {article('child_labour', 'WZK-GUIDANCE-OECD')}"
    elif part == "status":
        return label
    return f"{label} ({cited if lang == 'en' else cited.replace('Art.', 'art.')})"


REFERENCES = [
    "Wet zorgplicht kinderarbeid, Stb. 2019, 401 — Art. 4 (verklaring / declaration), Art. 5 (onderzoek en plan van "
    "aanpak / investigation and plan of action)",
    "ILO-IOE Child Labour Guidance Tool for Business: How to do business with respect for children's right to be free "
    "from child labour (ILO and IOE, 2015), ISBN 978-92-2-130368-8",
    "OECD Due Diligence Guidance for Responsible Business Conduct (2018): Step 2 (identify and assess adverse "
    "impacts), Step 3 (cease, prevent or mitigate them)",
    "US DOL ILAB, List of Goods Produced by Child Labor or Forced Labor (TVPRA List), 2022 edition",
    "UNICEF, The State of the World's Children 2023: child labour, % of children aged 5-17",
]


def _shown(frame: pd.DataFrame, lang: str, *, as_text: bool) -> pd.DataFrame:
    """A table as the statement shows it in ``lang``: headers, stages, commodities, sentences and yes/no said.

    ``as_text`` also writes the numbers as text by kind (``0.03%``; HTML); a
    workbook keeps them as numbers to compute with.
    """
    columns = {}
    for column in frame.columns:
        kind = NUMBER_KINDS.get(column, "text")
        values = []
        for value in frame[column].tolist():
            number = isinstance(value, (int, float)) and not isinstance(value, bool) or \
                type(value).__module__ == "numpy" and "bool" not in type(value).__name__
            values.append(value if number and not as_text else
                          format_cell(value, kind if number else "text", str(column), lang))
        columns[header_label(column, lang)] = values
    shown = pd.DataFrame(columns, index=frame.index)
    return shown.astype(object) if as_text else shown


def _write_xlsx(statement: Statement, path: Path, lang: str) -> Path:
    from riskgraph.formatting import term_label
    from riskgraph.report import colour_scale, stage_label, theme_label

    text = TEXT[lang]
    with excel_writer(path) as writer:
        book = writer.book
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        title = book.add_format({"bold": True, "font_size": 14})
        plan = statement.plan.assign(status=statement.plan["status"].map(lambda s: term_label("status", s, lang)))
        _shown(plan, lang, as_text=False).to_excel(writer, sheet_name=text["plan"][:31], index=False, startrow=3)
        sheet = writer.sheets[text["plan"][:31]]
        sheet.write(0, 0, f"{heading('plan', lang)} — {theme_label(statement.theme, lang)} — {statement.name} ({statement.node})",
                    title)
        sheet.write(1, 0, STATUS[lang], wrap)
        sheet.set_column(0, len(PLAN_COLUMNS), 16)
        for wide in ("path", "proposed_step", "guidance"):
            sheet.set_column(PLAN_COLUMNS.index(wide), PLAN_COLUMNS.index(wide), 50, wrap)
        if len(statement.plan):
            column = PLAN_COLUMNS.index("status")
            sheet.data_validation(4, column, 3 + len(statement.plan), column,
                                  {"validate": "list", "source": [term_label("status", s, lang) for s in STATUS_CHOICES]})
        declaration = pd.DataFrame({"": [heading("declaration", lang), statement.declaration.get(
            "text_nl" if lang == "nl" else "text", ""), text["sign"], text["status"], STATUS[lang], text["relied"],
            statement.text_relied_on]})
        declaration.to_excel(writer, sheet_name=text["declaration"][:31], index=False, header=False)
        writer.sheets[text["declaration"][:31]].set_column(0, 0, 120, wrap)
        matrix = statement.matrix.copy()
        matrix.index = [stage_label(s, lang) for s in matrix.index]
        matrix.index.name = header_label(statement.matrix.index.name or "stage", lang)
        matrix.to_excel(writer, sheet_name=text["investigated"][:31], startrow=2)
        matrix_sheet = writer.sheets[text["investigated"][:31]]
        matrix_sheet.write(0, 0, text["intro"], wrap)
        if len(statement.matrix) and len(statement.matrix.columns):
            matrix_sheet.conditional_format(3, 1, 2 + len(statement.matrix), len(statement.matrix.columns), colour_scale())
        evidence_sheet = text["evidence"][:31]
        _shown(statement.evidence, lang, as_text=False).to_excel(writer, sheet_name=evidence_sheet, index=False,
                                                                startrow=2)
        writer.sheets[evidence_sheet].write(0, 0, statement.criteria.describe(lang), wrap)
        _shown(statement.suspicions.assign(path=statement.suspicions["path"].map(" → ".join)), lang,
               as_text=False).to_excel(writer, sheet_name=text["suspicions"][:31], index=False)
        _shown(statement.sources, lang, as_text=False).to_excel(writer, sheet_name=text["sources"][:31], index=False)
        pd.DataFrame({text["references"]: REFERENCES}).to_excel(writer, sheet_name=text["references"][:31],
                                                                 index=False)
        _shown(statement.rules, lang, as_text=False).to_excel(writer, sheet_name=text["rules"][:31], index=False)
    return path


def _write_html(statement: Statement, path: Path, lang: str) -> Path:
    from html import escape

    from riskgraph import __version__
    from riskgraph.report import heat_colour, stage_label, theme_label

    text = TEXT[lang]

    def table(frame: pd.DataFrame, heat: bool = False) -> str:
        names = ([header_label(frame.index.name or "", lang)] if heat else []) + [
            header_label(c, lang) for c in frame.columns]
        head = "".join(f"<th>{escape(str(c))}</th>" for c in names)
        said = frame if heat else _shown(frame, lang, as_text=True)
        rows = []
        for (index, values), shown in zip(frame.iterrows(), said.itertuples(index=False)):
            cells = [f"<th>{escape(stage_label(index, lang))}</th>"] if heat else []
            for (column, value), text_value in zip(values.items(), shown):
                if heat:
                    cells.append(f'<td style="background:{heat_colour(value)};text-align:right">'
                                 f"{escape(format_number(value, 'likelihood', lang))}</td>")
                elif column == "path":  # ids stay whole; the path breaks only between them
                    ids = [f'<span class="id">{escape(part)}</span>' for part in str(value).split(" → ")]
                    cells.append(f'<td class="path">{" → ".join(ids)}</td>')
                elif column in ("supplier", "direct_supplier", "leverage", "actor"):
                    cells.append(f'<td class="id">{escape(str(value))}</td>')
                else:
                    cells.append(f"<td>{escape(str(text_value))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    suspicions = statement.suspicions.assign(path=statement.suspicions["path"].map(" → ".join)).drop(
        columns=["origin", "sector", "contribution"])
    plan = statement.plan.drop(columns=["weight"])
    body = [
        f"<h1>{escape(text['title'])}: {escape(theme_label(statement.theme, lang))}</h1>",
        f"<p>{escape(statement.name)} ({escape(statement.node)}) · {datetime.date.today().isoformat()} · riskgraph {__version__}</p>",
        f"<section class=status><h2>{escape(heading('status', lang))}</h2><p>{escape(STATUS[lang])}</p>"
        f"<p>{escape(text['relied'])}: {escape(statement.text_relied_on)}</p></section>",
        f"<section><h2>{escape(heading('declaration', lang))}</h2>"
        f"<p>{escape(statement.declaration.get('text_nl' if lang == 'nl' else 'text', ''))}</p>"
        f"<p><b>{escape(text['sign'])}</b> ____________________</p></section>",
        f"<h2>{escape(heading('investigation', lang))}</h2><p>{escape(text['intro'])}</p>",
        f"<h3>{escape(text['investigated'])}</h3>", table(statement.matrix, heat=True),
        f"<p>{escape(phrase('statement.unknown', lang, share=statement.unknown_share))}</p>",
        f"<h3>{escape(text['criteria'])}</h3><p>{escape(statement.criteria.describe(lang))}</p>",
        f"<h3>{escape(text['evidence'])}</h3>",
        table(statement.evidence[statement.evidence["points"] > 0].drop(columns=["sector"]))
        if (statement.evidence["points"] > 0).any() else f"<p>{escape(text['none'])}</p>",
        f"<h3>{escape(text['suspicions'])} ({len(statement.suspicions)})</h3>",
        table(suspicions) if len(suspicions) else f"<p>{escape(text['none'])}</p>",
        f"<h2>{escape(heading('plan', lang))}</h2>", table(plan) if len(plan) else f"<p>{escape(text['none'])}</p>",
        f"<h2>{escape(text['sources'])}</h2>", table(statement.sources),
        f"<h2>{escape(heading('references', lang))}</h2><ul>" + "".join(f"<li>{escape(r)}</li>" for r in REFERENCES) + "</ul>",
        f"<h2>{escape(text['rules'])}</h2>", table(statement.rules[["rule_id", "article", "summary", "source"]]),
    ]
    style = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:1300px}table{border-collapse:collapse;"
             "font-size:.85rem;margin:.5rem 0 1rem}th,td{border:1px solid #d9e2ec;padding:.2rem .4rem;vertical-align:top}"
             "th{background:#f0f4f8}.status{border-left:4px solid #d64545;padding-left:1rem;background:#fff5f5}"
             "td.path{min-width:24rem}.id{white-space:nowrap}")
    path.write_text(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(text["title"])}'
                    f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>", encoding="utf-8")
    return path


__all__ = ["STATUS", "Statement", "SuspicionCriteria", "TEXT_RELIED_ON", "child_labour_statement",
           "supplier_evidence", "write_statement"]
