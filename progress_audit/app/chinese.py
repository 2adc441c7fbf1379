"""The command line in Chinese (命令行中文): click's and typer's own words (Usage:, Options,
Show this message and exit, Error: Missing option …).

Three hooks, because typer carries its own copy of click with the words written in:
- the words that typer and click look up with `gettext` (`_` and `ngettext` in each of their
  modules: the help's section headings, 必填) are pointed at MESSAGES by `install()`;
- the usage line, the help option's text and the values' placeholders (文本, 整数, 文件夹
  rather than <str>) are set by `localise`, which the root group `ChineseGroup` applies to
  every command and group under it as it looks them up: a command added anywhere in the tree
  speaks Chinese without being told to;
- a usage error is rendered by `show_usage_error` (the app runs with standalone_mode off
  and hands it the error): 用法, where to find help, 错误：… in Chinese, exit 2 as click's,
  and for an unknown option the options the command does have.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from typer.core import TyperArgument, TyperCommand, TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

USAGE = "用法："
HELP_TEXT = "显示本帮助并退出。"
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "子命令 [参数]..."

MESSAGES: dict[str, str] = {
    # help
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Positional arguments": "位置参数",
    "Commands": "子命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已停用",
    "Aborted!": "已中止。",
    # usage errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "输入 '{command} {option}' 查看帮助。",
    "Missing command.": "缺少子命令。",
    "No such command {name!r}.": "没有子命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Did you mean {possibility}?": "是否要输入 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否要输入其中之一：{possibilities}？）",
    "Missing option": "缺少选项",
    "Missing argument": "缺少参数",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "option": "选项",
    "argument": "参数",
    "parameter": "参数",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不应有值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "integer": "整数",
    "float": "数字",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是有效的是/否值，可用：{states}"
    ),
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 之中。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 之内。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats}。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
    "Value must be an iterable.": "值必须是一组。",
}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_MODULES = (
    "click.core",
    "click.exceptions",
    "click.formatting",
    "click.decorators",
    "click.parser",
    "click.types",
    "click.termui",
    "typer.core",
    "typer.main",
)


class _Chinese:
    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [OPTIONS_METAVAR]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, TyperArgument):
                name = param.metavar or param.name or ""
                pieces.append(name if param.required else f"[{name}]")
        if isinstance(self, TyperGroup):
            pieces.append(SUBCOMMAND_METAVAR)
        return pieces

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def get_command(self, ctx: Context, name: str) -> Any:
        found = super().get_command(ctx, name)  # type: ignore[misc]
        if found is None or isinstance(found, _Chinese):
            return found
        chinese = localise(found)
        self.commands[name] = chinese  # type: ignore[attr-defined]
        return chinese


class ChineseGroup(_Chinese, TyperGroup):
    """The command group, its usage line and help option in Chinese, and every command under
    it as it is looked up (`localise`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _placeholders(self)


class ChineseCommand(_Chinese, TyperCommand):
    """A command, its usage line and help option in Chinese."""


class _ChineseArgument(TyperArgument):
    def display_type_rich(self, ctx: Context) -> str | None:
        # The placeholder (文件) says what to give; typer would add <path> after it.
        return None


@cache
def _chinese_class(cls: type) -> type:
    return type(f"Chinese{cls.__name__}", (_Chinese, cls), {})


def localise(command: Any) -> Any:
    """`command` (a typer command or group, as typer built it) again, with its usage line, help
    option and placeholders in Chinese; the commands under a group follow when looked up."""
    if isinstance(command, _Chinese):
        return command
    chinese = _same_as(_chinese_class(type(command)), command)
    _placeholders(chinese)
    return chinese


def _same_as(cls: type, thing: Any) -> Any:
    """A `cls` holding `thing`'s state (typer's objects keep all of it in their __dict__)."""
    other = cls.__new__(cls)
    other.__dict__.update(thing.__dict__)
    return other


# What a value is, said in place of typer's <str>, <int>, <path>.
_KIND_WORDS: tuple[tuple[type, str], ...] = (
    (bool, "是或否"),
    (int, "整数"),
    (float, "数字"),
    (Path, "路径"),
    (datetime, "时间"),
    (date, "日期"),
    (str, "文本"),
)


def _placeholders(command: Any) -> None:
    command.options_metavar = OPTIONS_METAVAR
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = SUBCOMMAND_METAVAR
    for i, param in enumerate(command.params):
        if isinstance(param, TyperArgument):
            if type(param) is TyperArgument:
                command.params[i] = param = _same_as(_ChineseArgument, param)
            param.metavar = param.metavar or _kind_word(param)
        elif not getattr(param, "is_flag", False) and not getattr(param, "count", False):
            param.metavar = param.metavar or _kind_word(param)


def _kind_word(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if getattr(descriptor, "is_list", False):
        inner = getattr(annotation, "__args__", (str,))[0]
        return _word_for(inner)
    return _word_for(annotation)


def _word_for(annotation: Any) -> str:
    for kind, word in _KIND_WORDS:
        if isinstance(annotation, type) and issubclass(annotation, kind):
            return word
    return "值"


# The messages typer's click writes in English (regular expression → Chinese).
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"^No such option: (.+?)(?: \(Possible options: (.+)\))?$", "NO_SUCH_OPTION"),
        (r"^Option '(.+)' requires an argument\.$", r"选项 \1 后面需要一个值。"),
        (r"^Option '(.+)' requires (\d+) arguments\.$", r"选项 \1 后面需要 \2 个值。"),
        (r"^Option '(.+)' does not take a value\.$", r"选项 \1 后面不应有值。"),
        (r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", r"多余的参数：\1"),
        (r"^Input should be a valid integer.*$", "应为整数"),
        (r"^Input should be a valid (?:number|float).*$", "应为数字"),
        (r"^Input should be a valid boolean.*$", "应为是或否"),
        (r"^Input should be a valid (?:date|datetime).*$", "应为日期"),
        (r"^Missing (option|argument|parameter) ?(.*?)\.?$", "MISSING"),
        (r"^Invalid value for (.+?): (.*)$", r"\1 的值无效：\2"),
        (r"^Invalid value: (.*)$", r"值无效：\1"),
        (r"^Value (.+) is not a valid (.+)\.$", r"\1 不是有效的值（应为 \2）。"),
        (r"^Argument '(.+)' takes (\d+) values\.$", r"参数 \1 需要 \2 个值。"),
        (r"^Missing command\.$", "缺少子命令。"),
    )
)
_KINDS = {"option": "选项", "argument": "参数", "parameter": "参数"}


