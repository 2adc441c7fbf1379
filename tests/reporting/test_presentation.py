"""How the reports look to the office: at-risk.xlsx prints on A4 landscape at a readable size,
every workbook names its (CJK) font, titles and subtitles show whole, and no page or workbook a
user reads carries a problem code or a library's name."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from progress_audit.files.xlsx_style import FONT_NAME, LINE_HEIGHT, MIN_PRINT_SIZE, lines_needed
from progress_audit.model.codes import CODES
from progress_audit.model.period import Calendar, Period
from progress_audit.model.problems import CellRef, Problem
from progress_audit.reporting.reports import write_reports
from progress_audit.reporting.reports.at_risk import HEADERS, PRINT_HEADERS
from tests.reporting.test_reports import AS_OF, FINDINGS, PERIOD, PROBLEMS, SUBMISSIONS, sub

# A4 landscape, the reports' margins (0.4 inch left and right), at 96 pixels per inch.
PRINTABLE_PX = (297 / 25.4 - 0.8) * 96
LIBRARIES = ("Great Expectations", "GX", "DHIS2", "WHO", "pandas", "openpyxl", "Prefect")
CODE_WORD = re.compile(r"\b(" + "|".join(re.escape(c) for c in CODES if "_" in c) + r")\b")


def office_words_problems(text: str) -> list[str]:
    """Problem codes and library names in a text a user reads."""
    found = [m.group(0) for m in CODE_WORD.finditer(text)]
    found += [w for w in LIBRARIES if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)]
    return found


class _Visible(HTMLParser):
    """The text a reader sees: no tags, attributes, styles or scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Visible()
    p.feed(html)
    return " ".join(p.parts)


CODED = [
    Problem(
        "ytd_decreased",
        "本年累计完成 40 低于上月的 50",
        "error",
        ref=CellRef("人社局.xlsx", "进度填报", "F9"),
        unit="人社局",
        task_id="16.1",
        metric_id="16.1.1",
        dimension="consistency",
    ),
    Problem(
        "implausible_jump",
        "本月增量 54 家，是上月累计的 9 倍",
        "warning",
        ref=CellRef("人社局.xlsx", "进度填报", "F10"),
        unit="人社局",
        task_id="16.1",
        metric_id="16.1.1",
        dimension="consistency",
    ),
]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "2019-06"
    write_reports(out, PERIOD, AS_OF, FINDINGS, SUBMISSIONS, [*PROBLEMS, *CODED])
    return out


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory, catalogue_2019, units) -> Path:
    from progress_audit.templates.workbook import write_templates

    target = tmp_path_factory.mktemp("templates")
    some = dict(list(units.items())[:3])  # three units are enough
    write_templates(target, catalogue_2019, some, Period(2019, 6), Calendar("Asia/Shanghai", 5))
    return target


def workbooks(*folders: Path) -> list[Path]:
    return sorted(p for f in folders for p in f.rglob("*.xlsx"))


# ---- fonts ---------------------------------------------------------------------------------


def test_every_font_in_every_workbook_is_named_and_cjk(out, template_dir):
    books = workbooks(out, template_dir)
    assert len(books) >= 8
    for path in books:
        with zipfile.ZipFile(path) as z:
            styles = ElementTree.fromstring(z.read("xl/styles.xml"))
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
        fonts = styles.findall("m:fonts/m:font", ns)
        assert fonts, path.name
        for i, font in enumerate(fonts):
            name = font.find("m:name", ns)
            assert name is not None and name.get("val") == FONT_NAME, (path.name, i)
        wb = load_workbook(path)
        for ws in wb:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        assert cell.font.name == FONT_NAME, (path.name, ws.title, cell.coordinate)


# ---- at-risk.xlsx in print -----------------------------------------------------------------


def _columns_px(ws) -> float:
    widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: ws.max_column]]
    return sum(w * 7 + 5 for w in widths)


