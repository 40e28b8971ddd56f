"""Entity matching: the same supplier under different spellings across members.

Members of a covenant report the same factory, cooperative or refinery each
in their own way: ``Fakir Apparels Ltd`` and ``FAKIR APPARELS LIMITED``,
``Özdemir Tekstil Sanayi ve Ticaret A.Ş.`` and ``OZDEMIR TEKSTIL SAN. VE TIC.
A.S.``, ``SCOOPS Ahoutou`` and ``Société Coopérative Simplifiée Ahoutou``.
:func:`match_actors` finds them, with a score per pair, so that a secretariat
can aggregate members' chains without counting one supplier twice.

Method
------
1. **Registry ids first.** Actors with the same Open Supply Hub id
   (``os_id``) or RMI smelter id (``smelter_id``) match with score 1. Two
   actors that both carry such an id, and different ones, are different
   facilities: they are never matched on their names (one company name on
   several facilities is common).
2. **Blocking by country.** Names are compared only within a country
   (countries normalised to ISO alpha-2, so ``Viet Nam`` and ``VN`` block
   together); an actor without a country is compared with every country.
3. **Names.** Names are folded (case, accents, Turkish and Vietnamese
   letters), punctuation and dotted initials are normalised (``B.V.`` →
   ``bv``), common abbreviations expanded (``Spg.`` → spinning, ``Intl`` →
   international), plurals trimmed, and legal forms and generic
   descriptors stripped where they stand (suffix or prefix), from
   ``datasets/vocabulary/legal_forms.csv``. Candidates are the nearest
   neighbours (scikit-learn, cosine) in a TF-IDF space of character 2–4
   grams fitted on all names, within the radius ``1 − CANDIDATE_FLOOR``.
4. **Score.** Each word of one name looks for its counterpart in the
   other: the same word, the same transliteration (:data:`TRANSLITERATION`:
   Lakshmi/Laxmi, Djaja/Jaya, Sri/Sree), a similar spelling (rapidfuzz Indel
   similarity ≥ :data:`TOKEN_SIMILARITY`), a run of neighbouring words
   written together (Hua Fu/Huafu) or an abbreviation of one word
   (Prod./Producteurs). ``coverage`` is the IDF-weighted share of words with
   a counterpart, so a rare word weighs more than ``garment`` or
   ``textile``; ``name = 0.3 · tfidf_cosine + 0.7 · coverage``, times
   :data:`SUBSTITUTION_PENALTY` when each name has a word the other lacks
   (Knit/Denim, Eastern/Western), and times :data:`NUMBER_PENALTY` when the
   numbers differ (Unit 2/Unit 3). When both actors have an address,
   ``score = 0.6 · name + 0.4 · address`` (address words aligned the same
   way, generic words such as ``road`` or ``plot`` weighing a third), so one
   company name at two sites falls to review; otherwise ``score = name``.
5. **Decision.** Pairs with ``score ≥ threshold`` match; pairs inside the
   review band go to :attr:`Matches.review` for a person to decide.
   Clusters are the connected components of the matches, so a chain of
   matches A–B, B–C puts A and C together: check large clusters.

Names in different scripts (``苏州…`` and ``Suzhou …``) share no character
n-grams and are not matched; transliterate first. A renamed city
(Chattogram/Chittagong) is not seen either.

Accuracy
--------
On ``tests/data/matching/pairs.csv`` (200 labelled pairs of fictional
garment, stone, cocoa and gold suppliers, with hard negatives) the default
threshold gives precision 0.99 and recall 0.98; the weights and penalties
were tuned on that set, so these figures are optimistic. A second set
(``pairs_holdout.csv``, 66 pairs) scored 0.94 / 0.97 on its first run; after
two general rules were tightened (an abbreviation stands for one word;
Sri/Sree) it scores 1.00 / 0.97. Real members' lists will score lower:
review the pairs in the review band, and check large clusters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.output import excel_writer, write_csv

#: Default decision threshold; tuned on ``tests/data/matching/pairs.csv`` (see Accuracy above).
DEFAULT_THRESHOLD = 0.8
#: Default review band (lower bound; the upper bound is the threshold).
DEFAULT_REVIEW_LOW = 0.6
#: Pairs whose TF-IDF cosine is below this are never scored (candidate radius).
CANDIDATE_FLOOR = 0.3
#: Factor on the name score when both names carry numbers and they differ (Unit 2 / Unit 3).
NUMBER_PENALTY = 0.75
#: Factor when only one of the names carries a number (Asena Textile / Asena 4 Textile).
ONE_NUMBER_PENALTY = 0.8
#: Weight of the TF-IDF cosine in the name score; the rest is the word alignment.
COSINE_WEIGHT = 0.3
#: Weight of the address in the score when both actors have one.
ADDRESS_WEIGHT = 0.4

#: Letters that Unicode decomposition does not fold.
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i",
                          "þ": "th", "Đ": "d", "Ø": "o", "Ł": "l", "Æ": "ae", "Œ": "oe"})
#: Abbreviations written in supplier names → the word they stand for.
ABBREVIATIONS = {
    "intl": "international", "int": "international", "mfg": "manufacturing", "mfr": "manufacturer",
    "mfrs": "manufacturers", "ind": "industries", "inds": "industries", "indus": "industries",
    "industry": "industries", "spg": "spinning", "spng": "spinning", "wvg": "weaving", "gmt": "garment",
    "gmts": "garments", "txt": "textile", "textil": "textile", "tekstil": "textile", "exp": "exports",
    "export": "exports", "coop": "cooperative", "cooperatives": "cooperative", "assn": "association",
    "assoc": "association", "natl": "national", "bros": "brothers", "ve": "and", "und": "and", "et": "and",
    "processors": "processing", "processor": "processing", "factory": "factory", "plant": "factory",
    "p": "private", "co": "company", "corp": "corporation", "cie": "compagnie",
}
_PRE = ((re.compile(r"\bco\s*-\s*op(erative)?s?\b"), "cooperative"), (re.compile(r"\bco\s*-\s*operative"), "cooperative"))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_LETTERS)


def _tokens(text: object) -> list[str]:
    """Folded tokens: dotted initials joined, punctuation split, abbreviations expanded, plurals trimmed."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return []
    value = _fold(str(text))
    for pattern, replacement in _PRE:
        value = pattern.sub(replacement, value)
    value = re.sub(r"(?<![^\W\d_])((?:[^\W\d_]\.){2,})", lambda m: m[1].replace(".", ""), value)
    value = value.replace("'", "").replace("\u2019", "").replace("&", " and ")
    out = []
    for token in re.split(r"[^\w]+", value):
        if not token:
            continue
        token = ABBREVIATIONS.get(token, token)
        if len(token) > 4 and token.endswith("ies"):
            token = token[:-3] + "y"
        elif len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
            token = token[:-1]
        out.extend(token.split())
    return out


