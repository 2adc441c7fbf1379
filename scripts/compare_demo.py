"""Does a change keep the engine's behaviour? Compare the demo's outputs, byte for byte.

    .venv/bin/python scripts/compare_demo.py [--base REV]

Runs `progress-audit demo` twice, each into a fresh workspace: once with the code of REV
(default `main`, checked out into a temporary git worktree) and once with the working tree.
Then compares every file the demo wrote under `raw/` (the synthetic inbox) and `reports/`:
findings.json apart from its `generated_at`, everything else to the byte. Prints each file
that differs and exits 1 when any does, 0 when all are the same.

Both runs use this virtual environment's libraries, so a difference is the code's alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOLATILE = {"generated_at"}
"""Fields of findings.json that say when the file was written, not what it says."""


def _entry_point(tree: Path) -> tuple[str, str]:
    """The console script `progress-audit` of the code in `tree`: (module, function)."""
    project = tomllib.loads((tree / "pyproject.toml").read_text("utf-8"))
    module, _, function = project["project"]["scripts"]["progress-audit"].partition(":")
    return module, function


def run_demo(tree: Path, data: Path) -> None:
    """`progress-audit demo --data DATA` with the code in `tree` (its folder first on the path)."""
    module, function = _entry_point(tree)
    code = (
        "import sys; sys.argv = ['progress-audit', 'demo', '--data', sys.argv[1]]; "
        f"from {module} import {function} as main; sys.exit(main())"
    )
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PROGRESS_AUDIT_DATA_DIR", None)
    # Older code does not give Prefect's temporary server time to start on a busy machine.
    env.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    done = subprocess.run(
        [sys.executable, "-c", code, str(data)], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"demo failed in {tree}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def digest(path: Path) -> str:
    """The file's sha256; for findings.json, of its content without the volatile fields."""
    data = path.read_bytes()
    if path.name == "findings.json":
        document = json.loads(data)
        for field in VOLATILE:
            document.pop(field, None)
        data = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def outputs(data: Path) -> dict[str, str]:
    """Every file of the demo's inbox and reports, by its path in the workspace."""
    found = {}
    for folder in ("raw", "reports"):
        for path in sorted((data / folder).rglob("*")):
            if path.is_file():
                found[path.relative_to(data).as_posix()] = digest(path)
    return found


def compare(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per file that is missing on one side or differs."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            lines.append(f"only before: {name}")
        elif name not in before:
            lines.append(f"only after:  {name}")
        elif before[name] != after[name]:
            lines.append(f"differs:     {name}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="the revision to compare with (main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-demo-") as tmp:
        work = Path(tmp)
        base_tree = work / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(base_tree), args.base],
            cwd=ROOT,
            check=True,
        )
        try:
            run_demo(base_tree, work / "before")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT)
        run_demo(ROOT, work / "after")
        before, after = outputs(work / "before"), outputs(work / "after")
    differences = compare(before, after)
    for line in differences:
        print(line)
    print(f"{len(before)} files before, {len(after)} after, {len(differences)} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
