"""一致性 (consistency): the figures agree with last month, with the status and the catalogue.

Compared with last month's submission of the same unit: `previous_value` in the tidy table (in
January, zero for a cumulative figure). A jump compares `increase` with `step_limit` (the jump
multiple × the expected monthly step), both helper columns computed by tidy; "已完成 with a figure
below target" expects tidy's `meets_target`, which applies the metric's comparator.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from checks.rules import Column, SuiteParams, rule

DIMENSION = "consistency"


def expectations(p: SuiteParams) -> list[Expectation]:
    return [
        rule(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB, column_A="value",
            column_B="previous_value", or_equal=True, ignore_row_if="either_value_is_missing",
            row_condition=Column("kind") == "cumulative",
            name="本年累计数不低于上月", code="ytd_decreased", dimension=DIMENSION,
            severity="error", field="value",
            message="{item}本年累计完成 {value}{uom}，低于上月报送的 {previous}{uom}"
            "（{where}）。本年累计数不会减少，请核对本月和上月的数字，改正后重新报送。",
        ),
        rule(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB, column_A="step_limit",
            column_B="increase", or_equal=True, ignore_row_if="either_value_is_missing",
            name="单月增量没有异常突增", code="implausible_jump", dimension=DIMENSION,
            severity="warning", field="value",
            message="{item}本年累计完成 {value}{uom}，比上月的 {previous}{uom}增加 "
            "{increase}{uom}，超过单月合理增量 {step_limit}{uom}（每月应完成量的 {multiple} 倍）"
            "（{where}）。"
            "请核对是否填错计量单位或多写了位数；如数字无误，请在“进展情况”中说明原因。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="meets_target", value_set=[True],
            row_condition=(Column("status") == "已完成") & Column("metric_id").is_not_null(),
            name="状态为已完成的指标达到目标值", code="completed_below_target",
            dimension=DIMENSION, severity="warning", field="status",
            message="{item}完成状态为“已完成”，但本年累计完成 {value}{uom}"
            "未达到目标值 {target}{uom}（{where}）。请核对数字或把状态改为“推进中”。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeBetween, column="percent", max_value=100,
            strict_max=True, row_condition=Column("status") == "推进中",
            name="形象进度100%的任务不是推进中", code="percent_status_conflict",
            dimension=DIMENSION, severity="warning", field="status",
            message="{item}形象进度为 100，完成状态却是“推进中”（{where}）。"
            "已全部完成请把状态改为“已完成”，否则请改正形象进度。",
        ),
        rule(
            gxe.ExpectColumnPairValuesToBeEqual, column_A="target_reported", column_B="target",
            ignore_row_if="either_value_is_missing",
            name="目标值与责任分解表一致", code="target_edited", dimension=DIMENSION,
            severity="warning", field="target_reported",
            message="{item}的目标值被改为 {target_reported}{uom}，与{year}年责任分解表的 "
            "{target}{uom}不一致（{where}）。督查以责任分解表为准，请恢复预填的目标值。",
        ),
    ]  # fmt: skip


def suite(p: SuiteParams) -> gx.ExpectationSuite:
    """The consistency suite on its own (for reading and testing)."""
    return gx.ExpectationSuite(name="一致性 consistency", expectations=expectations(p))
