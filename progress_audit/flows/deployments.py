"""The deployments of `prefect.yaml`, for `progress-audit serve` (Prefect's serve in one process).

One source of truth: the schedules and parameters are read from prefect.yaml, the same file
`prefect deploy --all` uses.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.schedules import Cron

from progress_audit.flows.monthly_audit import monthly_audit
from progress_audit.flows.submission_reminder import submission_reminder

FLOWS = {
    "flows/monthly_audit.py:monthly_audit": monthly_audit,
    "flows/submission_reminder.py:submission_reminder": submission_reminder,
}


def deployments_from_yaml(path: Path) -> list:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    result = []
    for d in spec["deployments"]:
        flow = FLOWS[d["entrypoint"]]
        schedules = [
            Cron(s["cron"], timezone=s.get("timezone"))
            for s in d.get("schedules", [])
            if "cron" in s
        ]
        result.append(
            flow.to_deployment(
                name=d["name"],
                description=d.get("description"),
                tags=d.get("tags"),
                parameters=d.get("parameters") or {},
                schedules=schedules,
            )
        )
    return result
