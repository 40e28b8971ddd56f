"""Hostile files, written small: each function writes one probe into a folder and returns its path."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def chain_folder(folder: Path) -> Path:
    """A copy of the hand-made gold_small chain (5 actors, 4 flows)."""
    shutil.copytree(DATA / "gold_small", folder)
    return folder


def far_cell_workbook(path: Path) -> Path:
    """A workbook of a few KB: sheets actors and flows, plus one cell at XFD1048576."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    actors = book.add_worksheet("actors")
    for j, header in enumerate(["id", "name", "stage", "country", "sector"]):
        actors.write(0, j, header)
    actors.write_row(1, 0, ["a", "A", "mine_asm", "UG", "gold"])
    actors.write(1048575, 16383, "far away")
    flows = book.add_worksheet("flows")
    flows.write_row(0, 0, ["source", "target"])
    book.close()
    return path


def wide_csv_chain(folder: Path, columns: int = 1_000_000) -> Path:
    """A chain folder whose actors.csv has a header of a million columns (~7 MB)."""
    chain_folder(folder)
    header = ",".join(f"c{i}" for i in range(columns))
    (folder / "actors.csv").write_text(header + "\n" + "," * (columns - 1) + "\n", encoding="utf-8")
    return folder


def zip_bomb_workbook(path: Path, megabytes: int = 40) -> Path:
    """A valid workbook whose first sheet carries megabytes of whitespace: compression ratio ≫ 100:1."""
    import xlsxwriter

    plain = path.with_name("plain.xlsx")
    book = xlsxwriter.Workbook(str(plain))
    book.add_worksheet("actors").write_row(0, 0, ["id", "name"])
    book.add_worksheet("flows").write_row(0, 0, ["source", "target"])
    book.close()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (megabytes << 20))
            target.writestr(item.filename, data)
    plain.unlink()
    return path


def truncated_workbook(path: Path) -> Path:
    far_cell_workbook(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def nested_geojson(path: Path, depth: int = 5000) -> Path:
    path.write_text('{"type": "FeatureCollection", "features": [' + "[" * depth + "]" * depth + "]}",
                    encoding="utf-8")
    return path
