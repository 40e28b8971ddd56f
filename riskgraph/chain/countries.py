"""Country names and codes → ISO 3166-1 alpha-2.

Supplier lists name countries every way people write them: ``NL``, ``NLD``,
``Netherlands``, ``Holland``, ``Nederland``, ``Côte d'Ivoire``, ``CIV``,
``Ivory Coast``, ``Türkiye``, ``CHINA (MAINLAND)``. ``pycountry`` resolves the
ISO codes and names; ``datasets/vocabulary/country_aliases.csv`` adds the
Dutch and colloquial names it does not know, and the spellings of trade,
registry and statistics sources (UN, World Bank, RMI, Trase, US DOL, customs:
``CHINA (HONG KONG)``, ``CONGO DEMOCRATIC REPUBLIC OF THE``, ``Korea, Rep.``,
``The Gambia``). Nothing is guessed fuzzily: a wrong country is worse than an
unknown one, which validation reports.

Some sources *state* that they do not know a country (Trase's
``UNKNOWN COUNTRY``, the RMI list's ``Unknown``). Those spellings are rows of
the alias table with an empty code: :func:`to_iso2` gives ``None`` for them as
for any unknown name, and :func:`is_stated_unknown` tells them apart, so that
validation keeps such actors (their material is carried as unknown origin by
the risk engine) instead of rejecting a misspelt country.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import pycountry

from riskgraph._resources import dataset_path
from riskgraph._text import fold as _fold, map_distinct

#: Codes outside ISO 3166-1 that sources use and riskgraph accepts.
EXTRA_CODES = {"XK": "Kosovo", "XKX": "XK"}


@lru_cache(maxsize=None)
def _alias_table() -> dict[str, str]:
    """Folded alias → alpha-2 code, ``""`` for the spellings that state the country is unknown."""
    table = pd.read_csv(dataset_path("vocabulary", "country_aliases.csv"), dtype=str, keep_default_na=False)
    return {_fold(a): code.strip().upper() for a, code in zip(table["alias"], table["iso2"])}


def _spelling_variants(text: str) -> list[str]:
    """Generic rewrites of a name: ``&`` → ``and``, ``St.`` → ``Saint``, a leading or trailing "the"."""
    variants = []
    folded = _fold(text)
    rewritten = re.sub(r"\s*&\s*", " and ", folded)
    rewritten = re.sub(r"\bst\.?\s+", "saint ", rewritten)
    for candidate in (rewritten, re.sub(r"^the\s+", "", rewritten), re.sub(r",\s*the$", "", rewritten)):
        candidate = " ".join(candidate.split())
        if candidate != folded and candidate not in variants:
            variants.append(candidate)
    return variants


@lru_cache(maxsize=4096)
def is_stated_unknown(value: object) -> bool:
    """True when the text says the country is not known (``UNKNOWN COUNTRY``, ``Unknown``, ``(country not stated)``).

    Such values are not errors in the data: the source tells the truth that it
    does not know. Empty cells are not "stated unknown" — nothing was stated.

    >>> is_stated_unknown("UNKNOWN COUNTRY"), is_stated_unknown("Unknown"), is_stated_unknown("Atlantis")
    (True, True, False)
    >>> is_stated_unknown(""), is_stated_unknown(None)
    (False, False)
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return False
    text = " ".join(str(value).split())
    return bool(text) and _alias_table().get(_fold(text)) == ""


@lru_cache(maxsize=4096)
def to_iso2(value: object) -> str | None:
    """The ISO alpha-2 code for a country code or name, or ``None`` when unknown.

    >>> to_iso2("Holland"), to_iso2("CIV"), to_iso2("Türkiye"), to_iso2("nl")
    ('NL', 'CI', 'TR', 'NL')
    >>> to_iso2("CHINA (HONG KONG)"), to_iso2("Congo, Republic of the"), to_iso2("St. Lucia")
    ('HK', 'CG', 'LC')
    >>> to_iso2("Atlantis") is None, to_iso2("UNKNOWN COUNTRY") is None
    (True, True)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    upper = text.upper()
    if len(text) == 2 and text.isalpha():
        if upper in EXTRA_CODES:
            return upper
        found = pycountry.countries.get(alpha_2=upper)
        return found.alpha_2 if found else None
    if len(text) == 3 and text.isalpha():
        if upper == "XKX":
            return "XK"
        found = pycountry.countries.get(alpha_3=upper)
        if found:
            return found.alpha_2
    folded = _fold(text)
    aliases = _alias_table()
    if folded in aliases:
        return aliases[folded] or None
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    # UN style "Korea (Republic of)", "BOLIVIA (PLURINATIONAL STATE OF)":
    # the qualifier before the name, or after it with a comma.
    qualified = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if qualified:
        name, qualifier = qualified.groups()
        for candidate in (f"{qualifier} {name}", f"{name}, {qualifier}"):
            found = to_iso2(candidate)
            if found:
                return found
    # "Korea, Republic of" is found above; "Republic of Korea" and accent-free
    # spellings of official names are tried on the folded text.
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name and _fold(name) == folded:
                return country.alpha_2
    for variant in _spelling_variants(text):
        found = to_iso2(variant)
        if found:
            return found
    return None


def normalise_countries(values: pd.Series) -> pd.Series:
    """Map a column of country codes/names to alpha-2 (``<NA>`` where unknown).

    Works on the distinct values only, so a million rows with fifty countries
    cost fifty look-ups.
    """

    return map_distinct(values, to_iso2)


def country_name(iso2: str, lang: str = "en") -> str:
    """The ISO short name of an alpha-2 code (the code itself when unknown), in English or Dutch.

    Dutch names are the Debian iso-codes translations of ISO 3166-1 that
    pycountry ships (``CI`` → "Ivoorkust").

    >>> country_name("CI"), country_name("CI", "nl")
    ("Côte d'Ivoire", 'Ivoorkust')
    """
    if iso2 in EXTRA_CODES:
        return EXTRA_CODES[iso2]
    found = pycountry.countries.get(alpha_2=iso2)
    if not found:
        return iso2
    return found.name if lang == "en" else _country_translation(lang).gettext(found.name)


@lru_cache(maxsize=None)
def _country_translation(lang: str):
    import gettext

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
