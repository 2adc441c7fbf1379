"""Node plans: the template, reading it back by cell, and the record of decisions."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from progress_audit.intake.ledger import Ledger
from progress_audit.intake.plan_reading import read_plan
from progress_audit.intake.plans import (
    PlanRefused,
    approve_plan,
    decide_extension,
    grant_extension,
    plan_records,
    plan_rejections,
    plan_state_of,
    receive_plan,
    receive_plan_inbox,
    request_extension,
    return_plan,
    units_without_plan,
)
from progress_audit.model.plans import PLAN_HEADERS, PLAN_SHEET, plan_month
from progress_audit.templates.plans import (
    PLAN_TITLE_ROWS,
    build_plan_template,
    milestone_standards,
    write_plan_templates,
)

TZ = ZoneInfo("Asia/Shanghai")
UNIT = "交通局"  # leads 7.1 (竣工通车), a milestone standard
AT = datetime(2019, 2, 20, 10, 0, tzinfo=TZ)


def _plan_bytes(units, unit=UNIT, rows=None, title_unit=None) -> bytes:
    """The unit's plan template, filled in with `rows` {(task, node): (content, month)}."""
    wb = build_plan_template(title_unit or unit, 2019, milestone_standards(units[unit]))
    ws = wb[PLAN_SHEET]
    first = PLAN_TITLE_ROWS + 2
    rows = (
        rows
        if rows is not None
        else {
            ("7.1", 1): ("茅山旅游大道主体完工", "2019-05"),
            ("7.1", 2): ("直别公路竣工通车", "2019年10月"),
        }
    )
    for r in range(first, ws.max_row + 1):
        key = (ws.cell(r, 1).value, ws.cell(r, 3).value)
        if key in rows:
            content, month = rows[key]
            ws.cell(r, 4, content)
            ws.cell(r, 5, month)
            ws.cell(r, 6, "交工验收")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def ledger(tmp_path):
    with Ledger.open(tmp_path / "ws") as led:
        yield led


def _receive(ledger, tmp_path, catalogue_2019, units, content, at=AT, unit=UNIT):
    return receive_plan(
        ledger, tmp_path / "ws", catalogue_2019, units, unit, content, "计划.xlsx", at
    )


@pytest.mark.parametrize(
    ("text", "month"),
    [("2019-05", "2019-05"), ("2019年5月", "2019-05"), ("5月", "2019-05"), ("５月底", "2019-05")],
)
def test_plan_month_reads_what_units_type(text, month):
    assert str(plan_month(text, 2019)) == month


def test_template_has_the_agreed_layout(tmp_path, units):
    paths = write_plan_templates(tmp_path, 2019, units)
    expected = sum(1 for lines in units.values() if milestone_standards(lines))
    assert len(paths) == expected > 10
    again = write_plan_templates(tmp_path / "again", 2019, units)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    ws = load_workbook(next(p for p in paths if UNIT in p.name))[PLAN_SHEET]
    assert ws["A2"].value == f"填报单位：{UNIT}"
    header = [ws.cell(PLAN_TITLE_ROWS + 1, c).value for c in range(1, 7)]
    assert tuple(header) == PLAN_HEADERS
    assert ws.cell(PLAN_TITLE_ROWS + 2, 1).value == "7.1"
    assert "竣工通车" in ws.cell(PLAN_TITLE_ROWS + 2, 2).value


def test_a_good_plan_is_received_then_approved_and_frozen(ledger, tmp_path, catalogue_2019, units):
    receipt = _receive(ledger, tmp_path, catalogue_2019, units, _plan_bytes(units))
    assert receipt.status == "received", receipt.plan.problems
    assert [(n.task_id, n.node, n.planned) for n in receipt.plan.nodes] == [
        ("7.1", 1, "2019-05"),
        ("7.1", 2, "2019-10"),
    ]
    archived = tmp_path / "ws" / "archive" / receipt.plan.sha256[:2]
    assert any(archived.iterdir())  # the bytes kept
    assert [s.unit for s in units_without_plan(ledger, 2019, units)].count(UNIT) == 1
    approve_plan(ledger, UNIT, 2019, "张科长", AT + timedelta(days=1))
    state = plan_state_of(ledger, UNIT, 2019)
    assert state.status == "approved" and state.approved_by == "张科长"
    assert UNIT not in [s.unit for s in units_without_plan(ledger, 2019, units)]
    with pytest.raises(PlanRefused, match="已审定"):
        approve_plan(ledger, UNIT, 2019, "张科长", AT + timedelta(days=2))
    with pytest.raises(PlanRefused, match="审定后不能退回"):
        return_plan(ledger, UNIT, 2019, "重排", "张科长", AT + timedelta(days=2))
    # A later plan waits; the approved one stands until the office approves the new one.
    later = _plan_bytes(
        units, rows={("7.1", 1): ("主体完工", "2019-06"), ("7.1", 2): ("通车", "2019-11")}
    )
    second = _receive(ledger, tmp_path, catalogue_2019, units, later, AT + timedelta(days=30))
    state = plan_state_of(ledger, UNIT, 2019)
    assert state.status == "approved" and state.approved.id == receipt.plan.id
    assert state.latest.id == second.plan.id
    assert state.node("7.1", 1).due == "2019-05"
    approve_plan(ledger, UNIT, 2019, "李主任", AT + timedelta(days=31))
    state = plan_state_of(ledger, UNIT, 2019)
    assert state.approved.id == second.plan.id and state.node("7.1", 1).due == "2019-06"
    assert len(plan_records(ledger, 2019, UNIT)) == 2  # both on the record


