"""Derived results as JSON text (缓存编码), exactly as they were.

A reading, a month's validation or a report's inputs is a tree of frozen dataclasses
(WorkbookReading, ReportedRow, Problem, CellRef), tuples, dicts, dates and numbers. The encoding
is tagged so that it comes back exactly (a tuple stays a tuple, a date a date); only dataclasses
of this package are rebuilt, so a stored text can never make the engine construct anything else.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from datetime import date, datetime
from functools import cache
from typing import Any

_PACKAGE = __name__.partition(".")[0]


class CodecError(ValueError):
    """A value the cache cannot store or a stored text it cannot rebuild (then: read again)."""


def encode(value: Any) -> str:
    """A value (any tree of this package's dataclasses) as JSON text."""
    return json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    """The value back from `encode`'s text, equal to the original."""
    try:
        return json.loads(text, object_hook=_decode_object)
    except (TypeError, KeyError, ValueError, AttributeError, ImportError) as e:
        raise CodecError(f"缓存的读取结果无法还原：{e}") from e


_SCALARS = (type(None), bool, int, float, str)


def _encode(value: Any) -> Any:
    # Scalars are tested inline before recursing: most values are, and a call costs more.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return {"$tuple": [v if type(v) in _SCALARS else _encode(v) for v in value]}
    if kind is list:
        return [v if type(v) in _SCALARS else _encode(v) for v in value]
    if kind is dict:
        return {
            "$dict": [
                [_encode(k), v if type(v) in _SCALARS else _encode(v)] for k, v in value.items()
            ]
        }
    if kind is datetime:
        return {"$datetime": value.isoformat()}
    if kind is date:
        return {"$date": value.isoformat()}
    tag, defaults = _dataclass_shape(kind)
    # Fields still at their default are left out (most of a row's are): smaller and faster,
    # and the constructor puts the same default back.
    fields = {}
    for name, default in defaults:
        v = getattr(value, name)
        if v is default or _is_default(v, default):
            continue
        fields[name] = v if type(v) in _SCALARS else _encode(v)
    return {"$dc": tag, "f": fields}


_NO_DEFAULT = object()


@cache
def _dataclass_shape(kind: type) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A dataclass of this package: its tag and its init fields with their defaults."""
    if not (dataclasses.is_dataclass(kind) and kind.__module__.startswith(_PACKAGE + ".")):
        raise CodecError(f"不能缓存 {kind.__module__}.{kind.__qualname__} 类型的值")
    shape = []
    for f in dataclasses.fields(kind):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _NO_DEFAULT
        shape.append((f.name, default))
    return f"{kind.__module__}:{kind.__qualname__}", tuple(shape)


def _is_default(value: Any, default: Any) -> bool:
    """Exactly the default: same type and value (a float only when it is the very object, so
    -0.0 is never taken for 0.0)."""
    if value is default:
        return True
    kind = type(value)
    if kind is not type(default):
        return False
    if kind in (str, int, bool):
        return value == default
    return kind in (tuple, list, dict) and not value and not default


def _decode_object(obj: dict[str, Any]) -> Any:
    """json's object hook: called innermost first, so the parts are already rebuilt."""
    if "$dc" in obj:
        return _dataclass_of(obj["$dc"])(**obj["f"])
    if "$tuple" in obj:
        return tuple(obj["$tuple"])
    if "$dict" in obj:
        return dict(obj["$dict"])
    if "$date" in obj:
        return date.fromisoformat(obj["$date"])
    if "$datetime" in obj:
        return datetime.fromisoformat(obj["$datetime"])
    return obj  # a dataclass's field map ("f")


@cache
def _dataclass_of(tag: str) -> type:
    module, _, qualname = tag.partition(":")
    if not module.startswith(_PACKAGE + "."):
        raise ValueError(f"不属于本程序的类型 {tag}")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError(f"{tag} 不是数据类")
    return cls
