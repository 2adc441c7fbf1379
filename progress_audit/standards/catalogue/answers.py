"""The reviewed answers (审核结果): what the office confirmed about each standard's targets.

The import finds the targets in the text and suggests a kind; the office confirms or corrects
them in the review workbook; reading it back writes `review.toml` beside the table. The
catalogue is then the table's rows plus these answers. 2019's answers ship in the same file,
in the same form, so the shipped year and a new year are read by the same code.

For each standard the answers say either its metrics (every field, in order: the n-th is
`<standard>.<n>`) or that it has none (`no_target`), and then its track (`[tracks]`: 常态工作
`ongoing` or 节点任务 `milestones`; unsaid, the words suggest one). A standard the answers
do not mention gets the targets found in its text with the suggested kind (a table not yet
reviewed).
"""

from __future__ import annotations

import itertools
import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from progress_audit.standards.catalogue.model import LINEAR, Catalogue, Profile
from progress_audit.standards.catalogue.tracks import UNNUMBERED_TRACKS

KINDS = ("cumulative", "level", "rate")
COMPARATORS = (">=", ">", "<=", "<", "~")
METRIC_FIELDS = (
    "text",
    "name",
    "target",
    "unit",
    "comparator",
    "kind",
    "profile",
    "deadline",
    "strive",
    "baseline",
    "baseline_note",
)
"""A reviewed target's fields, in the order a review file writes them."""
METRIC_KEYS = frozenset(METRIC_FIELDS)
REQUIRED_KEYS = {"name", "target", "unit", "comparator", "kind", "profile", "deadline"}
DEADLINE_PROFILE = Profile("deadline", "deadline", note="一次性目标，到期限考核")


class AnswersError(ValueError):
    """The answers are inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Answers:
    source: str
    profiles: dict[str, Profile] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each reviewed metric by id (`6.4.1`), every field given."""
    no_target: frozenset[str] = frozenset()
    """Standards the office confirmed have no numeric target."""
    tracks: dict[str, str] = field(default_factory=dict)
    """The track (`ongoing` or `milestones`) the office set for a standard without a target."""

    def reviewed(self, standard_id: str) -> bool:
        return standard_id in self.no_target or any(
            m.rsplit(".", 1)[0] == standard_id for m in self.metrics
        )

    def metrics_of(self, standard_id: str) -> list[tuple[str, dict[str, Any]]]:
        return [(m, v) for m, v in self.metrics.items() if m.rsplit(".", 1)[0] == standard_id]

    def profile(self, name: str, where: str) -> Profile:
        if name == "linear":
            return LINEAR
        if name == "deadline":
            return DEADLINE_PROFILE
        if name not in self.profiles:
            known = ", ".join(["linear", "deadline", *self.profiles])
            raise AnswersError(f"{self.source} {where}：未定义的进度曲线 {name!r}（可选：{known}）")
        return self.profiles[name]


def check_profile(name: str, shape: str, shares: tuple[float, ...], where: str) -> None:
    if shape != "monthly":
        return
    if len(shares) != 12 or any(b < a for a, b in itertools.pairwise(shares)):
        raise AnswersError(f"{where}：进度曲线 {name} 须为 12 个逐月不减的累计比例")
    if abs(shares[-1] - 1.0) > 1e-9:
        raise AnswersError(f"{where}：进度曲线 {name} 12 月的累计比例须为 1")


