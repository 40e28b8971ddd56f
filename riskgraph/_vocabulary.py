"""The vocabularies read without pandas: names, chain order and English/Dutch labels and sentences.

Every word riskgraph shows a reader in English or Dutch is data in
``datasets/vocabulary/``: stages (``stages.csv``), themes (``themes.csv``),
commodities (``commodities.csv``), other terms by kind — column headers,
categories, severities, facts, sectors (``terms.csv``) — and the sentences
with numbers, as templates per language (``phrases.csv``).
:mod:`riskgraph.formatting` says them (numbers as ``1.127,5`` in Dutch).

The command line builds its option choices (sectors, themes) and labels its
output from these; reading them with the ``csv`` module keeps
``riskgraph --help`` from importing pandas. :func:`riskgraph.chain.model.stage_table`
reads the same files as DataFrames for the API.
"""
from __future__ import annotations

import csv
from functools import lru_cache

from riskgraph._resources import dataset_path

LANGUAGES = ("en", "nl")
#: The themes :mod:`riskgraph.hotspots` finds hotspots for (``--theme`` of ``riskgraph hotspots``).
HOTSPOT_THEMES = ("deforestation", "child_labour")


@lru_cache(maxsize=None)
def stage_rows() -> tuple[dict, ...]:
    """Rows of ``datasets/vocabulary/stages.csv``: sector, stage, order, chain_start, label_en, label_nl."""
    with open(dataset_path("vocabulary", "stages.csv"), encoding="utf-8", newline="") as handle:
        return tuple({**row, "order": int(row["order"])} for row in csv.DictReader(handle))


@lru_cache(maxsize=None)
def theme_rows() -> tuple[dict, ...]:
    """Rows of ``datasets/vocabulary/themes.csv``: theme, label_en, label_nl."""
    with open(dataset_path("vocabulary", "themes.csv"), encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def sectors() -> tuple[str, ...]:
    """The sectors in the order of the vocabulary."""
    return tuple(dict.fromkeys(row["sector"] for row in stage_rows()))


def themes() -> tuple[str, ...]:
    """The ten risk themes in the order of the vocabulary."""
    return tuple(row["theme"] for row in theme_rows())


def stages() -> tuple[str, ...]:
    """Every stage name of every sector, in chain order (smallest order over sectors first)."""
    rank = stage_rank()
    return tuple(sorted(rank, key=lambda s: (rank[s], s)))


@lru_cache(maxsize=None)
def stage_rank() -> dict[str, int]:
    """Position of each stage in the downstream direction (the smallest over sectors)."""
    rank: dict[str, int] = {}
    for row in stage_rows():
        rank[row["stage"]] = min(rank.get(row["stage"], row["order"]), row["order"])
    return rank


def stage_label(stage: str, lang: str = "en", sector: str | None = None) -> str:
    """A stage's label in ``lang``; the sector's own label when given (food's trader is no gold exporter).

    Stages not in the vocabulary (a sector file may add some) keep their name. Without a sector, the
    label most sectors give the stage, the plainest on a tie: a food trader shown without its sector
    reads "handelaar", not gold's "handelaar / exporteur".

    >>> stage_label("mine_asm", "nl"), stage_label("trader", "nl"), stage_label("trader", "nl", "gold")
    ('kleinschalige mijn', 'handelaar', 'handelaar / exporteur')
    """
    rows = [r for r in stage_rows() if r["stage"] == stage]
    own = [r[f"label_{lang}"] for r in rows if r["sector"] == sector]
    if own:
        return own[0]
    labels = [r[f"label_{lang}"] for r in rows]
    return min(labels, key=lambda label: (-labels.count(label), len(label), label)) if labels else stage


def theme_label(theme: str, lang: str = "en") -> str:
    """A theme's label in ``lang`` (lower case, as in a sentence); unknown themes keep their name."""
    for row in theme_rows():
        if row["theme"] == theme:
            return row[f"label_{lang}"]
    return theme


def _read(name: str) -> tuple[dict, ...]:
    with open(dataset_path("vocabulary", name), encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@lru_cache(maxsize=None)
def commodity_labels(lang: str = "en") -> dict[str, str]:
    """Commodity key → its name in ``lang`` (``datasets/vocabulary/commodities.csv``)."""
    return {row["commodity"]: row[f"label_{lang}"] for row in _read("commodities.csv")}


def commodity_label(commodity: str, lang: str = "en") -> str:
    """A commodity's name in ``lang``; keys not in the vocabulary keep their name.

    >>> commodity_label("oil_palm", "nl"), commodity_label("unobtainium", "nl")
    ('oliepalm', 'unobtainium')
    """
    return commodity_labels(lang).get(commodity, commodity)


@lru_cache(maxsize=None)
def term_labels(lang: str = "en") -> dict[tuple[str, str], str]:
    """``(kind, term)`` → its label in ``lang`` (``datasets/vocabulary/terms.csv``)."""
    return {(row["kind"], row["term"]): row[f"label_{lang}"] for row in _read("terms.csv")}


def term_label(kind: str, term: str, lang: str = "en") -> str:
    """A term of a kind (``header``, ``category``, ``severity``, ``fact``, …) in ``lang``; unknown terms stay.

    >>> term_label("severity", "warning", "nl"), term_label("header", "peak_stage", "nl")
    ('waarschuwing', 'piek ketenstap')
    """
    return term_labels(lang).get((kind, term), term)


@lru_cache(maxsize=None)
def phrase_templates(lang: str = "en") -> dict[str, str]:
    """Phrase key → its template in ``lang`` (``datasets/vocabulary/phrases.csv``)."""
    return {row["key"]: row[lang] for row in _read("phrases.csv")}


@lru_cache(maxsize=None)
def texts(prefix: str) -> dict[str, dict[str, str]]:
    """``{lang: {name: text}}`` of the phrases whose key starts with ``prefix`` (``report.title`` → ``title``).

    The texts of a report, workbook, statement or map, read as one table
    per language; ``{placeholders}`` are filled with ``str.format`` or
    :func:`riskgraph.formatting.phrase`.
    """
    found: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for row in _read("phrases.csv"):
        if row["key"].startswith(prefix):
            for lang in LANGUAGES:
                found[lang][row["key"][len(prefix):]] = row[lang]
    return found
