"""Reading a unit's workbook (填报表识读): `read_workbook` → `WorkbookReading`."""

from progress_audit.intake.reading.reader import READER_VERSION, WorkbookReading, read_workbook
from progress_audit.intake.reading.safety import Inspection, SafetyLimits, inspect_workbook

__all__ = [
    "READER_VERSION",
    "Inspection",
    "SafetyLimits",
    "WorkbookReading",
    "inspect_workbook",
    "read_workbook",
]
