"""Bounds on what a reader accepts, checked before the file is parsed.

A 35 KB workbook with a single cell at XFD1048576 makes a spreadsheet reader
allocate the whole 17-billion-cell rectangle; a 10 MB CSV with a million
columns makes a DataFrame of a million columns; a zip bomb inflates 1 MB to
hundreds. Every reader of riskgraph (chains, supplier lists, CMRT and RMI
grids, Open Supply Hub exports, plot files) first calls the checks here,
which look at the file without loading it:

* workbooks (.xlsx, .xlsm): the zip central directory (:mod:`zipfile`) for
  the uncompressed size and compression ratio, then each sheet's XML,
  streamed, for its ``<dimension>`` and the farthest cell reference, so that
  ``rows × columns`` of the rectangle a reader would allocate is known;
* .xls (BIFF): the file size (a BIFF sheet has at most 65 536 × 256 cells);
* CSV: the header's length and column count, and the longest line;
* GeoJSON: the size, the nesting depth and the number of vertices.

A file past a limit is refused with one line naming the file, what was too
large and the limit, and how to raise it (an environment variable or
:func:`use_limits`). The defaults fit a laptop and the largest real files
the project has seen (a few hundred thousand flows): see :class:`ReadLimits`.
"""
from __future__ import annotations

import html
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from riskgraph.errors import InputError

_MB = 2**20


@dataclass(frozen=True)
class ReadLimits:
    """What a reader accepts. Each field can be set with ``RISKGRAPH_<FIELD>`` (upper case).

    Attributes
    ----------
    max_cells : int
        Rows × columns of the used range of one sheet (default 2 000 000).
    max_uncompressed_bytes : int
        Uncompressed size of a workbook's parts, or size of a text file (default 200 MB).
    max_compression_ratio : float
        Uncompressed / compressed size of a workbook (default 100; real
        workbooks are 5–20, zip bombs 200 and more).
    max_columns : int
        Columns of a CSV file (default 16 384, Excel's own limit).
    max_header_bytes : int
        Length of a CSV header line (default 64 KB).
    max_line_bytes : int
        Length of any CSV line (default 4 MB; a polygon as GeoJSON text in a cell fits).
    max_json_depth : int
        Nesting of a GeoJSON document (default 64; GeoJSON itself needs 7).
    max_vertices : int
        Coordinate pairs in a GeoJSON file (default 20 000 000).
    """

    max_cells: int = 2_000_000
    max_uncompressed_bytes: int = 200 * _MB
    max_compression_ratio: float = 100.0
    max_columns: int = 16_384
    max_header_bytes: int = 64 * 1024
    max_line_bytes: int = 4 * _MB
    max_json_depth: int = 64
    max_vertices: int = 20_000_000

    @classmethod
    def from_env(cls) -> "ReadLimits":
        values = {}
        for f in fields(cls):
            text = os.environ.get(f"RISKGRAPH_{f.name.upper()}")
            if text:
                try:
                    values[f.name] = float(text) if f.type == "float" else int(float(text))
                except ValueError:
                    raise InputError(f"RISKGRAPH_{f.name.upper()} must be a number, not {text!r}") from None
        return cls(**values)


_current: ReadLimits | None = None


def limits() -> ReadLimits:
    """The limits in force: :func:`use_limits` inside its block, else the environment's, else the defaults."""
    return _current if _current is not None else ReadLimits.from_env()


@contextmanager
def use_limits(**changes):
    """Read with other limits inside a ``with`` block: ``with use_limits(max_cells=10_000_000): …``."""
    global _current
    previous = _current
    _current = replace(limits(), **changes)
    try:
        yield _current
    finally:
        _current = previous


def _refuse(path, what: str, value, limit, field: str) -> InputError:
    shown = f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)
    return InputError(f"{what} ({shown}) exceeds the limit of {limit:,.0f}; "
                      f"set RISKGRAPH_{field.upper()} to read it anyway", path=path)


