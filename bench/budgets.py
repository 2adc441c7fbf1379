"""The performance budgets (性能预算) and how a benchmark's measurements are judged against them.

Every budget is a ratio (or a difference) of numbers measured in the same benchmark run, so
that it holds on a slower or faster machine alike; times are medians of several runs.
Pure functions over plain data: `bench/run.py` measures, this module judges and prints.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

GIB = 1024**3


@dataclass(frozen=True)
class Measurements:
    """What one benchmark run measured. Times in seconds, memory in bytes."""

    workbooks: int
    """Workbooks in the cold year's inbox."""
    workbooks_half: int
    """Workbooks in the half-year inbox (the memory growth check)."""
    bare_flow: Sequence[float]
    """A bare Prefect flow with one task on the temporary server, each run."""
    empty: Sequence[float]
    """`progress-audit run` on an empty inbox, each run."""
    cold: Sequence[float]
    """`progress-audit run` over the whole year, first time (nothing cached), each run."""
    rerun: Sequence[float]
    """The same again, nothing changed."""
    late: Sequence[float]
    """The same again after one late workbook arrived."""
    read_openpyxl: Sequence[float]
    """Seconds per workbook of a plain `pandas.read_excel(engine="openpyxl")`, each pass."""
    read_floor: Sequence[float]
    """Seconds per workbook of the fastest reader (python-calamine, the first sheet's values)."""
    peak_cold: Sequence[int]
    """Peak resident memory of the cold year (its largest process), each run."""
    peak_half: Sequence[int]
    """Peak resident memory of the cold half year, each run."""
    demo: Sequence[float]
    """`progress-audit demo` (six months generated and audited), each run."""
    read_pandas_calamine: Sequence[float] = ()
    """For reference: `pandas.read_excel(engine="calamine")`, seconds per workbook."""
    read_engine: Sequence[float] = ()
    """For reference: the engine's own reader (safety check and reading), seconds per workbook."""
    portal_single: Sequence[float] = ()
    """The portal: seconds from upload to receipt, one upload at a time (`bench/portal.py`)."""
    portal_rush: Sequence[float] = ()
    """The same when all 40 lead units upload at once (the deadline rush), over a few rushes."""
    portal_checks: Sequence[float] = ()
    """In that rush, seconds from each receipt until the quality suites' problems joined it."""
    run_now: Sequence[float] = ()
    """立即督查 on the board, warm engine, 40 workbooks: seconds from the click to the reports
    listed, each run (`bench/engine.py`)."""
    run_now_first: Sequence[float] = ()
    """For reference: the first click on a month never read before (reads and validates it)."""
    server_bare: Sequence[float] = ()
    """A bare flow with one task against a Prefect server already up, each run."""
    server_cold: Sequence[float] = ()
    """`progress-audit run` of a cold month (40 workbooks) against that server, each run."""
    demo_base: Sequence[float] = ()
    """`progress-audit demo` of the revision compared with (`--demo-base`), same run."""


RETIRED = (
    (
        "marginal cost per workbook ÷ floor reader (calamine) ≤ 3 ×",
        "retired: the floor is python-calamine reading one sheet's values (about 0.27 ms), and "
        "the month's one Great Expectations validation alone (about 0.55 s, whatever the number "
        "of workbooks) is more than 3 × the floor for the whole year's 479 workbooks, as the "
        "table of docs/performance.md showed; the marginal cost stays judged against "
        "pandas/openpyxl, and the portal's receipts and quality checks have budgets of their own",
    ),
)
"""Budgets no longer judged, and why (printed under the table)."""

PORTAL_BUDGETS = {
    "portal receipt, one upload: median": ("single", "median", 0.1),
    "portal receipt, 40 units at once: p95": ("rush", "p95", 0.3),
    "portal quality suites on new uploads, 40 at once: p95": ("checks", "p95", 1.5),
}
"""Absolute, on the 2-core machine the office runs: a unit waits for its receipt."""


@dataclass(frozen=True)
class Verdict:
    """One budget: what was measured against what it may be, and whether it holds."""

    name: str
    measured: float
    limit: float
    unit: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.measured <= self.limit


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("no measurements")
    return statistics.median(values)


def marginal_per_workbook(m: Measurements) -> float:
    """Seconds per workbook: (cold year − empty run) ÷ workbooks."""
    return (median(m.cold) - median(m.empty)) / m.workbooks


