"""`make bench`: measure the monthly audit against its performance budgets (性能基准).

    python bench/run.py [--runs 5] [--demo-runs 1] [--demo-base REV] [--out …] [--keep]

1. Builds a year of filled-in templates (`synthetic.make_inbox(profile="bench")`: every lead
   unit, January to December, on time) and holds one December workbook back.
2. Measures, as subprocesses on this machine, interleaved run by run so that drift in the
   machine's speed touches all alike: a bare Prefect flow with one task; `progress-audit run`
   on an empty inbox; the cold run over the year (December's audit, nothing cached); a rerun
   with nothing changed; a rerun after the held-back workbook arrives late. Then the cold
   half-year (for memory growth), the plain readers (pandas/openpyxl and python-calamine over
   the same workbooks) and `progress-audit demo` (with `--demo-base REV`, alternating with
   that revision's demo). Then the portal (`bench/portal.py`) and the warm engine
   (`bench/engine.py`: 立即督查, and `run` against a Prefect server already up).
3. Prints the measurements and the budgets (`bench/budgets.py`), writes them with the machine
   and the versions to `data/reports/bench.json`, and exits 1 if a budget fails.

Every run uses the default settings (no `PROGRESS_AUDIT_*` variables, no settings file) and
Prefect's temporary server with its own PREFECT_HOME under the bench's work folder, so the
bench neither reads nor writes the office's Prefect database. Before each run the disks are
synced (untimed), so no run pays for the previous one's write-back. Peak memory is that of the
run's largest process (wait4's ru_maxrss: the audit, or the temporary server it started).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's progress_audit, whatever is installed

# A script, not a package: `python bench/run.py` puts bench/ on sys.path, so siblings import
# by their file name.
from budgets import Measurements, report, table, verdicts  # noqa: E402
from engine import measure as measure_engine  # noqa: E402
from portal import measure as measure_portal  # noqa: E402

YEAR = [f"2019-{m:02d}" for m in range(1, 13)]
COLD = ("2019-12", "2020-01-08T09:00:00+08:00")
HALF = ("2019-06", "2019-07-08T09:00:00+08:00")
LATE_ARRIVAL = datetime.fromisoformat("2020-01-07T10:00:00+08:00")
"""After December's due date (2020-01-05 24:00) and before the audit's as-of."""
BIN = Path(sys.executable).parent
VERSIONS = ("prefect", "great-expectations", "pandas", "openpyxl", "python-calamine")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss: int
    """Bytes."""


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> Run:
    """Run `cmd` to its end; its wall time and the peak memory of its largest process."""
    # The files the previous run wrote reach the disk first (not timed): otherwise their
    # write-back lands in this run's time, by chance more in one run than another.
    os.sync()
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(cmd)} failed with status {proc.returncode}:\n{tail}")
    return Run(seconds, usage.ru_maxrss * 1024)


def environment(work: Path) -> dict[str, str]:
    """The subprocesses' environment: defaults, telemetry off, the temporary Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROGRESS_AUDIT_", "PREFECT_"))}
    env.update(
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_HOME=str(work / "prefect-home"),
    )
    return env


def build_inbox(raw: Path) -> tuple[int, Path]:
    """A year of every lead unit's workbooks under `raw`; returns how many, and the path of
    the held-back December workbook (moved out of `raw`)."""
    from progress_audit.config import Settings
    from progress_audit.demo.synthetic import make_inbox
    from progress_audit.model.period import Period
    from progress_audit.standards.catalogue import load_catalogue
    from progress_audit.standards.responsibility import assignments

    settings = Settings()
    catalogue = load_catalogue(2019, settings.standards_dir, raw.parent)
    manifest = make_inbox(
        raw,
        catalogue,
        assignments(catalogue, settings.unit_groups),
        [Period.parse(p) for p in YEAR],
        seed=2019,
        profile="bench",
    )
    december = sorted(f.path for f in manifest.files if f.period == COLD[0])
    held = raw.parent / "late" / Path(december[0]).name
    held.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(raw / december[0], held)
    return len(manifest.files) - 1, held


