"""Configuration, in one place and read once (配置).

Values come, strongest first, from environment variables `PROGRESS_AUDIT_<NAME>` (nested with
`__`, e.g. `PROGRESS_AUDIT_UNIT_GROUPS__各板块`), then a TOML settings file (`progress-audit.toml`
in the working directory, or the file named by `PROGRESS_AUDIT_SETTINGS`), then the defaults
below, which run the demo with nothing set up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from email.utils import parseaddr
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from progress_audit.paths import PROJECT_ROOT

SETTINGS_FILE = "progress-audit.toml"


def _settings_file() -> Path:
    return Path(os.environ.get("PROGRESS_AUDIT_SETTINGS", SETTINGS_FILE))


OFFICE_NAME = "区政府办公室督查室"
OFFICE_TIMEZONE = "Asia/Shanghai"
"""The office's time zone: its days, deadlines and `--as-of` dates are read in it."""
DUE_DAY = 5
"""Submissions are due by the end of this day of the following month (报送截止日)."""


# --- notifications: the [smtp] table ---
def _check_address(address: str, where: str) -> str:
    address = address.strip()
    name, spec = parseaddr(address)
    if name or spec != address or "@" not in spec or spec.startswith("@") or spec.endswith("@"):
        raise ValueError(f"{where}：{address!r} 不是有效的电子邮件地址（应为 name@example.gov.cn）")
    return address


