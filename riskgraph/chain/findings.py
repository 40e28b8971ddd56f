"""What validation finds and what it hands back: reasons, raw tables, the report.

:mod:`riskgraph.chain.validate` runs the checks; this module holds the words
of its answer — the :class:`Reason` codes, the :class:`RawTable` a reader
hands in, the :class:`ValidationReport` it hands back — and the collector
of findings the checks fill in (rows, messages and quarantine).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pandas as pd

from riskgraph.formatting import Phrase, resolve_lang, say
from riskgraph.output import excel_writer, write_csv

class Reason(str, Enum):
    """Why a row was rejected or flagged. The value is the code used in reports."""

    missing_column = "missing_column"
    empty_id = "empty_id"
    duplicate_id = "duplicate_id"
    unknown_sector = "unknown_sector"
    unknown_stage = "unknown_stage"
    unknown_country = "unknown_country"
    country_stated_unknown = "country_stated_unknown"
    non_numeric_coordinate = "non_numeric_coordinate"
    impossible_coordinate = "impossible_coordinate"
    swapped_coordinates = "swapped_coordinates"
    incomplete_coordinates = "incomplete_coordinates"
    dangling_flow = "dangling_flow"
    self_loop = "self_loop"
    non_numeric_volume = "non_numeric_volume"
    negative_volume = "negative_volume"
    missing_volume = "missing_volume"
    non_numeric_year = "non_numeric_year"
    duplicate_flow = "duplicate_flow"
    invalid_geometry = "invalid_geometry"
    non_numeric_value = "non_numeric_value"
    negative_value = "negative_value"
    plot_without_actor = "plot_without_actor"
    unknown_theme = "unknown_theme"
    score_out_of_range = "score_out_of_range"
    non_finite_number = "non_finite_number"
    implausible_number = "implausible_number"
    unterminated_quote = "unterminated_quote"
    duplicate_sheet = "duplicate_sheet"

    def __str__(self) -> str:  # plain code in tables and JSON
        return self.value


ERROR, WARNING = "error", "warning"
ISSUE_COLUMNS = ["severity", "file", "row", "column", "value", "reason", "message"]


@dataclass
class RawTable:
    """A table as read from a file, before cleaning.

    ``frame`` holds the cells as text (``NaN`` for empty cells) under
    normalised column names; ``rows`` the row number of each record as the
    user sees it in the file (line 2 is the first data row of a CSV or sheet).
    """

    name: str
    file: str
    frame: pd.DataFrame
    rows: np.ndarray
    original_columns: dict[str, str] = field(default_factory=dict)
    empty_rows: int = 0
    #: What the reader found before validation: ``{position, column, reason, message}`` per
    #: finding (``position`` in ``frame``, ``None`` for the whole file); each is an error.
    notes: list[dict] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Everything validation found, and the rows it set aside.

    Attributes
    ----------
    issues : DataFrame
        One row per finding: ``severity, file, row, column, value, reason,
        message``. ``row`` is empty for findings about a whole file.
    quarantine : dict of DataFrame
        Per table, the rejected rows with their original values plus ``row``
        (row number in the file) and ``reasons``.
    counts : DataFrame
        Per table: ``file, rows_in, accepted, quarantined, empty_rows``.
    """

    issues: pd.DataFrame
    quarantine: dict[str, pd.DataFrame]
    counts: pd.DataFrame

    @property
    def errors(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == ERROR].reset_index(drop=True)

    @property
    def warnings(self) -> pd.DataFrame:
        return self.issues[self.issues["severity"] == WARNING].reset_index(drop=True)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not (self.issues["severity"] == ERROR).any()

    @property
    def failure_cases(self) -> pd.DataFrame:
        """Alias of :attr:`issues`, named as pandera names it."""
        return self.issues

    def reason_counts(self) -> pd.DataFrame:
        """Number of findings per severity, file and reason."""
        if self.issues.empty:
            return pd.DataFrame(columns=["severity", "file", "reason", "count"])
        return (
            self.issues.groupby(["severity", "file", "reason"], sort=True)
            .size()
            .rename("count")
            .reset_index()
        )

    def quarantined_rows(self) -> pd.DataFrame:
        """All quarantined rows in one long table: ``file, row, reasons, record`` (record as JSON)."""
        parts = []
        for table, frame in self.quarantine.items():
            if frame.empty:
                continue
            values = frame.drop(columns=["file", "row", "reasons"])
            records = [
                json.dumps({k: v for k, v in rec.items() if v is not None and v == v}, ensure_ascii=False)
                for rec in values.astype(object).to_dict("records")
            ]
            parts.append(
                pd.DataFrame(
                    {"table": table, "file": frame["file"], "row": frame["row"],
                     "reasons": frame["reasons"], "record": records}
                )
            )
        if not parts:
            return pd.DataFrame(columns=["table", "file", "row", "reasons", "record"])
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict:
        """A JSON-ready summary: ok, counts per table, counts per reason, every issue."""
        issues = self.issues.astype(object).where(self.issues.notna(), None)
        return {
            "ok": self.ok,
            "errors": int((self.issues["severity"] == ERROR).sum()),
            "warnings": int((self.issues["severity"] == WARNING).sum()),
            "tables": self.counts.to_dict("records"),
            "reasons": self.reason_counts().to_dict("records"),
            "issues": issues.to_dict("records"),
        }

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), default=_json_default, ensure_ascii=False, **kwargs)

    def write_quarantine(self, path, *, lang: str | None = None) -> None:
        """Write quarantined rows: ``.xlsx`` (a sheet per table), ``.csv`` (long form) or a folder of CSVs.

        A workbook is read by people: its reasons and messages are said in
        ``lang`` (default: the command's language, see
        :func:`riskgraph.formatting.resolve_lang`). CSV files are read by
        scripts and stay English.
        """
        from pathlib import Path

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            lang = resolve_lang(lang)
            with excel_writer(path) as writer:
                for table, frame in self.quarantine.items():
                    _said(frame, "reasons", lang).to_excel(writer, sheet_name=table, index=False)
                _said(self.issues, "message", lang).to_excel(writer, sheet_name="issues", index=False)
        elif suffix == ".csv":
            write_csv(self.quarantined_rows(), path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            for table, frame in self.quarantine.items():
                write_csv(frame, path / f"{table}.csv")
            write_csv(self.issues, path / "issues.csv")


def _said(frame: pd.DataFrame, column: str, lang: str) -> pd.DataFrame:
    """``frame`` with the sentences of ``column`` in ``lang`` (the frame itself in English)."""
    if lang == "en" or column not in frame.columns:
        return frame
    out = frame.copy()
    out[column] = pd.Series([say(v, lang) for v in frame[column]], index=frame.index, dtype=object)
    return out


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return str(value)


# --------------------------------------------------------------------------- helpers


class _Findings:
    """Collects findings and error masks per table while the checks run."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.errors: dict[str, np.ndarray] = {}
        self.reasons: dict[str, list[tuple[np.ndarray, list]]] = {}  # per table: positions, messages

    def add(self, raw: RawTable, mask, *, column, reason: Reason, message, severity=ERROR, value=None):
        """Findings on the rows of ``mask``: ``message`` is one text for all, or a function of the positions.

        The messages are :class:`~riskgraph.formatting.Phrase` objects (English
        text that a table or workbook can say in Dutch), prefixed with the
        file and the row number.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if value is None:
            value = raw.frame[column] if column in raw.frame.columns else pd.Series(pd.NA, index=raw.frame.index)
        values = pd.Series(value).reset_index(drop=True)[mask]
        positions = np.flatnonzero(mask)
        if isinstance(message, str):
            messages = [message] * len(positions)
        elif callable(message):
            messages = list(message(positions))
        else:
            messages = list(pd.Series(message, dtype=object).reset_index(drop=True)[mask])
        label = raw.original_columns.get(column, column)
        rows = raw.rows[mask]
        frame = pd.DataFrame(
            {
                "severity": severity,
                "file": raw.file,
                "row": rows,
                "column": label,
                "value": values.astype("object").to_numpy(),
                "reason": reason.value,
            }
        )
        frame["message"] = pd.Series([Phrase("validate.row", file=raw.file, row=int(r), message=m)
                                      for r, m in zip(rows.tolist(), messages)], index=frame.index, dtype=object)
        self.parts.append(frame)
        if severity == ERROR:
            current = self.errors.setdefault(raw.name, np.zeros(len(raw.frame), dtype=bool))
            current |= mask
            self.reasons.setdefault(raw.name, []).append((positions, messages))

    def add_file(self, raw: RawTable, *, column, reason: Reason, message, severity=ERROR):
        frame = pd.DataFrame(
            [{"severity": severity, "file": raw.file, "row": pd.NA, "column": column,
              "value": None, "reason": reason.value}]
        )
        frame["message"] = pd.Series([Phrase("validate.file", file=raw.file, message=message)], dtype=object)
        self.parts.append(frame)

    def error_mask(self, raw: RawTable) -> np.ndarray:
        return self.errors.get(raw.name, np.zeros(len(raw.frame), dtype=bool))

    def issues(self) -> pd.DataFrame:
        if not self.parts:
            frame = pd.DataFrame(columns=ISSUE_COLUMNS)
        else:
            frame = pd.concat(self.parts, ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        order = {ERROR: 0, WARNING: 1}
        frame = frame.assign(_o=frame["severity"].map(order)).sort_values(
            ["_o", "file", "row"], kind="stable", na_position="first"
        )
        return frame.drop(columns="_o").reset_index(drop=True)[ISSUE_COLUMNS]

    def quarantine(self, raw: RawTable) -> pd.DataFrame:
        mask = self.error_mask(raw)
        original = raw.frame.loc[mask].rename(columns=raw.original_columns)
        reasons = pd.Series([[] for _ in range(int(mask.sum()))], index=original.index, dtype=object)
        for positions, messages in self.reasons.get(raw.name, []):
            for index, message in zip(positions, messages):
                reasons.at[index] = reasons.at[index] + [message]
        out = original.copy()
        out.insert(0, "reasons", pd.Series([r[0] if len(r) == 1 else Phrase.join(r) for r in reasons],
                                             index=out.index, dtype=object))
        out.insert(0, "row", raw.rows[mask])
        out.insert(0, "file", raw.file)
        return out.reset_index(drop=True)
