"""Small text and column helpers shared by the model, validation and country look-up.

They live apart so that ``chain.model``, ``chain.validate`` and
``chain.countries`` can all use them without importing each other.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

#: The text dtype of every string column: Arrow-backed, ``<NA>`` for missing.
STRING = pd.StringDtype("pyarrow")


def as_text(values: pd.Series) -> pd.Series:
    """A column as :data:`STRING`; numbers become their text, missing stays ``<NA>``."""
    dtype = values.dtype
    if dtype == STRING and getattr(dtype, "na_value", None) is pd.NA and getattr(dtype, "storage", None) == "pyarrow":
        return values
    if isinstance(dtype, pd.StringDtype) or dtype.kind in "fiub":
        return values.astype(STRING)
    obj = values.astype("object")
    obj = obj.where(values.notna(), None)
    if not all(isinstance(v, str) for v in pd.unique(obj.dropna())):
        obj = obj.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return pd.Series(obj, index=values.index, dtype=STRING)


def map_distinct(values: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` to each distinct value of a column, then spread the results (text, ``<NA>`` for None).

    A million rows with fifty distinct countries cost fifty calls.
    """
    import pyarrow as pa

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = pa.array([fn(u) for u in uniques] + [None], type=pa.string())
    codes = np.where(codes < 0, len(uniques), codes)
    spread = mapped.take(pa.array(codes)).to_pandas(types_mapper={pa.string(): STRING}.get)
    return pd.Series(spread.array, index=values.index, dtype=STRING)


def per_distinct(fn, *columns) -> np.ndarray:
    """``fn(*values)`` for each row of the columns, called once per distinct combination (object array).

    The several-column, any-result sibling of :func:`map_distinct` (one column, text results).

    A 100 000-actor chain has a few hundred distinct (country, commodity,
    sector, stage) combinations: a few hundred calls instead of 100 000.
    """
    frame = pd.DataFrame({i: pd.Series(c).astype(object).to_numpy() for i, c in enumerate(columns)})
    if frame.empty:
        return np.empty(0, dtype=object)
    groups = frame.groupby(list(frame.columns), dropna=False, sort=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(frame))).groupby(groups).first()
    results = np.empty(int(groups.max()) + 1, dtype=object)
    values = frame.to_numpy(dtype=object)
    for group, row in zip(first.index, first.to_numpy()):
        results[group] = fn(*values[row])
    return results[groups]


def fold(text: str) -> str:
    """Lower-case, accents removed, typographic apostrophes straightened."""
    text = text.replace("\u2019", "'").replace("`", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()
