"""有效性 (validity): figures readable and in range, statuses and dates as allowed.

The reader already reports a figure it cannot read (`unreadable_value`, same code, same cell:
the quality stage keeps one); this suite declares the rule too, so it holds for any reader.
"""

from __future__ import annotations

from datetime import datetime, time

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from checks.rules import Column, SuiteParams, rule

DIMENSION = "validity"
HAS_METRIC = Column("metric_id").is_not_null()


def expectations(p: SuiteParams) -> list[Expectation]:
    return [
        rule(
            gxe.ExpectColumnValuesToNotBeNull, column="value",
            row_condition=HAS_METRIC & Column("value_text").is_not_null(),
            name="本年累计完成是可识别的数字", code="unreadable_value", dimension=DIMENSION,
            severity="error", field="value",
            message="{item}的本年累计完成填写为“{value_text}”，无法识别为数字（{where}）。"
            "请只填写数字（可带计量单位，如 9000人），说明写在“进展情况”里，改正后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeBetween, column="value", min_value=0,
            row_condition=Column("kind").is_in(["cumulative", "level"]),
            name="本年累计完成不为负数", code="negative_value", dimension=DIMENSION,
            severity="error", field="value",
            message="{item}的本年累计完成为 {value}{uom}，是负数（{where}）。"
            "累计完成量不能为负，请核对后改正并重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeBetween, column="value", min_value=0, max_value=100,
            row_condition=Column("is_share") == True,  # noqa: E712
            name="占比在 0–100% 之间", code="share_out_of_range", dimension=DIMENSION,
            severity="error", field="value",
            message="{item}填写为 {value}%，不在 0–100% 之间（{where}）。"
            "占比请填写 0 到 100 之间的百分数，改正后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeBetween, column="percent", min_value=0, max_value=100,
            name="形象进度在 0–100 之间", code="unreadable_percent", dimension=DIMENSION,
            severity="error", field="percent",
            message="{item}的形象进度填写为 {percent}，不在 0–100 之间（{where}）。"
            "请填写 0 到 100 之间的整数（100 表示全部完成），改正后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="status", value_set=list(p.statuses),
            name="完成状态为四种之一", code="unreadable_status", dimension=DIMENSION,
            severity="error", field="status",
            message="{item}的完成状态填写为“{status}”（{where}），"
            f"只能是 {'、'.join(p.statuses)} 之一。请从下拉列表中选择后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeBetween, column="expected_completion",
            # Datetimes, not dates: the column is datetime64 and pandas will not compare the two.
            min_value=datetime.combine(p.date_min, time()),
            max_value=datetime.combine(p.date_max, time()),
            name="预计完成时间在合理范围内", code="implausible_date", dimension=DIMENSION,
            severity="warning", field="expected_completion",
            message="{item}的预计完成时间为 {expected_completion}，"
            "不在 {date_min} 至 {date_max} 之间（{where}）。请核对年份是否写错。",
        ),
    ]  # fmt: skip


def suite(p: SuiteParams) -> gx.ExpectationSuite:
    """The validity suite on its own (for reading and testing)."""
    return gx.ExpectationSuite(name="有效性 validity", expectations=expectations(p))
