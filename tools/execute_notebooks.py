"""Execute the notebooks in notebooks/ and store them with their outputs, so they read on a forge.

A notebook opened on GitHub or GitLab shows what was stored in it: without
outputs, a reader sees code and no tables, maps or figures. This script runs
each notebook top to bottom with nbclient in a fresh ``python3`` kernel (the
working directory at ``notebooks/``, matplotlib on Agg, reports written to
``notebooks/output/``, which git ignores) and writes it back with its
outputs. ``tests/test_notebooks.py`` executes them again and checks that the
stored outputs carry no error and no machine-specific path.

Run from the repository root after changing a notebook or what it shows::

    python tools/execute_notebooks.py            # every notebook
    python tools/execute_notebooks.py 01_gold    # one
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 300


def execute(path: Path) -> float:
    """Run one notebook in place; the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["RISKGRAPH_NOTEBOOK_OUT"] = "output"  # relative to notebooks/: no machine path in the outputs
    os.environ.setdefault("RISKGRAPH_LANG", "en")
    start = time.perf_counter()
    NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    for cell in notebook.cells:  # stable files: no per-run timing metadata
        cell.metadata.pop("execution", None)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names (default: every NN_*.ipynb)")
    args = parser.parse_args()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.names:
        paths = [p for p in paths if p.stem in args.names or p.name in args.names]
    for path in paths:
        seconds = execute(path)
        print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s, {path.stat().st_size / 1e6:.2f} MB",
              file=sys.stderr)


if __name__ == "__main__":
    main()
