"""Whose workbook and which month (填报单位, 填报月份): from the title cells above the header
(`填报单位：人社局`, `2019年6月重点任务进度填报表`), else from the file name and its folders.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from progress_audit.intake.reading.sheet import (
    Grid,
    SheetProblems,
    blank,
    cell_text,
    normalised,
)
from progress_audit.model.period import Period, PeriodError

_LABEL = re.compile(
    r"(?P<unit>(?:填报|报送|责任|牵头)单位(?:名称)?|单位名称)"
    r"|(?P<month>(?:填报|报送|所属|统计)月份|填报期间|报告期|月份(?=\s*[:：]|\s*$))"
    r"|(?P<stop>填报人|联系人|联系电话|电话|填报日期|报送日期|填报时间|报送时间|报送截止|截止时间"
    r"|审核人|负责人|分管领导)"
)
_LABEL_TAIL = re.compile(r"^\s*(?:\([^)]*\))?\s*[:：]?\s*")
_CUMULATIVE_MONTH = re.compile(r"(20\d{2})\s*年?\s*1\s*[-—~至到]\s*(\d{1,2})\s*月")
_TITLE_MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")


@dataclass
class _Labelled:
    """What the title rows say, with the cells that say it."""

    unit: tuple[str, tuple[int, int]] | None = None
    month: tuple[Any, tuple[int, int]] | None = None
    title_month: tuple[Period, tuple[int, int]] | None = None


def _segments(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`填报单位：人社局 填报月份：2019年6月` → ("", [("unit", "人社局"), ("month", …)])."""
    matches = list(_LABEL.finditer(text))
    if not matches:
        return text, []
    out: list[tuple[str, str]] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        rest = text[m.end() : end]
        rest = rest[_LABEL_TAIL.match(rest).end() :]  # type: ignore[union-attr]
        out.append((m.lastgroup or "", rest.strip()))
    return text[: matches[0].start()], out


def _read_title(grid: Grid, header_row: int) -> _Labelled:
    found = _Labelled()
    for r in range(header_row):
        for c in range(grid.width):
            raw = grid.raw(r, c)
            if blank(raw) or not isinstance(raw, str):
                continue
            text = unicodedata.normalize("NFKC", raw)
            before, labelled = _segments(text)
            for kind, value in labelled:
                if kind == "stop":
                    continue
                at = (r, c)
                got: Any = value
                if not value:  # the name is in the next cell: | 填报单位 | 人社局 |
                    got, at = _next_cell(grid, r, c)
                if blank(got):
                    continue
                if kind == "unit" and found.unit is None:
                    found.unit = (_clean_unit(cell_text(got)), at)
                elif kind == "month" and found.month is None:
                    found.month = (got, at)
            # A month in unlabelled title text: `2019年6月重点任务进度填报表`.
            period = _month_in_text(before if labelled else text)
            if period and found.title_month is None:
                found.title_month = (period, (r, c))
    return found


def _next_cell(grid: Grid, r: int, c: int) -> tuple[Any, tuple[int, int]]:
    for cc in range(c + 1, grid.width):
        if (r, cc) in grid.origin:
            continue
        raw = grid.raw(r, cc)
        if not blank(raw):
            if isinstance(raw, str) and _LABEL.match(unicodedata.normalize("NFKC", raw).strip()):
                break
            return raw, (r, cc)
    return "", (r, c)


def _clean_unit(text: str) -> str:
    text = re.sub(r"\((?:盖章|章|公章|签章)\)", "", normalised(text))
    return text.strip(":：,，;；。.")


def _month_in_text(text: str) -> Period | None:
    for pattern in (_CUMULATIVE_MONTH, _TITLE_MONTH):
        m = pattern.search(text)
        if m:
            try:
                return Period(int(m[1]), int(m[2]))
            except PeriodError:
                return None
    return None


def _parse_month(raw: Any, year: int) -> tuple[Period | None, str | None]:
    """A labelled month: `2019年6月`, `2019-06`, `2019.6`, `6月`, `2019年1-6月`, a date cell."""
    if isinstance(raw, datetime | date):
        return Period(raw.year, raw.month), None
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        text = repr(raw)
        if re.fullmatch(r"20\d{2}\.1", text):
            return None, (
                f"填报月份“{text}”无法判断是 1 月还是 10 月（Excel 把 2019.10 存成了 2019.1）："
                "请填写如“2019年10月”"
            )
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    period = _month_in_text(text)
    if period:
        return period, None
    try:
        return Period.parse(text), None
    except PeriodError:
        pass
    m = re.fullmatch(r"(?:1-)?(\d{1,2})月份?", text)
    if m and 1 <= int(m[1]) <= 12:
        return Period(year, int(m[1])), None
    return None, f"填报月份“{cell_text(raw)}”无法识别：请填写如“{year}年6月”"


# Unit and month from the file name and folders.

_PATH_MONTHS = (
    _CUMULATIVE_MONTH,
    re.compile(r"(?<!\d)(20\d{2})\s*[-._年/]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)"),
)
_PATH_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月")


def _path_parts(display_name: str) -> list[str]:
    """The file name (without extension) first, then its folders from the innermost out."""
    p = PurePosixPath(display_name.replace("\\", "/"))
    return [p.stem, *reversed(p.parts[:-1])]


def _unit_in_text(text: str, units: Iterable[str]) -> str | None:
    """The one known unit named in `text` (the longest; two different ones → None)."""
    norm = normalised(text)
    hits = [u for u in units if normalised(u) and normalised(u) in norm]
    hits = [u for u in hits if not any(u != v and normalised(u) in normalised(v) for v in hits)]
    return hits[0] if len(hits) == 1 else None


