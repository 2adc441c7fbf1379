"""A workspace without an inbox (a mistyped `--data`) is an error, not a 通报 of 未报送: one
Chinese line on stderr naming the folder, exit 1, nothing written, before Prefect starts."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from progress_audit.config import Settings
from progress_audit.pipeline import InboxMissing, prepare

BIN = Path(sys.executable).parent / "progress-audit"


def test_run_on_a_folder_without_raw_fails_with_one_line(tmp_path):
    data = tmp_path / "x"  # a mistyped --data: no such folder
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN), "run", "--period", "2019-06", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("错误：") and str(data / "raw") in lines[0]
    assert "--data" in lines[0]
    assert "Traceback" not in done.stderr and "prefect" not in done.stderr.lower()
    assert not data.exists()  # nothing written: no reports, no ledger, no lock file
    assert time.monotonic() - started < 60  # refused before Prefect's server starts


def test_an_existing_folder_without_raw_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InboxMissing, match="raw"):
        prepare("2019-06", "2019-07-06", tmp_path, now=datetime.now(UTC), settings=Settings())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
