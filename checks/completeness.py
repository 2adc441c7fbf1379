"""完整性 (completeness): every expected row present and filled in.

The tidy table has a row (`reported` False) for each task line a submitting unit left out.
Units that sent nothing are counted in Python (progress_audit.quality.month), not here.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from checks.rules import Column, SuiteParams, rule

DIMENSION = "completeness"
REPORTED = Column("reported") == True  # noqa: E712


def expectations(p: SuiteParams) -> list[Expectation]:
    return [
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="reported", value_set=[True],
            name="应报的任务行齐全", code="row_missing", dimension=DIMENSION,
            severity="warning",
            message="{file} 缺少{item}这一行。请按模板补全这一行后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToNotBeNull, column="value_text",
            row_condition=REPORTED & Column("metric_id").is_not_null(),
            name="量化指标已填写本年累计完成", code="value_missing", dimension=DIMENSION,
            severity="warning", field="value",
            message="{item}没有填写本年累计完成（{where}）。请填写截至本月底的累计数"
            "（尚未开展填 0），补全后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToNotBeNull, column="status",
            row_condition=REPORTED & Column("metric_id").is_null(),
            name="无量化指标的任务已填写完成状态", code="status_missing", dimension=DIMENSION,
            severity="warning", field="status",
            message="{item}没有填写完成状态（{where}）。请从下拉列表中选择"
            " 未启动、推进中、已完成 或 受阻，补全后重新报送。",
        ),
    ]  # fmt: skip


def suite(p: SuiteParams) -> gx.ExpectationSuite:
    """The completeness suite on its own (for reading and testing)."""
    return gx.ExpectationSuite(name="完整性 completeness", expectations=expectations(p))
