"""The monthly audit's stages as plain functions (月度督查流程).

    prepare → collect (scan the inbox, take in each workbook, this month's submissions)
            → check quality → assess → write findings and reports → (notify)

`flows/monthly_audit.py` runs each stage as a Prefect task (and `collect`'s batches of
workbooks as tasks of their own); the tests and the bench call them directly.
Nothing here reads the wall clock: `now` comes from the caller, so a rerun with the same
inputs and `as_of` gives the same findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from progress_audit.assessment.assess import assess, summarise
from progress_audit.assessment.thresholds import Thresholds, thresholds_from_settings
from progress_audit.config import Settings
from progress_audit.intake import (
    InboxFile,
    ReadingPool,
    Received,
    default_reader,
    reading_pool,
    receive_cached,
    receive_many,
    recorded_inbox,
    scan_inbox,
    submissions_for,
)
from progress_audit.intake.links import link_url, unit_links
from progress_audit.intake.review import (
    accepted_keys,
    apply_reviews,
    figures_used,
    refused_again,
    withdrawn_submissions,
    without_withdrawn,
)
from progress_audit.intake.uploads import portal_received
from progress_audit.model.period import Calendar, Period, parse_as_of
from progress_audit.model.plans import PlanState
from progress_audit.model.problems import Problem, unique_problems
from progress_audit.model.records import (
    COUNTING_STATUSES,
    Finding,
    ReportedRow,
    ReviewAction,
    Submission,
)
from progress_audit.model.reports import FINDINGS, REPORTS
from progress_audit.notification.mail import (
    exception_report_message,
    reminder_messages,
    send,
)
from progress_audit.notification.reminders import reminders
from progress_audit.paths import Workspace
from progress_audit.quality.month import QualityReport, check_month
from progress_audit.reporting.dashboards import write_dashboard, write_quality_page
from progress_audit.reporting.findings_file import findings_document, write_findings
from progress_audit.reporting.reports import write_reports
from progress_audit.reporting.reports.unchanged import RenderLog
from progress_audit.reporting.run_summary import reminder_markdown
from progress_audit.standards.catalogue import Catalogue, load_catalogue
from progress_audit.standards.responsibility import TaskLine, assignments
from progress_audit.templates.nodes import NodeLine, nodes_due

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger


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
    def calendar(self) -> Calendar:
        """The office's calendar (报送日历): time zone, due day, which month it falls in."""
        return Calendar.of(self.settings)

    @property
    def out_dir(self) -> Path:
        return self.workspace.period_reports(self.period)


class InboxMissing(Exception):
    """The workspace has no inbox (`raw/`): most likely a mistyped `--data`. The message is for
    the office."""


def inbox_missing(data: str | Path) -> str | None:
    """Why `data` cannot be audited when it has no `raw/` folder (one line for the office),
    None when it has one. An audit of a folder without an inbox would report every unit as
    未报送: it is refused instead, and nothing is written."""
    raw = Path(data) / "raw"
    if raw.is_dir():
        return None
    return (
        f"工作区 {Path(data)} 下没有收件箱文件夹 {raw}：请检查 --data 是否写错"
        f"（应为含 raw/ 文件夹的工作区），或先建立 {raw} 并放入各单位的填报表"
    )


def prepare(
    period: str | None,
    as_of: str | None,
    data: str | Path | None,
    *,
    now: datetime,
    settings: Settings,
) -> Audit:
    """Read the arguments (raises PeriodError on a bad month or moment, InboxMissing on a
    workspace without `raw/`) and load the rules."""
    root = Path(data) if data else settings.data_dir
    if (why := inbox_missing(root)) is not None:
        raise InboxMissing(why)
    moment = parse_as_of(as_of, settings.timezone, now=now)
    month = Period.parse(period) if period else Calendar.of(settings).reporting_month(moment)
    catalogue = load_catalogue(month.year, settings.standards_dir, Path(data or settings.data_dir))
    return Audit(
        period=month,
        as_of=moment,
        workspace=Workspace(root),
        catalogue=catalogue,
        assignments=assignments(catalogue, settings.unit_groups),
        settings=settings,
        thresholds=thresholds_from_settings(settings),
    )


def open_ledger(audit: Audit) -> Ledger:
    # The ledger (SQLAlchemy) is slow to import: loading the flow must not pull it in.
    from progress_audit.intake.ledger import Ledger

    return Ledger.open(audit.settings.ledger_url or audit.workspace.root)


def receive_batch(
    audit: Audit, files: Sequence[InboxFile], ledger: Ledger, pool: ReadingPool | None = None
) -> list[Received]:
    """Fingerprint, archive, record and read several workbooks (cached on their sha256), read
    by `pool`'s workers if given."""
    root, catalogue, lines = audit.workspace.root, audit.catalogue, audit.assignments
    return receive_many(files, root, ledger, catalogue, lines, pool=pool)


