"""Synthetic inboxes (模拟报送): the units' workbooks for the demo, the tests and the benchmark.

Each workbook is the office's real template (`build_template`) with the input cells typed in as
a clerk would: year-to-date figures that mostly track 序时进度 (some ahead, some behind, a few
far behind), statuses, dates and sentences in Chinese. A file's modification time is set to
when the unit "sent" it, because the engine takes received time from the file.

`profile="demo"` with `messy=True` also plants what really comes back (late and missing
reports, a resubmission, figures typed as `9,000人` or `见附件`, moved headers, hostile and
unusable files); `profile="bench"` is every unit, every month, clean and on time. The returned
`InboxManifest` records every file and every planted fault with its cell, so tests can check
that the engine finds each one. Same seed, same bytes: nothing depends on the wall clock.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING, Any

from progress_audit.config import DUE_DAY, OFFICE_TIMEZONE
from progress_audit.demo.figures import Key, Truth, line_paces, line_truths
from progress_audit.demo.manifest import InboxManifest, PlantedFault, PlantedFile, PlantedRow
from progress_audit.demo.node_plans import (
    PlanStory,
    fill_nodes,
    node_lines,
    plan_story,
    write_plan_files,
)
from progress_audit.demo.plan import Plan, Truths, plan_inbox
from progress_audit.demo.workbooks import (
    Sheet,
    bad_file,
    fill,
    fill_extra_columns,
    first_draft,
    sheets_sent,
    when_received,
)
from progress_audit.files.atomic import write_bytes
from progress_audit.files.xlsx_style import save_workbook
from progress_audit.intake.pool import forking_workers
from progress_audit.model.period import Period
from progress_audit.model.plans import NODE_SHEET
from progress_audit.model.records import ReportedRow
from progress_audit.standards.responsibility import TaskLine
from progress_audit.templates.workbook import (
    SHEET,
    build_template,
    template_layout,
)

if TYPE_CHECKING:
    from openpyxl import Workbook

    from progress_audit.standards.catalogue import Catalogue


PROFILES = ("demo", "bench")


@dataclass
class _Inbox:
    """Writes the files and keeps the manifest's records as it goes."""

    raw_dir: Path
    files: list[PlantedFile] = field(default_factory=list)
    faults: list[PlantedFault] = field(default_factory=list)
    rows: list[PlantedRow] = field(default_factory=list)

    def save(
        self,
        rel: str,
        data: bytes | Workbook,
        kind: str,
        unit: str,
        period: Period,
        received_at: datetime,
        due: datetime,
    ) -> PlantedFile:
        """Write atomically, with the same bytes for the same seed, and set the modification
        time to when the unit sent it."""
        path = self.raw_dir / rel
        if isinstance(data, bytes):
            write_bytes(path, data)
        else:
            save_workbook(data, path, received_at, f"{unit}{period.label}进度填报表")
        os.utime(path, (received_at.timestamp(), received_at.timestamp()))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        planted = PlantedFile(rel, kind, unit, str(period), received_at, received_at > due, sha)
        self.files.append(planted)
        return planted

    def workbook(
        self,
        sheet: Sheet,
        lines: tuple[TaskLine, ...],
        truth: Mapping[Key, Truth],
        previous: Mapping[Key, ReportedRow] | None,
        due: datetime,
        rng: Random,
        story: PlanStory | None = None,
    ) -> dict[Key, ReportedRow]:
        """Fill the template as the unit's clerk would; returns what a reader should get."""
        unit, period = sheet.unit, sheet.period
        layout = template_layout(
            lines,
            previous=bool(previous),
            title_gap=sheet.title_gap,
            order=sheet.order,
            extra=sheet.extra,
        )
        nodes, done = node_lines(story, unit, period, sheet.received_at) if story else ((), {})
        wb = build_template(unit, lines, period, due, previous, layout=layout, nodes=nodes)
        if nodes:
            fill_nodes(wb[NODE_SHEET], nodes, done, period)
        ws = wb[SHEET]
        typed = first_draft(lines, truth) if sheet.kind == "superseded" else truth
        got = fill(ws, layout, lines, typed, sheet.edits)
        if sheet.extra:
            fill_extra_columns(ws, layout, lines, rng)
        if sheet.unprotect:  # to edit a target the clerk lifted the (password-less) protection
            ws.protection.sheet = False
        f = self.save(sheet.path, wb, sheet.kind, unit, period, sheet.received_at, due)
        reported = {
            ln.key: ReportedRow(
                unit,
                str(period),
                ln.task_id,
                ln.metric_id,
                layout.row(ln.key),
                value=got[ln.key][0],
                status=typed[ln.key].status,
                percent=got[ln.key][1],
            )
            for ln in lines
        }
        if sheet.kind == "superseded":
            return reported
        self.rows += [
            PlantedRow(
                unit,
                str(period),
                f.path,
                r.task_id,
                r.metric_id,
                r.row,
                r.value,
                r.status or "",
                r.percent,
            )
            for r in reported.values()
        ]

        def fault(kind: str, **kw: Any) -> None:
            self.faults.append(PlantedFault(kind, unit, str(period), f.path, **kw))

        for e in sheet.edits:
            fault(
                e.kind,
                task_id=e.key[0],
                metric_id=e.key[1],
                sheet=SHEET,
                cell=layout.cell(e.key, e.header),
                typed=str(e.typed),
                expected=e.expected,
                note=e.note,
            )
        if f.late:
            fault("late", note=f"收到于 {sheet.received_at:%Y-%m-%d %H:%M}")
        if sheet.layout_fault:
            note = {
                "header_moved": f"表头在第 {layout.header_row} 行",
                "extra_column": f"多出栏目：{'、'.join(sheet.extra)}",
                "columns_reordered": f"栏目顺序：{'、'.join(layout.headers)}",
            }[sheet.layout_fault]
            fault(sheet.layout_fault, sheet=SHEET, cell=f"A{layout.header_row}", note=note)
        return reported