class SmtpSettings(BaseModel):
    """The mail server and who receives what (邮件设置), in the `[smtp]` table of the settings
    file or `PROGRESS_AUDIT_SMTP__<NAME>` environment variables (password best in the latter).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = Field(25, ge=1, le=65535)
    sender: str
    """The envelope and From address, e.g. dcs@example.gov.cn."""
    sender_name: str = OFFICE_NAME
    """The From display name the recipients see."""
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    """Upgrade a plain connection with STARTTLS (port 587, or 25 where the server offers it)."""
    ssl: bool = False
    """Connect over TLS from the start (SMTPS, port 465)."""
    ca_file: Path | None = None
    """A CA certificate (PEM) to trust for the server, e.g. the government intranet's own CA."""
    timeout: float = Field(30.0, gt=0)
    """Seconds to wait for the server on each step."""
    retries: int = Field(3, ge=0)
    """How many times a failed connection is tried again, waiting retry_backoff, 2×, 4×… s."""
    retry_backoff: float = Field(2.0, ge=0)
    office_recipients: list[str] = []
    """Who receives the exception report (政府办/督查室, leaders' secretaries)."""
    unit_recipients: dict[str, list[str]] = {}
    """Each unit's addresses for reminders, by the unit's name as in the table (人社局)."""

    @field_validator("unit_recipients", mode="before")
    @classmethod
    def _one_address_is_a_list(cls, value: object) -> object:
        # `"人社局" = "rsj@example.gov.cn"` in TOML is the natural way to write one address.
        if isinstance(value, Mapping):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("sender")
    @classmethod
    def _sender_is_an_address(cls, value: str) -> str:
        return _check_address(value, "smtp.sender")

    @field_validator("office_recipients")
    @classmethod
    def _office_addresses(cls, value: list[str]) -> list[str]:
        return [_check_address(a, "smtp.office_recipients") for a in value]

    @field_validator("unit_recipients")
    @classmethod
    def _unit_addresses(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {
            unit.strip(): [_check_address(a, f"smtp.unit_recipients.{unit}") for a in addresses]
            for unit, addresses in value.items()
        }

    @model_validator(mode="after")
    def _consistent(self) -> SmtpSettings:
        if self.ssl and self.starttls:
            raise ValueError(
                "smtp.ssl 与 smtp.starttls 只能选一个（465 端口用 ssl，587 用 starttls）"
            )
        if self.password is not None and not self.username:
            raise ValueError("设置了 smtp.password 却没有 smtp.username")
        return self


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


# --- the office's lighting rule (assessment/thresholds.py) ---
LIGHTING_PRESETS: tuple[str, ...] = ("default", "points")
"""`default`: by the share of 序时进度 done (≥ 90% green, 70–90% yellow, < 70% red);
`points`: by percentage points behind 序时进度 (10–30 yellow, 30 or more red), as 银川 lights."""


class LightingSettings(BaseModel):
    """亮灯规则: how far behind 序时进度 a figure is 进度滞后 (yellow) or 严重滞后 (red), and when
    a line red month after month is named for 约谈. A preset, then any of its numbers changed one
    by one (None keeps the preset's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    preset: Literal["default", "points"] = "default"
    on_track_ratio: float | None = Field(None, ge=0, le=1)
    """`default`: at or above this share of 序时进度 正常推进 (0.9)."""
    at_risk_ratio: float | None = Field(None, ge=0, le=1)
    """`default`: at or above this share 进度滞后, below it 严重滞后 (0.7)."""
    yellow_gap_points: float | None = Field(None, ge=0)
    """`points`: this many percentage points behind 序时进度 or more 进度滞后 (10)."""
    red_gap_points: float | None = Field(None, ge=0)
    """`points`: this many points behind or more 严重滞后 (30)."""
    min_shortfall_units: float | None = Field(None, ge=0)
    """A count is behind at all only when at least this many whole units short (1)."""
    min_shortfall_points: float | None = Field(None, ge=0)
    """Anything else only when at least this many points of its target short (5)."""
    red_min_points: float | None = Field(None, ge=0)
    """严重滞后 needs at least this many points of the target behind 序时进度 (10): less is
    进度滞后, so a month's small gap early in the year is not red."""
    red_min_units: float | None = Field(None, ge=0)
    """A count is 严重滞后 only when at least this many whole units short as well (2)."""
    escalate_after_months: int | None = Field(None, ge=1)
    """This many months running 严重滞后 names the line in 督办要求 for 约谈 (2)."""
    due_soon_days: int | None = Field(None, ge=0)
    """A deadline within this many days of the audit's moment is marked 临期 (30)."""


LEGACY_LIGHTING: dict[str, str] = {
    "thresholds": "preset",
    "on_track_ratio": "on_track_ratio",
    "at_risk_ratio": "at_risk_ratio",
    "yellow_gap_points": "yellow_gap_points",
    "red_gap_points": "red_gap_points",
    "due_soon_days": "due_soon_days",
    "min_shortfall_units": "min_shortfall_units",
    "min_shortfall_points": "min_shortfall_points",
}
"""Settings written before the `[lighting]` block, by their flat name → the block's."""
LEGACY_PRESETS = {"ratio": "default", "gap": "points"}


# --- milestone standards (节点任务): how a node missed lights the task ---
class MilestoneSettings(BaseModel):
    """亮灯规则 for milestone standards (节点任务): months a node is late → yellow, red; and when
    every lead unit's node plan must have been approved."""

    model_config = ConfigDict(frozen=True)

    at_risk_months: int = Field(1, ge=1)
    """A node this many months late (past its month, not done) makes the task 进度滞后 (黄灯)."""
    off_track_months: int = Field(2, ge=1)
    """A node this many months late or more makes it 严重滞后 (红灯)."""
    plans_due_month: int = Field(2, ge=1, le=12)
    """Node plans must be approved by the end of this month (default February) …"""
    plans_due_day: int | None = Field(None, ge=1, le=31)
    """… or by this day of it (None: its last day). Before then a milestone standard without
    an approved plan is 计划审定中 (planning); after, 未报送 with reason 未制定节点计划."""

    @model_validator(mode="after")
    def _ordered(self) -> MilestoneSettings:
        if self.off_track_months < self.at_risk_months:
            raise ValueError("milestones.off_track_months 不能小于 milestones.at_risk_months")
        return self


COUNT_UNITS: tuple[str, ...] = (
    "个", "家", "件", "所", "项", "人", "名", "户", "座", "条", "台", "套", "处", "次",
    "场", "批", "宗", "只", "辆", "栋", "幢", "张", "部", "篇", "位", "支", "本", "期",
    "种", "台套", "人次", "家次", "项次", "个次",
)  # fmt: skip
"""Units of measure that count whole things: 个, 家, 件, 所, 项 …"""

WHOLE_UNITS: tuple[str, ...] = ("亩",)
"""Units of measure that are not counts of things but are said in whole numbers (亩)."""


# --- the 通报 as an official document (GB/T 9704-2012): the [document] table ---
class DocumentSettings(BaseModel):
    """What the Word 通报 carries as the office issues it (公文版式要素)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer_mark: str = f"{OFFICE_NAME}文件"
    """发文机关标志, printed in red at the head of the first page."""
    issuer: str = OFFICE_NAME
    """发文机关署名 at the end of the body, and 印发机关 in the 版记."""
    number_format: str = "督查通报〔{year}〕{number}号"
    """发文字号: `{year}` the period's year, `{number}` the month's sequence below."""
    first_number: int = Field(1, ge=1)
    """The 发文字号 sequence of January's 通报; each later month adds one (June: first + 5)."""
    recipients: str = "区政府各分管领导，各牵头单位"
    """主送机关."""
    copy_to: str = "区委办公室，区人大常委会办公室，区政协办公室"
    """抄送 in the 版记; empty: no 抄送 line."""

    @field_validator("number_format")
    @classmethod
    def _number_format_fills(cls, value: str) -> str:
        try:
            value.format(year=2019, number=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"document.number_format {value!r} 无法使用：只能含 {{year}} 和 {{number}}"
            ) from exc
        return value

    def number(self, year: int, month: int) -> str:
        """The month's 发文字号: 督查通报〔2019〕6号 for June with the default sequence."""
        return self.number_format.format(year=year, number=self.first_number + month - 1)


class Settings(BaseSettings):
    """Every setting the engine reads; the office changes them in the settings file."""

    model_config = SettingsConfigDict(
        env_prefix="PROGRESS_AUDIT_", env_nested_delimiter="__", extra="ignore"
    )

    year: int = 2019
    """The year of the responsibility table the commands use by default."""
    standards_dir: Path = PROJECT_ROOT / "data" / "standards"
    """The tables shipped with the project: `<standards_dir>/<year>/` (a workspace's own
    `DIR/standards/<year>/`, written by `standards import`, comes first)."""
    data_dir: Path = Path("data")
    """The workspace: `raw/` inbox, `reports/`, `archive/` and the ledger."""
    timezone: str = OFFICE_TIMEZONE
    due_day: int = DUE_DAY
    """Submissions are due by the end of this day (报送截止日) of the following month, or of
    the reported month itself with `due_in_reported_month`."""
    due_in_reported_month: bool = False
    """True for an office that collects within the reported month (on the 25th or 28th): June's
    workbooks are then due on June's `due_day`, and June is the month units report in June."""
    unit_groups: dict[str, list[str]] = {}
    """Collective names expanded to units, e.g. {"各板块": ["开发区", "华科园", …]}."""
    unit_aliases: dict[str, str] = {}
    """Unit names as a year's table writes them → the name the engine uses, e.g.
    {"区发改局": "发改局"} (renamed units, full official names); applied when a table is read."""

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

    # --- the submission portal (portal/) ---
    portal_base_url: str | None = None
    """The portal's address as units reach it (`https://dcs.example.gov.cn`, the office's
    reverse proxy): `portal links` prints it, and reminders carry each unit's link when set."""
    portal_proxies: list[str] = ["127.0.0.1"]
    """The reverse proxies in front of the portal (addresses or networks) whose
    X-Forwarded-Proto and X-Forwarded-For it believes: over https through one of them, the
    office's cookie is Secure."""

    office_password: SecretStr | None = None
    """The 督查室's password for `/office` (login page, and HTTP Basic with user `office` for
    programs), best given as PROGRESS_AUDIT_OFFICE_PASSWORD; a `scrypt$…` value is taken as
    its hash (`progress-audit portal hash-password`). None: the office pages answer 503."""

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

    # --- the Word 通报 (exceptions_docx.py): 发文机关标志, 发文字号, 主送, 抄送 ---
    document: DocumentSettings = DocumentSettings()

    # --- assessment (thresholds.py, assess.py): when a task is on track, behind, far behind ---
    lighting: LightingSettings = LightingSettings()
    """亮灯规则: `[lighting]` in the settings file (`preset = "points"`, …); environment
    PROGRESS_AUDIT_LIGHTING__PRESET, …"""
    count_units: list[str] = list(COUNT_UNITS)
    """Units of measure that count whole things (个, 家, 件 …): a shortfall is judged, and
    figures said to a person, in whole units of these."""
    whole_units: list[str] = list(WHOLE_UNITS)
    """Units of measure said to a person in whole numbers besides `count_units` (亩: 666亩,
    not 665.67亩), though a shortfall in them is judged as any amount, by points."""
    # The 左右 tolerance is `quality.approx_tolerance`, shared with the quality checks.
    milestones: MilestoneSettings = MilestoneSettings()
    """`[milestones]`: the light rule for milestone standards (节点任务) and the plans' due
    date; environment PROGRESS_AUDIT_MILESTONES__OFF_TRACK_MONTHS, …"""

    @model_validator(mode="before")
    @classmethod
    def _flat_lighting(cls, data: object) -> object:
        # Settings files written before the `[lighting]` block keep working: the flat names
        # (`thresholds = "gap"`, `red_gap_points = 25`, …) are read into it.
        if not isinstance(data, dict):
            return data
        flat = {k: data.pop(k) for k in list(data) if k in LEGACY_LIGHTING}
        if not flat:
            return data
        block = data.get("lighting")
        block = dict(block) if isinstance(block, Mapping) else {}
        for key, value in flat.items():
            name = LEGACY_LIGHTING[key]
            if key == "thresholds":
                value = LEGACY_PRESETS.get(value, value)
            block.setdefault(name, value)
        data["lighting"] = block
        return data

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
