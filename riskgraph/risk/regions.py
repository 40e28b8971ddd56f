"""Subnational areas: an actor's ``region`` as written → its ISO 3166-2 code.

Files name regions as people write them (``"Xinjiang, Aksu"``, ``"South Kivu
(Kamituga)"``, ``"Para (Sao Felix do Xingu)"``); region scores are keyed by
ISO 3166-2 (``CN-XJ``, ``CD-SK``, ``BR-PA``). The first part of the text
(before a comma or bracket) is matched against the country's top-level
subdivisions in pycountry (accents and case folded, a name may be a prefix of
the standard's: "Xinjiang" → "Xinjiang Uygur Zizhiqu"), then against
``datasets/reference/region_aliases.csv`` for English names the standard
does not use ("South Kivu" → ``CD-SK``). A code written as such (``CD-NK``)
is taken as it is.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from riskgraph._text import fold

_CODE = re.compile(r"^([A-Z]{2})-[A-Z0-9]{1,3}$")


@lru_cache(maxsize=None)
def _subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    """(folded name, code) of the country's top-level subdivisions."""
    import pycountry

    found = pycountry.subdivisions.get(country_code=country) or []
    return tuple((fold(s.name), s.code) for s in found if getattr(s, "parent_code", None) is None)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@lru_cache(maxsize=65536)
def region_code(country: object, region: object) -> str | None:
    """ISO 3166-2 code of ``region`` in ``country``, or ``None`` when it cannot be told.

    >>> region_code("CN", "Xinjiang, Aksu"), region_code("CD", "South Kivu (Kamituga)"), region_code("BR", "Para")
    ('CN-XJ', 'CD-SK', 'BR-PA')
    >>> region_code("NL", "Amstelveen") is None
    True
    """
    if not isinstance(region, str) or not region.strip() or not isinstance(country, str):
        return None
    text = region.strip()
    code = _CODE.match(text.upper())
    if code:
        return text.upper() if code.group(1) == country else None
    from riskgraph.risk.reference import region_aliases

    first = _words(fold(re.split(r"[,(/;]", text)[0]))
    if not first:
        return None
    alias = region_aliases().get(first)
    if alias and alias.startswith(f"{country}-"):
        return alias
    names = [(_words(name), c) for name, c in _subdivisions(country)]
    for name, c in names:
        if name == first:
            return c
    prefixed = [c for name, c in names if name.startswith(first + " ")]
    return prefixed[0] if len(prefixed) == 1 else None


def region_codes(actors: pd.DataFrame) -> pd.Series:
    """ISO 3166-2 code (or ``None``) of every actor, from its ``country`` and ``region``."""
    if "region" not in actors.columns:
        return pd.Series(None, index=actors.index, dtype=object)
    pairs = pd.MultiIndex.from_arrays([actors["country"].astype(object), actors["region"].astype(object)])
    codes, uniques = pairs.factorize()
    found = np.array([region_code(c if isinstance(c, str) else None, r if isinstance(r, str) else None)
                      for c, r in uniques] + [None], dtype=object)
    return pd.Series(found[codes], index=actors.index, dtype=object)
