"""``report-qa stats``: what the question log and the feedback log say, for a web team.

Reads ``DATA_DIR/logs/questions.jsonl`` and ``feedback.jsonl`` with their rotated backups
(``.1`` … ``.3``), and prints the totals, the most asked questions, the declined questions (what
the reports do not cover: the content gaps to fill next year), the most cited sections and the
thumbs up/down. ``--html FILE`` writes the same as a small self-contained HTML page.
Unreadable lines are counted and skipped, never fatal.
"""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ui.querylog import BACKUPS, LOG_NAME

FEEDBACK_NAME = "feedback.jsonl"
_TRAILING_RE = re.compile(r"[\s？?。．.！!，,、；;：:~～]+$")
_SPACE_RE = re.compile(r"\s+")


def normalise(question: str) -> str:
    """A question as a key for counting: trimmed, inner spaces collapsed, trailing punctuation off,
    Latin letters lower-cased (``去年GDP多少？`` and ``去年gdp多少`` are the same question)."""
    q = _SPACE_RE.sub(" ", question.strip())
    return _TRAILING_RE.sub("", q).lower()


def log_files(path: Path, backups: int = BACKUPS) -> list[Path]:
    """``path`` and its rotated backups that exist, oldest first."""
    files = [path.with_name(f"{path.name}.{i}") for i in range(backups, 0, -1)] + [path]
    return [f for f in files if f.is_file()]


def read_jsonl(files: list[Path]) -> tuple[list[dict], int]:
    """Every JSON object in ``files``; returns them and how many lines could not be read."""
    records, bad = [], 0
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(obj, dict) and isinstance(obj.get("question"), str):
                    records.append(obj)
                else:
                    bad += 1
    return records, bad


@dataclass
class Stats:
    """The summary ``report-qa stats`` shows."""

    questions: int = 0
    declined: int = 0
    first: str = ""
    last: str = ""
    top: list[tuple[str, int]] = field(default_factory=list)
    top_declined: list[tuple[str, int]] = field(default_factory=list)
    sections: list[tuple[str, int]] = field(default_factory=list)
    votes: Counter = field(default_factory=Counter)
    top_down: list[tuple[str, int]] = field(default_factory=list)
    bad_lines: int = 0

    @property
    def declined_rate(self) -> float:
        return self.declined / self.questions if self.questions else 0.0


