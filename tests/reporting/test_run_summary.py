"""The run's Prefect artifact (运行小结): the month's summary with its reports linked inside."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from progress_audit.model.period import Period
from progress_audit.reporting.run_summary import report_links, summary_markdown


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
