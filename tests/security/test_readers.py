"""Bounded readers: every hostile file ends in one line on stderr, exit 1 or 2, no traceback, little memory.

Each probe runs the real command line in a subprocess, so that a reader that
tries to allocate the far corner of a sheet shows up as memory (peak RSS of
the child, from ``resource.getrusage``) rather than as a slow test.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from riskgraph.chain.io import read_chain
from riskgraph.chain.limits import ReadLimits, check_workbook, sheet_extent, use_limits
from riskgraph.errors import InputError

from . import probes

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 500

# Peak memory of the child itself: VmHWM starts afresh at exec, while ru_maxrss keeps the
# high-water mark of the forked test process on Linux.
_RUNNER = textwrap.dedent("""
    import re, sys
    from riskgraph.cli import main
    try:
        main(sys.argv[1:])
    finally:
        status = open("/proc/self/status").read()
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024
        sys.stderr.write(f"\\n@peak_mb={peak}\\n")
""")


def run_cli(*args, limit_mb: int = 2000):
    """Run ``riskgraph ARGS`` in a child with an address-space ceiling; return (exit code, stderr lines, peak MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def ceiling():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run([sys.executable, "-c", _RUNNER, *map(str, args)], capture_output=True, text=True,
                          env=env, preexec_fn=ceiling, timeout=300, cwd=ROOT)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    peak = int(lines[-1].split("=")[1]) if lines and lines[-1].startswith("@peak_mb=") else -1
    return done.returncode, [l for l in lines if not l.startswith("@peak_mb=")], peak


def assert_one_line_error(code, lines, peak, *, mentions: str):
    assert code in (1, 2), (code, lines)
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, lines
    assert mentions in errors[0], errors[0]
    assert 0 < peak < MEMORY_LIMIT_MB, f"peak memory {peak} MB"


# --------------------------------------------------------------------------- the acceptance probes


@pytest.mark.slow
def test_far_cell_workbook_is_refused_in_one_line_with_little_memory(tmp_path):
    far = probes.far_cell_workbook(tmp_path / "far.xlsx")
    assert far.stat().st_size < 50_000
    code, lines, peak = run_cli("validate", far)
    assert_one_line_error(code, lines, peak, mentions="max_cells".upper())


@pytest.mark.slow
def test_far_cell_workbook_through_import_suppliers(tmp_path):
    far = probes.far_cell_workbook(tmp_path / "far.xlsx")
    code, lines, peak = run_cli("import", "suppliers", far, "--sector", "gold", "--out", tmp_path / "out")
    assert_one_line_error(code, lines, peak, mentions="cells")


@pytest.mark.slow
def test_million_column_csv_is_refused_in_one_line_with_little_memory(tmp_path):
    folder = probes.wide_csv_chain(tmp_path / "wide")
    code, lines, peak = run_cli("validate", folder)
    assert_one_line_error(code, lines, peak, mentions="RISKGRAPH_MAX_")


def test_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb = probes.zip_bomb_workbook(tmp_path / "bomb.xlsx", megabytes=20)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(InputError, match="compression ratio"):
        read_chain(bomb)


def test_truncated_workbook_is_one_line(tmp_path):
    with pytest.raises(InputError, match="not a complete zip archive"):
        read_chain(probes.truncated_workbook(tmp_path / "cut.xlsx"))


def test_binary_garbage_is_one_line(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    (folder / "actors.csv").write_bytes(bytes(range(256)) * 64)
    with pytest.raises(InputError, match="binary data"):
        read_chain(folder)


def test_header_naming_a_column_twice_is_one_line(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    (folder / "actors.csv").write_text("id,id,name,stage,country,sector\na,b,A,mine_asm,UG,gold\n", encoding="utf-8")
    with pytest.raises(InputError, match="'id' twice"):
        read_chain(folder)


def test_a_128_kb_header_is_one_line(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    (folder / "actors.csv").write_text("id," + "x" * (128 * 1024) + "\na,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="header line length"):
        read_chain(folder)


def test_cr_only_line_ends_read_like_any_other(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    for name in ("actors.csv", "flows.csv"):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(text.replace("\n", "\r").encode("utf-8"))
    chain = read_chain(folder)
    assert chain.report.ok and len(chain.actors) == 5 and len(chain.flows) == 4


def test_geojson_nested_5000_deep_is_one_line(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    probes.nested_geojson(folder / "plots.geojson")
    with pytest.raises(InputError, match="nest"):
        read_chain(folder)
    code, lines, peak = run_cli("validate", folder)
    assert_one_line_error(code, lines, peak, mentions="plots.geojson")


def test_geojson_with_too_many_vertices_is_one_line(tmp_path):
    folder = probes.chain_folder(tmp_path / "c")
    ring = ", ".join(f"[{i * 1e-5:.5f}, 0.0]" for i in range(2000))
    (folder / "plots.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"plot_id": "p"}, '
        '"geometry": {"type": "LineString", "coordinates": [' + ring + ']}}]}', encoding="utf-8")
    with use_limits(max_vertices=1000), pytest.raises(InputError, match="vertices"):
        read_chain(folder)


# --------------------------------------------------------------------------- the limits themselves


def test_sheet_extent_sees_the_farthest_cell_even_when_the_dimension_lies(tmp_path):
    import zipfile

    far = probes.far_cell_workbook(tmp_path / "far.xlsx")
    with zipfile.ZipFile(far) as book:
        assert sheet_extent(book, "xl/worksheets/sheet1.xml") == (1048576, 16384)
    liar = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(far) as source, zipfile.ZipFile(liar, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, data.replace(b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1"/>'))
    with pytest.raises(InputError, match="1,048,576 rows × 16,384 columns"):
        check_workbook(liar)


def test_limits_are_configurable_by_environment_and_block(monkeypatch, tmp_path):
    monkeypatch.setenv("RISKGRAPH_MAX_CELLS", "5")
    assert ReadLimits.from_env().max_cells == 5
    folder = probes.chain_folder(tmp_path / "c")
    book = tmp_path / "chain.xlsx"
    from riskgraph.chain.io import write_chain

    write_chain(read_chain(folder), book)
    with pytest.raises(InputError, match="RISKGRAPH_MAX_CELLS"):
        read_chain(book)
    monkeypatch.delenv("RISKGRAPH_MAX_CELLS")
    assert len(read_chain(book).actors) == 5
    with use_limits(max_cells=10), pytest.raises(InputError, match="limit of 10"):
        read_chain(book)


def test_every_reader_error_is_one_line_in_the_command_line(tmp_path):
    cut = probes.truncated_workbook(tmp_path / "cut.xlsx")
    for args in (["validate", cut], ["import", "suppliers", cut, "--sector", "gold", "--out", tmp_path / "o"],
                 ["import", "cmrt", cut, "--out", tmp_path / "c.csv"]):
        code, lines, peak = run_cli(*args)
        assert_one_line_error(code, lines, peak, mentions="cut.xlsx")
