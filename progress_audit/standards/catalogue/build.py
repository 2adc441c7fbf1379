"""Building the catalogue: table rows + found targets + curated facts → `Catalogue`."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from progress_audit.standards.catalogue.curated import Curated, CuratedError
from progress_audit.standards.catalogue.model import Catalogue, Goal, Metric, Standard, Unit
from progress_audit.standards.catalogue.names import (
    is_group,
    join_wrapped,
    split_leaders,
    split_units,
)
from progress_audit.standards.catalogue.table import Row, TableError
from progress_audit.standards.catalogue.targets import find_targets

_NUMBERING = re.compile(r"^[（(](\d+)[）)]")
_MONTH_DEADLINE = re.compile(r"(\d{1,2})月(?:底|末)?(?:前|以前)")


def standard_deadline(text: str, year: int) -> date:
    """完成期限: `6月底前` → 30 June; 年内, 全年 or nothing said → the year's end."""
    months = [int(m) for m in _MONTH_DEADLINE.findall(text) if 1 <= int(m) <= 12]
    if months:
        month = max(months)
        return date(year, month, monthrange(year, month)[1])
    return date(year, 12, 31)


def build_catalogue(rows: list[Row], curated: Curated, year: int, source: str) -> Catalogue:
    """Turn the table's rows into the catalogue, checking every row and every curated fact."""
    goals: list[Goal] = []
    standards: list[Standard] = []
    for row in rows:
        goal_cell = row.text(0)
        if goal_cell:
            if not goal_cell.isdigit():
                raise TableError(f"{source} 第{row.line}行：序号 {goal_cell!r} 不是数字")
            expected = len(goals) + 1
            if int(goal_cell) != expected:
                raise TableError(
                    f"{source} 第{row.line}行：目标序号 {goal_cell} 不连续，此处应为 {expected}"
                )
            name = join_wrapped(row.cells[1])
            if not name:
                raise TableError(f"{source} 第{row.line}行：目标 {goal_cell} 缺少目标名称")
            goals.append(Goal(int(goal_cell), name))
        elif row.text(1):
            raise TableError(f"{source} 第{row.line}行：有目标名称但没有序号")
        if not goals:
            raise TableError(f"{source} 第{row.line}行：第一行工作标准之前没有目标序号")
        goal = goals[-1]

        text = join_wrapped(row.cells[2])
        numbering = _NUMBERING.match(text)
        in_goal = sum(1 for s in standards if s.goal_no == goal.no) + 1
        if not numbering:
            raise TableError(
                f"{source} 第{row.line}行：工作标准应以（{in_goal}）开头：{text[:20]!r}"
            )
        if int(numbering.group(1)) != in_goal:
            raise TableError(
                f"{source} 第{row.line}行：目标 {goal.no} 的工作标准编号"
                f"（{numbering.group(1)}）不连续，此处应为（{in_goal}）"
            )
        body = text[numbering.end() :].strip()
        leaders = split_leaders(row.cells[3])
        lead_units = split_units(row.cells[4])
        if not leaders or not lead_units:
            missing = "分管领导" if not leaders else "牵头单位"
            raise TableError(f"{source} 第{row.line}行：工作标准 {goal.no}.{in_goal} 缺少{missing}")
        standard_id = f"{goal.no}.{in_goal}"
        deadline = standard_deadline(body, year)
        metrics = _metrics(standard_id, body, deadline, curated)
        standards.append(
            Standard(
                id=standard_id,
                goal_no=goal.no,
                goal=goal.name,
                number=in_goal,
                standard=body,
                leaders=leaders,
                lead_units=lead_units,
                participants=split_units(row.cells[5]),
                deadline=deadline,
                metrics=metrics,
                line=row.line,
            )
        )

    known = {m.id for s in standards for m in s.metrics}
    stray = sorted(set(curated.metrics) - known)
    if stray:
        raise CuratedError(
            f"{curated.source}：以下指标在责任分解表原文中找不到：{', '.join(stray)}"
            "（请核对编号和目标值）"
        )
    return Catalogue(year, source, tuple(goals), tuple(standards), _units(standards))


def _metrics(standard_id: str, text: str, deadline: date, curated: Curated) -> tuple[Metric, ...]:
    try:
        found = find_targets(text, curated.skip.get(standard_id, ()))
    except ValueError as e:
        raise CuratedError(f"{curated.source} [skip] {standard_id}：{e}") from e
    metrics = []
    for n, target in enumerate(found, start=1):
        metric_id = f"{standard_id}.{n}"
        facts = curated.metrics.get(metric_id, {})
        where = f'[metrics."{metric_id}"]'
        if "target" in facts and float(facts["target"]) != target.target:
            raise CuratedError(
                f"{curated.source} {where}：target = {facts['target']}，"
                f"但原文为 {target.text!r}（{target.target:g}{target.unit}）"
            )
        kind = facts.get("kind", "rate" if target.unit == "%" else "cumulative")
        metrics.append(
            Metric(
                id=metric_id,
                name=facts.get("name", target.name),
                target=target.target,
                unit=target.unit,
                comparator=target.comparator,  # type: ignore[arg-type]
                kind=kind,
                profile=curated.profile(facts.get("profile", "linear"), where),
                deadline=facts.get("deadline", deadline),
                text=target.text,
                strive=target.strive,
                baseline=facts.get("baseline") if kind == "level" else None,
                baseline_note=facts.get("baseline_note", ""),
            )
        )
    return tuple(metrics)


def _units(standards: list[Standard]) -> tuple[Unit, ...]:
    lead: dict[str, list[str]] = {}
    part: dict[str, list[str]] = {}
    for s in standards:
        for u in s.lead_units:
            lead.setdefault(u, []).append(s.id)
            part.setdefault(u, [])
        for u in s.participants:
            part.setdefault(u, []).append(s.id)
            lead.setdefault(u, [])
    return tuple(Unit(name, is_group(name), tuple(lead[name]), tuple(part[name])) for name in lead)
