"""Shared fixtures. Domain tests run without Prefect; Prefect tests share one harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from progress_audit.app.prefect_setup import configure_prefect
from tests.support.postgres import postgres_server  # noqa: F401  (a session fixture)

configure_prefect()  # the same Prefect settings as the command: no telemetry, patient start-up

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STANDARDS_DIR = PROJECT_ROOT / "data" / "standards"
TABLE_2019 = STANDARDS_DIR / "2019" / "responsibility-table.txt"


@pytest.fixture(autouse=True)
def _no_validating_process_left():
    """A command run in this process may start Great Expectations' own process
    (`quality.validator`): it ends with the test, as it would with the command."""
    yield
    from progress_audit.quality import validator

    validator.stop()


@pytest.fixture(scope="session")
def catalogue_2019():
    from progress_audit.standards.catalogue import load_catalogue

    return load_catalogue(2019, STANDARDS_DIR)


@pytest.fixture(scope="session")
def units(catalogue_2019):
    """Each lead unit's task lines in 2019 (the responsibility table's assignments)."""
    from progress_audit.standards.responsibility import assignments

    return assignments(catalogue_2019)
