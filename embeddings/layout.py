"""Where a report's paragraphs are, and which lines are not the report at all.

Reports reach a portal in two layouts: paragraphs separated by blank lines (PDF extraction,
typed text, our bundled report) or one paragraph per line with no blank lines (copied from a
web page, the commonest). Web copies also carry page clutter: buttons and labels before the
title (下载 / 打印 / 【字号： / 来源：… / 时间：… / 阅读： / 内容摘要：…) and a trailer after the
last paragraph (标签： / 分享到： / 上一篇： / 相关文章 / 相关报道： / （责任编辑：…）). This module
finds paragraph spans in the original text and drops the clutter, so that cleaning keeps every
remaining character's original offset. The words below are those of web content-management
systems, not of any report.
"""
from __future__ import annotations

import re

TERMINAL = "。！？!?；;：:…”’」』）)】"
# Words that make a short unnumbered line a part of the report (工作回顾, 目标任务, 自身建设 …)
PART_WORDS = ("回顾", "工作安排", "目标任务", "主要任务", "重点任务", "重点工作", "总体要求", "自身建设", "预期目标",
              "主要目标", "发展成就", "主要成绩", "工作总结", "总体思路", "工作目标", "主要工作", "工作的建议", "工作建议")
# A line made only of a page widget: font-size buttons, share/print links, counters.
_WIDGET_RE = re.compile(r"^(?:下载|打印|全屏|收藏|加大|还原|减小|大|中|小|默认|关闭|返回|【|】|\[|\]|[【\[]?(?:字号|字体)[:：]?"
                        r"|分享|分享到[:：]?|扫一扫|二维码|打印本页|关闭窗口|【打印】|【关闭】|正文[:：]?|内容摘要[:：]?"
                        r"|阅读[:：]?|评论[:：]?|点击[:：]?|浏览[:：]?|[\d\s\-:：./]+|(?:首页|当前位置|您的位置|您现在的位置).{0,40}"
                        r"|.{0,10}首页\s*[>＞›»].{0,40}"
                        r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*\d{1,2}\s*[时:：]\s*\d{1,2}\s*分?)$")
# A ``label：value`` line of page metadata (来源：四川日报, 时间：2026-02-09, 作者：…).
_LABEL_RE = re.compile(r"^[【\[]?(?:来源|时间|作者|阅读|评论|分享|发文单位|发文时间|发布时间|发布日期|来源URL|来源网址|网址|链接"
                       r"|文章来源|信息来源|编辑|责任编辑|浏览次数|点击数|点击量|访问量|日期|字号|字体)\s*[:：]")
# The first line of a page's trailer: everything from it to the end is not the report.
_TRAILER_RE = re.compile(r"^(?:标签[:：]?|tags?[:：]?|分享到[:：]?|上一篇[:：]?.*|下一篇[:：]?.*|相关文章|相关报道[:：]?|相关链接[:：]?"
                         r"|相关新闻[:：]?|编辑推荐|相关评论|相关阅读|延伸阅读|本栏最新|本栏推荐|阅读排行|热门文章|标签云|免责声明.*"
                         r"|[（(]\s*(?:责任编辑|编辑|来源)\s*[:：].{0,40}[）)]|责任编辑\s*[:：].{0,40}|【打印】.*|【关闭】.*"
                         r"|(?:特别|版权)声明[:：].*|相关推荐|热点推荐|热门推荐|推荐阅读|猜你喜欢|热门评论|网友评论|我要评论"
                         r"|/?阅读下一篇/?|返回.{0,8}首页|下载.{0,12}客户端)$", re.I)
