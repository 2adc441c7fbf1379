"""The `progress-audit` command line: catalogue, templates, run, demo and serve.

Errors the user can act on are one line on stderr and exit 1; usage errors exit 2 (click's own).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer._click.exceptions import ClickException, UsageError  # typer's own copy of click
from typer.exceptions import Abort

from progress_audit.app import chinese
from progress_audit.app.plans_cli import plans_app, template_nodes
from progress_audit.app.quick_exit import quick_exit
from progress_audit.app.runner import run_audits, run_demo, serve_deployments
from progress_audit.config import Settings, get_settings
from progress_audit.model.period import (
    Calendar,
    Period,
    PeriodError,
    end_of_day,
    parse_as_of,
)
from progress_audit.standards.catalogue import CatalogueError, load_catalogue
from progress_audit.standards.responsibility import assignments
from progress_audit.standards.summary import summary_text

app = typer.Typer(
    name="progress-audit",
    help="区政府重点任务进度督查引擎：目录、填报模板、月度督查。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help and errors, in Chinese by `chinese`
    cls=chinese.ChineseGroup,
    options_metavar=chinese.OPTIONS_METAVAR,
    subcommand_metavar=chinese.SUBCOMMAND_METAVAR,
    context_settings={"help_option_names": ["--help", "-h"]},
)
chinese.install()


def command(**kw):
    """`app.command`, the command's usage line and help option in Chinese."""
    return app.command(cls=chinese.ChineseCommand, options_metavar=chinese.OPTIONS_METAVAR, **kw)


class UserError(Exception):
    """An error the office can fix; shown as one line, no traceback."""


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


@app.callback()
def _root() -> None:
    """区政府重点任务进度督查引擎。"""
    try:
        get_settings()
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        _fail(
            f"配置有误：{where}：{chinese.settings_error_text(first)}（共 {e.error_count()} 处；"
            "请检查 progress-audit.toml 和 PROGRESS_AUDIT_ 环境变量）"
        )


YearOption = Annotated[
    int | None, typer.Option("--year", metavar="年份", help="责任分解表年份（默认取配置，2019）")
]


@command()
def catalogue(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出完整目录")] = False,
    data: DataOption = None,
) -> None:
    """输出重点任务目录：目标、工作标准、牵头单位和量化指标。"""
    settings = get_settings()
    try:
        cat = load_catalogue(
            year or settings.year, settings.standards_dir, data or settings.data_dir
        )
    except CatalogueError as e:
        _fail(str(e))
    if as_json:
        json.dump(cat.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        typer.echo(summary_text(cat))


def _check_data(value: Path | None) -> Path | None:
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(
            f"{value} 是文件，不是文件夹：--data 应为工作区文件夹（其中有 raw/ 收件箱）"
        )
    return value


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="文件夹",
        callback=_check_data,
        help="工作区：raw/ 收件箱、reports/ 报告、archive/ 存档（默认 ./data）",
    ),
]


def _check_period(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(Period.parse(value))
    except PeriodError as e:
        raise typer.BadParameter(str(e)) from None


def _check_as_of(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_as_of(value, get_settings().timezone, now=datetime.now(UTC))
    except PeriodError as e:
        raise typer.BadParameter(str(e)) from None
    return value


@command()
def run(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="月份",
            callback=_check_period,
            help="督查月份，如 2019-06（默认上个月）",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="时间",
            callback=_check_as_of,
            help="督查截至时间：2019-07-06（当天 24:00）或 2019-07-08T12:00:00+08:00（默认现在）",
        ),
    ] = None,
    data: DataOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="显示 Prefect 运行日志")] = False,
) -> None:
    """月度督查：收集、校验、评估、出报告（一次 Prefect 流程运行）。"""
    if (why := _not_yet_ended(period, as_of)) is not None:
        typer.echo(f"错误：{why}", err=True)
        raise typer.Exit(2)
    run_audits([(period, as_of)], data or get_settings().data_dir, verbose=verbose)


