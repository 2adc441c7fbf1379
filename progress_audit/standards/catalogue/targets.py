"""Finding the numeric targets (量化指标) in a standard's text.

A target is a number with a unit of measure (`20家`, `5000亩以上`, `超60%`). Numbers with no unit
(`3550`标准, `5G`, `5A级`, `世界500强`) never match, nor does a standard with no number at all
(`稳中提质`, `完成市下达任务`). A number that defines a category rather than sets a target is a
qualifier, not a target: an amount joined to another by 或 (`超30亿元或3亿美元`), or an amount
that describes what is then counted in the same clause (`投资超10亿元项目20个` → 20 个).
`各1家` after a list (`省长质量奖和市长质量奖企业各1家`) is one target per item.

The words say the comparator (左右 ~; 以上, 不低于, 不少于, 达到 ≥; 超, 突破 >; 以内, 以下,
控制在 ≤) and suggest the kind (`default_kind`), which the office confirms in the review.
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
    ("突破", ">"),
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
# Units that measure an amount (money, area, weight) rather than count things: an amount right
# before what is counted (`10亿元项目20个`) says which things count.
AMOUNT_UNITS = (
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
    "吨",
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
        for word, _ in sorted(COMPARATOR_BEFORE, key=lambda wc: -len(wc[0])):
            if before.endswith(word):
                before_cut = before[: -len(word)]
                break
        return dict(COMPARATOR_AFTER)[after], before_cut
    for word, comparator in sorted(COMPARATOR_BEFORE, key=lambda wc: -len(wc[0])):
        if before.endswith(word):  # the longest first: 不超过 before 超过
            return comparator, before[: -len(word)]
    return ">=", before  # a plain `新增高新技术企业20家` is a floor


def find_targets(text: str) -> list[FoundTarget]:
    """Every numeric target in `text`, in order of appearance (qualifiers left out)."""
    found: list[FoundTarget] = []
    matches = [
        m
        for m in _QUANTITY.finditer(text)
        # A digit or letter right before the number means it is part of a code (`SK`, `4.0`).
        if not (m.start() > 0 and re.match(r"[0-9A-Za-z.]", text[m.start() - 1]))
    ]
    for i, m in enumerate(matches):
        if _is_qualifier(text, m, matches[i + 1 : i + 2]):
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


def _is_qualifier(text: str, m: re.Match[str], following: list[re.Match[str]]) -> bool:
    """Whether the quantity `m` says which things count rather than how many must be done."""
    rest = text[m.end() :]
    if re.match(r"或\d", rest):  # 超30亿元或3亿美元…
        return True
    if not following or m.group("unit") not in AMOUNT_UNITS or m.group("each"):
        return False
    between = text[m.end() : following[0].start()]
    # The next quantity follows in the same clause, after a noun (项目, 工业项目), not a verb.
    return (
        bool(between)
        and not _CLAUSE_BREAK.search(between)
        and not re.search(r"[和及与或]", between[:1])
        and len(between) <= 12
    )


KIND_WORDS_RATE = ("增长", "增速", "占比", "比重", "比例", "率")


def default_kind(target: FoundTarget) -> str:
    """The kind the words suggest: a share or growth rate (增长, 占比, …率, %) is a `rate`, a
    count or amount to be added, completed or built (新增, 完成, 招引, 建成) `cumulative`.
    A `level` needs a baseline, so the office sets it in the review."""
    if target.unit == "%" or any(w in target.text for w in KIND_WORDS_RATE):
        return "rate"
    return "cumulative"


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
