"""Node plans on the portal (contract section 9): a plan sent through a unit's link and its
receipt by cell, the unit's plan template and page, extension requests, and the office's
decisions on the board, through `/office/api/review` and in the audit log."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from progress_audit.config import Settings
from progress_audit.intake.plans import plan_records, plan_state_of
from progress_audit.model.plans import NODE_SHEET, PLAN_SHEET
from tests.plans.test_plans import _plan_bytes
from tests.portal.conftest import IN_TIME
from tests.portal.test_office import PASSWORD, basic, csrf_of, login

UNIT = "交通局"  # leads 7.1 (竣工通车), its only milestone task
OTHER = "人社局"
PLAN = {
    ("7.1", 1): ("茅山旅游大道主体完工", "2019-05"),
    ("7.1", 2): ("直别公路路面施工", "2019-07"),
    ("7.1", 3): ("竣工通车", "2019年10月"),
}


@pytest.fixture
def settings() -> Settings:
    return Settings(office_password=PASSWORD)


def send_plan(client, token: str, content: bytes, json: bool = True):
    headers = {"Accept": "application/json"} if json else {}
    files = {"file": ("节点计划.xlsx", content)}
    return client.post(f"/u/{token}/upload", files=files, headers=headers)


def review(client, **body):
    return client.post(
        "/office/api/review", json={"unit": UNIT, "year": 2019, **body}, headers=basic()
    )


def approved(client, tokens, units) -> None:
    assert send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN)).json()["status"] == (
        "received"
    )
    assert review(client, action="approve_plan").status_code == 200


def test_a_plan_is_told_apart_by_its_sheet_kept_and_answered_by_cell(
    client, tokens, units, desk, data
):
    bad = _plan_bytes(units, rows={("7.1", 1): ("主体完工", "五月份吧")})
    reply = send_plan(client, tokens[UNIT], bad)
    assert reply.status_code == 200
    receipt = reply.json()
    assert receipt["kind"] == "plan" and receipt["unit"] == UNIT and receipt["year"] == 2019
    assert receipt["status"] == "rejected" and receipt["nodes"] == 0
    assert receipt["sha256"] == hashlib.sha256(bad).hexdigest()
    assert [p["cell"] for p in receipt["problems"]] == [f"{PLAN_SHEET}!E6"]
    assert "不是月份" in receipt["problems"][0]["message"]
    kept = data / "archive" / receipt["sha256"][:2] / f"{receipt['sha256']}.xlsx"
    assert kept.read_bytes() == bad  # kept byte for byte, though refused
    assert desk.ledger.uploads(UNIT) == []  # a plan is not a month's submission
    page = send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN), json=False)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "节点计划回执" in page.text and "已收到，待督查室审定" in page.text
    assert "直别公路路面施工" in page.text and "2019年7月" in page.text
    assert plan_state_of(desk.ledger, UNIT, 2019).status == "pending"


def test_another_units_plan_is_refused_and_a_unit_without_milestones_is_told(
    client, tokens, units, data
):
    theirs = _plan_bytes(units, rows=PLAN, title_unit="住建局")
    receipt = send_plan(client, tokens[UNIT], theirs).json()
    assert receipt["status"] == "rejected"
    assert [p["code"] for p in receipt["problems"]] == ["plan_other_unit"]
    assert receipt["problems"][0]["cell"] == f"{PLAN_SHEET}!A2"
    no_milestones = next(u for u in units if u not in plan_owing(units))
    content = _plan_bytes(units, rows=PLAN)
    refused = send_plan(client, tokens[no_milestones], content)
    assert refused.status_code == 400 and "没有牵头的节点任务" in refused.json()["detail"]
    sha = hashlib.sha256(content).hexdigest()
    assert (data / "archive" / sha[:2] / f"{sha}.xlsx").read_bytes() == content


def plan_owing(units) -> set[str]:
    from progress_audit.templates.plans import milestone_standards

    return {u for u, lines in units.items() if milestone_standards(tuple(lines))}


def test_hostile_plan_uploads_get_reasons_never_a_500(client, tokens, desk):
    token = tokens[UNIT]
    # A zip naming the plan's sheet but not a workbook, a file name that is a path.
    import zipfile

    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", f'<sheet name="{PLAN_SHEET}"/>')
    reply = client.post(
        f"/u/{token}/upload",
        files={"file": ("../../etc/passwd", buf.getvalue())},
        headers={"Accept": "application/json"},
    )
    assert reply.status_code == 200
    receipt = reply.json()
    assert receipt["status"] == "rejected" and receipt["problems"]
    assert "/etc" not in receipt["file"] and ".." not in receipt["file"]
    assert plan_state_of(desk.ledger, UNIT, 2019).status == "invalid"


def test_the_units_plan_template_and_a_unit_without_milestones_gets_none(client, tokens, units):
    reply = client.get(f"/u/{tokens[UNIT]}/plan-template")
    assert reply.status_code == 200
    assert "attachment" in reply.headers["content-disposition"]
    ws = load_workbook(BytesIO(reply.content))[PLAN_SHEET]
    assert ws["A2"].value == f"填报单位：{UNIT}"
    assert ws["A6"].value == "7.1"
    no_milestones = next(u for u in units if u not in plan_owing(units))
    assert client.get(f"/u/{tokens[no_milestones]}/plan-template").status_code == 404
    assert "节点计划（" not in client.get(f"/u/{tokens[no_milestones]}").text


def test_the_unit_page_follows_its_plan_from_none_to_approved(client, tokens, units):
    url = f"/u/{tokens[UNIT]}"
    assert "未报送节点计划" in client.get(url).text
    assert f'href="{url}/plan-template"' in client.get(url).text
    send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN))
    assert "待审定" in client.get(url).text
    assert review(client, action="return_plan", reason="节点过粗，请细化到月").status_code == 200
    text = client.get(url).text
    assert "已退回" in text and "节点过粗，请细化到月" in text
    second = dict(PLAN) | {("7.1", 1): ("茅山旅游大道主体完工并验收", "2019-05")}
    send_plan(client, tokens[UNIT], _plan_bytes(units, rows=second))
    assert review(client, action="approve_plan").status_code == 200
    page = client.get(url).text
    assert "已审定" in page
    due = page.split('id="nodes-due"')[1].split("</table>")[0]
    # June is open: nodes due by July are listed (May's late one too), October's is not.
    assert "主体完工并验收" in due and "直别公路路面施工" in due and "竣工通车" not in due
    assert due.count("已过计划月份") == 1  # May's node, not reported done
    assert 'id="extension-form"' in page


def test_the_monthly_template_carries_the_nodes_due(client, tokens, units):
    approved(client, tokens, units)
    wb = load_workbook(BytesIO(client.get(f"/u/{tokens[UNIT]}/template").content))
    ws = wb[NODE_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4) if r[0].value]
    assert [(r[0], r[1]) for r in rows] == [("7.1", 1), ("7.1", 2)]
    other = load_workbook(BytesIO(client.get(f"/u/{tokens[OTHER]}/template").content))
    assert NODE_SHEET not in other.sheetnames


def test_a_unit_asks_an_extension_and_the_office_decides(client, tokens, units, desk, clock):
    approved(client, tokens, units)
    ask = f"/u/{tokens[UNIT]}/extension"
    body = {"task_id": "7.1", "node": 2, "new_month": "2019-08", "reason": "雨季停工"}
    reply = client.post(ask, json=body)
    assert reply.status_code == 200 and reply.json()["action"] == "request_extension"
    again = client.post(ask, json=body)
    assert again.status_code == 400 and "待督查室决定" in again.json()["detail"]
    # May's node: its month has ended, too late to ask.
    late = client.post(ask, json={**body, "node": 1})
    assert late.status_code == 400 and "不能再申请延期" in late.json()["detail"]
    for bad, words in [
        ([1, 2], "JSON 对象"),
        ({**body, "node": "二"}, "整数"),
        ({**body, "new_month": "明年"}, "不是月份"),
        ({**body, "new_month": "2020-03"}, "期限"),
        ({**body, "node": 3, "new_month": "2019-11", "reason": ""}, "理由"),
        ({**body, "task_id": "16.1"}, "没有任务"),
    ]:
        refused = client.post(ask, json=bad)
        assert refused.status_code == 400, bad
        assert words in refused.json()["detail"], refused.json()
    assert (
        client.post(ask, content=b"{oops", headers={"Content-Type": "application/json"})
        .json()["detail"]
        .startswith("请求内容有误")
    )
    page = client.get(f"/u/{tokens[UNIT]}").text
    assert "雨季停工" in page and "待督查室决定" in page
    board = client.get("/office", headers=basic()).text
    assert 'id="pending-extensions"' in board and "雨季停工" in board
    decided = review(client, action="approve_extension", task_id="7.1", node=2, reason="同意")
    assert decided.status_code == 200 and decided.json()["by"] == "office"
    state = plan_state_of(desk.ledger, UNIT, 2019)
    assert state.node("7.1", 2).due == "2019-08" and state.node("7.1", 2).planned == "2019-07"
    page = client.get(f"/u/{tokens[UNIT]}").text
    assert "已同意" in page and "2019年7月 → 2019年8月" in page
    # The office moves May's late node to July itself: listed by July, May beside it.
    review(client, action="extend", task_id="7.1", node=1, new_month="2019-07", reason="补办手续")
    due = client.get(f"/u/{tokens[UNIT]}").text.split('id="nodes-due"')[1].split("</table>")[0]
    assert '2019年7月<br><span class="hint">（原计划 2019年5月，已延期）' in due
    assert "雨季停工" not in client.get("/office", headers=basic()).text.split('id="plans"')[1]


def test_the_page_form_asks_an_extension_too(client, tokens, units, desk):
    approved(client, tokens, units)
    form = {"which": "7.1#2", "new_month": "2019-09", "reason": "征地未完成"}
    reply = client.post(f"/u/{tokens[UNIT]}/extension", data=form, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].endswith("?asked=1#plan")
    assert plan_state_of(desk.ledger, UNIT, 2019).pending_extension("7.1", 2) is not None
    wrong = client.post(f"/u/{tokens[UNIT]}/extension", data={**form, "which": "7.1#9"})
    assert wrong.status_code == 400 and "没有任务 7.1 的节点 9" in wrong.text


def test_the_office_reviews_plans_through_the_api(client, tokens, units, desk):
    send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN))
    for body, words in [
        ({"action": "approve_plan", "year": 2018}, "年度"),
        ({"action": "approve_plan", "unit": "外星局"}, "未知的单位"),
        ({"action": "return_plan"}, "理由"),
        ({"action": "extend", "task_id": "7.1", "node": 2, "new_month": "2019-08"}, "审定"),
        ({"action": "approve_extension", "task_id": "7.1", "node": 2}, "延期申请"),
    ]:
        refused = review(client, **body)
        assert refused.status_code == 400, body
        assert words in refused.json()["detail"], refused.json()
    assert plan_state_of(desk.ledger, UNIT, 2019).status == "pending"
    yes = review(client, action="approve_plan")
    assert yes.status_code == 200 and yes.json()["action"] == "approve_plan"
    assert yes.json()["by"] == "office"
    frozen = review(client, action="return_plan", reason="重排")
    assert frozen.status_code == 400 and "审定后不能退回" in frozen.json()["detail"]
    granted = review(
        client, action="extend", task_id="7.1", node=3, new_month="2019-11", reason="资金到位晚"
    )
    assert granted.status_code == 200
    assert plan_state_of(desk.ledger, UNIT, 2019).node("7.1", 3).due == "2019-11"
    assert len(plan_records(desk.ledger, 2019, UNIT)) == 1


def test_the_board_lists_units_without_a_plan_and_the_clerk_approves_with_a_form(
    client, tokens, units, desk
):
    send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN))
    assert login(client).status_code == 303
    board = client.get("/office").text
    without = board.split('id="without-plan"')[1].split("</table>")[0]
    owing = plan_owing(units)
    assert all(u in without for u in owing) and OTHER not in without
    assert "待审定" in without and "未报送节点计划" in without
    plan = client.get(f"/office/plans/{UNIT}")
    assert plan.status_code == 200 and "直别公路路面施工" in plan.text
    assert 'id="approve-plan-form"' in plan.text
    token = csrf_of(client)
    no_token = client.post(
        "/office/review", data={"unit": UNIT, "year": "2019", "action": "approve_plan"}
    )
    assert no_token.status_code == 403
    assert plan_state_of(desk.ledger, UNIT, 2019).status == "pending"
    done = client.post(
        "/office/review",
        data={"csrf": token, "unit": UNIT, "year": "2019", "action": "approve_plan"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "/office/plans/" in done.headers["location"]
    after = client.get(done.headers["location"]).text
    assert 'id="done"' in after and "审定节点计划" in after and "已审定" in after
    assert UNIT not in client.get("/office").text.split('id="without-plan"')[1].split("</table>")[0]
    refused = client.post(
        "/office/review",
        data={"csrf": token, "unit": UNIT, "year": "2019", "action": "return_plan", "reason": "x"},
    )
    assert refused.status_code == 400 and "审定后不能退回" in refused.text
    assert client.get("/office/plans/%E5%A4%96%E6%98%9F%E5%B1%80").status_code == 404
    assert client.get(f"/office/plans/{OTHER}").status_code == 404  # leads no milestone task
    assert f'href="/office/plans/{quote(UNIT)}"' in client.get(f"/office/units/{UNIT}").text
    assert 'id="plan-link"' not in client.get(f"/office/units/{OTHER}").text


def test_the_audit_log_shows_plan_actions_with_who_took_them(client, tokens, units, desk):
    from progress_audit.portal.office import accounts

    accounts.add_user(desk.ledger, "张科长", "口令-张科长-2019", IN_TIME)
    send_plan(client, tokens[UNIT], _plan_bytes(units, rows=PLAN))
    reply = client.post(
        "/office/api/review",
        json={"unit": UNIT, "year": 2019, "action": "return_plan", "reason": "请细化节点"},
        headers=basic("口令-张科长-2019", "张科长"),
    )
    assert reply.status_code == 200 and reply.json()["by"] == "张科长"
    client.post(
        f"/u/{tokens[UNIT]}/extension",
        json={"task_id": "7.1", "node": 2, "new_month": "2019-08", "reason": "x"},
    )
    log = client.get("/office/log", headers=basic()).text
    row = next(r for r in re.findall(r"<tr>.*?</tr>", log) if "退回节点计划" in r)
    assert "张科长" in row and "请细化节点" in row and UNIT in row and "2019年" in row


def test_no_office_account_no_plan_pages_and_a_unit_link_opens_none(client, tokens):
    assert client.get(f"/office/plans/{UNIT}", follow_redirects=False).status_code == 303
    api = client.post(
        "/office/api/review", json={"unit": UNIT, "year": 2019, "action": "approve_plan"}
    )
    assert api.status_code == 401
    assert client.get("/u/not-a-token/plan-template").status_code == 404
    bad = client.post("/u/not-a-token/extension", json={"task_id": "7.1"})
    assert bad.status_code == 404
