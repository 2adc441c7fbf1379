"""Problems found in what units sent (问题): what, where (file, sheet, cell), and what to do.

A `Problem` is data, not an exception: reading goes on and every problem is reported, in the
findings, in the unit's feedback workbook and on the quality dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CellRef:
    """Where a value came from: the file (relative to the inbox), the sheet and the cell."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    @property
    def where(self) -> str:
        """`进度填报!F7` as a clerk writes it (or the file name when there is no cell)."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file

    def to_json(self) -> dict[str, str | None]:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, a row or a value.

    `code` is stable for programs (`unreadable_value`, `late`, `target_edited`, …); `message` is
    the clerk's words in Chinese and says what to do. `severity` "error" means the value cannot
    be trusted (the finding becomes `invalid`, or the file `rejected`); "warning" means it is
    used but worth a look (an approximate figure, an assumed percentage).
    """

    code: str
    message: str
    severity: Severity = "error"
    ref: CellRef | None = None
    unit: str | None = None
    task_id: str | None = None
    metric_id: str | None = None
    dimension: str = "validity"
    """The data-quality dimension: completeness, timeliness, validity or consistency."""

    @property
    def where(self) -> str:
        return self.ref.where if self.ref else ""

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "dimension": self.dimension,
            "unit": self.unit,
            "task_id": self.task_id,
            "metric_id": self.metric_id,
            **(self.ref.to_json() if self.ref else {"file": None, "sheet": None, "cell": None}),
        }


def problem_key(p: Problem) -> tuple[object, ...]:
    """Two problems with this key are the same problem (code, unit, task, metric and cell)."""
    ref = p.ref
    return (
        p.code,
        p.unit,
        p.task_id,
        p.metric_id,
        ref and ref.file,
        ref and ref.sheet,
        ref and ref.cell,
    )


def unique_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once (by `problem_key`), the first of each in the given order."""
    seen: dict[tuple[object, ...], Problem] = {}
    for p in problems:
        seen.setdefault(problem_key(p), p)
    return list(seen.values())
