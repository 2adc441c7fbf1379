"""What a rerun skips, and that skipping changes nothing.

- workbooks the ledger already read come back from it in one pass (`receive_cached`), and many
  new ones are read by worker processes (`receive_many` with a `ReadingPool`): the same
  Received, ledger and archive as `receive` one by one;
- the month's validation is kept (`validation_cache`): the same QualityReport, and a rerun
  in a fresh process does not import Great Expectations;
- a report whose inputs have not changed is left as it is (`RenderLog`), byte for byte what a
  full render writes, and rendered again when its inputs or its file changed;
- the warm-up imports Great Expectations only when the inbox holds new bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from progress_audit.assessment.assess import assess
from progress_audit.assessment.thresholds import thresholds_from_settings
from progress_audit.config import Settings
from progress_audit.intake import (
    ReadingPool,
    WorkbookReader,
    default_reader,
    holds_new_bytes,
    reading_pool,
    receive,
    receive_cached,
    receive_many,
    scan_inbox,
)
from progress_audit.intake.ledger import Ledger
from progress_audit.model.period import OFFICE_CALENDAR
from progress_audit.quality.month import check_month
from progress_audit.reporting.reports import write_reports
from progress_audit.reporting.reports.unchanged import RenderLog
from progress_audit.reporting.run_summary import report_links
from progress_audit.standards.responsibility import assignments as assign
from tests.intake.test_intake import TZ, build_month
from tests.support.quality_month import AS_OF, JUNE, clean_month, dirty_month


@pytest.fixture(scope="module")
def a(catalogue_2019):
    return assign(catalogue_2019)


@pytest.fixture
def inbox(tmp_path, catalogue_2019, a):
    """June for ten units, one workbook twice (the same bytes under a second name)."""
    raw = tmp_path / "raw"
    paths = build_month(raw, JUNE, a, units=10)
    shutil.copy2(paths[0], paths[0].with_name(f"副本-{paths[0].name}"))
    with Ledger.open(tmp_path) as ledger:
        yield tmp_path, ledger


def _take_in_one_by_one(root, ledger, catalogue, a):
    return [receive(f, root, ledger, catalogue, a) for f in scan_inbox(root / "raw", TZ)]


def _state(root: Path, ledger: Ledger):
    archive = sorted(str(p.relative_to(root)) for p in (root / "archive").rglob("*") if p.is_file())
    return ledger.files(), ledger.sightings(), archive


# -- intake ---------------------------------------------------------------------------------


def test_known_workbooks_come_from_the_ledger_exactly_as_receive_gives_them(
    inbox, catalogue_2019, a
):
    root, ledger = inbox
    files = scan_inbox(root / "raw", TZ)
    assert [receive_cached(f, root, ledger, catalogue_2019, a) for f in files] == [None] * 11
    first = _take_in_one_by_one(root, ledger, catalogue_2019, a)
    calls = []
    real = default_reader()
    counting = WorkbookReader(real.version, lambda *args: calls.append(args) or real.read(*args))
    cached = [receive_cached(f, root, ledger, catalogue_2019, a, reader=counting) for f in files]
    assert calls == [] and all(r is not None and r.cached for r in cached)
    again = _take_in_one_by_one(root, ledger, catalogue_2019, a)
    assert cached == again and [r.reading for r in cached] == [r.reading for r in first]


def test_a_changed_or_renamed_workbook_is_not_taken_from_the_ledger(inbox, catalogue_2019, a):
    root, ledger = inbox
    _take_in_one_by_one(root, ledger, catalogue_2019, a)
    path = sorted((root / "raw").rglob("*.xlsx"))[1]
    shutil.copy2(path, path.with_name("改名.xlsx"))  # known bytes under a new name: recorded
    path.write_bytes(path.read_bytes() + b"\0")  # new bytes under a known name
    new = {
        f.name
        for f in scan_inbox(root / "raw", TZ)
        if receive_cached(f, root, ledger, catalogue_2019, a) is None
    }
    assert new == {path.relative_to(root / "raw").as_posix(), f"{JUNE}/改名.xlsx"}


def test_workers_read_the_same_as_one_by_one(tmp_path, inbox, catalogue_2019, a):
    root, ledger = inbox
    serial_root = tmp_path / "serial"
    shutil.copytree(root / "raw", serial_root / "raw", copy_function=shutil.copy2)
    with Ledger.open(serial_root) as serial_ledger:
        one_by_one = _take_in_one_by_one(serial_root, serial_ledger, catalogue_2019, a)
        serial_state = _state(serial_root, serial_ledger)
    files = scan_inbox(root / "raw", TZ)
    reader = default_reader()
    with ReadingPool(2, reader, catalogue_2019, a) as pool:
        parallel = receive_many(files, root, ledger, catalogue_2019, a, reader=reader, pool=pool)
    assert parallel == one_by_one and len(parallel) == 11
    assert _state(root, ledger) == serial_state
    assert len(serial_state[2]) == 10  # the second copy of the same bytes: archived once


def test_a_reader_failure_in_a_worker_rejects_that_file_and_is_logged_here(
    inbox, catalogue_2019, a, caplog
):
    root, ledger = inbox
    real = default_reader()

    def failing(path, name, *rest):
        if "副本-" in name:
            raise ZeroDivisionError("division by zero")
        return real.read(path, name, *rest)

    reader = WorkbookReader(real.version, failing)
    files = scan_inbox(root / "raw", TZ)
    with caplog.at_level(logging.ERROR), ReadingPool(2, reader, catalogue_2019, a) as pool:
        received = receive_many(files, root, ledger, catalogue_2019, a, reader=reader, pool=pool)
    broken = [r for r in received if "副本-" in r.name]
    assert len(broken) == 1 and not broken[0].reading.usable
    assert broken[0].reading.problems[0].code == "reader_failed"
    assert "ZeroDivisionError" in caplog.text
    assert all(r.reading.usable for r in received if "副本-" not in r.name)


def test_a_pool_only_for_many_workbooks_on_several_cores(catalogue_2019, a):
    with reading_pool(10, catalogue_2019, a) as pool:
        assert pool is None
    with reading_pool(1000, catalogue_2019, a) as pool:
        cores = len(os.sched_getaffinity(0))
        assert (pool is not None) == (cores > 1)


def test_new_bytes_in_the_inbox_are_noticed(inbox, catalogue_2019, a):
    root, ledger = inbox
    assert holds_new_bytes(root / "raw", root)
    _take_in_one_by_one(root, ledger, catalogue_2019, a)
    assert not holds_new_bytes(root / "raw", root)
    path = sorted((root / "raw").rglob("*.xlsx"))[0]
    path.write_bytes(path.read_bytes() + b"\0")
    assert holds_new_bytes(root / "raw", root)


# -- the kept validation ----------------------------------------------------------------------


def test_the_kept_validation_gives_the_same_report(tmp_path, catalogue_2019, a):
    current, previous = dirty_month(a)

    def checked(submissions, cache_dir=None):
        due = OFFICE_CALENDAR.due(JUNE)
        return check_month(
            JUNE, AS_OF, catalogue_2019, a, submissions, previous, due=due, cache_dir=cache_dir
        )

    fresh = checked(current)
    cache = tmp_path / "cache"
    stored = checked(current, cache)
    kept = checked(current, cache)
    assert stored == fresh and kept == fresh and fresh.problems
    units = {s.unit for s in current}
    assert len(list(cache.glob("*.json"))) == len(units)  # one kept result per unit
    # One unit's workbook fewer: the table loses its rows, the others' results are kept.
    fewer = [s for s in current if s.unit != current[0].unit]
    expected = checked(fewer)
    assert checked(fewer, cache) == expected
    assert len(list(cache.glob("*.json"))) == len(units)
    for kept_file in cache.glob("*.json"):  # a damaged entry is validated again
        kept_file.write_text("{not json", "utf-8")
    assert checked(fewer, cache) == expected


def test_only_the_units_whose_rows_changed_are_validated_with_the_same_failures(
    tmp_path, catalogue_2019, a, monkeypatch
):
    """A month where units resubmit, one with new faults and one with its faults fixed: the
    kept results of the others and one validation of the changed units give the report (every
    failure, every rule's counts, every unit's scores) of validating the whole month afresh."""
    import progress_audit.quality.month as month

    dirty, previous = dirty_month(a)
    clean = {s.unit: s for s in clean_month(a)}
    dirty_units = [s.unit for s in dirty if s != clean[s.unit]]
    fixed, spoiled = dirty_units[0], next(u for u in clean if u not in dirty_units)
    spoilt_rows = tuple(
        replace(r, value=-5.0, value_text="-5") if r.metric_id else r for r in clean[spoiled].rows
    )
    changed = [
        clean[s.unit]
        if s.unit == fixed
        else replace(s, rows=spoilt_rows)
        if s.unit == spoiled
        else s
        for s in dirty
    ]
    cache = tmp_path / "cache"
    check_month(
        JUNE,
        AS_OF,
        catalogue_2019,
        a,
        dirty,
        previous,
        cache_dir=cache,
        due=OFFICE_CALENDAR.due(JUNE),
    )
    validated: list[set[str]] = []
    whole = month.validate

    def counting(frame, params, build=None):
        validated.append(set(frame["unit"]))
        return whole(frame, params, build)

    monkeypatch.setattr(month, "validate", counting)
    incremental = check_month(
        JUNE,
        AS_OF,
        catalogue_2019,
        a,
        changed,
        previous,
        cache_dir=cache,
        due=OFFICE_CALENDAR.due(JUNE),
    )
    assert validated == [{fixed, spoiled}]
    monkeypatch.setattr(month, "validate", whole)
    afresh = check_month(
        JUNE, AS_OF, catalogue_2019, a, changed, previous, due=OFFICE_CALENDAR.due(JUNE)
    )
    assert incremental == afresh
    assert any(p.unit == spoiled and p.code == "negative_value" for p in afresh.problems)
    assert not any(p.unit == fixed for p in afresh.problems if p.ref and p.ref.cell)
    assert {r.code: (r.failed, r.evaluated) for r in incremental.rules} == {
        r.code: (r.failed, r.evaluated) for r in afresh.rules
    }


_CHILD = """
import sys, json
from tests.support.quality_month import AS_OF, JUNE, clean_month, dirty_month
from progress_audit.standards.catalogue import load_catalogue
from progress_audit.quality.month import check_month
from progress_audit.standards.responsibility import assignments
from progress_audit.config import get_settings
catalogue = load_catalogue(2019, get_settings().standards_dir)
a = assignments(catalogue)
current, previous = dirty_month(a)
report = check_month(JUNE, AS_OF, catalogue, a, current, previous, cache_dir=sys.argv[1],
                      due=JUNE.due("Asia/Shanghai", 5))