def error_text(message: str) -> str:
    """A usage error's message in Chinese (a message already in Chinese stays as it is)."""
    for pattern, chinese in _ERRORS:
        m = pattern.match(message)
        if m is None:
            continue
        if chinese == "NO_SUCH_OPTION":
            text = f"没有选项 {m.group(1)}"
            return text + (f"（可用的选项：{m.group(2)}）" if m.group(2) else "")
        if chinese == "MISSING":
            return f"缺少{_KINDS[m.group(1)]} {m.group(2)}".rstrip()
        if chinese.startswith(r"\1 的值无效"):  # the inner message too
            return f"{m.group(1)} 的值无效：{error_text(m.group(2))}"
        return m.expand(chinese)
    return message


# A settings value pydantic refused, by the error's type (its own message is in English).
_SETTING_ERRORS: dict[str, str] = {
    "literal_error": "应为 {expected}",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "extra_forbidden": "没有这一项设置（请检查名称的拼写）",
    "missing": "缺少这一项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表（[…]）",
    "dict_type": "应为一节（[…] 表）",
    "model_type": "应为一节（[…] 表）",
}


def settings_error_text(error: Mapping[str, Any]) -> str:
    """One refused setting's reason in Chinese: the engine's own (already Chinese) reason as it
    is, pydantic's by its type, else pydantic's words."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    template = _SETTING_ERRORS.get(kind)
    if "expected" in context:  # 'default' or 'points'
        context = {**context, "expected": str(context["expected"]).replace(" or ", " 或 ")}
    if template is not None:
        try:
            return template.format(**context)
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", ""))


def show_usage_error(error: Any, file: TextIO | None = None) -> None:
    """What click's UsageError.show prints, in Chinese: the usage line, where help is, the
    error. No-arguments-given shows the help, as click does."""
    file = file or sys.stderr
    ctx = getattr(error, "ctx", None)
    if type(error).__name__ == "NoArgsIsHelpError":
        print(error.format_message(), file=file)
        return
    if ctx is not None:
        print(ctx.get_usage(), file=file)
        if ctx.command.get_help_option(ctx) is not None:
            print(f"输入 '{ctx.command_path} {ctx.help_option_names[0]}' 查看帮助。", file=file)
        print(file=file)
    name = getattr(error, "option_name", None)
    if ctx is not None and type(error).__name__ == "NoSuchOption" and name:
        print(f"错误：{unknown_option_text(name, ctx)}", file=file)
        return
    print(f"错误：{error_text(error.format_message())}", file=file)


def unknown_option_text(name: str, ctx: Context) -> str:
    """没有选项 --perod，是否要输入 --period？ when one of the command's options is a likely
    typo of `name`; else the options the command has."""
    options = [
        opt
        for param in ctx.command.get_params(ctx)
        for opt in getattr(param, "opts", ())
        if opt.startswith("--") and opt not in ctx.help_option_names
    ]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.8)
    if close:
        return f"没有选项 {name}，是否要输入 {close[0]}？"
    if not options:
        return f"没有选项 {name}：这个命令没有选项"
    return f"没有选项 {name}。可用的选项：{'、'.join(options)}"


def install() -> None:
    """Point click's and typer's word look-ups at MESSAGES (idempotent)."""
    import click  # noqa: F401  (loads click.core, .exceptions, .formatting …)
    import typer.core  # noqa: F401

    for name in _MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