def test_at_risk_prints_on_a4_landscape_at_a_readable_size(out):
    wb = load_workbook(out / "at-risk.xlsx")
    assert wb.sheetnames == ["预警任务", "完整信息"]
    ws = wb["预警任务"]
    assert [c.value for c in ws[3]] == list(PRINT_HEADERS)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$3:$3"
    # fit to width shrinks the columns to the page: at 90 % a 10-point font prints at 9 points
    scale = min(1.0, PRINTABLE_PX / _columns_px(ws))
    sizes = {
        cell.font.sz for row in ws.iter_rows(min_row=3) for cell in row if cell.value is not None
    }
    assert min(sizes) * scale >= MIN_PRINT_SIZE, (sizes, scale)
    # long texts wrap within their column
    for header in ("指标/工作标准", "原因"):
        col = PRINT_HEADERS.index(header) + 1
        cells = [ws.cell(row=r, column=col) for r in range(4, ws.max_row + 1)]
        assert cells and all(c.alignment.wrap_text for c in cells if c.value)
    # every column is still in the workbook, on the second sheet
    full = wb["完整信息"]
    assert [c.value for c in full[3]] == list(HEADERS)
    assert full.max_row == ws.max_row


# ---- nothing clipped -----------------------------------------------------------------------


def _subtitle_fits(ws) -> int:
    """The subtitle (row 2) wraps and its row is tall enough for its lines; returns them."""
    cell = ws["A2"]
    merged = next((m for m in ws.merged_cells.ranges if "A2" in m), None)
    last = merged.max_col if merged else 1
    across = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, last + 1))
    lines = lines_needed(cell.value, across)
    assert cell.alignment.wrap_text, ws.title
    assert ws.row_dimensions[2].height >= LINE_HEIGHT * lines, (ws.title, lines)
    return lines


def test_subtitles_show_whole_in_every_workbook(out):
    tall = 0
    for path in workbooks(out):
        for ws in load_workbook(path):
            if isinstance(ws["A2"].value, str):
                tall += _subtitle_fits(ws) > 1
    assert tall  # some subtitle needs two lines: the check means something


def test_feedback_header_shows_the_received_time_whole(tmp_path):
    """A unit that sent two files (a rejected .xls, then the .xlsx): the header names both with
    their received times, on as many lines as it takes."""
    from progress_audit.reporting.reports.feedback import feedback_jobs
    from progress_audit.reporting.reports.unchanged import in_parallel

    subs = [
        sub("人社局", "rejected", file="人社局2019年6月重点任务进度填报表（修改稿）.xls", day=3),
        sub("人社局", "on_time", file="人社局2019年6月重点任务进度填报表（定稿）.xlsx", day=4),
    ]
    mine = [f for f in FINDINGS if f.unit == "人社局"]
    (path,) = in_parallel(feedback_jobs(tmp_path, PERIOD, AS_OF, mine, subs, CODED))
    ws = load_workbook(path)["问题清单"]
    text = ws["A2"].value
    assert text.count("收到时间") == 2 and "定稿" in text
    assert _subtitle_fits(ws) >= 2


# ---- words for the office ------------------------------------------------------------------


def test_no_codes_or_library_names_in_the_office_workbooks(out):
    checked = 0
    for path in [out / "at-risk.xlsx", out / "overdue.xlsx", *workbooks(out / "feedback")]:
        for ws in load_workbook(path):
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        checked += 1
                        assert office_words_problems(value) == [], (path.name, ws.title, value)
    assert checked > 100


def test_feedback_names_the_problem_kinds_in_words(out):
    ws = load_workbook(out / "feedback" / "人社局.xlsx")["问题清单"]
    text = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "本年累计完成 40 低于上月的 50" in text and "ytd_decreased" not in text


def test_the_word_scan_catches_codes_and_libraries():
    assert office_words_problems("由 Great Expectations 校验：ytd_decreased") == [
        "ytd_decreased",
        "Great Expectations",
    ]
    assert office_words_problems("数据质量参照 DHIS2、WHO 的做法") == ["DHIS2", "WHO"]
    assert office_words_problems("商务局.xlsx!进度填报!F6 逾期报送") == []
