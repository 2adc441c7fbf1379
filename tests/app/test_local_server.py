"""A local Prefect server's port and health check (`flows.local_server`), shared by the
commands' temporary server and the portal's engine."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from progress_audit.flows.local_server import free_port, healthy


class _Api(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


def test_healthy_only_when_the_api_answers_its_health_check():
    port = free_port()
    assert not healthy(f"http://127.0.0.1:{port}/api")  # nothing listens there
    server = HTTPServer(("127.0.0.1", port), _Api)  # the port was free: it binds
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert healthy(f"http://127.0.0.1:{port}/api")
        assert not healthy(f"http://127.0.0.1:{port}/elsewhere")  # 404: not a Prefect API
    finally:
        server.shutdown()
        server.server_close()
