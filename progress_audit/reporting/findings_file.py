"""The findings file (督查结果文件): `DIR/reports/<period>/findings.json`.

The same inputs and `--as-of` give the same bytes: keys in a fixed order, findings sorted by
task, metric and unit, submissions by unit, month, time received and file, and every float
rounded to 4 decimals. The only thing allowed to differ between reruns is what the caller
passes in `extra` (the generation time stamp).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from progress_audit.assessment.assess import finding_order, summarise
from progress_audit.config import OFFICE_TIMEZONE
from progress_audit.files.atomic import write_text
from progress_audit.model.period import Period
from progress_audit.model.records import Finding, Submission

PLACES = 4
CONTRACT_KEYS = ("period", "as_of", "summary", "findings", "submissions")


def findings_document(
    period: Period,
    as_of: datetime,
    findings: Iterable[Finding],
    submissions: Iterable[Submission],
    extra: Mapping | None = None,
    *,
    tz: str = OFFICE_TIMEZONE,
) -> dict:
    """The findings file's content: the contract's keys in its order, then `extra`."""
    if as_of.tzinfo is None:
        raise ValueError("as_of 须带时区（例如 2019-07-06T09:00:00+08:00）")
    ordered = sorted(findings, key=finding_order)
    clash = set(CONTRACT_KEYS) & set(extra or {})
    if clash:
        raise ValueError(f"附加字段与约定字段重名：{'、'.join(sorted(clash))}")
    return {
        "period": str(period),
        "as_of": as_of.astimezone(ZoneInfo(tz)).isoformat(),
        "summary": summarise(ordered),
        "findings": [finding_json(f) for f in ordered],
        "submissions": [
            _rounded(s.to_json())
            for s in sorted(
                submissions, key=lambda s: (s.unit or "", s.period or "", s.received_at, s.file)
            )
        ],
        **(extra or {}),
    }


def finding_json(f: Finding) -> dict:
    """One finding: the contract's fields, then what a leader needs to act."""
    source = f.source.to_json() if f.source else {"file": None, "sheet": None, "cell": None}
    return _rounded(
        {
            "task_id": f.task_id,
            "metric_id": f.metric_id,
            "unit": f.unit,
            "leaders": list(f.leaders),
            "status": f.status,
            "target": f.target,
            "actual": f.actual,
            "expected": f.expected,
            "ratio": f.ratio,
            "gap": f.gap,
            "required_monthly": f.required_monthly,
            "time_progress": f.time_progress,
            "deadline": f.deadline.isoformat(),
            "reasons": list(f.reasons),
            "source": source,
            "reported": f.reported,
            "review": dict(f.review) if f.review is not None else None,
            "name": f.name,
            "unit_of_measure": f.unit_of_measure,
            "gap_points": f.gap_points,
            "projection": f.projection,
            "due_soon": f.due_soon,
            "issues": f.issues,
            "progress": f.progress,
            "warnings": list(f.warnings),
            "track": f.track,
            **({"nodes": [n.to_json() for n in f.nodes]} if f.nodes is not None else {}),
        }
    )


def write_findings(path: Path, document: dict) -> None:
    """Write the document atomically: UTF-8, Chinese as is, indented, ending with a newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
    write_text(Path(path), text + "\n")


def _rounded(value: object) -> object:
    """Floats to 4 decimals (no -0.0, no NaN or infinity), recursively."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, PLACES) + 0.0
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value
