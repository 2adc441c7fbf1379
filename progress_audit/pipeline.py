"""The monthly audit's stages as plain functions (月度督查流程).

    prepare → scan inbox → receive each workbook → this month's submissions → check quality
            → assess → write findings and reports → (notify)

`flows/monthly_audit.py` runs each stage as a Prefect task; the tests call them directly.
Nothing here reads the wall clock: `now` comes from the caller, so a rerun with the same
inputs and `as_of` gives the same findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from progress_audit.config import Settings
from progress_audit.model.period import Period, default_period, parse_as_of
from progress_audit.model.problems import Problem
from progress_audit.model.records import FINDING_STATUS_LABELS, Finding, Submission
from progress_audit.paths import Workspace
from progress_audit.standards.catalogue import Catalogue, load_catalogue
from progress_audit.standards.responsibility import TaskLine, assignments

if TYPE_CHECKING:
    from progress_audit.assessment.thresholds import Thresholds
    from progress_audit.intake.ledger import Ledger
    from progress_audit.intake.receive import InboxFile, ReadingPool, Received
    from progress_audit.quality.month import QualityReport


CACHE_DIR = "cache"
"""`DIR/cache/`: results kept so that a rerun skips work (validations); may be deleted."""


@dataclass(frozen=True)
class Audit:
    """What one monthly audit is about: the month, the moment, the workspace, the rules."""

    period: Period
    as_of: datetime
    workspace: Workspace
    catalogue: Catalogue
    assignments: Mapping[str, tuple[TaskLine, ...]]
    settings: Settings
    thresholds: Thresholds

    @property
    def tz(self) -> str:
        return self.settings.timezone

    @property
    def out_dir(self) -> Path:
        return self.workspace.period_reports(self.period)


def prepare(
    period: str | None,
    as_of: str | None,
    data: str | Path | None,
    *,
    now: datetime,
    settings: Settings,
) -> Audit:
    """Read the arguments (raises PeriodError on a bad month or moment) and load the rules."""
    from progress_audit.assessment.thresholds import thresholds_from_settings

    moment = parse_as_of(as_of, settings.timezone, now=now)
    month = Period.parse(period) if period else default_period(moment, settings.timezone)
    catalogue = load_catalogue(month.year, settings.standards_dir, Path(data or settings.data_dir))
    return Audit(
        period=month,
        as_of=moment,
        workspace=Workspace(Path(data) if data else settings.data_dir),
        catalogue=catalogue,
        assignments=assignments(catalogue, settings.unit_groups),
        settings=settings,
        thresholds=thresholds_from_settings(settings),
    )


def open_ledger(audit: Audit) -> Ledger:
    from progress_audit.intake.ledger import Ledger

    return Ledger.open(audit.settings.ledger_url or audit.workspace.root)


def scan(audit: Audit) -> list[InboxFile]:
    """Every file in the inbox (read-only)."""
    from progress_audit.intake.receive import scan_inbox

    return scan_inbox(audit.workspace.raw, audit.tz)


def receive_one(audit: Audit, file: InboxFile, ledger: Ledger) -> Received:
    """Fingerprint, archive and read one workbook (cached on its sha256)."""
    from progress_audit.intake.receive import receive

    return receive(file, audit.workspace.root, ledger, audit.catalogue, audit.assignments)


def receive_batch(
    audit: Audit, files: Sequence[InboxFile], ledger: Ledger, pool: ReadingPool | None = None
) -> list[Received]:
    """Take in several workbooks (`receive_one` for each), read by `pool`'s workers if given."""
    from progress_audit.intake.receive import receive_many

    root, catalogue, lines = audit.workspace.root, audit.catalogue, audit.assignments
    return receive_many(files, root, ledger, catalogue, lines, pool=pool)


def reading_pool(audit: Audit, workbooks: int) -> AbstractContextManager[ReadingPool | None]:
    """Worker processes to read `workbooks` workbooks with, or None where one process does."""
    from progress_audit.intake.receive import reading_pool

    return reading_pool(workbooks, audit.catalogue, audit.assignments)


def receive_known(
    audit: Audit, files: Sequence[InboxFile], ledger: Ledger
) -> list[Received | None]:
    """Every file the ledger already holds a reading of (same bytes, name, reader and
    catalogue), in one pass; None for each file that `receive_one` must take in."""
    from progress_audit.intake.receive import default_reader, receive_cached

    reader = default_reader()
    root, catalogue, lines = audit.workspace.root, audit.catalogue, audit.assignments
    return [receive_cached(f, root, ledger, catalogue, lines, reader=reader) for f in files]


@dataclass(frozen=True)
class MonthSubmissions:
    current: tuple[Submission, ...]
    previous: tuple[Submission, ...]


def month_submissions(audit: Audit, received: Sequence[Received]) -> MonthSubmissions:
    """This month's and last month's submissions with their statuses as of `as_of`."""
    from progress_audit.intake.receive import submissions_for

    def of(month: Period) -> tuple[Submission, ...]:
        return tuple(
            submissions_for(month, audit.as_of, received, audit.tz, audit.settings.due_day)
        )

    return MonthSubmissions(of(audit.period), of(audit.period.prev()))