def verdicts(m: Measurements) -> list[Verdict]:
    """Every budget, judged on the medians of `m`."""
    marginal = marginal_per_workbook(m)
    openpyxl = median(m.read_openpyxl)
    bare, empty = median(m.bare_flow), median(m.empty)
    peak, half = max(m.peak_cold), max(m.peak_half)
    inbox_growth = m.workbooks / m.workbooks_half
    return [
        Verdict(
            "marginal cost per workbook ÷ pandas/openpyxl read",
            marginal / openpyxl,
            1.0,
            "×",
            f"{marginal * 1e3:.2f} ms ÷ {openpyxl * 1e3:.2f} ms",
        ),
        Verdict(
            "fixed cost: empty run − bare Prefect flow",
            empty - bare,
            3.0,
            "s",
            f"{empty:.2f} s − {bare:.2f} s",
        ),
        Verdict(
            "rerun, nothing changed ÷ empty run",
            median(m.rerun) / empty,
            1.2,
            "×",
            f"{median(m.rerun):.2f} s ÷ {empty:.2f} s",
        ),
        Verdict(
            "rerun after one late workbook ÷ empty run",
            median(m.late) / empty,
            1.05,
            "×",
            f"{median(m.late):.2f} s ÷ {empty:.2f} s",
        ),
        Verdict("peak memory of the cold year", peak / GIB, 1.0, "GiB", f"{peak / 2**20:.0f} MiB"),
        Verdict(
            "memory growth ÷ inbox growth (half → whole year)",
            (peak / half) / inbox_growth,
            1.0,
            "×",
            f"{half / 2**20:.0f} → {peak / 2**20:.0f} MiB for {m.workbooks_half} → "
            f"{m.workbooks} workbooks",
        ),
        demo_verdict(m),
        *portal_verdicts(
            {"single": m.portal_single, "rush": m.portal_rush, "checks": m.portal_checks}
        ),
        *engine_verdicts(m),
    ]


DEMO_SECONDS = 30.0
DEMO_SHARE = 0.5
"""The demo: at most DEMO_SECONDS, or at most DEMO_SHARE of the base revision's demo measured
in the same run (`--demo-base`), whichever is the more."""


def demo_verdict(m: Measurements) -> Verdict:
    demo = median(m.demo)
    if not m.demo_base:
        return Verdict("progress-audit demo", demo, DEMO_SECONDS, "s", "6 months made and audited")
    base = median(m.demo_base)
    return Verdict(
        f"progress-audit demo: ≤ {DEMO_SECONDS:.0f} s or ≤ {DEMO_SHARE} × the base revision's",
        demo,
        max(DEMO_SECONDS, DEMO_SHARE * base),
        "s",
        f"{demo:.1f} s; base revision {base:.1f} s = {demo / base:.2f} ×",
    )


ENGINE_BUDGETS = {"run_now_p95": 5.0, "server_cold_beyond_bare": 4.0}
"""Absolute, on the office's 2-core machine: the office waits for these."""


def engine_verdicts(m: Measurements) -> list[Verdict]:
    """立即督查 with the warm engine, and `run` against a Prefect server already up (none when
    they were not measured)."""
    result = []
    if m.run_now:
        result.append(
            Verdict(
                "run now on the board, 40 workbooks, warm: p95 from the click to the reports",
                p95(m.run_now),
                ENGINE_BUDGETS["run_now_p95"],
                "s",
                f"{len(m.run_now)} runs, median {median(m.run_now):.2f} s",
            )
        )
    if m.server_cold and m.server_bare:
        cold, bare = median(m.server_cold), median(m.server_bare)
        result.append(
            Verdict(
                "cold month's run against a Prefect server already up − bare flow on it",
                cold - bare,
                ENGINE_BUDGETS["server_cold_beyond_bare"],
                "s",
                f"{cold:.2f} s − {bare:.2f} s",
            )
        )
    return result


def p95(values: Sequence[float]) -> float:
    """The 95th percentile by nearest rank: the 38th of 40 values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def portal_verdicts(figures: dict[str, Sequence[float]]) -> list[Verdict]:
    """The portal's budgets, for the figures measured (none when the portal was not run)."""
    result = []
    for name, (key, stat, limit) in PORTAL_BUDGETS.items():
        values = figures.get(key) or ()
        if not values:
            continue
        value = median(values) if stat == "median" else p95(values)
        result.append(Verdict(name, value, limit, "s", f"{len(values)} uploads"))
    return result


