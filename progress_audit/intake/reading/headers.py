"""The header row (表头): where it is, and which field each column holds.

The header may be anywhere in the first 15 rows, its columns in any order under common
synonyms; extra columns are ignored.

The one judgement call: `完成情况` is what many offices head the figure column with, but it is
just as often the prose column. It is read as 本年累计完成 only when the sheet has no column
that is unambiguously the figure (`本年累计完成`, `累计完成`, `本年累计完成值`, …); otherwise it
is read as 进展情况 (when there is no 进展情况 column) or ignored. In a `完成情况` figure column a
cell holding only a status word (`已完成`) is taken as 完成状态 when that is empty, and on a task
without a metric its prose as 进展情况. A column headed with 上月/上年/去年/同期/参考 (the
template's `上月累计（参考）`) is never a figure of this month.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from progress_audit.files.short_texts import cache_short_texts
from progress_audit.intake.reading.sheet import CACHED_TEXT, SheetProblems, coordinate

HEADER_SEARCH_ROWS = 15

# field → (exact synonyms, strength). The strongest column of a field wins; equal strength →
# the first, with a warning.
_SYNONYMS: dict[str, dict[str, int]] = {
    "task_id": {
        "任务编号": 3,
        "任务序号": 2,
        "工作标准编号": 2,
        "标准编号": 2,
        "任务号": 2,
        "编号": 1,
    },
    "metric_id": {"指标编号": 3, "指标序号": 2, "指标号": 2},
    "text": {
        "工作标准": 3,
        "指标名称": 2,
        "工作任务": 2,
        "任务内容": 2,
        "重点任务": 2,
        "任务名称": 2,
        "工作内容": 1,
    },
    "target": {
        "目标值": 3,
        "年度目标": 2,
        "全年目标": 2,
        "年度目标值": 2,
        "全年目标值": 2,
        "目标": 1,
    },
    "unit_of_measure": {"计量单位": 3, "单位": 1},
    "value": {
        "本年累计完成": 4,
        "实际完成": 2,
        "完成值": 2,
        "完成数": 2,
        "实际完成值": 2,
        "完成情况": 0,
    },
    "status": {"完成状态": 3, "状态": 2, "进度状态": 2, "推进状态": 2, "工作状态": 2},
    "percent": {"形象进度": 3, "完成进度": 2, "完成比例": 2, "完成百分比": 2, "进度": 1},
    "expected_completion": {
        "预计完成时间": 3,
        "预计完成日期": 2,
        "计划完成时间": 2,
        "完成时限": 2,
        "预计完成时限": 2,
        "完成时间": 1,
    },
    "progress": {
        "进展情况": 3,
        "工作进展": 2,
        "进展": 2,
        "推进情况": 2,
        "主要进展": 2,
        "工作进展情况": 2,
        "工作推进情况": 2,
        "进展情况说明": 2,
    },
    "issues": {
        "存在问题": 3,
        "存在的问题": 2,
        "问题": 1,
        "困难和问题": 2,
        "存在困难和问题": 2,
        "存在问题和困难": 2,
    },
    "next_steps": {
        "下步计划": 3,
        "下一步计划": 2,
        "下步工作计划": 2,
        "下一步工作计划": 2,
        "下步打算": 2,
        "下一步打算": 2,
        "下步工作打算": 2,
    },
}
# 本年累计完成 and its spellings: 累计完成, 本年累计完成值, 1-6月累计完成, 截至6月底累计完成数 …
_VALUE_HEADER = re.compile(
    r"^(?:本年|今年|年度|全年|本年度|截至本月|截至\d{1,2}月(?:底|末)?|1-\d{1,2}月|1至\d{1,2}月)?"
    r"累计(?:完成)?(?:值|数|量|情况)?$"
)
_REFERENCE_WORDS = ("上月", "上年", "去年", "同期", "参考", "上期")
_WEAK_VALUE = 0
_IDENTITY = ("task_id", "metric_id", "text")
REPORTED = (
    "value",
    "status",
    "percent",
    "expected_completion",
    "progress",
    "issues",
    "next_steps",
)
# Columns whose merged cells may span several rows (one status, one narrative for a task);
# a figure merged across rows belongs to no row in particular.
NOT_FILLED_DOWN = ("value", "percent")


def _clean_header(raw: object) -> tuple[str, bool]:
    """A header cell as a key (`本年累计\\n完成（万元）*` → `本年累计完成`), and whether it names
    a reference column (上月, 参考…)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    reference = any(w in text for w in _REFERENCE_WORDS)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text).strip("*:：")
    return text, reference


