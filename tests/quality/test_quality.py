"""The month's data-quality check: problems once each, with cells, severities and scores."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import pytest

from progress_audit.config import QualitySettings
from progress_audit.model.period import OFFICE_CALENDAR, Period
from progress_audit.quality.month import check_month
from progress_audit.standards.responsibility import assignments as assign
from tests.support.quality_month import (
    AS_OF,
    JUNE,
    PLANTED,
    READER_GIVES,
    TZ,
    clean_month,
    dirty_month,
    line_of,
    planted_line,
    submission,
)


@pytest.fixture(scope="module")
def a(catalogue_2019):
    return assign(catalogue_2019)


@pytest.fixture(scope="module")
def dirty(catalogue_2019, a):
    current, previous = dirty_month(a)
    report = check_month(
        JUNE, AS_OF, catalogue_2019, a, current, previous, due=OFFICE_CALENDAR.due(JUNE)
    )
    return current, previous, report


def _line(p) -> str | None:
    return p.metric_id or p.task_id


def test_a_clean_month_has_no_problems_and_full_scores(catalogue_2019, a):
    report = check_month(
        JUNE,
        AS_OF,
        catalogue_2019,
        a,
        clean_month(a),
        clean_month(a, JUNE.prev()),
        due=OFFICE_CALENDAR.due(JUNE),
    )
    assert report.problems == ()
    assert report.all_problems == ()
    assert set(report.scores) == set(a)
    assert all(v == 1.0 for dims in report.scores.values() for v in dims.values())
    assert sum(r.evaluated for r in report.rules) > 0


def test_each_planted_problem_is_reported_once_where_it_is(dirty, a):
    _, _, report = dirty
    for code, (unit, _) in PLANTED.items():
        found = [p for p in report.all_problems if p.code == code]
        assert len(found) == 1 + (code == "duplicate_row"), (code, found)  # both rows
        p = found[0]
        assert p.unit == unit, code
        if code not in ("late", "not_submitted", "columns_missing", "row_missing"):
            assert _line(p) == planted_line(a, code)[1]
            assert p.ref and p.ref.sheet == "进度填报" and p.ref.cell, code
            assert p.ref.where in p.message, code
        assert "请" in p.message, code
    planted_codes = set(PLANTED)
    assert {p.code for p in report.all_problems} == planted_codes


def test_the_readers_problems_are_not_given_twice(dirty):
    current, _, report = dirty
    mine = {p.code for p in report.problems}
    for code in READER_GIVES:
        assert code not in mine
        assert sum(p.code == code for p in report.all_problems) == 1
    reader = [p for s in current for r in s.rows for p in r.problems]
    assert all(p in report.all_problems for p in reader)


def test_done_when_falling_jump_edited_target_bad_percentage_and_late_once_with_cells(dirty, a):
    """Issue 5's month: each problem once, with its cell reference."""
    current, _, report = dirty
    rows = {(r.unit, r.metric_id or r.task_id): r for s in current for r in s.rows}
    expect = {
        "ytd_decreased": "value",
        "implausible_jump": "value",
        "target_edited": "target_reported",
        "unreadable_percent": "percent",
    }
    for code, field in expect.items():
        unit, key = planted_line(a, code)
        cell = rows[(unit, key)].sources[field]
        found = [p for p in report.all_problems if p.code == code]
        assert len(found) == 1
        assert found[0].ref == cell
        assert found[0].where == f"进度填报!{cell.cell}"
    late = [p for p in report.all_problems if p.code == "late"]
    assert len(late) == 1 and late[0].dimension == "timeliness"
    assert late[0].ref and late[0].ref.file.endswith("水利局-2019-06.xlsx")
    assert "2019年7月5日24时" in late[0].message


def test_severities_say_whether_the_figure_can_be_trusted(dirty):
    _, _, report = dirty
    by = {p.code: p for p in report.all_problems}
    for code in (
        "ytd_decreased",
        "negative_value",
        "unreadable_percent",
        "unreadable_value",
        "unknown_id",
        "duplicate_row",
        "share_out_of_range",
        "unreadable_status",
    ):
        assert by[code].severity == "error", code
    for code in (
        "implausible_jump",
        "completed_below_target",
        "percent_status_conflict",
        "implausible_date",
        "late",
        "not_this_unit",
    ):
        assert by[code].severity == "warning", code
    assert by["ytd_decreased"].dimension == "consistency"
    assert by["unreadable_percent"].dimension == "validity"
    assert by["row_missing"].dimension == "completeness"


def test_scores_per_unit(dirty, a):
    _, _, report = dirty
    s = report.scores
    assert s["水利局"]["timeliness"] == 0.0 and s["水利局"]["completeness"] == 1.0
    assert s["城管局"] == {
        "completeness": 0.0,
        "timeliness": 0.0,
        "validity": None,
        "consistency": None,
    }
    n = len(a["人才办"])
    assert s["人才办"]["completeness"] == round((n - 1) / n, 4)
    n = len(a["科技局"])
    assert s["科技局"]["consistency"] == round((n - 1) / n, 4)
    assert s["科技局"]["validity"] == 1.0
    n = len(a["教育局"])
    assert s["教育局"]["validity"] == round((n - 1) / n, 4)  # the reader's problem counts
    assert report.submission_status["城管局"] == "missing"
    assert report.counts["人才办"]["missing_rows"] == 1