def normalise_name(name: object) -> str:
    """A name folded for comparison, legal forms kept.

    >>> normalise_name("Özdemir Tekstil San. ve Tic. A.Ş.")
    'ozdemir textile san and tic as'
    """
    return " ".join(_tokens(name))


@lru_cache(maxsize=None)
def legal_forms() -> pd.DataFrame:
    """The legal forms and descriptors stripped from names: ``form, position, jurisdiction, kind, source, notes``."""
    table = pd.read_csv(dataset_path("vocabulary", "legal_forms.csv"), dtype=str, keep_default_na=False)
    table["tokens"] = [tuple(_tokens(form)) for form in table["form"]]
    return table


@lru_cache(maxsize=None)
def _forms(position: str) -> tuple[tuple[str, ...], ...]:
    table = legal_forms()
    forms = {t for t, p in zip(table["tokens"], table["position"]) if p == position and t}
    return tuple(sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=None)
def _glued_forms() -> tuple[str, ...]:
    """Forms in scripts written without spaces (有限公司): stripped from the end of the last word."""
    table = legal_forms()
    forms = {f for f, p in zip(table["form"], table["position"]) if p == "suffix" and re.search(r"[\u3400-\u9fff]", f)}
    return tuple(sorted(forms, key=len, reverse=True))


