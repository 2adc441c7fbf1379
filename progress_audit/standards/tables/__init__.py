"""Reading the office's responsibility table in the form it has it (contract section 7).

`read_table(path)` picks the reader by the file's suffix: a Word table (`.docx`), a workbook
(`.xlsx`), the published web page (`.html`, `.htm`) or a text export (`.txt`). Every reader
gives the same rows (`rows.Row`: six cells of lines), so everything after it is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from progress_audit.standards.tables.rows import COLUMNS, Row, TableError

SUFFIXES = (".docx", ".xlsx", ".html", ".htm", ".txt")


def _reader(suffix: str) -> Callable[[Path, str], list[Row]]:
    if suffix == ".docx":
        # Only the reader the file needs: python-docx and openpyxl take a while to import.
        from progress_audit.standards.tables.docx import read_docx

        return read_docx
    if suffix == ".xlsx":
        # Only the reader the file needs: python-docx and openpyxl take a while to import.
        from progress_audit.standards.tables.xlsx import read_xlsx

        return read_xlsx
    if suffix in (".html", ".htm"):
        # Only the reader the file needs: python-docx and openpyxl take a while to import.
        from progress_audit.standards.tables.html import read_html

        return read_html
    if suffix == ".txt":
        # Only the reader the file needs: python-docx and openpyxl take a while to import.
        from progress_audit.standards.tables.text import read_text

        return read_text
    raise TableError(
        f"无法识别的表格文件类型 {suffix or '（无扩展名）'}：请提供 Word（.docx）、"
        "Excel（.xlsx）、网页（.html）或文本导出（.txt）；.doc 或 .xls 请先另存为新格式"
    )


def read_table(path: Path, source: str | None = None) -> list[Row]:
    """The table's rows from `path`. Raises TableError naming the file and row."""
    reader = _reader(path.suffix.lower())
    return reader(path, source or str(path))


__all__ = ["COLUMNS", "SUFFIXES", "Row", "TableError", "read_table"]
