"""The bundled reference data of the risk model, loaded as tables.

Everything here is data with sources (``datasets/reference/SOURCES.md``):
country scores per theme, region scores (ISO 3166-2), commodity-specific
evidence (US DOL list, EUDR benchmark, gold transit hubs), commodity aliases,
stage relevance, theme severities and the category thresholds. The risk engine
takes these as defaults; every one can be replaced by passing a table of the
same shape. :func:`reference_profile` answers "why is this country high?": every
score of a country with its raw value, source, year and method.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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


REGION_COLUMNS = ["region", "country", "theme", "score", "raw_value", "source", "year", "method"]


@lru_cache(maxsize=None)
def region_scores() -> pd.DataFrame:
    """Scores for sub-national regions, read in cited sources: one row per region × theme.

    Returns
    -------
    pandas.DataFrame
        ``region``: ISO 3166-2 code (``CN-XJ``, ``CD-NK``, ``BR-PA``);
        ``country``: ISO 3166-1 alpha-2 of the region's country;
        ``theme``: one of the ten risk themes;
        ``score``: likelihood in [0, 1], higher = riskier, on the same scale as
        :func:`country_scores`;
        ``raw_value``: the finding or measured value as read (text);
        ``source``: title and address of the source read, and the raw file;
        ``year``: year or period of the source (text);
        ``method``: ``rule:<name>=<score>`` for a documented finding, or
        ``measured:<scale>;<anchors>`` for a measured value on a country scale.

        A region without a row for a theme has no region score for it: the
        country score applies. How the two combine is the risk engine's choice.

    Examples
    --------
    >>> region_scores().query("region == 'CN-XJ'")[["theme", "score"]].to_dict("records")
    [{'theme': 'forced_labour', 'score': 0.95}]
    """
    table = _read("region_scores.csv").astype({"region": str, "country": str, "theme": str, "year": str,
                                                "raw_value": str, "source": str, "method": str})
    return table[REGION_COLUMNS]


@lru_cache(maxsize=None)
def commodity_evidence() -> pd.DataFrame:
    """``iso2, commodity, theme, floor, source, year, evidence``: evidence that raises a score."""
    return _read("commodity_evidence.csv").astype({"iso2": str, "commodity": str, "theme": str, "year": str})


@lru_cache(maxsize=None)
def evidence_stages() -> pd.DataFrame:
    """``good, sector, stage, source, rationale``: the stages a commodity listing describes.

    The US DOL list names a good (``gold``), not a stage; its findings describe
    where the abuse happens (artisanal mines, cocoa farms, spinning mills).
    Commodity evidence raises the likelihood only at the stages listed here
    for its good; a good with no row here raises it at every stage.
    """
    return _read("evidence_stages.csv").astype(str)


@lru_cache(maxsize=None)
def region_aliases() -> dict[str, str]:
    """Folded region name as users write it → ISO 3166-2 code, where the standard's name differs."""
    table = _read("region_aliases.csv")
    return dict(zip(table["alias"].map(_fold), table["region"]))


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
    """EUDR commodity key → the CN/HS codes of Annex I of Regulation (EU) 2023/1115 (``;``-separated).

    The raw table keeps the Regulation's wording (Art. 2(1): "oil palm"); the keys are the canonical
    commodity keys of ``datasets/vocabulary/commodities.csv`` (``oil_palm``), as everywhere else.

    >>> sorted(eudr_hs_codes())
    ['cattle', 'cocoa', 'coffee', 'oil_palm', 'rubber', 'soya', 'wood']
    """
    table = pd.read_csv(dataset_path("reference", "raw", "eudr_commodities.csv"), keep_default_na=False)
    return dict(zip(table["commodity"].map(commodity_key), table["example_hs_codes"]))


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


PROFILE_COLUMNS = ["level", "place", "theme", "score", "category", "raw_value", "source", "year", "method"]