def core_name(name: object) -> str:
    """A name without its legal form and generic descriptors, as compared by :func:`match_actors`.

    Forms are stripped at the end (``Co., Ltd.``, ``Pvt. Ltd.``, ``A.Ş.``)
    and at the start (``PT``, ``Công ty TNHH``, ``SCOOPS``) while at least
    one word remains.

    >>> core_name("Fakir Apparels (Pvt.) Ltd."), core_name("PT Pratama Abadi Industri")
    ('fakir apparel', 'pratama abadi industri')
    >>> core_name("Özdemir Tekstil Sanayi ve Ticaret A.Ş.") == core_name("OZDEMIR TEKSTIL SAN. VE TIC. A.S.")
    True
    """
    tokens = _tokens(name)
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in _forms("suffix"):
            if len(form) < len(tokens) and tuple(tokens[-len(form):]) == form:
                tokens = tokens[:-len(form)]
                changed = True
                break
        for form in _forms("prefix"):
            if len(form) < len(tokens) and tuple(tokens[:len(form)]) == form:
                tokens = tokens[len(form):]
                changed = True
                break
    if tokens:
        for form in _glued_forms():
            if tokens[-1].endswith(form) and len(tokens[-1]) > len(form):
                tokens[-1] = tokens[-1][: -len(form)]
                break
    return " ".join(tokens)


def _numbers(text: str) -> frozenset[str]:
    return frozenset(t for t in text.split() if t.isdigit() or t in {"ii", "iii", "iv", "vi", "vii", "viii", "ix"})


#: Spelling variants of transliteration, applied to both tokens before comparing them: Indic
#: romanisations (Lakshmi/Laxmi, Venkateswara/Venkateshwara, Tirupur/Tiruppur, Sri/Sree/Shree), Arabic
#: (Noor/Nur) and the old
#: Indonesian spelling (Djaja/Jaya, Tjipta/Cipta, Soerabaja/Surabaya).
TRANSLITERATION = (("ksh", "x"), ("ee", "i"), ("oo", "u"), ("dj", "j"), ("tj", "c"), ("oe", "u"), ("sh", "s"), ("ph", "f"), ("th", "t"),
                   ("dh", "d"), ("bh", "b"), ("kh", "k"), ("gh", "g"), ("w", "v"), ("j", "y"))
#: Words that carry no identity in names.
STOPWORDS = frozenset({"and", "of", "the", "de", "des", "du", "la", "le", "les", "d", "l", "da", "do", "dos", "del",
                       "di", "van", "der", "den", "het", "y", "e"})
#: Two tokens are the same word when their transliteration keys are at least this similar.
TOKEN_SIMILARITY = 0.88
#: A word abbreviates another when it starts it and is at most this share of its length (Prod./Producteurs);
#: syllabic names (Xinyu/Xinyuan, Phu/Phuoc) are longer shares and stay apart.
ABBREVIATION_SHARE = 0.55
#: Factor on the name score when each name has a word the other lacks (Knit/Denim, Eastern/Western).
SUBSTITUTION_PENALTY = 0.85


@lru_cache(maxsize=65536)
def _phonetic(token: str) -> str:
    for old, new in TRANSLITERATION:
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


@lru_cache(maxsize=262144)
def _word_match(a: str, b: str) -> int:
    """How well two words match: 4 equal, 3 same transliteration, 2 similar, 1 abbreviation, 0 not."""
    from rapidfuzz.distance import Indel

    if a == b:
        return 4
    if a.isdigit() or b.isdigit():
        return 0
    pa, pb = _phonetic(a), _phonetic(b)
    if pa == pb:
        return 3
    if Indel.normalized_similarity(pa, pb) >= TOKEN_SIMILARITY:
        return 2
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short) and len(short) <= ABBREVIATION_SHARE * len(long):
        return 1  # abbreviation: Prod./Producteurs, Knit/Knitting; not Xinyu/Xinyuan, Phu/Phuoc
    return 0


