"""Which code made a derived result (代码版本).

Every store of derived results (the ledger's readings, the month's validation, the render log
of the reports) is keyed on the code that made them, so that a change to that code makes them
again instead of serving what the old code made. The key covers whole packages, so moving or
splitting a module inside one changes it too. Files are named relative to the folder that holds
the packages (the same on every machine, so a shared ledger is not read again for another
checkout path).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGES_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding `progress_audit` and `checks` (the project, or site-packages)."""

SOURCE_SUFFIXES = (".py", ".j2")


def package_sources(package: str) -> list[Path]:
    """Every source file of `package` (dotted name) and its subpackages, in a stable order."""
    folder = PACKAGES_ROOT.joinpath(*package.split("."))
    return sorted(
        p for p in folder.rglob("*") if p.suffix in SOURCE_SUFFIXES and "__pycache__" not in p.parts
    )


@cache
def code_version(packages: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """The sha256 of the sources of `packages` (each file's name under `PACKAGES_ROOT` and its
    bytes) and of the installed versions of `libraries`."""
    digest = hashlib.sha256()
    for package in packages:
        for path in package_sources(package):
            digest.update(path.relative_to(PACKAGES_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()
