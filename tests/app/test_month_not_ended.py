"""A month cannot be audited before it has ended: `run` refuses with one Chinese line, exit 2,
and writes nothing (the month's 通报 and feedback stay as the last real run left them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.test_cli_chinese import run


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def workspace(tmp_path):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    june = data / "reports" / "2019-06"
    (june / "feedback").mkdir(parents=True)
    (june / "exceptions.docx").write_bytes(b"the real June report")
    (june / "feedback" / "人社局.xlsx").write_bytes(b"feedback")
    return data


@pytest.mark.parametrize(
    "as_of", ["2019-06-01", "2019-06-29", "2019-06-30T23:59:00+08:00", "2019-06-30T15:59:59Z"]
)
def test_a_month_not_yet_ended_is_refused_and_nothing_is_written(workspace, as_of):
    before = tree(workspace)
    r = run("run", "--period", "2019-06", "--as-of", as_of, "--data", str(workspace))
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("错误：2019年6月到 2019-06-30 24:00 才结束")
    assert "未写入任何文件" in lines[0]
    assert r.stdout == ""
    assert tree(workspace) == before


def test_a_month_without_as_of_is_judged_against_now(workspace):
    r = run("run", "--period", "2999-01", "--data", str(workspace))
    assert r.returncode == 2, r.stderr
    assert "现在" in r.stderr and "2999年1月" in r.stderr


def test_an_office_that_collects_within_the_month_is_refused_only_before_its_due_day(
    workspace, monkeypatch
):
    monkeypatch.setenv("PROGRESS_AUDIT_DUE_DAY", "25")
    monkeypatch.setenv("PROGRESS_AUDIT_DUE_IN_REPORTED_MONTH", "true")
    before = tree(workspace)
    r = run("run", "--period", "2019-06", "--as-of", "2019-06-20", "--data", str(workspace))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.strip().startswith("错误：2019年6月的填报表到 2019-06-25 24:00 才截止")
    assert "请把 --as-of 设为 2019-06-25 或之后" in r.stderr
    assert tree(workspace) == before
