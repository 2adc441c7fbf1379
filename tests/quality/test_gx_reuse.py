"""What Great Expectations computes again and again is kept within one validation only
(quality.gx_reuse), and a validation's results are the same as without it."""

from __future__ import annotations

import threading
from contextlib import nullcontext

import pandas as pd
import pytest

from progress_audit.quality import gx_reuse
from progress_audit.quality import month as quality_month
from progress_audit.quality.tidy import tidy_month
from progress_audit.standards.responsibility import assignments as assign
from tests.support.quality_month import JUNE, dirty_month

gxe = pytest.importorskip("great_expectations.expectations")
engines = pytest.importorskip("great_expectations.execution_engine.pandas_execution_engine")


def test_a_validation_gives_what_it_gives_without_reuse(catalogue_2019, monkeypatch):
    a = assign(catalogue_2019)
    current, previous = dirty_month(a)
    frame = tidy_month(JUNE, catalogue_2019, a, current, previous)
    params = quality_month.suite_params(JUNE, catalogue_2019, a)
    reused = quality_month.validate(frame, params)
    by_unit = quality_month.validate_by_unit(frame, params)
    monkeypatch.setattr(gx_reuse, "reusing", nullcontext)
    assert quality_month.validate(frame, params) == reused
    assert quality_month.validate_by_unit(frame, params) == by_unit
    failures, rules = reused
    assert failures and any(f.indices for f in failures)  # rows found, not only a verdict
    assert sum(r.evaluated for r in rules) > 0


def test_a_configuration_is_kept_only_within_the_block():
    expectation = gxe.ExpectColumnValuesToNotBeNull(column="value")
    with gx_reuse.reusing():
        first = expectation.configuration
        assert expectation.configuration is first
        expectation.column = "percent"  # a field set again: built again
        assert expectation.configuration.kwargs["column"] == "percent"
        assert expectation.configuration is not first
    assert expectation.configuration is not expectation.configuration
    assert expectation.configuration.kwargs["column"] == "percent"


def test_rows_are_kept_for_the_same_table_and_condition_only():
    engine = engines.PandasExecutionEngine()
    table = pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]})
    same_rows = table.copy()
    pandas = {"condition_parser": "pandas"}

    def rows(data, condition):
        return engine._apply_row_condition_filter(data, condition, pandas)

    with gx_reuse.reusing():
        kept = rows(table, "a > 1")
        assert rows(table, "a > 1") is kept
        assert rows(table, "b > 1") is not kept
        assert rows(same_rows, "a > 1") is not kept  # another table, even with equal rows
        assert rows(table, "b > 1")["a"].tolist() == [1, 2]
    assert rows(table, "a > 1") is not rows(table, "a > 1")
    assert rows(table, "a > 1")["a"].tolist() == [2, 3]


def test_another_thread_computes_its_own():
    expectation = gxe.ExpectColumnValuesToNotBeNull(column="value")
    seen = []
    with gx_reuse.reusing():
        kept = expectation.configuration
        assert expectation.configuration is kept
        worker = threading.Thread(
            target=lambda: seen.append(expectation.configuration is expectation.configuration)
        )
        worker.start()
        worker.join()
    assert seen == [False]
