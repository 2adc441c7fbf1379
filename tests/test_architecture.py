"""The architecture, as the folder tree shows it: each pipeline stage imports only earlier
stages (the import-linter contract in pyproject.toml), no module imports itself round a circle
(imports inside functions count), the package never imports the top-level flows/, bench/ or
the tests, and an import inside a function says why it is there."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "progress_audit"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[ast.stmt, str, bool]]:
    """(node, imported module, inside a function) for every import in `path`, relative ones
    resolved; `from a import b` names `a.b` when that is a module of ours."""
    tree = ast.parse(path.read_text("utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, a.name, id(node) in inside) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for a in node.names:
                sub = f"{base}.{a.name}"
                target = sub if _is_module(sub) else base
                found.append((node, target, id(node) in inside))
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_stage_contract_holds():
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_contract_fails_on_a_planted_backwards_import(tmp_path):
    for folder in ("progress_audit", "checks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    records = tmp_path / "progress_audit" / "model" / "records.py"
    planted = "\n\ndef _planted():\n    from progress_audit.reporting import findings_file\n"
    records.write_text(records.read_text("utf-8") + planted + "    return findings_file\n")
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert done.returncode == 1, done.stdout[-3000:]
    assert "progress_audit.model.records -> progress_audit.reporting.findings_file" in done.stdout


def test_no_import_circle_counting_imports_inside_functions():
    graph: dict[str, set[str]] = {}
    for path in _package_files():
        name = _module_name(path)
        graph[name] = {
            target
            for _, target, _ in _imports(path)
            if target.startswith("progress_audit.") and target != name
        }
    circles = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt in graph and not state.get(nxt):
                walk(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if not state.get(node):
            walk(node, [node])
    assert not circles, "\n".join(circles)


def test_the_package_never_imports_flows_bench_or_tests():
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno} imports {target}"
        for path in _package_files()
        for node, target, _ in _imports(path)
        if target.split(".")[0] in ("flows", "bench", "tests")
    ]
    assert not wrong, "\n".join(wrong)


def test_an_import_inside_a_function_says_why():
    """Imports are at the top, except where the cost of importing at start-up is measured to
    matter; such an import carries its reason on its line or the line above."""
    silent = []
    for path in _package_files():
        lines = path.read_text("utf-8").splitlines()
        for node, target, inside in _imports(path):
            if not inside:
                continue
            above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            own = lines[node.lineno - 1]
            if "#" not in own and not above.startswith("#"):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno} {target}")
    assert not silent, "inline imports without a reason:\n" + "\n".join(sorted(set(silent)))


@pytest.mark.parametrize("folder", ["flows", "checks"])
def test_the_folders_users_look_in_are_still_there(folder):
    assert (ROOT / folder).is_dir() and any((ROOT / folder).glob("*.py"))
