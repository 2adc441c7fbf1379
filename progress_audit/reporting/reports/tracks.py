"""What a leader asks of the standards without a number (通报中的常态工作和节点任务).

From a month's findings: the milestone nodes missed this month and how long they have been
late, by 分管领导 and unit; the extensions granted (a node judged by a later month than planned,
its original month beside it); the units without an approved node plan; and the ongoing duties
with no 进展情况 or last month's copied. `unit_lines` is the same for one unit, for its
feedback. Plain data and sentences: the 通报's writers (xlsx, html, docx) lay them out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from progress_audit.assessment.tracks import COPIED, NO_PLAN
from progress_audit.model.period import Period
from progress_audit.model.records import Finding


@dataclass(frozen=True)
class MissedNode:
    """A node due and not done (节点逾期): whose, which, since when."""

    leader: str
    unit: str
    task_id: str
    node: int
    content: str
    due: str
    planned: str
    months_late: int

    @property
    def sentence(self) -> str:
        moved = (
            f"（原计划 {Period.parse(self.planned).label}，已延期）"
            if self.planned != self.due
            else ""
        )
        return (
            f"{self.unit} 任务 {self.task_id} 节点 {self.node}“{self.content}”应于"
            f"{Period.parse(self.due).label}完成{moved}，已逾期 {self.months_late} 个月"
        )


@dataclass(frozen=True)
class TrackSections:
    missed: tuple[MissedNode, ...]
    """Worst first (longest late), then by leader, unit, task and node."""
    extended: tuple[MissedNode, ...]
    """Nodes judged by a later month than planned (延期获批), late or not."""
    without_plan: tuple[tuple[str, tuple[str, ...]], ...]
    """(unit, its milestone task ids) with no approved plan (未制定节点计划 or 计划审定中)."""
    ongoing_unreported: tuple[Finding, ...]
    ongoing_copied: tuple[Finding, ...]

    def lines(self) -> list[str]:
        """The sections as a clerk would write them, one sentence a line."""
        out: list[str] = []
        if self.missed:
            out.append(f"节点任务逾期节点 {len(self.missed)} 个：")
            for leader in dict.fromkeys(m.leader for m in self.missed):
                out.append(f"  {leader}分管：")
                out += [f"    {m.sentence}" for m in self.missed if m.leader == leader]
        if self.extended:
            out.append(f"经批准延期的节点 {len(self.extended)} 个：")
            out += [
                f"  {m.unit} 任务 {m.task_id} 节点 {m.node}：{Period.parse(m.planned).label}"
                f" → {Period.parse(m.due).label}"
                for m in self.extended
            ]
        if self.without_plan:
            out.append(f"尚无审定节点计划的单位 {len(self.without_plan)} 个：")
            out += [f"  {u}（任务 {'、'.join(ids)}）" for u, ids in self.without_plan]
        if self.ongoing_unreported:
            out.append(f"常态工作未报进展情况 {len(self.ongoing_unreported)} 项：")
            out += [f"  {f.unit} 任务 {f.task_id}" for f in self.ongoing_unreported]
        if self.ongoing_copied:
            out.append(f"常态工作进展情况照抄上月 {len(self.ongoing_copied)} 项：")
            out += [f"  {f.unit} 任务 {f.task_id}" for f in self.ongoing_copied]
        return out

    def paragraphs(self) -> list[str]:
        """The sections as the 通报's body part (节点任务和常态工作): numbered as an official
        document numbers them, the missed nodes under each 分管领导."""
        out: list[str] = []
        n = 0

        def head(text: str) -> None:
            nonlocal n
            n += 1
            out.append(f"（{_ORDINALS[n]}）{text}")

        if self.missed:
            tasks = {(m.unit, m.task_id) for m in self.missed}
            units = {m.unit for m in self.missed}
            head(
                f"节点逾期。{len(self.missed)}个节点未按计划完成，涉及{len(units)}个单位"
                f"{len(tasks)}项任务："
            )
            for leader in dict.fromkeys(m.leader for m in self.missed):
                mine = [m for m in self.missed if m.leader == leader]
                out.append(f"{leader}分管（{len(mine)}个）：")
                out += [f"{i}．{m.sentence}。" for i, m in enumerate(mine, start=1)]
        else:
            head("节点逾期。本月没有逾期未完成的节点。")
        if self.extended:
            head(f"节点延期。经批准延期的节点{len(self.extended)}个，按新的月份考核：")
            out += [
                f"{i}．{m.unit} 任务 {m.task_id} 节点 {m.node}“{m.content}”："
                f"原计划{Period.parse(m.planned).label}，延期至{Period.parse(m.due).label}。"
                for i, m in enumerate(self.extended, start=1)
            ]
        if self.without_plan:
            tasks = sum(len(ids) for _, ids in self.without_plan)
            head(
                f"节点计划。{len(self.without_plan)}个单位尚无审定的节点计划（{tasks}项任务）："
                + "；".join(f"{u}（任务{'、'.join(ids)}）" for u, ids in self.without_plan)
                + "。"
            )
        else:
            head("节点计划。各牵头单位的节点计划均已审定。")
        unreported = "、".join(f"{f.unit}（任务{f.task_id}）" for f in self.ongoing_unreported)
        copied = "、".join(f"{f.unit}（任务{f.task_id}）" for f in self.ongoing_copied)
        head(
            "常态工作。"
            + (
                f"{len(self.ongoing_unreported)}项未报送进展情况：{unreported}。"
                if unreported
                else "各项均已报送进展情况。"
            )
            + (
                f"{len(self.ongoing_copied)}项进展情况与上月相同（照抄上月）：{copied}。"
                if copied
                else "没有照抄上月进展情况的。"
            )
        )
        return out


_ORDINALS = "〇一二三四五六七八九"
LeaderOf = Callable[[Finding], str]


def track_sections(findings: Sequence[Finding], leader: LeaderOf | None = None) -> TrackSections:
    """The sections of a month's findings (see the module's docstring); each missed node
    under `leader(finding)`: the 通报 passes the leader its count tables count it under."""
    missed: list[MissedNode] = []
    extended: list[MissedNode] = []
    without: dict[str, list[str]] = {}
    for f in findings:
        if f.track != "milestones":
            continue
        who = leader(f) if leader else "、".join(f.leaders) or "未明确分管领导"
        if f.status == "planning" or f.reasons[:1] == (NO_PLAN,):
            without.setdefault(f.unit, []).append(f.task_id)
        for n in f.nodes or ():
            node = MissedNode(
                who, f.unit, f.task_id, n.node, n.content, n.due, n.planned, n.months_late
            )
            if n.months_late > 0:
                missed.append(node)
            if n.planned != n.due:
                extended.append(node)
    missed.sort(key=lambda m: (-m.months_late, m.leader, m.unit, _key(m.task_id), m.node))
    extended.sort(key=lambda m: (m.unit, _key(m.task_id), m.node))
    ongoing = [f for f in findings if f.track == "ongoing"]
    return TrackSections(
        tuple(missed),
        tuple(extended),
        tuple((u, tuple(ids)) for u, ids in without.items()),
        tuple(f for f in ongoing if f.status == "missing"),
        tuple(f for f in ongoing if COPIED in f.reasons),
    )


def unit_lines(findings: Sequence[Finding], unit: str) -> list[str]:
    """The same sections for one unit's own feedback."""
    return track_sections([f for f in findings if f.unit == unit]).lines()


def _key(task_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in task_id.split(".") if p.isdigit())
