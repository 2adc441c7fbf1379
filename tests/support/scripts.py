"""Loading the project's scripts (bench/, scripts/) by path: they are run as files, not
imported as packages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent.parent


def load_script(relative: str) -> ModuleType:
    """The module in the file `relative` to the project root, loaded once under its file name
    (dataclasses need their module in sys.modules)."""
    path = ROOT / relative
    name = f"_script_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
