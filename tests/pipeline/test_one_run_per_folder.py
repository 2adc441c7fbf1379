"""A month's folder holds one run's outputs: audited again for an earlier moment (fewer
workbooks in by then), the feedback of a unit whose workbook had not yet arrived is gone, and
so is any file no run wrote."""

from __future__ import annotations

from datetime import UTC, datetime

from progress_audit import pipeline
from progress_audit.config import Settings
from progress_audit.standards.responsibility import assignments
from tests.intake.test_intake import JUNE, ZONE, build_month, set_mtime


def audit(data, as_of: str):
    run = pipeline.prepare("2019-06", as_of, data, now=datetime.now(UTC), settings=Settings())
    with pipeline.open_ledger(run) as ledger:
        month = pipeline.collect(run, ledger, workers=False)
    quality = pipeline.check(run, month)
    findings = pipeline.assess_month(run, month, quality)
    return run, pipeline.write_outputs(run, month, quality, findings, run.as_of)


def files_in(folder):
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_a_second_run_leaves_only_its_own_files(tmp_path, catalogue_2019):
    paths = build_month(tmp_path / "raw", JUNE, assignments(catalogue_2019), units=4)
    for late in paths[2:]:  # two units send theirs on 8 July
        set_mtime(late, datetime(2019, 7, 8, 9, tzinfo=ZONE))
    run, _ = audit(tmp_path, "2019-07-10")
    folder = run.out_dir
    assert len(list((folder / "feedback").iterdir())) == 4
    (folder / "feedback" / "旧单位.xlsx").write_bytes(b"an earlier run")
    (folder / "old-report.html").write_text("an earlier run", encoding="utf-8")

    # Audited again as of 6 July: the two late workbooks had not arrived.
    _, second = audit(tmp_path, "2019-07-06")
    written = {str(p.relative_to(folder)) for p in second.files if p.is_relative_to(folder)}
    assert files_in(folder) == written | {"quality.json"}
    assert sorted(p.name for p in (folder / "feedback").iterdir()) == sorted(
        f"{p.stem}.xlsx" for p in paths[:2]
    )
    assert not (folder / "old-report.html").exists()
