"""Intake (收件): the inbox's files fingerprinted, archived, recorded and read, and which of them
count as each unit's submission for a month.

The ledger is imported from `progress_audit.intake.ledger` where it is opened: SQLAlchemy is
slow to import, and importing intake (the command's start-up) must not pull it in.
"""

from progress_audit.intake.archive import ARCHIVE_DIR, InboxFileChanged
from progress_audit.intake.archived_reading import READING_PACKAGES, WorkbookReader, default_reader
from progress_audit.intake.inbox import InboxFile, holds_new_bytes, scan_inbox
from progress_audit.intake.pool import ReadingPool, before_forking, forking_workers, reading_pool
from progress_audit.intake.receive import (
    Received,
    not_taken_in,
    reading_context,
    receive,
    receive_cached,
    receive_many,
    recorded_inbox,
)
from progress_audit.intake.submissions import earlier_receipts, submissions_for

__all__ = [
    "ARCHIVE_DIR",
    "READING_PACKAGES",
    "InboxFile",
    "InboxFileChanged",
    "ReadingPool",
    "Received",
    "WorkbookReader",
    "before_forking",
    "default_reader",
    "earlier_receipts",
    "forking_workers",
    "holds_new_bytes",
    "not_taken_in",
    "reading_context",
    "reading_pool",
    "receive",
    "receive_cached",
    "receive_many",
    "recorded_inbox",
    "scan_inbox",
    "submissions_for",
]
