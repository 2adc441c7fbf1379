"""Every problem code, once (问题代码表): its Chinese title and what the unit should do.

A `Problem`'s `code` is stable for programs; its message says what is wrong in the clerk's
words. This registry is where each code is declared: the reader, the intake, the quality rules
(`checks/`, which import nothing of the package and are held to this table by a test) and the
quality stage emit only codes listed here, and the reports take a code's advice from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from progress_audit.model.problems import Problem, Severity

SEVERITY_ADVICE: dict[str, str] = {
    "error": "请按说明更正后重新报送本月填报表",
    "warning": "请核实；如填写无误可不修改",
}
"""What a unit does about a problem of each severity (its message says what is wrong)."""


@dataclass(frozen=True)
class ProblemCode:
    """A kind of problem: its title, the severity it is given, and what the unit should do."""

    title: str
    severity: Severity = "error"
    advice: str = ""
    """Empty: the severity's advice (SEVERITY_ADVICE)."""

    @property
    def what_to_do(self) -> str:
        return self.advice or SEVERITY_ADVICE[self.severity]


def _error(title: str) -> ProblemCode:
    return ProblemCode(title, "error")


def _warning(title: str) -> ProblemCode:
    return ProblemCode(title, "warning")


def _plan(title: str) -> ProblemCode:
    return ProblemCode(title, "error", "请按说明改正节点计划后重新报送")


CODES: dict[str, ProblemCode] = {
    # the file: safety and reading (intake)
    "unreadable_file": _error("文件无法读取"),
    "too_large": _error("文件过大"),
    "not_a_workbook": _error("不是 Excel 工作簿"),
    "unsupported_format": _error("不支持的表格格式"),
    "old_format_xls": _error("旧版 .xls 格式"),
    "wps_et": _error("WPS 表格格式"),
    "encrypted": _error("工作簿已加密"),
    "corrupt_workbook": _error("工作簿已损坏"),
    "xml_entities": _error("工作簿含有不安全的内容"),
    "macros": _warning("工作簿含有宏"),
    "reader_failed": _error("读取时程序出错"),
    "no_header": _error("找不到表头"),
    "no_rows": _error("没有任务行"),
    "duplicate_column": _warning("列重复"),
    # the file: whose, which month, when (intake)
    "unknown_unit": _error("无法识别的单位"),
    "no_unit": _error("无法确定报送单位"),
    "unit_name_normalised": _warning("单位名称按规范名称读取"),
    "unit_mismatch": _warning("单位与文件名不一致"),
    "other_unit": ProblemCode("其他单位的填报表", "error", "请通过本单位的链接上传本单位的填报表"),
    "unit_from_file_name": _warning("单位取自文件名"),
    "no_month": _error("无法确定填报月份"),
    "wrong_year": _error("年份不对"),
    "month_mismatch": _warning("月份与文件名不一致"),
    "month_from_file_name": _warning("月份取自文件名"),
    "duplicate_file": _warning("重复报送相同文件"),
    "superseded": _warning("已被新版本替代"),
    "late": _warning("逾期报送"),
    "not_submitted": _warning("未报送"),
    "returned": ProblemCode("督查室退回", "error", "请按退回理由更正后重新上传本月填报表"),
    "same_as_returned": ProblemCode(
        "与退回的文件相同", "error", "请按退回理由修改填报表后再上传，原样重传不予采用"
    ),
    "withdrawn": ProblemCode("督查室已撤下", "warning", "这份文件不计入报送；如有误请联系督查室"),
    # a row or a value (the reader and the quality rules)
    "table_columns_missing": _error("明细表缺列"),
    "columns_missing": _error("填报表缺少必需列"),
    "duplicate_row": _error("同一指标填了多行"),
    "unknown_id": _error("任务编号不在目录中"),
    "row_without_id": _error("填了进度的行没有任务编号"),
    "ambiguous_row": _error("无法确定对应哪项任务"),
    "not_this_unit": _warning("任务不由本单位牵头"),
    "row_missing": _warning("缺少应报的任务行"),
    "value_missing": _warning("本年累计完成未填写"),
    "status_missing": _warning("完成状态未填写"),
    "unreadable_value": _error("本年累计完成无法识别"),
    "approximate_value": _warning("本年累计完成为约数"),
    "interpreted_value": _warning("本年累计完成按推断读取"),
    "formula_without_value": _error("公式没有计算结果"),
    "merged_figure": _error("数字所在单元格被合并"),
    "value_without_metric": _warning("无量化指标的任务填了完成数"),
    "negative_value": _error("本年累计完成为负数"),
    "share_out_of_range": _error("占比超出 0–100%"),
    "unreadable_percent": _error("形象进度无法识别"),
    "unreadable_status": _error("完成状态无法识别"),
    "unreadable_date": _error("预计完成时间无法识别"),
    "implausible_date": _warning("预计完成时间不合理"),
    "target_edited": _warning("目标值被改动"),
    "ytd_decreased": _error("本年累计数低于上月"),
    "implausible_jump": _warning("单月增量异常"),
    "completed_below_target": _warning("已完成但未达到目标值"),
    "percent_status_conflict": _warning("形象进度与完成状态矛盾"),
    # a node plan (节点计划) and the month's 节点进展
    "plan_no_sheet": ProblemCode("不是节点计划表", "error", "请在下发的节点计划表中填写后报送"),
    "plan_no_header": _plan("找不到节点计划的表头"),
    "plan_other_unit": _plan("其他单位的节点计划"),
    "plan_wrong_year": _plan("节点计划年度不对"),
    "plan_unknown_task": _plan("任务不是本单位牵头的节点任务"),
    "plan_no_content": _plan("节点内容未填写"),
    "plan_no_month": _plan("节点没有计划完成月份"),
    "plan_bad_month": _plan("计划完成月份不是月份"),
    "plan_month_past_deadline": _plan("计划完成月份晚于完成期限"),
    "plan_bad_node_number": _plan("节点序号有误"),
    "plan_duplicate_node": _plan("节点序号重复"),
    "plan_task_without_node": _plan("节点任务没有节点"),
    "progress_bad_done": _error("完成情况无法识别"),
    "progress_bad_date": _error("实际完成时间无法识别"),
}


def advice(problem: Problem) -> str:
    """What the unit should do about `problem`: its code's advice when the problem has the
    code's severity, else the severity's."""
    code = CODES.get(problem.code)
    if code is not None and code.severity == problem.severity:
        return code.what_to_do
    return SEVERITY_ADVICE.get(problem.severity, "")