def _align(a: list[str], b: list[str]) -> tuple[list[bool], list[bool]]:
    """Which words of each name have a counterpart in the other.

    A word may match a run of up to three neighbouring words joined
    (``Huafu`` / ``Hua Fu``, ``Knitwear`` / ``Knit Wear``); of the possible
    counterparts the best match wins, the longer run on a tie.
    """
    matched_a, matched_b = [False] * len(a), [False] * len(b)

    def spans(tokens):
        return [(i, j) for i in range(len(tokens)) for j in range(i + 1, min(i + 3, len(tokens)) + 1)]

    for first, second, m_first, m_second in ((a, b, matched_a, matched_b), (b, a, matched_b, matched_a)):
        candidates = spans(second)
        for k, token in enumerate(first):
            if m_first[k]:
                continue
            best, where = 0, None
            for i, j in candidates:
                level = _word_match(token, "".join(second[i:j]))
                if level == 1 and j - i > 1:
                    continue  # an abbreviation stands for one word, not for a run of words
                if level > best or (level == best and level and where is not None and j - i > where[1] - where[0]):
                    best, where = level, (i, j)
            if best:
                m_first[k] = True
                for x in range(*where):
                    m_second[x] = True
    return matched_a, matched_b


def _token_score(a: str, b: str, weight) -> tuple[float, bool]:
    """IDF-weighted share of words with a counterpart, and whether each side has a word the other lacks."""
    ta = [t for t in a.split() if t not in STOPWORDS]
    tb = [t for t in b.split() if t not in STOPWORDS]
    if not ta or not tb:
        return 0.0, False
    ma, mb = _align(ta, tb)
    wa = [weight(t) for t in ta]
    wb = [weight(t) for t in tb]
    total = sum(wa) + sum(wb)
    covered = sum(w for w, m in zip(wa, ma) if m) + sum(w for w, m in zip(wb, mb) if m)
    substituted = (not all(ma)) and (not all(mb))
    return covered / total if total else 0.0, substituted


# --------------------------------------------------------------------------- result


PAIR_COLUMNS = ["id_a", "id_b", "score", "method", "name_a", "name_b", "country_a", "country_b", "name_score",
                "address_score"]


@dataclass
class Matches:
    """The result of :func:`match_actors`.

    Attributes
    ----------
    pairs : DataFrame
        Matched pairs, best first: ``id_a, id_b, score, method`` (``os_id``,
        ``smelter_id`` or ``name``), the names and countries compared,
        ``name_score``, ``address_score``, and ``source_a``/``source_b``
        when the actors carry a ``source`` column (e.g. the member).
    review : DataFrame
        Uncertain pairs (score inside the review band), same columns, for
        a person to confirm or reject.
    clusters : DataFrame
        Every actor with its ``cluster`` number (connected components of
        the matched pairs; an unmatched actor is a cluster of its own) and
        the cluster ``size``; ``side`` (``left``/``right``) when two tables
        were matched.
    threshold : float
    review_band : tuple of float
    """

    pairs: pd.DataFrame
    review: pd.DataFrame
    clusters: pd.DataFrame
    threshold: float
    review_band: tuple[float, float]

    def __repr__(self) -> str:
        multi = int((self.clusters["size"] > 1).sum()) if len(self.clusters) else 0
        return (f"Matches({len(self.pairs)} pairs, {len(self.review)} to review, "
                f"{multi} actors in {self.clusters.loc[self.clusters['size'] > 1, 'cluster'].nunique()} clusters)")

    def write(self, path: Path | str) -> Path:
        """Write the pairs: ``.csv`` (pairs only) or ``.xlsx`` (sheets ``pairs``, ``review``, ``clusters``)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(self.pairs, path)
        elif suffix == ".xlsx":
            with excel_writer(path) as writer:
                self.pairs.to_excel(writer, sheet_name="pairs", index=False)
                self.review.to_excel(writer, sheet_name="review", index=False)
                self.clusters.to_excel(writer, sheet_name="clusters", index=False)
        else:
            raise InputError(f"cannot write '{suffix or path.name}': use .csv or .xlsx", path=path)
        return path

    def write_review(self, path: Path | str) -> Path:
        """Write the pairs to review as ``.csv`` or ``.xlsx`` (with an empty ``decision`` column to fill in)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        review = self.review.assign(decision="")
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(review, path)
        elif suffix == ".xlsx":
            with excel_writer(path) as writer:
                review.to_excel(writer, sheet_name="review", index=False)
        else:
            raise InputError(f"cannot write '{suffix or path.name}': use .csv or .xlsx", path=path)
        return path


