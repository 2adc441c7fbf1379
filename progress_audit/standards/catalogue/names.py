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
    return fragment.endswith(UNIT_NAME_ENDINGS) and not fragment.endswith(CONNECTIVES)


def split_units(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The unit names of a cell, with names wrapped across lines joined again."""
    names: list[str] = []
    for raw in lines:
        part = re.sub(r"\s+", "", raw)
        if not part:
            continue
        if names and not _complete(names[-1]):
            names[-1] += part
        else:
            names.append(part)
    return tuple(names)


def split_leaders(lines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The leaders of a cell: one per line, the spaces that pad two-character names dropped."""
    return tuple(n for n in (re.sub(r"\s+", "", raw) for raw in lines) if n)


def join_wrapped(lines: tuple[str, ...] | list[str]) -> str:
    """A text cell (goal name, standard) wrapped across lines, joined again."""
    return "".join(part.strip() for part in lines).strip()
