"""The standards catalogue (重点任务目录), parsed from the office's responsibility table.

`load_catalogue(2019)` reads `data/standards/2019/responsibility-table.txt` and the curated facts
beside it (`curated.toml`) and returns a `Catalogue` of goals, standards, metrics and units.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from progress_audit.paths import PROJECT_ROOT
from progress_audit.standards.catalogue.build import build_catalogue, standard_deadline
from progress_audit.standards.catalogue.curated import CuratedError, load_curated
from progress_audit.standards.catalogue.model import (
    Catalogue,
    Goal,
    Metric,
    Profile,
    Standard,
    Unit,
)
from progress_audit.standards.catalogue.table import TableError, read_rows

TABLE_FILE = "responsibility-table.txt"
CURATED_FILE = "curated.toml"


class CatalogueError(ValueError):
    """The catalogue cannot be built; the message says which file and line, and what to do."""


def parse_catalogue(table_text: str, curated_path: Path, year: int, source: str) -> Catalogue:
    """Build a catalogue from a table's text and a curated-facts file."""
    try:
        rows = read_rows(table_text, source)
        return build_catalogue(rows, load_curated(curated_path), year, source)
    except (TableError, CuratedError) as e:
        raise CatalogueError(str(e)) from e


@cache
def load_catalogue(year: int, standards_dir: Path) -> Catalogue:
    """The catalogue of `year` from `standards_dir/<year>/`. Cached: the table does not change."""
    folder = Path(standards_dir) / str(year)
    table = folder / TABLE_FILE
    if not table.exists():
        have = sorted(p.name for p in Path(standards_dir).glob("*") if p.is_dir())
        raise CatalogueError(
            f"没有 {year} 年的责任分解表：{table} 不存在（已有年份：{'、'.join(have) or '无'}）"
        )
    text = table.read_text(encoding="utf-8-sig")
    return parse_catalogue(text, folder / CURATED_FILE, year, _display_path(table))


def _display_path(path: Path) -> str:
    """The table's path as the office knows it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


__all__ = [
    "Catalogue",
    "CatalogueError",
    "Goal",
    "Metric",
    "Profile",
    "Standard",
    "Unit",
    "load_catalogue",
    "parse_catalogue",
    "standard_deadline",
]
