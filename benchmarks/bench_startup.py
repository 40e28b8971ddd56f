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


def best_time(command: list[str], repeats: int) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system, from wait4) of ``repeats`` fresh runs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    wall = cpu = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed")
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, usage.ru_utime + usage.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times = {name: best_time(command, args.repeats) for name, command in CASES.items()}
    wall0, cpu0 = times["python -c 'import pandas' (baseline)"]
    rows = [{"command": name, "wall": round(w, 3), "cpu": round(c, 3), "wall_ratio": round(w / wall0, 2),
             "cpu_ratio": round(c / cpu0, 2)} for name, (w, c) in times.items()]
    print(f"| command | wall s (best of {args.repeats}) | × `import pandas` | CPU s | × `import pandas` |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(f"| `{row['command']}` | {row['wall']:.3f} | {row['wall_ratio']:.2f} | {row['cpu']:.3f} | "
              f"{row['cpu_ratio']:.2f} |")
    print(json.dumps(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
