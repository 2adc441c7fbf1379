"""Data-quality suites (数据质量校验规则), Great Expectations 1.x, one module per dimension.

    structure.py     结构：列齐全、每个单位每项指标一行、编号存在且属于本单位
    validity.py      有效性：数字可识别且不为负、百分比 0–100、完成状态四选一、日期合理
    consistency.py   一致性：累计数不减少、无异常突增、已完成达到目标、形象进度与状态相符、
                     目标值与责任分解表一致
    completeness.py  完整性：应报的行齐全、数字和状态已填写
    suites.py        把四个套件合成一次校验（每月一次，不是每个文件一次）

Each expectation is named (`description`) the way a clerk would say it and carries in `meta`
what the engine needs to turn a failure into a Problem: the stable `code`, the `dimension`, the
`field` whose cell the problem points at, the `scope` (row, file or table) and the Chinese
`message` template. `severity` is Great Expectations' own: critical → error (the figure cannot
be trusted), warning → warning. The suites check the month's tidy table
(`progress_audit.quality.tidy`); where GX has no built-in expectation for a rule (compare to
last month, a target's comparator), tidy computes a helper column and the suite expects it.

Timeliness (submitted by the due date) is a property of a file, not of a row, and is computed
in Python in `progress_audit.quality.month`, as is a unit that sent nothing at all.

These modules import great_expectations at the top: import them only where a validation runs.
"""
