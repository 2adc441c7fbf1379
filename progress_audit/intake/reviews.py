"""The office's review actions (审核记录), kept in the ledger's database: appended, never
updated or deleted, so every return, correction, acceptance and withdrawal stays on record
with its time and reason.

`check_action` turns a request (`{"unit", "period", "action", ...}`, contract section 8) into
a `ReviewAction`, or refuses it with the reason in Chinese (an unknown unit, period or metric,
a missing reason, a value that is not a number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from progress_audit.model.period import Period, PeriodError
from progress_audit.model.records import REVIEW_ACTION_LABELS, ReviewAction

if TYPE_CHECKING:
    from progress_audit.intake.ledger import Ledger
    from progress_audit.standards.responsibility import TaskLine

ACTIONS = ("return", "correct", "accept", "withdraw")
NEEDS_REASON = ("return", "correct", "withdraw")
MAX_REASON = 500

_meta = sa.MetaData()
REVIEWS = sa.Table(
    "review_actions",
    _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit", sa.String(), nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("metric_id", sa.String(32)),
    sa.Column("value", sa.Float),
    sa.Column("sha256", sa.String(64)),
    sa.Column("by_name", sa.String(40)),
)


class ReviewRefused(ValueError):
    """A review request that cannot be kept; the message says why, in Chinese (400)."""


def _create(ledger: Ledger) -> None:
    """The table, created (or gaining its newer column) once per process and database."""
    if ledger.ensure_tables(_meta):
        _add_by(ledger)


def _add_by(ledger: Ledger) -> None:
    """A ledger kept before actions named who took them gains the column (those earlier
    actions read as the shared account's)."""
    columns = {c["name"] for c in sa.inspect(ledger.engine).get_columns("review_actions")}
    if "by_name" in columns:
        return
    try:
        with ledger.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE review_actions ADD COLUMN by_name VARCHAR(40)"))
    except (sa.exc.ProgrammingError, sa.exc.OperationalError):
        pass  # another process added it first


def keep_action(ledger: Ledger, action: ReviewAction) -> None:
    """Append one action (a new row; nothing is ever overwritten)."""
    _create(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(
            REVIEWS.insert(),
            {
                "unit": action.unit,
                "period": action.period,
                "action": action.action,
                "reason": action.reason,
                "at": action.at.astimezone(UTC).isoformat(timespec="microseconds"),
                "metric_id": action.metric_id,
                "value": action.value,
                "sha256": action.sha256,
                "by_name": action.by,
            },
        )


def review_actions(
    ledger: Ledger, *, period: str | None = None, unit: str | None = None
) -> list[ReviewAction]:
    """The actions kept (of a month, of a unit), in the order they were taken."""
    _create(ledger)
    query = sa.select(REVIEWS).order_by(REVIEWS.c.id)
    if period is not None:
        query = query.where(REVIEWS.c.period == period)
    if unit is not None:
        query = query.where(REVIEWS.c.unit == unit)
    with ledger.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        ReviewAction(
            unit=r.unit,
            period=r.period,
            action=r.action,
            reason=r.reason,
            at=datetime.fromisoformat(r.at),
            metric_id=r.metric_id,
            value=r.value,
            sha256=r.sha256,
            by=r.by_name or "office",
        )
        for r in rows
    ]


def check_action(
    request: Mapping[str, Any],
    assignments: Mapping[str, Sequence[TaskLine]],
    year: int,
    at: datetime,
    *,
    latest: str | None = None,
    current: str | None = None,
    files: Sequence[str] = (),
    by: str = "office",
) -> ReviewAction:
    """The action a request asks for, checked against the catalogue's units and metrics and
    the year's months up to `latest` (the open month) (pure). `current` is the sha256 of the
    unit's counting submission (what a return sends back); `files` the sha256s of the unit's
    files that month (what a withdrawal may name). Raises ReviewRefused with the reason."""
    if not isinstance(request, Mapping):
        raise ReviewRefused('请求应为 JSON 对象：{"unit", "period", "action", …}')
    action = _text(request.get("action"))
    if action not in ACTIONS:
        raise ReviewRefused(
            f"未知的审核操作“{action}”：应为 return（退回）、correct（核定审核值）、"
            "accept（确认采用）或 withdraw（撤下文件）"
        )
    unit = _text(request.get("unit"))
    if unit not in assignments:
        raise ReviewRefused(f"未知的单位“{unit}”：不是{year}年责任分解表中的牵头单位")
    period_text = _text(request.get("period"))
    try:
        period = Period.parse(period_text)
    except (PeriodError, ValueError) as e:
        raise ReviewRefused(f"未知的月份“{period_text}”：应写作 {year}-06 这样的年月") from e
    if period.year != year:
        raise ReviewRefused(f"未知的月份“{period_text}”：{period.year}年不是本年度（{year}年）")
    if latest is not None and str(period) > latest:
        raise ReviewRefused(f"未知的月份“{period_text}”：{period.label}还没有开始填报")
    reason = _text(request.get("reason"))
    label = REVIEW_ACTION_LABELS[action]
    if action in NEEDS_REASON and not reason:
        raise ReviewRefused(f"{label}须写明理由（reason）")
    if len(reason) > MAX_REASON:
        raise ReviewRefused(f"理由过长：不超过 {MAX_REASON} 字")
    metric_id: str | None = None
    value: float | None = None
    sha256: str | None = None
    if action == "correct":
        metric_id = _text(request.get("metric_id"))
        metrics = {ln.metric_id for ln in assignments[unit] if ln.metric_id}
        if metric_id not in metrics:
            raise ReviewRefused(f"未知的指标“{metric_id}”：{unit}牵头的任务中没有这个指标编号")
        value = _number(request.get("value"))
    if action in ("return", "correct", "accept") and current is None:
        raise ReviewRefused(f"{unit}{period.label}还没有计入的填报表，无可{label}")
    if action == "return":
        sha256 = current
    elif action == "withdraw":
        sha256 = _text(request.get("sha256")).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", sha256) or sha256 not in files:
            raise ReviewRefused(
                f"未知的文件“{sha256[:16]}”：不是{unit}{period.label}报送的文件（sha256）"
            )
    return ReviewAction(unit, str(period), action, reason, at, metric_id, value, sha256, by)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ReviewRefused("审核值（value）应为数字")
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            raise ReviewRefused(f"审核值“{value}”不是数字") from None
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ReviewRefused("审核值（value）应为不小于 0 的数字")
    return float(value)
