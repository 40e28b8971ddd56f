"""The bundled reference data of the risk model, loaded as tables.

Everything here is data with sources (``datasets/reference/SOURCES.md``):
country scores per theme, commodity-specific evidence (US DOL list, EUDR
benchmark), commodity aliases, stage relevance, theme severities and the
category thresholds. The risk engine takes these as defaults; every one can
be replaced by passing a table of the same shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph._text import fold as _fold


def _read(name: str) -> pd.DataFrame:
    # keep_default_na=False: "NA" is Namibia.
    return pd.read_csv(dataset_path("reference", name), keep_default_na=False, na_values=[""])


@lru_cache(maxsize=None)
def country_scores() -> pd.DataFrame:
    """``iso2, theme, score, raw_value, source, year, method``: one row per country × theme."""
    return _read("country_scores.csv").astype({"iso2": str, "theme": str, "year": str, "raw_value": str})


@lru_cache(maxsize=None)
def commodity_evidence() -> pd.DataFrame:
    """``iso2, commodity, theme, floor, source, year, evidence``: evidence that raises a score."""
    return _read("commodity_evidence.csv").astype({"iso2": str, "commodity": str, "theme": str, "year": str})


@lru_cache(maxsize=None)
def commodity_aliases() -> dict[str, str]:
    """User wording of a commodity (English, Dutch) → normalised key."""
    table = _read("commodity_aliases.csv")
    return dict(zip(table["alias"].map(_fold), table["commodity"]))


@lru_cache(maxsize=None)
def eudr_benchmark() -> dict[str, str]:
    """ISO alpha-2 → EUDR risk class (``low``, ``standard``, ``high``), Implementing Regulation (EU) 2025/1093.

    Countries the regulation's annex does not list are ``standard`` (Art. 1(2)).
    """
    table = pd.read_csv(dataset_path("reference", "raw", "eudr_country_benchmark.csv"), keep_default_na=False)
    return dict(zip(table["iso2"], table["eudr_risk"]))


@lru_cache(maxsize=None)
def eudr_hs_codes() -> dict[str, str]:
    """EUDR commodity → the CN/HS codes of Annex I of Regulation (EU) 2023/1115 (``;``-separated)."""
    table = pd.read_csv(dataset_path("reference", "raw", "eudr_commodities.csv"), keep_default_na=False)
    return dict(zip(table["commodity"], table["example_hs_codes"]))


@lru_cache(maxsize=None)
def commodity_groups() -> dict[str, str]:
    """Commodity key → the broader good that evidence may name instead (granite → stones)."""
    table = _read("commodity_groups.csv")
    return dict(zip(table["commodity"], table["group"]))


@lru_cache(maxsize=None)
def eudr_commodities() -> dict[str, str]:
    """Normalised commodity key → the EUDR commodity it belongs to (only EUDR ones)."""
    table = _read("commodity_aliases.csv").dropna(subset=["eudr_commodity"])
    return dict(zip(table["commodity"], table["eudr_commodity"]))


@lru_cache(maxsize=None)
def stage_relevance() -> pd.DataFrame:
    """``sector, stage, theme, weight, rationale``: g_t(s) per sector."""
    return _read("stage_relevance.csv")


@lru_cache(maxsize=None)
def theme_severity() -> pd.Series:
    """Severity 1–5 per theme."""
    table = _read("theme_severity.csv")
    return table.set_index("theme")["severity"].astype(float)


@lru_cache(maxsize=None)
def category_thresholds() -> pd.Series:
    """Lower bound of each category, ascending (``low`` 0 … ``very_high``)."""
    table = _read("category_thresholds.csv")
    return table.set_index("category")["min_score"].astype(float).sort_values()


def commodity_key(value: object) -> str | None:
    """A commodity as written → its normalised key (``"Palm oil"`` → ``oil_palm``).

    Unknown commodities keep their own folded, snake-cased spelling, so that
    users' indicator overrides written the same way still match.

    >>> commodity_key("Cacaobonen"), commodity_key("Soy beans"), commodity_key(None)
    ('cocoa', 'soya', None)
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    folded = _fold(str(value))
    if not folded:
        return None
    aliases = commodity_aliases()
    for candidate in (folded, folded.replace("_", " "), re.sub(r"s$", "", folded)):
        if candidate in aliases:
            return aliases[candidate]
    return re.sub(r"[\s\-/]+", "_", folded)


@dataclass(frozen=True)
class Reference:
    """The tables the risk model reads; :func:`default_reference` gives the bundled ones."""

    country_scores: pd.DataFrame
    commodity_evidence: pd.DataFrame
    stage_relevance: pd.DataFrame
    severity: pd.Series
    thresholds: pd.Series


def default_reference() -> Reference:
    return Reference(
        country_scores=country_scores(),
        commodity_evidence=commodity_evidence(),
        stage_relevance=stage_relevance(),
        severity=theme_severity(),
        thresholds=category_thresholds(),
    )