ReadBatch = Callable[[Audit, Sequence[InboxFile], "Ledger", ReadingPool | None], list[Received]]
"""How a batch of workbooks is read: `receive_batch`, called directly or as a task."""
Progress = Callable[[int], AbstractContextManager[Callable[[str], None]]]
"""Given the number of workbooks, a context yielding `advance(name)` for each one taken in."""

READ_BATCH = 100
"""Workbooks per `read_batch` call: a month's new workbooks in one call."""


def collect(
    audit: Audit,
    ledger: Ledger,
    read_batch: ReadBatch = receive_batch,
    *,
    progress: Progress | None = None,
    workers: bool = True,
) -> MonthSubmissions:
    """This month's and last month's submissions from the inbox and the portal's uploads (taken
    in from the ledger, as the inbox's, `portal_received`): every inbox file scanned, those the
    ledger already holds a reading of (same bytes, name, reader and catalogue) taken from it in
    one pass, the others read by `read_batch` in batches of `READ_BATCH`, with one worker
    process per core when there are many (unless `workers` is False)."""
    files = scan_inbox(audit.workspace.raw, audit.tz)
    with (progress or _no_progress)(len(files)) as advance:
        reader = default_reader()
        root, catalogue, lines = audit.workspace.root, audit.catalogue, audit.assignments
        received = [receive_cached(f, root, ledger, catalogue, lines, reader=reader) for f in files]
        for f, r in zip(files, received, strict=True):
            if r is not None:
                advance(f.name)
        # The others are read in batches, not one call (a flow's task) each: a first run reads
        # hundreds, and a task run costs about as much as reading a workbook.
        todo = [i for i, r in enumerate(received) if r is None]
        with reading_pool(len(todo) if workers else 0, catalogue, lines) as pool:
            for start in range(0, len(todo), READ_BATCH):
                batch = todo[start : start + READ_BATCH]
                read = read_batch(audit, [files[i] for i in batch], ledger, pool)
                for i, r in zip(batch, read, strict=True):
                    received[i] = r
                    advance(files[i].name)
    months = (str(audit.period), str(audit.period.prev()))
    uploads = portal_received(
        root, ledger, catalogue, lines, audit.tz, reader=reader, periods=months
    )
    return _as_counted(audit, ledger, [*received, *uploads], node_plans(audit, ledger))


def recorded(audit: Audit, ledger: Ledger) -> MonthSubmissions:
    """The month as recorded (已记录): the inbox files already taken in, the uploads and the
    reviews, counted as `collect` counts them, from the ledger and the archive alone. Never
    reads the inbox, archives or records anything, and costs the same however full the inbox
    is: what the portal's pages show (new inbox files wait for `run`)."""
    # The plans' tables live in the ledger's database (SQLAlchemy, slow to import).
    from progress_audit.intake.plans import plan_states

    root, catalogue, lines = audit.workspace.root, audit.catalogue, audit.assignments
    reader = default_reader()
    inbox = recorded_inbox(root, ledger, catalogue, lines, audit.tz, reader=reader)
    months = (str(audit.period), str(audit.period.prev()))
    uploads = portal_received(
        root, ledger, catalogue, lines, audit.tz, reader=reader, periods=months, keep=False
    )
    plans = plan_states(ledger, catalogue.year, lines, audit.as_of)
    return _as_counted(audit, ledger, [*inbox, *uploads], plans)


def _as_counted(
    audit: Audit, ledger: Ledger, received: Sequence[Received], plans: Mapping[str, PlanState]
) -> MonthSubmissions:
    """The month's submissions from what was received, the office's reviews applied, last
    month's figures as its audit used them."""
    reviews = office_reviews(audit, ledger)
    month = month_submissions(audit, received, reviews)
    last = str(audit.period.prev())
    accepted = accepted_keys(month.previous, [a for a in reviews if a.period == last])
    previous = figures_used(month.previous, held_last_month(audit), accepted)
    return replace(month, previous=previous, plans=plans)


def held_last_month(audit: Audit) -> frozenset[tuple[str, str | None]]:
    """The figures last month's audit held (status `invalid`: 数据异常，待核实, or unreadable),
    from its findings.json; none when it has not run."""
    path = audit.workspace.period_reports(audit.period.prev()) / "findings.json"
    try:
        findings = json.loads(path.read_text("utf-8")).get("findings", [])
    except (OSError, ValueError, AttributeError):
        return frozenset()
    # Only a figure is held: a task without one keeps its row (its 进展情况 is compared).
    return frozenset(
        (f.get("unit"), f.get("metric_id"))
        for f in findings
        if f.get("status") == "invalid" and f.get("metric_id")
    )


