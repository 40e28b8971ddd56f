"""How numbers, labels and tables read: one place for every command, report and notebook.

Why a module of its own: before it, each command printed floats with
``{:.4g}`` (``9.913e-05``), let rich fold ids and numbers across lines in a
narrow terminal, and wrote float noise (``490.29999999999995``) to CSV. The
rules here:

* **A kind per column, fixed digits per kind** (:func:`column_kind`): shares
  as percentages (``12.3%``), likelihoods with 2 decimals, exposures with 4,
  counts with thousands separators, volumes with one decimal. Never
  scientific notation: a positive value below the last digit prints as
  ``<0.0001``.
* **Tables fit the terminal** (:func:`render_table`): width from ``COLUMNS``
  or the terminal; every number keeps its full width and never wraps; ids
  and other text are cut with an ellipsis (the full values are in
  ``--format csv`` / ``json``); when even the numbers do not fit, columns
  are left out from the right and the table says so.
* **CSV and JSON are rounded at the last meaningful digit**
  (:func:`round_meaningful`): 12 significant digits remove binary noise and
  keep every digit a source carries.
* **One language for everything** (:func:`resolve_lang`): English unless
  ``--lang`` or ``RISKGRAPH_LANG`` says Dutch; Dutch tables use the
  vocabulary's labels (``datasets/vocabulary/``: stages, themes,
  commodities, and in ``terms.csv`` headers, categories, severities, facts,
  sectors), sentences from per-language templates (:class:`Phrase`,
  ``phrases.csv``) and Dutch numbers (``1.127,5``).
* **What is translated and what is not**: only what a person reads —
  terminal tables, titles, reports, maps. The API's data and the machine
  outputs (``--format csv`` / ``json``, ``.csv`` / ``.parquet`` / ``.json``
  files) keep English column names and the canonical codes (``stage``
  ``mine_asm``, ``theme`` ``child_labour``, ``commodity`` ``oil_palm``) and
  English sentences, in every language: they are an interface that scripts
  read, and a Dutch run must not change it. Names of sources and the
  evidence they state are cited as published.

This module imports no pandas at import time (the command line's start-up
stays below the cost of ``import pandas``); DataFrames are only handled when
a function is called with one.
"""
from __future__ import annotations

import math
import numbers
import os
import re
from contextvars import ContextVar
from functools import lru_cache

from riskgraph import _vocabulary
from riskgraph._vocabulary import LANGUAGES

#: The environment variable that sets the language of every command.
LANG_ENV = "RISKGRAPH_LANG"

_LANG: ContextVar[str | None] = ContextVar("riskgraph_lang", default=None)

SHARE_COLUMNS = {"share", "weight", "peak_share", "unknown_share", "risky_share", "coverage", "traced_share",
                 "share_before", "share_after"}
LIKELIHOOD_COLUMNS = {"likelihood", "peak", "relevance", "risk", "inherent", "score_before", "score_after"}
EXPOSURE_COLUMNS = {"exposure", "contribution", "score", "upstream_exposure", "total_risk", "exposure_before",
                    "exposure_after", "delta", "change_in_exposure"}
VOLUME_COLUMNS = {"volume", "received_kg", "imported_kg", "threshold_kg", "radius_km"}
COORDINATE_COLUMNS = {"lat", "lon"}
#: Integer columns printed without thousands separators (years, row numbers, ranks).
PLAIN_COLUMNS = {"year", "row", "rank", "cluster", "severity", "order", "tier"}
#: Columns whose text may wrap across lines (prose); every other text column is cut with an ellipsis.
PROSE_COLUMNS = {"message", "reasons", "path", "detail", "description", "first rows", "fact", "title"}
STAGE_COLUMNS = {"stage", "peak_stage", "stage_to"}
THEME_COLUMNS = {"theme"}
CATEGORY_COLUMNS = {"category"}
COMMODITY_COLUMNS = {"commodity", "peak_commodity"}
#: Text columns whose values are terms of ``datasets/vocabulary/terms.csv``: column → kind of term.
TERM_COLUMNS = {"severity": "severity", "fact": "fact", "sector": "sector", "basis": "basis", "peak_basis": "basis",
                "kind": "kind", "benchmark": "benchmark", "reason": "reason",
                "table": "table", "item": "eudr_item", "status": "status", "role": "role",
                "supplier_role": "role", "matched_on": "matched_on", "measure": "fact", "change": "change",
                "level": "level"}

