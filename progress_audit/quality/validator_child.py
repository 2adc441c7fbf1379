"""The validating process's own side (校验进程): Great Expectations and the rules imported once,
then each validation the command sends answered with `progress_audit.quality.month`'s own
function. Started by `progress_audit.quality.validator`, which says why.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pickle
import sys
import types
from typing import Any

from progress_audit.quality import month
from progress_audit.quality.validator import FUNCTIONS, receive_message, send_message


def serve() -> None:
    """The child: import Great Expectations and the rules, then answer calls until the input
    ends. Answers go out on a copy of stdout; stdout itself is pointed at stderr so that a
    library's print cannot corrupt them."""
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    questions = sys.stdin.buffer
    leave_out_unused()
    import checks.suites  # noqa: F401  (Great Expectations: the reason this process exists)

    while True:
        try:
            name, args = receive_message(questions)
        except EOFError:
            return
        try:
            if name not in FUNCTIONS:
                raise ValueError(f"not a validation: {name}")
            answer: tuple[str, Any] = ("value", getattr(month, name)(*args))
        except Exception as e:  # the caller raises it, as if it had run there
            answer = ("raised", _picklable(e))
        send_message(answers, answer)


def leave_out_unused() -> None:
    """Before Great Expectations is imported: what the rules never use, deferred or hidden."""
    for name in UNUSED_BY_THE_RULES:
        _on_first_use(name)
    for name in HIDDEN_FROM_THE_RULES:
        sys.modules.setdefault(name, None)  # `import` raises ImportError, as if not installed


UNUSED_BY_THE_RULES = ("altair", "scipy.stats")
"""Imported at the top of Great Expectations' KL-divergence and KS-test expectations, which no
rule of `checks/` uses: about a second of its import, deferred in this process until used."""

HIDDEN_FROM_THE_RULES = ("sqlalchemy",)
"""Installed for Prefect and the ledger; Great Expectations imports it, when it is there, for its
SQL datasources and metrics. The rules validate a pandas DataFrame, so this process leaves it out
and Great Expectations goes on as where it is not installed: about 0.7 s of its import."""


class _OnFirstUse(types.ModuleType):
    """Stands in `sys.modules` for a module not imported yet; the first attribute asked of it
    imports the module (which then replaces it) and answers from there."""

    def __getattr__(self, attribute: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _on_first_use(name: str) -> None:
    if name in sys.modules or (spec := importlib.util.find_spec(name)) is None:
        return
    stand_in = _OnFirstUse(name)
    stand_in.__spec__ = spec  # what `import` looks at on a module already in sys.modules
    sys.modules[name] = stand_in


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
