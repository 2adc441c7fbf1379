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