@pytest.mark.parametrize(
    ("rows", "cell", "message"),
    [
        ({("7.1", 1): ("主体完工", "")}, "E6", "没有计划完成月份"),
        ({("7.1", 1): ("主体完工", "五月份吧")}, "E6", "不是月份"),
        ({("7.1", 1): ("主体完工", "2020-02")}, "E6", "不在 2019 年"),
        ({}, "D6", "节点任务 7.1 没有节点"),
        ({("7.1", 1): ("", "2019-05")}, "D6", "没有写节点内容"),
    ],
)
def test_a_bad_plan_names_its_cell_and_cannot_be_approved(
    ledger, tmp_path, catalogue_2019, units, rows, cell, message
):
    receipt = _receive(ledger, tmp_path, catalogue_2019, units, _plan_bytes(units, rows=rows))
    assert receipt.status == "rejected"
    problems = receipt.to_json()["problems"]
    assert any(p["cell"] == f"{PLAN_SHEET}!{cell}" and message in p["message"] for p in problems), (
        problems
    )
    with pytest.raises(PlanRefused, match="不能审定"):
        approve_plan(ledger, UNIT, 2019, "张科长", AT)
    assert plan_state_of(ledger, UNIT, 2019).status == "invalid"


def test_a_task_not_the_units_is_named(ledger, tmp_path, catalogue_2019, units):
    wb = load_workbook(io.BytesIO(_plan_bytes(units)))
    ws = wb[PLAN_SHEET]
    row = ws.max_row + 1
    ws.cell(row, 1, "16.5")  # 卫生健康局's
    ws.cell(row, 4, "别人的任务")
    ws.cell(row, 5, "2019-06")
    buf = io.BytesIO()
    wb.save(buf)
    receipt = _receive(ledger, tmp_path, catalogue_2019, units, buf.getvalue())
    [problem] = [p for p in receipt.plan.problems if p.code == "plan_unknown_task"]
    assert problem.ref.cell == f"A{row}"
    assert "16.5 不是本单位牵头的节点任务" in problem.message


def test_a_month_past_the_deadline_is_named(tmp_path, catalogue_2019, units):
    # Every 2019 milestone standard is due at the year's end: give 7.1 a 6月底前 deadline.
    standard = catalogue_2019.standard("7.1")
    short = replace(standard, deadline=date(2019, 6, 30))
    path = tmp_path / "p.xlsx"
    path.write_bytes(_plan_bytes(units))
    reading = read_plan(path, "p.xlsx", 2019, {"7.1": short}, UNIT)
    [late] = [p for p in reading.problems if p.code == "plan_month_past_deadline"]
    assert late.ref.cell == "E7" and "晚于任务 7.1 的完成期限 2019年6月30日" in late.message
    assert [n.node for n in reading.nodes] == [1]


def test_another_units_plan_is_refused(ledger, tmp_path, catalogue_2019, units):
    receipt = _receive(
        ledger, tmp_path, catalogue_2019, units, _plan_bytes(units, title_unit="水利局")
    )
    assert receipt.status == "rejected"
    assert receipt.plan.problems[0].code == "plan_other_unit"
    assert receipt.plan.problems[0].ref.cell == "A2"


