"""The unit's page, the upload and its receipt, and every refusal (contract section 8)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from io import BytesIO

from openpyxl import load_workbook
from typer.testing import CliRunner

from progress_audit.app.cli import app as cli
from progress_audit.intake.ledger import Ledger
from progress_audit.pipeline import collect, prepare
from progress_audit.portal.checking import check_pending
from tests.portal.conftest import AFTER_DUE, IN_TIME, JOBS, upload


def _uploads(desk) -> list:
    return desk.ledger.uploads()


def _archived(data) -> list:
    return sorted(p for p in (data / "archive").rglob("*") if p.is_file())


# -- the page and the receipt -------------------------------------------------------------


def test_the_unit_page_shows_its_tasks_due_time_template_and_upload_box(client, tokens):
    page = client.get(f"/u/{tokens['人社局']}")
    assert page.status_code == 200
    text = page.text
    assert "人社局 · 2019年6月进度填报" in text
    assert "2019年7月5日24时" in text and 'id="countdown"' in text
    assert f'href="/u/{tokens["人社局"]}/template"' in text
    assert 'type="file"' in text and 'enctype="multipart/form-data"' in text
    assert "16.1.1" in text and "城镇新增就业" in text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in text.replace('<script src="/static/portal.js"></script>', "")


def test_a_figure_typed_as_see_attachment_is_in_the_receipt_with_its_cell(client, tokens, workbook):
    book = workbook("人社局", {JOBS: {"本年累计完成": "见附件"}})
    reply = upload(client, tokens["人社局"], book, "6月进度.xlsx")
    assert reply.status_code == 200
    receipt = reply.json()
    assert receipt["unit"] == "人社局" and receipt["period"] == "2019-06"
    assert receipt["status"] == "on_time"
    assert receipt["sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()
    assert receipt["received_at"] == IN_TIME.isoformat()
    assert receipt["file"] == "6月进度.xlsx"
    unreadable = [p for p in receipt["problems"] if p["code"] == "unreadable_value"]
    assert len(unreadable) == 1
    assert unreadable[0]["cell"] == "进度填报!F8"  # row 8: the third line, 16.1.1
    assert "见附件" in unreadable[0]["message"]
    assert unreadable[0]["severity"] == "error" and unreadable[0]["advice"]
    assert receipt["checking"] is True  # the quality suites follow


def test_the_receipt_page_and_the_receipt_as_it_stands(client, tokens, workbook, desk):
    book = workbook("人社局", {JOBS: {"本年累计完成": "见附件"}})
    sha = hashlib.sha256(book.read_bytes()).hexdigest()
    page = client.post(
        f"/u/{tokens['人社局']}/upload", files={"file": ("a.xlsx", book.read_bytes())}
    )
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "进度填报!F8" in page.text and "按时报送" in page.text and sha in page.text
    assert "正在进行本月数据质量校验" in page.text
    check_pending(desk)
    again = client.get(
        f"/u/{tokens['人社局']}/receipts/{sha}", headers={"Accept": "application/json"}
    )
    assert again.json()["checking"] is False
    listed = client.get(f"/u/{tokens['人社局']}").text
    assert "查看回执" in listed and "a.xlsx" in listed


def test_a_receipt_asked_to_wait_is_answered_once_its_checks_have_joined_it(
    client, tokens, workbook, desk
):
    book = workbook("人社局", {JOBS: {"本年累计完成": "见附件"}})
    receipt = upload(client, tokens["人社局"], book).json()
    url = f"/u/{tokens['人社局']}/receipts/{receipt['sha256']}"
    asks_json = {"Accept": "application/json"}
    # Still being checked: held for `wait` seconds, then answered as it stands.
    start = time.monotonic()
    assert client.get(f"{url}?wait=0.3", headers=asks_json).json()["checking"] is True
    assert time.monotonic() - start >= 0.3
    assert client.get(f"{url}?wait=26", headers=asks_json).status_code == 400  # 25 s at most
    checked = threading.Event()

    def check_later() -> None:
        time.sleep(0.5)
        check_pending(desk)
        checked.set()

    threading.Thread(target=check_later).start()
    start = time.monotonic()
    answer = client.get(f"{url}?wait=20", headers=asks_json).json()
    assert checked.is_set() and answer["checking"] is False
    assert time.monotonic() - start < 15  # answered when checked, not when the wait ran out
    # Checked already: answered at once, as without `wait`.
    start = time.monotonic()
    assert client.get(f"{url}?wait=20", headers=asks_json).json() == answer
    assert time.monotonic() - start < 5


def test_the_quality_suites_add_a_figure_falling_from_last_month(client, tokens, workbook, desk):
    may = workbook("人社局", {JOBS: {"本年累计完成": 5000}}, month="2019年5月")
    assert upload(client, tokens["人社局"], may).json()["status"] == "late"  # May's, in July
    june = workbook("人社局", {JOBS: {"本年累计完成": 4000, "完成状态": "推进中"}})
    receipt = upload(client, tokens["人社局"], june).json()
    assert not [p for p in receipt["problems"] if p["code"] == "ytd_decreased"]
    assert check_pending(desk) >= 1
    stands = client.get(
        f"/u/{tokens['人社局']}/receipts/{receipt['sha256']}",
        headers={"Accept": "application/json"},
    ).json()
    fell = [p for p in stands["problems"] if p["code"] == "ytd_decreased"]
    assert stands["checking"] is False
    assert [p["cell"] for p in fell] == ["进度填报!F8"]


def test_uploading_again_the_latest_counts_and_run_counts_uploads_as_the_inbox(
    client, tokens, workbook, desk, clock, settings, data
):
    first = workbook("人社局", {JOBS: {"本年累计完成": 4000}})
    second = workbook("人社局", {JOBS: {"本年累计完成": 4500}})
    upload(client, tokens["人社局"], first)
    clock.moment = AFTER_DUE
    late = upload(client, tokens["人社局"], second).json()
    assert late["status"] == "late"
    audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    statuses = {s.sha256: s.status for s in month.current if s.unit == "人社局"}
    assert statuses == {
        hashlib.sha256(first.read_bytes()).hexdigest(): "superseded",
        late["sha256"]: "late",
    }
    counting = next(s for s in month.current if s.status == "late")
    assert counting.file.startswith("门户上传/人社局/")
    assert {r.value for r in counting.rows if r.metric_id == JOBS} == {4500}
    # As of the due date, only the first had arrived: it counts, on time.
    audit = prepare("2019-06", "2019-07-05", data, now=AFTER_DUE, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    assert [s.status for s in month.current if s.unit == "人社局"] == ["on_time"]


def test_the_same_workbook_from_the_inbox_gives_the_same_submission(
    client, tokens, workbook, desk, settings, data, tmp_path
):
    book = workbook("人社局", {JOBS: {"本年累计完成": "见附件"}})
    upload(client, tokens["人社局"], book)
    audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
    portal = collect(audit, desk.ledger, workers=False).current[0]

    inbox = tmp_path / "inbox-only"
    (inbox / "raw").mkdir(parents=True)
    dropped = inbox / "raw" / "人社局.xlsx"
    dropped.write_bytes(book.read_bytes())
    os.utime(dropped, (IN_TIME.timestamp(), IN_TIME.timestamp()))
    audit = prepare("2019-06", "2019-07-08", inbox, now=AFTER_DUE, settings=settings)

    with Ledger.open(inbox) as ledger:
        raw = collect(audit, ledger, workers=False).current[0]
    assert (portal.unit, portal.period, portal.sha256) == (raw.unit, raw.period, raw.sha256)
    assert [r.value for r in portal.rows] == [r.value for r in raw.rows]
    assert [(p.code, p.ref.cell) for p in portal.problems] == [
        (p.code, p.ref.cell) for p in raw.problems
    ]
    assert portal.status == raw.status == "on_time"


def test_the_template_carries_last_months_accepted_figures(client, tokens, workbook):
    may = workbook("人社局", {JOBS: {"本年累计完成": 3600}}, month="2019年5月")
    upload(client, tokens["人社局"], may)
    reply = client.get(f"/u/{tokens['人社局']}/template")
    assert reply.status_code == 200
    assert "filename*=UTF-8''2019-06_" in reply.headers["content-disposition"]
    sheet = load_workbook(BytesIO(reply.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "上月累计（参考）" in r)
    column = header.index("上月累计（参考）")
    jobs = next(r for r in rows if JOBS in r)
    assert jobs[column] == 3600


def test_last_months_feedback_is_the_units_own(client, tokens, data):
    folder = data / "reports" / "2019-05"
    folder.mkdir(parents=True)
    document = {
        "period": "2019-05",
        "as_of": "2019-06-06T09:00:00+08:00",
        "findings": [
            {
                "unit": "人社局",
                "task_id": "16.1",
                "metric_id": JOBS,
                "status": "at_risk",
                "reasons": ["<script>alert(1)</script>"],
            },
            {
                "unit": "科技局",
                "task_id": "6.1",
                "metric_id": "6.1.1",
                "status": "missing",
                "reasons": ["科技局的秘密"],
            },
        ],
        "submissions": [],
    }
    (folder / "findings.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    page = client.get(f"/u/{tokens['人社局']}").text
    assert "进度滞后" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "科技局的秘密" not in page


# -- refusals -----------------------------------------------------------------------------


def test_a_wrong_tampered_or_rotated_token_gets_the_same_404_and_changes_nothing(
    client, tokens, workbook, desk, data
):
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    token = tokens["人社局"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    book = workbook("人社局")
    for bad in (tampered, "x", token.upper(), "a" * 43):
        page = client.get(f"/u/{bad}")
        assert (page.status_code, page.text) == (404, missing.text)
        reply = upload(client, bad, book)
        assert (reply.status_code, reply.text) == (404, missing.text)
        assert client.get(f"/u/{bad}/template").status_code == 404
    assert _uploads(desk) == [] and _archived(data) == []

    result = CliRunner().invoke(
        cli, ["portal", "links", "--data", str(data), "--rotate", "人社局", "--json"]
    )
    assert result.exit_code == 0, result.output
    now = {i["unit"]: i["url"].rsplit("/", 1)[1] for i in json.loads(result.output)}
    assert now["人社局"] != token and now["科技局"] == tokens["科技局"]
    assert client.get(f"/u/{token}").text == missing.text  # ended at once
    assert upload(client, token, book).status_code == 404
    assert _uploads(desk) == []
    assert client.get(f"/u/{now['人社局']}").status_code == 200


def test_links_are_long_random_and_stored_only_hashed(tokens, desk, data):
    assert len(tokens) == 40 and len(set(tokens.values())) == 40
    assert all(len(t) >= 43 for t in tokens.values())  # 256 bits, base64url
    stored = desk.ledger.links()
    for unit, token in tokens.items():
        assert token not in json.dumps(stored)
        assert stored[unit][1] == hashlib.sha256(token.encode()).hexdigest()
    assert oct((data / "portal.key").stat().st_mode)[-3:] == "600"


def test_a_receipt_of_another_unit_is_not_found_through_my_link(client, tokens, workbook):
    book = workbook("科技局")
    receipt = upload(client, tokens["科技局"], book).json()
    mine = client.get(f"/u/{tokens['人社局']}/receipts/{receipt['sha256']}")
    assert mine.status_code == 404
    assert receipt["sha256"] not in client.get(f"/u/{tokens['人社局']}").text


def test_another_units_workbook_through_my_link_is_rejected_and_counts_for_no_one(
    client, tokens, workbook, desk, settings, data
):
    theirs = workbook("科技局")
    receipt = upload(client, tokens["人社局"], theirs).json()
    assert receipt["status"] == "rejected" and receipt["unit"] == "人社局"
    assert [p["code"] for p in receipt["problems"]] == ["other_unit"]
    assert "科技局" in receipt["problems"][0]["message"]
    audit = prepare("2019-06", "2019-07-08", data, now=AFTER_DUE, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    assert [(s.unit, s.status) for s in month.current] == [("人社局", "rejected")]
    assert receipt["sha256"] not in client.get(f"/u/{tokens['科技局']}").text


def test_the_size_limit_refuses_a_body_by_its_length_with_413(client, tokens, desk, data):
    sixty = 60 * 1024 * 1024
    reply = client.post(
        f"/u/{tokens['人社局']}/upload",
        content=b"x" * 10,  # the stated length decides before anything is read
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(sixty),
            "Accept": "application/json",
        },
    )
    assert reply.status_code == 413
    assert "20 MB" in reply.json()["detail"]
    assert _uploads(desk) == [] and _archived(data) == []


def test_a_body_without_a_length_is_cut_off_at_the_limit(client, tokens, desk, data):
    desk.settings = desk.settings.model_copy(update={"max_workbook_bytes": 1024 * 1024})

    def body():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'
        for _ in range(60):  # 60 MB, never all read
            yield b"\0" * (1024 * 1024)
        yield b"\r\n--b--\r\n"

    reply = client.post(
        f"/u/{tokens['人社局']}/upload",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=b", "Accept": "application/json"},
    )
    assert reply.status_code == 413
    assert _uploads(desk) == [] and _archived(data) == []
    assert [p for p in (data / ".uploads").rglob("*") if p.is_file()] == []


def test_a_client_file_name_is_never_a_path(client, tokens, workbook, desk, data, tmp_path):
    book = workbook("人社局")
    for name in ("../../../../outside.xlsx", "..\\..\\outside.xlsx", "/etc/passwd", ".."):
        receipt = upload(client, tokens["人社局"], book, name).json()
        assert "/" not in receipt["file"] and "\\" not in receipt["file"]
        assert not receipt["file"].startswith(".")
    assert not (tmp_path / "outside.xlsx").exists() and not (data.parent / "outside.xlsx").exists()
    archived = _archived(data)
    assert len(archived) == 1 and archived[0].parent.parent == data / "archive"
    assert all(u.name.startswith("门户上传/人社局/") for u in _uploads(desk))


def test_script_and_formulas_in_unit_text_stay_text(client, tokens, workbook):
    book = workbook(
        "人社局",
        {
            JOBS: {
                "本年累计完成": "<script>alert(1)</script>",
                "存在问题": '=HYPERLINK("http://x","y")',
            }
        },
    )
    name = "<img src=x onerror=alert(1)>.xlsx"
    page = client.post(f"/u/{tokens['人社局']}/upload", files={"file": (name, book.read_bytes())})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
    listing = client.get(f"/u/{tokens['人社局']}").text
    assert "<img src=x" not in listing


def test_content_is_sniffed_by_the_safety_checks(client, tokens, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("<html><script>alert(1)</script></html>")
    receipt = upload(client, tokens["人社局"], fake, "fake.xlsx").json()
    assert receipt["status"] == "rejected"
    assert [p["code"] for p in receipt["problems"]] == ["unsupported_format"]  # HTML, sniffed


def test_no_listings_no_stack_traces(client, tokens, desk, monkeypatch):
    assert client.get("/static/").status_code == 404
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/pages").status_code == 404
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404

    def broken(*a, **k):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(desk, "receipts", broken)
    page = client.get(f"/u/{tokens['人社局']}")
    assert page.status_code == 500
    assert "Traceback" not in page.text and "secret detail" not in page.text
    assert "服务器出错了" in page.text
    assert "content-security-policy" in page.headers


def test_a_form_without_a_file_is_400(client, tokens, desk):
    reply = client.post(
        f"/u/{tokens['人社局']}/upload",
        files={"other": ("a.xlsx", b"x")},
        headers={"Accept": "application/json"},
    )
    assert reply.status_code == 400 and "没有收到文件" in reply.json()["detail"]
    plain = client.post(f"/u/{tokens['人社局']}/upload", data={"file": "x"})
    assert plain.status_code == 400 and "multipart/form-data" in plain.text
    assert _uploads(desk) == []


def test_portal_links_prints_every_lead_units_link(data, tokens):
    result = CliRunner().invoke(
        cli,
        ["portal", "links", "--data", str(data), "--base-url", "https://dcs.example/", "--json"],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert len(found) == 40
    assert {i["url"] for i in found} == {f"https://dcs.example/u/{t}" for t in tokens.values()}
    bad = CliRunner().invoke(cli, ["portal", "links", "--data", str(data), "--rotate", "无此单位"])
    assert bad.exit_code == 1 and "不是本年度的牵头单位" in bad.output


def test_the_templates_command_gets_last_months_accepted_figures_too(
    client, tokens, workbook, data, tmp_path
):
    may = workbook("人社局", {JOBS: {"本年累计完成": 3600}}, month="2019年5月")
    upload(client, tokens["人社局"], may)
    out = tmp_path / "templates"
    result = CliRunner().invoke(
        cli, ["templates", "--period", "2019-06", "--data", str(data), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out / "2019-06_人社局_进度填报表.xlsx").worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    column = next(r for r in rows if "上月累计（参考）" in r).index("上月累计（参考）")
    assert next(r for r in rows if JOBS in r)[column] == 3600


def test_a_months_audit_takes_only_the_uploads_of_that_month_its_previous_and_unplaced_ones(
    client, tokens, workbook, desk, settings, data, tmp_path
):
    may = workbook("人社局", {JOBS: {"本年累计完成": 3000}}, month="2019年5月")
    june = workbook("人社局", {JOBS: {"本年累计完成": 4000}})
    junk = tmp_path / "books" / "not-a-workbook.xlsx"
    junk.write_bytes(b"just text, no month in it")
    for book in (may, june, junk):
        upload(client, tokens["人社局"], book)
    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (may, june, junk)}

    def taken(*months: str) -> set[str]:
        return {u.sha256 for u in desk.ledger.uploads(periods=months)}

    assert taken("2019-06", "2019-05") == set(sha.values())
    assert taken("2019-07", "2019-06") == {sha[june], sha[junk]}  # May's is not read for July
    # July's audit still has June's upload as last month's, counting.
    audit = prepare("2019-07", "2019-08-08", data, now=AFTER_DUE, settings=settings)
    month = collect(audit, desk.ledger, workers=False)
    counting = [s.sha256 for s in month.previous if s.status in ("on_time", "late")]
    assert counting == [sha[june]]
    assert sha[may] not in {s.sha256 for s in (*month.previous, *month.current)}
