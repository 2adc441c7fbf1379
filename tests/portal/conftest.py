"""The portal's fixtures: a workspace with every unit's link, the app in-process with a fixed
clock (3 July 2019, June's reporting window), and the units' workbooks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from progress_audit.config import Settings
from progress_audit.model.period import Period
from progress_audit.portal.app import create_app
from progress_audit.portal.server import links, open_desk
from tests.support.workbooks import submission

JUNE = Period(2019, 6)
SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_TIME = datetime(2019, 7, 3, 10, 0, tzinfo=SHANGHAI)
AFTER_DUE = datetime(2019, 7, 6, 9, 0, tzinfo=SHANGHAI)
JOBS = "16.1.1"  # 人社局: 城镇新增就业 9000 人


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def tokens(data: Path, settings: Settings) -> dict[str, str]:
    """Every lead unit's token (their links made on first use)."""
    made = links(data, settings, "http://testserver", period=JUNE)
    return {item["unit"]: item["url"].rsplit("/", 1)[1] for item in made}


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock(IN_TIME)


@pytest.fixture
def desk(data: Path, settings: Settings, tokens: dict[str, str]):
    opened = open_desk(data, settings, JUNE)
    yield opened
    opened.ledger.close()


@pytest.fixture
def client(desk, clock):
    with TestClient(create_app(desk, now=clock), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def workbook(tmp_path: Path, units):
    """A unit's filled-in workbook: `workbook("人社局", {"16.1.1": {"本年累计完成": 4000}})`."""
    count = iter(range(10_000))

    def make(
        unit: str = "人社局",
        fills: dict[str, dict[str, Any]] | None = None,
        *,
        title_unit: str | None = None,
        month: str = "2019年6月",
    ) -> Path:
        path = tmp_path / "books" / f"{next(count)}.xlsx"
        return submission(path, units[unit], fills, unit=title_unit or unit, month=month)

    return make


def upload(client: TestClient, token: str, path: Path, name: str = "进度填报表.xlsx", **kw: Any):
    """POST the workbook at `path` through `token`'s link, asking for JSON."""
    return client.post(
        f"/u/{token}/upload",
        files={"file": (name, path.read_bytes())},
        headers={"Accept": "application/json"},
        **kw,
    )
