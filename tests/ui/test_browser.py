"""The chat page and the example portal in a real browser (Debian's Chromium through Playwright).

Needs /usr/bin/chromium (``apt-get install chromium``); never ``playwright install``. Without it
these tests are skipped, except under CI (``CI`` set), where that is a failure.
"""
from __future__ import annotations

import json
import os
import re
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
    page.get_by_text("示例问题").first.wait_for()  # Gradio renders the examples after the textbox

    _ask(page, "去年GDP多少？", 0)
    answer = page.locator("#rqa-chat .rqa-answer").nth(0).inner_text()
    assert "1650亿元" in answer and "[1]" in answer
    mark = page.locator("#rqa-sources mark").first
    mark.wait_for()
    assert "1650亿元" in mark.inner_text()
    panel = page.locator("#rqa-sources").inner_text()
    assert "一、2024年工作回顾" in panel and "《溧阳市2025年政府工作报告》" in panel and "第 7 段" in panel
    assert "查看原文" in panel and "字符" not in panel and "相关度" not in panel
    assert page.get_by_text("Use via API").count() == 0 and page.locator("footer").count() == 0
    assert _english_ui_strings(page) == []  # Gradio's own labels too (赞, 踩, 复制, 清空对话, aria labels)
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
    page.locator("#rqa-chat button[aria-label='赞']").first.click()
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
    sources = page.locator("#api-sources").inner_text()
    assert page.locator("#api-sources li").count() == 1 and "查看原文" in sources  # the cited passage only
    assert "[1] 《溧阳市2025年政府工作报告》" in sources and "1. [1]" not in sources and "字符" not in sources
    assert page.locator("#api-error").inner_text() == ""
    # the embed page in the iframe
    frame = page.frame_locator("#chat-frame")
    _ask_embed(frame, "去年GDP多少？")
    assert "1650亿元" in frame.locator(".rqa-answer").first.inner_text()
    frame.locator(".rqa-cited mark").first.wait_for()
    page.screenshot(path=str(tmp_path / "portal.png"), full_page=True)
    assert page.requested_hosts <= {urlsplit(server.url).netloc, urlsplit(portal_server).netloc}


def test_portal_from_disk_explains_cors(server, page):
    """Opened from a file, the page's origin is null: the widget says what to configure."""
    page.goto((Path(__file__).resolve().parents[2] / "examples" / "portal.html").as_uri()
              + f"?server={quote(server.url, safe='')}")
    page.locator("#api-form button").click()
    error = page.locator("#api-error")
    error.get_by_text("REPORT_QA_CORS_ORIGINS").wait_for()
    assert "Failed to fetch" not in error.inner_text() and "null" in error.inner_text()


# --- the embed page: a portal's iframe and a phone -------------------------------------------------

ENGLISH_RE = re.compile(r"[A-Za-z]{2,}")


def _ask_embed(scope, question: str) -> None:
    n = scope.locator(".rqa-answer").count()
    scope.locator("#question").fill(question)
    scope.locator("#send").click()
    scope.locator(".rqa-answer").nth(n).wait_for()


def _english_ui_strings(scope) -> list[str]:
    """Visible text and accessibility labels with Latin words, the report's own text left out."""
    strings = scope.locator("body").evaluate("""(body) => {
        const out = [];
        for (const e of body.querySelectorAll('*')) {
            for (const a of ['aria-label', 'placeholder', 'title', 'alt']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
            if (e.closest('.rqa-text, .rqa-answer, .question, .rqa-note-text, .rqa-panel-q, script, style')) continue;
            if (e.checkVisibility && !e.checkVisibility()) continue;
            for (const n of e.childNodes) if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim());
        }
        return out;
    }""")
    return [s for s in strings if ENGLISH_RE.search(s.replace("GDP", ""))]


def _fully_inside(box: dict, width: float, height: float) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 \
        and box["y"] + box["height"] <= height + 0.5


def _check_embed_view(page, scope, width: int, height: int, offset: tuple[float, float] = (0, 0)) -> None:
    """After a question: the answer and the whole text of its cited source in view, no scrolling."""
    _ask_embed(scope, "去年GDP多少？")
    answer = scope.locator(".rqa-answer").last
    assert "1650亿元" in answer.inner_text()
    cited = scope.locator(".rqa-source.rqa-cited").last
    assert "1650亿元" in cited.locator("mark").inner_text()
    for element in (answer, cited.locator(".rqa-text"), cited.locator(".rqa-original"), scope.locator("#question")):
        box = element.bounding_box()
        box = {**box, "x": box["x"] - offset[0], "y": box["y"] - offset[1]}
        assert _fully_inside(box, width, height), (box, width, height)
    # uncited passages are folded away; no offsets, scores or file names for people
    assert "更多相关段落" in scope.locator(".rqa-more > summary").last.inner_text()
    assert not scope.locator(".rqa-more").last.evaluate("d => d.open")
    text = scope.locator("body").inner_text()
    assert "字符" not in text and "相关度" not in text and ".txt" not in text
    assert _english_ui_strings(scope) == []


def test_embed_in_a_760x700_iframe(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="en-US")  # an English browser
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_content(f'<body style="margin:0"><iframe id="qa" src="{server.url}/embed" '
                     'style="width:760px;height:700px;border:0;display:block"></iframe></body>')
    frame = page.frame_locator("#qa")
    frame.locator("#question").wait_for()
    assert frame.locator("h1").inner_text() == "溧阳市2025年政府工作报告 · 问答"
    assert "仅供参考" in frame.locator(".disclaimer").inner_text()
    assert _english_ui_strings(frame) == []
    _check_embed_view(page, frame, 760, 700)
    page.screenshot(path=str(tmp_path / "embed-760x700.png"))
    context.close()


def test_embed_on_a_phone_and_the_original_text(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.url + "/embed")
    # the first question scrolls nothing: the example questions sit above the input, on screen
    page.locator(".example").first.wait_for()
    _check_embed_view(page, page, 390, 844)
    assert page.evaluate("document.scrollingElement.scrollTop") == 0
    page.screenshot(path=str(tmp_path / "embed-390x844.png"))

    # a follow-up reads the conversation
    _ask_embed(page, "那今年的目标呢？")
    assert "6%左右" in page.locator(".rqa-answer").last.inner_text()

    # 查看原文: the whole report, the passage highlighted and scrolled into view
    first_cited = page.locator(".rqa-source.rqa-cited").first
    quoted = first_cited.locator(".rqa-text").inner_text()
    with context.expect_page() as opened:
        first_cited.locator(".rqa-original").click()
    original = opened.value
    original.wait_for_load_state()
    mark = original.locator("mark#passage")
    assert mark.inner_text().replace("\n", "") .startswith(quoted[:20])
    assert "1650亿元" in mark.inner_text()
    assert original.locator("mark").count() == 1
    assert len(original.locator("main").inner_text()) > 10_000  # the whole report, not a snippet
    original.wait_for_function("() => { const r = document.querySelector('mark').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < window.innerHeight; }")
    original.screenshot(path=str(tmp_path / "original.png"))

    # a cited passage is shown after the end of the one before it, in grey, the quote marked
    _ask_embed(page, "常机电溧阳校区迎来了多少学子？")
    card = page.locator(".rqa-source.rqa-cited").last
    context_text = card.locator(".rqa-context").first
    assert context_text.inner_text() == "启用新建学校3所，新增学位1620个、托位660个。"
    assert context_text.evaluate("e => getComputedStyle(e).color") == "rgb(107, 114, 128)"
    assert "4000多名学子" in card.locator("mark").inner_text()
    context.close()
