"""A short Chinese summary of the catalogue for the terminal (目录概况)."""

from __future__ import annotations

from progress_audit.standards.catalogue import Catalogue


def summary_text(cat: Catalogue) -> str:
    """Counts, then one line per goal, then the numeric targets."""
    units = [u for u in cat.units if not u.is_group]
    groups = [u for u in cat.units if u.is_group]
    lines = [
        f"{cat.year} 年重点任务目录（{cat.source}）",
        f"目标 {len(cat.goals)} 项，工作标准 {len(cat.standards)} 条，"
        f"量化指标 {len(cat.metrics)} 个，"
        f"牵头单位 {len(cat.lead_units())} 个，单位 {len(units)} 个，集合名称 {len(groups)} 个"
        f"（{'；'.join(g.name for g in groups)}）",
        "",
    ]
    for goal in cat.goals:
        count = sum(1 for s in cat.standards if s.goal_no == goal.no)
        lines.append(f"  {goal.no:>2}. {goal.name}（{count} 条）")
    lines += ["", "量化指标："]
    comparators = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "约"}
    kinds = {"cumulative": "累计", "level": "水平", "rate": "比率"}
    for m in cat.metrics:
        lines.append(
            f"  {m.id:<7} {m.name} {comparators[m.comparator]}{m.target:g}{m.unit}"
            f"（{kinds[m.kind]}，{m.profile.name}，期限 {m.deadline.isoformat()}）"
        )
    return "\n".join(lines)
