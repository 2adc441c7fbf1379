"""The reader on real workbooks, built here with openpyxl: the template's layout read back
exactly, and every messy form units send."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from progress_audit.intake.reading import READER_VERSION, WorkbookReading, read_workbook, sheet
from progress_audit.intake.reading import headers as header_row
from progress_audit.standards.responsibility import assignments
from tests.support import workbooks as wbs
from tests.support.workbooks import HEADERS


@pytest.fixture(scope="module")
def units(catalogue_2019):
    return assignments(catalogue_2019)


@pytest.fixture
def read(catalogue_2019, units):
    def read(path, name=None) -> WorkbookReading:
        return read_workbook(path, name or path.name, catalogue_2019, units)

    return read


def row_of(reading: WorkbookReading, key: str):
    (row,) = [r for r in reading.rows if (r.metric_id or r.task_id) == key]
    return row


def codes(reading: WorkbookReading) -> list[str]:
    return [p.code for p in reading.problems]


# ---- the template's layout, filled in by a clerk ---------------------------------------------


def test_a_filled_in_workbook_is_read_back_exactly_with_every_cell(tmp_path, read, units):
    fills = {
        "4.4": {
            "完成状态": "推进中",
            "形象进度": 50,
            "预计完成时间": "10月底",
            "进展情况": "举办招聘会 12 场",
            "存在问题": "无",
            "下步计划": "继续办",
        },
        "16.1.1": {
            "本年累计完成": 4600,
            "完成状态": "推进中",
            "预计完成时间": datetime(2019, 12, 31),
            "进展情况": "新增就业 4600 人",
        },
        "15.3": {"完成状态": "已完成", "形象进度": 100},
    }
    path = wbs.submission(tmp_path / "人社局.xlsx", units["人社局"], fills)
    reading = read(path)
    assert (reading.unit, reading.period, reading.usable, reading.sheet) == (
        "人社局",
        "2019-06",
        True,
        "进度填报",
    )
    assert reading.problems == ()
    assert [r.row for r in reading.rows] == list(range(6, 6 + len(units["人社局"])))
    jobs = row_of(reading, "16.1.1")
    assert (jobs.task_id, jobs.value, jobs.value_text, jobs.status, jobs.approximate) == (
        "16.1",
        4600,
        "4600",
        "推进中",
        False,
    )
    assert (jobs.target_reported, jobs.expected_completion, jobs.progress) == (
        9000,
        date(2019, 12, 31),
        "新增就业 4600 人",
    )
    assert {k: v.where for k, v in jobs.sources.items()} == {
        "task_id": "进度填报!A8",
        "metric_id": "进度填报!B8",
        "target_reported": "进度填报!D8",
        "value": "进度填报!F8",
        "status": "进度填报!G8",
        "percent": "进度填报!H8",
        "expected_completion": "进度填报!I8",
        "progress": "进度填报!J8",
        "issues": "进度填报!K8",
        "next_steps": "进度填报!L8",
    }
    assert all(ref.file == "人社局.xlsx" for ref in jobs.sources.values())
    task = row_of(reading, "4.4")
    assert (task.metric_id, task.status, task.percent, task.expected_completion) == (
        None,
        "推进中",
        50,
        date(2019, 10, 31),
    )
    assert (task.progress, task.issues, task.next_steps) == ("举办招聘会 12 场", "无", "继续办")
    assert row_of(reading, "15.3").status == "已完成"
    assert row_of(reading, "20.1").status is None  # left empty: present, nothing reported


def test_text_from_a_unit_stays_text(tmp_path, read, units):
    path = wbs.submission(tmp_path / "人社局.xlsx", units["人社局"])
    wb = load_workbook(path)
    cell = wb["进度填报"]["J8"]
    cell.value = '=HYPERLINK("http://example.invalid","点我")'
    cell.data_type = "s"
    wb.save(path)
    assert row_of(read(path), "16.1.1").progress == '=HYPERLINK("http://example.invalid","点我")'


# ---- figures as people type them ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "key", "raw", "value", "approximate", "problem"),
    [
        ("人社局", "16.1.1", "9,000人", 9000, False, None),
        ("人社局", "16.1.1", "9，000", 9000, False, None),
        ("人社局", "16.1.1", "４６００", 4600, False, None),
        ("人社局", "16.1.1", "0.6万", 6000, False, "interpreted_value"),
        ("人社局", "16.1.1", "五千", 5000, False, None),
        ("人社局", "16.1.1", "一万二", 12000, False, None),
        ("人社局", "16.1.1", "约5000人", 5000, True, "approximate_value"),
        ("人社局", "16.1.1", "5000人左右", 5000, True, "approximate_value"),
        ("商务局", "1.1.1", "3000万元", 0.3, False, "interpreted_value"),
        ("商务局", "1.1.2", "65%", 65, False, None),
        ("商务局", "1.1.2", "65％", 65, False, None),
        ("商务局", "1.1.2", 65, 65, False, None),
        ("商务局", "1.1.2", 0.65, 65, False, "interpreted_value"),
        ("商务局", "1.1.2", "0.65", 65, False, "interpreted_value"),
        ("农业农村局", "13.5.2", "1.2亿元", 12000, False, "interpreted_value"),
        ("人社局", "16.1.1", "-", None, False, None),
        ("人社局", "16.1.1", "—", None, False, None),
    ],
)
def test_figures_as_typed(tmp_path, read, units, unit, key, raw, value, approximate, problem):
    path = wbs.submission(tmp_path / "f.xlsx", units[unit], {key: {"本年累计完成": raw}}, unit=unit)
    reading = read(path)
    row = row_of(reading, key)
    assert row.value == (pytest.approx(value) if value is not None else None)
    assert row.approximate is approximate
    assert [p.code for p in row.problems] == ([problem] if problem else [])
    assert reading.usable and codes(reading) == [p.code for p in row.problems]
    if problem:
        (p,) = row.problems
        assert p.severity == "warning" and p.ref == row.sources["value"]
        assert (p.unit, p.task_id, p.metric_id) == (unit, row.task_id, key)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("见附件", "见附件"),
        ("待统计", "存在问题"),
        ("/", "留空"),
        ("5000-6000", "范围"),
        ("5000亩", "不一致"),
        ("已完成", "完成状态"),
    ],
)
def test_an_unreadable_figure_is_an_error_on_its_cell_and_kept_as_text(
    tmp_path, read, units, raw, words
):
    path = wbs.submission(tmp_path / "f.xlsx", units["人社局"], {"16.1.1": {"本年累计完成": raw}})
    reading = read(path)
    row = row_of(reading, "16.1.1")
    (problem,) = row.problems
    assert (problem.code, problem.severity, problem.where) == (
        "unreadable_value",
        "error",
        "进度填报!F8",
    )
    assert words in problem.message and (row.value, row.value_text) == (None, raw)
    assert reading.usable and problem in reading.problems


def test_a_percentage_formatted_cell_is_read_as_shown(tmp_path, read, units):
    path = wbs.submission(
        tmp_path / "f.xlsx",
        units["商务局"],
        {"1.1.2": {"本年累计完成": 0.65}},
        unit="商务局",
        formats={"F7": "0%"},
    )
    row = row_of(read(path), "1.1.2")
    assert row.value == pytest.approx(65)
    (problem,) = row.problems
    assert problem.code == "interpreted_value" and "百分比格式" in problem.message


def test_a_changed_unit_of_measure_converts_a_bare_number(tmp_path, read, units):
    path = wbs.submission(
        tmp_path / "f.xlsx",
        units["商务局"],
        {"1.1.1": {"本年累计完成": 3000, "计量单位": "万元"}},
        unit="商务局",
    )
    row = row_of(read(path), "1.1.1")
    assert row.value == pytest.approx(0.3)
    assert [p.code for p in row.problems] == ["interpreted_value"]


@pytest.mark.parametrize(
    ("column", "raw", "field", "expected", "problem"),
    [
        ("完成状态", "正在推进", "status", "推进中", None),
        ("完成状态", "差不多", "status", None, "unreadable_status"),
        ("形象进度", "80%", "percent", 80, None),
        ("形象进度", 0.8, "percent", 80, "interpreted_value"),
        ("形象进度", 120, "percent", None, "unreadable_percent"),
        ("预计完成时间", "2019.10", "expected_completion", date(2019, 10, 31), None),
        ("预计完成时间", "年底", "expected_completion", date(2019, 12, 31), None),
        ("预计完成时间", 2019.1, "expected_completion", None, "unreadable_date"),
    ],
)
def test_status_percent_and_dates(tmp_path, read, units, column, raw, field, expected, problem):
    path = wbs.submission(tmp_path / "f.xlsx", units["人社局"], {"4.4": {column: raw}})
    row = row_of(read(path), "4.4")
    assert getattr(row, field) == expected
    assert [p.code for p in row.problems] == ([problem] if problem else [])
    if problem:
        assert row.problems[0].ref == row.sources[field]


# ---- formulas and error values ---------------------------------------------------------------

FORMULA = {"本年累计完成": "=2000+2600"}


def test_a_formula_without_a_cached_value_is_reported_with_its_cell(tmp_path, read, units):
    path = wbs.submission(tmp_path / "f.xlsx", units["人社局"], {"16.1.1": FORMULA})
    reading = read(path)
    row = row_of(reading, "16.1.1")
    (problem,) = row.problems
    assert (problem.code, problem.where, problem.severity) == (
        "formula_without_value",
        "进度填报!F8",
        "error",
    )
    assert problem.message == (
        "该单元格是公式但没有计算结果：请在 Excel 中重新计算并保存，或直接填写数值"
    )
    assert row.value is None and reading.usable


def test_a_formula_with_its_cached_result_is_read_as_the_result(tmp_path, read, units):
    path = wbs.submission(tmp_path / "f.xlsx", units["人社局"], {"16.1.1": FORMULA})
    wbs.set_cached_value(path, "F8", "4600")
    reading = read(path)
    assert row_of(reading, "16.1.1").value == 4600 and reading.problems == ()


def test_an_error_value_is_reported_not_taken_for_empty(tmp_path, read, units):
    fills = {"16.1.1": {"本年累计完成": "#DIV/0!"}}
    path = wbs.submission(tmp_path / "f.xlsx", units["人社局"], fills)
    (problem,) = row_of(read(path), "16.1.1").problems
    assert problem.code == "unreadable_value" and "#DIV/0!" in problem.message


# ---- messy layouts --------------------------------------------------------------------------


def test_a_messy_layout_header_on_row_9_reordered_extra_merged_blank_and_subtotal_rows(
    tmp_path, read, units
):
    lines = units["人社局"]
    headers = [
        "指标\n编号",
        "任务 编号",
        "工作标准",
        "上月累计（参考）",
        "本年累计\n完成值",
        "备注",
        "形象进度(%)",
        "完成状态",
        "预计完成时间",
        "进展情况",
        "存在问题",
        "下步计划",
        "目标值",
        "计量单位",
    ]
    fills = {
        "16.1.1": {
            "上月累计（参考）": 3900,
            "本年累计\n完成值": "4,600人",
            "备注": 77,
            "完成状态": "推进中",
        },
        "4.4": {"形象进度(%)": 50, "完成状态": "推进中", "备注": "说明"},
    }
    body = wbs.line_rows(
        lines,
        {k: {**v} for k, v in fills.items()},
        [
            {
                "指标\n编号": "指标编号",
                "任务 编号": "任务编号",
                "本年累计\n完成值": "本年累计完成",
                "形象进度(%)": "形象进度",
            }.get(h, h)
            for h in headers
        ],
    )
    # line_rows keys its fills by the template's headers; put the renamed columns' values back.
    for row, ln in zip(body, lines, strict=True):
        for i, h in enumerate(headers):
            if h in fills.get(ln.metric_id or ln.task_id, {}):
                row[i] = fills[ln.metric_id or ln.task_id][h]
    rows = [
        ["2019年重点任务推进情况表"],
        ["填报单位:人社局", None, None, None, None, "填报月份：", "2019.6"],
        [],
        [],
        ["说明：本表每月5日前报送"],
        [],
        [],
        [],
        headers,
        body[0],
        [],
        body[1],
        body[2],
        ["合计", None, None, None, 4600],
        *body[3:],
        [],
        ["填报人：张三", None, "联系电话：1234"],
    ]
    path = wbs.save(tmp_path / "messy.xlsx", rows, merges=["A1:N1", "A2:D2"])
    reading = read(path, "收件/messy.xlsx")
    assert (reading.unit, reading.period, reading.usable) == ("人社局", "2019-06", True)
    assert reading.problems == ()
    assert [r.metric_id or r.task_id for r in reading.rows] == [
        ln.metric_id or ln.task_id for ln in lines
    ]
    jobs = row_of(reading, "16.1.1")
    assert (jobs.value, jobs.status, jobs.target_reported) == (4600, "推进中", 9000)
    assert jobs.sources["value"].where == "进度填报!E13"  # never the 上月累计（参考） column
    assert jobs.sources["task_id"].where == "进度填报!B13"
    assert row_of(reading, "4.4").percent == 50


def test_merged_cells_over_the_rows_of_one_task(tmp_path, read, units):
    lines = units["商务局"]
    fills = {
        "1.1.1": {"本年累计完成": 260, "进展情况": "签约项目 12 个", "完成状态": "推进中"},
        "1.1.2": {"本年累计完成": 62},
        "1.1.3": {"本年累计完成": 2},
    }
    path = wbs.submission(
        tmp_path / "f.xlsx",
        lines,
        fills,
        unit="商务局",
        merges=["A6:A8", "J6:J8", "G6:G8"],  # one task id, narrative and status for 1.1
    )
    reading = read(path)
    assert reading.problems == ()
    for key, value in (("1.1.1", 260), ("1.1.2", 62), ("1.1.3", 2)):
        row = row_of(reading, key)
        assert (row.task_id, row.value, row.progress, row.status) == (
            "1.1",
            value,
            "签约项目 12 个",
            "推进中",
        )
        assert row.sources["progress"].where == "进度填报!J6"


def test_a_figure_merged_across_rows_belongs_to_no_row(tmp_path, read, units):
    fills = {"1.1.1": {"本年累计完成": 260}}
    path = wbs.submission(
        tmp_path / "f.xlsx", units["商务局"], fills, unit="商务局", merges=["F6:F7"]
    )
    reading = read(path)
    for key in ("1.1.1", "1.1.2"):
        row = row_of(reading, key)
        assert row.value is None and [p.code for p in row.problems] == ["merged_figure"]
        assert "F6:F7" in row.problems[0].message
    assert row_of(reading, "1.1.3").problems == ()


@pytest.mark.parametrize(
    "title",
    [
        [["填报单位：人社局"], ["填报月份：2019年6月"]],
        [["填报单位:人社局"], ["填报月份:2019-06"]],
        [["填报单位（盖章）：人社局"], ["填报月份：2019.6"]],
        [["填报单位：人社局    填报月份：2019年6月"]],
        [["填报单位", "人社局", None, "填报月份", datetime(2019, 6, 1)]],
        [["填报单位：", None, "人社局"], ["月份：", "2019年1-6月"]],
        [["人社局2019年6月重点任务进度填报表"], ["填报单位：人社局", "报送截止：2019年7月5日"]],
        [["填报单位：人社局", "填报日期：2019年7月3日", "填报月份：6月"]],
    ],
)
def test_title_cells_in_the_forms_units_write_them(tmp_path, read, units, title):
    rows = [*title, [], list(HEADERS), *wbs.line_rows(units["人社局"])]
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert (reading.unit, reading.period, reading.usable) == ("人社局", "2019-06", True)
    assert reading.problems == ()


@pytest.mark.parametrize(
    ("written", "code"),
    [(" 人 社 局 ", None), ("人社局（盖章）", None), ("金坛区人社局", "unit_name_normalised")],
)
def test_unit_names_are_matched_after_normalising(tmp_path, read, units, written, code):
    path = wbs.submission(tmp_path / "x.xlsx", units["人社局"], unit=written)
    reading = read(path)
    assert reading.unit == "人社局" and codes(reading) == ([code] if code else [])


def test_unit_and_month_from_the_file_name_and_folder_when_the_title_lacks_them(
    tmp_path, read, units
):
    path = wbs.submission(tmp_path / "x.xlsx", units["人社局"], unit=None, month=None)
    reading = read(path, "2019年6月/人社局-进度填报表.xlsx")
    assert (reading.unit, reading.period, reading.usable) == ("人社局", "2019-06", True)
    assert codes(reading) == ["unit_from_file_name", "month_from_file_name"]
    assert all(p.severity == "warning" and p.unit == "人社局" for p in reading.problems)


def test_the_title_wins_over_the_file_name_with_a_warning(tmp_path, read, units):
    path = wbs.submission(tmp_path / "x.xlsx", units["人社局"])
    reading = read(path, "商务局/2019-05 进度.xlsx")
    assert (reading.unit, reading.period, reading.usable) == ("人社局", "2019-06", True)
    assert codes(reading) == ["unit_mismatch", "month_mismatch"]
    mismatch = reading.problems[0]
    assert "商务局" in mismatch.message and "按表中的“人社局”读取" in mismatch.message
    assert mismatch.where == "进度填报!A2"


# ---- rejections by content ---------------------------------------------------------------------


def test_an_unknown_unit_is_rejected_naming_close_names(tmp_path, read, units):
    path = wbs.submission(tmp_path / "x.xlsx", units["人社局"], unit="人力社保局")
    reading = read(path)
    assert not reading.usable and codes(reading) == ["unknown_unit"]
    assert "人社局" in reading.problems[0].message and reading.problems[0].where == "进度填报!A2"


def test_no_unit_anywhere_is_rejected(tmp_path, read, units):
    reading = read(wbs.submission(tmp_path / "进度表.xlsx", units["人社局"], unit=None))
    assert not reading.usable and codes(reading) == ["no_unit"]


def test_no_month_anywhere_is_rejected(tmp_path, read, units):
    reading = read(wbs.submission(tmp_path / "人社局.xlsx", units["人社局"], month=None))
    assert not reading.usable and codes(reading) == ["no_month"]
    assert reading.unit == "人社局" and reading.period is None


def test_another_years_workbook_is_rejected(tmp_path, read, units):
    reading = read(wbs.submission(tmp_path / "x.xlsx", units["人社局"], month="2018年6月"))
    assert not reading.usable and codes(reading) == ["wrong_year"]


def test_no_recognisable_header_is_rejected(tmp_path, read):
    rows = [
        ["填报单位：人社局"],
        ["填报月份：2019年6月"],
        ["序号", "名称", "数量"],
        [1, "就业", 4600],
    ]
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert not reading.usable and codes(reading) == ["no_header"]
    assert "表头" in reading.problems[0].message


def test_a_header_below_row_15_is_not_looked_for(tmp_path, read, units):
    rows = [
        *wbs.title_rows(),
        *[[] for _ in range(12)],
        list(HEADERS),
        *wbs.line_rows(units["人社局"]),
    ]
    assert read(wbs.save(tmp_path / "x.xlsx", rows)).problems[0].code == "no_header"


def test_a_workbook_with_none_of_the_units_rows_is_rejected(tmp_path, read, units):
    path = wbs.submission(tmp_path / "x.xlsx", units["商务局"][:3])  # titled 人社局
    reading = read(path)
    assert not reading.usable and codes(reading) == ["not_this_unit"] * 3 + ["no_rows"]


def test_a_broken_workbook_inside_a_good_zip_is_rejected_not_raised(tmp_path, read, units):
    path = wbs.submission(tmp_path / "x.xlsx", units["人社局"])
    wbs.rewrite_part(path, "xl/workbook.xml", b"<workbook><sheets><sheet")
    reading = read(path)
    assert not reading.usable and codes(reading) == ["corrupt_workbook"]


# ---- sheets, rows and ids ---------------------------------------------------------------------


def test_the_sheet_named_进度填报_is_preferred_else_the_first_with_a_header(tmp_path, read, units):
    rows = [*wbs.title_rows(), list(HEADERS), *wbs.line_rows(units["人社局"])]
    other = {"说明": [["本表由督查室下发"]], "旧表": rows}
    reading = read(wbs.save(tmp_path / "a.xlsx", rows, before=other))
    assert reading.sheet == "进度填报"
    reading = read(wbs.save(tmp_path / "b.xlsx", rows, sheet="Sheet2", before={"说明": [["说明"]]}))
    assert reading.sheet == "Sheet2" and reading.usable
    assert row_of(reading, "16.1.1").sources["value"].where == "Sheet2!F8"


def test_rows_that_cannot_be_matched_are_problems(tmp_path, read, units, catalogue_2019):
    lines = units["人社局"]
    rows = [*wbs.title_rows(), list(HEADERS), *wbs.line_rows(lines)]
    rows += [
        ["1.1", "1.1.1", "签约引进工业项目协议总投资", 500, "亿元", 100],  # 商务局's
        ["99.1", "99.1.1", "不存在", 1, "个", 1],
        [None, None, "自己加的一行", None, None, 5],
        [None, None, "城镇新增就业", None, None, None, "推进中"],  # matched by its name
    ]
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert reading.usable
    assert codes(reading) == ["not_this_unit", "unknown_id", "row_without_id", "duplicate_row"]
    assert [p.where for p in reading.problems[:3]] == [
        "进度填报!B13",
        "进度填报!B14",
        "进度填报!F15",
    ]
    duplicate = reading.problems[3]
    assert duplicate.severity == "error" and "第 8 行和第 16 行" in duplicate.message


def test_a_task_with_several_metrics_needs_the_metric_id(tmp_path, read, units):
    lines = units["商务局"]
    rows = [*wbs.title_rows("商务局"), list(HEADERS), *wbs.line_rows(lines[1:])]
    rows.append(["1.1", None, "一行没有指标编号", None, None, 100])
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert codes(reading) == ["ambiguous_row"] and "指标编号" in reading.problems[0].message


def test_a_task_id_typed_as_a_number_loses_its_trailing_zero_and_is_still_found(
    tmp_path, read, units
):
    lines = units["工信局"]
    body = wbs.line_rows(lines, {"3.10": {"完成状态": "推进中"}})
    body[[ln.task_id for ln in lines].index("3.10")][0] = 3.1  # Excel shows 3.1
    reading = read(wbs.save(tmp_path / "x.xlsx", [*wbs.title_rows("工信局"), list(HEADERS), *body]))
    assert reading.problems == () and row_of(reading, "3.10").status == "推进中"


@pytest.mark.parametrize(("second", "severity"), [(4600, "warning"), (4700, "error")])
def test_duplicate_rows(tmp_path, read, units, second, severity):
    lines = units["人社局"]
    rows = [
        *wbs.title_rows(),
        list(HEADERS),
        *wbs.line_rows(lines, {"16.1.1": {"本年累计完成": 4600}}),
    ]
    rows.append(["16.1", "16.1.1", "城镇新增就业", 9000, "人", second])
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    row = row_of(reading, "16.1.1")
    assert row.value == 4600 and [(p.code, p.severity) for p in row.problems] == [
        ("duplicate_row", severity)
    ]


@pytest.mark.parametrize(
    ("target", "edited"),
    [
        (9000, False),
        ("9,000", False),
        ("≥9000人", False),
        (8000, True),
        ("八千", True),
        ("全年9000", True),
    ],
)
def test_an_edited_target_is_a_warning_and_the_catalogue_counts(
    tmp_path, read, units, target, edited
):
    fills = {"16.1.1": {"目标值": target, "本年累计完成": 4600}}
    reading = read(wbs.submission(tmp_path / "x.xlsx", units["人社局"], fills))
    row = row_of(reading, "16.1.1")
    assert row.value == 4600
    assert [p.code for p in row.problems] == (["target_edited"] if edited else [])
    if edited:
        problem = row.problems[0]
        assert problem.where == "进度填报!D8" and "9000人" in problem.message
        assert problem.severity == "warning"


# ---- 完成情况 ------------------------------------------------------------------------------------


def test_完成情况_is_the_figure_column_when_there_is_no_other(tmp_path, read, units):
    headers = [h if h != "本年累计完成" else "完成情况" for h in HEADERS if h != "进展情况"]
    lines = units["人社局"]
    fills = {
        "16.1.1": {"完成情况": "4600人"},
        "4.4": {"完成情况": "举办招聘会12场"},
        "15.3": {"完成情况": "已完成"},
    }
    rows = [*wbs.title_rows(), headers, *wbs.line_rows(lines, fills, headers)]
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert reading.problems == ()
    assert row_of(reading, "16.1.1").value == 4600
    assert row_of(reading, "4.4").progress == "举办招聘会12场"
    assert row_of(reading, "15.3").status == "已完成"


def test_完成情况_beside_本年累计完成_is_the_narrative(tmp_path, read, units):
    headers = [h if h != "进展情况" else "完成情况" for h in HEADERS]
    fills = {"16.1.1": {"本年累计完成": 4600, "完成情况": "新增就业4600人"}}
    rows = [*wbs.title_rows(), headers, *wbs.line_rows(units["人社局"], fills, headers)]
    row = row_of(read(wbs.save(tmp_path / "x.xlsx", rows)), "16.1.1")
    assert (row.value, row.progress) == (4600, "新增就业4600人")


# ---- macros and the version --------------------------------------------------------------------


def test_a_macro_enabled_workbook_is_read_as_data(tmp_path, read, units):
    fills = {"16.1.1": {"本年累计完成": 4600}}
    path = wbs.submission(tmp_path / "人社局.xlsm", units["人社局"], fills)
    wbs.make_macro_enabled(path)
    reading = read(path)
    assert reading.usable and row_of(reading, "16.1.1").value == 4600
    assert [(p.code, p.severity, p.unit) for p in reading.problems] == [
        ("macros", "warning", "人社局")
    ]


def test_the_reader_has_a_version_for_cached_readings():
    assert READER_VERSION and isinstance(READER_VERSION, str)


def test_two_columns_for_the_same_field_use_the_first_and_say_so(tmp_path, read, units):
    headers = [*HEADERS, "本年累计完成"]
    fills = {"16.1.1": {"本年累计完成": 4600}}
    rows = [*wbs.title_rows(), headers, *wbs.line_rows(units["人社局"], fills, headers)]
    reading = read(wbs.save(tmp_path / "x.xlsx", rows))
    assert row_of(reading, "16.1.1").sources["value"].where == "进度填报!F8"
    (problem,) = reading.problems
    assert (problem.code, problem.severity, problem.where) == (
        "duplicate_column",
        "warning",
        "进度填报!M5",
    )


def test_a_figure_on_a_task_without_a_metric_points_to_形象进度(tmp_path, read, units):
    fills = {"4.4": {"本年累计完成": "完成八成"}, "15.3": {"本年累计完成": 3}}
    reading = read(wbs.submission(tmp_path / "x.xlsx", units["人社局"], fills))
    row = row_of(reading, "4.4")
    assert row.value is None and row.value_text == "完成八成"
    assert [(p.code, p.severity) for p in row.problems] == [("value_without_metric", "warning")]
    assert row_of(reading, "15.3").value == 3 and row_of(reading, "15.3").problems == ()


def test_long_cell_texts_are_read_but_not_kept_in_the_caches():
    """Short texts (names, headers, task texts) are cached across workbooks; a narrative is
    not, so a workbook full of long texts cannot fill a long-running process's memory."""
    long = "本月推进情况良好" * 100
    norms = sheet.normalised.cache_info().currsize
    headers = header_row.text_header_field.cache_info().currsize
    assert sheet.normalised(long + " 完") == long + "完"
    assert header_row.header_field(long) is None
    assert sheet.normalised.cache_info().currsize == norms
    assert header_row.text_header_field.cache_info().currsize == headers
    fresh = f" 本年累计\n完成（{uuid.uuid4().hex}）*"  # a text no other test has read
    assert header_row.header_field(fresh) == ("value", 4)
    info = header_row.text_header_field.cache_info()
    assert info.currsize == min(headers + 1, info.maxsize)
