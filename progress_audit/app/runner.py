"""Running the flows from the command line: progress display, one closing summary, and one
clear line on stderr (exit 1) when an audit cannot complete.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import typer

from progress_audit.app import prefect_server, warm_up
from progress_audit.app.prefect_setup import (
    configure_prefect,
    deployments_in_pools,
    server_configured,
    server_unreachable,
    without_heartbeats,
)
from progress_audit.config import get_settings
from progress_audit.flows.console import progress_bar
from progress_audit.intake import forking_workers
from progress_audit.model.period import Calendar, Period, PeriodError
from progress_audit.paths import PROJECT_ROOT, WorkspaceBusy
from progress_audit.reporting.run_summary import summary_lines
from progress_audit.standards.catalogue import Catalogue, CatalogueError, load_catalogue
from progress_audit.standards.responsibility import TaskLine, assignments


class AuditFailed(Exception):
    """An audit could not complete; the message is for the office."""


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


def _quiet_prefect(verbose: bool) -> None:
    if not verbose:
        # Tracebacks of a failed run are in the Prefect UI; the terminal gets one line.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    configure_prefect(verbose)


def _get_ready(data: Path, verbose: bool, *, surely: bool = False) -> None:
    """Prefect configured, its temporary server and the validating process started (once): the
    first thing an audit does, so that their imports overlap this process's own. `surely`: the
    month's rows will be validated (see `warm_up.start_validating`)."""
    _quiet_prefect(verbose)
    prefect_server.start()
    warm_up.start_validating(data, surely=surely)


def _run_one(period: str | None, as_of: str | None, data: Path):
    # Prefect takes seconds to import: only the commands that run a flow pay it
    from progress_audit.flows.monthly_audit import monthly_audit
    from progress_audit.pipeline import InboxMissing  # loaded by the flow already: free here

    # Prefect is imported; what the audit needs next is imported while its server starts.
    warm_up.start()
    # The temporary server started with the command (prefect_server), once it answers; else
    # Prefect starts its own as the flow begins.
    prefect_server.use()
    if not server_configured():
        # The temporary server's own module, which this process imports before it starts the
        # server: imported now, so that it is not imported in the middle of the flow.
        import prefect.server.api.server  # noqa: F401
    try:
        with without_heartbeats():
            return monthly_audit(period=period, as_of=as_of, data=str(data)).unquote()
    except (CatalogueError, PeriodError, WorkspaceBusy, InboxMissing) as e:
        _fail(str(e))
    except Exception as e:  # the audit itself failed: say what, not a traceback
        _fail(f"督查未能完成：{type(e).__name__}: {e}（加 --verbose 查看详细日志）")


def run_audits(runs: Sequence[tuple[str | None, str | None]], data: Path, *, verbose: bool) -> list:
    """Run the monthly audit for each (period, as_of); print one summary per run."""
    _get_ready(data, verbose)
    # A workspace without an inbox (a mistyped --data) is refused before Prefect starts.
    from progress_audit.pipeline import inbox_missing

    if (why := inbox_missing(data)) is not None:
        _fail(why)
    results = []
    with progress_bar(enabled=sys.stderr.isatty()):
        for period, as_of in runs:
            results.append(_run_one(period, as_of, data))
    for result in results:
        for line in summary_lines(result.audit, result.findings, result.month):
            typer.echo(line)
    if results:
        out = results[-1].audit.out_dir
        typer.echo(f"报告：{_shown(out)}/")
        feedback = [p for p in results[-1].outputs.files if p.parent.name == "feedback"]
        for path in results[-1].outputs.files:
            if path not in feedback:
                typer.echo(f"  {_shown(path)}")
        if feedback:
            typer.echo(f"  {_shown(out / 'feedback')}/（各单位反馈 {len(feedback)} 份）")
    return results


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


DEMO_PERIODS = ("2019-01", "2019-02", "2019-03", "2019-04", "2019-05", "2019-06")


