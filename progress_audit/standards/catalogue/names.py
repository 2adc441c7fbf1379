"""Names in the table's cells: leaders (分管领导) and units (牵头单位, 参与单位).

A cell holds one name per line, but the table also wraps a long name onto the next line
(`地方金融监督` / `管理局`). A line is joined to the one before it when that one cannot be a
whole name: it ends in a connective (和, 及) or not in one of the words that end a unit's name
(局, 办, 镇, 公司, …). Two whole names on two lines stay two (`老城办`, `开发区`).
"""

from __future__ import annotations

import re

# The words that end a unit's name in a district's tables: bureaux, offices, towns, parks,
# companies, and the collective names (各板块, 各单位、部门).
UNIT_NAME_ENDINGS = (
    "局",
    "办",
    "区",
    "镇",
    "街道",
    "公司",
    "部门",
    "板块",
    "园",
    "中心",
    "社",
    "委",
    "部",
    "集团",
    "控股",
    "建设",
    "机构",
    "银行",
    "院",
    "所",
    "队",
    "会",
    "站",
    "处",
    "厅",
    "室",
)
CONNECTIVES = ("和", "及", "与", "、", "暨")

# Collective names stand for many units; configuration can expand them (see settings).
GROUP_PREFIXES = ("各", "相关")


def is_group(name: str) -> bool:
    """A collective name (各板块, 各单位、部门, 相关部门, 相关板块, 各区长) rather than one unit."""
    return name.startswith(GROUP_PREFIXES)


def _complete(fragment: str) -> bool:
    if fragment.endswith((")", "）")):  # 经开区(儒林镇), 商务局（招商办）
        return True
    return fragment.endswith(UNIT_NAME_ENDINGS) and not fragment.endswith(CONNECTIVES)


# The second half of a collective name written with 、 (各单位、部门): not a unit of its own.
GENERIC_WORDS = (
    "部门",
    "单位",
    "板块",
    "镇街",
    "镇（街道）",
    "镇(街道)",
    "街道",
    "园区",
    "机构",
    "企业",
)
_SEPARATORS = re.compile(r"[、，,；;]")


def _pieces(raw: str) -> list[str]:
    """A line of a cell cut at 、，; where it lists names, a collective name kept whole."""
    line = re.sub(r"\s+", "", raw)
    pieces: list[str] = []
    for piece in _SEPARATORS.split(line):
        if not piece:
            continue
        if pieces and is_group(pieces[-1]) and piece in GENERIC_WORDS:
            pieces[-1] += "、" + piece  # 各单位、部门
        elif pieces and piece.startswith(("(", "（")):
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def split_units(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The unit names of a cell, with names wrapped across lines joined again.

    Names stand one a line or are separated by 、，; a line in brackets (`（某某镇）`,
    `(某某办)`) belongs to the name before it, as does a line that the name before it does not
    end (`地方金融监督` + `管理局`).
    """
    names: list[str] = []
    for raw in lines:
        for n, part in enumerate(_pieces(raw)):
            if names and (
                part.startswith(("(", "（"))
                or (n == 0 and not _complete(names[-1]))
                or (n == 0 and is_group(names[-1]) and part in GENERIC_WORDS)
            ):
                joiner = "、" if is_group(names[-1]) and part in GENERIC_WORDS else ""
                names[-1] += joiner + part
            else:
                names.append(part)
    return tuple(names)


def split_leaders(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The leaders of a cell: one a line or separated by 、，or spaces.

    The spaces that pad a two-character name (`陶  伟`) are dropped: single characters
    separated by spaces are one name, longer words each a name (`周新生 陶伟`).
    """
    leaders: list[str] = []
    for raw in lines:
        for piece in _SEPARATORS.split(raw):
            words = piece.split()
            name = ""
            for word in words:
                if len(word) == 1:
                    name += word
                    continue
                if name:
                    leaders.append(name)
                    name = ""
                leaders.append(word)
            if name:
                leaders.append(name)
    return tuple(leaders)


def join_wrapped(lines: tuple[str, ...] | list[str]) -> str:
    """A text cell (goal name, standard) wrapped across lines, joined again."""
    return "".join(part.strip() for part in lines).strip()
