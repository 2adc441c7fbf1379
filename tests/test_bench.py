"""The benchmark's arithmetic (bench/budgets.py): medians, ratios, limits, the table and
bench.json. The benchmark itself runs for minutes and is `make bench`, not part of the tests."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.support.scripts import load_script

# bench/ is scripts, not a package: the budgets module is loaded from its file.
_budgets = load_script("bench/budgets.py")
GIB, Measurements, marginal_per_workbook = (
    _budgets.GIB,
    _budgets.Measurements,
    _budgets.marginal_per_workbook,
)
report, table, verdicts = _budgets.report, _budgets.table, _budgets.verdicts

MIB = 2**20


def passing() -> Measurements:
    return Measurements(
        workbooks=480,
        workbooks_half=240,
        bare_flow=[8.0, 8.4, 9.9],
        empty=[9.0, 9.2, 30.0],  # an outlier: medians, not means
        cold=[13.3, 13.5, 14.1],
        rerun=[9.5, 9.6, 9.7],
        late=[9.5, 9.6, 9.7],
        read_openpyxl=[0.0101, 0.0100, 0.0099],
        read_floor=[0.0035, 0.0034, 0.0036],
        peak_cold=[400 * MIB, 410 * MIB],
        peak_half=[380 * MIB],
        demo=[28.0],
    )


def test_the_marginal_cost_is_the_cold_year_less_the_empty_run_per_workbook():
    m = passing()
    assert marginal_per_workbook(m) == pytest.approx((13.5 - 9.2) / 480)
    first = verdicts(m)[0]
    assert first.measured == pytest.approx((13.5 - 9.2) / 480 / 0.0100)
    assert first.limit == 1.0


def test_the_calamine_floor_budget_is_retired_and_says_why():
    m = passing()
    assert not [v for v in verdicts(m) if "calamine" in v.name]
    assert all(v.ok for v in verdicts(replace(m, read_floor=[0.0001])))
    text = table(m)
    assert "| retired budget | why |" in text
    assert "floor reader (calamine) ≤ 3 ×" in text and "Great Expectations" in text


def test_every_budget_passes_on_good_numbers_and_each_fails_on_its_own():
    m = passing()
    assert all(v.ok for v in verdicts(m)), [v for v in verdicts(m) if not v.ok]
    bad = {
        "marginal cost per workbook ÷ pandas/openpyxl read": replace(m, cold=[20.0] * 3),
        "fixed cost: empty run − bare Prefect flow": replace(m, bare_flow=[6.0] * 3),
        "rerun, nothing changed ÷ empty run": replace(m, rerun=[11.5] * 3),
        "rerun after one late workbook ÷ empty run": replace(m, late=[9.7] * 3),
        "peak memory of the cold year": replace(m, peak_cold=[int(1.1 * GIB)]),
        "memory growth ÷ inbox growth (half → whole year)": replace(m, peak_half=[150 * MIB]),
        "progress-audit demo": replace(m, demo=[31.0]),
    }
    for name, worse in bad.items():
        failed = [v.name for v in verdicts(worse) if not v.ok]
        assert name in failed, (name, failed)


def test_a_budget_met_exactly_passes():
    m = replace(passing(), bare_flow=[6.5], empty=[9.5])  # exactly 3 s of fixed cost
    fixed = next(v for v in verdicts(m) if v.name.startswith("fixed cost"))
    assert fixed.measured == 3.0 and fixed.ok
    assert not next(
        v for v in verdicts(replace(m, bare_flow=[6.25])) if v.name.startswith("fixed cost")
    ).ok


def test_the_table_shows_every_measurement_and_verdict():
    m = replace(passing(), rerun=[11.5] * 3, read_pandas_calamine=[0.001])
    text = table(m)
    for v in verdicts(m):
        assert v.name in text
    assert text.count("| FAIL |") == 1 and text.count("| PASS |") == len(verdicts(m)) - 1
    assert "9.20 s (runs: 9.00 9.20 30.00)" in text
    assert "pandas.read_excel(engine=calamine)" in text
    assert "410 MiB" in text


def test_the_engine_reader_is_shown_against_the_floor_for_reference_not_judged():
    m = replace(passing(), read_floor=[0.0005], read_engine=[0.002, 0.0025, 0.003])
    text = table(m)
    assert "progress-audit reader alone" in text and "2.50 ms" in text
    assert "5.0 × the floor" in text
    assert len(verdicts(m)) == len(verdicts(passing()))


def test_bench_json_holds_the_numbers_the_verdicts_and_the_machine():
    m = replace(passing(), demo=[75.0])
    doc = json.loads(json.dumps(report(m, {"machine": {"cores": 2}, "date": "2026-01-01"})))
    assert doc["machine"] == {"cores": 2} and doc["measurements"]["empty"] == [9.0, 9.2, 30.0]
    assert doc["all_ok"] is False
    demo = next(b for b in doc["budgets"] if b["name"] == "progress-audit demo")
    assert demo == {
        "name": "progress-audit demo",
        "measured": 75.0,
        "limit": 30.0,
        "unit": "s",
        "detail": demo["detail"],
        "ok": False,
    }


def test_no_measurements_is_an_error_not_a_pass():
    with pytest.raises(ValueError):
        verdicts(replace(passing(), cold=[]))


def test_the_portal_budgets_judge_the_median_receipt_and_the_p95_of_the_rush():
    m = replace(
        passing(),
        portal_single=[0.05, 0.06, 0.2],
        portal_rush=[0.1] * 37 + [0.25, 0.26, 2.0],  # nearest rank: the 38th of 40
        portal_checks=[1.0] * 37 + [1.4, 1.45, 9.0],
    )
    judged = {v.name: v for v in verdicts(m)}
    assert judged["portal receipt, one upload: median"].measured == 0.06
    assert judged["portal receipt, 40 units at once: p95"].measured == 0.25
    assert judged["portal quality suites on new uploads, 40 at once: p95"].measured == 1.4
    assert all(v.ok for v in verdicts(m))
    slow = replace(m, portal_rush=[0.31] * 40)
    assert [v.name for v in verdicts(slow) if not v.ok] == ["portal receipt, 40 units at once: p95"]
    text = table(m)
    assert "portal receipt, 40 units at once (40 uploads) | p95 250 ms" in text
    assert len(verdicts(passing())) == len(verdicts(m)) - 3  # not run: not judged


def test_the_engine_budgets_judge_the_p95_of_run_now_and_the_cold_run_beyond_a_bare_flow():
    m = replace(
        passing(),
        run_now=[2.0, 2.1, 6.0, 2.2, 4.9],  # nearest rank of 5: the 5th
        server_bare=[3.0, 3.2, 3.4],
        server_cold=[7.0, 7.2, 9.0],
    )
    judged = {v.name: v for v in verdicts(m)}
    now = judged["run now on the board, 40 workbooks, warm: p95 from the click to the reports"]
    assert now.measured == 6.0 and not now.ok
    beyond = judged["cold month's run against a Prefect server already up − bare flow on it"]
    assert (
        beyond.measured == pytest.approx(4.0) and beyond.ok and "7.20 s − 3.20 s" in beyond.detail
    )
    assert [v.name for v in verdicts(replace(m, run_now=[4.9] * 5)) if not v.ok] == []
    assert len(verdicts(passing())) == len(verdicts(m)) - 2  # not run: not judged
    text = table(m)
    assert "run now on the board (warm engine, 40 workbooks), click to reports | p95 6.00 s" in text


def test_the_demo_may_take_half_of_the_base_revisions_demo_measured_in_the_same_run():
    slow_machine = replace(passing(), demo=[40.0], demo_base=[90.0])
    demo = next(v for v in verdicts(slow_machine) if v.name.startswith("progress-audit demo"))
    assert demo.limit == 45.0 and demo.ok and "0.44 ×" in demo.detail
    assert not next(
        v
        for v in verdicts(replace(slow_machine, demo_base=[70.0]))
        if v.name.startswith("progress-audit demo")
    ).ok  # more than 30 s and more than half of 70 s
    assert "progress-audit demo of the base revision | 90.0 s" in table(slow_machine)