def check(audit: Audit, month: MonthSubmissions) -> QualityReport:
    """The data-quality suites over the month's combined rows (one validation)."""
    from progress_audit.quality.month import check_month

    return check_month(
        audit.period,
        audit.as_of,
        audit.catalogue,
        audit.assignments,
        month.current,
        month.previous,
        audit.settings.quality,
        due=audit.period.due(audit.tz, audit.settings.due_day),
        cache_dir=audit.workspace.root / CACHE_DIR / "checks",
    )


def assess_month(audit: Audit, month: MonthSubmissions, quality: QualityReport) -> list[Finding]:
    """Every lead unit's task lines against target and 序时进度."""
    from progress_audit.assessment.assess import assess

    return assess(
        audit.catalogue,
        audit.assignments,
        audit.period,
        audit.as_of,
        month.current,
        audit.thresholds,
        quality.problems,
        due_day=audit.settings.due_day,
        tz=audit.tz,
    )


def month_problems(month: MonthSubmissions, quality: QualityReport) -> list[Problem]:
    """Every problem of the month, once: the files', the rows' and the quality checks'."""
    seen: dict[tuple[object, ...], Problem] = {}
    for s in month.current:
        for p in (*s.problems, *(p for r in s.rows for p in r.problems)):
            seen.setdefault(_problem_key(p), p)
    for p in quality.problems:
        seen.setdefault(_problem_key(p), p)
    return list(seen.values())


def _problem_key(p: Problem) -> tuple[object, ...]:
    ref = p.ref
    return (
        p.code,
        p.unit,
        p.task_id,
        p.metric_id,
        ref and ref.file,
        ref and ref.sheet,
        ref and ref.cell,
    )


@dataclass(frozen=True)
class Outputs:
    findings_file: Path
    files: tuple[Path, ...] = field(default_factory=tuple)


def write_outputs(
    audit: Audit,
    month: MonthSubmissions,
    quality: QualityReport,
    findings: Sequence[Finding],
    generated_at: datetime,
) -> Outputs:
    """findings.json, the reports, the quality page, and the dashboard across months."""
    from progress_audit.reporting.dashboards import write_dashboard, write_quality_page
    from progress_audit.reporting.findings_file import findings_document, write_findings
    from progress_audit.reporting.reports import write_reports
    from progress_audit.reporting.reports.unchanged import RenderLog

    out = audit.out_dir
    out.mkdir(parents=True, exist_ok=True)
    # A run killed mid-write leaves only a hidden temporary file (writes are atomic); we hold the
    # workspace lock, so any such file is stale.
    for stale in out.rglob(".*.tmp"):
        stale.unlink(missing_ok=True)
    document = findings_document(
        audit.period,
        audit.as_of,
        findings,
        month.current,
        extra={"generated_at": generated_at.isoformat(timespec="seconds")},
    )
    findings_path = out / "findings.json"
    write_findings(findings_path, document)
    files = [findings_path]
    problems = month_problems(month, quality)
    # A report whose inputs have not changed since it was written is left as it is (a rerun
    # rewrites only what changed); findings.json, the quality page and the dashboard (which
    # read the other months' files) are written every time.
    log = RenderLog(audit.workspace.root / CACHE_DIR / "reports" / f"{audit.period}.json", out)
    files += write_reports(
        out, audit.period, audit.as_of, findings, month.current, problems, log=log
    )
    log.save()
    files.append(write_quality_page(out, quality, month.current, audit.as_of))
    files.append(write_dashboard(audit.workspace.reports))
    return Outputs(findings_path, tuple(files))


def summary_lines(audit: Audit, findings: Sequence[Finding], month: MonthSubmissions) -> list[str]:
    """The closing summary in Chinese: counts by status, submissions, units not reported."""
    from progress_audit.assessment.assess import summarise

    counts = summarise(findings)
    by_status = "，".join(
        f"{FINDING_STATUS_LABELS[s]} {counts.get(s, 0)}" for s in FINDING_STATUS_LABELS
    )
    statuses = [s.status for s in month.current]
    submitted = {s.unit for s in month.current if s.status in ("on_time", "late")}
    missing = [u for u in audit.assignments if u not in submitted]
    lines = [
        f"{audit.period.label}督查（截至 {audit.as_of:%Y-%m-%d %H:%M}）：{len(findings)} 项，"
        f"{by_status}",
        f"报送：按时 {statuses.count('on_time')}，逾期 {statuses.count('late')}，"
        f"被替代 {statuses.count('superseded')}，无法使用 {statuses.count('rejected')}；"
        f"未报送单位 {len(missing)} 个"
        + (f"（{'、'.join(missing[:8])}{'等' if len(missing) > 8 else ''}）" if missing else ""),
    ]
    return lines


@dataclass(frozen=True)
class RunResult:
    """What a monthly audit leaves behind, for the command line's closing summary."""

    audit: Audit
    month: MonthSubmissions
    findings: tuple[Finding, ...] | list[Finding]
    outputs: Outputs