_LEADING_NUMBER = re.compile(r"^[<>−-]?\d[\d.,]*%?")
DIGITS = {"likelihood": 2, "exposure": 4, "volume": 1, "coordinate": 4, "z": 2, "share": 1}
#: Id columns: shown whole as long as the table can fit them at all.
ID_COLUMNS = {"actor", "node", "plot", "from", "id", "source_id", "target", "refiner", "smelter_id", "peak_actor",
              "chain", "file"}


# --------------------------------------------------------------------------- language

def resolve_lang(lang: str | None = None) -> str:
    """The language to use: ``lang`` if given, else the command's (``--lang``), else ``RISKGRAPH_LANG``, else English.

    >>> resolve_lang("nl")
    'nl'
    """
    chosen = lang or _LANG.get() or os.environ.get(LANG_ENV, "").strip().lower() or "en"
    if chosen not in LANGUAGES:
        from riskgraph.errors import InputError

        raise InputError(f"language must be one of {', '.join(LANGUAGES)}, not {chosen!r} "
                         f"(from --lang or {LANG_ENV})")
    return chosen


def use_language(lang: str | None) -> None:
    """Set the language of everything this command prints (called by the ``--lang`` option)."""
    _LANG.set(resolve_lang(lang) if lang else None)


def _missing(value) -> bool:
    """None, NaN or pandas' NA (whose truth value cannot be asked)."""
    return value is None or str(value) in {"<NA>", "nan", "NaT"} or (isinstance(value, float) and value != value)


def category_label(category, lang: str | None = None) -> str:
    """``very_high`` → "very high" / "zeer hoog"."""
    if _missing(category):
        return ""
    label = _vocabulary.term_labels(resolve_lang(lang)).get(("category", str(category)))
    return label if label is not None else str(category).replace("_", " ")


def stage_label(stage, lang: str | None = None, sector: str | None = None) -> str:
    """A stage name as a reader sees it: the code in English tables, the vocabulary's label in Dutch."""
    if _missing(stage):
        return ""
    lang = resolve_lang(lang)
    return str(stage) if lang == "en" else _vocabulary.stage_label(str(stage), lang, sector)


def theme_label(theme, lang: str | None = None) -> str:
    """A theme name as a reader sees it: ``child labour`` / ``kinderarbeid``."""
    if _missing(theme):
        return ""
    return _vocabulary.theme_label(str(theme), resolve_lang(lang))


def commodity_label(commodity, lang: str | None = None) -> str:
    """A commodity as a reader sees it: the key in English tables (``oil_palm``), its name in Dutch (``oliepalm``)."""
    if _missing(commodity):
        return ""
    lang = resolve_lang(lang)
    return str(commodity) if lang == "en" else _vocabulary.commodity_label(str(commodity), lang)


def term_label(kind: str, term, lang: str | None = None) -> str:
    """A term of ``datasets/vocabulary/terms.csv`` (``severity`` ``warning`` → "waarschuwing"); unknown terms stay."""
    if _missing(term):
        return ""
    return _vocabulary.term_label(kind, str(term), resolve_lang(lang))


def country_label(code, lang: str | None = None) -> str:
    """A country's name from its ISO alpha-2 code: "Côte d'Ivoire" / "Ivoorkust" (ISO 3166 via pycountry)."""
    if _missing(code) or not str(code):
        return ""
    from riskgraph.chain.countries import country_name

    return country_name(str(code), resolve_lang(lang))


