"""A new year's table: imported into the workspace, reviewed by the office, found by year."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from progress_audit.standards.catalogue import (
    CatalogueError,
    load_catalogue,
    year_folder,
)
from progress_audit.standards.review import COL, HEADER_ROW, SHEET
from progress_audit.standards.years import YearError, import_table, review_table
from tests.conftest import STANDARDS_DIR
from tests.standards.tables import TABLE_2020, write_docx, write_xlsx

ALIASES = {"区发改局": "发改局"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def imported(tmp_path):
    table = write_docx(TABLE_2020, tmp_path / "2020年责任分解表.docx")
    data = tmp_path / "ws"
    result = import_table(table, 2020, data, STANDARDS_DIR, ALIASES)
    return table, data, result


def test_import_keeps_the_original_and_writes_catalogue_and_review(imported):
    table, data, result = imported
    folder = data / "standards" / "2020"
    assert result.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == [
        "catalogue.json",
        "responsibility-table.docx",
        "指标审核表.xlsx",
    ]
    assert (folder / "responsibility-table.docx").read_bytes() == table.read_bytes()
    written = json.loads((folder / "catalogue.json").read_text(encoding="utf-8"))
    assert written == load_catalogue(2020, STANDARDS_DIR, data).to_json()
    assert len(written["standards"]) == 8
    assert written["standards"][3]["section"] == "做强先进制造业"
    assert not list(data.glob("standards/.*"))  # no staging folder left behind


def test_new_names_are_listed_against_the_shipped_2019(imported):
    _, _, result = imported
    assert result.previous is not None and result.previous.year == 2019
    names = {n.name: n.maybe for n in result.new_names}
    assert "发改局" not in names and "区发改局" not in names  # the alias
    assert names["区财政局"] == "财政局"  # a bureau gaining the district's name
    assert "经开区(儒林镇)" in names
    assert "各板块" not in names and "各单位、部门" not in names


def test_the_year_before_in_the_workspace_is_the_one_compared(tmp_path, imported):
    _, data, _ = imported
    table_2021 = write_xlsx(TABLE_2020, tmp_path / "2021.xlsx")
    result = import_table(table_2021, 2021, data, STANDARDS_DIR, ALIASES)
    assert result.previous.year == 2020 and result.new_names == ()


def test_review_workbook_is_made_for_the_office(imported):
    _, _, result = imported
    wb = load_workbook(result.review_workbook)
    assert wb.sheetnames == ["审核", "进度曲线", "填写说明"]
    ws = wb[SHEET]
    assert ws.protection.sheet
    assert ws["A4"].protection.locked and ws["B4"].protection.locked
    assert not ws["F4"].protection.locked and not ws["I4"].protection.locked
    ids = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert ids == [
        "1.1.1",
        "1.1.2",
        "1.2.1",
        "1.2.2",
        "1.3",
        "2.4.1",
        "2.4.2",
        "2.5.1",
        "2.5.2",
        "2.6",
        "3.7.1",
        "3.7.2",
        "3.8.1",
    ]
    lists = {
        str(dv.sqref).split(":")[0][0]: dv.formula1
        for dv in ws.data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists["H"] == '"≥ 不低于,> 超过,≤ 不超过,< 低于,约 左右"'
    assert lists["I"] == '"累计型,水平型,比率型"'
    assert "进度曲线" in lists["J"] and lists["D"] == '"是,否"'
    assert ws["I4"].value == "比率型" and ws["H5"].value == "约 左右"
    assert "填写说明" in wb.sheetnames and "审核!F7" in "\n".join(
        str(c.value) for c in wb["填写说明"]["A"]
    )


def _row(ws, row_id: str) -> int:
    return next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == row_id)


def _edit(path: Path, changes: dict[str, dict[str, object]], profiles=()) -> Path:
    wb = load_workbook(path)
    ws = wb[SHEET]
    for row_id, cells in changes.items():
        r = _row(ws, row_id)
        for header, value in cells.items():
            ws.cell(r, COL[header], value)
    for r, profile in enumerate(profiles, start=6):
        for c, value in enumerate(profile, start=1):
            wb["进度曲线"].cell(r, c, value)
    wb.save(path)
    return path


def test_review_confirms_and_corrects(imported):
    _, data, result = imported
    _edit(
        result.review_workbook,
        {
            "1.1.2": {"是否量化指标": "否"},
            "2.4.1": {"指标类型": "水平型", "基数": 850, "基数说明": "2019 年末"},
            "2.6": {
                "是否量化指标": "是",
                "指标名称": "审批事项按时办结率",
                "目标值": "100",
                "计量单位": "%",
                "比较关系": "≥ 不低于",
                "指标类型": "比率型",
                "进度曲线": "按月均匀",
            },
            "3.7.1": {"进度曲线": "就业季节"},
            "3.8.1": {"进度曲线": "到期考核", "力争": "是", "完成期限": "2020年9月30日"},
        },
        profiles=[("就业季节", *[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1])],
    )
    reviewed = review_table(result.review_workbook, 2020, data, ALIASES)
    cat = load_catalogue(2020, STANDARDS_DIR, data)
    assert cat.to_json() == reviewed.catalogue.to_json()
    assert [m.id for m in cat.standard("1.1").metrics] == ["1.1.1"]
    level = cat.standard("2.4").metrics[0]
    assert (level.kind, level.baseline, level.baseline_note) == ("level", 850, "2019 年末")
    (added,) = cat.standard("2.6").metrics
    assert (added.id, added.name, added.target, added.unit, added.kind) == (
        "2.6.1",
        "审批事项按时办结率",
        100,
        "%",
        "rate",
    )
    assert cat.standard("3.7").metrics[0].profile.shares[4] == 0.5
    school = cat.standard("3.8").metrics[0]
    assert (school.profile.name, school.strive, school.deadline) == (
        "deadline",
        True,
        date(2020, 9, 30),
    )
    assert (data / "standards" / "2020" / "review.toml").exists()
    # Reviewing the same workbook again changes nothing.
    before = _files(data)
    review_table(result.review_workbook, 2020, data, ALIASES)
    assert _files(data) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"1.2.1": {"目标值": "很多"}}, r"审核!F6：目标值应为数字"),
        ({"2.4.2": {"指标类型": "水平型"}}, r"审核!K10：水平型指标须填写基数"),
        ({"1.1.1": {"比较关系": "大于等于"}}, r"审核!H4：比较关系应为"),
        ({"3.7.2": {"进度曲线": "不存在的曲线"}}, r"审核!J15：进度曲线应为"),
        ({"3.8.1": {"完成期限": "年底"}}, r"审核!M16：完成期限应为日期"),
        ({"1.3": {"是否量化指标": "是"}}, r"审核!E8：请填写指标名称.*共 \d+ 处"),
        ({"1.2.2": {"编号": "1.2.9"}}, r"审核!A7：编号应为 1.2.2"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_changes(imported, changes, message):
    _, data, result = imported
    before = _files(data)
    _edit(result.review_workbook, changes)
    edited = result.review_workbook.read_bytes()
    with pytest.raises(YearError, match=message) as e:
        review_table(result.review_workbook, 2020, data, ALIASES)
    assert "\n" not in str(e.value)
    after = _files(data)
    after.pop("standards/2020/指标审核表.xlsx")
    before.pop("standards/2020/指标审核表.xlsx")
    assert after == before
    assert result.review_workbook.read_bytes() == edited


def test_another_years_workbook_is_refused(imported, tmp_path):
    _, data, _ = imported
    table_2021 = write_xlsx(TABLE_2020, tmp_path / "2021.xlsx")
    other = import_table(table_2021, 2021, data, STANDARDS_DIR, ALIASES)
    with pytest.raises(YearError, match=r"审核!A1：.*不是 2020 年的"):
        review_table(other.review_workbook, 2020, data, ALIASES)
    assert not (data / "standards" / "2020" / "review.toml").exists()


def test_a_refused_table_writes_nothing(tmp_path):
    broken = [
        tuple(c.replace("（7）", "（9）") if isinstance(c, str) else c for c in r)
        for r in TABLE_2020
    ]
    table = write_docx(broken, tmp_path / "t.docx")
    data = tmp_path / "ws"
    with pytest.raises(YearError, match=r"表格第10行：目标 3 的工作标准编号（9）不连续"):
        import_table(table, 2020, data, STANDARDS_DIR, ALIASES)
    assert not data.exists() or not list(data.rglob("*"))


def test_a_second_import_needs_replace(imported, tmp_path):
    table, data, _ = imported
    with pytest.raises(YearError, match="--replace"):
        import_table(table, 2020, data, STANDARDS_DIR, ALIASES)
    other = write_xlsx(TABLE_2020, tmp_path / "again.xlsx")
    import_table(other, 2020, data, STANDARDS_DIR, ALIASES, replace=True)
    assert sorted(p.name for p in (data / "standards" / "2020").iterdir())[1] == (
        "responsibility-table.xlsx"
    )


def test_a_years_folder_is_the_workspaces_first_then_the_shipped_one(imported, tmp_path):
    _, data, _ = imported
    assert year_folder(2020, STANDARDS_DIR, data) == data / "standards" / "2020"
    assert year_folder(2019, STANDARDS_DIR, data) == STANDARDS_DIR / "2019"
    assert load_catalogue(2019, STANDARDS_DIR, data) == load_catalogue(2019, STANDARDS_DIR)
    with pytest.raises(CatalogueError, match=r"没有 2031 年的责任分解表.*已有年份：2019、2020"):
        year_folder(2031, STANDARDS_DIR, data)


def test_unreadable_files_are_one_line(tmp_path):
    (tmp_path / "t.pdf").write_bytes(b"%PDF")
    with pytest.raises(YearError, match=r"无法识别的文件类型 \.pdf"):
        import_table(tmp_path / "t.pdf", 2020, tmp_path / "ws", STANDARDS_DIR)
    with pytest.raises(YearError, match="找不到文件"):
        import_table(tmp_path / "none.docx", 2020, tmp_path / "ws", STANDARDS_DIR)
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    with pytest.raises(YearError, match="无法作为 Word 文档打开"):
        import_table(tmp_path / "bad.docx", 2020, tmp_path / "ws", STANDARDS_DIR)
    assert not (tmp_path / "ws").exists()