def header_field(raw: object) -> tuple[str, int] | None:
    """The field a header cell names, with its strength, or None for an extra column."""
    if not isinstance(raw, str):
        return None
    return text_header_field(raw)


# Cached: every row is tried as a header (a repeated header on a printed page), and the same
# task texts come back in every month's workbook.
@cache_short_texts(CACHED_TEXT)
def text_header_field(raw: str) -> tuple[str, int] | None:
    if not raw.strip():
        return None
    key, reference = _clean_header(raw)
    if reference or not key:
        return None
    for name, synonyms in _SYNONYMS.items():
        if key in synonyms:
            return name, synonyms[key]
    if _VALUE_HEADER.match(key):
        return "value", 3
    return None


@dataclass(frozen=True)
class Header:
    row: int
    columns: dict[str, int]
    """field → column index (0-based)."""
    demoted_value: int | None = None
    """A 完成情况 column set aside because a stronger figure column exists."""
    weak_value: bool = False
    """The figure column is 完成情况 (see the module docstring)."""
    duplicates: tuple[tuple[str, int, int], ...] = ()
    """(field, column used, column ignored) for equally strong columns."""

    @property
    def score(self) -> int:
        return len(self.columns)

    @property
    def recognisable(self) -> bool:
        has_identity = any(f in self.columns for f in _IDENTITY)
        has_report = any(f in self.columns for f in ("value", "status", "percent"))
        return self.score >= 3 and has_identity and has_report


def header_of(row_index: int, cells: list[Any]) -> Header:
    found: dict[str, list[tuple[int, int]]] = {}
    for col, raw in enumerate(cells):
        hit = header_field(raw)
        if hit:
            found.setdefault(hit[0], []).append((-hit[1], col))
    columns: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    demoted = None
    for name, hits in found.items():
        hits.sort()
        columns[name] = hits[0][1]
        for strength, col in hits[1:]:
            if strength == hits[0][0]:
                duplicates.append((name, hits[0][1], col))
            elif name == "value" and -strength == _WEAK_VALUE:
                demoted = col
    weak = "value" in found and -found["value"][0][0] == _WEAK_VALUE
    if demoted is not None and "progress" not in columns:
        columns["progress"] = demoted
    return Header(row_index, columns, demoted, weak, tuple(duplicates))


def find_header(grid: list[list[Any]]) -> Header | None:
    """The header row: the most recognised fields in the first 15 rows (the lowest on a tie,
    so that a two-row header with merged cells is read from the row nearest the data)."""
    best: Header | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(grid))):
        header = header_of(r, grid[r])
        if header.recognisable and (best is None or header.score >= best.score):
            best = header
    return best


FIELD_LABELS = {
    "task_id": "任务编号",
    "metric_id": "指标编号",
    "text": "工作标准",
    "target": "目标值",
    "unit_of_measure": "计量单位",
    "value": "本年累计完成",
    "status": "完成状态",
    "percent": "形象进度",
    "expected_completion": "预计完成时间",
    "progress": "进展情况",
    "issues": "存在问题",
    "next_steps": "下步计划",
}


def report_duplicate_columns(header: Header, problems: SheetProblems) -> None:
    """A warning for each field headed twice with equal strength: the first column is read."""
    for name, used, ignored in header.duplicates:
        problems.add(
            "duplicate_column",
            f"表头有两列都是“{FIELD_LABELS[name]}”：按第 {coordinate((header.row, used))} "
            f"列读取，{coordinate((header.row, ignored))} 列未读取，请删除多余的列",
            "warning",
            ref=problems.ref((header.row, ignored)),
            dimension="consistency",
        )