def _not_yet_ended(period: str | None, as_of: str | None) -> str | None:
    """Why the month cannot be audited as of that moment (one line), or None: a month is
    audited only once it has ended, or its workbooks were due (an office that collects within
    the month); before that every unit would be 未报送 and the month's reports would be
    overwritten with nothing."""
    calendar = Calendar.of(get_settings())
    tz = calendar.timezone
    moment = parse_as_of(as_of, tz, now=datetime.now(UTC))
    month = Period.parse(period) if period else calendar.reporting_month(moment)
    ends, due = end_of_day(month.last_day, tz), calendar.due(month)
    if moment >= min(ends, due):
        return None
    said = as_of if as_of else f"现在（{moment:%Y-%m-%d %H:%M}）"
    if due < ends:
        day = (due - timedelta(days=1)).date()  # due at 24:00 of that day
        return (
            f"{month.label}的填报表到 {day:%Y-%m-%d} 24:00 才截止，截至 {said} 还不能督查这个月："
            f"请把 --as-of 设为 {day:%Y-%m-%d} 或之后（未写入任何文件）"
        )
    return (
        f"{month.label}到 {month.last_day:%Y-%m-%d} 24:00 才结束，截至 {said} 还不能督查这个月："
        f"请把 --as-of 设为 {month.last_day:%Y-%m-%d} 或之后（未写入任何文件）"
    )


@command()
def demo(
    data: DataOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="显示 Prefect 运行日志")] = False,
) -> None:
    """生成 2019 年 1–6 月的模拟填报表（固定随机种子，可重现），逐月督查并生成报告。"""
    run_demo(data or get_settings().data_dir, verbose=verbose)


@command()
def serve() -> None:
    """按 prefect.yaml 的计划运行定时部署（每月 6 日 9:00 督查、3 日 9:00 催报），直到停止。"""
    serve_deployments()


# ── templates: the submission workbooks sent to the units each month ──────────────────────


@command()
def templates(
    period: Annotated[
        str,
        typer.Option(
            "--period", metavar="月份", callback=_check_period, help="填报月份，如 2019-06"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", metavar="文件夹", help="填报表保存到的文件夹")],
    year: YearOption = None,
    data: DataOption = None,
) -> None:
    """为每个牵头单位生成当月进度填报表（每单位一个工作簿）。"""
    # openpyxl is slow to import: `--help` and the other commands do not pay for it
    from progress_audit.templates.workbook import write_templates

    settings = get_settings()
    try:
        month = Period.parse(period)
    except PeriodError as e:
        _fail(f"--period {period}：{e}")
    try:
        cat = load_catalogue(year or month.year, settings.standards_dir, data or settings.data_dir)
        lines = assignments(cat, settings.unit_groups)
        previous = _accepted_rows(month, data, settings)
        nodes = template_nodes(month, data, settings)
        paths = write_templates(out, cat, lines, month, Calendar.of(settings), previous, nodes)
    except (CatalogueError, ValueError) as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"无法写入 {out}：{e.strerror or e}")
    typer.echo(f"已生成 {len(paths)} 份{month.label}进度填报表，保存在 {out.resolve()}：")
    for path in paths:
        typer.echo(f"  {path.name}")


def _accepted_rows(month: Period, data: Path | None, settings: Settings) -> list:
    """Last month's accepted figures from the workspace (inbox and portal), for the templates'
    `上月累计（参考）`; none when the workspace holds nothing yet."""
    workspace = Path(data or settings.data_dir)
    has_ledger = settings.ledger_url or (workspace / "ledger.db").exists()
    if not has_ledger and not (workspace / "raw").is_dir():
        return []
    # The pipeline and the ledger are loaded only when there is a workspace to read.
    from progress_audit.intake.ledger import Ledger
    from progress_audit.pipeline import accepted_rows, prepare  # (the same reason)

    audit = prepare(str(month), None, workspace, now=datetime.now(UTC), settings=settings)
    with Ledger.open(settings.ledger_url or workspace) as ledger:
        return accepted_rows(audit, ledger)


# ── standards: a new year's responsibility table (contract section 7) ──────────────────


standards_app = typer.Typer(
    help="责任分解表：导入新一年的表格（Word、Excel、网页、文本），审核量化指标。",
    no_args_is_help=True,
)
app.add_typer(standards_app, name="standards")


@standards_app.command("import")
def standards_import(
    file: Annotated[
        Path, typer.Argument(metavar="文件", help="责任分解表：.docx、.xlsx、.html 或 .txt")
    ],
    year: Annotated[int, typer.Option("--year", metavar="年份", help="这张表的年份，如 2020")],
    data: DataOption = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="已导入过这一年时，用新文件重新导入（审核结果作废）")
    ] = False,
) -> None:
    """导入一年的责任分解表：生成目录和指标审核表，列出新出现的单位名称。"""
    # Imported when the command runs, as the other commands do: the CLI starts fast.
    from progress_audit.standards.years import YearError, import_lines, import_table

    settings = get_settings()
    try:
        result = import_table(
            file,
            year,
            data or settings.data_dir,
            settings.standards_dir,
            settings.unit_aliases,
            replace=replace,
        )
    except YearError as e:
        _fail(str(e))
    for line in import_lines(result):
        typer.echo(line)


