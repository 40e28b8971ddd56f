"""Locate the data files that ship with riskgraph (datasets/ and cypher/).

In a source checkout or an editable install they sit at the top of the
repository; in a wheel they are packaged as ``riskgraph/_datasets`` and
``riskgraph/_cypher``.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def _root(name: str) -> Path:
    packaged = _PACKAGE / f"_{name}"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def dataset_path(*parts: str) -> Path:
    """Path of a bundled dataset file or folder, e.g. ``dataset_path("gold")``."""
    return _root("datasets").joinpath(*parts)


def cypher_path(*parts: str) -> Path:
    """Path of a bundled Cypher file, e.g. ``cypher_path("load", "actors.cypher")``."""
    return _root("cypher").joinpath(*parts)
