"""What the regulation views share: the rules tables, the EU member states, mass units.

Every rule a regulatory view applies is a row of a data table
(``datasets/regulation/<regulation>_rules.csv``: ``rule_id, article,
severity, summary, check, source``), so that the law each finding rests on
can be read without the code (``riskgraph eudr --rules``) and every finding
carries its rule id and article. :func:`rules` loads a table,
:func:`article` gives the article of a rule id.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError

#: The regulations with a rules table, and the file it is read from.
REGULATIONS = {
    "eudr": "eudr_rules.csv",
    "minerals": "minerals_rules.csv",
    "child_labour": "child_labour_rules.csv",
}
RULE_COLUMNS = ["rule_id", "article", "severity", "summary", "check", "source"]
SEVERITIES = ("blocking", "required", "warning", "info")

#: The EU-27 member states (the Union's customs territory is slightly different at its edges, e.g. Heligoland,
#: Ceuta, Melilla and the French overseas countries and territories; a chain records countries, not those areas).
EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})

#: Units of ``flows.unit`` → kg. ``oz`` and ``ton`` are ambiguous (troy or avoirdupois ounce; short or metric
#: ton) and are left out, with a note, rather than guessed.
UNIT_TO_KG = {
    "kg": 1.0, "kgs": 1.0, "kilogram": 1.0, "kilograms": 1.0, "g": 1e-3, "gram": 1e-3, "grams": 1e-3,
    "t": 1000.0, "tonne": 1000.0, "tonnes": 1000.0, "mt": 1000.0, "metric_ton": 1000.0, "lb": 0.45359237,
    "lbs": 0.45359237, "ozt": 0.0311034768, "toz": 0.0311034768, "troy_oz": 0.0311034768,
    "troy_ounce": 0.0311034768,
}


@lru_cache(maxsize=None)
def _table(regulation: str) -> pd.DataFrame:
    if regulation not in REGULATIONS:
        raise InputError(f"no rules table for {regulation!r}; known: {sorted(REGULATIONS)}")
    table = pd.read_csv(dataset_path("regulation", REGULATIONS[regulation]), dtype=str, keep_default_na=False)
    missing = [c for c in RULE_COLUMNS if c not in table.columns]
    if missing or table["rule_id"].duplicated().any() or not table["severity"].isin(SEVERITIES).all():
        raise InputError(f"the rules table {REGULATIONS[regulation]} is malformed (columns {list(table.columns)})")
    return table[RULE_COLUMNS]


def rules(regulation: str) -> pd.DataFrame:
    """The rules table of ``regulation`` (``eudr``, ``minerals`` or ``child_labour``), one row per rule.

    >>> rules("eudr").set_index("rule_id").loc["EUDR-CUTOFF", "severity"]
    'blocking'
    """
    return _table(regulation).copy()


def article(regulation: str, rule_id: str) -> str:
    """The article a rule rests on, e.g. ``article("eudr", "EUDR-CUTOFF")``.

    Raises
    ------
    KeyError
        For a rule id that is not in the table (a programming error: every rule the code applies is data).
    """
    table = _table(regulation).set_index("rule_id")
    return str(table.loc[rule_id, "article"])


def kg_factor(unit: object) -> float | None:
    """Factor from ``unit`` to kg; 1 for a missing unit (read as kg); ``None`` for a unit that is not a mass.

    >>> kg_factor("t"), kg_factor("g"), kg_factor("pcs"), kg_factor(None)
    (1000.0, 0.001, None, 1.0)
    """
    if unit is None or unit is pd.NA or (isinstance(unit, float) and unit != unit) or not str(unit).strip():
        return 1.0
    return UNIT_TO_KG.get(re.sub(r"[\s.]+", "_", str(unit).strip().lower()).strip("_"))


def digits(code: object) -> str:
    """The digits of a CN/HS code as written (footnote marks such as ``(*1)`` dropped).

    >>> digits("ex 2616 90 00"), digits("1513 21"), digits(None), digits("ex 7108 (*1)")
    ('26169000', '151321', '', '7108')
    """
    if code is None or code is pd.NA or (isinstance(code, float) and code != code):
        return ""
    text = re.sub(r"\(\*?\d*\)", "", str(code))
    return re.sub(r"\D", "", text)


__all__ = ["EU_MEMBER_STATES", "REGULATIONS", "RULE_COLUMNS", "UNIT_TO_KG", "article", "digits", "kg_factor", "rules"]
