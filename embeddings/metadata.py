"""What a report is: title, year and issuing body, read from its text and overridable by the user.

A report's *year* is the year it was delivered, which is the year it plans for: the report
given on 2025年1月4日 reviews 2024 and sets the 2025 targets, so it is a 2025 report, and
its 去年/今年 mean 2024/2025. Year and body come from the document profile
(:mod:`embeddings.profile`: delivery line, part titles, ``我代表…人民政府``, the speaker line),
else from a year in the title, else from the file name. A sidecar file
``NAME.EXT.meta.json`` next to the report overrides any of ``title``, ``year``, ``body``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

FIELDS = ("title", "year", "body")
SIDECAR_SUFFIX = ".meta.json"
HEAD_CHARS = 3000
_TITLE_YEAR_RE = re.compile(r"((?:19|20)\d\d)\s*年?(?:度)?\s*[\u4e00-\u9fff]*报告")
_FILE_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


class MetadataError(ValueError):
    """A sidecar metadata file is malformed; the message says which and how."""


def sidecar_path(path: str | Path) -> Path:
    """Where the user's overrides for ``path`` live: ``report.pdf`` → ``report.pdf.meta.json``."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def read_sidecar(path: str | Path) -> dict:
    """The overrides in ``path``'s sidecar file, validated; {} when there is none."""
    side = sidecar_path(path)
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{side}: not a readable JSON object ({exc})") from None
    if not isinstance(data, dict):
        raise MetadataError(f"{side}: expected a JSON object like {{\"title\": ..., \"year\": 2025, \"body\": ...}}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise MetadataError(f"{side}: unknown field(s) {unknown}; allowed: {list(FIELDS)}")
    out: dict = {}
    for key, value in data.items():
        if key == "year":
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not 1949 <= value <= 2100:
                raise MetadataError(f"{side}: year must be a whole number such as 2025, not {value!r}")
        elif not isinstance(value, str) or not value.strip():
            raise MetadataError(f"{side}: {key} must be a non-empty string")
        else:
            value = value.strip()
        out[key] = value
    return out


def infer(text: str, path: str | Path | None = None, embedded_title: str = "") -> dict:
    """Title, year and body read from a report's text (through its profile), its file's own title and name."""
    from embeddings.cleaning import clean
    from embeddings.profile import build
    from embeddings.structure import parse

    cleaned = clean(text)
    profile, _ = build(cleaned.text, parse(cleaned))
    year = profile.year
    own_title = embedded_title or profile.title or ("政府工作报告" if profile.place else text_title(cleaned.text[:HEAD_CHARS]))
    if year is None and own_title:
        m = _TITLE_YEAR_RE.search(own_title)
        year = int(m.group(1)) if m else None
    if year is None and path is not None:
        m = _FILE_YEAR_RE.search(Path(path).name)
        year = int(m.group(1)) if m else None
    body = profile.body
    out = {"title": display_title(own_title, year, body) if own_title else (Path(path).stem if path else "")}
    if year is not None:
        out["year"] = year
    if body:
        out["body"] = body
    return out


def describe(text: str, path: str | Path, embedded_title: str = "") -> dict:
    """Inferred metadata with the sidecar's overrides on top."""
    meta = infer(text, path, embedded_title)
    meta.update(read_sidecar(path))
    return meta


def text_title(head: str) -> str:
    """The first short line of the text that is not the delivery line, e.g. ``政府工作报告``."""
    for line in head.splitlines()[:12]:
        line = line.strip().strip("#").strip()
        if not line:
            continue
        if line.startswith("——") or len(line) > 40 or line[-1] in "。；！？":
            return ""
        return line
    return ""


def display_title(title: str, year: int | None, body: str) -> str:
    """A title that tells reports apart: ``政府工作报告`` → ``溧阳市2025年政府工作报告``, the State Council's
    ``2025年政府工作报告`` → ``2025年国务院政府工作报告``."""
    title = title.strip()
    # the State Council's report says 政府工作报告 too: 2025年国务院政府工作报告 tells it from a place's
    place = body[:-4] if body.endswith("人民政府") else ("国务院" if body == "国务院" else "")
    if not title:
        return title
    m = re.match(r"((?:19|20)\d\d)\s*年", title)
    if m and place and place not in title:  # 2026年政府工作报告 → 2026年云南省政府工作报告
        return title[:m.end()] + place + title[m.end():]
    if re.search(r"(?:19|20)\d\d", title):
        return title
    when = f"{year}年" if year else ""
    if place == "国务院":
        return when + (title if title.startswith(place) else place + title)
    if place and title.startswith(place):
        return place + when + title[len(place):]
    return place + when + title
