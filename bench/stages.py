"""Where a cold year's audit spends its time, stage by stage, without Prefect:

    python bench/stages.py [--runs 3] [--raw DIR] [--single]

Builds the bench's year of workbooks (or copies `--raw`), then, for each run, audits December
in a fresh workspace and a fresh process with the pipeline's own stage functions (the ones the
flow's tasks call, `collect` included) and prints the median of each stage in milliseconds.
`--single` reads in this process instead of one worker per core. Great Expectations is imported
before the check stage and timed apart: in a real run it is imported while Prefect's temporary
server starts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import COLD, build_inbox  # noqa: E402


def one_run(raw: Path, work: Path, pool: bool) -> dict[str, float]:
    from progress_audit import pipeline
    from progress_audit.config import get_settings

    ws = work / "ws"
    shutil.rmtree(ws, ignore_errors=True)
    shutil.copytree(raw, ws / "raw", copy_function=shutil.copy2)
    times: dict[str, float] = {}
    last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name], last = now - last, now

    settings = get_settings()
    audit = pipeline.prepare(*COLD, ws, now=datetime.now(UTC), settings=settings)
    lap("prepare (catalogue)")
    ledger = pipeline.open_ledger(audit)
    read: list[int] = []

    def read_batch(audit, files, ledger, workers):  # the flow's task, called directly
        read.append(len(files))
        return pipeline.receive_batch(audit, files, ledger, workers)

    try:
        month = pipeline.collect(audit, ledger, read_batch, workers=pool)
    finally:
        ledger.close()
    lap(f"collect: scan, look up the ledger, receive {sum(read)} workbooks")
    import great_expectations  # noqa: F401

    lap("import Great Expectations")
    quality = pipeline.check(audit, month)
    lap("check (one validation of the month)")
    findings = pipeline.assess_month(audit, month, quality)
    lap("assess")
    pipeline.write_outputs(audit, month, quality, findings, datetime.now(UTC))
    lap("report (findings.json, reports, quality page, dashboard)")
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--raw", type=Path, help="an inbox to audit instead of the bench's year")
    parser.add_argument("--single", action="store_true", help="read in this process only")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a run, in its own process
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args.raw, args.one, not args.single)))
        return
    work = Path(tempfile.mkdtemp(prefix="progress-audit-stages-"))
    try:
        raw = args.raw
        if raw is None:
            raw = work / "inbox" / "raw"
            build_inbox(raw)
        cmd = [sys.executable, __file__, "--raw", str(raw), "--one", str(work)]
        cmd += ["--single"] if args.single else []
        runs = [
            json.loads(
                subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[
                    -1
                ]
            )
            for _ in range(args.runs)
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name in runs[0]:
        each = " ".join(f"{r[name] * 1e3:.0f}" for r in runs)
        print(f"{statistics.median(r[name] for r in runs) * 1e3:8.0f} ms  {name}  (runs: {each})")


if __name__ == "__main__":
    main()