def _top(counter: Counter, shown: dict[str, str], n: int) -> list[tuple[str, int]]:
    return [(shown[k], c) for k, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def compute(questions: list[dict], feedback: list[dict], top_n: int = 20, bad_lines: int = 0) -> Stats:
    """Counts over the records of the question and feedback logs."""
    asked, declined, sections = Counter(), Counter(), Counter()
    shown: dict[str, str] = {}
    times = sorted(str(r.get("time", "")) for r in questions if r.get("time"))
    for r in questions:
        key = normalise(r["question"])
        if not key:
            continue
        shown.setdefault(key, r["question"].strip())
        asked[key] += 1
        if r.get("declined"):
            declined[key] += 1
        for c in r.get("cited") or []:
            if isinstance(c, dict) and c.get("section"):
                label = c["section"].replace(" > ", " › ")
                sections[f"《{c['title']}》{label}" if c.get("title") else label] += 1
    votes, down = Counter(), Counter()
    for r in feedback:
        vote = str(r.get("vote", ""))
        votes[vote] += 1
        if vote == "down":
            key = normalise(r["question"])
            shown.setdefault(key, r["question"].strip())
            down[key] += 1
    s = Stats(questions=sum(asked.values()), declined=sum(declined.values()),
              first=times[0] if times else "", last=times[-1] if times else "",
              top=_top(asked, shown, top_n), top_declined=_top(declined, shown, top_n),
              sections=[(k, c) for k, c in sections.most_common(top_n)], votes=votes,
              top_down=_top(down, shown, top_n), bad_lines=bad_lines)
    return s


def load(logs_dir: Path, top_n: int = 20) -> Stats:
    """The summary of the logs under ``logs_dir`` (``DATA_DIR/logs``)."""
    questions, bad_q = read_jsonl(log_files(logs_dir / LOG_NAME))
    feedback, bad_f = read_jsonl(log_files(logs_dir / FEEDBACK_NAME))
    return compute(questions, feedback, top_n, bad_q + bad_f)


def _table(title: str, rows: list[tuple[str, int]]) -> list[str]:
    if not rows:
        return [f"{title}：无", ""]
    lines = [title]
    for i, (text, count) in enumerate(rows, 1):
        shown = text if len(text) <= 60 else text[:59] + "…"
        lines.append(f"  {i:>3}. {count:>6}  {shown}")
    return lines + [""]


def format_text(s: Stats) -> str:
    """The summary as plain text for a terminal."""
    lines = [f"问题日志：{s.questions} 个问题" + (f"（{s.first} 至 {s.last}，UTC）" if s.first else ""),
             f"已回答 {s.questions - s.declined}，未能回答 {s.declined}（{s.declined_rate:.1%}）",
             f"评价：赞 {s.votes.get('up', 0)}，踩 {s.votes.get('down', 0)}"]
    if s.bad_lines:
        lines.append(f"（跳过无法读取的行 {s.bad_lines} 行）")
    lines.append("")
    lines += _table("最常问的问题", s.top)
    lines += _table("未能回答的问题（报告没有覆盖的内容）", s.top_declined)
    lines += _table("最常引用的章节", s.sections)
    lines += _table("被踩最多的问题", s.top_down)
    return "\n".join(lines).rstrip() + "\n"


def _html_table(title: str, rows: list[tuple[str, int]], css: str = "") -> str:
    if not rows:
        return f"<h2>{html.escape(title)}</h2><p class=\"none\">无</p>"
    peak = max(c for _, c in rows) or 1
    body = "".join(
        f"<tr><td class=\"n\">{i}</td><td>{html.escape(text)}</td><td class=\"n\">{count}</td>"
        f"<td class=\"bar\"><span class=\"{css}\" style=\"width:{100 * count / peak:.0f}%\"></span></td></tr>"
        for i, (text, count) in enumerate(rows, 1))
    return (f"<h2>{html.escape(title)}</h2><table><thead><tr><th>#</th><th>问题或章节</th><th>次数</th><th></th>"
            f"</tr></thead><tbody>{body}</tbody></table>")


def format_html(s: Stats) -> str:
    """The summary as a self-contained HTML page (no script, no external resources)."""
    period = f"{s.first} 至 {s.last}（UTC）" if s.first else "—"
    cards = [("问题", s.questions), ("已回答", s.questions - s.declined),
             ("未能回答", f"{s.declined}（{s.declined_rate:.1%}）"),
             ("赞", s.votes.get("up", 0)), ("踩", s.votes.get("down", 0))]
    card_html = "".join(f"<div class=\"card\"><div class=\"k\">{k}</div><div class=\"v\">{html.escape(str(v))}</div>"
                        f"</div>" for k, v in cards)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>问答统计</title><style>
body {{ font-family: system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; margin: 24px;
       color: #1f2937; max-width: 60em; }}
.cards {{ display: flex; gap: 12px; flex-wrap: wrap; }} .card {{ border: 1px solid #e5e7eb; border-radius: 8px;
padding: 10px 16px; min-width: 7em; }} .k {{ color: #6b7280; font-size: 13px; }} .v {{ font-size: 22px; font-weight: 600; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 12px; }} td, th {{ border-bottom: 1px solid #f3f4f6;
padding: 4px 8px; text-align: left; font-size: 14px; }} .n {{ text-align: right; width: 3em; }}
.bar {{ width: 30%; }} .bar span {{ display: block; height: 10px; background: #2563eb; border-radius: 3px; }}
.bar span.gap {{ background: #b91c1c; }} .none {{ color: #6b7280; }}
</style></head><body><h1>问答统计</h1><p>时间：{html.escape(period)}</p><div class="cards">{card_html}</div>
{_html_table("最常问的问题", s.top)}
{_html_table("未能回答的问题（报告没有覆盖的内容）", s.top_declined, "gap")}
{_html_table("最常引用的章节", s.sections)}
{_html_table("被踩最多的问题", s.top_down, "gap")}
</body></html>
"""
