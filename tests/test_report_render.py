"""Rendered reports read as a person sees them: no template leaks, a first page, a map on a basemap, Dutch."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from riskgraph.cli import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LEAKS = ("built-in method", "bound method", "Undefined", "{{", "{%", "<function ", " object at 0x")


def _report(args, out: Path) -> str:
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    """Every HTML report the commands write, in both languages."""
    data = Path(__file__).parent / "data"
    tmp = tmp_path_factory.mktemp("reports")
    rendered = {}
    for lang in ("en", "nl"):
        rendered[f"report-{lang}"] = _report(["report", str(data / "gold_small"), "--lang", lang],
                                             tmp / f"gold-{lang}.html")
        rendered[f"hotspots-{lang}"] = _report(["report", str(data / "hotspots" / "eudr_small"), "--lang", lang],
                                               tmp / f"eudr-{lang}.html")
        rendered[f"statement-{lang}"] = _report(["statement", str(data / "gold_small"), "--node", "jeweller_nl",
                                                 "--lang", lang], tmp / f"statement-{lang}.html")
    return rendered


@pytest.mark.parametrize("name", ["report-en", "report-nl", "hotspots-en", "hotspots-nl", "statement-en",
                                  "statement-nl"])
def test_no_template_leak_in_a_rendered_report(reports, name):
    html = reports[name]
    for leak in LEAKS:
        assert leak not in html, f"{leak!r} in {name}: …{html[max(html.find(leak) - 80, 0):html.find(leak) + 80]}…"
