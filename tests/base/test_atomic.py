from __future__ import annotations

import pytest

from progress_audit.files.atomic import atomic_path, write_text


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "r" / "a.html"
    write_text(target, "旧")
    write_text(target, "新内容")
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [p.name for p in target.parent.iterdir()] == ["a.html"]


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.xlsx"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]
