"""Configuration, in one place and read once (配置).

Values come, strongest first, from environment variables `PROGRESS_AUDIT_<NAME>` (nested with
`__`, e.g. `PROGRESS_AUDIT_UNIT_GROUPS__各板块`), then a TOML settings file (`progress-audit.toml`
in the working directory, or the file named by `PROGRESS_AUDIT_SETTINGS`), then the defaults
below, which run the demo with nothing set up.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .notify import SmtpSettings  # notifications: the [smtp] table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "progress-audit.toml"


def _settings_file() -> Path:
    return Path(os.environ.get("PROGRESS_AUDIT_SETTINGS", SETTINGS_FILE))


# --- data quality (checks/, quality.py) ---
class QualitySettings(BaseModel):
    """Thresholds of the data-quality rules (数据质量校验参数)."""

    model_config = ConfigDict(frozen=True)

    jump_multiple: float = 3.0
    """A month's increase above this many expected monthly steps is an implausible jump (突增)."""
    date_overrun_months: int = 6
    """预计完成时间 may run this many months past the year's end before it is implausible."""
    approx_tolerance: float = 0.1
    """A target 左右 (~) counts as reached within this share of it (10%: 9 of 10 家左右)."""


class Settings(BaseSettings):
    """Every setting the engine reads; the office changes them in the settings file."""

    model_config = SettingsConfigDict(
        env_prefix="PROGRESS_AUDIT_", env_nested_delimiter="__", extra="ignore"
    )

    year: int = 2019
    """The year of the responsibility table the commands use by default."""
    standards_dir: Path = PROJECT_ROOT / "data" / "standards"
    """Where the tables live: `<standards_dir>/<year>/responsibility-table.txt` + `curated.toml`."""
    data_dir: Path = Path("data")
    """The workspace: `raw/` inbox, `reports/`, `archive/` and the ledger."""
    timezone: str = "Asia/Shanghai"
    due_day: int = 5
    """Submissions are due by the end of this day of the following month (报送截止日)."""
    unit_groups: dict[str, list[str]] = {}
    """Collective names expanded to units, e.g. {"各板块": ["开发区", "华科园", …]}."""

    # --- intake (intake.py, ledger.py): the ledger of every file received ---
    ledger_url: str | None = None
    """SQLAlchemy URL of the ledger (收件登记簿), e.g. `postgresql+psycopg://audit@db-host/audit`
    when several machines share one inbox; None: SQLite in `<data_dir>/ledger.db`."""

    # --- file safety (workbook_safety.py): limits on what a unit's file may be or expand to ---
    max_workbook_bytes: int = 20 * 1024 * 1024
    """A file larger than this is rejected unread (a filled-in template is well under 1 MB)."""
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    """An xlsx whose parts expand past this in total is rejected (zip bomb)."""
    max_compression_ratio: float = 100.0
    """A part (of 1 MB or more) that expands more than this many times is rejected."""

    # --- orchestration (flows/) ---
    lock_timeout_seconds: float = 600
    """A second audit of the same workspace waits this long for the first, then refuses."""
    notify_office: bool = True
    """Send the exception report to the office after each audit (when SMTP is configured)."""

    # --- notifications (notify.py): e-mail to the office and reminders to units ---
    smtp: SmtpSettings | None = None
    """The mail server and recipients (`[smtp]`, `[smtp.unit_recipients]`); None: no e-mail.
    Environment: PROGRESS_AUDIT_SMTP__HOST, PROGRESS_AUDIT_SMTP__PASSWORD, …"""

    # --- data quality (checks/, quality.py): thresholds of the consistency and validity rules ---
    quality: QualitySettings = QualitySettings()
    """`[quality]` in the settings file; environment PROGRESS_AUDIT_QUALITY__JUMP_MULTIPLE, …"""

    # --- assessment (thresholds.py, assess.py): when a task is on track, behind, far behind ---
    thresholds: str = "ratio"
    """预警阈值方案: `ratio` (≥90% of 序时进度 正常推进, 70–90% 进度滞后, <70% 严重滞后) or
    `gap` (behind 序时进度 by ≥10 percentage points 进度滞后, by ≥30 严重滞后)."""
    on_track_ratio: float | None = None
    """Override the ratio preset's on-track line (0.9); None keeps the preset's."""
    at_risk_ratio: float | None = None
    """Override the ratio preset's at-risk line (0.7)."""
    yellow_gap_points: float | None = None
    """Override the gap preset's yellow line (10 points behind)."""
    red_gap_points: float | None = None
    """Override the gap preset's red line (30 points behind)."""
    due_soon_days: int | None = None
    """Override how many days before a deadline a task is marked 临期 (30)."""
    # The 左右 tolerance is `quality.approx_tolerance`, shared with the quality checks.

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_settings_file())
        return (init_settings, env_settings, toml)


@cache
def get_settings() -> Settings:
    """The settings, read once per process."""
    return Settings()
