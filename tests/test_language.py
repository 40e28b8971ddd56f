"""One language for every reader: the vocabularies, the sentence templates and Dutch throughout.

Words a reader sees are data in ``datasets/vocabulary/`` (stages, themes,
commodities, terms, phrases); sentences with numbers are templates per
language (:class:`riskgraph.formatting.Phrase`), never word-by-word
replacement. The API and the machine outputs stay English.
"""
from __future__ import annotations

import csv
import pickle
import re
from pathlib import Path
from string import Formatter

import pytest

from riskgraph import _vocabulary
from riskgraph._resources import dataset_path
from riskgraph.formatting import Phrase, format_cell, phrase, render_table, say

VOCABULARY = Path(dataset_path("vocabulary"))


def _rows(name: str) -> list[dict]:
    with open(VOCABULARY / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- the vocabularies


@pytest.mark.parametrize(("name", "key"), [("commodities.csv", ("commodity",)), ("terms.csv", ("kind", "term")),
                                           ("phrases.csv", ("key",))])
def test_every_vocabulary_entry_is_unique_and_said_in_both_languages(name, key):
    rows = _rows(name)
    keys = [tuple(row[k] for k in key) for row in rows]
    assert len(keys) == len(set(keys)), "duplicate entries"
    labels = ("en", "nl") if name == "phrases.csv" else ("label_en", "label_nl")
    for row in rows:
        assert all(row[label].strip() for label in labels), row


def test_every_commodity_of_the_reference_data_and_the_bundled_chains_has_a_dutch_name():
    import pandas as pd

    keys = set(pd.read_csv(dataset_path("reference", "commodity_aliases.csv"))["commodity"])
    keys |= set(pd.read_csv(dataset_path("reference", "commodity_evidence.csv"))["commodity"])
    for sector in _vocabulary.sectors():
        if dataset_path(sector, "flows.csv").is_file():
            keys |= set(pd.read_csv(dataset_path(sector, "flows.csv"))["commodity"].dropna())
    assert keys <= set(_vocabulary.commodity_labels("nl")), sorted(keys - set(_vocabulary.commodity_labels("nl")))


def test_eudr_and_conflict_mineral_commodities_use_the_words_of_the_dutch_regulations():
    # Reg. (EU) 2023/1115 (NL), art. 2, punt 1: runderen, cacao, koffie, oliepalm, soja, rubber en hout;
    # Reg. (EU) 2017/821 (NL): tin, tantaal, wolfraam en goud.
    dutch = _vocabulary.commodity_labels("nl")
    assert [dutch[c] for c in ("cattle", "cocoa", "coffee", "oil_palm", "soya", "rubber", "wood")] == [
        "runderen", "cacao", "koffie", "oliepalm", "soja", "rubber", "hout"]
    assert [dutch[c] for c in ("tin", "tantalum", "tungsten", "gold")] == ["tin", "tantaal", "wolfraam", "goud"]
    sources = {row["commodity"]: row["source"] for row in _rows("commodities.csv")}
    assert "2023/1115" in sources["cocoa"] and "EUR-Lex NL" in sources["cocoa"] and "2017/821" in sources["gold"]


@pytest.mark.parametrize("row", _rows("phrases.csv"), ids=lambda row: row["key"])
def test_a_template_has_the_same_placeholders_in_both_languages(row):
    def fields(template):
        return sorted(field for _, field, _, _ in Formatter().parse(template) if field is not None)

    assert fields(row["en"]) == fields(row["nl"])


# --------------------------------------------------------------------------- sentences


def test_a_phrase_is_english_text_that_says_itself_in_dutch():
    reason = Phrase("child_labour.relevance", stage="mine_asm", relevance=1.0, minimum=0.5)
    assert reason == "stage mine_asm: child-labour relevance 1.00 (≥ 0.5)"
    assert isinstance(reason, str) and reason.startswith("stage ")
    assert reason.text("nl") == "ketenstap kleinschalige mijn: relevantie voor kinderarbeid 1,00 (≥ 0,5)"
    assert reason.text("en") == reason


def test_numbers_in_a_phrase_follow_the_language_and_nested_phrases_follow_too():
    shipped = Phrase("anomaly.mass_balance", shipped=1127.5, unit=" t", received=800.0,
                     gap=Phrase("anomaly.more_out", excess=0.409), tolerance=0.1)
    assert shipped == ("ships 1,127.5 t but receives 800.0 t: 41% more out than in (tolerance 10%); material of "
                       "unrecorded origin may be mixed in")
    assert shipped.text("nl") == ("levert 1.127,5 t maar ontvangt 800,0 t: 41% meer uit dan in (marge 10%); "
                                  "materiaal van niet-vastgelegde herkomst kan zijn bijgemengd")


def test_joined_phrases_are_said_part_by_part_and_survive_pickling():
    joined = Phrase.join([Phrase("anomaly.in_chain"), "GLD-REF-CH-01"])
    assert joined == "in the chain; GLD-REF-CH-01" and joined.text("nl") == "in de keten; GLD-REF-CH-01"
    again = pickle.loads(pickle.dumps(joined))
    assert again == joined and again.text("nl") == joined.text("nl")


def test_say_and_phrase_speak_the_commands_language():
    from riskgraph.formatting import use_language

    reason = Phrase("anomaly.in_chain")
    use_language("nl")
    try:
        assert say(reason) == "in de keten" and say([reason, "x"]) == ["in de keten", "x"]
        assert phrase("anomaly.in_chain") == "in de keten"
    finally:
        use_language(None)
    assert say(reason) == "in the chain" and say(3) == 3


def test_dutch_table_cells_name_commodities_severities_sectors_and_sentences_in_dutch():
    import pandas as pd

    assert format_cell("oil_palm", "text", "commodity", "nl") == "oliepalm"
    assert format_cell("oil_palm", "text", "commodity", "en") == "oil_palm"  # English tables show the key
    assert format_cell("warning", "text", "severity", "nl") == "waarschuwing"
    assert format_cell("natural_stone", "text", "sector", "nl") == "natuursteen"
    assert format_cell(True, "text", "hot", "nl") == "ja"
    from riskgraph.formatting import commodity_label, country_label, stage_label, term_label, theme_label

    for label in (commodity_label, stage_label, theme_label, country_label):
        assert label(pd.NA, "nl") == "" and label(None, "nl") == "" and label(float("nan"), "nl") == ""
    assert term_label("basis", pd.NA, "nl") == ""
    frame = pd.DataFrame({"commodity": ["cocoa"], "reason": pd.Series([Phrase("anomaly.in_chain")], dtype=object)})
    text = render_table(frame, lang="nl", width=80)
    assert "cacao" in text and "in de keten" in text and "grondstof" in text


def _numbers(text: str, lang: str) -> list[float]:
    """The numbers of a sentence as values: 1,127.5 (English) and 1.127,5 (Dutch) are both 1127.5."""
    pattern = r"\d[\d,]*(?:\.\d+)?" if lang == "en" else r"\d[\d.]*(?:,\d+)?"
    found = re.findall(pattern, text)
    if lang == "en":
        return sorted(float(n.replace(",", "")) for n in found)
    return sorted(float(n.replace(".", "").replace(",", ".")) for n in found)


@pytest.fixture(scope="module")
def found_hotspots():
    import riskgraph as rg
    from riskgraph.hotspots import find_hotspots

    data = Path(__file__).parent / "data"
    return [find_hotspots(rg.read_chain(data / "hotspots" / "eudr_small")),
            find_hotspots(rg.read_chain(dataset_path("gold")))]


def test_hotspot_reasons_say_the_same_numbers_in_english_and_dutch(found_hotspots):
    phrases = []
    for found in found_hotspots:
        phrases += [p for reasons in found.hotspots["reasons"] for p in reasons if isinstance(p, Phrase)]
        phrases += [p for reasons in found.chokepoints["reasons"] for p in reasons if isinstance(p, Phrase)]
        phrases += [p for p in found.anomalies["reason"] if isinstance(p, Phrase)]
    keys = {p.key for p in phrases}
    assert {"child_labour.relevance", "deforestation.likelihood", "reach.volume", "chokepoint.risky_share"} <= keys
    from riskgraph.formatting import _render_parts

    for reason in phrases:
        assert reason == _render_parts(reason.key, "en", reason.values)  # the quick English way says the same
        dutch = reason.text("nl")
        assert dutch != reason or not re.search(r"[a-z]{3}", reason), reason
        assert _numbers(reason, "en") == _numbers(dutch, "nl"), (reason, dutch)


# --------------------------------------------------------------------------- Dutch throughout (issue 20)

DATA = Path(__file__).parent / "data"


def _english_words() -> set[str]:
    """Every English label or code of the vocabularies whose Dutch word differs (``gold`` ≠ ``goud``).

    Words that are the same in both languages (``recycler``, ``rubber``,
    ``tin``, ``status``) cannot tell the languages apart and are left out.
    """
    words = set()
    for row in _vocabulary.stage_rows():
        words |= {w for w in (row["label_en"], row["stage"]) if w != row["label_nl"]}
    for row in _vocabulary.theme_rows():
        words |= {w for w in (row["label_en"], row["theme"]) if w != row["label_nl"]}
    for row in _rows("commodities.csv"):
        words |= {w for w in (row["label_en"], row["commodity"]) if w.lower() != row["label_nl"].lower()}
    for row in _rows("terms.csv"):
        words |= {w for w in (row["label_en"], row["term"]) if w.lower() != row["label_nl"].lower()}
    # "kind" is also Dutch (a child), "True"/"False" are Python's; neither is a label a Dutch table shows
    return {w for w in words if len(w) > 2} - {"kind", "inherent", "True", "False"}


ENGLISH = sorted(_english_words(), key=len, reverse=True)
ENGLISH_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])", re.I)


