"""The submission reminder flow (催报): before the due date, list the units that have not
submitted and remind them by e-mail when configured.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from progress_audit import pipeline
from progress_audit.config import get_settings


@task(name="collect", cache_policy=NO_CACHE)
def collect(audit):
    ledger = pipeline.open_ledger(audit)
    try:
        return pipeline.collect(audit, ledger)
    finally:
        ledger.close()


@task(name="remind", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
def remind(audit, month):
    return pipeline.remind_units(audit, month)


@flow(name="submission-reminder")
def submission_reminder(
    period: str | None = None, as_of: str | None = None, data: str | None = None
):
    """催报：列出截至目前尚未报送的牵头单位，并在配置了邮件时发送提醒。"""
    audit = pipeline.prepare(period, as_of, data, now=datetime.now(UTC), settings=get_settings())
    with audit.workspace.locked(audit.settings.lock_timeout_seconds):
        month = collect(quote(audit))
    outcome = remind(quote(audit), quote(month))
    create_markdown_artifact(
        key=f"reminder-{audit.period}".lower(),
        markdown=outcome.markdown,
        description=f"{audit.period.label}催报",
    )
    return outcome