def header_label(column, lang: str | None = None) -> str:
    """A column header: the name in English, its Dutch word in Dutch (stage and country codes stay)."""
    text = str(column)
    if resolve_lang(lang) == "nl":
        return _vocabulary.term_label("header", text, "nl")
    return text


# --------------------------------------------------------------------------- sentences

class Phrase(str):
    """A sentence with numbers, in English, that can be said in another language.

    ``Phrase("hotspot.relevance", stage="mine_asm", relevance=1.0, minimum=0.5)``
    is the English sentence of that template of ``datasets/vocabulary/phrases.csv``
    — a ``str``, so the API's data stay English text that compares, joins
    and serialises as text — and :meth:`text` gives the same sentence in
    Dutch, from the Dutch template, with the same values: numbers as
    ``1.127,5``, stages, themes and commodities by their Dutch labels. The
    presentation layer (terminal tables, reports, maps) calls :func:`say` on
    what it shows; CSV and JSON carry the English text.

    Placeholders: ``{name}`` (text as given; numbers by :func:`format_number`),
    ``{name:KIND}`` with a number kind (``share``, ``likelihood``, ``exposure``,
    ``volume``, ``count``, ``plain``) or a label kind (``stage``, ``theme``,
    ``commodity``, ``category``, ``country_name`` or ``term:<kind>``), or a
    Python format spec (``{share:.1%}``) whose digits follow the language.
    A value may itself be a :class:`Phrase` or a list of them.
    """

    __slots__ = ("key", "values")  # no per-sentence __dict__: a chain's findings and reasons number in the 100 000s

    def __new__(cls, key: str, /, **values):
        self = super().__new__(cls, _render(key, "en", values))
        self.key = key
        self.values = values
        return self

    def text(self, lang: str | None = None) -> str:
        """The sentence in ``lang`` (default: the command's language)."""
        lang = resolve_lang(lang)
        return str.__str__(self) if lang == "en" else _render(self.key, lang, self.values)

    def __reduce__(self):
        return (_phrase, (self.key, self.values))

    @classmethod
    def join(cls, parts, sep: str = "; ") -> "Phrase":
        """Phrases joined with ``sep``: one text in English that is said part by part in another language."""
        return cls("_join", parts=list(parts), sep=sep)


def _phrase(key: str, values: dict) -> Phrase:
    return Phrase(key, **values)


@lru_cache(maxsize=None)
def _template(key: str, lang: str) -> tuple:
    """A template as ``(literal, field, spec)`` triples, parsed once."""
    from string import Formatter

    templates = _vocabulary.phrase_templates(lang)
    if key not in templates:
        from riskgraph.errors import RiskGraphError

        raise RiskGraphError(f"no phrase {key!r} in datasets/vocabulary/phrases.csv")
    return tuple((literal, field, spec or "") for literal, field, spec, _ in Formatter().parse(templates[key]))


_LABELS = {"stage": lambda v, lang: stage_label(v, lang), "theme": lambda v, lang: theme_label(v, lang),
           "commodity": lambda v, lang: commodity_label(v, lang), "category": lambda v, lang: category_label(v, lang),
           "country_name": lambda v, lang: country_label(v, lang)}
_NUMBER_KINDS = {"share", "likelihood", "exposure", "volume", "count", "plain", "float", "coordinate", "z"}


def _say_number(value, spec: str, lang: str) -> str:
    if spec in _NUMBER_KINDS:
        return format_number(value, spec, lang)
    if not spec:
        if not math.isfinite(float(value)):
            return format_number(value, "float", lang)
        return format_number(value, "plain" if float(value) == int(value) else "float", lang)
    text = format(value, spec)
    return text if lang == "en" else _grouped(text, lang)