def run_demo(data: Path, *, verbose: bool) -> None:
    """Synthetic submissions for 2019-01..06 (seeded), then an audit of each month."""
    settings = get_settings()
    periods = [Period.parse(p) for p in DEMO_PERIODS]
    catalogue = load_catalogue(2019, settings.standards_dir, data)
    raw = data / "raw"
    typer.echo(
        f"生成模拟填报表：{_shown(raw)}/（2019年1–6月，{len(assignments(catalogue))} 个牵头单位）"
    )
    lines = assignments(catalogue, settings.unit_groups)
    with _beside(_demo_workspace) as writing:
        written = writing(data, catalogue, lines, periods, settings.timezone, settings.due_day)
        # Meanwhile the audits are readied, and this process imports the flow, which the first
        # month would otherwise wait for.
        _get_ready(data, verbose, surely=True)
        import progress_audit.flows.monthly_audit  # noqa: F401

        written.result()
    runs = []
    for p in periods:
        # Audited on the 10th at 09:00: the scheduled run on the 6th plus the reruns the office
        # makes as late workbooks arrive, so the demo shows late units as well as missing ones.
        moment = Calendar.of(settings).due(p) + timedelta(days=4, hours=9)
        runs.append((str(p), moment.isoformat()))
    run_audits(runs, data, verbose=verbose)
    typer.echo(f"跨月看板：{_shown(data / 'reports' / 'dashboard.html')}")


def _demo_workspace(
    data: Path,
    catalogue: Catalogue,
    lines: Mapping[str, tuple[TaskLine, ...]],
    periods: Sequence[Period],
    tz: str,
    due_day: int,
) -> None:
    """The demo's inbox (the units' workbooks and node plans) and the office's decisions on
    the plans, as the demo's story has them."""
    # openpyxl is slow to import: only the demo, which writes workbooks, pays it here
    from progress_audit.demo.node_plans import plan_story, record_decisions  # (the same)
    from progress_audit.demo.synthetic import make_inbox  # (the same reason)

    make_inbox(data / "raw", catalogue, lines, periods, seed=2019, tz=tz, due_day=due_day)
    record_decisions(data, catalogue, lines, plan_story(lines, 2019, tz))


@contextmanager
def _beside(function: Callable[..., Any]) -> Iterator[Callable[..., Future[Any]]]:
    """`function` submitted to a process forked now (while this one is a single thread), so
    that it runs beside what this process does next; in this process where there is no fork."""
    if forking_workers() < 2:
        yield lambda *args, **kwargs: _done(function(*args, **kwargs))
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # else what is still buffered would be written again by the child
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        yield partial(pool.submit, function)


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def serve_deployments() -> None:
    """Serve the deployments of prefect.yaml in this process (needs a real Prefect server)."""
    configure_prefect()
    if not server_configured():
        _fail(
            "未配置 Prefect 服务器，定时任务无法运行。请先在另一个终端运行 `prefect server start`，"
            "再执行 `prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`，"
            "然后重新运行 progress-audit serve"
        )
    # A configured but stopped server would otherwise end in a page of httpx traceback.
    if (problem := server_unreachable()) is not None:
        _fail(
            f"无法连接 Prefect 服务器 {problem}。请确认 `prefect server start` 正在运行、"
            "PREFECT_API_URL 指向它，然后重新运行 progress-audit serve"
        )
    # Prefect takes seconds to import, and must be configured first (configure_prefect)
    from prefect import serve

    from progress_audit.flows.deployments import deployments_from_yaml  # Prefect, likewise

    deployments = deployments_from_yaml(PROJECT_ROOT / "prefect.yaml")
    names = [f"{d.flow_name}/{d.name}" for d in deployments]
    # Served over a deployment that `prefect deploy` put in a work pool, the server keeps the
    # pool and drops the code location: every run would crash. The office picks one of the two.
    if taken := deployments_in_pools(names):
        listed = "、".join(f"{name}（工作池 {pool}）" for name, pool in taken)
        deletes = "；".join(f"prefect deployment delete '{name}'" for name, _ in taken)
        _fail(
            f"部署 {listed} 已由 `prefect deploy` 登记，由工作池的 worker 运行，不能再由 "
            f"progress-audit serve 运行。请继续使用 worker，或先删除这些部署（{deletes}）"
            "后重新运行 progress-audit serve"
        )
    serve(*deployments)
