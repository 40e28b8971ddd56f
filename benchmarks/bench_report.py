"""Benchmark: the HTML report of large chains — time, memory and file size.

A report must stay readable and openable whatever the chain's size: top-N
tables, an aggregated flow diagram, matrices folded to the countries that
hold material, at most 1 000 map markers per theme. The target: a 100 000-actor
chain's report in under 60 s, under 15 MB.

Chains come from ``riskgraph generate`` (cached in ``benchmarks/out/``). Each
report is written by ``riskgraph report CHAIN --out X.html -q`` in a fresh
process; reported are its wall time, its CPU time (user + system, the fairer
figure on a shared machine), its peak memory (``ru_maxrss`` of the child) and
the file's size. The baseline, run in the same process on the same chain, is
``riskgraph validate`` (reading and validating the chain): the ratio says what
the report costs on top of reading the data.

Run from the repository root::

    python benchmarks/bench_report.py --actors 1000 10000 100000 --sector food
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).parent / "out"


def generated_chain(sector: str, actors: int, seed: int = 0) -> Path:
    """A chain made by ``riskgraph generate``, cached under benchmarks/out/."""
    folder = OUT / f"generated-{sector}-{actors}-seed{seed}"
    if not (folder / "flows.csv").is_file():
        print(f"riskgraph generate --sector {sector} --actors {actors} …", file=sys.stderr)
        _riskgraph(["generate", "--sector", sector, "--actors", str(actors), "--seed", str(seed), "--out",
                    str(folder)])
    return folder


def _riskgraph(args: list[str]) -> dict:
    """Run ``riskgraph ARGS`` in a fresh process: wall and CPU seconds and peak memory (MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    # wait4 gives this child's own rusage (peak memory), not the maximum over all children so far
    process = subprocess.Popen([sys.executable, "-m", "riskgraph.cli", *args], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"riskgraph {' '.join(args)} failed ({code}): {process.stderr.read().decode()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--sector", default="food")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print("| actors | flows | validate: wall s / CPU s | report: wall s / CPU s | × validate (CPU) | peak MB | "
          "HTML MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for actors in args.actors:
        chain = generated_chain(args.sector, actors)
        flows = sum(1 for _ in open(chain / "flows.csv", encoding="utf-8")) - 1
        base = _riskgraph(["validate", str(chain), "--format", "json"])
        html = OUT / f"report-{args.sector}-{actors}.html"
        run = _riskgraph(["report", str(chain), "--out", str(html), "-q"])
        size = html.stat().st_size / 1e6
        print(f"| {actors:,} | {flows:,} | {base['wall']:.1f} / {base['cpu']:.1f} | {run['wall']:.1f} / "
              f"{run['cpu']:.1f} | {run['cpu'] / base['cpu']:.1f} | {run['peak_mb']:,.0f} | {size:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