def timings(m: Measurements) -> list[tuple[str, str]]:
    """The measured times and memory as table rows (label, value)."""

    def runs(values: Sequence[float], scale: float = 1.0, unit: str = "s", digits: int = 2) -> str:
        each = " ".join(f"{v * scale:.{digits}f}" for v in values)
        return f"{median(values) * scale:.{digits}f} {unit} (runs: {each})"

    rows = [
        ("bare Prefect flow, one task (temporary server)", runs(m.bare_flow)),
        ("progress-audit run, empty inbox", runs(m.empty)),
        (f"progress-audit run, cold year ({m.workbooks} workbooks)", runs(m.cold)),
        ("progress-audit run, rerun with nothing changed", runs(m.rerun)),
        ("progress-audit run, rerun after one late workbook", runs(m.late)),
        ("marginal cost per workbook", f"{marginal_per_workbook(m) * 1e3:.2f} ms"),
        ("pandas.read_excel(engine=openpyxl) per workbook", runs(m.read_openpyxl, 1e3, "ms")),
        ("python-calamine (floor) per workbook", runs(m.read_floor, 1e3, "ms", 3)),
    ]
    if m.read_pandas_calamine:
        rows.append(
            (
                "pandas.read_excel(engine=calamine) per workbook",
                runs(m.read_pandas_calamine, 1e3, "ms"),
            )
        )
    if m.read_engine:
        engine = median(m.read_engine)
        rows.append(
            (
                "progress-audit reader alone (safety check + reading) per workbook",
                f"{runs(m.read_engine, 1e3, 'ms')}; "
                f"{engine / median(m.read_floor):.1f} × the floor",
            )
        )
    rows += [
        ("peak memory, cold year", f"{max(m.peak_cold) / 2**20:.0f} MiB"),
        (
            f"peak memory, cold half year ({m.workbooks_half} workbooks)",
            f"{max(m.peak_half) / 2**20:.0f} MiB",
        ),
        ("progress-audit demo", runs(m.demo, digits=1)),
    ]
    if m.demo_base:
        rows.append(("progress-audit demo of the base revision", runs(m.demo_base, digits=1)))
    if m.server_bare:
        rows.append(("bare Prefect flow, one task (server already up)", runs(m.server_bare)))
    if m.server_cold:
        rows.append(
            ("progress-audit run, cold month of 40 workbooks (server up)", runs(m.server_cold))
        )
    if m.run_now:
        rows.append(
            (
                "run now on the board (warm engine, 40 workbooks), click to reports",
                f"p95 {p95(m.run_now):.2f} s; {runs(m.run_now)}",
            )
        )
    if m.run_now_first:
        rows.append(("run now, first click on a month never read", runs(m.run_now_first)))
    if m.portal_single:
        rows.append(
            ("portal receipt, one upload at a time", f"{median(m.portal_single) * 1e3:.0f} ms")
        )
    if m.portal_rush:
        rows.append(
            (
                f"portal receipt, 40 units at once ({len(m.portal_rush)} uploads)",
                f"p95 {p95(m.portal_rush) * 1e3:.0f} ms (median "
                f"{median(m.portal_rush) * 1e3:.0f} ms)",
            )
        )
    if m.portal_checks:
        rows.append(
            (
                f"portal quality suites after the receipt, 40 at once "
                f"({len(m.portal_checks)} uploads)",
                f"p95 {p95(m.portal_checks):.2f} s (median {median(m.portal_checks):.2f} s)",
            )
        )
    return rows


def table(m: Measurements) -> str:
    """The measurements and the budgets as two markdown tables (terminal and README alike)."""
    lines = ["| measured | median |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in timings(m)]
    lines += ["", "| budget | measured | limit | |", "|---|---|---|---|"]
    for v in verdicts(m):
        lines.append(
            f"| {v.name} | {_number(v.measured)} {v.unit} ({v.detail}) | ≤ {_number(v.limit)} "
            f"{v.unit} | {'PASS' if v.ok else 'FAIL'} |"
        )
    lines += ["", "| retired budget | why |", "|---|---|"]
    lines += [f"| {name} | {why} |" for name, why in RETIRED]
    return "\n".join(lines)


def _number(x: float) -> str:
    return f"{x:.2f}" if abs(x) < 100 else f"{x:.0f}"


def report(m: Measurements, about: dict[str, object]) -> dict[str, object]:
    """bench.json: the machine and versions (`about`), every number, and every verdict."""
    return {
        **about,
        "measurements": asdict(m),
        "marginal_per_workbook_s": marginal_per_workbook(m),
        "budgets": [{**asdict(v), "ok": v.ok} for v in verdicts(m)],
        "all_ok": all(v.ok for v in verdicts(m)),
    }
