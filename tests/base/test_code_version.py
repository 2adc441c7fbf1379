"""The key that derived results are stored under follows the code that made them."""

from __future__ import annotations

from progress_audit.cache import code_version as cv


def _package(root, files):
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_version_changes_with_any_source_of_the_package_and_with_a_move(tmp_path, monkeypatch):
    monkeypatch.setattr(cv, "PACKAGES_ROOT", tmp_path)
    _package(tmp_path, {"__init__.py": "", "a.py": "x = 1\n", "sub/b.py": "y = 2\n"})
    first = cv.code_version.__wrapped__(("pkg",), ())
    assert cv.code_version.__wrapped__(("pkg",), ()) == first

    (tmp_path / "pkg" / "sub" / "b.py").write_text("y = 3\n")
    edited = cv.code_version.__wrapped__(("pkg",), ())
    assert edited != first

    # The same bytes under another name (a module moved or split) is another version.
    (tmp_path / "pkg" / "sub" / "b.py").rename(tmp_path / "pkg" / "c.py")
    assert cv.code_version.__wrapped__(("pkg",), ()) not in (first, edited)


def test_templates_count_and_caches_do_not(tmp_path, monkeypatch):
    monkeypatch.setattr(cv, "PACKAGES_ROOT", tmp_path)
    _package(tmp_path, {"__init__.py": "", "templates/page.html.j2": "<p>1</p>"})
    first = cv.code_version.__wrapped__(("pkg",), ())
    _package(tmp_path, {"__pycache__/x.cpython-311.pyc.py": "junk"})
    assert cv.code_version.__wrapped__(("pkg",), ()) == first
    _package(tmp_path, {"templates/page.html.j2": "<p>2</p>"})
    assert cv.code_version.__wrapped__(("pkg",), ()) != first


def test_library_versions_count():
    assert cv.code_version(("progress_audit.model",), ()) != cv.code_version(
        ("progress_audit.model",), ("pandas",)
    )
