"""The curated facts (人工核定事项): what the office knows that the table's text does not say.

Kinds, profiles, baselines, better names, and the phrases whose numbers only define a category.
The file is small TOML the office edits by hand; every entry is checked against the table so a
typo fails loudly instead of changing a target.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from progress_audit.standards.catalogue.model import LINEAR, Profile

KINDS = ("cumulative", "level", "rate")
METRIC_KEYS = {"target", "kind", "profile", "name", "deadline", "baseline", "baseline_note"}


class CuratedError(ValueError):
    """The curated facts are inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Curated:
    source: str
    profiles: dict[str, Profile] = field(default_factory=dict)
    skip: dict[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)

    def profile(self, name: str, where: str) -> Profile:
        if name == "linear":
            return LINEAR
        if name == "deadline":
            return Profile("deadline", "deadline", note="一次性目标，到期限考核")
        if name not in self.profiles:
            known = ", ".join(["linear", "deadline", *self.profiles])
            raise CuratedError(f"{self.source} {where}：未定义的进度曲线 {name!r}（可选：{known}）")
        return self.profiles[name]


def load_curated(path: Path) -> Curated:
    """Read and check the curated facts' own shape (the catalogue checks them against the text)."""
    source = str(path)
    if not path.exists():
        return Curated(source)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CuratedError(f"{source}：格式错误：{e}") from e

    profiles: dict[str, Profile] = {}
    for name, spec in data.get("profiles", {}).items():
        shares = tuple(float(x) for x in spec.get("shares", ()))
        shape = spec.get("shape", "monthly")
        if shape == "monthly":
            if len(shares) != 12 or any(b < a for a, b in itertools.pairwise(shares)):
                raise CuratedError(
                    f"{source} [profiles.{name}]：shares 须为 12 个逐月不减的累计比例"
                )
            if abs(shares[-1] - 1.0) > 1e-9:
                raise CuratedError(f"{source} [profiles.{name}]：12 月的累计比例须为 1.0")
        profiles[name] = Profile(name, shape, shares, spec.get("note", ""))

    metrics: dict[str, dict[str, Any]] = {}
    for metric_id, spec in data.get("metrics", {}).items():
        where = f'[metrics."{metric_id}"]'
        unknown = set(spec) - METRIC_KEYS
        if unknown:
            raise CuratedError(f"{source} {where}：未知的键 {', '.join(sorted(unknown))}")
        if "kind" in spec and spec["kind"] not in KINDS:
            raise CuratedError(f"{source} {where}：kind 须为 {', '.join(KINDS)} 之一")
        if spec.get("kind") == "level" and "baseline" not in spec:
            raise CuratedError(f"{source} {where}：水平型指标（level）须写 baseline 基数")
        if "deadline" in spec and not isinstance(spec["deadline"], date):
            raise CuratedError(f"{source} {where}：deadline 须为日期，如 2019-12-31")
        metrics[metric_id] = dict(spec)

    skip = {k: tuple(v) for k, v in data.get("skip", {}).items()}
    return Curated(source, profiles, skip, metrics)
