"""quality.html and dashboard.html in a real browser: Debian's chromium, headless, network off.

Each page must show its tables and SVG charts and ask nothing of the network. Requests are
read from chromium's net log: a request the page started has an initiator (its file:// origin,
"null"); chromium's own background traffic (update checks) has none ("not an origin") and is
not the page's doing. The pages also carry a Content-Security-Policy, so an attempt would show
as a policy violation on the console: both are checked, and the check itself is tested on a
page that does load from a CDN.

Needs `apt-get install chromium fonts-noto-cjk`; skipped, saying so, without them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from progress_audit.standards.responsibility import assignments as assign
from tests.support.quality_month import two_months

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed: apt-get install chromium fonts-noto-cjk"
)
OFFLINE = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
)
LOCAL = ("file:", "data:", "blob:", "about:")


@dataclass(frozen=True)
class Load:
    dom: str
    requests: tuple[str, ...]
    """URLs the page itself asked for (not chromium's background traffic)."""
    console: tuple[str, ...]


def load(page: Path | str, work: Path, *flags: str) -> Load:
    """Open `page` in headless chromium with the network off; its DOM, requests, console."""
    work.mkdir(parents=True, exist_ok=True)
    n = len(list(work.glob("profile-*")))
    netlog = work / f"net-{n}.json"
    url = page if isinstance(page, str) else page.resolve().as_uri()
    # Headless chromium stays open unless told to dump the DOM or take a screenshot.
    output = () if any(f.startswith("--screenshot") for f in flags) else ("--dump-dom",)
    cmd = [
        CHROMIUM,
        *OFFLINE,
        f"--user-data-dir={work / f'profile-{n}'}",
        f"--log-net-log={netlog}",
        "--enable-logging=stderr",
        "--v=0",
        *output,
        *flags,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = tuple(line for line in done.stderr.splitlines() if ":CONSOLE" in line)
    return Load(done.stdout, _page_requests(netlog), console)


def _page_requests(netlog: Path) -> tuple[str, ...]:
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:  # a log cut short: close the event list
        data = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        started = names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
        if started and params.get("initiator") != "not an origin":
            urls.append(params["url"])
    return tuple(urls)


def outside(result: Load) -> list[str]:
    """What the page tried to fetch from anywhere but the file itself."""
    fetched = [u for u in result.requests if not u.startswith(LOCAL)]
    refused = [c for c in result.console if "Content Security Policy" in c]
    return fetched + refused


@pytest.fixture(scope="module")
def pages(catalogue_2019, tmp_path_factory):
    a = assign(catalogue_2019)
    _, report, _, quality, dashboard = two_months(
        catalogue_2019, a, tmp_path_factory.mktemp("reports")
    )
    return {"quality": quality, "dashboard": dashboard, "report": report, "units": len(a)}


TABLES = {
    "quality": ("unit-table", "trend-table", "problem-table", "rule-table", "file-table"),
    "dashboard": ("status-table", "on-time-table", "problem-table", "quality-table"),
}


@pytest.mark.parametrize("name", ["quality", "dashboard"])
def test_page_loads_offline_shows_tables_and_charts_and_requests_nothing(pages, name, tmp_path):
    result = load(pages[name], tmp_path)
    for table in TABLES[name]:
        assert f'id="{table}"' in result.dom, table
    assert result.dom.count("<svg") >= 1
    assert "<rect" in result.dom and "<text" in result.dom
    assert outside(result) == []
    assert not [c for c in result.console if "Uncaught" in c], result.console
    # The sorter ran: every header of a sortable table got a sort state.
    assert 'aria-sort="none"' in result.dom


def test_the_request_check_catches_a_page_that_loads_from_a_cdn(tmp_path):
    body = (
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '<script src="https://cdn.jsdelivr.net/npm/sorter.js"></script>'
        '<img src="http://example.org/logo.png"><p>页面</p>'
    )
    bare = tmp_path / "bare.html"
    bare.write_text(f"<!doctype html><meta charset='utf-8'>{body}", encoding="utf-8")
    fetched = outside(load(bare, tmp_path / "run"))
    assert any("cdn.example.com" in u for u in fetched), fetched
    assert any("example.org" in u for u in fetched), fetched
    guarded = tmp_path / "guarded.html"
    csp = "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'\">"
    guarded.write_text(f"<!doctype html><meta charset='utf-8'>{csp}{body}", encoding="utf-8")
    refused = outside(load(guarded, tmp_path / "run"))
    assert any("cdn.jsdelivr.net" in c for c in refused), refused


def test_clicking_a_header_sorts_the_table(pages, tmp_path):
    page = pages["quality"]
    text = page.read_text(encoding="utf-8")
    click = "<script>document.querySelector('#unit-table thead th:nth-child(3)').click();</script>"
    sorted_page = page.parent / "sorted-test.html"
    sorted_page.write_text(text.replace("</body>", f"{click}</body>"), encoding="utf-8")
    try:
        dom = load(sorted_page, tmp_path).dom
    finally:
        sorted_page.unlink()
    table = dom[dom.index('id="unit-table"') : dom.index("</table>", dom.index('id="unit-table"'))]
    assert 'aria-sort="ascending"' in table
    keys = [
        re.findall(r'data-sort="([^"]*)"', row)[1]  # [0] is 报送情况, [1] is 完整性
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    values = [float(k) for k in keys if k]
    assert values == sorted(values)
    assert values[0] < values[-1]  # the missing unit's 0 % first: the order changed
    assert all(k for k in keys[: len(values)])  # blanks (none here) would come last


def test_with_scripts_off_every_row_is_still_there(pages, tmp_path):
    # `--blink-settings=scriptEnabled=false` also stops --dump-dom from reporting anything, so
    # scripts are switched off by removing the page's only script (the sorter) instead.
    page = pages["quality"]
    text = page.read_text(encoding="utf-8")
    assert text.count("<script>") == 1
    start, end = text.index("<script>"), text.index("</script>") + len("</script>")
    bare = page.parent / "no-script-test.html"
    bare.write_text(text[:start] + text[end:], encoding="utf-8")
    try:
        dom = load(bare, tmp_path).dom
    finally:
        bare.unlink()
    assert 'aria-sort="none"' not in dom  # the sorter did not run
    start = dom.index('id="unit-table"')
    table = dom[start : dom.index("</table>", start)]
    assert table.count("<tr>") == pages["units"] + 1
    start = dom.index('id="problem-table"')
    table = dom[start : dom.index("</table>", start)]
    assert table.count("<tr>") == len(pages["report"].all_problems) + 1
    assert dom.count("<svg") == 1


def test_screenshots_show_chinese_text(pages, tmp_path):
    fonts = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True)
    if "Noto Sans CJK" not in fonts.stdout:
        pytest.skip("fonts-noto-cjk not installed: apt-get install chromium fonts-noto-cjk")
    for name in ("quality", "dashboard"):
        shot = tmp_path / f"{name}.png"
        load(pages[name], tmp_path, f"--screenshot={shot}", "--window-size=1400,1800")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 50_000  # a page of text, tables and charts, not a blank
