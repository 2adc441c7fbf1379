"""Every problem code the source emits is declared once, in `progress_audit.model.codes`.

The emitters are found in the source, not listed by hand: `Problem(...)`, `checks.rules.rule`,
and every function with a parameter named `code` (the reader's and the intake's helpers). A
code given as a string, or as either branch of a conditional, is collected; so is a
`(code, message)` pair (a matcher's verdict, a table of refusals).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from progress_audit.model.codes import CODES, SEVERITY_ADVICE, advice
from progress_audit.model.problems import Problem

ROOT = Path(__file__).resolve().parents[2]
_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$|^[a-z]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# The stages that find problems in what units send; the demo and the templates only name the
# kinds of mistake they plant or explain, which are not problem codes.
EMITTING = (
    "progress_audit/intake",
    "progress_audit/quality",
    "progress_audit/assessment",
    "progress_audit/reporting",
    "checks",
)


def _sources() -> list[Path]:
    return sorted(p for folder in EMITTING for p in (ROOT / folder).rglob("*.py"))


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text("utf-8")) for path in _sources()}


def _emitters(trees: dict[Path, ast.Module]) -> dict[str, int | None]:
    """Callable name → position of its `code` argument (None: keyword only)."""
    found: dict[str, int | None] = {"Problem": 0}
    for tree in trees.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            positional = [a.arg for a in node.args.args if a.arg not in ("self", "cls")]
            keyword = [a.arg for a in node.args.kwonlyargs]
            if "code" in positional:
                found[node.name] = positional.index("code")
            elif "code" in keyword:
                found[node.name] = None
    return found


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return [*_strings(node.body), *_strings(node.orelse)]
    return []


def _is_message(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(_CJK.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_message(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def emitted_codes() -> dict[str, set[str]]:
    """code → the places (file:line) that emit it."""
    trees = _trees()
    emitters = _emitters(trees)
    out: dict[str, set[str]] = {}
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n) in emitters]
        for node in calls:
            at = emitters[_name(node) or ""]
            args = [k.value for k in node.keywords if k.arg == "code"]
            if at is not None and len(node.args) > at:
                args.append(node.args[at])
            for code in (c for a in args for c in _strings(a)):
                out.setdefault(code, set()).add(f"{where}:{node.lineno}")
        if not calls:
            continue  # a module that makes no problem: its (word, text) pairs are not codes
        for node in ast.walk(tree):
            codes: list[str] = []
            if isinstance(node, ast.Tuple) and len(node.elts) >= 2:
                first = _strings(node.elts[0])
                if first and _CODE.match(first[0]) and _is_message(node.elts[1]):
                    codes = first
            for code in codes:
                out.setdefault(code, set()).add(f"{where}:{node.lineno}")
    return out


def test_the_scan_finds_the_emitters_of_every_stage():
    codes = emitted_codes()
    # one of each: the intake, the reader, file safety, the quality stage, a checks/ rule,
    # a matcher's verdict pair and a refusal table's pair
    for code in ("superseded", "no_header", "macros", "not_submitted", "ytd_decreased"):
        assert code in codes, code
    assert "unknown_id" in codes and "unsupported_format" in codes
    assert len(codes) >= 40


def test_every_emitted_code_is_in_the_registry():
    missing = {c: sorted(w) for c, w in emitted_codes().items() if c not in CODES}
    assert not missing, "codes emitted but not in progress_audit/model/codes.py:\n" + "\n".join(
        f"{c}: {', '.join(w)}" for c, w in sorted(missing.items())
    )


def test_every_registered_code_is_emitted_somewhere():
    assert not sorted(set(CODES) - set(emitted_codes()))


def test_every_code_has_a_title_and_advice():
    for code, entry in CODES.items():
        assert _CJK.search(entry.title), code
        assert entry.what_to_do in (entry.advice or SEVERITY_ADVICE[entry.severity],), code


def test_advice_follows_the_code_and_falls_back_to_the_severity():
    assert advice(Problem("ytd_decreased", "…", "error")) == SEVERITY_ADVICE["error"]
    assert advice(Problem("duplicate_row", "…", "warning")) == SEVERITY_ADVICE["warning"]
    assert advice(Problem("no_such_code", "…", "warning")) == SEVERITY_ADVICE["warning"]