_SUMMARY_LABEL = ("内容摘要", "摘要")
# A site's footer or header line, wherever it stands (a page holding the report twice prints them
# between the copies): registration numbers, the site's owner, the trail's label.
_SITE_LINE_RE = re.compile(r"^(?:.{0,12}(?:ICP备|公网安备|网站标识码|ICP证).*|(?:主办|承办|协办|主管)(?:单位)?\s*[:：].{0,60}"
                           r"|(?:版权所有|Copyright|©).{0,80}|(?:当前位置|您的位置|您现在的位置)\s*[:：]?|网站地图|联系我们"
                           # a page of a report set out over several pages repeats its trail and buttons
                           r"|(?:当前位置|您的位置|您现在的位置)\s*[:：].{0,40}|[【\[](?:字号|字体)\s*[:：].{0,12}|[【】\[\]）)]|扫一扫.{0,12}|打印本页|关闭窗口"
                           r"|[（(]\s*责任编辑\s*[:：][^）)\n]{0,20}(?:\n\s*[）)])?"  # its bracket closed on the next line or lost
                           r"|[【\[]?\s*(?:E-?mail推荐|推荐给(?:好友|朋友))\s*[】\]]?"
                           # a page's paging links (上一页 1 2 3 4 5 下一页 >>|), its script, a photo's caption
                           r"|[\s|<>«»]*(?:(?:上一页|下一页)[\s\d|<>«»]*)+|function\s+\w+\s*\(.*"
                           r"|.{0,150}?(?:新华社|中新社|人民日报)记者\s*\S{0,6}\s*摄?"
                           # a news agency's dateline (新华社北京２００８年３月１９日电)
                           r"|(?:新华社|中新社|新华网|人民网)[^。，\n]{0,12}?\d{2,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日电"
                           # a page's dateline: 中央政府门户网站 www.gov.cn 2006年02月16日 来源：新华社
                           r"|.{0,40}?(?:19|20)\d\d\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?[\s\d:]*来源\s*[:：].{0,30})$", re.I)
# A breadcrumb's separator alone on a line (首页 / >> / 领导之窗 / >> / 政府工作报告): the short lines
# on either side of it are the trail's links, not the report's title.
_CRUMB_RE = re.compile(r"^[>＞›»→/|\s]+$")
# A portal's navigation menu before the article: a long run of short lines (新闻 / 国内 / 体育 / 财经 …).
# A cover page or title block has a few short lines (政府工作报告 / 2025年1月 / 县长 张三), never so many.
MENU_LINE_CHARS = 12
MENU_RUN = 10
_BODY_START_RE = re.compile(r"^(?:各位代表|同志们|[一二三四五六七八九十]+、)")
# One paragraph per line when blank lines are rare and long lines end their sentences.
BLANK_LINE_SHARE = 0.1
ADJACENT_PER_BLANK = 3  # lines directly after a line, per blank line, above which blank lines are rare enough
FINISHED_SHARE = 0.6


def one_paragraph_per_line(raw: str) -> bool:
    """True when ``raw`` puts each paragraph on its own line (no blank lines between them)."""
    lines = [line.strip() for line in raw.split("\n")]
    filled = [line for line in lines if line]
    if len(filled) < 3:
        return False
    blank = len(lines) - len(filled)
    adjacent = sum(1 for a, b in zip(lines, lines[1:]) if a and b)
    if blank >= BLANK_LINE_SHARE * len(filled) and adjacent < ADJACENT_PER_BLANK * blank:
        # blank lines between paragraphs; a few runs of them (or lines holding only a full-width
        # blank) among lines that follow one another are no such layout
        return False
    start = next((i for i, line in enumerate(filled) if _BODY_START_RE.match(line)), 0)
    filled = filled[start:]  # the title, delivery and speaker lines above the body never end a sentence
    long = [line for line in filled if len(line) > 30]
    if len(long) >= 3:
        return sum(1 for line in long if line[-1] in TERMINAL) >= FINISHED_SHARE * len(long)
    substantial = [line for line in filled if len(line) >= 12]  # a short text: judge its fuller lines
    return bool(substantial) and sum(1 for line in substantial if line[-1] in TERMINAL) >= 0.5 * len(substantial)


def opens_body(line: str) -> bool:
    """The first line of the speech itself (各位代表：, 同志们：, 一、…): what comes before is front matter."""
    return bool(_BODY_START_RE.match(line.strip()))


