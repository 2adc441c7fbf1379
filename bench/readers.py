"""The yardsticks for reading a workbook: `python bench/readers.py READER LIST [PASSES]`.

Reads every workbook listed in the file LIST (one path a line) with READER, PASSES times, in
this process, after one untimed read (imports and first-call set-up are not the reader's cost
per workbook); prints one JSON line: the seconds per workbook of each pass.

- `pandas-openpyxl`: a plain `pandas.read_excel(path, engine="openpyxl")` (the first sheet);
- `calamine`: python-calamine, the first sheet's values as Python lists: the fastest reader
  found, the floor;
- `pandas-calamine`: `pandas.read_excel(path, engine="calamine")`, for reference;
- `progress-audit`: the engine's own reader (`reader.read_workbook`: the safety check of every
  part, then the rows found, matched to the unit's task lines and parsed), for reference: what
  reading costs the engine before anything is recorded, checked or reported.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _reader(name: str) -> Callable[[Path], object]:
    if name == "progress-audit":
        return _engine_reader()
    if name == "calamine":
        from python_calamine import CalamineWorkbook

        return lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
    import pandas as pd

    engine = {"pandas-openpyxl": "openpyxl", "pandas-calamine": "calamine"}[name]
    return lambda p: pd.read_excel(p, engine=engine)


def _engine_reader() -> Callable[[Path], object]:
    from progress_audit.config import Settings
    from progress_audit.intake.reading import SafetyLimits, read_workbook
    from progress_audit.standards.catalogue import load_catalogue
    from progress_audit.standards.responsibility import assignments

    settings = Settings()
    catalogue = load_catalogue(2019, settings.standards_dir)
    lines = assignments(catalogue, settings.unit_groups)
    limits = SafetyLimits.from_settings()
    return lambda p: read_workbook(p, p.name, catalogue, lines, limits=limits)


def main(argv: list[str]) -> None:
    name, listing = argv[0], Path(argv[1])
    passes = int(argv[2]) if len(argv) > 2 else 3
    paths = [Path(line) for line in listing.read_text("utf-8").splitlines() if line]
    read = _reader(name)
    read(paths[0])
    per_workbook = []
    for _ in range(passes):
        start = time.perf_counter()
        for p in paths:
            read(p)
        per_workbook.append((time.perf_counter() - start) / len(paths))
    print(json.dumps({"reader": name, "workbooks": len(paths), "per_workbook": per_workbook}))


if __name__ == "__main__":
    main(sys.argv[1:])
