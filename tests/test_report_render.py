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


# --------------------------------------------------------------------------- in headless Chromium

def _screenshot(page: Path, png: Path, *, width: int = 1280, height: int = 1600) -> "Image":
    pil = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshots")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
                    f"--user-data-dir={png.parent / 'profile'}", f"--window-size={width},{height}",
                    "--virtual-time-budget=3000", f"--screenshot={png}", page.as_uri()],
                   capture_output=True, timeout=180)
    assert png.is_file(), "Chromium wrote no screenshot"
    return pil.open(png).convert("RGB")


def _share_of(image, colour: tuple[int, int, int], tolerance: int = 6) -> float:
    """Share of the pixels within ``tolerance`` of ``colour``."""
    import numpy as np

    pixels = np.asarray(image, dtype=int).reshape(-1, 3)
    return float((np.abs(pixels - np.asarray(colour)) <= tolerance).all(axis=1).mean())


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package 'chromium') is not installed")
def test_first_page_in_chromium_shows_the_priorities_and_the_likelihood_colours(tmp_path):
    data = Path(__file__).parent / "data"
    page = tmp_path / "food.html"
    _report(["report", str(data / "hotspots" / "eudr_small")], page)
    image = _screenshot(page, tmp_path / "first.png")
    assert image.size == (1280, 1600)
    assert _share_of(image, (0x1F, 0x5F, 0x8B)) > 0.02  # the header band
    assert _share_of(image, (0xFF, 0xFF, 0xFF)) < 0.95  # not a blank page
    html = page.read_text(encoding="utf-8")
    first = html[html.index('id="glance"'):html.index('id="priorities"')]
    assert first.count("<li>") == 5 and 'class="three"' in first  # five priorities, three numbers


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package 'chromium') is not installed")
def test_hotspot_map_in_chromium_draws_the_natural_earth_basemap(tmp_path):
    data = Path(__file__).parent / "data"
    page = tmp_path / "map.html"
    result = CliRunner().invoke(cli, ["hotspots", str(data / "hotspots" / "eudr_small"), "--out", str(page)])
    assert result.exit_code in (0, 1), result.output
    html = page.read_text(encoding="utf-8")
    assert 'id="basemap"' in html and html.count("<path d=") > 3 and "Natural Earth" in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html), "the map must open offline"
    assert re.search(r"\b(very high|high|medium|low)\b", html) and "score 0." not in html
    image = _screenshot(page, tmp_path / "map.png", height=900)
    assert _share_of(image, (0xF4, 0xF1, 0xEA), tolerance=3) > 0.01  # land, drawn from the basemap
    assert _share_of(image, (0xDB, 0xE9, 0xF4), tolerance=3) > 0.01  # sea


def test_dutch_report_has_no_english_stage_or_category_label(reports):
    from riskgraph import _vocabulary

    html = reports["report-nl"]
    body = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", body)
    cells = {line.strip() for line in text.splitlines() if line.strip()}
    english = {r["label_en"] for r in _vocabulary.stage_rows() if r["label_en"] != r["label_nl"]}
    english |= {r["label_en"].capitalize() for r in _vocabulary.theme_rows() if r["label_en"] != r["label_nl"]}
    english |= {"very high", "medium", "high", "low"}
    assert not cells & english, sorted(cells & english)
    assert "zeer hoog" in html or "hoog" in html or "middel" in html or "laag" in html
