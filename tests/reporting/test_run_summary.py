"""The run's Prefect artifact (运行小结): the month's summary with its reports linked inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from progress_audit.assessment.tracks import BLOCKED_REASON
from progress_audit.model.period import Period
from progress_audit.model.records import Finding
from progress_audit.reporting.run_summary import REASON_CHARS, report_links, summary_markdown

_AT_FULL_TIME = dict(
    target=None,
    actual=None,
    expected=None,
    ratio=1.0,
    time_progress=0.5,
    deadline=date(2019, 12, 31),
    name="任务",
)


@dataclass
class _Audit:
    period: Period = field(default_factory=lambda: Period(2019, 6))
    as_of: datetime = field(
        default_factory=lambda: datetime(2019, 7, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    assignments: dict[str, object] = field(default_factory=lambda: {"人社局": ()})


@dataclass
class _Month:
    current: list = field(default_factory=list)


def test_the_artifact_links_each_report_and_the_feedback_folder_once(tmp_path):
    out = tmp_path / "2019-06"
    files = [
        out / "督办通报.docx",
        out / "a]b [x](y).html",
        *(out / "feedback" / f"{u}.xlsx" for u in ("人社局", "商务局")),
    ]
    text = summary_markdown(_Audit(), [], _Month(), report_links(files, out))
    section = text.split("## 报告\n\n", 1)[1].splitlines()
    assert section == [
        f"- [督办通报.docx]({(out / '督办通报.docx').as_uri()})",
        # Brackets of a name are not markup: the link stays one link to the file.
        f"- [a］b ［x］(y).html]({(out / 'a]b [x](y).html').as_uri()})",
        f"- [feedback/（2 个文件）]({(out / 'feedback').as_uri()})",
    ]
    assert "(y).html" not in (out / "a]b [x](y).html").as_uri()  # percent-encoded in the link


def test_without_reports_there_is_no_report_section():
    text = summary_markdown(_Audit(), [], _Month())
    assert "## 报告" not in text and "## 未报送单位（1）" in text


def test_the_most_urgent_items_say_why_in_a_line():
    # A milestone task on schedule that its unit reports 受阻: 严重滞后 at 100 %.
    on_schedule = "节点计划 4 个节点，截至2019年6月应完成 2 个，已完成 2 个"
    blocked = (on_schedule, BLOCKED_REASON, "存在问题：资金到位不及时｜待省厅批复，影响工程进度")
    behind = (
        "累计完成 1006 亩|含补报，序时进度应完成 2,500 亩，完成序时进度的 40.2%，" + "差距" * 20
    )
    findings = [
        Finding(
            "15.6", None, "农业农村局", ("王某",), "off_track", **_AT_FULL_TIME, reasons=blocked
        ),
        Finding(
            "3.2", "3.2.1", "自然资源局", ("李某",), "off_track", **_AT_FULL_TIME, reasons=(behind,)
        ),
        Finding("3.1", "3.1.1", "商务局", ("李某",), "at_risk", **_AT_FULL_TIME),
    ]
    table = summary_markdown(_Audit(), findings, _Month()).split("## 最需关注\n\n", 1)[1]
    header, _, *rows = table.splitlines()[:5]
    assert header.endswith("| 主要原因 |")
    reasons = [row.split(" | ")[-1].removesuffix(" |").removesuffix("|").strip() for row in rows]
    # What decided the status comes first; all of it in one cell of at most REASON_CHARS.
    assert reasons[0].startswith(f"{BLOCKED_REASON}；节点计划 4 个节点") and reasons[0].endswith(
        "…"
    )
    assert reasons[1].startswith("累计完成 1006 亩｜含补报") and reasons[1].endswith("…")
    assert all(len(r) <= REASON_CHARS for r in reasons)
    assert all(row.count(" | ") == 5 for row in rows)  # a pipe of the unit's text is not a column
    assert reasons[2] == ""  # no reason given: the cell is empty
