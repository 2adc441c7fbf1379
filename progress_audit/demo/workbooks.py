"""Writing one unit's workbook for one month: the office's template (`build_template`) with
the input cells typed in as a clerk would, when it was "sent", and the files a unit should not
have sent at all."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from random import Random
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from progress_audit.demo.figures import Key, Truth, decimals
from progress_audit.demo.plan import EXTRA, REORDERED, Edit, Plan
from progress_audit.files.xlsx_style import put
from progress_audit.model.period import Period
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.workbook import (
    PREVIOUS_HEADER,
    TemplateLayout,
    number,
    template_filename,
)

if TYPE_CHECKING:
    pass


@dataclass
class Sheet:
    """One workbook to write, before writing."""

    unit: str
    period: Period
    received_at: datetime
    path: str
    kind: str = "submission"
    layout_fault: str | None = None
    title_gap: int = 0
    order: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()
    edits: list[Edit] = field(default_factory=list)
    unprotect: bool = False


def when_received(
    rng: Random, period: Period, tz: str, due_day: int, late: bool, earliest: int = 1
) -> datetime:
    """Mostly the 2nd–5th of next month in office hours; late ones a few days after the due day."""
    nxt = period.next()
    if late:
        day = due_day + rng.randint(1, 4)
    else:
        days = list(range(max(1, earliest), due_day + 1))
        weights = [1 if d == 1 else 3 for d in days]
        day = rng.choices(days, weights)[0]
    moment = datetime.combine(date(nxt.year, nxt.month, 1), time(8, 30), ZoneInfo(tz))
    return moment + timedelta(days=day - 1, minutes=rng.randint(0, 9 * 60))


def _type(ws: Any, layout: TemplateLayout, key: Key, header: str, value: Any) -> None:
    """Type one value as a clerk would: text stays text (even `=HYPERLINK(...)`), numbers,
    dates and a formula go in as such."""
    if isinstance(value, str) and not value.startswith("="):
        put(ws, layout.row(key), layout.column(header), value)
    else:
        ws.cell(layout.row(key), layout.column(header)).value = value


def fill(
    ws: Any,
    layout: TemplateLayout,
    lines: Sequence[TaskLine],
    truths: Mapping[Key, Truth],
    edits: Sequence[Edit],
) -> dict[Key, tuple[float | None, float | None]]:
    """Type the unit's figures and words into the input cells; returns what a reader should
    get for value and percent per line."""
    got: dict[Key, tuple[float | None, float | None]] = {}
    for ln in lines:
        t = truths[ln.key]
        typed: dict[str, Any] = {
            "完成状态": t.status,
            "预计完成时间": datetime.combine(t.completion, time()),
            "进展情况": t.progress,
            "存在问题": t.issues,
            "下步计划": t.next_steps,
        }
        if ln.metric is not None and t.value is not None:
            typed["本年累计完成"] = number(t.value)
        if ln.metric is None and t.percent is not None:
            typed["形象进度"] = t.percent
        for header, value in typed.items():
            _type(ws, layout, ln.key, header, value)
        got[ln.key] = (t.value, float(t.percent) if t.percent is not None else None)
    for e in edits:
        if e.as_text:  # text, even when it starts with "=" (the injection attempt)
            put(ws, layout.row(e.key), layout.column(e.header), str(e.typed))
        else:
            _type(ws, layout, e.key, e.header, e.typed)
        value, percent = got[e.key]
        if e.header == "本年累计完成":
            value = e.expected if isinstance(e.expected, float | int) else None
        elif e.header == "形象进度":
            percent = float(e.expected) if isinstance(e.expected, float | int) else None
        got[e.key] = (value, percent)
    return got


def fill_extra_columns(
    ws: Any, layout: TemplateLayout, lines: Sequence[TaskLine], rng: Random
) -> None:
    for ln in lines:
        if "责任科室" in layout.headers:
            _type(ws, layout, ln.key, "责任科室", rng.choice(("综合科", "业务科", "规划科")))
        if "备注" in layout.headers and rng.random() < 0.5:
            _type(ws, layout, ln.key, "备注", "数据来源：本单位统计台账")


def bad_file(kind: str, unit: str, period: Period, rng: Random) -> tuple[str, bytes]:
    """A file a unit should not have sent: its name and bytes."""
    if kind == "not_workbook":  # a Word document renamed to .xlsx
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text in (
                (
                    "[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
                    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.document.main+xml"/></Types>',
                ),
                (
                    "word/document.xml",
                    f"<w:document><w:body><w:p><w:r><w:t>{unit}{period.label}"
                    "工作进展情况说明</w:t></w:r></w:p></w:body></w:document>",
                ),
            ):
                z.writestr(zipfile.ZipInfo(name, (period.year, period.month, 28, 0, 0, 0)), text)
        return f"{period}_{unit}_进度填报表（说明）.xlsx", buf.getvalue()
    if kind == "random_bytes":
        return f"{period}_{unit}_进度填报表(损坏).xlsx", rng.randbytes(3000)
    if kind == "text_file":
        text = f"{unit}{period.label}重点工作进展情况：各项工作按计划推进，详见附件。\n"
        return f"{unit}{period.month}月工作进展说明.txt", text.encode("utf-8")
    if kind == "old_xls":  # the old binary format (Compound File header)
        return f"{period}_{unit}_进度填报表.xls", (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(4088)
        )
    raise ValueError(kind)


def sheets_sent(
    unit: str,
    period: Period,
    plan: Plan,
    seed: int,
    tz: str,
    due_day: int,
    with_previous: bool,
) -> list[Sheet]:
    """The workbook(s) `unit` sends for `period`: none, one, or an earlier and a corrected one."""
    slot = (unit, period)
    if slot in plan.missing:
        return []
    rng = Random(f"{seed}|file|{unit}|{period}")
    late = slot in plan.late
    received = when_received(rng, period, tz, due_day, late, earliest=2 if late else 1)
    folder = f"{period}/{unit}" if unit in plan.by_unit_folder else str(period)
    name = template_filename(unit, period)
    edits = plan.edits.get(slot, [])
    sheet = Sheet(
        unit,
        period,
        received,
        plan.renamed.get(slot, f"{folder}/{name}"),
        layout_fault=plan.layout.get(slot),
        edits=edits,
        unprotect=any(e.kind == "edited_target" for e in edits),
    )
    if sheet.layout_fault == "header_moved":
        sheet.title_gap = 3
    elif sheet.layout_fault == "extra_column":
        sheet.extra = EXTRA
    elif sheet.layout_fault == "columns_reordered":
        sheet.order = REORDERED + ((PREVIOUS_HEADER,) if with_previous else ())
    if slot not in plan.resubmit:
        return [sheet]
    # Sent, found wrong, corrected and sent again under another name.
    first_at = when_received(rng, period, tz, due_day, False, earliest=2) - timedelta(days=1)
    first = replace(sheet, kind="superseded", received_at=first_at, edits=[], unprotect=False)
    sheet.path = f"{folder}/{name.removesuffix('.xlsx')}（更正）.xlsx"
    sheet.received_at = max(sheet.received_at, first_at + timedelta(hours=20))
    return [first, sheet]


def first_draft(lines: Sequence[TaskLine], truth: Mapping[Key, Truth]) -> dict[Key, Truth]:
    """The superseded version: its first figure (or 形象进度) was typed too low."""
    draft = {k: replace(t) for k, t in truth.items()}
    for ln in lines:
        t = draft[ln.key]
        if t.value:
            t.value = round(t.value * 0.8, decimals(ln))
            break
        if t.percent:
            t.percent = max(0, t.percent - 10)
            break
    return draft
