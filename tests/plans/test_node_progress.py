"""The month's 节点进展 sheet: prefilled from the approved plan, read back by cell, judged."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from progress_audit.assessment.assess import assess
from progress_audit.assessment.thresholds import PRESETS
from progress_audit.intake.reading import read_workbook
from progress_audit.intake.reading.safety import SafetyLimits
from progress_audit.model.period import OFFICE_CALENDAR, Period, parse_as_of
from progress_audit.model.plans import NODE_HEADERS, NODE_SHEET
from progress_audit.model.records import NodeReport, Submission
from progress_audit.templates.nodes import NODE_TITLE_ROWS, nodes_due
from progress_audit.templates.workbook import build_template
from tests.assessment.test_assess import approved_plan

TZ = ZoneInfo("Asia/Shanghai")
UNIT = "交通局"
JUNE = Period(2019, 6)
PLAN = approved_plan(
    UNIT,
    {("7.1", 1): "2019-03", ("7.1", 2): "2019-05", ("7.1", 3): "2019-07", ("7.1", 4): "2019-10"},
    extensions=[("7.1", 2, "2019-06")],
)


def test_the_sheet_lists_the_nodes_due_by_next_month(units):
    may = [NodeReport(UNIT, "2019-05", "7.1", 1, True, "2019-03")]
    lines = nodes_due(PLAN, JUNE, may)
    assert [(n.node.node, n.done_at) for n in lines] == [(1, "2019-03"), (2, None), (3, None)]
    assert nodes_due(None, JUNE) == ()
    wb = build_template(UNIT, units[UNIT], JUNE, datetime(2019, 7, 5, tzinfo=TZ), nodes=lines)
    ws = wb[NODE_SHEET]
    header = NODE_TITLE_ROWS
    assert tuple(ws.cell(header, c).value for c in range(1, 8)) == NODE_HEADERS
    first = header + 1
    assert [ws.cell(first, c).value for c in (1, 2, 5, 6)] == ["7.1", 1, "已完成", "2019-03"]
    assert ws.cell(first + 1, 4).value == "2019年6月（原计划 2019年5月，已延期）"
    assert ws.cell(first + 3, 1).value is None  # node 4 (October) not yet listed


def test_the_sheet_is_read_back_with_cells_and_judged(tmp_path, catalogue_2019, units):
    lines = nodes_due(PLAN, JUNE, [NodeReport(UNIT, "2019-05", "7.1", 1, True, "2019-03")])
    wb = build_template(UNIT, units[UNIT], JUNE, datetime(2019, 7, 5, tzinfo=TZ), nodes=lines)
    ws = wb[NODE_SHEET]
    first = NODE_TITLE_ROWS + 1
    ws.cell(first + 1, 5, "已完成")
    ws.cell(first + 1, 6, "2019-06-20")
    ws.cell(first + 2, 5, "差不多")  # node 3 (July): cannot be read
    ws.cell(first + 3, 1, "7.1")
    ws.cell(first + 3, 2, 9)  # a node the plan does not have
    ws.cell(first + 3, 5, "已完成")
    path = tmp_path / "交通局-2019-06.xlsx"
    wb.save(path)
    reading = read_workbook(path, path.name, catalogue_2019, units, limits=SafetyLimits())
    assert [(n.node, n.done, n.done_at) for n in reading.nodes] == [
        (1, True, "2019-03"),
        (2, True, "2019-06"),
        (3, None, None),
        (9, True, None),
    ]
    [bad] = [p for p in reading.problems if p.code == "progress_bad_done"]
    assert bad.ref.sheet == NODE_SHEET and bad.ref.cell == f"E{first + 2}"
    assert "差不多" in bad.message
    sub = Submission(
        path.name,
        "sha",
        datetime(2019, 7, 3, tzinfo=TZ),
        "on_time",
        UNIT,
        "2019-06",
        rows=reading.rows,
        nodes=reading.nodes,
    )
    findings = assess(
        catalogue_2019,
        units,
        JUNE,
        parse_as_of("2019-07-06"),
        [sub],
        PRESETS["default"],
        plans={UNIT: PLAN},
        calendar=OFFICE_CALENDAR,
    )
    (f,) = [f for f in findings if f.unit == UNIT and f.task_id == "7.1"]
    assert f.status == "on_track"
    assert [(n.node, n.done, n.done_at) for n in f.nodes][:2] == [
        (1, True, "2019-03"),
        (2, True, "2019-06"),
    ]
    assert any(f"节点进展!B{first + 3}" in w or f"节点进展!E{first + 3}" in w for w in f.warnings)
