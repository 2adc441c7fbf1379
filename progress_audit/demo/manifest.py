"""What a synthetic inbox planted (模拟报送清单): every file, every fault with its cell, and
every row a correct reader gets, so that tests and the benchmark can check the engine finds
each one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


# What a messy demo inbox plants; every kind appears at least once when there are two months
# or more (`falling_cumulative` and `big_jump` need a previous month).
FILE_FAULTS = ("missing", "late", "resubmission", "renamed_file")
LAYOUT_FAULTS = ("header_moved", "extra_column", "columns_reordered")
BAD_FILES = ("not_workbook", "random_bytes", "text_file", "old_xls")
VALUE_FAULTS = (
    "thousands_separator",  # 4,527人
    "approximate",  # 约2480亩
    "full_width",  # ２４８０
    "wan",  # 0.45万
    "percent_sign",  # 61.5%
    "chinese_numeral",  # 四千五百二十七
    "number_as_text",  # '2480' stored as text
    "unreadable_value",  # 见附件
    "formula_without_value",  # =2000+480, no cached value
    "formula_injection",  # =HYPERLINK(...) typed into 存在问题, stays text
    "falling_cumulative",  # year-to-date below last month's
    "big_jump",  # ten times the true figure (an extra zero)
    "edited_target",  # 目标值 changed by the unit
    "bad_percent",  # 形象进度 150
    "date_text",  # 预计完成时间 typed as 年底
)
PLANTED_KINDS = FILE_FAULTS + LAYOUT_FAULTS + BAD_FILES + VALUE_FAULTS


@dataclass(frozen=True)
class PlantedFile:
    """A file put in the inbox. `kind`: submission, superseded (an earlier version of a
    resubmission) or one of BAD_FILES. `path` is relative to the inbox, with `/`."""

    path: str
    kind: str
    unit: str | None
    period: str | None
    received_at: datetime
    late: bool
    sha256: str


@dataclass(frozen=True)
class PlantedFault:
    """Something the engine should find: its kind, where (file, `进度填报!F7`), what was typed
    and what a correct reader makes of it (`expected`: a number, text, ISO date or None)."""

    kind: str
    unit: str | None
    period: str | None
    file: str | None = None
    task_id: str | None = None
    metric_id: str | None = None
    cell: str | None = None
    sheet: str | None = None
    typed: str = ""
    expected: float | str | None = None
    note: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else (self.file or "")


@dataclass(frozen=True)
class PlantedRow:
    """One task line of the workbook that counts for its unit and month: the figure, status
    and 形象进度 a correct reader gets from it. Cells with a planted fault hold what was typed
    (`bad_percent` 150) or None when nothing can be read (`见附件`, a formula without a value);
    the faults list says which cells those are."""

    unit: str
    period: str
    file: str
    task_id: str
    metric_id: str | None
    row: int
    value: float | None
    status: str
    percent: float | None


@dataclass(frozen=True)
class InboxManifest:
    """What `make_inbox` planted, for tests, the demo and the benchmark."""

    seed: int
    profile: str
    periods: tuple[str, ...]
    files: tuple[PlantedFile, ...]
    faults: tuple[PlantedFault, ...]
    rows: tuple[PlantedRow, ...] = field(default=(), repr=False)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.faults)

    def faults_of(self, kind: str) -> tuple[PlantedFault, ...]:
        return tuple(f for f in self.faults if f.kind == kind)
