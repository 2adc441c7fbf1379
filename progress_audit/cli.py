"""The `progress-audit` command line (contract section 1).

Errors the user can act on are one line on stderr and exit 1; usage errors exit 2 (click's own).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from .settings import get_settings

app = typer.Typer(
    name="progress-audit",
    help="区政府重点任务进度督查引擎：目录、填报模板、月度督查。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class UserError(Exception):
    """An error the office can fix; shown as one line, no traceback."""


def _fail(message: str) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(1)


@app.callback()
def _root() -> None:
    """区政府重点任务进度督查引擎。"""


YearOption = Annotated[
    int | None, typer.Option("--year", help="责任分解表年份（默认取配置，2019）")
]


@app.command()
def catalogue(
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出完整目录")] = False,
) -> None:
    """输出重点任务目录：目标、工作标准、牵头单位和量化指标。"""
    from .catalogue import CatalogueError, load_catalogue
    from .catalogue_summary import summary_text

    settings = get_settings()
    try:
        cat = load_catalogue(year or settings.year, settings.standards_dir)
    except CatalogueError as e:
        _fail(str(e))
    if as_json:
        json.dump(cat.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        typer.echo(summary_text(cat))


def main() -> None:
    """Console-script entry point."""
    app()