def node_plans(audit: Audit, ledger: Ledger) -> Mapping[str, PlanState]:
    """Each lead unit's node plan as it stood at the audit's moment (plans dropped into
    `raw/plans/YYYY/` taken in first)."""
    # The plans' tables live in the ledger's database (SQLAlchemy, slow to import).
    from progress_audit.intake.plans import plan_states, receive_plan_inbox

    cat, lines = audit.catalogue, audit.assignments
    receive_plan_inbox(ledger, audit.workspace.root, cat, lines)
    return plan_states(ledger, cat.year, lines, audit.as_of)


def office_reviews(audit: Audit, ledger: Ledger) -> list[ReviewAction]:
    """The office's review actions of this month and last, taken by `as_of`."""
    # The review table lives in the ledger's database (SQLAlchemy, slow to import).
    from progress_audit.intake.reviews import review_actions

    months = (str(audit.period), str(audit.period.prev()))
    zone = audit.as_of.tzinfo  # the office's time zone: its reasons say when, in its clock
    return [
        replace(a, at=a.at.astimezone(zone))
        for a in review_actions(ledger)
        if a.period in months and a.at <= audit.as_of
    ]


def accepted_rows(audit: Audit, ledger: Ledger) -> list[ReportedRow]:
    """The figures last month's audit used (审核值, accepted, or valid; never one held 待核实
    and not accepted), inbox and portal alike, as recorded: what the templates show in
    `上月累计（参考）`."""
    month = recorded(audit, ledger)
    return [r for s in month.previous if s.status in COUNTING_STATUSES for r in s.rows]


def template_nodes(audit: Audit, ledger: Ledger) -> dict[str, tuple[NodeLine, ...]]:
    """Each unit's nodes for the month's 节点进展 sheet: its approved plan's nodes due by the
    month after, those reported done last month marked so. Read as recorded: plans dropped
    into the inbox are taken in by the month's run, not by making a template."""
    month = recorded(audit, ledger)
    reported = [n for s in month.previous if s.status in COUNTING_STATUSES for n in s.nodes]
    return {
        unit: nodes_due(state, audit.period, [r for r in reported if r.unit == unit])
        for unit, state in month.plans.items()
    }


@contextmanager
def _no_progress(total: int) -> Iterator[Callable[[str], None]]:
    yield lambda name: None


@dataclass(frozen=True)
class MonthSubmissions:
    current: tuple[Submission, ...]
    previous: tuple[Submission, ...]
    accepted: frozenset[tuple[str, str | None]] = frozenset()
    """The figures the office accepted this month: (unit, metric_id or None for all)."""
    plans: Mapping[str, PlanState] = field(default_factory=dict)
    """Each lead unit's node plan (节点计划) for milestone standards, as of the audit."""


def month_submissions(
    audit: Audit, received: Sequence[Received], reviews: Sequence[ReviewAction] = ()
) -> MonthSubmissions:
    """This month's and last month's submissions with their statuses as of `as_of`, the
    office's reviews applied (withdrawn files out of the count, returns, 审核值)."""
    received = refused_again(received, reviews)
    counted, _ = without_withdrawn(received, reviews)

    def of(month: Period) -> tuple[Submission, ...]:
        chosen = submissions_for(month, audit.as_of, counted, audit.calendar)
        gone = withdrawn_submissions(received, reviews, str(month))
        return tuple(apply_reviews([*chosen, *gone], reviews))

    current = of(audit.period)
    accepted = accepted_keys(current, [a for a in reviews if a.period == str(audit.period)])
    return MonthSubmissions(current, of(audit.period.prev()), accepted)


def check(audit: Audit, month: MonthSubmissions) -> QualityReport:
    """The data-quality suites over the month's combined rows (one validation)."""
    return check_month(
        audit.period,
        audit.as_of,
        audit.catalogue,
        audit.assignments,
        month.current,
        month.previous,
        audit.settings.quality,
        due=audit.calendar.due(audit.period),
        cache_dir=audit.workspace.root / CACHE_DIR / "checks",
    )


def assess_month(
    audit: Audit,
    month: MonthSubmissions,
    quality: QualityReport | None = None,
    *,
    checked: Sequence[Problem] = (),
) -> list[Finding]:
    """Every lead unit's task lines against target and 序时进度 (with the quality suites'
    problems when they have run, or those `checked` already for the month's uploads)."""
    return assess(
        audit.catalogue,
        audit.assignments,
        audit.period,
        audit.as_of,
        month.current,
        audit.thresholds,
        quality.problems if quality is not None else checked,
        calendar=audit.calendar,
        accepted=accepted_figures(audit, month.accepted),
        previous=month.previous,
        plans=month.plans,
        milestones=audit.settings.milestones,
    )