def _say_value(value, spec: str, lang: str) -> str:
    kind = type(value)
    if kind is float or kind is int or (kind is not Phrase and isinstance(value, float)):  # the common case first
        return _say_number(value, spec, lang) if spec not in _LABELS else _LABELS[spec](value, lang)
    if kind is Phrase:
        return value.text(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(_say_value(v, spec, lang) for v in value)
    if spec in _LABELS:
        return _LABELS[spec](value, lang)
    if spec.startswith("term:"):
        return term_label(spec[5:], value, lang)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # NumPy numbers
        return _say_number(value, spec, lang)
    return str(value)  # text (or "?" for a number that is not there) as given


@lru_cache(maxsize=None)
def _english(key: str) -> tuple[str, dict, tuple]:
    """The English template as a ``str.format`` string, the fields of label or number kinds, the bare fields.

    Reasons are built by the hundred thousand on large chains: their English
    text is formatted in C; only label and number kinds, and lists or floats
    in a bare ``{field}``, go through :func:`_say_value`.
    """
    out, kinds, bare = [], {}, []
    for literal, field, spec in _template(key, "en"):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if spec in _LABELS or spec in _NUMBER_KINDS or spec.startswith("term:"):
            kinds[field] = spec
            out.append("{" + field + "}")
        else:
            if not spec:
                bare.append(field)
            out.append("{" + field + (":" + spec if spec else "") + "}")
    return "".join(out), kinds, tuple(bare)


def _render(key: str, lang: str, values: dict) -> str:
    if key == "_join":
        return values["sep"].join(_say_value(part, "", lang) for part in values["parts"])
    if lang == "en":
        text, kinds, bare = _english(key)
        if not kinds and not bare:
            return text.format(**values)
        said = {field: _say_value(values[field], spec, lang) for field, spec in kinds.items()}
        for field in bare:
            value = values[field]
            if isinstance(value, (float, list, tuple)) or type(value).__module__ == "numpy":
                said[field] = _say_value(value, "", lang)
        return text.format(**{**values, **said})
    return _render_parts(key, lang, values)


def _render_parts(key: str, lang: str, values: dict) -> str:
    """The template said part by part (every language; English takes the quicker way of :func:`_english`)."""
    return "".join([literal if field is None else literal + _say_value(values[field], spec, lang)
                    for literal, field, spec in _template(key, lang)])


def frame_with_phrases(rows: list[dict], columns: list, phrases) -> "pd.DataFrame":
    """``pd.DataFrame(rows, columns=columns)`` whose ``phrases`` columns keep their :class:`Phrase` objects.

    pandas stores a column of text as its ``str`` dtype, which keeps only
    the English text; these columns are made ``object`` so that tables and
    reports can still say them in another language.
    """
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    for column in phrases:
        frame[column] = pd.Series([row.get(column) for row in rows], index=frame.index, dtype=object)
    return frame


def say(value, lang: str | None = None):
    """What a reader sees of a value in ``lang``: a :class:`Phrase` in that language, lists said item by item.

    Anything else is returned as it is.
    """
    if isinstance(value, Phrase):
        return value.text(lang)
    if isinstance(value, list):
        return [say(v, lang) for v in value]
    return value


def phrase(key: str, lang: str | None = None, /, **values) -> str:
    """The template ``key`` said in ``lang`` with ``values`` (a title, a note): ``phrase("info.title", name=…)``."""
    return _render(key, resolve_lang(lang), values)


# --------------------------------------------------------------------------- numbers

def column_kind(name, values=None) -> str:
    """The kind of a column, from its name (and its values when the name says nothing).

    One of ``share``, ``likelihood``, ``exposure``, ``volume``, ``coordinate``, ``z``,
    ``count``, ``float`` or ``text``.
    """
    name = str(name)
    if name in SHARE_COLUMNS or name.endswith("_share") or name.endswith("_pct"):
        return "share"
    if name in LIKELIHOOD_COLUMNS:
        return "likelihood"
    if name in EXPOSURE_COLUMNS:
        return "exposure"
    if name in VOLUME_COLUMNS or name.endswith("_kg"):
        return "volume"
    if name in COORDINATE_COLUMNS:
        return "coordinate"
    if name.endswith("_z") or name == "z":
        return "z"
    if values is None:
        return "text"
    import pandas as pd

    if name in PLAIN_COLUMNS and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "plain"

    if pd.api.types.is_bool_dtype(values):
        return "text"
    if pd.api.types.is_integer_dtype(values):
        return "count"
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        return "count" if len(finite) and bool((finite == finite.round()).all()) and name in {
            "count", "actors", "flows", "members", "points"} else "float"
    return "text"


def _grouped(text: str, lang: str) -> str:
    """``1,127.5`` in English, ``1.127,5`` in Dutch."""
    if lang == "nl":
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_number(value, kind: str = "float", lang: str | None = None) -> str:
    """A number as a reader sees it, by kind; never in scientific notation.

    >>> format_number(0.12345, "share")
    '12.3%'
    >>> format_number(1127.5, "volume", "nl")
    '1.127,5'
    >>> format_number(9.913e-05, "exposure")
    '0.0001'
    >>> format_number(0.0, "exposure")
    '0'
    >>> format_number(2e-06, "exposure")
    '<0.0001'
    """
    if value is None or isinstance(value, str):
        return "" if value is None else value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    lang = resolve_lang(lang)
    if number == 0 and kind in ("exposure", "likelihood"):
        return "0"
    if kind == "plain":  # years, row numbers, ranks: no separators
        return f"{number:.0f}" if number == round(number) else f"{number:g}"
    if kind == "count":
        return _grouped(f"{number:,.0f}", lang) if number == round(number) else _grouped(f"{number:,.1f}", lang)
    if kind == "share":
        number *= 100
        digits = DIGITS["share"] if abs(number) >= 1 or number == 0 else 2  # 0.04%, not <0.1%
        suffix = "%"
    else:
        digits = DIGITS.get(kind)
        suffix = ""
        if digits is None:  # a float of no known kind: 3 significant digits, positional
            magnitude = math.floor(math.log10(abs(number))) if number else 0
            digits = min(max(2 - magnitude, 0), 6)
    text = f"{number:,.{digits}f}"
    if number and float(text.replace(",", "")) == 0:
        text = f"<{10 ** -digits:.{digits}f}" if number > 0 else f">-{10 ** -digits:.{digits}f}"
    elif text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return _grouped(text, lang) + suffix


def round_meaningful(value):
    """A float rounded at its last meaningful digit: binary noise gone, every real digit kept.

    >>> round_meaningful(490.29999999999995)
    490.3
    >>> round_meaningful(0.1 + 0.2)
    0.3
    """
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    return value


def rounded(frame):
    """A copy of a DataFrame with every float column rounded by :func:`round_meaningful` (for CSV/JSON)."""
    import numpy as np

    floats = [c for c in frame.columns if frame[c].dtype.kind == "f"]
    if not floats:
        return frame
    out = frame.copy()
    for column in floats:
        values = out[column].to_numpy(dtype=float, copy=True)
        finite = np.isfinite(values) & (values != 0)
        magnitude = np.zeros_like(values)
        magnitude[finite] = np.floor(np.log10(np.abs(values[finite])))
        # round to 12 significant digits, column-wise (decimals differ per value)
        decimals = np.clip(11 - magnitude, 0, 300).astype(int)
        for d in np.unique(decimals[finite]):
            mask = finite & (decimals == d)
            values[mask] = np.round(values[mask], int(d))
        out[column] = values
    return out


def format_cell(value, kind: str, column: str, lang: str) -> str:
    """One cell of a terminal table: numbers by kind, labels and sentences translated, lists joined."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(say(v, lang)) for v in value)
    if isinstance(value, Phrase):
        return value.text(lang)
    if isinstance(value, float) and math.isnan(value):
        return ""
    if str(value) in {"<NA>", "nan", "NaT"}:
        return ""
    if kind != "text" and not isinstance(value, (str, bool)):
        return format_number(value, kind, lang)
    if column in CATEGORY_COLUMNS:
        return category_label(value, lang)
    if lang != "en":
        if column in STAGE_COLUMNS:
            return stage_label(value, lang)
        if column in THEME_COLUMNS:
            return theme_label(value, lang)
        if column in COMMODITY_COLUMNS:
            return commodity_label(value, lang)
        if column in TERM_COLUMNS:
            return term_label(TERM_COLUMNS[column], value, lang)
        if isinstance(value, bool) or (type(value).__module__ == "numpy" and "bool" in type(value).__name__):
            return term_label("boolean", str(bool(value)), lang)
    elif column == "fact":
        return term_label("fact", value, lang)
    return str(value)


# --------------------------------------------------------------------------- tables

def terminal_width(default: int = 160) -> int:
    """Width to fit: ``COLUMNS`` when set, else the terminal's, else ``default`` (output to a file or pipe)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    import sys

    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((default, 24)).columns
    return default


def _text_widths(natural: list[int], minimum: list[int], room: int) -> list[int] | None:
    """Share ``room`` characters among text columns: the widest give way first, none below its minimum."""
    widths = list(natural)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - minimum[i] > 0, widths[i]))
        if widths[widest] <= minimum[widest]:
            return None
        widths[widest] -= 1
    return widths