def _path_unit(display_name: str, units: Iterable[str]) -> tuple[str | None, str]:
    units = tuple(units)
    for part in _path_parts(display_name):
        unit = _unit_in_text(part, units)
        if unit:
            return unit, part
    return None, ""


def _path_month(display_name: str, year: int) -> tuple[Period | None, str]:
    for part in _path_parts(display_name):
        text = unicodedata.normalize("NFKC", part)
        for pattern in _PATH_MONTHS:
            m = pattern.search(text)
            if m and 1 <= int(m[2]) <= 12:
                return Period(int(m[1]), int(m[2])), part
        m = _PATH_MONTH_ONLY.search(text)
        if m and 1 <= int(m[1]) <= 12:
            return Period(year, int(m[1])), part
    return None, ""


def path_unit_month(
    display_name: str, assignments: Mapping[str, Any], year: int
) -> tuple[str | None, str | None]:
    unit, _ = _path_unit(display_name, assignments)
    period, _ = _path_month(display_name, year)
    return unit, (str(period) if period else None)


def _resolve_unit(name: str, units: tuple[str, ...]) -> tuple[str | None, bool]:
    """A unit's name as the catalogue spells it: exact, then ignoring width and spaces, then
    the one known name inside it (`金坛区人社局`) or containing it (`生态环境局`).
    Returns (unit, inexact)."""
    if name in units:
        return name, False
    norm = normalised(name)
    for u in units:
        if normalised(u) == norm:
            return u, False
    inside = _unit_in_text(norm, units)
    if inside:
        return inside, True
    if len(norm) >= 2:
        around = [u for u in units if norm in normalised(u)]
        if len(around) == 1:
            return around[0], True
    return None, False


def _close_names(name: str, units: tuple[str, ...]) -> list[str]:
    norm = normalised(name)
    scored = sorted(
        ((difflib.SequenceMatcher(None, norm, normalised(u)).ratio(), u) for u in units),
        key=lambda x: (-x[0], units.index(x[1])),
    )
    return [u for score, u in scored[:3] if score >= 0.3]


def unit_and_month(
    grid: Grid, header_row: int, units: tuple[str, ...], year: int, problems: SheetProblems
) -> tuple[str | None, Period | None]:
    """Whose workbook and which month: the title cells, else the file name and folders (with a
    warning); a problem for what neither tells, or for a month of another year (None then)."""
    title = _read_title(grid, header_row)
    path_unit, unit_part = _path_unit(problems.file, units)
    path_period, month_part = _path_month(problems.file, year)

    unit: str | None = None
    if title.unit:
        written, at = title.unit
        unit, inexact = _resolve_unit(written, units)
        if unit is None:
            close = _close_names(written, units)
            hint = f"（相近的有：{'、'.join(close)}）" if close else ""
            problems.add(
                "unknown_unit",
                f"填报单位“{written}”不在{year}年牵头单位名单中{hint}：请按下发模板填写单位名称",
                ref=problems.ref(at),
            )
        elif inexact:
            problems.add(
                "unit_name_normalised",
                f"填报单位“{written}”按“{unit}”读取：请按下发模板填写单位名称",
                "warning",
                ref=problems.ref(at),
                dimension="consistency",
            )
        if unit and path_unit and path_unit != unit:
            problems.add(
                "unit_mismatch",
                f"表中填报单位为“{unit}”，文件名或文件夹“{unit_part}”却是“{path_unit}”："
                f"按表中的“{unit}”读取，如有误请改正后重新报送",
                "warning",
                ref=problems.ref(at),
                dimension="consistency",
            )
    elif path_unit:
        unit = path_unit
        problems.add(
            "unit_from_file_name",
            f"表中没有填写填报单位，按文件名或文件夹“{unit_part}”认定为“{unit}”："
            "请在表头填写“填报单位：…”",
            "warning",
            dimension="completeness",
        )
    else:
        problems.add(
            "no_unit",
            "表中没有填写填报单位，文件名也看不出是哪个单位：请在表头填写“填报单位：…”"
            "（如“填报单位：人社局”）后重新报送",
            dimension="completeness",
        )

    period = _month(title, path_period, month_part, year, problems)
    if period is not None and period.year != year:
        problems.add(
            "wrong_year",
            f"填报月份为{period.label}，不是{year}年：请使用{year}年的进度填报表",
        )
        return unit, None
    return unit, period


def _month(
    title: _Labelled,
    path_period: Period | None,
    month_part: str,
    year: int,
    problems: SheetProblems,
) -> Period | None:
    period: Period | None = None
    at: tuple[int, int] | None = None
    if title.month:
        raw, at = title.month
        period, error = _parse_month(raw, year)
        if error:
            problems.add("no_month", error, ref=problems.ref(at), dimension="completeness")
            return None
    elif title.title_month:
        period, at = title.title_month
    if period is not None:
        if path_period and path_period != period:
            problems.add(
                "month_mismatch",
                f"表中填报月份为{period.label}，文件名或文件夹“{month_part}”却是"
                f"{path_period.label}：按表中的{period.label}读取，如有误请改正后重新报送",
                "warning",
                ref=problems.ref(at),
                dimension="consistency",
            )
        return period
    if path_period:
        problems.add(
            "month_from_file_name",
            f"表中没有填写填报月份，按文件名或文件夹“{month_part}”认定为{path_period.label}："
            "请在表头填写“填报月份：…”",
            "warning",
            dimension="completeness",
        )
        return path_period
    problems.add(
        "no_month",
        f"表中没有填写填报月份，文件名也看不出是哪个月：请在表头填写“填报月份：{year}年6月”"
        "这样的月份后重新报送",
        dimension="completeness",
    )
    return None
