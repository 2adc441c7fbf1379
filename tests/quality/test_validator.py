"""Great Expectations in a process of its own (quality.validator): the same answers as
in-process, a rule's error raised where it was asked, and in-process validation when the
process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pandas as pd
import pytest

from progress_audit.quality import month as quality_month
from progress_audit.quality import validator, validator_child
from progress_audit.quality.tidy import tidy_month
from progress_audit.standards.responsibility import assignments as assign
from tests.support.quality_month import JUNE, dirty_month

pytest.importorskip("great_expectations")


@pytest.fixture(scope="module")
def june(catalogue_2019):
    a = assign(catalogue_2019)
    current, previous = dirty_month(a)
    frame = tidy_month(JUNE, catalogue_2019, a, current, previous)
    return frame, quality_month.suite_params(JUNE, catalogue_2019, a)


@pytest.fixture
def process():
    started = validator.ValidatorProcess()
    yield started
    started.close()


def test_the_process_answers_exactly_as_in_process(june, process):
    frame, params = june
    here = quality_month.validate_by_unit(frame, params)
    there = process.call("validate_by_unit", frame, params)
    assert there == here
    assert any(failures for failures, _ in here.values())  # the dirty month has failures
    assert process.call("validate", frame, params) == quality_month.validate(frame, params)


def test_a_rule_that_raises_raises_where_it_was_asked(june, process):
    _, params = june
    with pytest.raises(RuntimeError, match="数据质量规则"):
        process.call("validate", pd.DataFrame({"unit": ["甲"]}), params)
    # The process goes on answering after a rule's error.
    frame, _ = june
    assert process.call("validate", frame, params) == quality_month.validate(frame, params)


def test_only_validations_are_asked(process):
    with pytest.raises(ValueError, match="not a validation"):
        process.call("check_month")


def test_when_the_process_has_died_the_month_is_validated_here(june, monkeypatch):
    frame, params = june
    gone = validator.ValidatorProcess()
    gone._child.kill()
    gone._child.wait()
    monkeypatch.setattr(validator, "_process", gone)
    assert quality_month._validating(quality_month.validate_by_unit, frame, params) == (
        quality_month.validate_by_unit(frame, params)
    )
    assert validator.running() is None  # not asked again
    gone.close()


def test_a_process_giving_way_runs_at_a_higher_niceness():
    own = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(own + validator.GIVING_WAY, 19)
    giving_way = validator.ValidatorProcess(validator.GIVING_WAY)
    plain = validator.ValidatorProcess()
    try:
        deadline = time.monotonic() + 60  # the child sets its niceness first thing as it boots
        while os.getpriority(os.PRIO_PROCESS, giving_way._child.pid) != expected:
            assert time.monotonic() < deadline, "the process never gave way"
            time.sleep(0.05)
        assert os.getpriority(os.PRIO_PROCESS, plain._child.pid) == own
    finally:
        giving_way.close()
        plain.close()


def test_not_started_where_great_expectations_is_imported_already(monkeypatch):
    monkeypatch.setattr(validator, "_process", None)
    assert "great_expectations" in sys.modules  # imported by this module's importorskip
    validator.start()
    assert validator.running() is None


def test_a_module_deferred_until_first_used_is_then_the_real_one():
    name = "tabnanny"  # in the standard library, imported by nothing here
    assert name not in sys.modules
    try:
        validator_child._on_first_use(name)
        import tabnanny

        assert isinstance(tabnanny, validator_child._OnFirstUse)  # not imported yet
        check = tabnanny.check  # the first use imports it
        assert callable(check)
        assert not isinstance(sys.modules[name], validator_child._OnFirstUse)
        assert sys.modules[name].check is check
    finally:
        sys.modules.pop(name, None)


def test_the_process_does_not_import_what_the_rules_never_use():
    # A fresh interpreter, booted as the process boots.
    script = (
        "import sys; from progress_audit.quality import validator_child as v\n"
        "v.leave_out_unused()\n"
        "import checks.suites\n"
        "print(all(isinstance(sys.modules[n], v._OnFirstUse) for n in v.UNUSED_BY_THE_RULES),"
        " [m for m in sys.modules if m.partition('.')[0] == 'sqlalchemy' and sys.modules[m]])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True []"