def workspace(work: Path, name: str, raw: Path | None, months: int = 12) -> Path:
    """A fresh workspace whose inbox is a copy (times kept) of the first `months` of `raw`."""
    ws = work / name
    shutil.rmtree(ws, ignore_errors=True)
    (ws / "raw").mkdir(parents=True)
    if raw is not None:
        for month in YEAR[:months]:
            if (raw / month).is_dir():
                shutil.copytree(raw / month, ws / "raw" / month, copy_function=shutil.copy2)
    return ws


def audit(ws: Path, period: tuple[str, str], env: dict[str, str], work: Path, tag: str) -> Run:
    cmd = [
        str(BIN / "progress-audit"),
        "run",
        "--period",
        period[0],
        "--as-of",
        period[1],
        "--data",
        str(ws),
    ]
    return run(cmd, env, work, work / "logs" / f"{tag}.log")


def submissions(ws: Path, period: str) -> list[dict[str, object]]:
    doc = json.loads((ws / "reports" / period / "findings.json").read_text("utf-8"))
    return doc["submissions"]


def read_per_workbook(reader: str, listing: Path, env: dict[str, str], work: Path) -> list[float]:
    cmd = [sys.executable, str(ROOT / "bench" / "readers.py"), reader, str(listing), "3"]
    out = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["per_workbook"]


def about() -> dict[str, object]:
    """The machine, the date and the versions the numbers belong to."""
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:  # Linux
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "host": platform.node(),
            "cpu": model,
            "cores": os.cpu_count(),
            "memory_gib": round(memory / 1024**3, 1),
            "os": platform.platform(),
        },
        "python": platform.python_version(),
        "versions": {name: metadata.version(name) for name in VERSIONS},
    }


def _worktree(work: Path, rev: str) -> Path:
    """Revision `rev` checked out (detached) under `work`, for timing its demo."""
    tree = work / "base-tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=ROOT, check=True
    )
    return tree


