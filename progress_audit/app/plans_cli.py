"""`progress-audit plans …`: node plans (节点计划) for the office at the command line.

The template for every lead unit of a milestone standard, taking in the plans dropped into the
inbox, where every unit stands, and the office's decisions (审定, 退回, 延期), each with who took
it. The commands call the same functions the portal calls (`intake.plans`).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from progress_audit.config import get_settings
from progress_audit.standards.catalogue import CatalogueError, load_catalogue
from progress_audit.standards.responsibility import assignments

plans_app = typer.Typer(
    help="节点计划：生成节点计划表、收取、审定或退回、延期，查看各单位计划状态。",
    no_args_is_help=True,
)

Data = Annotated[
    Path | None,
    typer.Option("--data", metavar="文件夹", help="工作区（默认 ./data）"),
]
Year = Annotated[
    int | None, typer.Option("--year", metavar="年份", help="计划年度（默认取配置，2019）")
]
By = Annotated[str, typer.Option("--by", metavar="姓名", help="经办人（记入审核记录）")]
Unit = Annotated[str, typer.Argument(metavar="单位", help="牵头单位名称，如 交通局")]
Task = Annotated[str, typer.Option("--task", metavar="任务编号", help="如 7.1")]
Node = Annotated[int, typer.Option("--node", metavar="节点序号", help="如 2")]


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


def _context(year: int | None, data: Path | None):
    settings = get_settings()
    workspace = Path(data or settings.data_dir)
    try:
        cat = load_catalogue(year or settings.year, settings.standards_dir, workspace)
    except CatalogueError as e:
        _fail(str(e))
    return settings, workspace, cat, assignments(cat, settings.unit_groups)


def template_nodes(month, data: Path | None, settings) -> dict:
    """Each unit's nodes due for the month's 节点进展 sheet (none without a workspace)."""
    workspace = Path(data or settings.data_dir)
    has_ledger = settings.ledger_url or (workspace / "ledger.db").exists()
    if not has_ledger or not (workspace / "raw").is_dir():
        return {}
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.pipeline import prepare

    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.pipeline import template_nodes as nodes_of

    audit = prepare(str(month), None, workspace, now=datetime.now(UTC), settings=settings)
    with _ledger(settings, workspace) as ledger:
        return nodes_of(audit, ledger)


def _ledger(settings, workspace: Path):
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.ledger import Ledger, LedgerError

    try:
        return Ledger.open(settings.ledger_url or workspace)
    except LedgerError as e:
        _fail(str(e))


@plans_app.command("template")
def plans_template(
    out: Annotated[Path, typer.Option("--out", metavar="文件夹", help="节点计划表保存到的文件夹")],
    year: Year = None,
    data: Data = None,
) -> None:
    """为每个牵头节点任务的单位生成节点计划表（每单位一个工作簿）。"""
    from progress_audit.templates.plans import write_plan_templates  # openpyxl: slow import

    _, _, cat, lines = _context(year, data)
    try:
        paths = write_plan_templates(out, cat.year, lines)
    except OSError as e:
        _fail(f"无法写入 {out}：{e.strerror or e}")
    typer.echo(f"已生成 {len(paths)} 份{cat.year}年节点计划表，保存在 {out.resolve()}：")
    for path in paths:
        typer.echo(f"  {path.name}")


@plans_app.command("receive")
def plans_receive(year: Year = None, data: Data = None) -> None:
    """收取收件箱 raw/plans/年份/ 中新放入的节点计划，逐份列出问题（单元格）。"""
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import receive_plan_inbox

    settings, workspace, cat, lines = _context(year, data)
    with _ledger(settings, workspace) as ledger:
        receipts = receive_plan_inbox(ledger, workspace, cat, lines)
    if not receipts:
        typer.echo(f"raw/plans/{cat.year}/ 中没有新的节点计划。")
    for r in receipts:
        word = "待审定" if r.status == "received" else "有误，不能审定"
        typer.echo(f"{r.plan.unit}：{r.plan.file}，节点 {len(r.plan.nodes)} 个，{word}")
        for p in r.plan.problems:
            typer.echo(f"  {p.where}：{p.message}")


@plans_app.command("status")
def plans_status(
    year: Year = None,
    data: Data = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """各单位节点计划的状态：未报送、待审定、有误、已退回、已审定，以及延期申请。"""
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import plan_states

    settings, workspace, cat, lines = _context(year, data)
    with _ledger(settings, workspace) as ledger:
        states = plan_states(ledger, cat.year, lines)
    if as_json:
        out = [
            {
                "unit": s.unit,
                "status": s.status,
                "label": s.label,
                "approved_at": s.approved_at.isoformat() if s.approved_at else None,
                "approved_by": s.approved_by or None,
                "returned_reason": s.returned_reason or None,
                "nodes": [
                    {
                        "task_id": n.task_id,
                        "node": n.node,
                        "content": n.content,
                        "planned": n.planned,
                        "due": n.due,
                    }
                    for n in s.nodes
                ],
                "pending_extensions": [
                    {
                        "task_id": e.task_id,
                        "node": e.node,
                        "new_month": e.new_month,
                        "reason": e.reason,
                    }
                    for e in s.extensions
                    if e.state == "pending"
                ],
            }
            for s in states.values()
        ]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    without = [s for s in states.values() if s.approved is None]
    typer.echo(
        f"{cat.year}年节点计划：牵头节点任务的单位 {len(states)} 个，"
        f"已审定 {len(states) - len(without)} 个，尚无审定计划 {len(without)} 个。"
    )
    for s in states.values():
        extra = f"（退回理由：{s.returned_reason}）" if s.returned_reason else ""
        pending = [e for e in s.extensions if e.state == "pending"]
        if pending:
            extra += f"（待决定的延期申请 {len(pending)} 项）"
        typer.echo(f"  {s.unit}\t{s.label}{extra}")


def _act(call, done: str) -> None:
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import PlanRefused

    try:
        call()
    except PlanRefused as e:
        _fail(str(e))
    typer.echo(done)


@plans_app.command("approve")
def plans_approve(
    unit: Unit,
    by: By,
    year: Year = None,
    data: Data = None,
    reason: Annotated[str, typer.Option("--reason", help="审定意见（可不填）")] = "",
) -> None:
    """审定单位最近报送的节点计划；审定后即固定，此前审定的计划仍留在记录中。"""
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import approve_plan

    settings, workspace, cat, _ = _context(year, data)
    with _ledger(settings, workspace) as ledger:
        _act(
            lambda: approve_plan(ledger, unit, cat.year, by, datetime.now(UTC), reason),
            f"已审定{unit}的{cat.year}年节点计划（经办人：{by}）。",
        )


@plans_app.command("return")
def plans_return(
    unit: Unit,
    by: By,
    reason: Annotated[str, typer.Option("--reason", help="退回理由（必填）")],
    year: Year = None,
    data: Data = None,
) -> None:
    """退回单位最近报送的节点计划（须写明理由）；已审定的计划不能退回。"""
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import return_plan

    settings, workspace, cat, _ = _context(year, data)
    with _ledger(settings, workspace) as ledger:
        _act(
            lambda: return_plan(ledger, unit, cat.year, reason, by, datetime.now(UTC)),
            f"已退回{unit}的{cat.year}年节点计划（经办人：{by}）。",
        )


@plans_app.command("extend")
def plans_extend(
    unit: Unit,
    task: Task,
    node: Node,
    by: By,
    reason: Annotated[str, typer.Option("--reason", help="延期理由（必填）")],
    month: Annotated[
        str | None, typer.Option("--month", metavar="月份", help="督查室直接批准延期到的月份")
    ] = None,
    approve: Annotated[
        bool | None,
        typer.Option("--approve/--refuse", help="同意或不同意单位待决定的延期申请"),
    ] = None,
    year: Year = None,
    data: Data = None,
) -> None:
    """节点延期：--month 月份 由督查室直接批准；--approve / --refuse 决定单位的延期申请。"""
    # The ledger (SQLAlchemy) and the pipeline are slow to import: only when used.
    from progress_audit.intake.plans import decide_extension, grant_extension

    if (month is None) == (approve is None):
        _fail("请给出 --month 月份（督查室批准延期），或 --approve / --refuse（决定单位的申请）")
    settings, workspace, cat, _ = _context(year, data)
    now = datetime.now(UTC)
    with _ledger(settings, workspace) as ledger:
        if month is not None:
            _act(
                lambda: grant_extension(ledger, cat, unit, task, node, month, reason, by, now),
                f"已批准{unit}任务 {task} 节点 {node} 延期到 {month}（经办人：{by}）。",
            )
        else:
            word = "同意" if approve else "不同意"
            _act(
                lambda: decide_extension(
                    ledger, unit, cat.year, task, node, bool(approve), reason, by, now
                ),
                f"已{word}{unit}任务 {task} 节点 {node} 的延期申请（经办人：{by}）。",
            )