def render_table(frame, *, title: str | None = None, width: int | None = None, lang: str | None = None,
                 kinds: dict | None = None, default_kind: str | None = None, floatfmt: str | None = None,
                 ascii_only: bool = False) -> str:
    """A DataFrame as a terminal table that fits ``width`` characters, as text.

    Parameters
    ----------
    frame : DataFrame
    title : str, optional
    width : int, optional
        Characters per line; default :func:`terminal_width`.
    lang : {"en", "nl"}, optional
    kinds : dict, optional
        Column → kind (see :func:`column_kind`), overriding what the names say.
    default_kind : str, optional
        Kind of the numeric columns the names say nothing about (e.g. the
        country columns of a matrix are ``exposure``).
    floatfmt : str, optional
        A format (``"{:.3f}"``) for the float columns of no known kind.

    Returns
    -------
    str
        The table; no line is longer than ``width``; no number is cut or
        wrapped. Text cells longer than their column end in ``…``. Columns
        that do not fit are left out from the right, named in a last line.
    """
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    lang = resolve_lang(lang)
    width = width or terminal_width()
    kinds = dict(kinds or {})
    columns = list(frame.columns)
    kind_of = {}
    for column in columns:
        kind = kinds.get(column) or column_kind(column, frame[column])
        if kind == "float" and default_kind:
            kind = default_kind
        kind_of[column] = kind
    cells = {column: [format_cell(v, kind_of[column], str(column), lang) for v in frame[column].tolist()]
             for column in columns}
    if floatfmt:
        for column in columns:
            if kind_of[column] == "float":
                cells[column] = ["" if v is None or v != v else _grouped(floatfmt.format(v).replace(",", ""), lang)
                                 for v in frame[column].tolist()]
    headers = {column: header_label(column, lang) for column in columns}
    numeric = {c for c in columns if kind_of[c] != "text"}

    def needed(column) -> int:
        longest = max((len(v) for v in cells[column]), default=0)
        if column in numeric:
            return max(longest, min(len(headers[column]), 12), 1)
        return max(longest, len(headers[column]), 1)

    def minimum(column) -> int:
        if column in numeric or str(column) in ID_COLUMNS:
            return needed(column)
        # a text column holding numbers (or text that starts with one): no number is cut either
        numbers = [len(m.group(0)) + (len(v) > len(m.group(0))) for v in cells[column]
                   for m in [_LEADING_NUMBER.match(v)] if m]
        if numbers and str(column) not in PROSE_COLUMNS:
            return max(max(numbers), min(needed(column), 8))
        if str(column) in STAGE_COLUMNS | THEME_COLUMNS | CATEGORY_COLUMNS:  # labels a reader scans: kept whole
            return min(needed(column), 28)
        return min(needed(column), 12 if str(column) in PROSE_COLUMNS else 8)

    shown = list(columns)
    left_out: list = []
    while True:
        gaps = 3 * max(len(shown) - 1, 0)  # " │ " between columns
        fixed = sum(needed(c) for c in shown if c in numeric)
        text_columns = [c for c in shown if c not in numeric]
        room = width - gaps - fixed
        widths = _text_widths([needed(c) for c in text_columns], [minimum(c) for c in text_columns], room) \
            if room >= 0 else None
        if widths is not None or len(shown) <= 1:
            break
        left_out.insert(0, shown.pop())
    width_of = {c: needed(c) for c in shown if c in numeric}
    if widths is not None:
        width_of.update(zip(text_columns, widths))
    else:  # a single column wider than the terminal
        width_of = {c: max(min(needed(c), width), 1) for c in shown}

    table = Table(box=box.ASCII2 if ascii_only else
                  box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), collapse_padding=False,
                  expand=False)
    for column in shown:
        prose = str(column) in PROSE_COLUMNS
        table.add_column(Text(headers[column]), justify="right" if column in numeric else "left",
                         width=width_of[column], no_wrap=not prose,
                         overflow="ellipsis")
    for i in range(len(frame)):
        table.add_row(*(Text(cells[c][i]) for c in shown))
    buffer = StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False,
            soft_wrap=False).print(table)
    text = buffer.getvalue().rstrip("\n")
    lines = [line.rstrip() for line in text.split("\n")]
    if title:  # the title wraps at the terminal's width, not the table's
        import textwrap

        lines = textwrap.wrap(title, width=width, break_long_words=False, break_on_hyphens=False) + lines
    if left_out:
        note = ("niet getoond" if lang == "nl" else "not shown") + ": " + ", ".join(
            headers[c] for c in left_out) + " (--format csv)"
        lines.append(note if len(note) <= width else note[: width - 1] + "…")
    return "\n".join(lines)


