"""Reading the responsibility table in every form: Word, workbook, web page, text export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from progress_audit.standards.catalogue import build_from_folder
from progress_audit.standards.catalogue.answers import Answers
from progress_audit.standards.catalogue.build import build_catalogue
from progress_audit.standards.tables import TableError, read_table
from tests.conftest import STANDARDS_DIR, TABLE_2019
from tests.standards.tables import (
    EXPECTED_2020,
    EXPECTED_OTHER,
    HEADER,
    HEADER_TWO_ROWS,
    TABLE_2020,
    TABLE_OTHER,
    WRITERS,
    M,
    rows_of_text_export,
    write_docx,
    write_docx_by_merge,
    write_html,
)

FORMS = sorted(WRITERS)
ALIASES = {"区发改局": "发改局"}


def _catalogue(path: Path, year: int = 2020, aliases=ALIASES):
    return build_catalogue(read_table(path), Answers(""), year, str(path), aliases)


def _facts(cat) -> dict:
    return {
        s.id: (
            s.section,
            s.leaders,
            s.lead_units,
            s.participants,
            [(m.target, m.unit, m.comparator, m.kind) for m in s.metrics],
        )
        for s in cat.standards
    }


@pytest.mark.parametrize("form", FORMS)
def test_every_trait_in_every_form(tmp_path, form):
    path = WRITERS[form](TABLE_2020, tmp_path / f"table.{form}")
    cat = _catalogue(path)
    assert [(g.no, g.name) for g in cat.goals] == [
        (1, "推动经济稳中求进"),
        (2, "加快产业转型升级"),
        (3, "增进民生福祉"),
    ]
    got = _facts(cat)
    assert list(got) == list(EXPECTED_2020)  # numbered on across goals: 2.4, 3.7, …
    for sid, expected in EXPECTED_2020.items():
        assert got[sid] == expected, sid


@pytest.mark.parametrize("form", FORMS)
def test_the_forms_agree_row_for_row(tmp_path, form):
    path = WRITERS[form](TABLE_2020, tmp_path / f"table.{form}")
    reference = _catalogue(WRITERS["docx"](TABLE_2020, tmp_path / "reference.docx"))
    assert _catalogue(path).to_json()["standards"] == reference.to_json()["standards"]


@pytest.mark.parametrize("form", ["docx", "xlsx", "html"])
def test_another_offices_layout(tmp_path, form):
    path = WRITERS[form](TABLE_OTHER, tmp_path / f"t.{form}", header=HEADER_TWO_ROWS)
    cat = _catalogue(path)
    assert [g.name for g in cat.goals] == ["扩大有效投资", "促进消费", "稳定就业"]
    assert _facts(cat) == EXPECTED_OTHER


def test_goals_numbered_in_words(tmp_path):
    words = {"1": "一、", "2": "二、", "3": "三、"}
    table = [(words.get(r[0], r[0]) if isinstance(r[0], str) else r[0], *r[1:]) for r in TABLE_2020]
    path = WRITERS["xlsx"](table, tmp_path / "t.xlsx")
    assert _facts(_catalogue(path)) == EXPECTED_2020


def test_a_word_table_merged_by_hand(tmp_path):
    path = write_docx_by_merge(TABLE_2020, tmp_path / "t.docx")
    assert _facts(_catalogue(path)) == EXPECTED_2020


def test_qualifiers_and_names_of_targets(tmp_path):
    cat = _catalogue(write_docx(TABLE_2020, tmp_path / "t.docx"))
    m = cat.standard("1.2").metrics
    assert [(x.id, x.name, x.target, x.unit) for x in m] == [
        ("1.2.1", "固定资产投资", 65, "亿元"),
        ("1.2.2", "引进投资超10亿元或1亿美元项目", 20, "个"),
    ]
    assert cat.standard("3.8").deadline.isoformat() == "2020-06-30"
    assert cat.standard("1.3").metrics == () and cat.standard("2.6").metrics == ()


def test_without_aliases_the_new_names_stay(tmp_path):
    cat = _catalogue(write_docx(TABLE_2020, tmp_path / "t.docx"), aliases=None)
    assert cat.standard("1.1").lead_units == ("区发改局",)
    groups = {u.name for u in cat.units if u.is_group}
    assert groups == {"各单位、部门", "各板块"}


def test_the_published_page_in_gb18030_among_other_tables(tmp_path):
    path = write_html(TABLE_2020, tmp_path / "notice.html", encoding="gb2312")
    assert _facts(_catalogue(path)) == EXPECTED_2020


def test_2019_as_a_word_table_imports_to_the_same_catalogue(tmp_path):
    header, rows = rows_of_text_export(TABLE_2019)
    assert sum(1 for r in rows if r[0] is M) == 101 - 21  # each goal's cells merged down
    folder = tmp_path / "2019"
    folder.mkdir()
    write_docx(rows, folder / "responsibility-table.docx", header)
    text = build_from_folder(STANDARDS_DIR / "2019", 2019)

    # As imported (nothing reviewed): the same 101 standards and the same 22 targets.
    imported = _catalogue(folder / "responsibility-table.docx", 2019, aliases=None)
    assert len(imported.standards) == 101 and len(imported.metrics) == 22
    fields = ("id", "goal", "standard", "leaders", "lead_units", "participants", "deadline")
    for a, b in zip(imported.standards, text.standards, strict=True):
        assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert [(m.id, m.target, m.unit, m.comparator, m.text) for m in imported.metrics] == [
        (m.id, m.target, m.unit, m.comparator, m.text) for m in text.metrics
    ]

    # With 2019's reviewed answers beside it: the shipped catalogue, field for field.
    (folder / "review.toml").write_bytes((STANDARDS_DIR / "2019" / "review.toml").read_bytes())
    reviewed = build_from_folder(folder, 2019).to_json()
    shipped = text.to_json()
    assert reviewed.pop("source") != shipped.pop("source")
    assert reviewed == shipped


# --- tables the engine cannot read: refused, naming the row ---------------------------------


def _drop_docx_cell(path: Path, row: int, col: int) -> None:
    import docx

    document = docx.Document(str(path))
    tr = document.tables[0]._tbl.tr_lst[row]
    tr.remove(tr.tc_lst[col])
    document.save(str(path))


def test_a_word_row_with_a_cell_too_few_names_the_row(tmp_path):
    path = write_docx(TABLE_2020, tmp_path / "t.docx")
    _drop_docx_cell(path, 8, 5)  # the 8th row's 配合单位
    with pytest.raises(TableError) as e:
        read_table(path)
    assert "表格第9行：这一行有 5 列，应有 6 列" in str(e.value)
    assert "\n" not in str(e.value)


def test_a_web_page_row_with_a_cell_too_few_names_the_row(tmp_path):
    path = write_html(TABLE_2020, tmp_path / "t.html")
    text = path.read_text(encoding="utf-8")
    text = text.replace("<td><p>区人社局</p></td>", "", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TableError, match=r"第\d+个表格第10行：这一行有 5 列，应有 6 列"):
        read_table(path)


def test_a_text_row_with_a_cell_too_few_names_its_lines(tmp_path):
    path = WRITERS["txt"](TABLE_2020, tmp_path / "t.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("\t区人社局")
    del lines[at]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(TableError) as e:
        read_table(path)
    first, last = map(int, re.search(r"第(\d+)–(\d+)行", str(e.value)).groups())
    assert first <= at + 1 <= last and "有 5 列，应有 6 列" in str(e.value)


@pytest.mark.parametrize("form", FORMS)
def test_a_standard_numbered_out_of_order_is_refused(tmp_path, form):
    table = [
        tuple(c.replace("(5)", "(6)") if isinstance(c, str) else c for c in r) for r in TABLE_2020
    ]
    path = WRITERS[form](table, tmp_path / f"t.{form}")
    with pytest.raises(TableError) as e:
        _catalogue(path)
    message = str(e.value)
    assert "目标 2 的工作标准编号（6）不连续，此处应为（5）" in message
    assert re.search(r"第\d+行", message) and "\n" not in message


def test_numbering_may_restart_or_run_on_but_not_skip(tmp_path):
    restart = [
        tuple(c.replace("（4）", "（1）") if isinstance(c, str) else c for c in r)
        for r in TABLE_2020
    ]
    with pytest.raises(TableError, match=r"（5）不连续，此处应为（2）"):
        _catalogue(write_docx(restart, tmp_path / "t.docx"))


def test_a_header_with_a_column_missing_is_named(tmp_path):
    header = (*HEADER[:5], "备注")
    path = write_docx(TABLE_2020, tmp_path / "t.docx", header)
    with pytest.raises(TableError, match="表头缺少列 参与单位"):
        read_table(path)


def test_a_file_without_the_table_is_refused(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("关于印发责任分解表的通知")
    document.save(str(tmp_path / "t.docx"))
    with pytest.raises(TableError, match="文档中没有表格"):
        read_table(tmp_path / "t.docx")
    (tmp_path / "t.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableError, match=r"\.doc"):
        read_table(tmp_path / "t.doc")