def summary_markdown(audit: Audit, findings: Sequence[Finding], month: MonthSubmissions) -> str:
    """The Prefect artifact: counts by status, the worst items, units not reported."""
    from progress_audit.assessment.assess import summarise

    counts = summarise(findings)
    rows = "\n".join(
        f"| {FINDING_STATUS_LABELS[s]} | {counts.get(s, 0)} |" for s in FINDING_STATUS_LABELS
    )
    order = {"overdue": 0, "off_track": 1, "at_risk": 2}
    worst = sorted(
        (f for f in findings if f.status in order),
        key=lambda f: (order[f.status], f.ratio if f.ratio is not None else 0),
    )[:10]
    worst_rows = "\n".join(
        f"| {f.metric_id or f.task_id} | {_md(f.name)[:30]} | {_md(f.unit)} | {f.status_label} |"
        f" {'' if f.ratio is None else f'{f.ratio:.0%}'} |"
        for f in worst
    )
    submitted = {s.unit for s in month.current if s.status in ("on_time", "late")}
    missing = [u for u in audit.assignments if u not in submitted]
    return (
        f"# {audit.period.label}重点任务督查\n\n截至 {audit.as_of:%Y-%m-%d %H:%M}\n\n"
        f"| 状态 | 数量 |\n|---|---|\n{rows}\n\n"
        "## 最需关注\n\n| 编号 | 指标/任务 | 牵头单位 | 状态 | 完成序时进度 |\n"
        "|---|---|---|---|---|\n"
        f"{worst_rows or '| — | 无 | | | |'}\n\n"
        f"## 未报送单位（{len(missing)}）\n\n{'、'.join(_md(u) for u in missing) or '无'}\n"
    )


def _md(text: str) -> str:
    """Unit text inside a markdown table: no pipes, no markup."""
    return text.replace("|", "｜").replace("<", "＜").replace(">", "＞").replace("\n", " ")


def report_links(outputs: Outputs, out_dir: Path) -> list[tuple[Path, str]]:
    """What the run links to (Prefect link artifacts): each report, and the folder of the
    units' feedback workbooks once rather than 40 links (an artifact costs an API call)."""
    links: list[tuple[Path, str]] = []
    folders: dict[Path, int] = {}
    for path in outputs.files:
        if path.parent != out_dir and path.parent.parent == out_dir:
            folders[path.parent] = folders.get(path.parent, 0) + 1
        else:
            links.append((path, path.name))
    links += [(folder, f"{folder.name}/（{n} 个文件）") for folder, n in folders.items()]
    return links


def artifact_slug(path: Path, out_dir: Path) -> str:
    """A Prefect artifact key part for a report file: lowercase letters, digits and dashes."""
    import hashlib
    import re

    name = str(path.relative_to(out_dir) if path.is_relative_to(out_dir) else path.name)
    ascii_part = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"{ascii_part}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"


def notify_office(audit: Audit, findings: Sequence[Finding], outputs: Outputs) -> str:
    """E-mail the exception report to the office when SMTP is configured; say what happened."""
    smtp = audit.settings.smtp
    if not audit.settings.notify_office or smtp is None or not smtp.office_recipients:
        return "未配置邮件（smtp），不发送通报"
    from progress_audit.assessment.assess import summarise
    from progress_audit.notification.mail import exception_report_message, send

    names = ("exceptions.xlsx", "exceptions.html", "overdue.xlsx", "at-risk.xlsx")
    attachments = [p for p in outputs.files if p.name in names]
    message = exception_report_message(
        audit.period, audit.as_of, summarise(findings), attachments, smtp
    )
    result = send([message], smtp)
    return str(result)


@dataclass(frozen=True)
class ReminderOutcome:
    """Who was reminded (催报) and what the e-mail side did."""

    period: Period
    due: datetime
    units: tuple[str, ...]
    sent: str
    markdown: str


def remind_units(audit: Audit, month: MonthSubmissions) -> ReminderOutcome:
    """The units that owe this month's workbook as of `as_of`; e-mail them when configured."""
    from progress_audit.notification.reminders import reminders

    due = audit.period.due(audit.tz, audit.settings.due_day)
    items = reminders(
        audit.period,
        audit.as_of,
        audit.assignments,
        month.current,
        audit.tz,
        audit.settings.due_day,
    )
    smtp = audit.settings.smtp
    sent = "未配置邮件（smtp），只列出名单"
    if smtp is not None and items:
        from progress_audit.notification.mail import reminder_messages, send

        batch = reminder_messages(items, smtp)
        sent = str(send(batch.messages, smtp)) if batch.messages else "各单位均未配置邮箱，未发送"
        if batch.unaddressed:
            sent += f"；未配置邮箱的单位：{'、'.join(batch.unaddressed)}"
    units = tuple(r.unit for r in items)
    markdown = (
        f"# {audit.period.label}催报\n\n截止时间 {due:%Y-%m-%d %H:%M}，截至 "
        f"{audit.as_of:%Y-%m-%d %H:%M} 尚未报送 {len(units)} 个单位：\n\n"
        + ("\n".join(f"- {_md(u)}" for u in units) or "无")
        + f"\n\n{sent}\n"
    )
    return ReminderOutcome(audit.period, due, units, sent, markdown)
