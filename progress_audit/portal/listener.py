"""The web workers (网页进程): one process per core, each listening on the same port with a
socket of its own, and every connection sending its replies at once.

uvicorn's own supervisor binds one socket and shares it: in a deadline rush whichever worker
wakes first accepts most of the connections (32 of 40 was seen) while the other idles. Here each
worker binds the port itself with SO_REUSEPORT, so the kernel shares the connections out
between them. And uvicorn's socket leaves the protocol number at 0, which keeps asyncio from
turning Nagle's algorithm off: every reply's body then waited about 40 ms for the client's
delayed ACK. The sockets here say they are TCP.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import signal
import socket
import threading

import uvicorn

_log = logging.getLogger(__name__)
RESTART_PAUSE = 1.0
"""Seconds between a worker's death and its replacement (a worker that cannot start is not
restarted in a tight loop)."""


class PortInUse(Exception):
    """The address cannot be listened on, most likely taken by another program (the message
    is for the office)."""


def listening_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    """A TCP socket bound to (`host`, `port`), not yet listening; `shared` lets the other
    workers bind the same port (SO_REUSEPORT, where the system has it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared and hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def check_port(host: str, port: int) -> None:
    """Raise PortInUse when the address cannot be listened on. The probe does not share the
    port, so it also fails against another portal's workers."""
    try:
        listening_socket(host, port, shared=False).close()
    except OSError as e:
        why = _WHY.get(e.errno or 0, f"系统错误 {e.errno}")
        raise PortInUse(f"无法在 {host}:{port} 上监听：{why}") from e


_WHY = {
    errno.EADDRINUSE: "端口已被其他程序占用（或门户已在运行），请换一个 --port",
    errno.EACCES: "没有权限使用这个端口（1024 以下的端口需要管理员权限），请换一个 --port",
    errno.EADDRNOTAVAIL: "本机没有这个地址，请检查 --host",
}


def serve_workers(config: uvicorn.Config, count: int) -> None:
    """Run `count` worker processes serving `config`'s app on its host and port until SIGINT or
    SIGTERM; a worker that dies is replaced. Check the port first (`check_port`)."""
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(config,), name="progress-audit-web")
        process.start()
        return process

    def ask_to_stop(signum: int, _frame: object) -> None:
        stop.set()

    previous = {s: signal.signal(s, ask_to_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    workers = [start() for _ in range(count)]
    try:
        while not stop.wait(0.5):
            for i, process in enumerate(workers):
                if not process.is_alive() and not stop.wait(RESTART_PAUSE):
                    _log.warning(
                        "web worker %s ended (%s): starting another", process.pid, process.exitcode
                    )
                    workers[i] = start()
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()  # uvicorn's own graceful shutdown
        for process in workers:
            process.join(config.timeout_graceful_shutdown or 10)
            if process.is_alive():
                process.kill()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _worker(config: uvicorn.Config) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C reaches every worker too
        config.configure_logging()
        sock = listening_socket(config.host, config.port)
        uvicorn.Server(config).run(sockets=[sock])