# --------------------------------------------------------------------------- workbooks

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})?([0-9]{1,7})?(?::([A-Z]{1,3})([0-9]{1,7}))?"')


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16 384.

    >>> column_number("A"), column_number("XFD")
    (1, 16384)
    """
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(char) - 64
    return number


def sheet_extent(book: zipfile.ZipFile, member: str, *, stop_at: int | None = None) -> tuple[int, int]:
    """Rows and columns of the rectangle from A1 to the farthest cell of one sheet's XML, streamed.

    Both the declared ``<dimension>`` and every ``<c r="…">`` and ``<row r="…">``
    count (a file may lie in its dimension). Stops early once
    ``rows × columns`` passes ``stop_at``.
    """
    rows = columns = 0
    tail = b""
    with book.open(member) as handle:
        while True:
            chunk = handle.read(_MB)
            if not chunk:
                break
            text = tail + chunk
            for match in _DIMENSION.finditer(text):
                for letters, number in ((match.group(1), match.group(2)), (match.group(3), match.group(4))):
                    if letters:
                        columns = max(columns, column_number(letters))
                    if number:
                        rows = max(rows, int(number))
            for match in _CELL_REF.finditer(text):
                columns = max(columns, column_number(match.group(1)))
                rows = max(rows, int(match.group(2)))
            for match in _ROW_REF.finditer(text):
                rows = max(rows, int(match.group(1)))
            tail = text[-256:]
            if stop_at is not None and rows * columns > stop_at:
                break
    return rows, columns


_checked: dict[tuple, bool] = {}


def check_workbook(path: Path | str) -> None:
    """Refuse a workbook that is not one, is truncated, or would not fit in memory when read.

    A workbook that passed is remembered (by path, size, modification time and
    limits), as importers open one file several times.

    Raises
    ------
    InputError
        One line: the file, what is wrong or too large, the limit.
    """
    path = Path(path)
    bound = limits()
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, bound)
    if key in _checked:
        return
    _check_workbook(path, bound, stat.st_size)
    if len(_checked) > 256:
        _checked.clear()
    _checked[key] = True


def _check_workbook(path: Path, bound: ReadLimits, size: int) -> None:
    if path.suffix.lower() in (".xls",):
        with path.open("rb") as handle:
            magic = handle.read(8)
        if magic != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise InputError("is not an Excel 97–2003 workbook (.xls): the file does not start like one", path=path)
        if size > bound.max_uncompressed_bytes:
            raise _refuse(path, "file size in bytes", size, bound.max_uncompressed_bytes, "max_uncompressed_bytes")
        return
    if path.suffix.lower() == ".ods":
        pass  # an OpenDocument spreadsheet is a zip archive too
    try:
        book = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError("is not a readable workbook: not a complete zip archive (truncated, or not an .xlsx "
                         "file?)", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot be opened ({exc.strerror or exc})", path=path) from None
    with book:
        entries = book.infolist()
        total = sum(e.file_size for e in entries)
        packed = sum(e.compress_size for e in entries)
        if total > bound.max_uncompressed_bytes:
            raise _refuse(path, "uncompressed size in bytes", total, bound.max_uncompressed_bytes,
                          "max_uncompressed_bytes")
        # Small parts compress extremely well (empty XML); the ratio matters from 1 MB on.
        if total > _MB and total > bound.max_compression_ratio * max(packed, 1):
            raise _refuse(path, f"compression ratio {total / max(packed, 1):,.0f}:1", total / max(packed, 1),
                          bound.max_compression_ratio, "max_compression_ratio")
        sheets = [e.filename for e in entries
                  if re.match(r"xl/worksheets/[^/]+\.xml$", e.filename) or e.filename == "content.xml"]
        names = _sheet_names(book)
        for member in sheets:
            try:
                rows, columns = sheet_extent(book, member, stop_at=bound.max_cells)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise InputError(f"is not a readable workbook: {member} is damaged ({exc})", path=path) from None
            if rows * columns > bound.max_cells:
                name = names.get(member, member.rsplit("/", 1)[-1])
                raise _refuse(path, f"sheet {name!r} spans {rows:,} rows × {columns:,} columns, cells", rows * columns,
                              bound.max_cells, "max_cells")


def _sheet_names(book: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name as the user sees it (from xl/workbook.xml and its relationships)."""
    try:
        workbook = book.read("xl/workbook.xml").decode("utf-8", errors="replace")
        links = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"',
                                                            links)}
    out = {}
    for match in re.finditer(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]+)"', workbook):
        target = targets.get(match.group(2), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = html.unescape(match.group(1))
    return out


# --------------------------------------------------------------------------- CSV and text


def check_text_file(path: Path | str, *, separators=(",", ";", "\t", "|")) -> None:
    """Refuse a CSV file that is binary, too large, too wide or has an absurdly long line.

    Lines are counted at LF and at CR alike, so a file with old Mac line ends
    (CR only) is measured by its real lines.
    """
    path = Path(path)
    bound = limits()
    size = path.stat().st_size
    if size > bound.max_uncompressed_bytes:
        raise _refuse(path, "file size in bytes", size, bound.max_uncompressed_bytes, "max_uncompressed_bytes")
    longest = current = 0  # current: length of the line that runs past the end of the chunk read so far
    header = None
    with path.open("rb") as handle:
        first = True
        while True:
            chunk = handle.read(_MB)
            if not chunk:
                break
            if first:
                if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise InputError("is UTF-16 text; save it as UTF-8 (or cp1252) CSV", path=path)
                if b"\x00" in chunk[:65536]:
                    raise InputError("holds binary data (NUL bytes), not text: is it really a CSV file?", path=path)
                first = False
            if b"\r" in chunk:  # CR-LF or CR alone (old Mac files) end lines too
                chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = chunk.split(b"\n")
            if len(lines) == 1:  # no line end in this chunk: the line goes on
                current += len(chunk)
            else:
                if header is None:
                    header = current + len(lines[0])
                longest = max(longest, current + len(lines[0]), max(map(len, lines[1:-1]), default=0))
                current = len(lines[-1])
            longest = max(longest, current)
            if header is None and current > bound.max_header_bytes:
                raise _refuse(path, "header line length in bytes", f"over {current:,}", bound.max_header_bytes,
                              "max_header_bytes")
            if header is not None and header > bound.max_header_bytes:
                raise _refuse(path, "header line length in bytes", header, bound.max_header_bytes,
                              "max_header_bytes")
            if longest > bound.max_line_bytes:
                raise _refuse(path, "line length in bytes", longest, bound.max_line_bytes, "max_line_bytes")
    with path.open("rb") as handle:
        head = handle.read(bound.max_header_bytes + 2)
    first_line = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    columns = 1 + max(first_line.count(sep.encode()) for sep in separators)
    if columns > bound.max_columns:
        raise _refuse(path, "columns in the header", columns, bound.max_columns, "max_columns")


# --------------------------------------------------------------------------- GeoJSON


def check_file_size(path: Path | str) -> None:
    """Refuse a file (GeoJSON, KML) larger than ``max_uncompressed_bytes`` before it is parsed."""
    path = Path(path)
    bound = limits()
    size = path.stat().st_size
    if size > bound.max_uncompressed_bytes:
        raise _refuse(path, "file size in bytes", size, bound.max_uncompressed_bytes, "max_uncompressed_bytes")


def check_geojson(data, path: Path | str) -> None:
    """Refuse parsed GeoJSON nested deeper than ``max_json_depth`` or with more than ``max_vertices`` vertices.

    Walks the document with an explicit stack (no recursion), counting
    coordinate pairs: lists whose first item is a number.
    """
    bound = limits()
    stack = [(data, 1)]
    vertices = 0
    while stack:
        value, depth = stack.pop()
        if depth > bound.max_json_depth:
            raise _refuse(path, "nesting depth", depth, bound.max_json_depth, "max_json_depth")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            if value and not isinstance(value[0], (dict, list, str)) and value[0] is not None:
                vertices += 1
                if vertices > bound.max_vertices:
                    raise _refuse(path, "vertices", vertices, bound.max_vertices, "max_vertices")
            else:
                stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))


__all__ = ["ReadLimits", "check_geojson", "check_file_size", "check_text_file", "check_workbook", "limits",
           "sheet_extent", "use_limits"]
