"""The README's tour runs top to bottom as written: every `riskgraph` command of its bash blocks, in order.

The commands are read from README.md at test time, so the test follows the README. Each runs in a
subprocess through the installed ``riskgraph`` console script with ``PYTHONPATH`` pointing at this
checkout (how a fresh virtual environment with ``pip install -e .`` runs it; without a console script
on PATH, ``python -m riskgraph.cli``), from a scratch folder where ``datasets/`` is the bundled data.

A command passes when it exits 0, or 1 for findings (the documented meaning), and prints no
traceback; exit 2 means the README shows a usage the program refuses. Files the README's reader
would bring (a member's workbook, an Open Supply Hub export, CMRTs, a Trase download …) are
stand-ins made from the bundled datasets and the test fixtures in the same formats. Commands that
need a server, downloaded raster tiles or minutes of benchmarking are skipped with that reason;
``pip install`` is not run (the checkout is already importable).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.slow

#: Commands not run, by pattern, with the reason.
SKIPS = (
    (r"^python -m pip install", "installs the package; the checkout is used as installed (PYTHONPATH)"),
    (r"^python -m pytest", "the test suite itself"),
    (r"^riskgraph db\b", "needs a Neo4j or FalkorDB server (the store tests start real ones)"),
    (r"^export NEO4J", "credentials of the reader's own Neo4j"),
    (r"^riskgraph forest\b", "needs Hansen GFC / JRC GFC2020 raster tiles the reader downloads (tiles/gfc)"),
    (r"^python benchmarks/", "a benchmark of minutes on a million flows, not a check"),
)
#: File names of the README replaced by a stand-in of another name (the stand-in's format differs).
RENAMES = {
    # writing legacy .xls needs a writer riskgraph does not depend on; the .xlsx has the same brand-list layout
    "factory_list.xls": "factory_list.xlsx",
}


def tour_commands() -> list[str]:
    """Every command of the README's bash blocks, in order: continuations joined, comments dropped, `&&` split."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        text = re.sub(r"\\\n\s*", " ", block)
        for line in text.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.extend(part.strip() for part in line.split("&&") if part.strip())
    return commands


def _riskgraph() -> list[str]:
    script = shutil.which("riskgraph")
    return [script] if script else [sys.executable, "-m", "riskgraph.cli"]


def _skip_reason(command: str) -> str | None:
    return next((reason for pattern, reason in SKIPS if re.search(pattern, command)), None)


# --------------------------------------------------------------------------- stand-ins


def _build_stand_ins(work: Path) -> None:
    """The files the README's reader brings, made from bundled data and fixtures in the same formats."""
    import openpyxl

    import riskgraph as rg

    sys.path.insert(0, str(Path(__file__).parent))
    from test_importers import build_cmrt, smelter_row

    (work / "datasets").symlink_to(ROOT / "datasets", target_is_directory=True)
    food = rg.read_chain(ROOT / "datasets" / "food")
    # last year's and this year's submission of a member: one farm replaced by another
    rg.write_chain(food, work / "submissions" / "2024" / "acme")
    actors, flows = food.actors.copy(), food.flows.copy()
    old = actors.loc[actors["stage"] == "farm", "id"].iloc[0]
    actors.loc[actors["id"] == old, ["id", "name"]] = ["FOD-FRM-NEW-01", "Plantation Nouvelle"]
    flows = flows.replace({"source": {old: "FOD-FRM-NEW-01"}, "target": {old: "FOD-FRM-NEW-01"}})
    plots = food.plots[food.plots["actor_id"] != old]
    rg.write_chain(rg.Chain(actors=actors, flows=flows, plots=plots), work / "submissions" / "2025" / "acme")
    # a supplier's plot file from Côte d'Ivoire
    ivorian = set(food.actors.loc[food.actors["country"] == "CI", "id"])
    from riskgraph.chain.io import write_geojson_plots

    write_geojson_plots(food.plots[food.plots["actor_id"].isin(ivorian)], work / "supplier_plots.geojson")
    # members' own files
    shutil.copy(DATA / "importers" / "osh_facilities.csv", work / "osh_facilities.csv")
    shutil.copy(DATA / "importers" / "rmi_reference.csv", work / "rmi_smelter_list.csv")
    smelters = [smelter_row("CID009002", "Gold", "Kampala Gold Refinery Ltd.", None, "UGANDA", "CID009002"),
                smelter_row(None, "Gold", "Helvetia Refinery", "Helvetia Refinery", "SWITZERLAND", None, source=None)]
    lookup = [("Gold", "Helvetia Refinery", "Helvetia Affinage SA", "SWITZERLAND", "CID009001")]
    for name in ("cmrt_a.xlsx", "cmrt_b.xlsx", "supplier_cmrt.xlsx"):
        build_cmrt(work / name, smelters=smelters, lookup=lookup, used=("No", "No", "Yes", "No"))
    book = openpyxl.Workbook()
    book.active.append(["Manufacturing map export"])  # the title row above the header, as brands publish
    for row in pd.read_csv(DATA / "importers" / "factory_list_oar.csv", dtype=str, keep_default_na=False).itertuples(
            index=False):
        if book.active.max_row == 1:
            book.active.append(["country", "name", "address", "sector", "product_type", "number_of_workers",
                                "parent_company"])
        book.active.append(list(row))
    book.save(work / "factory_list.xlsx")
    shutil.copy(DATA / "trase" / "brazil-sugarcane-v2.2.0-2024-03-01.csv", work / "brazil-sugarcane-v2.2.0.csv")
    shutil.copy(DATA / "trase" / "cote-d-ivoire-cocoa-cooperatives.geojson",
                work / "cote-d-ivoire-cocoa-cooperatives.geojson")
    shutil.copy(DATA / "trase" / "company_disclosure.csv", work / "disclosure.csv")
    members = work / "members"
    from riskgraph.sources import read_supplier_list

    rg.write_chain(read_supplier_list(DATA / "importers" / "factory_list_oar.csv", sector="textiles"),
                   members / "globex")
    rg.write_chain(food, members / "bakker.xlsx")
    rg.write_chain(food, members / "cacao_nl")
    # the conflict-minerals view of one's own chain
    rg.write_chain(rg.read_chain(ROOT / "datasets" / "gold"), work / "my_chain")
    shutil.copy(DATA / "minerals" / "rmi_list.csv", work / "rmi_list.csv")
    shutil.copy(DATA / "minerals" / "conformant.csv", work / "rmap.csv")
    shutil.copy(DATA / "whisp" / "whisp_results_ha.csv", work / "whisp_results.csv")