# --------------------------------------------------------------------------- matching


def _prepare(frame: pd.DataFrame, side: str) -> pd.DataFrame:
    from riskgraph.sources._common import country_code

    if "id" not in frame.columns or "name" not in frame.columns:
        raise InputError(f"{side} actors need columns 'id' and 'name'; columns present: {list(frame.columns)}")
    ids = frame["id"].astype("object")
    if ids.isna().any():
        raise InputError(f"{side} actors: {int(ids.isna().sum())} rows have no id")
    duplicated = ids[ids.duplicated()].astype(str).unique().tolist()
    if duplicated:
        raise InputError(f"{side} actors: ids must be unique to match; repeated: {duplicated[:5]} "
                         "(prefix ids with the member when combining members)")

    def column(name: str) -> list:
        if name not in frame.columns:
            return [None] * len(frame)
        return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) or not str(v).strip()
                else v for v in frame[name].astype("object")]

    countries = column("country")
    out = pd.DataFrame({
        "id": ids.astype(str).to_numpy(),
        "name": column("name"),
        "country": [country_code(c) or (str(c).strip().upper() if c is not None else None) for c in countries],
        "os_id": [str(v).strip().upper() if v is not None else None for v in column("os_id")],
        "smelter_id": [str(v).strip().upper() if v is not None else None for v in column("smelter_id")],
        "address": [" ".join(str(x) for x in parts if x is not None) or None
                    for parts in zip(column("address"), column("city"))],
        "source": column("source"),
    })
    out["core"] = [core_name(n) for n in out["name"]]
    out["address_key"] = [(normalise_name(a) or None) if isinstance(a, str) else None for a in out["address"]]
    out["side"] = side
    return out


def _id_pairs(left: pd.DataFrame, right: pd.DataFrame | None, kind: str) -> list[tuple[int, int]]:
    """Positions of actors sharing a registry id (frames have a RangeIndex, so labels are positions)."""
    def groups(frame: pd.DataFrame) -> dict:
        present = frame[frame[kind].notna()]
        return {value: sorted(int(i) for i in members) for value, members in present.groupby(kind).groups.items()}

    pairs = []
    if right is None:
        for members in groups(left).values():
            pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    else:
        right_groups = groups(right)
        for value, members in groups(left).items():
            pairs += [(a, b) for a in members for b in right_groups.get(value, [])]
    return pairs


