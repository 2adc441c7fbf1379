"""How a rule is written: a Great Expectations expectation with a clerk's name and message.

`SuiteParams` holds what the rules need to know about the month (the catalogue's ids, who
answers for what, the plausible dates, the jump multiple); `rule()` builds one expectation.
"""

from __future__ import annotations

from typing import Any, Literal

from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.metadata_types import FailureSeverity
from great_expectations.expectations.row_conditions import Column

from checks.params import SuiteParams

__all__ = ["Column", "SuiteParams", "rule"]

Scope = Literal["row", "file", "table"]


def rule(
    expectation: type[Expectation],
    *,
    name: str,
    code: str,
    dimension: str,
    severity: Literal["error", "warning"],
    message: str,
    field: str | None = None,
    scope: Scope = "row",
    **kwargs: Any,
) -> Expectation:
    """One expectation, named and described for a clerk.

    `message` is a template over the row's words (see progress_audit.quality.month.row_words):
    {where}, {item} (指标6.1.1「新增高新技术企业」), {line}, {name}, {value}, {value_text},
    {previous}, {target}, {target_reported},
    {uom}, {percent}, {status}, {expected_completion}, {increase}, {step_limit}, {rows},
    {unit}, {file}, {sheet}, {row}, {task_id}, {metric_id}, and the suite's {multiple},
    {date_min}, {date_max}, {year}.
    """
    return expectation(
        description=name,
        severity=FailureSeverity.CRITICAL if severity == "error" else FailureSeverity.WARNING,
        meta={
            "code": code,
            "dimension": dimension,
            "field": field,
            "scope": scope,
            "message": message,
        },
        **kwargs,
    )