def _before(command: str, work: Path) -> list[Path]:
    """Files one command needs only while it runs (they would disturb later ones, e.g. `members/*`)."""
    import riskgraph as rg

    made = []
    if "members/acme.xlsx" in command:
        rg.write_chain(rg.read_chain(ROOT / "datasets" / "gold"), work / "members" / "acme.xlsx")
        made.append(work / "members" / "acme.xlsx")
    if "members/acme/plots.geojson" in command and not (work / "members" / "acme" / "plots.geojson").exists():
        shutil.copy(DATA / "whisp" / "whisp_results_percent.geojson", work / "members" / "acme" / "plots.geojson")
        made.append(work / "members" / "acme" / "plots.geojson")
    return made


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    work = tmp_path_factory.mktemp("tour")
    _build_stand_ins(work)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               MPLBACKEND="Agg", COLUMNS="160")
    return work, env


def _check_demo(work: Path, result: subprocess.CompletedProcess) -> None:
    """The README's first command does the whole job on the bundled chains, reports included."""
    for sector in ("gold", "natural_stone", "textiles", "food"):
        assert sector in result.stdout
        assert (work / "riskgraph-demo" / f"{sector}.html").stat().st_size > 10_000
        assert (work / "riskgraph-demo" / f"{sector}.xlsx").is_file()
    assert "Top hotspots per sector" in result.stdout and "Top risks per sector" in result.stdout
    # raster → plot → hotspot → EUDR: the food chain's plots measured on its bundled synthetic clip
    assert "Forest evidence (food)" in result.stdout and "PLT-CI-0036" in result.stdout


#: What a command's run must show beyond a clean exit, by pattern of the command.
CHECKS = ((r"^riskgraph demo$", _check_demo),)

COMMANDS = tour_commands()


def test_the_readme_has_a_tour():
    assert sum(c.startswith("riskgraph ") for c in COMMANDS) >= 30


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{i:02d} {c[:60]}" for i, c in enumerate(COMMANDS)])
def test_readme_command(tour, command):
    reason = _skip_reason(command)
    if reason:
        pytest.skip(reason)
    work, env = tour
    for name, stand_in in RENAMES.items():
        command = re.sub(rf"(?<![\w/]){re.escape(name)}(?![\w.])", stand_in, command)
    words = shlex.split(command)
    assert words[0] == "riskgraph", f"a README command that is not riskgraph's: {command}"
    made = _before(command, work)
    runner = " ".join(shlex.quote(w) for w in _riskgraph())
    try:
        # bash: the README's redirections and globs (members/*) work as in a terminal
        result = subprocess.run(["bash", "-c", runner + command[len("riskgraph"):]], cwd=work, env=env,
                                capture_output=True, text=True, timeout=600)
    finally:
        for path in made:
            path.unlink(missing_ok=True)
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode in (0, 1), (
        f"exit {result.returncode}: {command}\n{result.stderr[-3000:]}")
    for pattern, check in CHECKS:
        if re.search(pattern, command):
            check(work, result)
