"""Finding the numeric targets (量化指标) in a standard's text.

A target is a number with a unit of measure (`20家`, `5000亩以上`, `超60%`). Numbers with no unit
(`3550`标准, `5G`, `5A级`, `世界500强`) never match. Numbers that define a category rather than
set a target (`协议投资超30亿元或3亿美元工业项目`) are listed in the curated facts and skipped.
`各1家` after a list (`省长质量奖和市长质量奖企业各1家`) is one target per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest first, so 亿元 wins over 元 and 万人 over 人.
UNITS_OF_MEASURE = (
    "亿美元",
    "万美元",
    "美元",
    "亿元",
    "万元",
    "元",
    "万亩",
    "亩",
    "万平方米",
    "平方米",
    "万吨",
    "公里",
    "千米",
    "万人",
    "人次",
    "人",
    "家",
    "个",
    "件",
    "所",
    "项",
    "座",
    "条",
    "户",
    "辆",
    "吨",
    "台",
    "套",
    "处",
    "场",
    "次",
    "张",
    "%",
)

# Words before the number, longest first.
COMPARATOR_BEFORE = (
    ("不低于", ">="),
    ("不少于", ">="),
    ("达到", ">="),
    ("超过", ">"),
    ("高于", ">"),
    ("不超过", "<="),
    ("不高于", "<="),
    ("控制在", "<="),
    ("低于", "<"),
    ("达", ">="),
    ("超", ">"),
)
COMPARATOR_AFTER = (("以上", ">="), ("左右", "~"), ("以内", "<="), ("以下", "<="))

# Words at the start of a clause that say when or how firmly, not what is measured.
FILLER_PREFIXES = ("其中", "全年", "年内", "确保", "力争", "全区", "完成", "实现", "累计")
_NUMBER = r"(?P<num>\d+(?:\.\d+)?)"
_QUANTITY = re.compile(
    rf"(?P<each>各)?{_NUMBER}(?P<unit>{'|'.join(map(re.escape, UNITS_OF_MEASURE))})"
    rf"(?P<after>{'|'.join(w for w, _ in COMPARATOR_AFTER)})?"
)
_CLAUSE_BREAK = re.compile(r"[，,。；;：:、！？]")
_LIST_SPLIT = re.compile(r"和|及|与|、")


@dataclass(frozen=True)
class FoundTarget:
    """A target as the text gives it; the catalogue adds kind, profile and deadline."""

    name: str
    target: float
    unit: str
    comparator: str
    text: str
    strive: bool
    start: int


def _strip_fillers(text: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in sorted(FILLER_PREFIXES, key=len, reverse=True):
            if text.startswith(word) and len(text) > len(word):
                text, changed = text[len(word) :], True
    return text


def _comparator(before: str, after: str | None) -> tuple[str, str]:
    """The comparator and the clause text before the number with the comparator word cut off."""
    if after:
        before_cut = before
        for word, _ in COMPARATOR_BEFORE:
            if before.endswith(word):
                before_cut = before[: -len(word)]
                break
        return dict(COMPARATOR_AFTER)[after], before_cut
    for word, comparator in COMPARATOR_BEFORE:
        if before.endswith(word):
            return comparator, before[: -len(word)]
    return ">=", before  # a plain `新增高新技术企业20家` is a floor


def find_targets(text: str, skip_spans: tuple[str, ...] = ()) -> list[FoundTarget]:
    """Every numeric target in `text`, in order of appearance.

    `skip_spans` are phrases of the text whose numbers define a category (curated facts).
    """
    skipped: list[range] = []
    for span in skip_spans:
        at = text.find(span)
        if at < 0:
            raise ValueError(f"curated phrase {span!r} is not in the standard's text")
        skipped.append(range(at, at + len(span)))

    found: list[FoundTarget] = []
    for m in _QUANTITY.finditer(text):
        if any(m.start("num") in r for r in skipped):
            continue
        # A digit or letter right before the number means it is part of a code (`SK`, `4.0`).
        if m.start() > 0 and re.match(r"[0-9A-Za-z.]", text[m.start() - 1]):
            continue
        clause_start = max((b.end() for b in _CLAUSE_BREAK.finditer(text, 0, m.start())), default=0)
        before = text[clause_start : m.start()]
        comparator, subject = _comparator(before, m.group("after"))
        strive = "力争" in text[max(0, clause_start - 12) : m.start()]
        subject = re.sub(r"(全部|均|总计|合计)$", "", subject)
        name = _strip_fillers(subject.strip())
        if len(name) <= 2 or name in FILLER_PREFIXES:
            # `年内确保8所学校建成投用`: the noun comes after the number.
            rest = text[m.end() :]
            tail = _CLAUSE_BREAK.split(rest, maxsplit=1)[0]
            name = (name if name not in FILLER_PREFIXES else "") + tail if tail else name
        number = float(m.group("num"))
        unit = m.group("unit")
        words = text[clause_start : m.end()]
        if m.group("each"):
            # `省长质量奖和市长质量奖企业各1家`: one target per item of the list.
            items = _LIST_SPLIT.split(name)
            suffix = _common_suffix(items)
            for item in items:
                item_name = item if item.endswith(suffix) else item + suffix
                found.append(
                    FoundTarget(
                        _strip_fillers(item_name),
                        number,
                        unit,
                        comparator,
                        words,
                        strive,
                        m.start(),
                    )
                )
            continue
        found.append(FoundTarget(name, number, unit, comparator, words, strive, m.start()))
    return found


def _common_suffix(items: list[str]) -> str:
    """The words the last item of a list carries for all (`…奖企业` → `企业`)."""
    last = items[-1]
    for other in items[:-1]:
        if last.endswith(other):
            return ""
    # The shared tail is what the last item has beyond the shape of the first.
    first = items[0]
    for cut in range(len(last) - 1, 0, -1):
        tail = last[cut:]
        if not first.endswith(tail) and first[-1] == last[cut - 1]:
            return tail
    return ""
