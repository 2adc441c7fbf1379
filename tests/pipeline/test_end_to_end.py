"""The audit as the office runs it: `progress-audit run` on a messy inbox, in a real process
with Prefect's temporary server (about 15–25 s a run, so only a few runs here).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.standards.responsibility import assignments

BIN = Path(sys.executable).parent / "progress-audit"
AS_OF = "2019-07-06T09:00:00+08:00"


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout)


def _snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
            p.stat().st_mode,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def audited(tmp_path_factory, catalogue_2019):
    data = tmp_path_factory.mktemp("workspace")
    manifest = make_inbox(
        data / "raw",
        catalogue_2019,
        assignments(catalogue_2019),
        [Period(2019, 5), Period(2019, 6)],
        seed=7,
    )
    before = _snapshot(data / "raw")
    first = _run("run", "--period", "2019-06", "--as-of", AS_OF, "--data", str(data))
    findings = (data / "reports" / "2019-06" / "findings.json").read_bytes()
    second = _run("run", "--period", "2019-06", "--as-of", AS_OF, "--data", str(data))
    return data, manifest, before, first, findings, second


def test_run_completes_with_one_summary(audited):
    data, _, _, first, _, _ = audited
    assert first.returncode == 0, first.stderr
    assert "2019年6月督查" in first.stdout and "报告：" in first.stdout
    assert "Traceback" not in first.stdout + first.stderr
    out = data / "reports" / "2019-06"
    for name in (
        "findings.json",
        "overdue.xlsx",
        "at-risk.xlsx",
        "exceptions.xlsx",
        "exceptions.html",
        "quality.html",
    ):
        assert (out / name).is_file(), name
    assert (data / "reports" / "dashboard.html").is_file()
    assert list((out / "feedback").glob("*.xlsx"))
    assert not list(out.rglob("*.tmp"))


def test_findings_cover_every_unit_and_line(audited, catalogue_2019):
    data = audited[0]
    doc = json.loads((data / "reports" / "2019-06" / "findings.json").read_text("utf-8"))
    expected = sum(len(lines) for lines in assignments(catalogue_2019).values())
    assert len(doc["findings"]) == expected
    assert sum(doc["summary"].values()) == expected
    assert doc["as_of"] == AS_OF
    statuses = {s["status"] for s in doc["submissions"]}
    assert {"on_time", "rejected"} <= statuses


def test_rerun_reproduces_the_findings(audited):
    data, _, _, _, first_bytes, second = audited
    assert second.returncode == 0, second.stderr
    again = (data / "reports" / "2019-06" / "findings.json").read_bytes()

    def without_stamp(raw: bytes) -> dict:
        doc = json.loads(raw)
        doc.pop("generated_at", None)
        return doc

    assert without_stamp(again) == without_stamp(first_bytes)


def test_inbox_is_untouched(audited):
    data, _, before, *_ = audited
    assert _snapshot(data / "raw") == before
    assert list((data / "archive").rglob("*.xlsx"))


def test_bad_period_is_a_usage_error():
    r = _run("run", "--period", "2019-13")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


QUALITY_FAULTS = ("falling_cumulative", "big_jump", "bad_percent", "unreadable_value")


def test_each_planted_problem_shows_once_with_its_cell(audited):
    """The test month: every planted fault appears once, with its cell, in quality.html,
    in the unit's feedback workbook and in findings.json."""
    data, manifest, *_ = audited
    out = data / "reports" / "2019-06"
    quality_html = (out / "quality.html").read_text("utf-8")
    doc = json.loads((out / "findings.json").read_text("utf-8"))
    faults = [f for f in manifest.faults if f.period == "2019-06" and f.kind in QUALITY_FAULTS]
    assert {f.kind for f in faults} == set(QUALITY_FAULTS)
    for fault in faults:
        where = f"{fault.sheet}!{fault.cell}"
        # quality.html: one problem row naming this file and cell
        rows = [r for r in quality_html.split("<tr") if where in r and Path(fault.file).name in r]
        assert len(rows) == 1, (fault.kind, where, len(rows))
        # feedback workbook: one line for this cell on the problem sheet
        wb = openpyxl.load_workbook(out / "feedback" / f"{fault.unit}.xlsx", read_only=True)
        sheet = wb.worksheets[0]
        hits = [
            r
            for r in sheet.iter_rows(values_only=True)
            if any(isinstance(v, str) and v.endswith(fault.cell) for v in r)
        ]
        assert len(hits) == 1, (fault.kind, where, hits)
        # findings.json: the unit's finding for the line carries it, with the cell
        (finding,) = [
            f
            for f in doc["findings"]
            if f["unit"] == fault.unit
            and f["task_id"] == fault.task_id
            and f["metric_id"] == fault.metric_id
        ]
        text = json.dumps(finding, ensure_ascii=False)
        assert fault.cell in text, (fault.kind, finding)


def test_every_workbook_names_its_cjk_font(audited):
    """Every workbook the run wrote (reports, feedback) and the units' inbox workbooks made from
    the templates: each font record has a name, the CJK one."""
    import re
    import zipfile

    from progress_audit.files.xlsx_style import FONT_NAME

    data = audited[0]
    books = [*(data / "reports").rglob("*.xlsx")]
    assert len(books) > 10
    for path in books:
        styles = zipfile.ZipFile(path).read("xl/styles.xml").decode("utf-8")
        fonts = re.findall(r"<font>.*?</font>|<font/>", styles, re.S)
        assert fonts and all(f'<name val="{FONT_NAME}"/>' in f for f in fonts), path.name


def test_no_codes_or_library_names_on_the_office_pages(audited):
    """What the office, the leaders and the units read: no problem code, no library's name."""
    from tests.reporting.test_presentation import office_words_problems, visible_text

    data = audited[0]
    out = data / "reports" / "2019-06"
    for page in (out / "quality.html", data / "reports" / "dashboard.html"):
        text = visible_text(page.read_text("utf-8"))
        assert office_words_problems(text) == [], page.name
    for path in [out / "at-risk.xlsx", out / "overdue.xlsx", *(out / "feedback").glob("*.xlsx")]:
        for ws in openpyxl.load_workbook(path, read_only=True):
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert office_words_problems(value) == [], (path.name, value)