def reference_profile(country: str, theme: str | None = None, *, commodities: bool = False) -> pd.DataFrame:
    """Every bundled score of one country, with where it comes from.

    Parameters
    ----------
    country : str
        ISO alpha-2 or alpha-3 code or a country name (``"IN"``, ``"India"``).
    theme : str, optional
        Only this theme; default all ten.
    commodities : bool
        Also list the commodity evidence (DOL listings, EUDR benchmark floors,
        gold transit hubs) that can raise the score for particular goods.

    Returns
    -------
    pandas.DataFrame
        ``level`` (``country``, ``region`` or ``commodity:<key>``), ``place``
        (ISO code), ``theme``, ``score`` (for commodity rows the floor),
        ``category``, ``raw_value``, ``source``, ``year``, ``method`` (for
        commodity rows the evidence text). Country rows first in theme order,
        then region rows, then commodity rows.

    Raises
    ------
    InputError
        Unknown country or theme.
    """
    from riskgraph.chain.countries import to_iso2
    from riskgraph.chain.model import THEMES
    from riskgraph.errors import InputError

    iso = to_iso2(country)
    if iso is None:
        raise InputError(f"unknown country {country!r}: give an ISO code or a country name")
    if theme is not None and theme not in THEMES:
        raise InputError(f"unknown theme {theme!r}: one of {', '.join(THEMES)}")
    themes = [theme] if theme else list(THEMES)
    order = {name: i for i, name in enumerate(THEMES)}
    scores = country_scores()
    rows = scores[(scores["iso2"] == iso) & scores["theme"].isin(themes)]
    if rows.empty:
        raise InputError(f"no reference scores for {country!r} ({iso})")
    parts = [rows.assign(level="country", place=iso)]
    regions = region_scores()
    regions = regions[(regions["country"] == iso) & regions["theme"].isin(themes)]
    parts.append(regions.assign(level="region", place=regions["region"]))
    if commodities:
        evidence = commodity_evidence()
        evidence = evidence[(evidence["iso2"] == iso) & evidence["theme"].isin(themes)]
        parts.append(evidence.assign(level="commodity:" + evidence["commodity"], place=iso, score=evidence["floor"],
                                     raw_value="", method=evidence["evidence"]))
    table = pd.concat([p.reindex(columns=PROFILE_COLUMNS + ["_rank"]) for p in parts if len(p)], ignore_index=True)
    table["_rank"] = table["level"].map(lambda v: 0 if v == "country" else 1 if v == "region" else 2)
    table["_theme"] = table["theme"].map(order)
    table = table.sort_values(["_rank", "_theme", "place", "level"], kind="stable")
    table["score"] = table["score"].astype(float)
    table["category"] = table["score"].map(score_category)
    return table[PROFILE_COLUMNS].reset_index(drop=True)


def score_category(score: float) -> str:
    """The category of a score by the bundled thresholds (``low`` … ``very_high``)."""
    thresholds = category_thresholds()
    reached = thresholds[thresholds <= score + 1e-12]
    return str(reached.index[-1]) if len(reached) else str(thresholds.index[0])


@dataclass(frozen=True)
class Reference:
    """The tables the risk model reads; :func:`default_reference` gives the bundled ones."""

    country_scores: pd.DataFrame
    commodity_evidence: pd.DataFrame
    stage_relevance: pd.DataFrame
    severity: pd.Series
    thresholds: pd.Series
    region_scores: pd.DataFrame | None = field(default=None)
    evidence_stages: pd.DataFrame | None = field(default=None)

    def regions(self) -> pd.DataFrame:
        """The region scores in use (the bundled ones when none were given)."""
        return region_scores() if self.region_scores is None else self.region_scores

    def stages_of_evidence(self) -> pd.DataFrame:
        """The good → stage table in use (the bundled one when none was given)."""
        return evidence_stages() if self.evidence_stages is None else self.evidence_stages

    def replace(self, **changes) -> "Reference":
        """A copy with some tables replaced (``reference.replace(region_scores=table)``)."""
        from dataclasses import replace

        return replace(self, **changes)


def default_reference() -> Reference:
    return Reference(
        country_scores=country_scores(),
        commodity_evidence=commodity_evidence(),
        stage_relevance=stage_relevance(),
        severity=theme_severity(),
        thresholds=category_thresholds(),
        region_scores=region_scores(),
        evidence_stages=evidence_stages(),
    )
