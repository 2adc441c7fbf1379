"""Tracks (考核方式): suggested from the words, set by the office, given for every standard."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from progress_audit.standards.catalogue import load_catalogue
from progress_audit.standards.catalogue.answers import AnswersError, dump_answers, load_answers
from progress_audit.standards.catalogue.tracks import suggest_track
from progress_audit.standards.review import COL, SHEET
from progress_audit.standards.years import YearError, import_table, review_table
from tests.conftest import STANDARDS_DIR
from tests.standards.tables import TABLE_2020, write_docx


@pytest.mark.parametrize(
    ("text", "track"),
    [
        ("年内确保茅山旅游大道、直别公路等项目竣工通车", "milestones"),
        ("建成茅山旅游度假区游客中心", "milestones"),
        ("完成司马坊等道路改造", "milestones"),
        ("东方盐湖城挂牌", "milestones"),
        ("坚持把服务群众作为根本准则", "ongoing"),
        ("深化供销合作社综合改革，强化为农服务职能", "ongoing"),
        ("经济运行稳中提质", "ongoing"),
    ],
)
def test_the_words_suggest_a_track(text, track):
    assert suggest_track(text) == track
    assert suggest_track(text, has_metrics=True) == "metric"


def test_2019_answers_set_every_standard(catalogue_2019):
    counts = Counter(s.track for s in catalogue_2019.standards)
    assert counts == {"metric": 12, "ongoing": 50, "milestones": 39}
    for s in catalogue_2019.standards:
        assert (s.track == "metric") == bool(s.metrics), s.id
    assert catalogue_2019.standard("7.1").track == "milestones"
    assert catalogue_2019.standard("21.1").track == "ongoing"  # 坚持把服务群众作为根本准则
    # The office's word, not the suggestion: 创建成果 reads as 建成, but 9.1 is a standing duty.
    assert suggest_track(catalogue_2019.standard("9.1").standard) == "milestones"
    assert catalogue_2019.standard("9.1").track == "ongoing"


def test_catalogue_json_gives_every_standard_its_track():
    r = subprocess.run(
        [str(Path(sys.executable).parent / "progress-audit"), "catalogue", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    standards = json.loads(r.stdout)["standards"]
    assert len(standards) == 101
    assert {s["track"] for s in standards} == {"metric", "ongoing", "milestones"}


def test_answers_round_trip_their_tracks(tmp_path, catalogue_2019):
    answers = load_answers(STANDARDS_DIR / "2019" / "review.toml")
    path = tmp_path / "review.toml"
    path.write_text(dump_answers(answers, 2019), encoding="utf-8")
    assert load_answers(path).tracks == answers.tracks
    assert len(answers.tracks) == 89


@pytest.mark.parametrize(
    ("tracks", "message"),
    [
        ('[tracks]\nweekly = ["1.2"]\n', "未知的考核方式 'weekly'"),
        ('[tracks]\nongoing = ["1.2"]\nmilestones = ["1.2"]\n', "1.2 同时列为"),
        ("[tracks]\nongoing = 3\n", "应为工作标准编号的列表"),
    ],
)
def test_bad_tracks_in_the_answers_are_named(tmp_path, tracks, message):
    path = tmp_path / "review.toml"
    path.write_text(f"year = 2019\n{tracks}", encoding="utf-8")
    with pytest.raises(AnswersError, match=message):
        load_answers(path)


@pytest.fixture
def imported(tmp_path):
    table = write_docx(TABLE_2020, tmp_path / "2020.docx")
    return import_table(table, 2020, tmp_path / "ws", STANDARDS_DIR, {"区发改局": "发改局"})


def _row(ws, row_id: str) -> int:
    for r in range(1, ws.max_row + 1):
        if str(ws.cell(r, 1).value) == row_id:
            return r
    raise KeyError(row_id)


def test_review_workbook_suggests_and_the_office_sets_the_track(imported, tmp_path):
    data = tmp_path / "ws"
    assert imported.catalogue.standard("1.3").track == "ongoing"  # 经济运行稳中提质
    wb = load_workbook(imported.review_workbook)
    ws = wb[SHEET]
    assert ws.cell(_row(ws, "1.3"), COL["考核方式"]).value == "常态工作"
    assert ws.cell(_row(ws, "1.1.1"), COL["考核方式"]).value == "量化指标"
    ws.cell(_row(ws, "1.3"), COL["考核方式"], "节点任务")
    wb.save(imported.review_workbook)
    review_table(imported.review_workbook, 2020, data, {"区发改局": "发改局"})
    cat = load_catalogue(2020, STANDARDS_DIR, data)
    assert cat.standard("1.3").track == "milestones"
    assert cat.standard("1.1").track == "metric"
    assert 'milestones = [\n    "1.3",' in (data / "standards/2020/review.toml").read_text("utf-8")


def test_a_bad_track_cell_is_named_and_nothing_changes(imported, tmp_path):
    data = tmp_path / "ws"
    before = {p: p.read_bytes() for p in (data / "standards/2020").iterdir()}
    wb = load_workbook(imported.review_workbook)
    ws = wb[SHEET]
    r = _row(ws, "1.3")
    ws.cell(r, COL["考核方式"], "每周")
    wb.save(imported.review_workbook)
    letter = "ABCDEFGHIJKLMNOP"[COL["考核方式"] - 1]
    with pytest.raises(
        YearError, match=rf"审核!{letter}{r}：考核方式应为 量化指标、常态工作、节点任务"
    ):
        review_table(imported.review_workbook, 2020, data, {"区发改局": "发改局"})
    for p, content in before.items():
        if p.name != "指标审核表.xlsx":
            assert p.read_bytes() == content
    assert not (data / "standards/2020/review.toml").exists()
    assert Path(imported.review_workbook).exists()