def accepted_figures(
    audit: Audit, accepted: Collection[tuple[str, str | None]]
) -> frozenset[tuple[str, str, str | None]]:
    """The office's acceptances as the assessment takes them: (unit, month, metric_id), a
    whole unit's acceptance (metric None) naming each of its lines."""
    month = str(audit.period)
    figures = set()
    for unit, metric_id in accepted:
        lines = audit.assignments.get(unit, ())
        ids = [ln.metric_id for ln in lines] if metric_id is None else [metric_id]
        figures.update((unit, month, m) for m in ids)
    return frozenset(figures)


def month_problems(month: MonthSubmissions, quality: QualityReport) -> list[Problem]:
    """Every problem of the month, once: the files', the rows' and the quality checks'."""
    given = (
        p for s in month.current for p in (*s.problems, *(p for r in s.rows for p in r.problems))
    )
    return unique_problems([*given, *quality.problems])


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
    findings_path = out / FINDINGS.name
    write_findings(findings_path, document)
    files = [findings_path]
    problems = month_problems(month, quality)
    # A report whose inputs have not changed since it was written is left as it is (a rerun
    # rewrites only what changed); findings.json, the quality page and the dashboard (which
    # read the other months' files) are written every time.
    log = RenderLog(audit.workspace.root / CACHE_DIR / "reports" / f"{audit.period}.json", out)
    escalate_after = audit.thresholds.escalate_after_months
    files += write_reports(
        out,
        audit.period,
        audit.as_of,
        findings,
        month.current,
        problems,
        log=log,
        document=audit.settings.document,
        escalate_after=escalate_after,
        calendar=audit.calendar,
    )
    log.save()
    files.append(write_quality_page(out, quality, month.current, audit.as_of))
    # The scores the quality page writes beside it, which the dashboard reads.
    clear_other_runs(out, [*files, out / "quality.json"])
    files.append(write_dashboard(audit.workspace.reports, escalate_after=escalate_after))
    return Outputs(findings_path, tuple(files))


def clear_other_runs(out: Path, written: Collection[Path]) -> list[Path]:
    """Remove from the month's folder every file this run did not write (or leave as it was):
    the folder holds one run's outputs, never an earlier run's feedback workbook beside a
    通报 that no longer agrees with it. Returns what was removed."""
    keep = {Path(p).resolve() for p in written}
    removed = []
    for path in sorted(out.rglob("*"), reverse=True):  # files before their folders
        if path.is_file() and path.resolve() not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


@dataclass(frozen=True)
class RunResult:
    """What a monthly audit leaves behind, for the command line's closing summary."""

    audit: Audit
    month: MonthSubmissions
    findings: tuple[Finding, ...] | list[Finding]
    outputs: Outputs


def notify_office(audit: Audit, findings: Sequence[Finding], outputs: Outputs) -> str:
    """E-mail the exception report to the office when SMTP is configured; say what happened."""
    smtp = audit.settings.smtp
    if not audit.settings.notify_office or smtp is None or not smtp.office_recipients:
        return "未配置邮件（smtp），不发送通报"
    names = {r.name for r in REPORTS if r.mailed}
    attachments = [p for p in outputs.files if p.name in names]
    message = exception_report_message(
        audit.period, audit.as_of, summarise(findings), attachments, smtp
    )
    result = send([message], smtp)
    return str(result)


def unit_portal_links(audit: Audit, units: Sequence[str]) -> dict[str, str]:
    """Each unit's own portal link, when the portal's address is configured (`portal_base_url`);
    none otherwise."""
    base = audit.settings.portal_base_url
    if not base or not units:
        return {}
    with open_ledger(audit) as ledger:
        tokens = unit_links(audit.workspace.root, ledger, units)
    return {unit: link_url(base, token) for unit, token in tokens.items()}


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
    due = audit.calendar.due(audit.period)
    items = reminders(audit.period, audit.as_of, audit.assignments, month.current, audit.calendar)
    smtp = audit.settings.smtp
    sent = "未配置邮件（smtp），只列出名单"
    if smtp is not None and items:
        batch = reminder_messages(
            items, smtp, links=unit_portal_links(audit, [r.unit for r in items])
        )
        sent = str(send(batch.messages, smtp)) if batch.messages else "各单位均未配置邮箱，未发送"
        if batch.unaddressed:
            sent += f"；未配置邮箱的单位：{'、'.join(batch.unaddressed)}"
    units = tuple(r.unit for r in items)
    markdown = reminder_markdown(audit.period, due, audit.as_of, units, sent)
    return ReminderOutcome(audit.period, due, units, sent, markdown)