def test_the_report_is_the_same_on_a_rerun(catalogue_2019, a, dirty):
    current, previous, report = dirty
    again = check_month(
        JUNE,
        AS_OF,
        catalogue_2019,
        a,
        list(reversed(current)),
        previous,
        due=OFFICE_CALENDAR.due(JUNE),
    )
    assert json.dumps(again.to_json(), ensure_ascii=False) == json.dumps(
        report.to_json(), ensure_ascii=False
    )


def test_before_the_due_date_a_missing_unit_is_not_yet_a_problem(catalogue_2019, a):
    early = datetime(2019, 7, 3, 12, tzinfo=TZ)
    subs = [s for s in clean_month(a) if s.unit != "城管局"]
    report = check_month(
        JUNE,
        early,
        catalogue_2019,
        a,
        subs,
        clean_month(a, JUNE.prev()),
        due=OFFICE_CALENDAR.due(JUNE),
    )
    assert report.problems == ()
    assert report.submission_status["城管局"] == "not_due"
    assert report.scores["城管局"]["timeliness"] is None


def test_january_compares_with_zero_not_last_december(catalogue_2019, a):
    jan = Period(2019, 1)
    unit = "科技局"
    line = line_of(a[unit], "6.1.1")
    current = [submission(unit, jan, a[unit], changes={"6.1.1": {"value": line.target}})]
    december = [submission(unit, Period(2018, 12), a[unit], changes={"6.1.1": {"value": 99.0}})]
    report = check_month(
        jan,
        datetime(2019, 2, 6, tzinfo=TZ),
        catalogue_2019,
        {unit: a[unit]},
        current,
        december,
        due=OFFICE_CALENDAR.due(jan),
    )
    codes = [p.code for p in report.problems]
    assert codes == ["implausible_jump"]  # the whole year's target in January, from zero


def test_the_jump_multiple_is_a_setting(catalogue_2019, a, dirty):
    current, previous, _ = dirty
    lax = check_month(
        JUNE,
        AS_OF,
        catalogue_2019,
        a,
        current,
        previous,
        QualitySettings(jump_multiple=10),
        due=OFFICE_CALENDAR.due(JUNE),
    )
    assert "implausible_jump" not in {p.code for p in lax.problems}


def test_superseded_and_other_months_do_not_count(catalogue_2019, a):
    unit = "科技局"
    good = submission(unit, JUNE, a[unit])
    old = replace(
        submission(unit, JUNE, a[unit], changes={"6.1.1": {"value": -1.0}}),
        status="superseded",
        file="old.xlsx",
    )
    report = check_month(
        JUNE, AS_OF, catalogue_2019, {unit: a[unit]}, [old, good], due=OFFICE_CALENDAR.due(JUNE)
    )
    assert report.problems == ()


def test_an_empty_inbox_does_not_import_great_expectations(tmp_path):
    code = (
        "import sys; from pathlib import Path; from datetime import datetime;"
        "from zoneinfo import ZoneInfo;"
        "from progress_audit.standards.catalogue import load_catalogue;"
        "from progress_audit.standards.responsibility import assignments;"
        "from progress_audit.model.period import Period;"
        "from progress_audit.quality.month import check_month;"
        "c = load_catalogue(2019, Path('data/standards'));"
        "r = check_month(Period(2019, 6), datetime(2019, 7, 8, tzinfo=ZoneInfo('Asia/Shanghai')),"
        " c, assignments(c), [], due=Period(2019, 6).due('Asia/Shanghai', 5));"
        "assert 'great_expectations' not in sys.modules;"
        "print(sum(p.code == 'not_submitted' for p in r.problems))"
    )
    from tests.conftest import PROJECT_ROOT

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "40"


def test_one_more_of_a_few_whole_things_is_not_a_jump(catalogue_2019, a):
    """1.1.3 is 3 projects a year: 1 → 2 in a month is progress; 0 → 3 is worth a look."""
    unit = "商务局"

    def codes(before: float, now: float) -> list[str]:
        current = [submission(unit, JUNE, a[unit], changes={"1.1.3": {"value": now}})]
        previous = [submission(unit, JUNE.prev(), a[unit], changes={"1.1.3": {"value": before}})]
        report = check_month(
            JUNE,
            AS_OF,
            catalogue_2019,
            {unit: a[unit]},
            current,
            previous,
            due=OFFICE_CALENDAR.due(JUNE),
        )
        return [p.code for p in report.problems]

    assert codes(1.0, 2.0) == []
    assert codes(0.0, 3.0) == ["implausible_jump"]
