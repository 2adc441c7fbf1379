"""Each data-quality suite of checks/ passes on a clean month and fails exactly where a case of
each of its rules was planted (tests/support/quality_month.py says where)."""

from __future__ import annotations

import pytest

from progress_audit.quality.tidy import tidy_month
from progress_audit.standards.responsibility import assignments as assign
from tests.support.quality_month import JUNE, PLANTED, clean_month, dirty_month, planted_line

pytest.importorskip("great_expectations")

from checks import completeness, consistency, structure, validity
from progress_audit.quality.month import suite_params, validate

SUITES = {
    "structure": structure,
    "validity": validity,
    "consistency": consistency,
    "completeness": completeness,
}


@pytest.fixture(scope="module")
def month(catalogue_2019):
    a = assign(catalogue_2019)
    current, previous = dirty_month(a)
    clean = tidy_month(JUNE, catalogue_2019, a, clean_month(a), clean_month(a, JUNE.prev()))
    dirty = tidy_month(JUNE, catalogue_2019, a, current, previous)
    return a, suite_params(JUNE, catalogue_2019, a), clean, dirty


def codes(module) -> list[str]:
    return [e.meta["code"] for e in module.expectations(_params_for_listing())]


def _params_for_listing():
    from datetime import date

    from checks.rules import SuiteParams
    from progress_audit.model.records import REPORTED_STATUSES

    return SuiteParams(
        2019,
        frozenset(),
        frozenset(),
        frozenset(),
        date(2019, 1, 1),
        date(2019, 12, 31),
        3.0,
        (),
        REPORTED_STATUSES,
    )


@pytest.mark.parametrize("name", SUITES)
def test_suite_passes_on_a_clean_month(month, name):
    _, params, clean, _ = month
    failures, rules = validate(clean, params, SUITES[name].suite)
    assert [f.name for f in failures] == []
    assert {r.code for r in rules} == set(codes(SUITES[name]))
    assert all(r.failed == 0 for r in rules)


@pytest.mark.parametrize("name", SUITES)
def test_suite_fails_where_each_case_was_planted(month, name):
    a, params, _, dirty = month
    failures, _ = validate(dirty, params, SUITES[name].suite)
    failed = {
        f.meta["code"]: {(dirty.loc[i, "unit"], dirty.loc[i, "line"]) for i in f.indices}
        for f in failures
    }
    for code in codes(SUITES[name]):
        if code == "table_columns_missing":
            assert code not in failed
            continue
        assert code in PLANTED, f"rule {code} has no planted case"
        unit, line = planted_line(a, code)
        if code == "columns_missing":  # the whole file: every row of the unit
            assert {u for u, _ in failed[code]} == {unit}
        else:
            assert failed.get(code) == {(unit, line)}, code


def test_structure_suite_fails_when_the_table_lacks_a_column(month):
    _, params, clean, _ = month
    failures, _ = validate(clean.drop(columns=["name"]), params, structure.suite)
    assert [f.meta["code"] for f in failures] == ["table_columns_missing"]
    assert failures[0].details["mismatched"]["missing"] == ["name"]


def test_every_rule_is_named_and_described_for_a_clerk():
    seen = set()
    for module in SUITES.values():
        for e in module.expectations(_params_for_listing()):
            assert e.description and any("\u4e00" <= ch <= "\u9fff" for ch in e.description)
            assert e.meta["code"] not in seen
            seen.add(e.meta["code"])
            assert e.meta["dimension"] in {"completeness", "validity", "consistency"}
            assert "请" in e.meta["message"]  # says what to do
            assert e.meta["scope"] in {"row", "file", "table"}
            if e.meta["scope"] == "row":
                assert "{where}" in e.meta["message"] or "{file}" in e.meta["message"]