print(json.dumps({"gx": "great_expectations" in sys.modules,
                  "problems": len(report.all_problems)}))
"""


def test_a_rerun_with_the_same_rows_does_not_import_great_expectations(tmp_path):
    def child() -> dict:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[2],
        )
        return json.loads(out.stdout)

    first, second = child(), child()
    assert first["gx"] and not second["gx"]
    assert first["problems"] == second["problems"] > 0


# -- reports left as they are ---------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def month_findings(catalogue_2019, a):
    current, previous = dirty_month(a)
    quality = check_month(
        JUNE, AS_OF, catalogue_2019, a, current, previous, due=OFFICE_CALENDAR.due(JUNE)
    )
    findings = assess(
        catalogue_2019,
        a,
        JUNE,
        AS_OF,
        current,
        thresholds_from_settings(Settings()),
        quality.problems,
        calendar=OFFICE_CALENDAR,
    )
    return findings, current, list(quality.all_problems)


def test_unchanged_reports_are_left_as_they_are_and_identical(tmp_path, month_findings):
    findings, current, problems = month_findings
    full, logged = tmp_path / "full", tmp_path / "logged"
    write_reports(full, JUNE, AS_OF, findings, current, problems)
    record = tmp_path / "record.json"
    first = RenderLog(record, logged)
    written = write_reports(logged, JUNE, AS_OF, findings, current, problems, log=first)
    first.save()
    assert first.skipped == 0 and _snapshot(logged) == _snapshot(full)
    second = RenderLog(record, logged)
    again = write_reports(logged, JUNE, AS_OF, findings, current, problems, log=second)
    second.save()
    assert again == written and second.skipped == len(written) > 4
    assert _snapshot(logged) == _snapshot(full)


def test_a_report_is_rendered_again_when_its_inputs_or_its_file_changed(tmp_path, month_findings):
    findings, current, problems = month_findings
    out, record = tmp_path / "out", tmp_path / "record.json"

    def render(findings=findings, problems=problems) -> RenderLog:
        log = RenderLog(record, out)
        write_reports(out, JUNE, AS_OF, findings, current, problems, log=log)
        log.save()
        return log

    written = render()
    total = sum(len(list(out.rglob(f"*.{ext}"))) for ext in ("xlsx", "html", "docx"))
    (out / "overdue.xlsx").write_bytes(b"edited by hand")
    (out / "exceptions.html").unlink()
    log = render()
    assert log.skipped == total - 2 and written.skipped == 0
    assert (out / "exceptions.html").is_file() and (out / "overdue.xlsx").read_bytes()[:2] == b"PK"
    # One unit's problems gone: its feedback and the month's summaries change, no other file.
    unit = next(p.unit for p in problems if p.unit)
    fewer = [p for p in problems if p.unit != unit]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    log = render(problems=fewer)
    rendered = {p.name for p, ns in before.items() if p.stat().st_mtime_ns != ns}
    assert f"{unit}.xlsx" in rendered and len(rendered) == total - log.skipped < total // 2


def test_the_run_links_the_feedback_folder_once(tmp_path):
    out = tmp_path / "2019-06"
    files = [
        out / "findings.json",
        out / "overdue.xlsx",
        tmp_path / "dashboard.html",
        *(out / "feedback" / f"{u}.xlsx" for u in ("人社局", "商务局", "教育局")),
    ]
    links = report_links(files, out)
    assert [text for _, text in links] == [
        "findings.json",
        "overdue.xlsx",
        "dashboard.html",
        "feedback/（3 个文件）",
    ]


# -- warming up -------------------------------------------------------------------------------

_WARM = """
import sys
from progress_audit.app import warm_up
from progress_audit.quality import validator
warm_up.start_validating(sys.argv[1])
warm_up.start()
warm_up.wait()
print(validator.running() is not None, "great_expectations" in sys.modules, "pandas" in sys.modules)
"""


def test_great_expectations_is_started_apart_only_for_new_bytes(inbox, catalogue_2019, a):
    root, ledger = inbox

    def warmed() -> str:
        return subprocess.run(
            [sys.executable, "-c", _WARM, str(root)], capture_output=True, text=True, check=True
        ).stdout.strip()

    # New bytes: the validating process starts; this process never imports GX itself.
    assert warmed() == "True False True"
    _take_in_one_by_one(root, ledger, catalogue_2019, a)
    assert warmed() == "False False True"


def test_a_units_key_depends_on_its_own_rows_exactly_and_not_on_where_they_stand():
    import pandas as pd

    from progress_audit.quality.validation_cache import unit_keys

    frame = pd.DataFrame({"unit": ["甲", "乙", "乙"], "value": [1, 2, 3]}, dtype=object)
    keys = unit_keys(frame, {"甲": [0], "乙": [1, 2]}, ("inputs",))
    moved = pd.DataFrame({"unit": ["乙", "乙", "丙", "甲"], "value": [2, 3, 9, 1]}, dtype=object)
    assert unit_keys(moved, {"乙": [0, 1], "丙": [2], "甲": [3]}, ("inputs",)) == {
        **keys,
        "丙": unit_keys(moved, {"丙": [2]}, ("inputs",))["丙"],
    }
    text = frame.copy()
    text.loc[0, "value"] = "1"  # the same figure typed as text is another row
    assert (
        unit_keys(text, {"甲": [0], "乙": [1, 2]}, ("inputs",))
        == {**keys, "甲": unit_keys(text, {"甲": [0]}, ("inputs",))["甲"]}
        and unit_keys(text, {"甲": [0]}, ("inputs",))["甲"] != keys["甲"]
    )
    assert unit_keys(frame, {"甲": [0]}, ("other inputs",))["甲"] != keys["甲"]