def test_return_with_reason_then_a_new_plan(ledger, tmp_path, catalogue_2019, units):
    _receive(ledger, tmp_path, catalogue_2019, units, _plan_bytes(units))
    with pytest.raises(PlanRefused, match="理由"):
        return_plan(ledger, UNIT, 2019, "  ", "张科长", AT)
    return_plan(ledger, UNIT, 2019, "节点过粗，请按季度细化", "张科长", AT)
    state = plan_state_of(ledger, UNIT, 2019)
    assert state.status == "returned" and "细化" in state.returned_reason
    with pytest.raises(PlanRefused, match="已退回"):
        approve_plan(ledger, UNIT, 2019, "张科长", AT)
    _receive(
        ledger,
        tmp_path,
        catalogue_2019,
        units,
        _plan_bytes(
            units,
            rows={
                ("7.1", 1): ("路基完成", "2019-04"),
                ("7.1", 2): ("主体完工", "2019-07"),
                ("7.1", 3): ("竣工通车", "2019-10"),
            },
        ),
    )
    assert plan_state_of(ledger, UNIT, 2019).status == "pending"
    approve_plan(ledger, UNIT, 2019, "张科长", AT + timedelta(days=3))
    assert len(plan_state_of(ledger, UNIT, 2019).nodes) == 3


def test_extensions(ledger, tmp_path, catalogue_2019, units):
    _receive(ledger, tmp_path, catalogue_2019, units, _plan_bytes(units))
    with pytest.raises(PlanRefused, match="还没有审定"):
        request_extension(ledger, catalogue_2019, UNIT, "7.1", 1, "2019-07", "拆迁", AT)
    approve_plan(ledger, UNIT, 2019, "张科长", AT)
    in_may = datetime(2019, 5, 20, 9, tzinfo=TZ)
    for month, message in [
        ("2020-01", "不在|晚于"),
        ("2019-04", "不晚于现在的计划完成月份"),
        ("下个月", "不是月份"),
    ]:
        with pytest.raises(PlanRefused, match=message):
            request_extension(ledger, catalogue_2019, UNIT, "7.1", 1, month, "拆迁", in_may)
    with pytest.raises(PlanRefused, match=r"没有任务 7\.1 的节点 9"):
        request_extension(ledger, catalogue_2019, UNIT, "7.1", 9, "2019-07", "拆迁", in_may)
    in_june = datetime(2019, 6, 1, 0, 5, tzinfo=TZ)
    with pytest.raises(PlanRefused, match="2019年5月 已过，不能再申请延期"):
        request_extension(ledger, catalogue_2019, UNIT, "7.1", 1, "2019-07", "拆迁", in_june)
    request_extension(ledger, catalogue_2019, UNIT, "7.1", 1, "2019-07", "拆迁未完成", in_may)
    with pytest.raises(PlanRefused, match="待督查室决定"):
        request_extension(ledger, catalogue_2019, UNIT, "7.1", 1, "2019-08", "拆迁", in_may)
    assert plan_state_of(ledger, UNIT, 2019).node("7.1", 1).due == "2019-05"  # pending
    decide_extension(ledger, UNIT, 2019, "7.1", 1, True, "", "张科长", in_may + timedelta(days=1))
    node = plan_state_of(ledger, UNIT, 2019).node("7.1", 1)
    assert (node.planned, node.due) == ("2019-05", "2019-07")  # the original month kept
    with pytest.raises(PlanRefused, match="没有待决定的延期申请"):
        decide_extension(ledger, UNIT, 2019, "7.1", 1, False, "不同意", "张科长", in_may)
    # The office grants one itself, also after the month.
    grant_extension(
        ledger,
        catalogue_2019,
        UNIT,
        "7.1",
        2,
        "2019-12",
        "省厅调整",
        "李主任",
        datetime(2019, 11, 3, tzinfo=TZ),
    )
    node = plan_state_of(ledger, UNIT, 2019).node("7.1", 2)
    assert (node.planned, node.due, node.extensions[-1].state) == ("2019-10", "2019-12", "granted")


