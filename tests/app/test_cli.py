"""The command line as the office and other programs use it: commands, exit codes and
one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "progress-audit"


def run(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, **kw)


def test_catalogue_json_on_stdout():
    r = run("catalogue", "--year", "2019", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data["goals"]) == 21 and len(data["standards"]) == 101
    assert sum(len(s["metrics"]) for s in data["standards"]) == 22
    by_id = {s["id"]: s for s in data["standards"]}
    assert by_id["3.8"]["lead_units"] == ["地方金融监督管理局"]


def test_catalogue_summary_in_chinese():
    r = run("catalogue")
    assert r.returncode == 0, r.stderr
    assert "目标 21 项，工作标准 101 条，量化指标 22 个" in r.stdout


def test_unknown_year_is_one_line_on_stderr_exit_1():
    r = run("catalogue", "--year", "2031")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "2031" in r.stderr and "Traceback" not in r.stderr


def test_usage_error_exits_2():
    r = run("catalogue", "--no-such-option")
    assert r.returncode == 2


def test_settings_from_environment(tmp_path):
    import os

    env = {**os.environ, "PROGRESS_AUDIT_STANDARDS_DIR": str(tmp_path)}
    r = run("catalogue", env=env, cwd=tmp_path)  # no ./data/standards there either
    assert r.returncode == 1 and str(tmp_path) in r.stderr
