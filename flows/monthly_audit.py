"""The monthly audit flow (月度督查), as `prefect.yaml` names it; it lives in the package."""

from progress_audit.flows.monthly_audit import monthly_audit

__all__ = ["monthly_audit"]