@standards_app.command("review")
def standards_review(
    file: Annotated[Path, typer.Argument(metavar="文件", help="督查室审核过的指标审核表（.xlsx）")],
    year: Annotated[int, typer.Option("--year", metavar="年份", help="这张表的年份，如 2020")],
    data: DataOption = None,
) -> None:
    """读回审核过的指标审核表：逐格检查，无误后更新这一年的目录；有错时不做任何修改。"""
    # Imported when the command runs, as the other commands do: the CLI starts fast.
    from progress_audit.standards.years import YearError, review_lines, review_table

    settings = get_settings()
    try:
        result = review_table(file, year, data or settings.data_dir, settings.unit_aliases)
    except YearError as e:
        _fail(str(e))
    for line in review_lines(result):
        typer.echo(line)


# ── plans: node plans for milestone standards (contract section 9) ──────────────────────

app.add_typer(plans_app, name="plans")


# ── portal: the units' submission pages (contract section 8) ───────────────────────────


portal_app = typer.Typer(
    help="报送门户：各牵头单位凭专用链接下载模板、上传填报表、立即收到回执。",
    invoke_without_command=True,
)
app.add_typer(portal_app, name="portal")


@portal_app.callback()
def portal(
    ctx: typer.Context,
    data: DataOption = None,
    host: Annotated[
        str,
        typer.Option("--host", metavar="地址", help="监听地址（在反向代理之后用 127.0.0.1）"),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="端口", help="监听端口")] = 8000,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="月份",
            callback=_check_period,
            help="开放填报的月份，如 2019-06（默认上个月）",
        ),
    ] = None,
) -> None:
    """启动报送门户，直到停止（Ctrl+C）；`portal links` 列出各单位的链接。"""
    if ctx.invoked_subcommand is not None:
        return
    # The web server (FastAPI, uvicorn, the ledger) is loaded only by this command.
    from progress_audit.portal.listener import PortInUse, check_port
    from progress_audit.portal.server import serve  # as above

    settings = get_settings()
    month = Period.parse(period) if period else None
    try:
        check_port(host, port)
        typer.echo(f"报送门户：http://{host}:{port}/u/<各单位的链接>（按 Ctrl+C 停止）")
        serve(data or settings.data_dir, settings, host, port, month)
    except PortInUse as e:
        _fail(str(e))