def stripped_spans(raw: str, pattern: str) -> list[tuple[int, int]]:
    """[start, end) of each match of ``pattern`` in ``raw``, without surrounding whitespace; empty ones dropped."""
    spans = []
    for m in re.finditer(pattern, raw):
        s, e = m.start(), m.end()
        while s < e and raw[s].isspace():
            s += 1
        while e > s and raw[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def line_spans(raw: str) -> list[tuple[int, int]]:
    """[start, end) of each non-blank line, stripped of surrounding whitespace."""
    return stripped_spans(raw, r"[^\n]+")


def is_widget(line: str) -> bool:
    """A page button, counter or ``label：value`` line (only ever looked for before the body)."""
    line = line.strip()
    return bool(_WIDGET_RE.match(line) or _LABEL_RE.match(line))


def is_trailer_start(line: str) -> bool:
    """The first line of a web page's trailer (tags, share links, related articles, editor)."""
    return bool(_TRAILER_RE.match(line.strip()))


def _menu_items(front: list[str]) -> set[int]:
    """Indexes of the menu items in the lines before the body: the lines (without figures, which
    may be a date) of each run of at least ``MENU_RUN`` short lines."""
    items: set[int] = set()
    run: list[int] = []
    for i, text in enumerate(front + ["-" * (MENU_LINE_CHARS + 1)]):  # a long sentinel ends the last run
        if len(text) <= MENU_LINE_CHARS and text[-1:] not in TERMINAL:
            run.append(i)
            continue
        if len(run) >= MENU_RUN:
            items.update(j for j in run if not any(c.isdigit() for c in front[j]))
        run = []
    return items


def report_spans(raw: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` without page clutter: widgets, labels and breadcrumbs before the body, the page summary (a
    run-on copy of the opening after 内容摘要), and the trailer after the last paragraph."""
    texts = [raw[s:e].strip() for s, e in spans]
    body = next((i for i, t in enumerate(texts) if _BODY_START_RE.match(t)), len(texts))
    menu = _menu_items(texts)  # a site's link lists (cities, departments, provinces) between two copies too
    keep: list[tuple[int, int]] = []
    after_summary = after_label = after_crumb = False
    for i, (span, text) in enumerate(zip(spans, texts)):
        if i < body:
            if any(text.startswith(label) for label in _SUMMARY_LABEL):
                after_summary = True  # the label, and the summary that follows it on the next line
                continue
            if after_summary:
                after_summary = False
                if len(text) > 60:
                    continue
            if after_label:  # 来源: / 四川日报: a bare label's value on the next line
                after_label = False
                if len(text) <= 12 and not _BODY_START_RE.match(text):
                    continue
            if _CRUMB_RE.match(text):
                if i and keep and keep[-1] == spans[i - 1] and len(texts[i - 1]) <= MENU_LINE_CHARS:
                    keep.pop()  # the link before the separator
                after_crumb = True
                continue
            if after_crumb:  # the link after it
                after_crumb = False
                if len(text) <= MENU_LINE_CHARS and not _BODY_START_RE.match(text):
                    continue
            if is_widget(text):
                after_label = text[-1] in "：:"
                continue
            if i in menu or _SITE_LINE_RE.match(text):
                continue
        elif i in menu or _SITE_LINE_RE.match(text):
            continue
        keep.append(span)
    total = sum(e - s for s, e in keep) or 1
    seen = 0
    for i, (s, e) in enumerate(keep):
        if seen > total / 2 and is_trailer_start(raw[s:e]):
            while i and is_link_line(raw[keep[i - 1][0]:keep[i - 1][1]]):
                i -= 1  # the related-article links just above 上一篇： belong to the trailer too
            keep = keep[:i]
            break
        seen += e - s
    # a page's trailer line earlier on (（责任编辑：…） closing one page of several) is no paragraph either
    return [(s, e) for s, e in keep if not is_trailer_start(raw[s:e])]


# a link to another article: a headline with a bracketed tag (【2024…考点】…) or a "more" arrow (…学习>>)
_LINK_LINE_RE = re.compile(r"^【[^】]{1,30}】.{1,60}[^。]$|^.{2,60}(?:>>|》》|»|›|更多)$")


def is_link_line(line: str) -> bool:
    """A line linking to another page (related headlines above a page's trailer), not a paragraph."""
    return bool(_LINK_LINE_RE.match(line.strip()))