def _tree_demo(tree: Path, ws: Path) -> list[str]:
    """`progress-audit demo` with the code in `tree` and this virtual environment's libraries."""
    code = (
        "import sys; sys.argv = ['progress-audit', 'demo', '--data', sys.argv[1]]; "
        "from progress_audit.app.cli import main; sys.exit(main())"
    )
    return [sys.executable, "-c", code, str(ws)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed command")
    parser.add_argument("--half-runs", type=int, default=2, help="runs of the half year")
    parser.add_argument("--demo-runs", type=int, default=1, help="runs of progress-audit demo")
    parser.add_argument(
        "--demo-base",
        metavar="REV",
        help="also time the demo of revision REV (a git worktree), alternating with this one's",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "reports" / "bench.json")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="progress-audit-bench-"))
    (work / "logs").mkdir()
    env = environment(work)
    started = time.perf_counter()
    try:
        say(f"工作目录 {work}；生成一年的模拟填报表（profile=bench）…")
        workbooks, held = build_inbox(work / "inbox" / "raw")
        raw = work / "inbox" / "raw"
        half = sum(1 for m in YEAR[:6] for _ in (raw / m).glob("*"))
        listing = work / "workbooks.txt"
        listing.write_text("\n".join(str(p) for p in sorted(raw.rglob("*.xlsx"))), "utf-8")

        say("读取基准：pandas/openpyxl、python-calamine、引擎自己的读取器 …")
        read_openpyxl = read_per_workbook("pandas-openpyxl", listing, env, work)
        read_floor = read_per_workbook("calamine", listing, env, work)
        read_pandas_calamine = read_per_workbook("pandas-calamine", listing, env, work)
        read_engine = read_per_workbook("progress-audit", listing, env, work)

        say("Prefect 临时服务器的数据库初始化（不计时）…")
        bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_flow.py")]
        run(bare_cmd, env, work, work / "logs" / "bare-warm-up.log")

        t: dict[str, list[Run]] = {k: [] for k in ("bare", "empty", "cold", "rerun", "late")}
        for i in range(args.runs):
            say(f"第 {i + 1}/{args.runs} 轮：bare flow、空收件箱、全年首次、重跑、迟报后重跑 …")
            t["bare"].append(run(bare_cmd, env, work, work / "logs" / f"bare-{i}.log"))
            empty = workspace(work, "empty", None)
            t["empty"].append(audit(empty, COLD, env, work, f"empty-{i}"))
            year = workspace(work, "year", raw)
            t["cold"].append(audit(year, COLD, env, work, f"cold-{i}"))
            t["rerun"].append(audit(year, COLD, env, work, f"rerun-{i}"))
            late = year / "raw" / COLD[0] / held.name
            shutil.copy2(held, late)
            os.utime(late, (LATE_ARRIVAL.timestamp(), LATE_ARRIVAL.timestamp()))
            t["late"].append(audit(year, COLD, env, work, f"late-{i}"))
            if [s["status"] for s in submissions(year, COLD[0])].count("late") != 1:
                raise SystemExit("迟报的工作簿没有被计为逾期报送：基准场景不成立")

        peak_half = []
        for i in range(args.half_runs):
            say(f"半年首次运行（内存增长）{i + 1}/{args.half_runs} …")
            ws = workspace(work, "half", raw, months=6)
            peak_half.append(audit(ws, HALF, env, work, f"half-{i}").peak_rss)

        demo, demo_base = [], []
        base_tree = _worktree(work, args.demo_base) if args.demo_base else None
        try:
            for i in range(args.demo_runs):
                say(f"progress-audit demo {i + 1}/{args.demo_runs} …")
                ws = workspace(work, "demo", None)
                cmd = [str(BIN / "progress-audit"), "demo", "--data", str(ws)]
                demo.append(run(cmd, env, work, work / "logs" / f"demo-{i}.log").seconds)
                if base_tree is not None:
                    say(f"progress-audit demo of {args.demo_base} {i + 1}/{args.demo_runs} …")
                    ws = workspace(work, "demo", None)
                    demo_base.append(
                        run(
                            _tree_demo(base_tree, ws),
                            {**env, "PYTHONPATH": str(base_tree)},
                            base_tree,
                            work / "logs" / f"demo-base-{i}.log",
                        ).seconds
                    )
        finally:
            if base_tree is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT)

        say("报送门户：逐份上传 40 份，再 40 个单位同时上传（截止前的高峰）…")
        portal = measure_portal(work, env)

        say("预热的督查引擎：立即督查；Prefect 服务器已在运行时的 run 与裸流程 …")
        engine = measure_engine(work, env, args.runs)

        m = Measurements(
            workbooks=workbooks,
            workbooks_half=half,
            bare_flow=[r.seconds for r in t["bare"]],
            empty=[r.seconds for r in t["empty"]],
            cold=[r.seconds for r in t["cold"]],
            rerun=[r.seconds for r in t["rerun"]],
            late=[r.seconds for r in t["late"]],
            read_openpyxl=read_openpyxl,
            read_floor=read_floor,
            peak_cold=[r.peak_rss for r in t["cold"]],
            peak_half=peak_half,
            demo=demo,
            read_pandas_calamine=read_pandas_calamine,
            read_engine=read_engine,
            portal_single=portal["single"],
            portal_rush=portal["rush"],
            portal_checks=portal["checks"],
            run_now=engine["run_now"],
            run_now_first=engine["run_now_first"],
            server_bare=engine["bare"],
            server_cold=engine["cold"],
            demo_base=demo_base,
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    info = about()
    info["bench_seconds"] = round(time.perf_counter() - started, 1)
    machine = info["machine"]
    assert isinstance(machine, dict)
    print(
        f"\n{info['date']} · {machine['cpu']} · {machine['cores']} cores · "
        f"{machine['memory_gib']} GiB · Python {info['python']} · "
        + " · ".join(f"{k} {v}" for k, v in info["versions"].items())
    )  # type: ignore[union-attr]
    print(table(m))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report(m, info), indent=1, ensure_ascii=False) + "\n", "utf-8")
    failed = [v.name for v in verdicts(m) if not v.ok]
    say(
        f"\n写入 {args.out}（{info['bench_seconds']} s）"
        + (f"；未达标：{'；'.join(failed)}" if failed else "；全部达标")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
