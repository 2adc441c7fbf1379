"""The receipt (回执) a unit gets for a file it sends through its link (contract section 8):
one type, stored in the ledger, returned as JSON, shown on the unit's pages and mailed.

Its status labels live here, beside it; every place that shows a receipt reads them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from progress_audit.model.wording import SEVERITY_LABELS, moment_label

ReceiptStatus = Literal["on_time", "late", "rejected", "returned", "withdrawn"]
RECEIPT_STATUS_LABELS: dict[str, str] = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "rejected": "未予采用",
    "returned": "已退回",
    "withdrawn": "已撤下",
}
"""A receipt's status in the unit's words; `returned` and `withdrawn` are the office's later
decisions on the file, shown on the unit's page (the receipt as given says on time or late)."""


class ReceiptProblem(BaseModel):
    """One problem the engine found in the file, with its cell and what to do."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Literal["error", "warning"]
    message: str
    cell: str
    advice: str = ""
    task_id: str | None = None
    metric_id: str | None = None

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


class Receipt(BaseModel):
    """A receipt as it stands: `checking` while the month's quality suites have not yet
    looked at the file (their problems join it then)."""

    model_config = ConfigDict(frozen=True)

    unit: str
    period: str | None
    file: str
    sha256: str
    received_at: AwareDatetime
    status: ReceiptStatus
    problems: tuple[ReceiptProblem, ...] = ()
    checking: bool = False

    @property
    def status_label(self) -> str:
        return RECEIPT_STATUS_LABELS[self.status]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity != "error" for p in self.problems)

    @property
    def period_label(self) -> str | None:
        if not self.period:
            return None
        year, month = self.period.split("-")
        return f"{int(year)}年{int(month)}月"

    def received_label(self, tz: str) -> str:
        """When it was received, in the office's time zone: 2019年7月5日 16:30."""
        return moment_label(self.received_at.astimezone(ZoneInfo(tz)))

    def joined(self, more: Iterable[ReceiptProblem]) -> Receipt:
        """With the problems in `more` that it does not already give (same code and cell)."""
        seen = {(p.code, p.cell) for p in self.problems}
        added = []
        for p in more:
            if (p.code, p.cell) not in seen:
                seen.add((p.code, p.cell))
                added.append(p)
        return self.model_copy(update={"problems": (*self.problems, *added)}) if added else self

    def decided(self, status: ReceiptStatus) -> Receipt:
        """As the office's later decision on the file has it (returned, withdrawn)."""
        return self.model_copy(update={"status": status})

    def as_json(self) -> str:
        return self.model_dump_json()

    def as_dict(self) -> dict[str, object]:
        return self.model_dump(mode="json")
