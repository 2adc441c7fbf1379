"""Recognising and refusing unusable files: by their bytes, before any spreadsheet library."""

from __future__ import annotations

import random
import zipfile

import pytest

from progress_audit.intake.reading import SafetyLimits, inspect_workbook, read_workbook
from progress_audit.standards.responsibility import assignments
from tests.support import workbooks as wbs

MiB = 1024 * 1024
LIMITS = SafetyLimits()

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
)


@pytest.fixture(scope="module")
def units(catalogue_2019):
    return assignments(catalogue_2019)


@pytest.fixture
def good(tmp_path, units):
    return wbs.submission(
        tmp_path / "人社局.xlsx", units["人社局"], {"16.1.1": {"本年累计完成": 4000}}
    )


def test_a_workbook_passes_and_says_whether_it_has_formulas(good, tmp_path, units):
    inspection = inspect_workbook(good, "人社局.xlsx", LIMITS)
    assert (inspection.kind, inspection.usable, inspection.problems) == ("xlsx", True, ())
    assert not inspection.has_formulas and not inspection.has_error_cells
    with_formula = wbs.submission(
        tmp_path / "f.xlsx",
        units["人社局"],
        {"16.1.1": {"本年累计完成": "=1+1", "存在问题": "#N/A"}},
    )
    inspection = inspect_workbook(with_formula, "f.xlsx", LIMITS)
    assert inspection.has_formulas and inspection.has_error_cells


def test_the_name_does_not_matter_only_the_bytes(good, tmp_path):
    renamed = tmp_path / "人社局6月.doc"
    renamed.write_bytes(good.read_bytes())
    assert inspect_workbook(renamed, renamed.name, LIMITS).kind == "xlsx"


def _rejection(path, name=None):
    inspection = inspect_workbook(path, name or path.name, LIMITS)
    assert not inspection.usable
    (problem,) = inspection.problems
    assert problem.severity == "error" and problem.ref.file == (name or path.name)
    return inspection.kind, problem


def test_a_renamed_word_document(tmp_path):
    kind, problem = _rejection(wbs.word_document(tmp_path / "人社局.xlsx"))
    assert (kind, problem.code) == ("docx", "not_a_workbook") and "Word" in problem.message


def test_random_bytes(tmp_path):
    path = tmp_path / "人社局.xlsx"
    path.write_bytes(random.Random(3).randbytes(5000))
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("binary", "not_a_workbook")


@pytest.mark.parametrize(("name", "what"), [("人社局.txt", "文本文件"), ("人社局.csv", "CSV")])
def test_text_files(tmp_path, name, what):
    path = tmp_path / name
    path.write_text("任务编号,本年累计完成\n16.1,4000\n", encoding="gb18030")
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("text", "not_a_workbook") and what in problem.message


def test_an_empty_file(tmp_path):
    path = tmp_path / "人社局.xlsx"
    path.write_bytes(b"")
    assert _rejection(path)[1].code == "not_a_workbook"


def test_html_saved_as_xls_and_a_plain_zip(tmp_path):
    html = tmp_path / "导出.xls"
    html.write_text("<html><body><table><tr><td>16.1</td></tr></table></body></html>")
    assert _rejection(html)[1].code == "unsupported_format"
    archive = tmp_path / "人社局.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("人社局.xlsx", b"PK")
    kind, problem = _rejection(archive)
    assert kind == "zip" and "解压" in problem.message


def test_an_old_xls_says_how_to_resave(tmp_path):
    path = wbs.compound_file(tmp_path / "人社局.xls", {"Workbook": b"\x09\x08" + bytes(200)})
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("xls", "old_format_xls")
    assert "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送" in problem.message


def test_an_old_xls_renamed_to_xlsx_is_still_an_old_xls(tmp_path):
    path = wbs.compound_file(tmp_path / "人社局.xlsx", {"Workbook": bytes(200)})
    assert _rejection(path)[1].code == "old_format_xls"


def test_a_wps_et_file(tmp_path):
    path = wbs.compound_file(tmp_path / "人社局.et", {"Workbook": bytes(200)})
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("et", "wps_et") and "另存为 .xlsx" in problem.message


def test_an_encrypted_workbook(tmp_path):
    path = wbs.compound_file(
        tmp_path / "人社局.xlsx",
        {"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(100), "EncryptedPackage": bytes(300)},
    )
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("encrypted", "encrypted") and "密码" in problem.message


def test_a_word_97_document(tmp_path):
    path = wbs.compound_file(tmp_path / "人社局.xls", {"WordDocument": bytes(100)})
    kind, problem = _rejection(path)
    assert (kind, problem.code) == ("doc", "not_a_workbook")


@pytest.mark.parametrize(
    "part", [wbs.SHEET1, "xl/sharedStrings.xml", "xl/styles.xml", "[Content_Types].xml"]
)
def test_a_part_declaring_entities_is_refused(good, part):
    def add_doctype(xml: bytes) -> bytes:
        return BILLION_LAUGHS + xml.split(b"?>", 1)[-1]

    wbs.rewrite_part(good, part, add_doctype)
    _, problem = _rejection(good)
    assert problem.code == "xml_entities" and part in problem.message


def test_an_entity_hidden_in_utf16_or_lower_case_is_found(good):
    wbs.rewrite_part(good, "xl/styles.xml", lambda xml: BILLION_LAUGHS.lower() + xml)
    assert _rejection(good)[1].code == "xml_entities"
    wbs.rewrite_part(
        good,
        "xl/sharedStrings.xml",
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><sst/>').encode(
            "utf-16"
        ),
    )
    assert _rejection(good)[1].code == "xml_entities"


