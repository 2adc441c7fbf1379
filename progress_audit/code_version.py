"""Which code made a derived result (代码版本).

Every store of derived results (the ledger's readings, the month's validation, the render log
of the reports) is keyed on the code that made them, so that a change to that code makes them
again instead of serving what the old code made. The version is a sha256 of the source files,
named relative to the folder that holds the packages (the same on every machine, so a shared
ledger is not read again for a different checkout path), and of the libraries' versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

PACKAGES_ROOT = Path(__file__).resolve().parent.parent
"""The folder holding `progress_audit` and `checks` (the project, or site-packages)."""


def code_version(sources: Iterable[Path], packages: Iterable[str]) -> str:
    """The sha256 of `sources` (each file's name under `PACKAGES_ROOT` and bytes, in the order
    given) and of the installed versions of `packages`."""
    digest = hashlib.sha256()
    for path in sources:
        digest.update(Path(path).resolve().relative_to(PACKAGES_ROOT).as_posix().encode())
        digest.update(Path(path).read_bytes())
    for package in packages:
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()
