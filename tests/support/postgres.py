"""A real PostgreSQL on loopback, started once for the test session (the ledger's and the
portal's tests), and a fresh database in it per test."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """initdb + pg_ctl in a temporary folder (as `nobody` when run as root, which PostgreSQL
    refuses to be), on 127.0.0.1 and a free port. Skipped, with the reason, where it cannot
    start."""
    binaries = sorted(glob("/usr/lib/postgresql/*/bin"))
    bindir = Path(binaries[-1]) if binaries else None
    if bindir is None and shutil.which("initdb"):
        bindir = Path(shutil.which("initdb")).parent
    if bindir is None:
        pytest.skip(
            "PostgreSQL 未安装（Debian: apt-get install postgresql），跳过 PostgreSQL 登记簿测试"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip(
            "未安装 psycopg 驱动（pip install 'psycopg[binary]'），跳过 PostgreSQL 登记簿测试"
        )
    base = Path(tempfile.mkdtemp(prefix="progress-audit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    data, log, port = base / "data", base / "server.log", free_port()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_user, *args], capture_output=True, text=True, timeout=120, cwd=base
        )

    init = run(
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "audit",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL initdb 失败，跳过：{init.stderr.strip()[-300:]}")
    start = run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(log),
        "-w",
        "-t",
        "60",
        "-o",
        f"-h 127.0.0.1 -p {port} -k {base} -F",
        "start",
    )
    if start.returncode != 0:
        detail = log.read_text(errors="replace")[-300:] if log.exists() else start.stderr
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL 无法启动，跳过：{detail.strip()}")
    try:
        yield f"postgresql+psycopg://audit@127.0.0.1:{port}"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


_databases = itertools.count()


def new_postgres_database(server: str) -> str:
    import psycopg

    name = f"ledger_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(f"{server.replace('+psycopg', '')}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
