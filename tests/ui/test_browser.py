"""The chat page and the example portal in a real browser (Debian's Chromium through Playwright).

Needs /usr/bin/chromium (``apt-get install chromium``); never ``playwright install``. Without it
these tests are skipped, except under CI (``CI`` set), where that is a failure.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
XSS = '<img src=x onerror="window.__xss=1">'
TIMEOUT_MS = 30_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.requested_hosts = set()
    pg.on("request", lambda r: pg.requested_hosts.add(urlsplit(r.url).netloc))
    yield pg
    context.close()


def _ask(scope, question: str, n_answers_before: int) -> None:
    """Type a question into the chat (page or frame) and wait for the next answer bubble."""
    scope.locator("#rqa-question textarea").fill(question)
    scope.locator("#rqa-send").click()
    scope.locator("#rqa-chat .rqa-answer").nth(n_answers_before).wait_for()


def test_chat_page(server, page, tmp_path):
    page.goto(server.url + "/")
    page.locator("#rqa-question textarea").wait_for()
    assert "溧阳市2025年政府工作报告" in page.title()
    assert page.locator("#rqa-send").inner_text().strip() == "发送"
    assert page.locator("#rqa-clear").inner_text().strip() == "清空"
    assert page.get_by_text("示例问题").count() >= 1

    _ask(page, "去年GDP多少？", 0)
    answer = page.locator("#rqa-chat .rqa-answer").nth(0).inner_text()
    assert "1650亿元" in answer and "[1]" in answer
    mark = page.locator("#rqa-sources mark").first
    mark.wait_for()
    assert "1650亿元" in mark.inner_text()
    panel = page.locator("#rqa-sources").inner_text()
    assert "一、2024年工作回顾" in panel and "已引用" in panel and "字符 " in panel
    page.locator("#rqa-chat").get_by_text("来源：引用").first.click()  # open the collapsible sources message
    page.locator("#rqa-chat mark").first.wait_for()

    # follow-up: the chat history goes with the question
    _ask(page, "那今年的目标呢？", 1)
    assert "6%左右" in page.locator("#rqa-chat .rqa-answer").nth(1).inner_text()

    # hostile input shows as text and runs nothing
    _ask(page, XSS, 2)
    page.locator("#rqa-chat").get_by_text(XSS, exact=True).first.wait_for()
    assert XSS in page.locator("#rqa-sources").inner_text()
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#rqa-chat img[src='x'], #rqa-sources img").count() == 0

    # thumbs up on the first answer lands in the feedback log
    log = server.data_dir / "logs" / "feedback.jsonl"
    before = log.read_text(encoding="utf-8").count("\n") if log.exists() else 0
    page.locator("#rqa-chat button[aria-label='赞'], #rqa-chat button[aria-label='Like']").first.click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not log.exists() or log.read_text(encoding="utf-8").count("\n") <= before):
        time.sleep(0.2)
    entry = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["vote"] == "up" and entry["question"] == "去年GDP多少？"

    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert page.requested_hosts == {urlsplit(server.url).netloc}, "the page fetched from another host"

    page.locator("#rqa-clear").click()
    page.locator("#rqa-chat .rqa-answer").first.wait_for(state="detached")
    assert "提问后" in page.locator("#rqa-sources").inner_text()


def test_portal_embeds_chat_and_calls_api(server, portal_server, page, tmp_path):
    page.goto(f"{portal_server}/portal.html?server={quote(server.url, safe='')}")
    # the JSON API widget (cross-origin fetch, allowed by REPORT_QA_CORS_ORIGINS)
    page.locator("#api-form button").click()
    page.locator("#api-sources li").first.wait_for()
    assert "1650亿元" in page.locator("#api-answer").inner_text()
    assert page.locator("#api-sources li").count() == 3
    assert page.locator("#api-error").inner_text() == ""
    # the chat in the iframe
    frame = page.frame_locator("#chat-frame")
    frame.locator("#rqa-question textarea").wait_for()
    _ask(frame, "去年GDP多少？", 0)
    assert "1650亿元" in frame.locator("#rqa-chat .rqa-answer").first.inner_text()
    frame.locator("#rqa-sources mark").first.wait_for()
    page.screenshot(path=str(tmp_path / "portal.png"), full_page=True)
    assert page.requested_hosts <= {urlsplit(server.url).netloc, urlsplit(portal_server).netloc}
