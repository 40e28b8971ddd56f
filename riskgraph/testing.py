"""Assertions for tests of chains and matrices, for users' tests and ours."""
from __future__ import annotations

import pandas as pd

from riskgraph.chain.model import TABLES, Chain


def assert_chain_equal(left: Chain, right: Chain, *, check_name: bool = False) -> None:
    """Raise ``AssertionError`` naming the first table that differs between two chains.

    Tables are compared with ``pandas.testing.assert_frame_equal``: values,
    dtypes and column order.
    """
    assert isinstance(left, Chain) and isinstance(right, Chain), "both arguments must be Chain objects"
    for table in TABLES:
        try:
            pd.testing.assert_frame_equal(getattr(left, table), getattr(right, table), check_exact=False, rtol=1e-12)
        except AssertionError as exc:
            raise AssertionError(f"chains differ in table '{table}': {exc}") from None
    if check_name:
        assert left.name == right.name, f"chain names differ: {left.name!r} != {right.name!r}"


def assert_matrix_equal(left: pd.DataFrame, right: pd.DataFrame, *, atol: float = 1e-9) -> None:
    """Raise ``AssertionError`` unless two matrices (stage × country frames) agree within ``atol``.

    Rows and columns are aligned by label first; a label present in one matrix
    only must hold zeros.
    """
    rows = left.index.union(right.index)
    cols = left.columns.union(right.columns)
    a = left.reindex(index=rows, columns=cols, fill_value=0.0).astype(float)
    b = right.reindex(index=rows, columns=cols, fill_value=0.0).astype(float)
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=atol, rtol=0, check_names=False)
