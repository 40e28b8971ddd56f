"""Labels of themes, stages and report texts in English and Dutch (from the vocabularies).

Stage, theme and commodity words come from ``datasets/vocabulary/`` through
:mod:`riskgraph._vocabulary`, the same words every command prints.
"""
from __future__ import annotations

from riskgraph import _vocabulary
from riskgraph.errors import InputError


#: Labels of the matrix workbooks by language: the ``matrix.*`` phrases of ``datasets/vocabulary/phrases.csv``.
LABELS = _vocabulary.texts("matrix.")


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
