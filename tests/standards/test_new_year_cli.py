"""A new year from a fresh workspace, through the real command line:
import → review → templates → filled workbooks → run → reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from progress_audit.standards.review import COL, HEADER_ROW, SHEET
from tests.standards.tables import TABLE_2020, write_docx, write_html

BIN = Path(sys.executable).parent / "progress-audit"
PROJECT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path, settings: Path | None = None, timeout: float = 300):
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    if settings is not None:
        env["PROGRESS_AUDIT_SETTINGS"] = str(settings)
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
    )


def _fill(template: Path, out: Path) -> None:
    """A unit's filled-in workbook: half of each target, 形象进度 50 for a task without one."""
    wb = load_workbook(template)
    ws = wb["进度填报"]
    header = next(r for r in range(1, 16) if ws.cell(r, 1).value == "任务编号")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(header + 1, ws.max_row + 1):
        if not ws.cell(r, cols["任务编号"]).value:
            continue
        target = ws.cell(r, cols["目标值"]).value
        if ws.cell(r, cols["指标编号"]).value:
            unit = ws.cell(r, cols["计量单位"]).value
            ws.cell(r, cols["本年累计完成"], target if unit == "%" else target / 2)
        else:
            ws.cell(r, cols["形象进度"], 50)
        ws.cell(r, cols["完成状态"], "推进中")
        ws.cell(r, cols["进展情况"], "按计划推进")
    wb.save(out)
    moment = datetime(2020, 7, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    os.utime(out, (moment, moment))  # received on 3 July, before the due date


def test_a_new_year_end_to_end(tmp_path):
    settings = tmp_path / "progress-audit.toml"
    settings.write_text('[unit_aliases]\n"区发改局" = "发改局"\n', encoding="utf-8")
    data = tmp_path / "ws"
    table = write_docx(TABLE_2020, tmp_path / "2020年重点任务责任分解表.docx")

    # A table it cannot read: refused with one line, nothing written.
    broken = write_html(
        [
            tuple(c.replace("（8）", "（9）") if isinstance(c, str) else c for c in r)
            for r in TABLE_2020
        ],
        tmp_path / "broken.html",
    )
    r = _cli(
        "standards",
        "import",
        str(broken),
        "--year",
        "2020",
        "--data",
        str(data),
        cwd=tmp_path,
        settings=settings,
    )
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "broken.html 第3个表格第11行" in r.stderr and "（9）不连续" in r.stderr
    assert not data.exists()

    # 1. import
    r = _cli(
        "standards",
        "import",
        str(table),
        "--year",
        "2020",
        "--data",
        str(data),
        cwd=tmp_path,
        settings=settings,
    )
    assert r.returncode == 0, r.stderr
    assert "工作标准 8 条" in r.stdout and "找到量化指标 11 个" in r.stdout
    assert "区财政局（可能即 财政局）" in r.stdout and "区发改局" not in r.stdout
    review = data / "standards" / "2020" / "指标审核表.xlsx"

    # 2. review: one bad cell first (named, nothing changed), then the corrected workbook.
    wb = load_workbook(review)
    ws = wb[SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    ws.cell(rows["1.1.2"], COL["是否量化指标"], "否")
    ws.cell(rows["2.4.1"], COL["指标类型"], "水平型")
    wb.save(review)
    r = _cli(
        "standards", "review", str(review), "--year", "2020", "--data", str(data), cwd=tmp_path
    )
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    assert f"审核!K{rows['2.4.1']}：水平型指标须填写基数" in r.stderr
    assert not (data / "standards" / "2020" / "review.toml").exists()
    ws.cell(rows["2.4.1"], COL["基数"], 800)
    wb.save(review)
    r = _cli(
        "standards",
        "review",
        str(review),
        "--year",
        "2020",
        "--data",
        str(data),
        cwd=tmp_path,
        settings=settings,
    )
    assert r.returncode == 0, r.stderr
    assert "量化指标 10 个" in r.stdout

    r = _cli("catalogue", "--year", "2020", "--data", str(data), "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    cat = json.loads(r.stdout)
    assert [s["id"] for s in cat["standards"]] == [
        "1.1",
        "1.2",
        "1.3",
        "2.4",
        "2.5",
        "2.6",
        "3.7",
        "3.8",
    ]
    assert cat["standards"][0]["lead_units"] == ["发改局"]
    assert sum(len(s["metrics"]) for s in cat["standards"]) == 10

    # 3. templates, 4. filled in by the units
    out = tmp_path / "templates"
    r = _cli(
        "templates", "--period", "2020-06", "--data", str(data), "--out", str(out), cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    templates = sorted(out.glob("*.xlsx"))
    assert len(templates) == 8 and any("发改局" in p.name for p in templates)
    raw = data / "raw"
    raw.mkdir()
    for template in templates:
        _fill(template, raw / template.name.replace("进度填报表", "已填"))

    # 5. run, 6. reports
    r = _cli(
        "run",
        "--period",
        "2020-06",
        "--as-of",
        "2020-07-06",
        "--data",
        str(data),
        cwd=tmp_path,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    reports = data / "reports" / "2020-06"
    findings = json.loads((reports / "findings.json").read_text(encoding="utf-8"))
    assert findings["period"] == "2020-06"
    assert {s["status"] for s in findings["submissions"]} == {"on_time"}
    assert len(findings["submissions"]) == 8
    statuses = {(f["task_id"], f["metric_id"]): f["status"] for f in findings["findings"]}
    assert statuses[("3.7", "3.7.1")] == "on_track"  # 4,500 of 9,000 new jobs at mid-year
    assert statuses[("1.3", None)] == "on_track"
    # The review made 2.4.1 a level from 800: half of 1,000 is below where it started.
    assert statuses[("2.4", "2.4.1")] == "off_track"
    assert statuses[("3.8", "3.8.1")] == "overdue"  # 6月底前: due by the end of June
    assert findings["summary"]["missing"] == 0 and findings["summary"]["invalid"] == 0
    for name in (
        "overdue.xlsx",
        "at-risk.xlsx",
        "exceptions.xlsx",
        "exceptions.html",
        "quality.html",
    ):
        assert (reports / name).exists(), name
    assert (data / "reports" / "dashboard.html").exists()
