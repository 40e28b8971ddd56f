"""Printing and writing results: tables on the terminal, CSV/JSON on stdout, files by extension.

Shared by the command line and usable from notebooks. Diagnostics go to
stderr so that stdout stays clean data for pipes.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError

WRITABLE = (".csv", ".parquet", ".xlsx", ".json")


def stderr(message: str) -> None:
    """A diagnostic line on stderr."""
    print(message, file=sys.stderr)


def _plain(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value


def to_jsonable(value):
    """Numbers, NaN and pandas NA made JSON-safe (NaN → null)."""
    if isinstance(value, pd.DataFrame):
        return [_plain(r) for r in value.astype(object).to_dict("records")]
    return _plain(value)


def print_json(value) -> None:
    """Exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def emit_table(frame: pd.DataFrame, *, title: str | None = None, fmt: str = "table", floatfmt: str = "{:.4g}") -> None:
    """Print a DataFrame as a rich table (``table``), CSV or JSON records on stdout."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
        return
    if fmt == "json":
        print_json(frame)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title) if title else None, title_justify="left", show_lines=False)
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                cells.append("")
            elif isinstance(value, float):
                cells.append(floatfmt.format(value))
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    console = Console()
    # Piped output is not wrapped to 80 columns: a file or pager shows it whole.
    Console(soft_wrap=False, width=console.width if console.is_terminal else 220).print(table)


def write_frame(frame: pd.DataFrame, path: Path | str, *, sheet: str = "data") -> Path:
    """Write a DataFrame to a file chosen by extension: .csv, .parquet, .xlsx or .json."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise InputError(f"cannot write '{suffix or path.name}': use one of {', '.join(WRITABLE)}", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
            frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    else:
        path.write_text(json.dumps(to_jsonable(frame), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