def test_the_portals_requests_are_checked_and_dispatched(ledger, tmp_path, catalogue_2019, units):
    from progress_audit.intake.plan_reading import is_plan_bytes
    from progress_audit.intake.plans import extension_request, plan_review

    content = _plan_bytes(units)
    assert is_plan_bytes(content) and not is_plan_bytes(b"PK\x03\x04 not a zip")
    _receive(ledger, tmp_path, catalogue_2019, units, content)

    def review(**body):
        return plan_review(ledger, catalogue_2019, units, body, "张科长", AT)

    for body, message in [
        ({"unit": UNIT, "year": 2019, "action": "approve"}, "未知的节点计划操作"),
        ({"unit": "不存在局", "year": 2019, "action": "approve_plan"}, "未知的单位"),
        ({"unit": UNIT, "year": 2020, "action": "approve_plan"}, "年度"),
        ({"unit": UNIT, "year": 2019, "action": "return_plan"}, "理由"),
    ]:
        with pytest.raises(PlanRefused, match=message):
            review(**body)
    with pytest.raises(PlanRefused, match="JSON 对象"):
        plan_review(ledger, catalogue_2019, units, ["approve_plan"], "张科长", AT)
    assert review(unit=UNIT, year=2019, action="approve_plan").action == "approve_plan"
    in_may = datetime(2019, 5, 10, tzinfo=TZ)
    for body, message in [
        ({"task_id": "7.1", "node": "一", "new_month": "2019-07", "reason": "x"}, "整数"),
        ({"node": 1, "new_month": "2019-07", "reason": "x"}, "task_id"),
        ({"task_id": "7.1", "node": 1, "new_month": "2019-07"}, "理由"),
        ({"task_id": "16.5", "node": 1, "new_month": "2019-07", "reason": "x"}, "没有任务 16"),
    ]:
        with pytest.raises(PlanRefused, match=message):
            extension_request(ledger, catalogue_2019, UNIT, body, in_may)
    body = {"task_id": "7.1", "node": 1, "new_month": "2019-07", "reason": "拆迁"}
    assert extension_request(ledger, catalogue_2019, UNIT, body, in_may).new_month == "2019-07"
    decided = plan_review(
        ledger,
        catalogue_2019,
        units,
        {"unit": UNIT, "year": 2019, "action": "refuse_extension", "task_id": "7.1", "node": 1,
         "reason": "不符合延期条件"},
        "李主任",
        in_may,
    )  # fmt: skip
    assert decided.by == "李主任"
    assert plan_state_of(ledger, UNIT, 2019).node("7.1", 1).due == "2019-05"  # refused


def test_a_bad_plan_or_request_changes_nothing_already_approved(
    ledger, tmp_path, catalogue_2019, units
):
    _receive(ledger, tmp_path, catalogue_2019, units, _plan_bytes(units))
    approve_plan(ledger, UNIT, 2019, "张科长", AT)
    before = plan_state_of(ledger, UNIT, 2019)
    bad = _plan_bytes(units, rows={("7.1", 1): ("主体完工", "十三月")})
    receipt = _receive(ledger, tmp_path, catalogue_2019, units, bad, AT + timedelta(days=5))
    assert receipt.status == "rejected"
    with pytest.raises(PlanRefused, match="不能审定"):
        approve_plan(ledger, UNIT, 2019, "张科长", AT + timedelta(days=6))
    with pytest.raises(PlanRefused, match=r"晚于任务 7\.1 的完成期限"):
        grant_extension(ledger, catalogue_2019, UNIT, "7.1", 1, "2020-01", "明年再说", "张科长", AT)
    after = plan_state_of(ledger, UNIT, 2019)
    assert after.status == "approved" and after.approved == before.approved
    assert after.nodes == before.nodes


def test_an_inbox_plan_of_no_unit_is_refused_once_with_a_reason(
    ledger, tmp_path, catalogue_2019, units
):
    data = tmp_path / "ws"
    inbox = data / "raw" / "plans" / "2019"
    inbox.mkdir(parents=True)
    content = _plan_bytes(units, title_unit="某某办公室")
    (inbox / "计划.xlsx").write_bytes(content)
    (receipt,) = receive_plan_inbox(ledger, data, catalogue_2019, units)
    assert receipt.status == "rejected" and receipt.plan.nodes == ()
    (problem,) = receipt.plan.problems
    assert problem.code == "no_unit" and "计划.xlsx" in problem.message
    assert "单位名称.xlsx" in problem.message  # what the clerk can do about it
    assert receive_plan_inbox(ledger, data, catalogue_2019, units) == []  # once, not every run
    (kept,) = plan_rejections(ledger, 2019)
    assert kept.sha256 == receipt.plan.sha256 and kept.problems == (problem,)
    assert plan_records(ledger, 2019) == []
    assert any(p.read_bytes() == content for p in data.rglob("*") if p.is_file() and p != inbox)
    # Renamed for its unit, the same bytes are then the unit's plan.
    (inbox / "计划.xlsx").rename(inbox / f"{UNIT}.xlsx")
    (receipt,) = receive_plan_inbox(ledger, data, catalogue_2019, units)
    assert receipt.plan.unit == UNIT