@portal_app.command("links")
def portal_links(
    data: DataOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", metavar="网址", help="门户对外的地址，如 https://dcs.example.gov.cn"
        ),
    ] = None,
    rotate: Annotated[
        list[str] | None,
        typer.Option(
            "--rotate", metavar="单位", help="为这个单位更换链接（旧链接立即失效），可重复"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """列出每个牵头单位的专用报送链接；--rotate 单位 更换该单位的链接。"""
    # The ledger (SQLAlchemy) is loaded only by this command.
    from progress_audit.intake.ledger import LedgerError
    from progress_audit.portal.server import DEFAULT_BASE_URL, links  # (the same reason)

    settings = get_settings()
    base = base_url or settings.portal_base_url or DEFAULT_BASE_URL
    try:
        found = links(data or settings.data_dir, settings, base, rotate=tuple(rotate or ()))
    except KeyError as e:
        _fail(f"--rotate：{e.args[0]} 不是本年度的牵头单位")
    except (CatalogueError, LedgerError, ValueError) as e:
        _fail(str(e))
    if as_json:
        json.dump(found, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    for item in found:
        mark = "（已更换）" if item["unit"] in (rotate or ()) else ""
        typer.echo(f"{item['unit']}{mark}\t{item['url']}")


@portal_app.command("hash-password")
def portal_hash_password() -> None:
    """输入督查室密码，打印它的 scrypt 哈希（作为 office_password 的值，不必保存明文）。"""
    # Only this command needs the office's password functions (and FastAPI under them).
    from progress_audit.portal.office.auth import hash_password

    password = typer.prompt("督查室密码", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        _fail("密码至少 8 个字符")
    typer.echo(hash_password(password))


users_app = typer.Typer(help="督查室人员的账号：add 添加、list 列出、remove 删除。")
portal_app.add_typer(users_app, name="users")


def _office_ledger(data: Path | None) -> Any:
    # The ledger (SQLAlchemy) and the accounts are loaded only by these commands.
    from progress_audit.intake.ledger import Ledger

    settings = get_settings()
    return Ledger.open(settings.ledger_url or data or settings.data_dir)


@users_app.command("add")
def portal_users_add(
    name: Annotated[str, typer.Argument(help="姓名或账号名，如 张三")], data: DataOption = None
) -> None:
    """添加督查室人员：输入其密码（只保存 scrypt 哈希）。审核记录写明操作人。"""
    # The portal's accounts are loaded only by these commands.
    from progress_audit.portal.office.accounts import AccountError, add_user, check_name

    try:
        check_name(name)
    except AccountError as e:
        _fail(str(e))
    password = typer.prompt(f"{name} 的密码", hide_input=True, confirmation_prompt=True)
    with _office_ledger(data) as ledger:
        try:
            kept = add_user(ledger, name, password, datetime.now(UTC))
        except AccountError as e:
            _fail(str(e))
    typer.echo(f"已添加督查室账号：{kept}")


@users_app.command("list")
def portal_users_list(data: DataOption = None) -> None:
    """列出督查室人员的账号（不含设置 office_password 给出的公用账号）。"""
    # The portal's accounts are loaded only by these commands.
    from progress_audit.portal.office.accounts import users

    with _office_ledger(data) as ledger:
        found = users(ledger)
    if not found:
        typer.echo("还没有督查室人员的账号（可用 progress-audit portal users add 姓名 添加）")
    for name, since in found:
        typer.echo(f"{name}\t{since[:10]} 起")


@users_app.command("remove")
def portal_users_remove(
    name: Annotated[str, typer.Argument(help="要删除的账号名")], data: DataOption = None
) -> None:
    """删除督查室人员的账号，其登录立即失效；审核记录中的操作人保留。"""
    # The portal's accounts are loaded only by these commands.
    from progress_audit.portal.office.accounts import AccountError, remove_user

    with _office_ledger(data) as ledger:
        try:
            remove_user(ledger, name)
        except AccountError as e:
            _fail(str(e))
    typer.echo(f"已删除督查室账号：{name}")


def main() -> None:
    """Console-script entry point."""
    with quick_exit():  # at the end, no second spent unloading pandas, GX and Prefect
        try:
            code = app(standalone_mode=False)
        except UsageError as e:
            chinese.show_usage_error(e)
            code = e.exit_code
        except ClickException as e:
            typer.echo(f"错误：{chinese.error_text(e.format_message())}", err=True)
            code = e.exit_code
        except Abort:
            typer.echo("已中止。", err=True)
            code = 1
        sys.exit(code if isinstance(code, int) else 0)
