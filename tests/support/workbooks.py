"""Builders for the workbooks (and non-workbooks) the reader and safety tests read.

Real files, written with openpyxl or zipfile into a test's tmp_path: a filled-in submission in
the contract's layout with every knob a messy unit turns (title, header row, column order,
extra columns, merged cells), a part rewritten inside the zip (entities, cached formula
results, macros), a Word document, and OLE2 compound files (old .xls, encrypted OOXML).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from progress_audit.standards.responsibility import TaskLine

HEADERS: tuple[str, ...] = (
    "任务编号",
    "指标编号",
    "工作标准",
    "目标值",
    "计量单位",
    "本年累计完成",
    "完成状态",
    "形象进度",
    "预计完成时间",
    "进展情况",
    "存在问题",
    "下步计划",
)
SHEET1 = "xl/worksheets/sheet1.xml"
PREFILLED = {
    "任务编号": lambda ln: ln.task_id,
    "指标编号": lambda ln: ln.metric_id or "",
    "工作标准": lambda ln: ln.text,
    "目标值": lambda ln: ln.target,
    "计量单位": lambda ln: ln.unit_of_measure,
}


def line_rows(
    lines: Sequence[TaskLine],
    fills: Mapping[str, Mapping[str, Any]] | None = None,
    headers: Sequence[str] = HEADERS,
) -> list[list[Any]]:
    """One row per task line: pre-filled columns from the line, inputs from `fills`, keyed by
    metric id (or task id), then header → value. Headers not in the contract stay empty
    unless `fills` names them."""
    fills = fills or {}
    rows = []
    for ln in lines:
        fill = fills.get(ln.metric_id or ln.task_id, {})
        row = []
        for h in headers:
            if h in fill:
                row.append(fill[h])
            elif h in PREFILLED:
                row.append(PREFILLED[h](ln))
            else:
                row.append(None)
        rows.append(row)
    return rows


def title_rows(unit: str | None = "人社局", month: str | None = "2019年6月") -> list[list[Any]]:
    """The template's title block: title, unit, month, due date."""
    return [
        ["2019年重点任务进度填报表"],
        [f"填报单位：{unit}"] if unit else [],
        [f"填报月份：{month}"] if month else [],
        ["报送截止：2019年7月5日24:00"],
    ]


def save(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "进度填报",
    merges: Iterable[str] = (),
    formats: Mapping[str, str] | None = None,
    before: Mapping[str, Iterable[Sequence[Any]]] | None = None,
    after: Mapping[str, Iterable[Sequence[Any]]] | None = None,
) -> Path:
    """Write `rows` (None = no cell) to `sheet` of a new workbook at `path`.

    `merges` are ranges (`A1:L1`), `formats` cell → number format, `before`/`after` other
    sheets (name → rows) placed before or after the main one.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, other in (before or {}).items():
        _fill(wb.create_sheet(name), other)
    ws = wb.create_sheet(sheet)
    _fill(ws, rows)
    for rng in merges:
        ws.merge_cells(rng)
    for cell, fmt in (formats or {}).items():
        ws[cell].number_format = fmt
    for name, other in (after or {}).items():
        _fill(wb.create_sheet(name), other)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _fill(ws: Any, rows: Iterable[Sequence[Any]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)


def submission(
    path: Path,
    lines: Sequence[TaskLine],
    fills: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    unit: str | None = "人社局",
    month: str | None = "2019年6月",
    headers: Sequence[str] = HEADERS,
    **kw: Any,
) -> Path:
    """A filled-in workbook in the contract's layout: title rows 1–4, header row 5, then one
    row per line (so the first line is on row 6)."""
    rows = [*title_rows(unit, month), list(headers), *line_rows(lines, fills, headers)]
    return save(path, rows, **kw)


def rewrite_part(path: Path, part: str, change: Any) -> Path:
    """Rewrite one member of the xlsx zip: `change(bytes) -> bytes`, or bytes to add a part."""
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        for name in names:
            data = src.read(name)
            if name == part:
                data = change(data) if callable(change) else change
            dst.writestr(name, data)
        if part not in names:
            dst.writestr(part, change if isinstance(change, bytes) else change(b""))
    path.write_bytes(buf.getvalue())
    return path


def set_cached_value(path: Path, cell: str, value: str, part: str = SHEET1) -> Path:
    """Give a formula cell the cached result Excel would have saved (openpyxl writes none)."""

    def change(xml: bytes) -> bytes:
        pattern = re.compile(
            rb'(<c r="' + cell.encode() + rb'"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?'
        )
        new, n = pattern.subn(lambda m: m.group(1) + b"<v>" + value.encode() + b"</v>", xml)
        assert n == 1, f"no formula cell {cell}"
        return new

    return rewrite_part(path, part, change)


def make_macro_enabled(path: Path) -> Path:
    """Turn an xlsx into an xlsm: a vbaProject.bin part and the macro-enabled content type."""
    rewrite_part(path, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return rewrite_part(
        path,
        "[Content_Types].xml",
        lambda xml: xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ).replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b"</Types>",
        ),
    )


def word_document(path: Path) -> Path:
    """A minimal .docx (what a unit sends when it renames its report to .xlsx)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>进度情况'
            "</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


# ---- OLE2 compound files ---------------------------------------------------------------------

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF


def compound_file(path: Path, streams: Mapping[str, bytes]) -> Path:
    """A minimal, well-formed OLE2 compound file (version 3, 512-byte sectors) holding
    `streams` (at most 3, each stored in regular sectors), as Excel 97-2003 (`Workbook`) or an
    encrypted OOXML package (`EncryptionInfo`, `EncryptedPackage`) are."""
    assert 1 <= len(streams) <= 3
    sector = 512
    data_sectors: list[bytes] = []
    entries = [_dir_entry("Root Entry", 5, child=1, start=_END, size=0)]
    fat = [_FATSECT, _END]  # sector 0: the FAT; sector 1: the directory
    names = list(streams)
    for i, name in enumerate(names):
        body = streams[name].ljust(4096, b"\x00")  # ≥ the mini-stream cutoff: regular sectors
        first = 2 + len(data_sectors)
        chunks = [body[j : j + sector].ljust(sector, b"\x00") for j in range(0, len(body), sector)]
        data_sectors.extend(chunks)
        fat.extend(range(first + 1, first + len(chunks)))
        fat.append(_END)
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        entries.append(_dir_entry(name, 2, right=right, start=first, size=len(body)))
    while len(entries) < 4:
        entries.append(_dir_entry("", 0, start=0, size=0))
    fat_sector = b"".join(struct.pack("<I", v) for v in fat).ljust(sector, b"\xff")
    header = bytearray(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    )
    header += struct.pack("<I", 0) + b"\xff" * (436 - 4)  # DIFAT: the FAT is sector 0
    assert len(header) == sector
    path.write_bytes(bytes(header) + fat_sector + b"".join(entries) + b"".join(data_sectors))
    return path


def _dir_entry(
    name: str, kind: int, *, child: int = _NOSTREAM, right: int = _NOSTREAM, start: int, size: int
) -> bytes:
    encoded = name.encode("utf-16-le") + (b"\x00\x00" if name else b"")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", _NOSTREAM, right, child)
        + bytes(16 + 4 + 8 + 8)
        + struct.pack("<IQ", start, size)
    )