def make_inbox(
    raw_dir: Path,
    catalogue: Catalogue,
    assignments: Mapping[str, tuple[TaskLine, ...]],
    periods: Sequence[Period],
    *,
    seed: int = 2019,
    tz: str = OFFICE_TIMEZONE,
    due_day: int = DUE_DAY,
    messy: bool = True,
    profile: str = "demo",
) -> InboxManifest:
    """Write the units' workbooks for `periods` under `raw_dir` and say what was planted.

    The manifest is returned, not written (anything written into the inbox would be read as a
    submission). Other files in `raw_dir` are left alone.
    """
    if profile not in PROFILES:
        raise ValueError(f"未知的模拟方案 {profile!r}（可选：{'、'.join(PROFILES)}）")
    if not periods:
        raise ValueError("至少需要一个填报月份")
    months = sorted(set(periods))
    if any(p.year != catalogue.year for p in months):
        raise ValueError(f"填报月份须在 {catalogue.year} 年内")
    paces = line_paces(assignments, seed)
    truths: Truths = {
        (unit, ln.key): line_truths(unit, ln, months, seed, paces[(unit, ln.key)])
        for unit, lines in assignments.items()
        for ln in lines
    }
    plan = plan_inbox(assignments, months, truths, seed) if messy and profile == "demo" else Plan()
    story = plan_story(assignments, seed, tz) if messy and profile == "demo" else None
    if story is not None:
        write_plan_files(Path(raw_dir), story, assignments)
        if story.copied is not None:  # 照抄上月: June's words are May's
            unit, task, month = story.copied
            if month in months and months.index(month) > 0:
                key = (unit, (task, None))
                i = months.index(month)
                truths[key][i] = replace(truths[key][i], progress=truths[key][i - 1].progress)
    setting = _Setting(Path(raw_dir), months, plan, seed, tz, due_day, story)
    # Each unit's workbooks depend on its own earlier months only: the units are written in
    # parallel, and their records put back in the order one process would have made them.
    jobs = [
        (unit, lines, {k: truths[(unit, k)] for k in (ln.key for ln in lines)})
        for unit, lines in assignments.items()
    ]
    by_unit = _map_units(setting, jobs)
    inbox = _Inbox(Path(raw_dir))
    for i, period in enumerate(months):
        due = period.due(tz, due_day)
        for unit_months in by_unit:
            files, faults, rows = unit_months[i]
            inbox.files += files
            inbox.faults += faults
            inbox.rows += rows
        for kind, unit, p in plan.bad:
            if p == period:
                rng = Random(f"{seed}|bad|{kind}|{unit}|{period}")
                name, data = bad_file(kind, unit, period, rng)
                received = when_received(rng, period, tz, due_day, False)
                f = inbox.save(f"{period}/{name}", data, kind, unit, period, received, due)
                inbox.faults.append(PlantedFault(kind, unit, str(period), f.path))
    return InboxManifest(
        seed,
        profile,
        tuple(str(p) for p in months),
        tuple(inbox.files),
        tuple(inbox.faults),
        tuple(inbox.rows),
    )


@dataclass(frozen=True)
class _Setting:
    """What every unit's workbooks are written with."""

    raw_dir: Path
    months: list[Period]
    plan: Plan
    seed: int
    tz: str
    due_day: int
    story: PlanStory | None = None
    """The units' node plans, for the 节点进展 sheets (None: no plans)."""


_UnitMonth = tuple[list[PlantedFile], list[PlantedFault], list[PlantedRow]]
_Job = tuple[str, tuple[TaskLine, ...], dict[Key, list[Truth]]]


def _map_units(setting: _Setting, jobs: list[_Job]) -> list[list[_UnitMonth]]:
    """`_unit_months` for every unit, in worker processes where there are cores to spare."""
    workers = min(forking_workers(), len(jobs))
    if workers < 2:
        return [_unit_months(setting, job) for job in jobs]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(partial(_unit_months, setting), jobs, chunksize=1))


def _unit_months(setting: _Setting, job: _Job) -> list[_UnitMonth]:
    """One unit's workbooks, month after month; per month, the records `make_inbox` keeps."""
    unit, lines, truths = job
    plan, seed, tz, due_day = setting.plan, setting.seed, setting.tz, setting.due_day
    out: list[_UnitMonth] = []
    previous: dict[Key, ReportedRow] | None = None
    for i, period in enumerate(setting.months):
        inbox = _Inbox(setting.raw_dir)
        due = period.due(tz, due_day)
        sheets = sheets_sent(unit, period, plan, seed, tz, due_day, bool(previous))
        if not sheets:
            inbox.faults.append(PlantedFault("missing", unit, str(period), note="本月未报送"))
        truth = {ln.key: truths[ln.key][i] for ln in lines}
        rng = Random(f"{seed}|extra|{unit}|{period}")
        current = None
        for sheet in sheets:
            current = inbox.workbook(sheet, lines, truth, previous, due, rng, setting.story)
        if len(sheets) > 1:
            inbox.faults.append(
                PlantedFault(
                    "resubmission",
                    unit,
                    str(period),
                    sheets[-1].path,
                    note=f"替代 {sheets[0].path}",
                )
            )
        if (unit, period) in plan.renamed:
            inbox.faults.append(
                PlantedFault("renamed_file", unit, str(period), plan.renamed[(unit, period)])
            )
        previous = current
        out.append((inbox.files, inbox.faults, inbox.rows))
    return out
