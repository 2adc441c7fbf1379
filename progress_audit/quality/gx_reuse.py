"""Great Expectations' repeated work, done once per validation (一次校验内复用).

Validating the month's suite, Great Expectations rebuilds an expectation's configuration (a
pydantic serialisation of all its fields) every time it asks for one, some 2,500 times per
validation, and filters the table by an expectation's row condition (`DataFrame.query`, which
builds a Series for every column of the table) once per metric: some 70 times for about ten
conditions. The two together are half a validation's time.

Inside `reusing()` both are kept for the length of that one validation:

- an expectation's configuration, until one of its fields is set again (the fields are compared
  by identity before a kept configuration is given);
- the rows a condition selects from a table, as long as it is the same table object.

Outside it, and in another thread, both are Great Expectations' own. The results are the same:
a configuration depends on the expectation's fields alone, and Great Expectations already gives
every metric without a condition the same table object, so giving the metrics with the same
condition the same filtered one shares no more than it does itself
(`tests/quality/test_gx_reuse.py` compares whole validations with and without).

Installed on Great Expectations' classes the first time it is used; the lock file fixes the
version it was written against, and if those attributes are not there it installs nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()
_install_lock = threading.Lock()
_installed = False


@contextmanager
def reusing() -> Iterator[None]:
    """Keep configurations and filtered rows until the block ends (nested: the outer block's)."""
    _install()
    if getattr(_local, "kept", None) is not None:
        yield
        return
    _local.kept = {}
    try:
        yield
    finally:
        _local.kept = None


def _kept() -> dict[tuple[str, int, Any], tuple[Any, ...]] | None:
    return getattr(_local, "kept", None)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        # Great Expectations takes seconds to import: only a validation, which needs it, gets here.
        from great_expectations.execution_engine.pandas_execution_engine import (
            PandasExecutionEngine,
        )
        from great_expectations.expectations.expectation import Expectation  # (as above)

        described = Expectation.__dict__.get("configuration")
        filtering = PandasExecutionEngine.__dict__.get("_apply_row_condition_filter")
        if not isinstance(described, property) or described.fget is None or filtering is None:
            return
        Expectation.configuration = property(_reusing_configuration(described.fget))
        PandasExecutionEngine._apply_row_condition_filter = _reusing_filter(filtering)


def _reusing_configuration(build: Any) -> Any:
    def configuration(expectation: Any) -> Any:
        kept = _kept()
        if kept is None:
            return build(expectation)
        fields = tuple(expectation.__dict__.values())
        key = ("configuration", id(expectation), None)
        hit = kept.get(key)
        if (
            hit is not None
            and hit[0] is expectation
            and len(hit[1]) == len(fields)
            and all(a is b for a, b in zip(hit[1], fields, strict=True))
        ):
            return hit[2]
        value = build(expectation)
        kept[key] = (expectation, fields, value)
        return value

    return configuration


def _reusing_filter(apply: Any) -> Any:
    def _apply_row_condition_filter(
        engine: Any, data: Any, row_condition: Any, domain_kwargs: dict
    ) -> Any:
        kept = _kept()
        if kept is None:
            return apply(engine, data, row_condition, domain_kwargs)
        condition = (repr(row_condition), repr(domain_kwargs.get("condition_parser")))
        key = ("rows", id(data), condition)
        hit = kept.get(key)
        if hit is not None and hit[0] is data:
            return hit[1]
        rows = apply(engine, data, row_condition, domain_kwargs)
        kept[key] = (data, rows)  # the table kept too, so its id is not reused meanwhile
        return rows

    return _apply_row_condition_filter