def _quoted(chain) -> list[str]:
    """Texts a Dutch output quotes as they are: ids, names and regions of the chain's actors, plots, the
    sources, evidence and years of the reference data (cited as published), and what is still English by
    decision or not yet translated: validation messages, the regulations' rule texts (their articles,
    summaries and sources) and the titles of guidance documents."""
    import pandas as pd

    import riskgraph as rg
    from riskgraph.regulation.common import rules
    from riskgraph.regulation.statement import GENERAL_GUIDANCE, REFERENCES, SECTOR_GUIDANCE
    from riskgraph.risk.reference import commodity_evidence

    actors = chain.actors
    texts = set(actors["id"]) | set(actors["name"].dropna()) | set(actors["region"].dropna())
    if chain.plots is not None and len(chain.plots):
        texts |= set(chain.plots["plot_id"].dropna())
    risk = rg.assess(chain).actor_risk
    for column in ("source", "year", "raw_value"):
        texts |= {str(v) for v in risk[column].dropna()}
    evidence = commodity_evidence()
    texts |= set(evidence["evidence"]) | set(evidence["source"])
    texts |= {str(v) for v in chain.report.issues["message"]} | set(chain.report.counts["file"])
    for regulation in ("child_labour", "eudr"):
        table = rules(regulation)
        texts |= {str(v) for column in ("article", "summary", "check", "source") for v in table[column].dropna()}
    actions = pd.read_csv(dataset_path("reference", "theme_actions.csv"))
    texts |= set(actions["source"].dropna())
    steps = pd.read_csv(dataset_path("reference", "action_steps.csv"))
    texts |= set(steps["rationale"].dropna())
    texts |= set(REFERENCES) | {GENERAL_GUIDANCE} | set(SECTOR_GUIDANCE.values())
    from riskgraph.regulation.eudr import annex_i

    texts |= {str(v) for v in annex_i()["description"]}  # Annex I of Reg. 2023/1115, as published
    return sorted((t for t in texts if isinstance(t, str) and len(t) > 2), key=len, reverse=True)


