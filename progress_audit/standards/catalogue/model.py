"""The catalogue's plain data: goals, work standards (工作标准), their metrics and the units.

Frozen dataclasses so the rest of the engine can pass them around freely and a rerun can never
see a catalogue that an earlier stage changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from progress_audit.standards.catalogue.tracks import suggest_track

Comparator = Literal[">=", ">", "<=", "<", "~"]
Kind = Literal["cumulative", "level", "rate"]


@dataclass(frozen=True)
class Profile:
    """How a target is expected to accrue over the year (序时进度的进度曲线).

    `linear`: evenly by month. `deadline`: a one-off target, expected only at the deadline
    (one award, one certificate). `monthly`: cumulative shares for months 1–12 (seasonal work
    such as new urban jobs, which runs ahead of a straight line in the first half).
    """

    name: str = "linear"
    shape: Literal["linear", "deadline", "monthly"] = "linear"
    shares: tuple[float, ...] = ()
    note: str = ""


LINEAR = Profile()


@dataclass(frozen=True)
class Metric:
    """A numeric target (量化指标) found in a standard's text, e.g. 6.1.1 新增高新技术企业 20 家."""

    id: str
    name: str
    target: float
    unit: str
    comparator: Comparator
    kind: Kind
    profile: Profile
    deadline: date
    text: str
    """The words of the table that set the target, e.g. `新增高新技术企业20家`."""
    strive: bool = False
    """力争: a target to strive for rather than one that must be met."""
    baseline: float | None = None
    """Starting value of a `level` metric (基数); None for other kinds."""
    baseline_note: str = ""


@dataclass(frozen=True)
class Standard:
    """One work standard (工作标准) of the responsibility table, e.g. `6.1`."""

    id: str
    goal_no: int
    goal: str
    number: int
    standard: str
    leaders: tuple[str, ...]
    lead_units: tuple[str, ...]
    participants: tuple[str, ...]
    deadline: date
    metrics: tuple[Metric, ...]
    line: int
    """Line of the source table where the standard starts (for error messages and tracing)."""
    section: str = ""
    """The sub-heading the standard stands under in its goal (优化营商环境), if any."""
    track: str = "metric"
    """考核方式: `metric` (a numeric target), `ongoing` (常态工作) or `milestones` (节点任务)."""


@dataclass(frozen=True)
class Goal:
    """A goal (目标) of the table: its number and name, e.g. 6 着力增强创新能力."""

    no: int
    name: str


@dataclass(frozen=True)
class Unit:
    """A unit named in the table. Collective names (各板块, 相关部门) are groups (`is_group`)."""

    name: str
    is_group: bool
    lead_of: tuple[str, ...] = ()
    participant_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """The year's standards catalogue (重点任务责任分解目录)."""

    year: int
    source: str
    goals: tuple[Goal, ...]
    standards: tuple[Standard, ...]
    units: tuple[Unit, ...] = field(default=())

    def standard(self, standard_id: str) -> Standard:
        for s in self.standards:
            if s.id == standard_id:
                return s
        raise KeyError(standard_id)

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(m for s in self.standards for m in s.metrics)

    def lead_units(self) -> tuple[str, ...]:
        """Every unit that leads at least one standard, in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.standards:
            for u in s.lead_units:
                seen.setdefault(u, None)
        return tuple(seen)

    def to_json(self) -> dict[str, Any]:
        """The catalogue as `progress-audit catalogue --json` prints it (dates as ISO strings)."""

        def clean(obj: Any) -> Any:
            if isinstance(obj, date):
                return obj.isoformat()
            if isinstance(obj, dict):
                return {k: clean(v) for k, v in obj.items() if k != "line"}
            if isinstance(obj, list | tuple):
                return [clean(v) for v in obj]
            return obj

        data = asdict(self)
        for s in data["standards"]:
            if not s["section"]:
                s.pop("section")
            for m in s["metrics"]:
                if m["kind"] != "level":
                    m.pop("baseline")
                    m.pop("baseline_note")
        return clean(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Catalogue:
        """The catalogue `to_json` wrote (a year's `catalogue.json`)."""
        standards = []
        for s in data["standards"]:
            metrics = tuple(
                Metric(
                    id=m["id"],
                    name=m["name"],
                    target=float(m["target"]),
                    unit=m["unit"],
                    comparator=m["comparator"],
                    kind=m["kind"],
                    profile=Profile(
                        m["profile"]["name"],
                        m["profile"]["shape"],
                        tuple(m["profile"]["shares"]),
                        m["profile"]["note"],
                    ),
                    deadline=date.fromisoformat(m["deadline"]),
                    text=m["text"],
                    strive=m["strive"],
                    baseline=m.get("baseline"),
                    baseline_note=m.get("baseline_note", ""),
                )
                for m in s["metrics"]
            )
            standards.append(
                Standard(
                    id=s["id"],
                    goal_no=s["goal_no"],
                    goal=s["goal"],
                    number=s["number"],
                    standard=s["standard"],
                    leaders=tuple(s["leaders"]),
                    lead_units=tuple(s["lead_units"]),
                    participants=tuple(s["participants"]),
                    deadline=date.fromisoformat(s["deadline"]),
                    metrics=metrics,
                    line=0,
                    section=s.get("section", ""),
                    track=s.get("track") or suggest_track(s["standard"], bool(metrics)),
                )
            )
        return cls(
            year=data["year"],
            source=data["source"],
            goals=tuple(Goal(g["no"], g["name"]) for g in data["goals"]),
            standards=tuple(standards),
            units=tuple(
                Unit(u["name"], u["is_group"], tuple(u["lead_of"]), tuple(u["participant_of"]))
                for u in data["units"]
            ),
        )
