"""The month's validation results, kept on disk per unit (校验结果缓存).

A rerun with nothing changed checks the same rows against the same rules; importing Great
Expectations (3–4 s) and validating (1–2 s) would only give the same answer again. Every rule
is row-local or unit-local, so each unit's share of `quality.validate`'s result is kept under
`DIR/cache/checks/<key>.json` (`quality.month.validate_by_unit`): a late workbook or an upload
validates that unit's rows only. The key is a sha256 of everything that result depends on:

- the unit's rows of the tidy table, exactly: every column's name and dtype, the rows' order,
  and every value with its type (a figure `1` and a text `"1"` differ);
- what the suite is built from: the year, the catalogue and who reports which lines (the
  intake's reading context), the quality settings;
- the rules' own source (`checks/*.py`, `progress_audit/quality.py`) and the versions of
  Great Expectations and pandas.

A stored result is used only when it decodes to exactly the value that was stored (the
ledger's codec for this package's records); anything unexpected means validate again, never a
different answer. The folder can be deleted at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progress_audit.cache.code_version import code_version
from progress_audit.cache.codec import decode, encode
from progress_audit.files.atomic import write_text

if TYPE_CHECKING:
    import pandas as pd

KEY_VERSION = "2"


def unit_keys(
    frame: pd.DataFrame, units: Mapping[str, Sequence[Any]], inputs: Sequence[object]
) -> dict[str, str]:
    """The cache key of validating each unit's rows (`frame.loc[labels]`, numbered from 0) with
    a suite built from `inputs` (plain values); the table's columns are read once for all."""
    head = [KEY_VERSION, _rules_version(), [str(x) for x in inputs]]
    head_bytes = json.dumps(head, ensure_ascii=False).encode()
    dtypes = repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode()
    columns = [frame[c].tolist() for c in frame.columns]
    keys = {}
    for unit, labels in units.items():
        rows = frame.index.get_indexer(labels)
        part = hashlib.sha256(dtypes)
        part.update(repr(list(range(len(rows)))).encode())
        for values in columns:
            for i in rows:
                value = values[i]
                part.update(f"{type(value).__name__}:{value!r}\x1f".encode())
        digest = hashlib.sha256(head_bytes)
        digest.update(part.hexdigest().encode())
        keys[unit] = digest.hexdigest()
    return keys


@cache
def _rules_version() -> str:
    """The rules' source and the libraries that run them: a change to any means validate again."""
    return code_version(("checks", "progress_audit.quality"), ("great_expectations", "pandas"))


def load(cache_dir: Path, key: str) -> Any | None:
    """The stored result for `key`, or None (absent, unreadable or not decodable)."""
    path = Path(cache_dir) / f"{key}.json"
    try:
        return decode(path.read_text("utf-8"))
    except (OSError, ValueError):  # CodecError is a ValueError
        return None


def store(cache_dir: Path, key: str, value: Any) -> None:
    """Keep `value` for `key` when it survives the round trip exactly; otherwise keep nothing."""
    with contextlib.suppress(ValueError):
        text = encode(value)
        if decode(text) == value:
            with contextlib.suppress(OSError):  # a read-only workspace: just not cached
                write_text(Path(cache_dir) / f"{key}.json", text)
