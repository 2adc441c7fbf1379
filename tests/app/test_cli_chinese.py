"""The command line speaks Chinese throughout: every `--help` and every usage error, run through
the real console script, has none of click's English left, and a usage error still exits 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "progress-audit"
COMMANDS = ("catalogue", "templates", "run", "demo", "serve")
ENGLISH = (
    "Usage:",
    "Show this message and exit",
    "Options",
    "Commands",
    "Arguments",
    "Error:",
    "Missing option",
    "Missing argument",
    "No such option",
    "No such command",
    "Possible options",
    "Try '",
    "for help",
    "requires an argument",
    "does not take a value",
    "Invalid value",
    "Got unexpected",
    "Input should be",
    "[OPTIONS]",
    "COMMAND",
    "[required]",
    "<str>",
    "<path>",
    "<int>",
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120)


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if w in text]


@pytest.mark.parametrize("args", [("--help",), ("-h",), *((c, "--help") for c in COMMANDS)])
def test_help_is_chinese(args):
    r = run(*args)
    assert r.returncode == 0, r.stderr
    assert english_in(r.stdout + r.stderr) == []
    assert r.stdout.startswith("用法：progress-audit")
    assert "显示本帮助并退出。" in r.stdout and "选项" in r.stdout


@pytest.mark.parametrize(
    "args, said",
    [
        ((), "子命令"),  # no command: the help, exit 2 as click does
        (("nosuch",), "没有子命令 'nosuch'"),
        (("templates",), "缺少选项 '--period'"),
        (("templates", "--period", "2019-06"), "缺少选项 '--out'"),
        (("run", "--period", "2019-13"), "'--period' 的值无效：月份 13"),
        (("run", "--bogus"), "没有选项 --bogus"),
        (("run", "--period"), "选项 --period 后面需要一个值"),
        (("run", "--verbose=yes"), "选项 --verbose 后面不应有值"),
        (("catalogue", "--year", "abc"), "'--year' 的值无效：应为整数"),
        (("catalogue", "--json", "extra"), "多余的参数：extra"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(args, said):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    text = r.stdout + r.stderr
    assert english_in(text) == [], text
    assert said in text, text
    assert "Traceback" not in text
    if args:
        assert re.search(r"^错误：", r.stderr, re.M), r.stderr


# ── every command and subcommand, found in the app itself ──────────────────────────────────

# Names that are not English prose: products, formats, settings and folders the help names.
NAMES = {
    "Prefect",
    "prefect",
    "yaml",
    "Word",
    "Excel",
    "JSON",
    "scrypt",
    "office_password",
    "docx",
    "xlsx",
    "html",
    "txt",
    "raw",
    "reports",
    "archive",
    "data",
    "Ctrl",
    "https",
    "dcs",
    "example",
    "gov",
    "cn",
}


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of the console script, as the click app lists them."""
    import typer

    from progress_audit.app.cli import app

    root = typer.main.get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...], parent) -> None:
        found.append(path)
        ctx = type(parent)(command, parent=parent, info_name=path[-1] if path else "x")
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            walk(command.get_command(ctx, name), (*path, name), ctx)

    from typer._click import Context

    walk(root, (), Context(root, info_name="progress-audit"))
    return found


def english_words(text: str, commands: set[str]) -> list[str]:
    """ASCII words that are neither an option's name, a command's name nor a NAMES name."""
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # option names
    for name in sorted({"progress-audit", *commands}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    return [w for w in re.findall(r"(?<![0-9])[A-Za-z][A-Za-z_]*", text) if w not in NAMES]


def test_the_walk_finds_every_command():
    paths = command_paths()
    assert {("portal", "links"), ("standards", "import"), ("run",), ()} <= set(paths)
    assert len(paths) >= 12


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "progress-audit")
def test_every_help_has_no_english_but_option_names(path):
    commands = {name for p in command_paths() for name in p}
    r = run(*path, "--help")
    assert r.returncode == 0, r.stderr
    text = r.stdout + r.stderr
    assert english_in(text) == [], text
    assert english_words(text, commands) == [], text
    assert r.stdout.startswith("用法：progress-audit") and "显示本帮助并退出。" in r.stdout


def test_the_english_check_catches_clicks_words():
    assert english_words("Usage: progress-audit portal [OPTIONS]", {"portal"}) == [
        "Usage",
        "OPTIONS",
    ]
    assert english_words("--host <str>  监听地址", set()) == ["str"]


# ── wrong commands: a clear Chinese line, a sensible suggestion, exit 2 ─────────────────────


def test_an_unknown_option_lists_the_commands_options_without_a_far_fetched_guess():
    r = run("run", "--bogus")
    assert r.returncode == 2
    assert "没有选项 --bogus。可用的选项：--period、--as-of、--data、--verbose" in r.stderr
    assert "是否要输入" not in r.stderr and "Possible" not in r.stderr


def test_a_mistyped_option_gets_the_likely_one():
    r = run("run", "--perod", "2019-06")
    assert r.returncode == 2
    assert "没有选项 --perod，是否要输入 --period？" in r.stderr


def test_a_subcommand_of_a_subcommand_is_chinese_too():
    r = run("portal", "links", "--bogus")
    assert r.returncode == 2
    assert english_in(r.stdout + r.stderr) == []
    assert r.stderr.startswith("用法：progress-audit portal links [选项]")


def test_templates_bad_month_is_a_usage_error_like_run(tmp_path):
    r = run("templates", "--period", "2019-13", "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert "'--period' 的值无效：月份 13" in r.stderr
    assert not (tmp_path / "out").exists()


def test_data_given_a_file_says_it_is_a_file(tmp_path):
    afile = tmp_path / "afile.txt"
    afile.write_text("x", encoding="utf-8")
    for args in (("run", "--period", "2019-06"), ("catalogue",)):
        r = run(*args, "--data", str(afile))
        assert r.returncode == 2, r.stderr
        assert "是文件，不是文件夹" in r.stderr
        assert "afile.txt/raw" not in r.stderr and "建立" not in r.stderr
    assert afile.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize(
    "setting, said",
    [
        ("PROGRESS_AUDIT_LIGHTING__PRESET=traffic", "lighting.preset：应为 'default' 或 'points'"),
        ("PROGRESS_AUDIT_LIGHTING__ESCALATE_AFTER_MONTHS=0", "escalate_after_months：应不小于 1"),
        ("PROGRESS_AUDIT_LIGHTING__RED_MIN=3", "lighting.red_min：没有这一项设置"),
        ("PROGRESS_AUDIT_DUE_DAY=x", "due_day：应为整数"),
    ],
)
def test_a_wrong_setting_is_one_chinese_line(setting, said, tmp_path):
    import os

    name, value = setting.split("=", 1)
    env = {**os.environ, name: value, "PROGRESS_AUDIT_SETTINGS": str(tmp_path / "none.toml")}
    r = subprocess.run(
        [str(BIN), "catalogue"], capture_output=True, text=True, timeout=120, env=env
    )
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], r.stderr
    assert not re.search(r"Input should|Extra inputs|unable to parse", r.stderr)