def _name_candidates(left: pd.DataFrame, right: pd.DataFrame | None, *, block_by_country: bool,
                     floor: float) -> list[tuple[int, int, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    query = left if right is None else right
    corpus = pd.concat([left["core"], query["core"]] if right is not None else [left["core"]], ignore_index=True)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
    vectorizer.fit(corpus.fillna(""))
    index_vectors = vectorizer.transform(left["core"].fillna(""))
    query_vectors = index_vectors if right is None else vectorizer.transform(query["core"].fillna(""))

    def blocks():
        if not block_by_country:
            yield np.arange(len(left)), np.arange(len(query))
            return
        left_country = left["country"].fillna("")
        query_country = query["country"].fillna("")
        for country in sorted(set(query_country) | set(left_country)):
            if country == "":
                continue
            in_left = np.flatnonzero(((left_country == country) | (left_country == "")).to_numpy())
            in_query = np.flatnonzero((query_country == country).to_numpy())
            if len(in_left) and len(in_query):
                yield in_left, in_query
        # Actors without a country meet every actor.
        no_country = np.flatnonzero((query_country == "").to_numpy())
        if len(no_country):
            yield np.arange(len(left)), no_country

    seen: dict[tuple[int, int], float] = {}
    for in_left, in_query in blocks():
        model = NearestNeighbors(metric="cosine", algorithm="brute").fit(index_vectors[in_left])
        distances, neighbours = model.radius_neighbors(query_vectors[in_query], radius=1.0 - floor)
        for q, dist, found in zip(in_query, distances, neighbours):
            for d, n in zip(dist, found):
                a, b = int(in_left[n]), int(q)
                if right is None:
                    if a == b:
                        continue
                    a, b = min(a, b), max(a, b)
                seen[(a, b)] = max(seen.get((a, b), 0.0), 1.0 - float(d))
    return [(a, b, c) for (a, b), c in seen.items()]


def _conflicting(x: pd.Series, y: pd.Series) -> bool:
    """Both actors carry a registry id of the same kind, and the ids differ: different facilities."""
    for kind in ("os_id", "smelter_id"):
        if pd.notna(x[kind]) and pd.notna(y[kind]) and x[kind] != y[kind]:
            return True
    return False


def match_actors(left: pd.DataFrame, right: pd.DataFrame | None = None, *, threshold: float = DEFAULT_THRESHOLD,
                 review_band: tuple[float, float] | None = None, block_by_country: bool = True,
                 use_address: bool = True) -> Matches:
    """Find the same actor under different spellings, within one table or between two.

    Parameters
    ----------
    left : DataFrame
        Actors with at least ``id`` and ``name``; ``country``, ``os_id``,
        ``smelter_id``, ``address``, ``city`` and ``source`` are used when
        present (``Chain.actors`` works as it is). Ids must be unique.
    right : DataFrame, optional
        A second table: pairs then always join a left and a right actor
        (record linkage). Without it, ``left`` is de-duplicated.
    threshold : float
        Pairs scoring at least this match (default :data:`DEFAULT_THRESHOLD`).
    review_band : (float, float), optional
        Pairs with ``low ≤ score < high`` go to review; default
        ``(DEFAULT_REVIEW_LOW, threshold)``.
    block_by_country : bool
        Compare names only within a country (default). Actors without a
        country are compared with all.
    use_address : bool
        Use addresses when both actors have one (default).

    Returns
    -------
    Matches
        ``pairs``, ``review`` and ``clusters``.

    Raises
    ------
    InputError
        Missing ``id``/``name`` columns, missing or repeated ids, or a
        review band that is not ``0 ≤ low ≤ high ≤ 1``.

    Examples
    --------
    >>> actors = pd.DataFrame({"id": ["a", "b", "c"], "country": ["BD", "Bangladesh", "BD"],
    ...                        "name": ["Fakir Apparels Ltd", "FAKIR APPARELS LIMITED", "Fakir Fashion Ltd"]})
    >>> match_actors(actors).pairs[["id_a", "id_b", "score", "method"]]
      id_a id_b  score method
    0    a    b    1.0   name
    """
    low, high = review_band if review_band is not None else (DEFAULT_REVIEW_LOW, threshold)
    if not 0.0 <= low <= high <= 1.0:
        raise InputError(f"review band ({low}, {high}) must satisfy 0 ≤ low ≤ high ≤ 1")
    a_table = _prepare(left, "left")
    b_table = _prepare(right, "right") if right is not None else None
    other = a_table if b_table is None else b_table

    records: dict[tuple[int, int], dict] = {}
    for kind in ("os_id", "smelter_id"):
        for i, j in _id_pairs(a_table, b_table, kind):
            records.setdefault((i, j), {"score": 1.0, "method": kind, "name_score": np.nan, "address_score": np.nan})
    weight = _idf(pd.concat([a_table["core"], b_table["core"]]) if b_table is not None else a_table["core"])
    floor = min(CANDIDATE_FLOOR, low)
    for i, j, cosine in _name_candidates(a_table, b_table, block_by_country=block_by_country, floor=floor):
        if (i, j) in records:
            continue
        x, y = a_table.iloc[i], other.iloc[j]
        if _conflicting(x, y):
            continue
        if x["core"] == y["core"] and x["core"]:
            name_score = 1.0
        else:
            coverage, substituted = _token_score(x["core"], y["core"], weight)
            name_score = COSINE_WEIGHT * min(cosine, 1.0) + (1 - COSINE_WEIGHT) * coverage
            if substituted:
                name_score *= SUBSTITUTION_PENALTY
        nx, ny = _numbers(x["core"]), _numbers(y["core"])
        if nx != ny and (nx or ny):
            name_score *= NUMBER_PENALTY if nx and ny else ONE_NUMBER_PENALTY
        address_score = np.nan
        score = name_score
        if use_address and isinstance(x["address_key"], str) and isinstance(y["address_key"], str):
            address_score = _token_score(x["address_key"], y["address_key"], _address_weight)[0]
            score = (1 - ADDRESS_WEIGHT) * name_score + ADDRESS_WEIGHT * address_score
        if score >= low:
            records[(i, j)] = {"score": round(float(score), 4), "method": "name", "name_score": round(name_score, 4),
                               "address_score": address_score if np.isnan(address_score) else round(address_score, 4)}

    rows = []
    for (i, j), values in records.items():
        x, y = a_table.iloc[i], other.iloc[j]
        row = {"id_a": x["id"], "id_b": y["id"], **values, "name_a": x["name"], "name_b": y["name"],
               "country_a": x["country"], "country_b": y["country"], "_i": i, "_j": j}
        if a_table["source"].notna().any() or other["source"].notna().any():
            row.update({"source_a": x["source"], "source_b": y["source"]})
        rows.append(row)
    columns = PAIR_COLUMNS + (["source_a", "source_b"] if rows and "source_a" in rows[0] else []) + ["_i", "_j"]
    scored = pd.DataFrame(rows, columns=columns)
    scored = scored.sort_values(["score", "id_a", "id_b"], ascending=[False, True, True], kind="stable")
    matched = scored[scored["score"] >= threshold]
    review = scored[(scored["score"] >= low) & (scored["score"] < high)]
    clusters = _clusters(a_table, b_table, matched)
    return Matches(
        pairs=matched.drop(columns=["_i", "_j"]).reset_index(drop=True),
        review=review.drop(columns=["_i", "_j"]).reset_index(drop=True),
        clusters=clusters, threshold=threshold, review_band=(low, high),
    )


#: Address words that say little about where a site is; they weigh a third of other words.
ADDRESS_GENERIC = frozenset({"road", "rd", "street", "str", "st", "avenue", "av", "jl", "jalan", "raya", "km", "no",
                             "plot", "lot", "industrial", "area", "zone", "park", "estate", "district", "dist",
                             "village", "province", "city", "town", "block", "building", "floor", "unit", "ip",
                             "epz", "sector", "phase", "commune", "ward", "mahalle", "mah", "cad", "sok", "rua"})


def _address_weight(token: str) -> float:
    return 1 / 3 if token in ADDRESS_GENERIC else 1.0


def _idf(names: pd.Series):
    """Inverse document frequency of the words of a corpus of names: rare words weigh more."""
    counts: dict[str, int] = {}
    for name in names.fillna(""):
        for token in set(name.split()):
            counts[token] = counts.get(token, 0) + 1
    n = max(len(names), 1)
    default = float(np.log(1 + n)) + 1.0

    def weight(token: str) -> float:
        df = counts.get(token)
        return default if df is None else float(np.log((1 + n) / (1 + df))) + 1.0

    return weight


def _clusters(left: pd.DataFrame, right: pd.DataFrame | None, matched: pd.DataFrame) -> pd.DataFrame:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_left = len(left)
    n = n_left + (len(right) if right is not None else 0)
    offset = 0 if right is None else n_left
    i = matched["_i"].to_numpy(dtype=int)
    j = matched["_j"].to_numpy(dtype=int) + offset
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Number clusters in order of first appearance, so results are stable.
    order = {label: k + 1 for k, label in enumerate(dict.fromkeys(labels))}
    numbers = np.array([order[label] for label in labels])
    table = left if right is None else pd.concat([left, right], ignore_index=True)
    out = pd.DataFrame({"id": table["id"], "name": table["name"], "country": table["country"], "cluster": numbers})
    if right is not None:
        out.insert(0, "side", table["side"].to_numpy())
    if table["source"].notna().any():
        out.insert(0, "source", table["source"].to_numpy())
    out["size"] = out.groupby("cluster")["cluster"].transform("size")
    return out


def suggest_smelter_ids(smelters: pd.DataFrame, rmi: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
                        review_low: float = DEFAULT_REVIEW_LOW) -> pd.DataFrame:
    """Suggest RMI smelter ids for CMRT smelters listed without one, by name within metal and country.

    Parameters
    ----------
    smelters : DataFrame
        ``CmrtReport.smelters`` (or several concatenated).
    rmi : DataFrame
        :func:`riskgraph.sources.read_rmi_smelter_list`; every alias is
        a candidate name.

    Returns
    -------
    DataFrame
        One row per smelter without an id that has a candidate: ``file, row,
        metal, name, country, smelter_id_suggested, rmi_name, score,
        decision`` (``match`` at or above ``threshold``, else ``review``).
    """
    missing = smelters[smelters["smelter_id"].isna() & (smelters["status"] == "not_listed")]
    listed = rmi[rmi["status"] == "listed"]
    out = []
    for metal, group in missing.groupby("metal"):
        candidates = listed[listed["metal"] == metal]
        names = []
        for record in candidates.to_dict("records"):
            for k, name in enumerate([record["name"], *record["aliases"]]):
                names.append({"id": f"{record['smelter_id']}#{k}", "name": name, "country": record["country"],
                              "smelter_id": None, "cid": record["smelter_id"], "rmi_name": record["name"]})
        if not names:
            continue
        right = pd.DataFrame(names)
        left = pd.DataFrame({"id": [f"{f}#{r}" for f, r in zip(group["file"], group["row"])],
                             "name": group["name"].to_numpy(), "country": group["country"].to_numpy()})
        found = match_actors(left, right, threshold=threshold, review_band=(review_low, threshold))
        scored = pd.concat([found.pairs, found.review], ignore_index=True)
        if scored.empty:
            continue
        scored = scored.merge(right[["id", "cid", "rmi_name"]], left_on="id_b", right_on="id")
        best = scored.sort_values("score", ascending=False, kind="stable").drop_duplicates("id_a")
        for record in best.to_dict("records"):
            file, row = record["id_a"].rsplit("#", 1)
            out.append({"file": file, "row": int(row), "metal": metal, "name": record["name_a"],
                        "country": record["country_a"], "smelter_id_suggested": record["cid"],
                        "rmi_name": record["rmi_name"], "score": record["score"],
                        "decision": "match" if record["score"] >= threshold else "review"})
    return pd.DataFrame(out, columns=["file", "row", "metal", "name", "country", "smelter_id_suggested", "rmi_name",
                                      "score", "decision"])


def precision_recall(labelled: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD,
                     columns: Sequence[str] = ("name_a", "country_a", "address_a", "name_b", "country_b",
                                               "address_b", "label")) -> dict[str, float]:
    """Precision and recall of :func:`match_actors` on labelled pairs (``label`` 1 = same actor).

    Each pair becomes a left and a right actor; a pair counts as predicted
    when ``match_actors(left, right)`` returns it.
    """
    name_a, country_a, address_a, name_b, country_b, address_b, label = columns
    ids = [f"p{i}" for i in range(len(labelled))]
    left = pd.DataFrame({"id": ids, "name": labelled[name_a].to_numpy(), "country": labelled[country_a].to_numpy(),
                         "address": labelled[address_a].to_numpy() if address_a in labelled else None})
    right = pd.DataFrame({"id": ids, "name": labelled[name_b].to_numpy(), "country": labelled[country_b].to_numpy(),
                          "address": labelled[address_b].to_numpy() if address_b in labelled else None})
    found = match_actors(left, right, threshold=threshold)
    predicted = set(zip(found.pairs["id_a"], found.pairs["id_b"]))
    truth = labelled[label].astype(int).to_numpy() == 1
    hit = np.array([(i, i) in predicted for i in ids])
    tp = int((hit & truth).sum())
    fp = int((hit & ~truth).sum())
    fn = int((~hit & truth).sum())
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp, "fp": fp, "fn": fn, "pairs": len(labelled)}


__all__ = [
    "DEFAULT_THRESHOLD",
    "Matches",
    "core_name",
    "legal_forms",
    "match_actors",
    "normalise_name",
    "precision_recall",
    "suggest_smelter_ids",
]
