"""What Prefect itself costs: a bare flow with one task, on the same temporary server that
`progress-audit run` starts (no API URL configured), set up the same way (telemetry off,
console logging at WARNING)."""

from progress_audit.app.prefect_setup import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402


@task
def one() -> int:
    return 1


@flow(name="bare")
def bare() -> int:
    return one()


if __name__ == "__main__":
    bare()
