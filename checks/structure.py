"""结构 (structure): the table has its columns, one row per unit and line, and known ids.

A unit's sheet may lose a column, repeat a row, or carry a task the unit does not lead.
Failures here are errors except a task led by another unit, which is reported and not counted.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from checks.rules import Column, SuiteParams, rule

DIMENSION = "validity"  # the four DHIS2 dimensions have no "structure": a bad form is invalid
REPORTED = Column("reported") == True  # noqa: E712  (a GX condition, not a Python test)


def expectations(p: SuiteParams) -> list[Expectation]:
    return [
        rule(
            gxe.ExpectTableColumnsToMatchSet, column_set=list(p.required_columns),
            exact_match=False, name="明细表列齐全", code="table_columns_missing",
            dimension=DIMENSION, severity="error", scope="table",
            message="数据质量校验的明细表缺少列（{missing}）。这是程序错误，请联系系统维护人员。",
        ),
        # Helper column: tidy marks every row of a file whose sheet lacks a required column.
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="columns_present", value_set=[True],
            name="填报表必需列齐全", code="columns_missing", dimension=DIMENSION,
            severity="error", scope="file",
            message="{file} 的“{sheet}”表中找不到“本年累计完成”或“完成状态”列。"
            "请使用督查室下发的模板，不要删除或改名这些列，改正后重新报送。",
        ),
        rule(
            gxe.ExpectCompoundColumnsToBeUnique, column_list=["unit", "line_key"],
            row_condition=REPORTED, name="每个单位每项指标只填一行", code="duplicate_row",
            dimension=DIMENSION, severity="error", field="task_id",
            message="{item}在第 {rows} 行重复填报（{where}），无法判断以哪一行为准。"
            "同一指标只能填一行，请删除多余的行后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="line_key", value_set=sorted(p.known_lines),
            row_condition=REPORTED, name="任务和指标编号存在于责任分解表",
            code="unknown_id", dimension=DIMENSION, severity="error", field="task_id",
            message="任务编号“{task_id}”、指标编号“{metric_id}”在{year}年责任分解表中不存在"
            "（{where}）。请按模板填写，不要修改预填的编号，改正后重新报送。",
        ),
        rule(
            gxe.ExpectColumnValuesToBeInSet, column="unit_line", value_set=sorted(p.assigned),
            row_condition=REPORTED & (Column("id_known") == True),  # noqa: E712
            name="任务由本单位牵头", code="not_this_unit", dimension=DIMENSION,
            severity="warning", field="task_id",
            message="{item}不是{unit}牵头的任务（{where}），本行不计入{unit}的督查结果。"
            "如确由本单位牵头，请与督查室核对责任分工。",
        ),
    ]  # fmt: skip


def suite(p: SuiteParams) -> gx.ExpectationSuite:
    """The structure suite on its own (for reading and testing)."""
    return gx.ExpectationSuite(name="结构 structure", expectations=expectations(p))
