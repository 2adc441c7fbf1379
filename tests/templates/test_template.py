"""The submission template (进度填报表): the agreed layout, rules that make it hard to fill in
wrongly, print set-up, and text from the catalogue kept as text. Every check re-opens the saved
bytes, as a unit's Excel would."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from progress_audit.model.period import Calendar, Period
from progress_audit.model.records import REPORTED_STATUSES, ReportedRow
from progress_audit.templates.workbook import (
    GUIDE_SHEET,
    HEADERS,
    PREVIOUS_HEADER,
    SHEET,
    build_template,
    due_label,
    template_filename,
    write_templates,
)
from tests.support.workbooks import HEADERS as AGREED_HEADERS

JUNE = Period(2019, 6)
DUE = JUNE.due("Asia/Shanghai", 5)


def saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def reopen(wb) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(saved(wb)))


@pytest.fixture(scope="module")
def rsj(units):
    """人社局's June template, with last month's figures for two of its lines."""
    lines = units["人社局"]
    metric = next(ln for ln in lines if ln.metric_id)
    task = next(ln for ln in lines if not ln.metric_id)
    previous = {
        metric.key: ReportedRow(
            "人社局", "2019-05", metric.task_id, metric.metric_id, 8, value=4100.0
        ),
        task.key: ReportedRow(
            "人社局", "2019-05", task.task_id, None, 6, status="推进中", percent=40.0
        ),
    }
    return lines, reopen(build_template("人社局", lines, JUNE, DUE, previous))


def header_row(ws) -> list[object]:
    return [c.value for c in ws[5]]


def test_contract_headers_and_title_cells(units):
    lines = units["人社局"]
    wb = reopen(build_template("人社局", lines, JUNE, DUE))
    assert wb.sheetnames[0] == SHEET == "进度填报"
    ws = wb[SHEET]
    assert ws["A1"].value == "2019年重点任务进度填报表"
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：人社局"
    assert ws["A3"].value == "填报月份：2019年6月"
    assert "2019年7月5日24时前" in ws["A4"].value
    assert tuple(header_row(ws)) == AGREED_HEADERS == HEADERS
    assert ws.max_row == 5 + len(lines)
    for r, line in enumerate(lines, start=6):
        row = [c.value for c in ws[r]]
        assert row[0] == line.task_id
        assert (row[1] or None) == line.metric_id
        assert row[2] == line.text
        assert row[3] == line.target
        assert (row[4] or "") == line.unit_of_measure
        assert row[5:] == [None] * 7  # nothing typed for the unit


def test_last_month_figures_in_their_own_column(rsj):
    lines, wb = rsj
    ws = wb[SHEET]
    headers = header_row(ws)
    assert tuple(headers[:12]) == AGREED_HEADERS
    assert headers[12] == PREVIOUS_HEADER == "上月累计（参考）"
    assert "本年" not in PREVIOUS_HEADER and PREVIOUS_HEADER not in AGREED_HEADERS
    by_key = {
        (ws.cell(r, 1).value, ws.cell(r, 2).value or None): r for r in range(6, ws.max_row + 1)
    }
    metric = next(ln for ln in lines if ln.metric_id)
    task = next(ln for ln in lines if not ln.metric_id)
    assert ws.cell(by_key[metric.key], 13).value == 4100
    assert ws.cell(by_key[task.key], 13).value == "推进中，40%"
    assert ws.cell(by_key[metric.key], 13).protection.locked
    others = [r for k, r in by_key.items() if k not in (metric.key, task.key)]
    assert all(ws.cell(r, 13).value is None for r in others)


def validations(ws) -> dict[str, list]:
    found: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        found.setdefault(dv.type, []).append(dv)
    return found


def cells_of(dv) -> set[str]:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    out = set()
    for rng in str(dv.sqref).split():
        c1, r1, c2, r2 = range_boundaries(rng)
        out |= {f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1) for r in range(r1, r2 + 1)}
    return out


def test_drop_down_and_rules_with_chinese_help(rsj):
    lines, wb = rsj
    ws = wb[SHEET]
    dvs = validations(ws)
    last = 5 + len(lines)
    metric_rows = [r for r, ln in enumerate(lines, start=6) if ln.metric_id]
    task_rows = [r for r, ln in enumerate(lines, start=6) if not ln.metric_id]

    (status,) = dvs["list"]
    assert status.formula1 == '"' + ",".join(REPORTED_STATUSES) + '"'
    assert cells_of(status) == {f"G{r}" for r in range(6, last + 1)}
    assert not status.showDropDown  # openpyxl's showDropDown=True would *hide* the arrow

    (percent,) = dvs["whole"]
    assert (percent.operator, percent.formula1, percent.formula2) == ("between", "0", "100")
    assert cells_of(percent) == {f"H{r}" for r in task_rows}

    (when,) = dvs["date"]
    from openpyxl.utils.datetime import from_excel

    assert from_excel(int(when.formula1)).date() == date(2019, 1, 1)
    assert from_excel(int(when.formula2)).date() == date(2020, 12, 31)
    assert cells_of(when) == {f"I{r}" for r in range(6, last + 1)}

    figures = dvs["decimal"]
    assert set().union(*(cells_of(dv) for dv in figures)) == {f"F{r}" for r in metric_rows}
    assert any("上月填报：4100" in dv.prompt for dv in figures)
    for dv in (status, percent, when, *figures):
        assert dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == "stop"
        assert dv.prompt and dv.error and dv.promptTitle and dv.errorTitle
        assert any("\u4e00" <= ch <= "\u9fff" for ch in dv.prompt + dv.error)
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32


def test_prefilled_cells_locked_input_cells_open(rsj):
    lines, wb = rsj
    ws = wb[SHEET]
    assert ws.protection.sheet and not ws.protection.password
    assert wb[GUIDE_SHEET].protection.sheet
    for r, line in enumerate(lines, start=6):
        for col in "ABCDE":
            assert ws[f"{col}{r}"].protection.locked, f"{col}{r}"
        for col in "GIJKL":
            assert not ws[f"{col}{r}"].protection.locked, f"{col}{r}"
        # the figure is for metric rows, 形象进度 for tasks without one
        assert ws[f"F{r}"].protection.locked is (line.metric_id is None)
        assert ws[f"H{r}"].protection.locked is (line.metric_id is not None)
    for c in ws[5]:
        assert c.protection.locked


def test_frozen_header_print_setup_and_help(rsj):
    _, wb = rsj
    ws = wb[SHEET]
    assert ws.freeze_panes == "A6"
    assert ws.print_title_rows == "$5:$5"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.column_dimensions["C"].width >= 30 and ws.column_dimensions["A"].width >= 6
    assert ws["C6"].alignment.wrap_text and ws["J6"].alignment.wrap_text
    for cell in ws[5]:
        assert cell.comment is not None and len(cell.comment.text) > 10
    assert ws["I6"].number_format == "yyyy-mm-dd"


def test_guide_sheet_explains_columns_numbers_and_due_date(units):
    lines = units["农业农村局"]
    wb = reopen(build_template("农业农村局", lines, JUNE, DUE))
    assert wb.sheetnames == [SHEET, GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in wb[GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "2019年7月5日24时前" in text
    for header in AGREED_HEADERS:
        assert header in text
    assert "65 表示 65%" in text and "0 到 100 的整数" in text
    for line in lines:
        if line.metric is not None:
            assert line.metric.name in text and line.unit_of_measure in text
    assert "基数 80万元" in text  # a level metric shows its baseline


def test_text_from_the_catalogue_is_never_a_formula(units):
    line = replace(units["人社局"][0], text='=HYPERLINK("http://x","点击")', unit_of_measure="=1")
    data = saved(build_template("=SUM(1,2)", (line,), JUNE, DUE))
    ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    assert ws["C6"].value == '=HYPERLINK("http://x","点击")' and ws["C6"].data_type == "s"
    assert ws["E6"].value == "=1" and ws["E6"].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_names_and_due_label():
    assert template_filename("人社局", JUNE) == "2019-06_人社局_进度填报表.xlsx"
    assert template_filename("a/b:c", JUNE) == "2019-06_a_b_c_进度填报表.xlsx"
    assert due_label(DUE) == "2019年7月5日24时前"
    assert due_label(Period(2019, 12).due("Asia/Shanghai", 5)) == "2020年1月5日24时前"


def test_write_templates_one_file_per_reporting_unit(tmp_path, catalogue_2019, units):
    rows = [ReportedRow("人社局", "2019-05", "16.1", "16.1.1", 8, value=4100.0)]
    paths = write_templates(
        tmp_path, catalogue_2019, units, JUNE, Calendar("Asia/Shanghai", 5), rows
    )
    assert len(paths) == len(units) == 40
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        template_filename(u, JUNE) for u in units
    )
    for unit, path in zip(units, paths, strict=True):
        assert path.name == template_filename(unit, JUNE)
    before = {p.name: p.read_bytes() for p in paths[:3]}
    again = write_templates(
        tmp_path, catalogue_2019, units, JUNE, Calendar("Asia/Shanghai", 5), rows
    )
    assert {p.name: p.read_bytes() for p in again[:3]} == before  # same inputs, same bytes
    ws = openpyxl.load_workbook(tmp_path / template_filename("人社局", JUNE))[SHEET]
    assert ws["A2"].value == "填报单位：人社局" and ws["M5"].value == PREVIOUS_HEADER
    ws = openpyxl.load_workbook(tmp_path / template_filename("科技局", JUNE))[SHEET]
    assert ws["M5"].value is None  # no figures of its own last month: no reference column


def test_write_templates_refuses_another_years_month(tmp_path, catalogue_2019, units):
    with pytest.raises(ValueError, match="2020年1月"):
        write_templates(
            tmp_path, catalogue_2019, units, Period(2020, 1), Calendar("Asia/Shanghai", 5)
        )
    assert list(tmp_path.iterdir()) == []


BIN = Path(sys.executable).parent / "progress-audit"


def test_cli_templates_writes_and_says_where(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [str(BIN), "templates", "--period", "2019-06", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert len(list(out.glob("*.xlsx"))) == 40
    assert str(out.resolve()) in r.stdout and "2019-06_人社局_进度填报表.xlsx" in r.stdout


@pytest.mark.parametrize("period", ["2019-13", "六月"])
def test_cli_templates_bad_period_is_a_usage_error_exit_2(tmp_path, period):
    # As `run --period` does: a usage error (exit 2), its one 错误 line naming the month.
    r = subprocess.run(
        [str(BIN), "templates", "--period", period, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1 and "--period" in errors[0] and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []
