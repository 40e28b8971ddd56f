"""Every commodity key the reference data uses is a canonical commodity of the vocabulary.

``datasets/vocabulary/commodities.csv`` lists the canonical commodity keys (``oil_palm``, ``soya``,
``garments``) with their English and Dutch names. A table or function that is keyed by commodity
must use those keys: a key spelled another way ("oil palm") silently matches nothing. Raw source
copies keep their publisher's wording (the EUDR's "oil palm", the DOL's "Palm Fruit"); for them the
requirement is that the wording resolves to a canonical key.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskgraph.regulation.minerals import transit_hubs
from riskgraph.risk import reference

DATASETS = Path(__file__).resolve().parents[1] / "datasets"
# columns that hold a commodity key wherever they occur in a reference or regulation table
KEY_COLUMNS = {"commodity", "eudr_commodity", "group", "metal", "good"}
# raw copies of a source whose commodity column keeps the publisher's wording
SOURCE_WORDING = {("reference/raw/eudr_commodities.csv", "commodity"), ("reference/raw/dol_tvpra_list.csv", "good"),
                  ("reference/raw/dol_tvpra_2024_additions.csv", "good"),
                  ("reference/raw/dol_tvpra_2024_changes.csv", "good")}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


CANONICAL = set(_read(DATASETS / "vocabulary" / "commodities.csv")["commodity"])


def _keyed_columns():
    for folder in ("reference", "reference/raw", "regulation"):
        for path in sorted((DATASETS / folder).glob("*.csv")):
            name = f"{folder}/{path.name}"
            for column in sorted(set(_read(path).columns) & KEY_COLUMNS):
                yield pytest.param(name, column, id=f"{name}:{column}")


def test_the_vocabulary_keys_are_unique_snake_case():
    table = _read(DATASETS / "vocabulary" / "commodities.csv")
    assert table["commodity"].is_unique
    assert table["commodity"].str.fullmatch(r"[a-z][a-z0-9_]*").all()


@pytest.mark.parametrize("name, column", list(_keyed_columns()))
def test_every_commodity_keyed_table_uses_canonical_keys(name, column):
    values = {v for v in _read(DATASETS / name)[column] if v}
    assert values, f"{name}:{column} is empty"
    if (name, column) in SOURCE_WORDING:
        if name.endswith("dol_tvpra_2024_changes.csv"):  # only the removals are applied; the rest are examples
            table = _read(DATASETS / name)
            values = set(table.loc[table["change"] == "REMOVED", column])
        unresolved = {v for v in values if reference.commodity_key(v) not in CANONICAL}
        assert not unresolved, f"{name}:{column}: wording that resolves to no canonical key: {sorted(unresolved)}"
    else:
        assert values <= CANONICAL, f"{name}:{column}: not canonical: {sorted(values - CANONICAL)}"


@pytest.mark.parametrize("keys", [
    pytest.param(lambda: set(reference.eudr_hs_codes()), id="eudr_hs_codes"),
    pytest.param(lambda: set(reference.eudr_commodities()) | set(reference.eudr_commodities().values()),
                 id="eudr_commodities"),
    pytest.param(lambda: set(reference.commodity_groups()) | set(reference.commodity_groups().values()),
                 id="commodity_groups"),
    pytest.param(lambda: set(reference.commodity_aliases().values()), id="commodity_aliases"),
    pytest.param(lambda: set(reference.commodity_evidence()["commodity"]), id="commodity_evidence"),
    pytest.param(lambda: set(reference.evidence_stages()["good"]), id="evidence_stages"),
    pytest.param(lambda: set(transit_hubs()["metal"]), id="transit_hubs"),
])
def test_every_commodity_keyed_function_returns_canonical_keys(keys):
    found = keys()
    assert found and found <= CANONICAL, sorted(found - CANONICAL)


def test_eudr_hs_codes_are_keyed_like_the_eudr_commodities():
    codes = reference.eudr_hs_codes()
    assert set(codes) == set(reference.eudr_commodities().values())
    assert "oil_palm" in codes and "oil palm" not in codes
    assert "1511" in codes["oil_palm"].split(";")  # palm oil and its fractions, Annex I heading 1511