def load_answers(path: Path) -> Answers:
    """Read and check the answers' own shape (the catalogue checks them against the text)."""
    source = str(path)
    if not path.exists():
        return Answers(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise AnswersError(f"{source}：格式错误：{e}") from e

    profiles: dict[str, Profile] = {}
    for name, spec in data.get("profiles", {}).items():
        shares = tuple(float(x) for x in spec.get("shares", ()))
        shape = spec.get("shape", "monthly")
        check_profile(name, shape, shares, f"{source} [profiles.{name}]")
        profiles[name] = Profile(name, shape, shares, spec.get("note", ""))

    metrics: dict[str, dict[str, Any]] = {}
    for metric_id, spec in data.get("metrics", {}).items():
        where = f'{source} [metrics."{metric_id}"]'
        unknown = set(spec) - METRIC_KEYS
        if unknown:
            raise AnswersError(f"{where}：未知的键 {', '.join(sorted(unknown))}")
        missing = REQUIRED_KEYS - set(spec)
        if missing:
            raise AnswersError(f"{where}：缺少 {', '.join(sorted(missing))}")
        if spec["kind"] not in KINDS:
            raise AnswersError(f"{where}：kind 须为 {', '.join(KINDS)} 之一")
        if spec["comparator"] not in COMPARATORS:
            raise AnswersError(f"{where}：comparator 须为 {' '.join(COMPARATORS)} 之一")
        if spec["kind"] == "level" and "baseline" not in spec:
            raise AnswersError(f"{where}：水平型指标（level）须写 baseline 基数")
        if not isinstance(spec["deadline"], date):
            raise AnswersError(f"{where}：deadline 须为日期，如 2019-12-31")
        metrics[metric_id] = dict(spec)
    tracks = _load_tracks(data.get("tracks", {}), source)
    return Answers(source, profiles, metrics, frozenset(data.get("no_target", ())), tracks)


def _load_tracks(data: Any, source: str) -> dict[str, str]:
    """`[tracks]`: `ongoing = ["1.2", …]`, `milestones = ["7.1", …]`; each standard once."""
    if not isinstance(data, dict):
        raise AnswersError(f'{source} [tracks]：应为一节，如 ongoing = ["1.2"]')
    tracks: dict[str, str] = {}
    for track, ids in data.items():
        if track not in UNNUMBERED_TRACKS:
            raise AnswersError(
                f"{source} [tracks]：未知的考核方式 {track!r}"
                f"（可选：{'、'.join(UNNUMBERED_TRACKS)}）"
            )
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise AnswersError(f"{source} [tracks] {track}：应为工作标准编号的列表")
        for standard_id in ids:
            if standard_id in tracks:
                raise AnswersError(
                    f"{source} [tracks]：工作标准 {standard_id} 同时列为"
                    f" {tracks[standard_id]} 和 {track}"
                )
            tracks[standard_id] = track
    return tracks


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def dump_answers(answers: Answers, year: int, header: str = "") -> str:
    """The answers as `review.toml`: what `load_answers` reads back."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"year = {year}", ""]
    lines.append("no_target = [")
    for sid in sorted(answers.no_target, key=_id_key):
        lines.append(f"    {_toml_value(sid)},")
    lines += ["]", ""]
    if answers.tracks:
        lines.append("[tracks]")
        for track in UNNUMBERED_TRACKS:
            ids = sorted((i for i, t in answers.tracks.items() if t == track), key=_id_key)
            lines.append(f"{track} = [")
            lines += [f"    {_toml_value(i)}," for i in ids]
            lines.append("]")
        lines.append("")
    for name, profile in answers.profiles.items():
        lines.append(f"[profiles.{json.dumps(name, ensure_ascii=False)}]")
        lines.append(f"shape = {_toml_value(profile.shape)}")
        lines.append(f"shares = {_toml_value(list(profile.shares))}")
        lines.append(f"note = {_toml_value(profile.note)}")
        lines.append("")
    for metric_id in sorted(answers.metrics, key=_id_key):
        spec = answers.metrics[metric_id]
        lines.append(f"[metrics.{json.dumps(metric_id)}]")
        for key in sorted(spec, key=METRIC_FIELDS.index):
            if spec[key] is not None:
                lines.append(f"{key} = {_toml_value(spec[key])}")
        lines.append("")
    return "\n".join(lines)


def _id_key(metric_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in metric_id.split("."))


def answers_from_catalogue(cat: Catalogue, source: str = "") -> Answers:
    """The answers that give exactly `cat`'s metrics (what a review of it confirms)."""
    profiles: dict[str, Profile] = {}
    metrics: dict[str, dict[str, Any]] = {}
    for m in cat.metrics:
        if m.profile.name not in ("linear", "deadline"):
            profiles[m.profile.name] = m.profile
        spec: dict[str, Any] = {
            "text": m.text,
            "name": m.name,
            "target": m.target,
            "unit": m.unit,
            "comparator": m.comparator,
            "kind": m.kind,
            "profile": m.profile.name,
            "deadline": m.deadline,
            "strive": m.strive,
        }
        if m.kind == "level":
            spec["baseline"] = m.baseline
            spec["baseline_note"] = m.baseline_note
        metrics[m.id] = spec
    no_target = frozenset(s.id for s in cat.standards if not s.metrics)
    tracks = {s.id: s.track for s in cat.standards if not s.metrics}
    return Answers(source, profiles, metrics, no_target, tracks)
