"""Benchmark: start-up time of the command line as a ratio to ``python -c "import pandas"``.

Every command pays the start-up; ``riskgraph --help`` and ``--version`` should
cost less than importing pandas (the CLI loads pandas, scipy, scikit-learn and
the database drivers only when a command needs them). Each command runs in a
fresh interpreter, ``--repeats`` times; the best wall time counts (the machine
is shared), and the ratio is taken to the best time of the baseline measured
in the same run.

Run from the repository root::

    python benchmarks/bench_startup.py --repeats 7
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import pandas' (baseline)": [sys.executable, "-c", "import pandas"],
    "riskgraph --version": [sys.executable, "-m", "riskgraph.cli", "--version"],
    "riskgraph --help": [sys.executable, "-m", "riskgraph.cli", "--help"],
    "riskgraph matrix --help": [sys.executable, "-m", "riskgraph.cli", "matrix", "--help"],
    "python -c 'import riskgraph'": [sys.executable, "-c", "import riskgraph"],
}


def best_time(command: list[str], repeats: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times = {name: best_time(command, args.repeats) for name, command in CASES.items()}
    baseline = times["python -c 'import pandas' (baseline)"]
    rows = [{"command": name, "seconds": round(t, 3), "ratio_to_import_pandas": round(t / baseline, 2)}
            for name, t in times.items()]
    print("| command | best of %d, s | × `import pandas` |" % args.repeats)
    print("|---|---:|---:|")
    for row in rows:
        print(f"| `{row['command']}` | {row['seconds']:.3f} | {row['ratio_to_import_pandas']:.2f} |")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