def test_a_zip_bomb_is_refused_by_its_ratio(good):
    # 40 MB of zeros compress to ~40 KB: a ratio of ~1000, far past the default limit of 100.
    wbs.rewrite_part(good, "xl/media/image1.png", bytes(40 * MiB))
    _, problem = _rejection(good)
    assert problem.code == "too_large" and "压缩比" in problem.message


def test_size_limits_are_configurable(good):
    small = SafetyLimits(max_uncompressed_bytes=20_000)
    problem = inspect_workbook(good, "x.xlsx", small).problems[0]
    assert problem.code == "too_large" and "解压后" in problem.message
    tiny = SafetyLimits(max_workbook_bytes=1000)
    problem = inspect_workbook(good, "x.xlsx", tiny).problems[0]
    assert problem.code == "too_large" and "文件大小" in problem.message
    assert inspect_workbook(good, "x.xlsx", SafetyLimits(max_compression_ratio=1.5)).usable, (
        "parts under the ratio floor are not judged by their ratio"
    )
    strict = SafetyLimits(max_compression_ratio=1.5, ratio_floor_bytes=1000)
    assert inspect_workbook(good, "x.xlsx", strict).problems[0].code == "too_large"


def test_settings_carry_the_limits():
    limits = SafetyLimits.from_settings()
    assert limits.max_workbook_bytes == 20 * MiB and limits.max_compression_ratio == 100


def test_a_macro_enabled_workbook_is_a_warning_not_a_rejection(good):
    wbs.make_macro_enabled(good)
    inspection = inspect_workbook(good, "人社局.xlsm", LIMITS)
    assert inspection.usable and inspection.kind == "xlsm" and inspection.has_macros
    (problem,) = inspection.problems
    assert (problem.code, problem.severity) == ("macros", "warning")


def test_a_broken_zip_is_corrupt(tmp_path, good):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    assert _rejection(path)[1].code == "corrupt_workbook"


# -- through the reader: every rejection is a reading with usable=False, never an exception --


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: wbs.word_document(p), "not_a_workbook"),
        (lambda p: p.write_bytes(random.Random(1).randbytes(3000)), "not_a_workbook"),
        (lambda p: wbs.compound_file(p, {"Workbook": bytes(10)}), "old_format_xls"),
        (lambda p: wbs.compound_file(p, {"EncryptedPackage": bytes(10)}), "encrypted"),
        (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "corrupt_workbook"),
    ],
)
def test_the_reader_rejects_with_the_reason_and_keeps_the_name_fallback(
    tmp_path, catalogue_2019, units, make, code
):
    path = tmp_path / "archived-copy"
    make(path)
    name = "2019年6月/人社局进度表.xlsx"
    reading = read_workbook(path, name, catalogue_2019, units)
    assert not reading.usable and reading.rows == ()
    assert [p.code for p in reading.problems] == [code]
    assert reading.problems[0].ref.file == name
    # The file name still tells whose it was, so the unit hears why it was refused.
    assert (reading.unit, reading.period) == ("人社局", "2019-06")


def test_the_reader_refuses_entities_before_any_library_parses_them(good, catalogue_2019, units):
    wbs.rewrite_part(
        good,
        wbs.SHEET1,
        lambda xml: BILLION_LAUGHS + xml.split(b"?>", 1)[-1].replace(b"4000", b"&lol3;"),
    )
    reading = read_workbook(good, "人社局.xlsx", catalogue_2019, units)
    assert not reading.usable and reading.problems[0].code == "xml_entities"


def test_a_stray_value_far_away_is_refused_before_a_reader_allocates_the_sheet(
    tmp_path, catalogue_2019, units
):
    # Readers hold a sheet as a dense rectangle: A1..XFD1048576 would be 17 billion cells.
    rows = [["填报单位：人社局"], ["填报月份：2019年6月"], list(wbs.HEADERS)]
    path = wbs.save(tmp_path / "人社局.xlsx", rows)
    wbs.rewrite_part(
        path,
        wbs.SHEET1,
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        ),
    )
    _, problem = _rejection(path)
    assert problem.code == "too_large" and "1048576" in problem.message
    reading = read_workbook(path, "人社局.xlsx", catalogue_2019, units)
    assert not reading.usable and [p.code for p in reading.problems] == ["too_large"]
    assert inspect_workbook(path, "x.xlsx", SafetyLimits(max_sheet_cells=10**11)).usable
