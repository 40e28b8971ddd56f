"""Long commands show a progress bar over named steps on stderr; ``-q`` and pipes show none."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import riskgraph.progress
from riskgraph.cli import cli

DATA = Path(__file__).parent / "data"
GOLD = str(DATA / "gold_small")


@pytest.fixture
def recorded(monkeypatch):
    """Every progress_steps a command opens: its declared steps, the steps it reached and whether quiet."""
    runs = []

    @contextmanager
    def recorder(steps, *, quiet=False, title="", force=False):
        run = {"steps": list(steps), "reached": [], "quiet": quiet, "title": title}
        runs.append(run)
        yield run["reached"].append

    monkeypatch.setattr(riskgraph.progress, "progress_steps", recorder)
    return runs


@pytest.mark.parametrize("args, title", [
    (["matrix", GOLD, "--node", "jeweller_nl", "--theme", "child_labour"], "matrix"),
    (["explain", GOLD, "--node", "jeweller_nl", "--theme", "child_labour"], "explain"),
    (["hotspots", GOLD], "hotspots"),
])
def test_each_long_command_walks_its_declared_steps(recorded, args, title):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    [run] = recorded
    assert run["title"] == title and not run["quiet"]
    assert run["reached"] == run["steps"], "every declared step is reached, in order, and no other"


@pytest.mark.parametrize("command", ["matrix", "explain"])
def test_quiet_silences_the_bar(recorded, command):
    result = CliRunner().invoke(cli, [command, GOLD, "--node", "jeweller_nl", "--theme", "child_labour", "-q"])
    assert result.exit_code == 0, result.output
    assert recorded[0]["quiet"] is True


def test_the_bar_draws_on_a_terminal_and_is_gone_when_done(tmp_path):
    """Under a real pseudo-terminal the bar is drawn on stderr and cleared (transient); the table remains."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "riskgraph.cli", "matrix", GOLD, "--node", "jeweller_nl",
                                "--theme", "child_labour"], stdout=subprocess.PIPE, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, _ = process.communicate(timeout=120)
    os.close(main)
    drawn = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0
    assert "matrix: " in drawn, "the bar names the command and its step on the terminal"
    assert "jeweller_nl" in out.decode(), "the table goes to stdout, untouched by the bar"
