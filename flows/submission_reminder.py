"""The reminder flow (催报), as `prefect.yaml` names it; it lives in the package."""

from progress_audit.flows.submission_reminder import submission_reminder

__all__ = ["submission_reminder"]
