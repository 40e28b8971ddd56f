"""Helpers shared by the benchmarks: cached synthetic chains, timing, peak memory."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"


def cached_chain(sector: str, actors: int, flows: int, seed: int = 1) -> Path:
    """A generated chain written as CSV under benchmarks/out/, reused across runs."""
    from riskgraph.chain.generate import generate_chain
    from riskgraph.chain.io import write_chain

    folder = OUT / f"{sector}-{actors}-{flows}-seed{seed}"
    if not (folder / "flows.csv").is_file():
        print(f"generating {folder.name} …", file=sys.stderr)
        write_chain(generate_chain(sector, actors, flows=flows, seed=seed), folder)
    return folder


def best_of(repeats: int, fn, *args, **kwargs) -> tuple[float, object]:
    """Best wall time of ``repeats`` runs and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory_of(code: str) -> float:
    """Peak resident memory (MB) of a fresh Python process running ``code``.

    Read from ``VmHWM`` in /proc (per address space), not ``ru_maxrss``, which
    Linux carries over from the parent across ``exec``.
    """
    program = code + (
        "\nimport json, re\n"
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
        "print(json.dumps(int(hwm) / 1024))"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1]))
