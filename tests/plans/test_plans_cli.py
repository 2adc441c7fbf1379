"""`progress-audit plans …` at the command line: template, receive, status, approve, return,
extend, each saying who took it and refusing with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from progress_audit.model.plans import PLAN_SHEET

BIN = Path(sys.executable).parent / "progress-audit"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
        timeout=300,
    )


def test_the_office_runs_the_plans_year_from_the_command_line(tmp_path):
    data = tmp_path / "ws"
    r = _cli(
        "plans", "template", "--year", "2019", "--data", str(data), "--out", "out", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    plan = tmp_path / "out" / "2019_交通局_节点计划表.xlsx"
    wb = load_workbook(plan)
    ws = wb[PLAN_SHEET]
    ws["D6"], ws["E6"] = "茅山旅游大道主体完工", "5月"
    ws["D7"], ws["E7"] = "竣工通车", "2019-13"
    inbox = data / "raw" / "plans" / "2019"
    inbox.mkdir(parents=True)
    wb.save(inbox / "交通局.xlsx")
    r = _cli("plans", "receive", "--data", str(data), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "交通局" in r.stdout and "节点计划!E7" in r.stdout and "有误" in r.stdout
    r = _cli("plans", "approve", "交通局", "--by", "张科长", "--data", str(data), cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "不能审定" in r.stderr
    r = _cli(
        "plans",
        "return",
        "交通局",
        "--by",
        "张科长",
        "--reason",
        "E7 月份有误",
        "--data",
        str(data),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    ws["E7"] = "2019年10月"
    wb.save(inbox / "交通局-改.xlsx")
    r = _cli("plans", "receive", "--data", str(data), cwd=tmp_path)
    assert "待审定" in r.stdout and "交通局-改.xlsx" in r.stdout
    r = _cli("plans", "receive", "--data", str(data), cwd=tmp_path)
    assert "没有新的节点计划" in r.stdout  # each file once
    r = _cli("plans", "approve", "交通局", "--by", "张科长", "--data", str(data), cwd=tmp_path)
    assert r.returncode == 0 and "张科长" in r.stdout
    r = _cli(
        "plans",
        "extend",
        "交通局",
        "--task",
        "7.1",
        "--node",
        "2",
        "--month",
        "2019-12",
        "--reason",
        "省厅调整批复",
        "--by",
        "李主任",
        "--data",
        str(data),
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    r = _cli(
        "plans",
        "extend",
        "交通局",
        "--task",
        "7.1",
        "--node",
        "2",
        "--month",
        "2020-02",
        "--reason",
        "再延",
        "--by",
        "李主任",
        "--data",
        str(data),
        cwd=tmp_path,
    )
    assert r.returncode == 1 and "2020" in r.stderr
    r = _cli("plans", "status", "--json", "--data", str(data), cwd=tmp_path)
    states = {s["unit"]: s for s in json.loads(r.stdout)}
    mine = states["交通局"]
    assert mine["status"] == "approved" and mine["approved_by"] == "张科长"
    assert [(n["node"], n["planned"], n["due"]) for n in mine["nodes"]] == [
        (1, "2019-05", "2019-05"),
        (2, "2019-10", "2019-12"),
    ]
    assert states["水利局"]["status"] == "none"
    r = _cli("plans", "status", "--data", str(data), cwd=tmp_path)
    assert "已审定 1 个" in r.stdout
