"""A memo for functions of short texts (短文本缓存).

Names, headers, statuses and task texts come back in every workbook and every report, so their
normal forms and widths are worth keeping; a narrative rarely repeats, and keeping every one a
unit wrote would let one workbook full of them fill a long-running process's memory.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

T = TypeVar("T")


def cache_short_texts(limit: int, maxsize: int = 8192) -> Callable[[Callable[..., T]], Any]:
    """Memoise `fn(text, *args)` (least recently used first out, `maxsize` entries) for texts
    of up to `limit` characters; a longer text is computed each time and never kept. The
    wrapper has `cache_info()` and `cache_clear()` like `functools.lru_cache`'s."""

    def decorate(fn: Callable[..., T]) -> Any:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: str, *args: Any) -> T:
            return cached(text, *args) if len(text) <= limit else fn(text, *args)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate
