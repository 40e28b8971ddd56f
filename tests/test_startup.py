"""Start-up: ``riskgraph --help`` and ``--version`` load no pandas, scipy, scikit-learn or database driver."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "scipy", "sklearn", "neo4j", "falkordb", "networkx", "shapely", "jinja2")


def _imported(args: list[str]) -> set[str]:
    """Top-level packages imported by ``python -X importtime -m riskgraph.cli ARGS`` (a fresh interpreter)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "riskgraph.cli", *args], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["matrix", "--help"], ["db", "--help"]])
def test_help_and_version_import_no_heavy_library(args):
    imported = _imported(args)
    assert "riskgraph" in imported  # the measurement saw the package load
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_the_api_still_offers_every_name_on_first_use():
    import riskgraph as rg

    for name in rg.__all__:
        assert getattr(rg, name) is not None
    assert {"read_chain", "assess", "Chain"} <= set(dir(rg))
