"""Labels of themes, stages and report texts in English and Dutch (from the vocabularies).

Stage, theme and commodity words come from ``datasets/vocabulary/`` through
:mod:`riskgraph._vocabulary`, the same words every command prints.
"""
from __future__ import annotations

from riskgraph import _vocabulary
from riskgraph.errors import InputError


LABELS = {
    "en": {
        "title": "Chain-location risk matrix", "node": "Node", "theme": "Theme", "stage": "Stage",
        "country": "Country", "share": "Share of material", "exposure": "Exposure (share × risk)",
        "summary": "Summary", "sources": "Sources", "shares": "Shares", "peak": "Peak", "peak_actor": "Peak actor",
        "category": "Category", "severity": "Severity", "unknown": "Unknown origin (share)",
        "note": "Cells: Σ over upstream actors at this stage and country of W[u, n] · r_t(u). "
                "Colours: 0 (green) to 1 (red), the same scale on every sheet.",
        "likelihood": "Likelihood", "relevance": "Stage relevance", "basis": "Basis", "source": "Source",
        "year": "Year", "raw_value": "Raw value", "priority": "Priority", "scope": "Scope", "commodity": "Commodity",
        "portfolio": "{n} companies, weighted by input volume",
        "chain_ends": "the chain's {n} most-downstream actors, weighted by input volume",
    },
    "nl": {
        "title": "Ketenlocatie-risicomatrix", "node": "Schakel", "theme": "Thema", "stage": "Ketenstap",
        "country": "Land", "share": "Aandeel materiaal", "exposure": "Blootstelling (aandeel × risico)",
        "summary": "Samenvatting", "sources": "Bronnen", "shares": "Aandelen", "peak": "Piek", "peak_actor": "Piekactor",
        "category": "Categorie", "severity": "Ernst", "unknown": "Onbekende herkomst (aandeel)",
        "note": "Cellen: Σ over actoren stroomopwaarts in deze ketenstap en dit land van W[u, n] · r_t(u). "
                "Kleuren: 0 (groen) tot 1 (rood), op elk blad dezelfde schaal.",
        "likelihood": "Waarschijnlijkheid", "relevance": "Relevantie ketenstap", "basis": "Grondslag",
        "source": "Bron", "year": "Jaar", "raw_value": "Ruwe waarde", "priority": "Prioriteit", "scope": "Reikwijdte",
        "commodity": "Grondstof",
        "portfolio": "{n} bedrijven, gewogen naar inkoopvolume",
        "chain_ends": "de {n} meest stroomafwaartse actoren van de keten, gewogen naar inkoopvolume",
    },
}


def labels(lang: str) -> dict:
    if lang not in LABELS:
        raise InputError(f"language must be one of {sorted(LABELS)}, not {lang!r}")
    return LABELS[lang]


def theme_label(theme: str, lang: str) -> str:
    """A theme's label as a heading: "Child labour" / "Kinderarbeid"."""
    label = _vocabulary.theme_label(theme, lang)
    return label[:1].upper() + label[1:]


def stage_label(stage, lang: str, sector: str | None = None) -> str:
    """A stage's label in ``lang``; the sector's own label when given (food's trader is no gold exporter).

    A ``(commodity, stage)`` row of a multi-commodity matrix reads "cocoa · farm" ("cacao · boerderij").
    """
    if isinstance(stage, tuple):
        commodity, stage = stage
        return f"{_vocabulary.commodity_label(commodity, lang)} · {stage_label(stage, lang, sector)}"
    return _vocabulary.stage_label(stage, lang, sector)
