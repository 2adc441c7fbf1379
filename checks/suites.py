"""The month's suites, and one combined suite for the single validation a month runs.

Great Expectations has a fixed cost per run, so the month's rows are checked once, with
the four dimensions' expectations together, not once per file or per suite.
"""

from __future__ import annotations

import great_expectations as gx

from checks import completeness, consistency, structure, validity
from checks.rules import SuiteParams

MODULES = (structure, validity, consistency, completeness)


def suites(p: SuiteParams) -> list[gx.ExpectationSuite]:
    """Each dimension's suite on its own, in reading order."""
    return [m.suite(p) for m in MODULES]


def month_suite(p: SuiteParams) -> gx.ExpectationSuite:
    """All four suites' expectations in one suite (one validation per month)."""
    return gx.ExpectationSuite(
        name="月度数据质量 monthly data quality",
        expectations=[e for m in MODULES for e in m.expectations(p)],
    )
