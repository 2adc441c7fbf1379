"""The synthetic inbox: reproducible to the byte, realistic figures, and every planted fault
where the manifest says it is (so the engine's tests can check it finds each one)."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from progress_audit.demo.figures import line_paces, line_truths
from progress_audit.demo.manifest import PLANTED_KINDS
from progress_audit.demo.synthetic import make_inbox
from progress_audit.model.period import Period
from progress_audit.templates.workbook import HEADERS, PREVIOUS_HEADER, SHEET, template_filename
from tests.support.manifests import write_manifest

MONTHS = [Period(2019, m) for m in (1, 2, 3)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, catalogue_2019, units):
    raw = tmp_path_factory.mktemp("demo") / "raw"
    return raw, make_inbox(raw, catalogue_2019, units, MONTHS, seed=7)


def digests(raw: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(raw).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in raw.rglob("*")
        if p.is_file()
    }


def test_same_seed_same_bytes_and_times(tmp_path, demo, catalogue_2019, units):
    raw, manifest = demo
    again = make_inbox(tmp_path / "raw", catalogue_2019, units, MONTHS, seed=7)
    assert digests(tmp_path / "raw") == digests(raw)
    assert again == manifest
    few = {u: units[u] for u in list(units)[:3]}
    seed_7 = make_inbox(tmp_path / "seed7", catalogue_2019, few, MONTHS[:1], seed=7, messy=False)
    seed_8 = make_inbox(tmp_path / "seed8", catalogue_2019, few, MONTHS[:1], seed=8, messy=False)
    assert {f.path for f in seed_7.files} == {f.path for f in seed_8.files}
    assert {f.sha256 for f in seed_7.files}.isdisjoint(f.sha256 for f in seed_8.files)


def test_every_planted_kind_is_there(demo):
    _, manifest = demo
    assert manifest.kinds == set(PLANTED_KINDS)


def test_manifest_matches_the_inbox(tmp_path, demo):
    raw, manifest = demo
    on_disk = digests(raw)
    # The node plans (节点计划) are the year's other inbox, beside the months' workbooks.
    plans = {p for p in on_disk if p.startswith("plans/2019/")}
    assert len(plans) > 10 and all(p.endswith("_节点计划表.xlsx") for p in plans)
    on_disk = {p: v for p, v in on_disk.items() if p not in plans}
    assert set(on_disk) == {f.path for f in manifest.files}  # nothing else in raw/
    for f in manifest.files:
        sha, mtime_ns = on_disk[f.path]
        assert sha == f.sha256
        assert mtime_ns == int(f.received_at.timestamp()) * 10**9
        due = Period.parse(f.period).due("Asia/Shanghai", 5)
        assert f.late == (f.received_at > due)
    write_manifest(manifest, tmp_path / "manifest.json")
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(data["files"]) == len(manifest.files) and len(data["faults"]) == len(manifest.faults)
    assert data["faults"][0]["kind"] in PLANTED_KINDS


def test_each_fault_cell_holds_what_was_typed(demo):
    raw, manifest = demo
    for fault in manifest.faults:
        if fault.cell is None:
            continue
        ws = openpyxl.load_workbook(raw / fault.file)[fault.sheet]
        value = ws[fault.cell].value
        if fault.kind in ("header_moved", "extra_column", "columns_reordered"):
            assert value in HEADERS, fault
            continue
        assert str(value) == fault.typed, fault
        row = ws[fault.cell].row
        ids = {ws.cell(row, c).value for c in range(1, 4)}
        assert fault.task_id in ids and (fault.metric_id is None or fault.metric_id in ids)
        if fault.kind == "formula_without_value":
            assert ws[fault.cell].data_type == "f"
        elif isinstance(value, str):
            assert ws[fault.cell].data_type == "s"  # the injection stays text
    injection = manifest.faults_of("formula_injection")[0]
    assert injection.typed.startswith("=HYPERLINK(")


def test_layout_faults_move_the_header_and_columns(demo):
    raw, manifest = demo
    (moved,) = manifest.faults_of("header_moved")
    ws = openpyxl.load_workbook(raw / moved.file)[SHEET]
    assert ws["A8"].value == "任务编号" and ws["A2"].value.startswith("填报单位：")
    (extra,) = manifest.faults_of("extra_column")
    headers = [c.value for c in openpyxl.load_workbook(raw / extra.file)[SHEET][5]]
    assert set(HEADERS) < set(headers) and "备注" in headers
    (reordered,) = manifest.faults_of("columns_reordered")
    headers = [c.value for c in openpyxl.load_workbook(raw / reordered.file)[SHEET][5]]
    assert set(HEADERS) <= set(headers) and tuple(headers[:12]) != HEADERS


def test_every_workbook_names_its_unit_and_month(demo):
    raw, manifest = demo
    for f in manifest.files:
        if f.kind not in ("submission", "superseded"):
            continue
        ws = openpyxl.load_workbook(raw / f.path, read_only=True)[SHEET]
        titles = [r[0] for r in ws.iter_rows(min_row=2, max_row=3, max_col=1, values_only=True)]
        assert titles == [f"填报单位：{f.unit}", f"填报月份：{Period.parse(f.period).label}"]


def test_late_missing_resubmitted_renamed_and_bad_files(demo, units):
    raw, manifest = demo
    submitted = defaultdict(list)
    for f in manifest.files:
        if f.kind in ("submission", "superseded"):
            submitted[(f.unit, f.period)].append(f)
    # every unit every month, except the one planted as missing
    (missing,) = manifest.faults_of("missing")
    expected = {(u, str(p)) for u in units for p in MONTHS} - {(missing.unit, missing.period)}
    assert set(submitted) == expected
    # a few late, most on time, received between the 1st and the 9th of the next month
    late = [f for f in manifest.files if f.late]
    assert 2 <= len(late) <= len(manifest.files) // 10
    assert {f.path for f in late} == {x.file for x in manifest.faults_of("late")}
    assert all(1 <= f.received_at.day <= 9 for f in manifest.files)
    # one resubmission: two names, the earlier one superseded
    (resub,) = manifest.faults_of("resubmission")
    first, second = sorted(submitted[(resub.unit, resub.period)], key=lambda f: f.received_at)
    assert (first.kind, second.kind, second.path) == ("superseded", "submission", resub.file)
    assert first.path != second.path
    # a renamed file whose name says nothing about the unit
    (renamed,) = manifest.faults_of("renamed_file")
    assert renamed.unit not in renamed.file and renamed.file != template_filename(
        renamed.unit, Period.parse(renamed.period)
    )
    # bad files
    by_kind = {f.kind: raw / f.path for f in manifest.files}
    assert by_kind["old_xls"].suffix == ".xls"
    assert by_kind["old_xls"].read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert by_kind["text_file"].suffix == ".txt"
    assert by_kind["random_bytes"].suffix == ".xlsx"
    assert not zipfile.is_zipfile(by_kind["random_bytes"])
    with zipfile.ZipFile(by_kind["not_workbook"]) as z:
        assert "word/document.xml" in z.namelist() and "xl/workbook.xml" not in z.namelist()
    # some in subfolders by unit
    assert any(len(Path(f.path).parts) == 3 for f in manifest.files)


def test_year_to_date_never_falls_unless_planted(demo, catalogue_2019):
    _, manifest = demo
    metrics = {m.id: m for m in catalogue_2019.metrics}
    faulty = {(f.unit, f.period, f.metric_id) for f in manifest.faults if f.metric_id}
    series = defaultdict(list)
    for r in manifest.rows:
        m = metrics.get(r.metric_id or "")
        planted = (r.unit, r.period, r.metric_id) in faulty
        if m and m.kind == "cumulative" and not planted and r.value is not None:
            series[(r.unit, r.metric_id)].append((r.period, r.value))
    assert len(series) >= 10
    for points in series.values():
        values = [v for _, v in sorted(points)]
        assert values == sorted(values), points
    (falling,) = manifest.faults_of("falling_cumulative")
    (jump,) = manifest.faults_of("big_jump")
    assert float(falling.expected) < float(falling.note.split()[-1])
    assert jump.expected >= 3 * float(jump.note.split("，")[0].split()[-1])


def test_figures_track_time_progress_with_spread(units):
    # The figures a whole year of units mean to report (no files written, so fast): each
    # cumulative line's pace is its median ratio to 序时进度 over the months where that is
    # at least 3 (20 firms × 1/12 is too coarse to say ahead or behind).
    year = [Period(2019, m) for m in range(1, 13)]
    paces = line_paces(units, seed=2019)
    paces_seen = []
    for unit, lines in units.items():
        for line in lines:
            m = line.metric
            if m is None or m.kind != "cumulative" or m.profile.shape != "linear":
                continue
            truths = line_truths(unit, line, year, 2019, paces[(unit, line.key)])
            ratios = [
                t.value / (m.target * p.elapsed_share)
                for p, t in zip(year, truths, strict=True)
                if m.target * p.elapsed_share >= 3
            ]
            if ratios:
                paces_seen.append(statistics.median(ratios))
    assert len(paces_seen) >= 10
    assert 0.9 <= statistics.median(paces_seen) <= 1.1
    assert any(r < 0.7 for r in paces_seen) and any(r > 1.05 for r in paces_seen)
    assert sum(r < 0.7 for r in paces_seen) <= len(paces_seen) / 4


def test_statuses_and_percentages_are_sensible(demo, units):
    _, manifest = demo
    bad = {(f.unit, f.period, f.task_id) for f in manifest.faults_of("bad_percent")}
    statuses = {r.status for r in manifest.rows}
    assert statuses <= {"未启动", "推进中", "已完成", "受阻"} and "推进中" in statuses
    for r in manifest.rows:
        if r.metric_id is None and (r.unit, r.period, r.task_id) not in bad:
            assert r.percent is not None and 0 <= r.percent <= 100
        if r.metric_id is not None:
            assert r.percent is None


def test_previous_month_shown_beside_the_figures(demo):
    raw, manifest = demo
    march = next(
        f
        for f in manifest.files
        if f.period == "2019-03" and f.unit == "人社局" and f.kind == "submission"
    )
    ws = openpyxl.load_workbook(raw / march.path)[SHEET]
    headers = [c.value for c in ws[5]]
    assert PREVIOUS_HEADER in headers


def test_bench_is_every_unit_every_month_clean_and_on_time(tmp_path, catalogue_2019, units):
    year = [Period(2019, m) for m in range(1, 13)]
    few = {u: units[u] for u in list(units)[:2]}
    manifest = make_inbox(tmp_path / "year", catalogue_2019, few, year, profile="bench")
    assert len(manifest.files) == 12 * 2 and manifest.faults == ()
    assert all(f.kind == "submission" and not f.late for f in manifest.files)
    manifest = make_inbox(tmp_path / "june", catalogue_2019, units, year[5:6], profile="bench")
    assert len(manifest.files) == 40 and manifest.faults == ()
    assert {f.unit for f in manifest.files} == set(units)
    assert len(list((tmp_path / "june").rglob("*.xlsx"))) == 40


def test_unknown_profile_and_foreign_months_refused(tmp_path, catalogue_2019, units):
    with pytest.raises(ValueError, match="模拟方案"):
        make_inbox(tmp_path, catalogue_2019, units, MONTHS, profile="huge")
    with pytest.raises(ValueError, match="2019"):
        make_inbox(tmp_path, catalogue_2019, units, [Period(2020, 1)])
    assert not os.listdir(tmp_path)
