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
    for reason in phrases:
        dutch = reason.text("nl")
        assert dutch != reason or not re.search(r"[a-z]{3}", reason), reason
        assert _numbers(reason, "en") == _numbers(dutch, "nl"), (reason, dutch)
