"""What the portal knows and does, as plain functions and one object holding the workspace
(门户的业务): which month is open, a unit's page, its template, taking in an upload.

The routes in `app.py` only translate HTTP to these calls and back.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from progress_audit.config import Settings
from progress_audit.intake.ledger import Ledger, Upload
from progress_audit.intake.links import current_token, link_url, unit_of
from progress_audit.intake.reviews import review_actions
from progress_audit.intake.uploads import receipt_as_it_stands, take_upload
from progress_audit.model.period import Calendar, Period
from progress_audit.model.receipts import Receipt
from progress_audit.model.records import FINDING_STATUS_LABELS
from progress_audit.model.wording import as_of_label as as_of_label_of
from progress_audit.notification.mail import receipt_followup_message, receipt_message, send
from progress_audit.paths import Workspace
from progress_audit.pipeline import Audit, accepted_rows, prepare, template_nodes
from progress_audit.portal.uploading import Incoming
from progress_audit.standards.catalogue import CatalogueError

_log = logging.getLogger(__name__)

TEMPORARY_DIR = ".uploads"
"""Uploads under way, in the workspace (on the archive's file system), a folder per serving
process; emptied when the portal starts."""


@dataclass
class Desk:
    """The portal's workspace, ledger and settings (one per process)."""

    data: Path
    settings: Settings
    ledger: Ledger
    period: Period | None = None
    """The open month when the office fixes it (`portal --period`); else it follows the clock."""
    _audits: dict[str, Audit] = field(default_factory=dict)

    @classmethod
    def open(cls, data: Path, settings: Settings, period: Period | None = None) -> Desk:
        """The desk of workspace `data`, its ledger opened (SQLite there, or `ledger_url`).
        Serving a workspace makes it one: its inbox folder exists, empty when every unit
        uploads through the portal, so the month's `run` does not take it for a mistyped path."""
        Workspace(Path(data)).raw.mkdir(parents=True, exist_ok=True)
        return cls(Path(data), settings, Ledger.open(settings.ledger_url or data), period)

    @property
    def calendar(self) -> Calendar:
        """The office's calendar (报送日历), from its settings."""
        return Calendar.of(self.settings)

    @property
    def workspace(self) -> Workspace:
        return Workspace(self.data)

    @property
    def temporary(self) -> Path:
        return self.data / TEMPORARY_DIR / str(os.getpid())

    def clear_temporary(self) -> None:
        """Remove what a killed portal left of uploads under way (never a receipt): before
        any process serves."""
        shutil.rmtree(self.data / TEMPORARY_DIR, ignore_errors=True)

    def open_month(self, now: datetime) -> Period:
        """The month units report now (the calendar's: last month, or this one for an office
        that collects within it), or the one the office fixed. When the clock's year has no
        responsibility table yet, the configured year's last month (a fresh workspace has only
        the shipped 2019 table)."""
        if self.period is not None:
            return self.period
        month = self.calendar.reporting_month(now)
        try:
            self.audit(month, now)
        except CatalogueError:
            return Period(self.settings.year, 12)
        return month

    def audit(self, period: Period, now: datetime) -> Audit:
        """The month's audit as of `now`; its catalogue loaded once per process (the readings'
        cache key is computed once per catalogue)."""
        audit = self._audits.get(str(period))
        if audit is None:
            # One catalogue object per year: a reading's cache key is computed once for it.
            same_year = next(
                (a for a in self._audits.values() if a.period.year == period.year), None
            )
            audit = (
                replace(same_year, period=period)
                if same_year is not None
                else prepare(str(period), None, self.data, now=now, settings=self.settings)
            )
            self._audits[str(period)] = audit
        moment = now.astimezone(audit.as_of.tzinfo)
        return replace(audit, as_of=moment)

    def unit(self, token: str) -> str | None:
        return unit_of(self.ledger, token)

    def take(self, unit: str, incoming: Incoming, received_at: datetime) -> Receipt:
        """Take an upload in (`take_upload`): its receipt as it stands."""
        audit = self.audit(self.open_month(received_at), received_at)
        try:
            taken = take_upload(
                incoming.path,
                incoming.sha256,
                incoming.size,
                unit,
                incoming.client_name,
                received_at,
                self.data,
                self.ledger,
                audit.catalogue,
                audit.assignments,
                calendar=self.calendar,
            )
        finally:
            incoming.path.unlink(missing_ok=True)
        return self._as_it_stands(taken.upload, taken.earlier)

    def receipts(self, unit: str) -> list[Receipt]:
        """The unit's receipts, newest first, each as it stands and as the office's later
        decisions on its file have it (returned, withdrawn)."""
        uploads = self.ledger.uploads(unit)
        decided = {
            (a.sha256, a.period): a.action
            for a in review_actions(self.ledger, unit=unit)
            if a.action in ("return", "withdraw")
        }
        result = []
        for u in reversed(uploads):
            r = self._as_it_stands(u, uploads)
            gone = decided.get((u.sha256, r.period))
            if gone is not None and r.status != "rejected":
                r = r.decided("returned" if gone == "return" else "withdrawn")
            result.append(r)
        return result

    def still_checking(self) -> set[tuple[str, str]]:
        """(unit, sha256) of every upload the quality suites have not yet checked."""
        return {(u.unit, u.sha256) for u in self.ledger.uploads(unchecked=True)}

    def receipt(self, unit: str, sha256: str) -> Receipt | None:
        """The unit's latest receipt for these bytes; None for bytes it never uploaded."""
        uploads: Sequence[Upload] = self.ledger.uploads(unit, sha256)
        return self._as_it_stands(uploads[-1], uploads) if uploads else None

    @staticmethod
    def _as_it_stands(upload: Upload, uploads: Sequence[Upload]) -> Receipt:
        twins = [
            u
            for u in uploads
            if u.sha256 == upload.sha256
            and u.period == upload.period
            and u.received_ns < upload.received_ns
        ]
        return receipt_as_it_stands(upload, twins)

    def template(self, unit: str, now: datetime) -> tuple[str, bytes]:
        """The unit's workbook for the open month, with last month's accepted figures and its
        approved plan's nodes due (节点进展)."""
        # openpyxl is slow to import: only a template download needs it.
        from progress_audit.templates.workbook import build_template, template_filename

        audit = self.audit(self.open_month(now), now)
        previous = {
            (r.task_id, r.metric_id): r for r in accepted_rows(audit, self.ledger) if r.unit == unit
        }
        due = self.calendar.due(audit.period)
        nodes = template_nodes(audit, self.ledger).get(unit, ())
        wb = build_template(unit, audit.assignments[unit], audit.period, due, previous, nodes=nodes)
        buffer = io.BytesIO()
        wb.save(buffer)
        return template_filename(unit, audit.period), buffer.getvalue()

    def mails_to(self, unit: str) -> bool:
        """Whether SMTP is configured with addresses for `unit` (its receipts are e-mailed)."""
        smtp = self.settings.smtp
        return smtp is not None and bool(smtp.unit_recipients.get(unit))

    def mail_receipt(self, receipt: Receipt, token: str) -> None:
        """E-mail the receipt to the unit's addresses when SMTP is configured (after the reply:
        a slow mail server never holds up the receipt). A failure is logged, never raised."""
        smtp = self.settings.smtp
        if smtp is None or not self.mails_to(receipt.unit):
            return
        base = self.settings.portal_base_url
        link = link_url(base, token) if base else None
        message = receipt_message(receipt.as_dict(), smtp, link)
        if message is not None:
            self.deliver([message], f"the receipt to {receipt.unit}")

    def mail_followups(self, added: Sequence[tuple[Upload, list[dict[str, Any]]]]) -> None:
        """E-mail each unit the problems the quality suites added to its receipt, when SMTP
        is configured. A failure is logged, never raised."""
        smtp = self.settings.smtp
        if smtp is None:
            return
        base = self.settings.portal_base_url
        messages = []
        for upload, problems in added:
            token = current_token(self.data, self.ledger, upload.unit) if base else None
            link = link_url(base, token) if base and token else None
            message = receipt_followup_message(json.loads(upload.receipt), problems, smtp, link)
            if message is not None:
                messages.append(message)
        if messages:
            self.deliver(messages, "the quality suites' problems")

    def deliver(self, messages: Sequence[EmailMessage], what: str) -> None:
        """Send through the configured SMTP server; a failure is logged, never raised."""
        assert self.settings.smtp is not None
        try:
            result = send(messages, self.settings.smtp)
        except Exception:
            _log.exception("mailing %s failed", what)
            return
        if not result.ok:
            _log.warning("mailing %s: %s", what, result.describe())

    def last_feedback(self, unit: str, period: Period) -> dict[str, Any] | None:
        """Last month's findings and problems of the unit, from that month's findings.json."""
        path = self.workspace.period_reports(period.prev()) / "findings.json"
        try:
            document = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        findings = [
            {**f, "status_label": FINDING_STATUS_LABELS.get(f.get("status"), f.get("status"))}
            for f in document.get("findings", [])
            if f.get("unit") == unit
        ]
        submissions = [s for s in document.get("submissions", []) if s.get("unit") == unit]
        problems = [p for s in submissions for p in s.get("problems", [])]
        try:
            as_of = datetime.fromisoformat(document["as_of"]).astimezone(
                ZoneInfo(self.settings.timezone)
            )
            as_of_label = as_of_label_of(as_of)
        except (KeyError, TypeError, ValueError):
            as_of_label = ""
        return {
            "period": period.prev(),
            "as_of": document.get("as_of"),
            "as_of_label": as_of_label,
            "findings": findings,
            "submissions": submissions,
            "problems": problems,
        }


def utc_now() -> datetime:
    return datetime.now(UTC)