def group_findings(issues, *, first: int = 3, lang: str | None = None):
    """Findings grouped by severity, file and reason: a count and the first rows of each group.

    Fifty identical ``missing_volume`` rows read as one line: ``warning
    flows.csv missing_volume 50 rows 4, 9, 12 …``, with the first message.
    """
    import pandas as pd

    columns = ["severity", "file", "reason", "count", "first rows", "message"]
    if issues is None or len(issues) == 0:
        return pd.DataFrame(columns=columns)
    records = []
    for (severity, file, reason), group in issues.groupby(["severity", "file", "reason"], sort=False,
                                                           dropna=False):
        rows = [str(int(r)) for r in group["row"].tolist() if not pd.isna(r)]
        shown = ", ".join(rows[:first]) + (" …" if len(rows) > first else "")
        records.append({"severity": severity, "file": file, "reason": str(reason), "count": len(group),
                        "first rows": shown, "message": group["message"].iloc[0]})
    frame = frame_with_phrases(records, columns, ["message"])  # the first message, said in the table's language
    order = {"error": 0, "warning": 1}
    return frame.sort_values(["severity", "count"], key=lambda s: s.map(order).fillna(2) if s.name == "severity"
                             else -s, kind="stable").reset_index(drop=True)


__all__ = [
    "LANG_ENV", "Phrase", "category_label", "column_kind", "commodity_label", "country_label", "format_cell",
    "format_number", "frame_with_phrases", "group_findings", "header_label", "phrase", "render_table", "resolve_lang", "round_meaningful",
    "rounded", "say", "stage_label", "term_label", "terminal_width", "theme_label", "use_language",
]
