"""The monthly audit flow (月度督查): collect, check, assess, report, notify.

Thin orchestration: every stage is a plain function in `progress_audit.pipeline`; here each
becomes a Prefect task (a task is a stage or a batch of workbooks, never a row).
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from progress_audit import pipeline
from progress_audit.config import get_settings
from progress_audit.flows.console import reading_progress
from progress_audit.reporting.run_summary import report_links, summary_markdown


# The inputs are live objects (catalogue, ledger): no Prefect input caching. Intake is cached on
# each workbook's sha256 in the ledger instead, which also survives across machines.
@task(name="collect-workbooks", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def collect_workbooks(audit, files, ledger, pool):
    """Workbooks to read: fingerprint, archive, read (cached on sha256). Retries transient I/O
    (a unit still copying a file); on a retry the workbooks already read are cached."""
    return pipeline.receive_batch(audit, files, ledger, pool)


def _read_batch(audit, files, ledger, pool):
    # quote(): Prefect need not walk through the catalogue and the ledger for each batch.
    return collect_workbooks(quote(audit), quote(files), quote(ledger), quote(pool))


@task(name="collect", cache_policy=NO_CACHE)
def collect(audit):
    ledger = pipeline.open_ledger(audit)
    try:
        return pipeline.collect(audit, ledger, _read_batch, progress=reading_progress)
    finally:
        ledger.close()


@task(name="check", cache_policy=NO_CACHE)
def check(audit, month):
    return pipeline.check(audit, month)


@task(name="assess", cache_policy=NO_CACHE)
def assess(audit, month, quality):
    return pipeline.assess_month(audit, month, quality)


@task(name="report", cache_policy=NO_CACHE)
def report(audit, month, quality, findings):
    outputs = pipeline.write_outputs(audit, month, quality, findings, datetime.now(UTC))
    _artifacts(audit, findings, month, outputs)
    return outputs


@task(name="notify", retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
def notify(audit, findings, outputs):
    return pipeline.notify_office(audit, findings, outputs)


@flow(name="monthly-audit", log_prints=False)
def monthly_audit(period: str | None = None, as_of: str | None = None, data: str | None = None):
    """督查一个月：收集各单位填报表、校验、评估、出报告、通知。"""
    audit = pipeline.prepare(period, as_of, data, now=datetime.now(UTC), settings=get_settings())
    # quote(): the stages pass plain records Prefect need not walk through (it would visit every
    # field of the catalogue for every task run, which costs more than the work itself).
    with audit.workspace.locked(audit.settings.lock_timeout_seconds):
        month = collect(quote(audit))
        quality = check(quote(audit), quote(month))
        findings = assess(quote(audit), quote(month), quote(quality))
        outputs = report(quote(audit), quote(month), quote(quality), quote(findings))
        notify(quote(audit), quote(findings), quote(outputs))
    return quote(pipeline.RunResult(audit, month, findings, outputs))


def _artifacts(audit, findings, month, outputs) -> None:
    # One artifact, the reports linked inside it: each artifact is a request to the server.
    create_markdown_artifact(
        key=f"audit-{audit.period}".lower(),
        markdown=summary_markdown(
            audit, findings, month, report_links(outputs.files, audit.out_dir)
        ),
        description=f"{audit.period.label}督查结果",
    )
