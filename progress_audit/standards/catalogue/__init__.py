"""The standards catalogue (重点任务目录), parsed from the office's responsibility table.

A year's folder (`<standards>/<year>/`) holds the table as the office had it
(`responsibility-table.txt`, `.docx`, `.xlsx` or `.html`), the reviewed answers beside it
(`review.toml`, see `answers`) and, for a year the office imported, the catalogue it confirmed
(`catalogue.json`) and the review workbook. `year_folder` finds a year: the workspace's
`DIR/standards/<year>/` first, else the one shipped with the project (`data/standards/`).
`load_catalogue(year, standards_dir, data_dir)` returns that year's `Catalogue`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from progress_audit.paths import PROJECT_ROOT
from progress_audit.standards.catalogue.answers import AnswersError, load_answers
from progress_audit.standards.catalogue.build import build_catalogue, standard_deadline
from progress_audit.standards.catalogue.model import (
    Catalogue,
    Goal,
    Metric,
    Profile,
    Standard,
    Unit,
)
from progress_audit.standards.tables import SUFFIXES, TableError, read_table
from progress_audit.standards.tables.text import read_text_rows

TABLE_STEM = "responsibility-table"
ANSWERS_FILE = "review.toml"
CATALOGUE_FILE = "catalogue.json"
REVIEW_WORKBOOK = "指标审核表.xlsx"


class CatalogueError(ValueError):
    """The catalogue cannot be built; the message says which file and line, and what to do."""


def table_file(folder: Path) -> Path | None:
    """The year's table in `folder`, in whichever form it was received."""
    for suffix in SUFFIXES:
        path = folder / f"{TABLE_STEM}{suffix}"
        if path.exists():
            return path
    return None


def year_folder(year: int, standards_dir: Path, data_dir: Path | None = None) -> Path:
    """The folder of `year`'s table: the workspace's (`DIR/standards/<year>/`) first, else the
    project's own (`standards_dir/<year>/`). Raises CatalogueError naming the years there are."""
    places = [Path(data_dir) / "standards"] if data_dir is not None else []
    places.append(Path(standards_dir))
    for place in places:
        folder = place / str(year)
        if table_file(folder) is not None:
            return folder
    have = sorted(
        {p.name for place in places for p in place.glob("*") if table_file(p) is not None}
    )
    where = "、".join(str(p / str(year)) for p in places)
    raise CatalogueError(
        f"没有 {year} 年的责任分解表：{where} 中没有（已有年份：{'、'.join(have) or '无'}；"
        f"新的一年请先运行 progress-audit standards import 表格文件 --year {year}）"
    )


def parse_catalogue(
    table_text: str, answers_path: Path, year: int, source: str, aliases=None
) -> Catalogue:
    """Build a catalogue from a text export's text and a reviewed-answers file."""
    try:
        rows = read_text_rows(table_text, source)
        return build_catalogue(rows, load_answers(answers_path), year, source, aliases)
    except (TableError, AnswersError) as e:
        raise CatalogueError(str(e)) from e


def build_from_folder(folder: Path, year: int, aliases=None, table: Path | None = None):
    """The catalogue of the table in `folder` (or `table`) with the answers beside it."""
    table = table or table_file(folder)
    if table is None:
        raise CatalogueError(f"{folder} 中没有责任分解表")
    source = display_path(table)
    try:
        rows = read_table(table, source)
        return build_catalogue(rows, load_answers(folder / ANSWERS_FILE), year, source, aliases)
    except (TableError, AnswersError) as e:
        raise CatalogueError(str(e)) from e


def load_catalogue(year: int, standards_dir: Path, data_dir: Path | None = None) -> Catalogue:
    """The catalogue of `year` (see `year_folder`). Cached while its files do not change."""
    folder = year_folder(year, standards_dir, data_dir)
    stamps = tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix in (*SUFFIXES, ".toml", ".json")
    )
    return _load(folder.resolve(), year, stamps)


@cache
def _load(folder: Path, year: int, stamps: tuple) -> Catalogue:
    confirmed = folder / CATALOGUE_FILE
    if confirmed.exists():  # an imported year: the catalogue as the office confirmed it
        try:
            cat = Catalogue.from_json(json.loads(confirmed.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as e:
            raise CatalogueError(f"{confirmed}：无法读取（{e}）；请重新导入或审核") from e
        if cat.year != year:
            raise CatalogueError(f"{confirmed}：是 {cat.year} 年的目录，不是 {year} 年的")
        return cat
    return build_from_folder(folder, year)


def display_path(path: Path) -> str:
    """The table's path as the office knows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path.resolve())


__all__ = [
    "ANSWERS_FILE",
    "CATALOGUE_FILE",
    "REVIEW_WORKBOOK",
    "Catalogue",
    "CatalogueError",
    "Goal",
    "Metric",
    "Profile",
    "Standard",
    "Unit",
    "build_from_folder",
    "load_catalogue",
    "parse_catalogue",
    "standard_deadline",
    "table_file",
    "year_folder",
]
