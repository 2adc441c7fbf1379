"""The findings file: contract section 5's shape, and the same bytes for the same inputs."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from progress_audit.assessment.assess import summarise
from progress_audit.model.period import parse_as_of
from progress_audit.reporting.findings_file import findings_document, write_findings
from tests.assessment.test_assess import (
    DECEMBER,
    DECEMBER_INBOX,
    JUNE,
    inbox_submissions,
    june_inbox,
    run,
)

CONTRACT_FINDING_KEYS = [
    "task_id",
    "metric_id",
    "unit",
    "leaders",
    "status",
    "target",
    "actual",
    "expected",
    "ratio",
    "gap",
    "required_monthly",
    "time_progress",
    "deadline",
    "reasons",
    "source",
    "reported",
    "review",
]
EXTRA_FINDING_KEYS = [
    "name",
    "unit_of_measure",
    "gap_points",
    "projection",
    "due_soon",
    "issues",
    "progress",
    "warnings",
    "track",
]
MOMENT = parse_as_of("2019-07-06T09:00:00+08:00")


def june_document(catalogue, shuffle_seed=None, extra=None):
    subs, quality = june_inbox()
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(subs)
    findings = run(catalogue, JUNE, subs, problems=quality, moment=MOMENT)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(findings)
    return findings_document(JUNE, MOMENT, findings, subs, extra), findings


def test_the_documents_keys_are_the_contracts(catalogue_2019):
    doc, findings = june_document(catalogue_2019)
    assert list(doc) == ["period", "as_of", "summary", "findings", "submissions"]
    assert doc["period"] == "2019-06"
    assert doc["as_of"] == "2019-07-06T09:00:00+08:00"
    assert doc["summary"] == summarise(findings)
    assert len(doc["findings"]) == len(findings)
    for item in doc["findings"]:
        nodes = ["nodes"] if item["track"] == "milestones" else []
        assert list(item) == CONTRACT_FINDING_KEYS + EXTRA_FINDING_KEYS + nodes
        assert list(item["source"]) == ["file", "sheet", "cell"]
    assert all(
        list(s) == ["unit", "period", "file", "sha256", "received_at", "status", "problems"]
        for s in doc["submissions"]
    )


def test_a_finding_as_json(catalogue_2019):
    doc, _ = june_document(catalogue_2019)
    by_key = {(f["unit"], f["task_id"], f["metric_id"]): f for f in doc["findings"]}
    land = by_key[("自然资源局", "3.2", "3.2.1")]
    assert land["status"] == "on_track"
    assert (land["target"], land["actual"], land["expected"], land["ratio"]) == (
        5000.0,
        4000,
        2500.0,
        1.6,
    )
    assert land["time_progress"] == 0.5 and land["deadline"] == "2019-12-31"
    assert land["source"] == {"file": "自然资源局-2019-06.xlsx", "sheet": "进度填报", "cell": "F8"}
    assert land["leaders"] == ["陶伟"] and land["unit_of_measure"] == "亩"
    # Numbers are rounded once, when the finding is made: 1 of 1.5 projects is 0.667 of
    # 序时进度 (ratios to 0.1%), 0.5 of a project behind, 0.33 a month still to do (figures to
    # two decimals); less than one project behind is on track.
    projects = by_key[("商务局", "1.1", "1.1.3")]
    assert projects["ratio"] == 0.667 and projects["required_monthly"] == 0.33
    assert projects["gap"] == 0.5 and projects["status"] == "on_track"
    assert projects["reported"] is None and projects["review"] is None
    # A unit that sent nothing has a source with nothing in it, not a missing key.
    silent = by_key[("教育局", "16.4", "16.4.1")]
    assert silent["status"] == "missing" and silent["source"] == dict.fromkeys(
        ["file", "sheet", "cell"]
    )
    assert silent["actual"] is None and silent["ratio"] is None


def test_findings_are_sorted_by_task_number_then_metric_then_unit(catalogue_2019):
    doc, _ = june_document(catalogue_2019, shuffle_seed=7)
    keys = [
        (tuple(int(x) for x in f["task_id"].split(".")), f["metric_id"] or "", f["unit"])
        for f in doc["findings"]
    ]
    assert keys == sorted(keys)
    ids = [f["task_id"] for f in doc["findings"]]
    assert ids.index("2.2") < ids.index("10.1")  # numerically, not as text


def test_the_same_inputs_give_the_same_bytes(catalogue_2019, tmp_path):
    first, second = tmp_path / "a" / "findings.json", tmp_path / "b" / "findings.json"
    doc, _ = june_document(catalogue_2019, extra={"generated_at": "2019-07-06T09:00:01+08:00"})
    write_findings(first, doc)
    again, _ = june_document(
        catalogue_2019, shuffle_seed=3, extra={"generated_at": "2019-07-06T09:00:01+08:00"}
    )
    write_findings(second, again)
    assert first.read_bytes() == second.read_bytes()
    assert [p.name for p in first.parent.iterdir()] == ["findings.json"]  # no temp file left


def test_only_the_generation_stamp_differs_between_reruns(catalogue_2019, tmp_path):
    doc, _ = june_document(catalogue_2019, extra={"generated_at": "2019-07-06T09:00:01+08:00"})
    later, _ = june_document(catalogue_2019, extra={"generated_at": "2019-07-08T17:30:00+08:00"})
    write_findings(tmp_path / "1.json", doc)
    write_findings(tmp_path / "2.json", later)
    one = (tmp_path / "1.json").read_text(encoding="utf-8").splitlines()
    two = (tmp_path / "2.json").read_text(encoding="utf-8").splitlines()
    differing = [(a, b) for a, b in zip(one, two, strict=True) if a != b]
    stamp = '  "generated_at": "{}"'
    assert differing == [
        (stamp.format("2019-07-06T09:00:01+08:00"), stamp.format("2019-07-08T17:30:00+08:00"))
    ]
    assert list(doc)[-1] == "generated_at"


def test_the_file_is_utf8_chinese_as_is_and_reads_back(catalogue_2019, tmp_path):
    findings = run(catalogue_2019, DECEMBER, inbox_submissions(DECEMBER, DECEMBER_INBOX))
    moment = parse_as_of("2020-01-06")
    doc = findings_document(DECEMBER, moment, findings, inbox_submissions(DECEMBER, DECEMBER_INBOX))
    path = tmp_path / "reports" / "2019-12" / "findings.json"
    write_findings(path, doc)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "完成期限 2019年12月31日 已到" in text and "\\u" not in text
    assert text.endswith("}\n") and text.startswith('{\n  "period": "2019-12"')
    assert json.loads(text) == doc
    assert doc["as_of"] == "2020-01-07T00:00:00+08:00"  # the end of 6 January
    assert doc["summary"]["overdue"] == sum(f.status == "overdue" for f in findings) > 0


def test_as_of_is_written_in_the_offices_time_zone(catalogue_2019):
    utc = datetime(2019, 7, 6, 1, 0, tzinfo=UTC)
    doc = findings_document(JUNE, utc, [], [])
    assert doc["as_of"] == "2019-07-06T09:00:00+08:00"
    assert doc["summary"] == dict.fromkeys(
        [
            "completed",
            "on_track",
            "at_risk",
            "off_track",
            "overdue",
            "missing",
            "invalid",
            "planning",
        ],
        0,
    )
    with pytest.raises(ValueError, match="时区"):
        findings_document(JUNE, datetime(2019, 7, 6, 9), [], [])


def test_extra_fields_cannot_replace_the_contracts(catalogue_2019):
    with pytest.raises(ValueError, match="summary"):
        findings_document(JUNE, MOMENT, [], [], {"summary": {}})
