"""A synthetic inbox's manifest as JSON, for a test that keeps it beside the inbox."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from progress_audit.demo.manifest import InboxManifest


def manifest_json(manifest: InboxManifest) -> dict[str, Any]:
    """Every file, fault and row of `manifest`, dates as ISO strings."""

    def clean(obj: Any) -> Any:
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        if isinstance(obj, dict):
            return {k: clean(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [clean(v) for v in obj]
        return obj

    return clean(asdict(manifest))


def write_manifest(manifest: InboxManifest, path: Path) -> None:
    """`manifest.json`; keep it outside the inbox."""
    path.write_text(
        json.dumps(manifest_json(manifest), ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
