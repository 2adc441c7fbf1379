"""The web workers: sockets that say they are TCP (so replies go out at once), one per worker on
a shared port, the port checked before anything starts, and the real `progress-audit portal`
serving from several processes, replacing a killed worker and stopping on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from progress_audit.portal.listener import PortInUse, check_port, listening_socket

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "progress-audit"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_accepted_connection_has_nagle_off():
    async def accept_one() -> int:
        sock = listening_socket("127.0.0.1", 0)
        assert sock.proto == socket.IPPROTO_TCP
        port = sock.getsockname()[1]
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                s = transport.get_extra_info("socket")
                accepted.set_result(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=sock)
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            nodelay = await asyncio.wait_for(accepted, 10)
            writer.close()
            return nodelay
        finally:
            server.close()
            await server.wait_closed()

    assert asyncio.run(accept_one()) != 0


def test_workers_share_the_port_and_the_check_then_refuses_it():
    port = _free_port()
    check_port("127.0.0.1", port)  # free
    first, second = (listening_socket("127.0.0.1", port) for _ in range(2))
    try:
        for s in (first, second):
            s.listen()
        with pytest.raises(PortInUse, match="端口已被其他程序占用"):
            check_port("127.0.0.1", port)
    finally:
        first.close()
        second.close()


def test_the_port_of_another_program_is_refused_with_a_chinese_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(CLI), "portal", "--port", str(port),
             "--data", str(tmp_path / "data")],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"无法在 127.0.0.1:{port} 上监听：端口已被其他程序占用" in done.stderr
    assert "Traceback" not in done.stderr


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.add(int(entry.name))
    return found


def _web_workers(parent: int, port: int) -> set[int]:
    """The parent's children holding a socket that listens on `port` (from /proc/net/tcp)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
            inodes.add(f"socket:[{fields[9]}]")
    found = set()
    for pid in _children(parent):
        try:
            links = {os.readlink(fd) for fd in (Path("/proc") / str(pid) / "fd").iterdir()}
        except OSError:
            continue
        if links & inodes and _alive(pid):
            found.add(pid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the processes from /proc (Linux)")
def test_the_portal_serves_from_workers_replaces_a_killed_one_and_stops_on_sigterm(tmp_path):
    data, port = tmp_path / "data", _free_port()
    command = [str(CLI), "portal", "--data", str(data)]
    links = subprocess.run(
        [*command, "links", "--json"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "/u/" in links.stdout
    log = open(tmp_path / "portal.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [*command, "--port", str(port), "--period", "2019-06"],
        cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/static/portal.css"
    try:
        deadline = time.monotonic() + 60

        def answers() -> bool:
            try:
                return httpx.get(url, timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        while not answers():
            assert server.poll() is None and time.monotonic() < deadline, (
                tmp_path / "portal.log"
            ).read_text(errors="replace")
            time.sleep(0.1)
        # Every connection is answered, whichever worker accepts it.
        assert all(answers() for _ in range(20))
        expected = min(4, os.cpu_count() or 1)  # one per core, each with a socket of its own
        while len(workers := _web_workers(server.pid, port)) < expected:
            assert time.monotonic() < deadline, f"{len(workers)} of {expected} workers listen"
            time.sleep(0.1)
        assert len(workers) == expected

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        while len(_web_workers(server.pid, port) - {victim}) < len(workers):
            assert time.monotonic() < deadline + 30, "no worker replaced the killed one"
            time.sleep(0.2)
        assert all(answers() for _ in range(10))

        running = {p for p in _children(server.pid) if _alive(p)}
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 0
        # Every helper is gone (multiprocessing's resource tracker ends as it sees its parent go).
        gone_by = time.monotonic() + 10
        while [p for p in running if _alive(p)] and time.monotonic() < gone_by:
            time.sleep(0.1)
        assert not [p for p in running if _alive(p)]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
