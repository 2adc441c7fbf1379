"""What Prefect itself costs: a bare flow with one task, on the same temporary server that
`progress-audit run` starts (no API URL configured: `prefect_server`), set up the same way
(telemetry off, console logging at WARNING, no heartbeats)."""

from progress_audit.app import prefect_server
from progress_audit.app.prefect_setup import configure_prefect, without_heartbeats

configure_prefect()
prefect_server.start()

from prefect import flow, task  # noqa: E402


@task
def one() -> int:
    return 1


@flow(name="bare")
def bare() -> int:
    return one()


if __name__ == "__main__":
    prefect_server.use()
    with without_heartbeats():
        bare()