def _unquoted(text: str, quoted: list[str]) -> str:
    for value in quoted:
        text = text.replace(value, " ")
    return re.sub(r"kolom \w+", " ", text)  # a column the user writes in a file keeps its name ("kolom dds_reference")


def _html_text(html: str) -> str:
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    titles = " ".join(re.findall(r'title="([^"]*)"', body))
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "\n", body) + "\n" + titles)


def _xlsx_text(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    cells = [book.sheetnames]
    for sheet in book.worksheets:
        cells += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    return "\n".join(map(str, cells))


def _cases(tmp: Path) -> dict:
    """Each command with --lang: its arguments and the file it writes (None: what it prints)."""
    gold, food = str(dataset_path("gold")), str(dataset_path("food"))
    stone, textiles = str(dataset_path("natural_stone")), str(dataset_path("textiles"))
    return {
        "validate": (["validate", food], None, food),
        "info": (["info", gold], None, gold),
        "matrix": (["matrix", food, "--node", "FOD-RTL-NL-01"], None, food),
        "matrix-all": (["matrix", stone], None, stone),
        "explain": (["explain", gold, "--node", "GLD-MFG-NL-01", "--theme", "child_labour", "--stage", "mine_asm"],
                    None, gold),
        "hotspots": (["hotspots", food, "-q"], None, food),
        "hotspots-map": (["hotspots", textiles, "-q", "--out", str(tmp / "map.html")], tmp / "map.html", textiles),
        "report-html": (["report", food, "-q", "--out", str(tmp / "food.html")], tmp / "food.html", food),
        "report-xlsx": (["report", textiles, "-q", "--out", str(tmp / "textiles.xlsx")], tmp / "textiles.xlsx",
                        textiles),
        "statement-html": (["statement", textiles, "--node", "TEX-BRD-NL-01", "--out", str(tmp / "s.html")],
                           tmp / "s.html", textiles),
        "statement-xlsx": (["statement", gold, "--node", "GLD-MFG-NL-01", "--out", str(tmp / "s.xlsx")],
                           tmp / "s.xlsx", gold),
        "eudr": (["eudr", food, "--node", "FOD-TRD-NL-01", "--year", "2025"], None, food),
        "eudr-trader": (["eudr", food, "--node", "FOD-RTL-NL-01"], None, food),
        "publish": (["secretariat", "publish", str(tmp / "sector"), "--k", "3", "--out", str(tmp / "pub.html")],
                    tmp / "pub.html", str(tmp / "sector")),
    }


@pytest.fixture(scope="module")
def sector(tmp_path_factory):
    """A covenant's sector chain: three members reporting the small gold chain, merged."""
    import shutil

    from click.testing import CliRunner

    from riskgraph.cli import cli

    tmp = tmp_path_factory.mktemp("dutch")
    for member in ("acme", "bakker", "cacao"):
        shutil.copytree(DATA / "gold_small", tmp / member)
    result = CliRunner().invoke(cli, ["secretariat", "merge", *(str(tmp / m) for m in ("acme", "bakker", "cacao")),
                                      "--out", str(tmp / "sector")])
    assert result.exit_code == 0, result.output
    return tmp


@pytest.mark.parametrize("case", ["validate", "info", "matrix", "matrix-all", "explain", "hotspots", "hotspots-map",
                                  "report-html", "report-xlsx", "statement-html", "statement-xlsx", "eudr",
                                  "eudr-trader", "publish"])
def test_dutch_output_of_every_command_has_no_english_label(case, sector):
    """``--lang nl``: no English stage, theme, category, commodity, header or fact word (issue 20, acceptance)."""
    from click.testing import CliRunner

    import riskgraph as rg
    from riskgraph.cli import cli

    args, written, chain_path = _cases(sector)[case]
    result = CliRunner().invoke(cli, [*args, "--lang", "nl"], env={"COLUMNS": "5000"})
    assert result.exit_code in (0, 1), result.output
    if written is None:
        text = result.output
    elif written.suffix == ".xlsx":
        text = _xlsx_text(written) + "\n" + result.output
    else:
        text = _html_text(written.read_text(encoding="utf-8")) + "\n" + result.output
    chain = rg.read_chain(chain_path)
    text = _unquoted(text.replace(chain_path, " ").replace(str(sector), " "), _quoted(chain))
    text = re.sub(r"(?<![\w-])" + re.escape(chain.name) + r"(?![\w-])", " ", text)  # the chain's name is data
    found = sorted({m.group(0) for m in ENGLISH_PATTERN.finditer(text)})
    lines = [line.strip()[:160] for line in text.splitlines() if ENGLISH_PATTERN.search(line)][:5]
    assert not found, f"English in the Dutch {case}: {found}\n" + "\n".join(lines)
    if written is None or written.suffix == ".html":  # a workbook keeps numbers as numbers
        assert re.search(r"\d,\d", text) or case in ("info", "validate"), "Dutch numbers (1.127,5)"


@pytest.mark.parametrize("args", [["matrix", "food", "--format", "csv"], ["hotspots", "gold", "--format", "json"],
                                  ["info", "textiles", "--format", "json"], ["validate", "food", "--format", "json"]])
def test_machine_outputs_are_the_same_in_every_language(args):
    """CSV and JSON are an interface: English column names, codes and sentences whatever --lang says."""
    from click.testing import CliRunner

    from riskgraph.cli import cli

    args = [str(dataset_path(a)) if a in _vocabulary.sectors() else a for a in args]
    english = CliRunner().invoke(cli, [*args, "--lang", "en"])
    dutch = CliRunner().invoke(cli, [*args, "--lang", "nl"])
    assert english.exit_code == dutch.exit_code and english.stdout == dutch.stdout


def test_the_english_word_check_finds_english_output():
    """The check above can fail: the same command in English shows English stage, theme and header words."""
    from click.testing import CliRunner

    from riskgraph.cli import cli

    food = str(dataset_path("food"))
    result = CliRunner().invoke(cli, ["matrix", food, "--node", "FOD-RTL-NL-01", "--theme", "child_labour",
                                      "--lang", "en"], env={"COLUMNS": "5000"})
    found = {m.group(0).lower() for m in ENGLISH_PATTERN.finditer(result.output)}
    assert {"farm", "cooperative", "child labour", "likelihood", "cocoa"} <= found


def _validate_sentences(lang: str) -> set[str]:
    """The literal pieces (longer than a few letters) of validation's templates in ``lang``."""
    pieces = set()
    for row in _rows("phrases.csv"):
        if row["key"].startswith("validate.") and row["key"] not in ("validate.file",):
            pieces |= {p.strip(" ;:()'") for p in re.split(r"\{[^}]*\}", row[lang])}
    return {p for p in pieces if len(p) > 6 and " " in p}  # sentences, not the column names they quote


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_validate_findings_and_quarantine_workbook_are_said_in_the_language_of_the_command(lang, tmp_path):
    """A secretariat reading a Dutch member's list reads every finding in Dutch; CSV and JSON stay English."""
    from click.testing import CliRunner

    from riskgraph.cli import cli

    bad = str(DATA / "bad_rows")
    other = "en" if lang == "nl" else "nl"
    runner = CliRunner()
    shown = runner.invoke(cli, ["validate", bad, "--lang", lang, "--quarantine", str(tmp_path / "q.xlsx")],
                          env={"COLUMNS": "5000"})
    assert shown.exit_code == 1, shown.output
    text = shown.output + "\n" + _xlsx_text(tmp_path / "q.xlsx")
    said = {p for p in _validate_sentences(lang) if p in text}
    unsaid = {p for p in _validate_sentences(other) - _validate_sentences(lang) if p in text}
    assert len(said) >= 10 and not unsaid, (sorted(said), sorted(unsaid))
    expected = {"nl": ["actors.csv rij 3: id is leeg; elke actor heeft een unieke id nodig",
                       "flows.csv rij 5: volume 'ten' is geen getal",
                       "1 van 8 stromen hebben geen volume"],
                "en": ["actors.csv row 3: id is empty; every actor needs a unique id",
                       "flows.csv row 5: volume 'ten' is not a number",
                       "1 of 8 flows have no volume"]}[lang]
    for sentence in expected:
        assert sentence in text
    # the machine outputs: the same English bytes whatever the language
    for name in ("q.csv", "q"):
        runner.invoke(cli, ["validate", bad, "--lang", lang, "--quarantine", str(tmp_path / lang / name)])
    english = runner.invoke(cli, ["validate", bad, "--format", "json", "--lang", "en"]).stdout
    assert runner.invoke(cli, ["validate", bad, "--format", "json", "--lang", lang]).stdout == english
    assert "actors.csv row 3: id is empty" in english


def test_the_quarantine_files_scripts_read_stay_english(tmp_path):
    """``--quarantine x.csv`` or a folder: the reasons as the API gives them, under --lang nl too."""
    from click.testing import CliRunner

    import riskgraph as rg
    from riskgraph.cli import cli

    bad = str(DATA / "bad_rows")
    report = rg.read_chain(bad).report
    for lang in ("en", "nl"):
        CliRunner().invoke(cli, ["validate", bad, "--lang", lang, "--quarantine", str(tmp_path / f"{lang}.csv")])
        CliRunner().invoke(cli, ["validate", bad, "--lang", lang, "--quarantine", str(tmp_path / lang)])
    assert (tmp_path / "en.csv").read_bytes() == (tmp_path / "nl.csv").read_bytes()
    assert (tmp_path / "en" / "issues.csv").read_bytes() == (tmp_path / "nl" / "issues.csv").read_bytes()
    assert "id is empty; every actor needs a unique id" in (tmp_path / "nl.csv").read_text(encoding="utf-8")
    assert report.issues["message"].iloc[0].text("nl").startswith("actors.csv rij ")
    assert list(report.quarantine["actors"]["reasons"].map(str)) == [
        r.text("en") for r in report.quarantine["actors"]["reasons"]]
