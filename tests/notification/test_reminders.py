"""Who has not submitted yet (催报): pure functions over the ledger's submissions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from progress_audit.model.period import Calendar, Period
from progress_audit.model.problems import Problem
from progress_audit.model.records import Submission
from progress_audit.notification.reminders import (
    RejectedFile,
    Reminder,
    reminders,
    units_not_submitted,
)
from progress_audit.standards.responsibility import assignments

TZ = ZoneInfo("Asia/Shanghai")
JUNE = Period(2019, 6)
AS_OF = datetime(2019, 7, 3, 9, 0, tzinfo=TZ)
UNITS = ["人社局", "发改委", "教育局", "财政局"]


def sub(unit, status, received, period="2019-06", file=None, problems=()):
    return Submission(
        file=file or f"{unit}-{received:%m%d%H%M}.xlsx",
        sha256="0" * 64,
        received_at=received,
        status=status,
        unit=unit,
        period=period,
        problems=problems,
    )


def at(day, hour=10, month=7):
    return datetime(2019, month, day, hour, 0, tzinfo=TZ)


def test_nobody_submitted_means_everyone_in_order():
    assert units_not_submitted(JUNE, AS_OF, UNITS, []) == UNITS


def test_on_time_and_late_count_as_submitted_rejected_does_not():
    as_of = at(8)  # after the due date, so a late file has arrived
    subs = [
        sub("人社局", "on_time", at(2)),
        sub("发改委", "late", at(7)),
        sub("教育局", "rejected", at(2)),
    ]
    assert units_not_submitted(JUNE, as_of, UNITS, subs) == ["教育局", "财政局"]


def test_received_after_as_of_does_not_count():
    subs = [sub("人社局", "on_time", at(4)), sub("发改委", "on_time", at(3, 9))]
    # 发改委's file arrived at exactly as_of: it counts; 人社局's arrives the next day.
    assert units_not_submitted(JUNE, AS_OF, UNITS, subs) == ["人社局", "教育局", "财政局"]


def test_another_month_does_not_count():
    subs = [sub("人社局", "on_time", at(3, 8, month=6), period="2019-05")]
    assert units_not_submitted(JUNE, AS_OF, UNITS, subs) == UNITS


def test_superseded_file_counts_when_its_replacement_came_later():
    # The ledger marks the first file superseded once the second arrives (after as_of): at
    # as_of the unit had submitted.
    subs = [sub("人社局", "superseded", at(2)), sub("人社局", "on_time", at(4))]
    assert "人社局" not in units_not_submitted(JUNE, AS_OF, UNITS, subs)


def test_naive_as_of_is_refused():
    with pytest.raises(ValueError, match="时区"):
        units_not_submitted(JUNE, datetime(2019, 7, 3), UNITS, [])


def test_a_submission_in_another_time_zone_compares_by_instant():
    # 01:30 UTC on 3 July is 09:30 in Shanghai: after as_of (09:00 Shanghai).
    utc = datetime(2019, 7, 3, 1, 30, tzinfo=ZoneInfo("UTC"))
    assert "人社局" in units_not_submitted(JUNE, AS_OF, UNITS, [sub("人社局", "on_time", utc)])


def test_reminders_owe_the_units_task_lines_and_name_rejected_files(catalogue_2019):
    owed = assignments(catalogue_2019)
    units = list(owed)
    done, rejected_only = units[0], units[1]
    bad = Problem("not_a_workbook", "文件不是 Excel 工作簿，请用下发的模板重新填报")
    note = Problem("renamed", "文件名与单位不符", severity="warning")
    subs = [
        sub(done, "on_time", at(2)),
        sub(rejected_only, "rejected", at(2), file="报表.xls", problems=(bad, note)),
        sub(rejected_only, "rejected", at(4), file="later.xlsx"),  # after as_of: not named
    ]
    result = reminders(JUNE, AS_OF, owed, subs, Calendar("Asia/Shanghai", 5))

    assert [r.unit for r in result] == units[1:]
    first = result[0]
    assert first == Reminder(
        unit=rejected_only,
        period="2019-06",
        due=datetime(2019, 7, 6, 0, 0, tzinfo=TZ),
        lines=len(owed[rejected_only]),
        as_of=AS_OF,
        rejected=(
            RejectedFile("报表.xls", at(2), ("文件不是 Excel 工作簿，请用下发的模板重新填报",)),
        ),
    )
    assert not first.overdue
    assert all(r.rejected == () for r in result[1:])
    assert {r.lines for r in result} == {len(owed[u]) for u in units[1:]}


def test_reminder_after_the_deadline_is_overdue():
    owed = {"人社局": ("line",) * 3}
    (r,) = reminders(JUNE, at(6, 0), owed, [], Calendar("Asia/Shanghai", 5))
    assert r.overdue and r.lines == 3
    (r,) = reminders(JUNE, at(5, 23), owed, [], Calendar("Asia/Shanghai", 5))
    assert not r.overdue
