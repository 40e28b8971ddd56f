"""The stage and theme vocabularies read without pandas: names, chain order and English/Dutch labels.

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

    Stages not in the vocabulary (a sector file may add some) keep their name.

    >>> stage_label("mine_asm", "nl")
    'kleinschalige mijn'
    """
    rows = [r for r in stage_rows() if r["stage"] == stage]
    chosen = [r for r in rows if r["sector"] == sector] or rows
    return chosen[0][f"label_{lang}"] if chosen else stage


def theme_label(theme: str, lang: str = "en") -> str:
    """A theme's label in ``lang`` (lower case, as in a sentence); unknown themes keep their name."""
    for row in theme_rows():
        if row["theme"] == theme:
            return row[f"label_{lang}"]
    return theme
