"""The months already audited, read back from `reports/<period>/` (历次督查结果).

Each month folder holds `findings.json` and, from the quality stage,
`quality.json`. A folder whose file cannot be read is listed as such, never silently skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from progress_audit.model.period import Period
from progress_audit.model.records import COUNTING_STATUSES
from progress_audit.model.reports import REPORTS

_MONTH_DIR = re.compile(r"^\d{4}-\d{2}$")
REPORT_FILES = tuple(r.name for r in REPORTS if r.on_dashboard)


@dataclass(frozen=True)
class Month:
    """One audited month as the dashboard needs it."""

    period: str
    label: str
    as_of: str = ""
    summary: dict[str, int] = field(default_factory=dict)
    units: tuple[str, ...] = ()
    """The lead units of the month (those with findings, else those of the quality report)."""
    submitted: dict[str, str] = field(default_factory=dict)
    """unit → on_time | late | missing | not_due (the counting submission's status)."""
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    problems: dict[str, int] = field(default_factory=dict)
    """unit → number of data problems (errors and warnings) of the month."""
    has_quality: bool = False
    findings: tuple[dict[str, Any], ...] = ()
    """The month's findings as findings.json has them (for the headline targets and streaks)."""
    reports: tuple[str, ...] = ()
    """The report files in the month's folder (`exceptions.html`, …), for links to them."""


@dataclass(frozen=True)
class History:
    months: tuple[Month, ...]
    unreadable: tuple[str, ...] = ()
    """`2019-03/findings.json：…` for every file that could not be read."""

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit of any month, in the order of the latest month, then earlier ones."""
        seen: dict[str, None] = {}
        for m in reversed(self.months):
            for u in m.units:
                seen.setdefault(u, None)
        return tuple(seen)


def read_history(reports_dir: Path, *, until: str | None = None) -> History:
    """Every month folder under `reports_dir` (up to `until`, inclusive), oldest first."""
    months: list[Month] = []
    unreadable: list[str] = []
    folders = (
        sorted(p for p in Path(reports_dir).iterdir() if p.is_dir() and _MONTH_DIR.match(p.name))
        if Path(reports_dir).is_dir()
        else []
    )
    for folder in folders:
        if until is not None and folder.name > until:
            continue
        findings = _load(folder / "findings.json", unreadable)
        quality = _load(folder / "quality.json", unreadable)
        if findings is None and quality is None:
            continue
        month = _month(folder.name, findings or {}, quality)
        shown = tuple(n for n in REPORT_FILES if (folder / n).is_file())
        months.append(replace(month, reports=shown))
    return History(tuple(months), tuple(unreadable))


def month_from_quality(quality: dict[str, Any], findings: dict[str, Any] | None = None) -> Month:
    """A month from its quality report's JSON (and findings, when they exist)."""
    return _month(str(quality["period"]), findings or {}, quality)


def _load(path: Path, unreadable: list[str]) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("不是 JSON 对象")
        return data
    except (OSError, ValueError) as e:
        unreadable.append(f"{path.parent.name}/{path.name}：{e}")
        return None


def month_label(period: str) -> str:
    """2019年6月 for `2019-06`; the text itself when it is not a month."""
    try:
        return Period.parse(period).label
    except ValueError:
        return period


def _month(period: str, findings: dict[str, Any], quality: dict[str, Any] | None) -> Month:
    label = month_label(period)
    units: dict[str, None] = {}
    for f in findings.get("findings") or []:
        if isinstance(f, dict) and f.get("unit"):
            units.setdefault(str(f["unit"]), None)
    q_units = [str(u) for u in (quality or {}).get("units") or []]
    if q_units:  # the catalogue's order, when the quality report gives it
        units = dict.fromkeys([*q_units, *units])
    submitted: dict[str, str] = {}
    if quality and isinstance(quality.get("submission_status"), dict):
        submitted = {str(k): str(v) for k, v in quality["submission_status"].items()}
    else:
        for s in findings.get("submissions") or []:
            if isinstance(s, dict) and s.get("unit") and s.get("status") in COUNTING_STATUSES:
                submitted[str(s["unit"])] = str(s["status"])
        submitted = {u: submitted.get(u, "missing") for u in units}
    problems: dict[str, int] = {}
    if quality:
        for p in quality.get("problems") or []:
            if isinstance(p, dict) and p.get("unit"):
                problems[str(p["unit"])] = problems.get(str(p["unit"]), 0) + 1
    else:
        for s in findings.get("submissions") or []:
            if isinstance(s, dict) and s.get("unit"):
                n = len(s.get("problems") or [])
                problems[str(s["unit"])] = problems.get(str(s["unit"]), 0) + n
    summary = {str(k): int(v) for k, v in (findings.get("summary") or {}).items()}
    return Month(
        period=period,
        label=label,
        as_of=str(findings.get("as_of") or (quality or {}).get("as_of") or ""),
        summary=summary,
        units=tuple(units),
        submitted=submitted,
        scores=dict((quality or {}).get("scores") or {}),
        problems={u: problems.get(u, 0) for u in units} | problems,
        has_quality=quality is not None,
        findings=tuple(f for f in findings.get("findings") or [] if isinstance(f, dict)),
    )
