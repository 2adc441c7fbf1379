"""Tracks (考核方式): how a standard without a numeric target is audited.

`metric` 量化指标: a standard with a numeric target (sections 4–5). `ongoing` 常态工作: a standing
duty (坚持…, 深化…, 严格落实…), judged by whether the month's 进展情况 says what was done and is
not a copy of last month's. `milestones` 节点任务: a project (建成, 竣工通车, 开工, 挂牌), judged
by the lead unit's approved node plan (节点计划).

`suggest_track` reads the standard's words for the import's suggestion; the office confirms or
corrects it in the review workbook, and the reviewed answers (`review.toml`) say the last word.
"""

from __future__ import annotations

import re
from typing import Literal

Track = Literal["metric", "ongoing", "milestones"]
TRACKS: tuple[Track, ...] = ("metric", "ongoing", "milestones")
TRACK_LABELS: dict[str, str] = {
    "metric": "量化指标",
    "ongoing": "常态工作",
    "milestones": "节点任务",
}
"""Each track's Chinese name, as the review workbook, the templates and the reports say it."""
UNNUMBERED_TRACKS: tuple[Track, ...] = ("ongoing", "milestones")
"""The tracks a standard without a numeric target may be given."""

MILESTONE_WORDS = re.compile(
    r"建成|竣工|通车|开工|投用|投运|挂牌|启用|开通|交付|创成|出台|编制|完成[^，。；]{0,20}"
    r"(?:改造|建设|工程|治理|整治|修复)"
)
"""Words of a project with an end state: something is built, opened, listed or finished."""
ONGOING_WORDS = re.compile(r"坚持|持续|深化|加强|严格|落实|不断|继续|强化")
"""Words of a standing duty."""


def suggest_track(text: str, has_metrics: bool = False) -> Track:
    """The import's suggestion for a standard's track, from its words.

    A numeric target makes it `metric`; words of an end state (建成、竣工、通车、开工、投用、
    挂牌、完成…改造) make it `milestones`; otherwise, and for the words of a standing duty
    (坚持、持续、深化、加强、严格、落实), `ongoing`.
    """
    if has_metrics:
        return "metric"
    if MILESTONE_WORDS.search(text):
        return "milestones"
    return "ongoing"


def track_label(track: str) -> str:
    """考核方式 in Chinese: 量化指标, 常态工作, 节点任务."""
    return TRACK_LABELS.get(track, track)
