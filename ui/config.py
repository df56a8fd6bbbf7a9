"""Settings shared by every front end, from flags first and environment variables second."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from embeddings.model import DEFAULT_MODEL, PRECISIONS, QUERY_BACKENDS, default_data_dir


@dataclass
class Settings:
    """Where things live and which model and corpus to use."""

    data_dir: Path = field(default_factory=default_data_dir)
    model: str = DEFAULT_MODEL
    index_name: str = "default"
    corpus: list[str] = field(default_factory=list)  # files or folders; empty = the index's own / bundled report
    mode: str = "hybrid"
    precision: str = "auto"  # dtype the model computes in: auto, float32 or bfloat16
    query_backend: str = "auto"  # what encodes questions: auto (ONNX Runtime if it can), onnx or torch
    store: str = "faiss"  # where the index lives: faiss (in process) or milvus:PATH_OR_URI (docs/scale.md)
    one_shot: bool = False  # a command that encodes one question (ask, index): no ONNX export for it

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Settings from ``REPORT_QA_*`` variables, with non-None ``overrides`` on top."""
        s = cls(
            data_dir=Path(os.environ["REPORT_QA_DATA_DIR"]) if os.environ.get("REPORT_QA_DATA_DIR") else default_data_dir(),
            model=os.environ.get("REPORT_QA_MODEL") or DEFAULT_MODEL,
            index_name=os.environ.get("REPORT_QA_INDEX") or "default",
            corpus=[p for p in os.environ.get("REPORT_QA_CORPUS", "").split(os.pathsep) if p],
            mode=os.environ.get("REPORT_QA_MODE") or "hybrid",
            precision=os.environ.get("REPORT_QA_PRECISION") or "auto",
            query_backend=os.environ.get("REPORT_QA_QUERY_BACKEND") or "auto",
            store=os.environ.get("REPORT_QA_STORE") or "faiss",
        )
        for key, value in overrides.items():
            if value is not None and value != []:
                setattr(s, key, Path(value) if key == "data_dir" else value)
        if s.precision not in PRECISIONS:
            raise ValueError(f"REPORT_QA_PRECISION must be one of {', '.join(PRECISIONS)}, not {s.precision!r}")
        if s.query_backend not in QUERY_BACKENDS:
            raise ValueError(f"REPORT_QA_QUERY_BACKEND must be one of {', '.join(QUERY_BACKENDS)}, "
                             f"not {s.query_backend!r}")
        from embeddings.milvus_store import target_of
        target_of(s.store)  # ValueError naming the setting when it is neither faiss nor milvus:…
        return s

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes" / self.index_name


# --- the embed page's branding and the question log (settings of `serve` only) ------------------

BRANDING_ENV = "REPORT_QA_BRANDING"  # a small TOML or JSON file with the keys of Branding
DEFAULT_EXAMPLES = ("去年GDP多少？", "那今年的目标呢？", "新增城镇就业多少人？", "什么是“2+2+X”产业体系？")
DEFAULT_DISCLAIMER = "答案由系统从报告原文中摘录，仅供参考，请以报告原文为准。"
LOGO_SUFFIXES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
                 ".webp": "image/webp", ".gif": "image/gif"}
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_BRAND_KEYS = ("title", "color", "logo", "examples", "disclaimer")


@dataclass
class Branding:
    """What a web team may change on the chat and embed pages: title (empty: the report's own),
    accent colour, logo (an http(s) URL, or a local image file that the server then serves itself),
    example questions and the disclaimer line."""

    title: str = ""
    color: str = "#b91c1c"
    logo: str = ""
    examples: list[str] = field(default_factory=lambda: list(DEFAULT_EXAMPLES))
    disclaimer: str = DEFAULT_DISCLAIMER

    @property
    def logo_file(self) -> Path | None:
        """The logo as a local file to serve, or None when it is a URL (or there is none)."""
        if not self.logo or self.logo.startswith(("http://", "https://")):
            return None
        return Path(self.logo).expanduser()

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Branding":
        """Branding from the file named by ``REPORT_QA_BRANDING``, then ``REPORT_QA_TITLE``,
        ``REPORT_QA_COLOR``, ``REPORT_QA_LOGO``, ``REPORT_QA_EXAMPLES`` (``|``-separated) and
        ``REPORT_QA_DISCLAIMER`` on top. Bad values raise :class:`ValueError` naming the setting."""
        env = os.environ if environ is None else environ
        values: dict = {}
        if env.get(BRANDING_ENV):
            values.update(_read_branding_file(Path(env[BRANDING_ENV])))
        for key in _BRAND_KEYS:
            raw = env.get(f"REPORT_QA_{key.upper()}")
            if raw is not None and raw.strip():
                values[key] = [q for q in raw.split("|") if q.strip()] if key == "examples" else raw.strip()
        b = cls(**values)
        b.validate()
        return b

    def validate(self) -> None:
        if not isinstance(self.title, str) or len(self.title) > 80:
            raise ValueError("branding title must be text of at most 80 characters")
        if not isinstance(self.color, str) or not _COLOR_RE.fullmatch(self.color):
            raise ValueError(f"branding color must be a hex colour such as #b91c1c, not {self.color!r}")
        if not isinstance(self.disclaimer, str) or len(self.disclaimer) > 300:
            raise ValueError("branding disclaimer must be text of at most 300 characters")
        if (not isinstance(self.examples, list) or len(self.examples) > 8
                or not all(isinstance(q, str) and 0 < len(q.strip()) <= 100 for q in self.examples)):
            raise ValueError("branding examples must be at most 8 questions of 1-100 characters")
        self.examples = [q.strip() for q in self.examples]
        if not isinstance(self.logo, str):
            raise ValueError("branding logo must be a URL or a file path")
        path = self.logo_file
        if path is not None:
            if not path.is_file():
                raise ValueError(f"branding logo {self.logo} is not a file (use an http(s) URL or a file path)")
            if path.suffix.lower() not in LOGO_SUFFIXES:
                raise ValueError(f"branding logo must be one of {', '.join(sorted(LOGO_SUFFIXES))}")
            if path.stat().st_size > 1024 * 1024:
                raise ValueError("branding logo must be at most 1 MB")
        elif any(ch in self.logo for ch in "\"'<> \\"):
            raise ValueError("branding logo URL contains characters that are not allowed")


def _read_branding_file(path: Path) -> dict:
    """The keys of a TOML (``.toml``) or JSON branding file; unknown keys are an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{BRANDING_ENV}: cannot read {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            import json
            data = json.loads(raw.decode("utf-8"))
        else:
            import tomllib
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{BRANDING_ENV}: {path} is not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: "
                         f"{exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{BRANDING_ENV}: {path} must hold a table of settings")
    unknown = sorted(set(data) - set(_BRAND_KEYS))
    if unknown:
        raise ValueError(f"{BRANDING_ENV}: {path}: unknown setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(_BRAND_KEYS)}")
    return data


QUESTION_LOG_ENV = "REPORT_QA_QUESTION_LOG"  # on / off (default off)
_ON, _OFF = ("1", "on", "true", "yes"), ("", "0", "off", "false", "no")


def question_log_enabled(flag: bool | None = None, environ: dict | None = None) -> bool:
    """Whether ``serve`` keeps the question log: the ``--question-log`` flag, else ``REPORT_QA_QUESTION_LOG``."""
    if flag is not None:
        return flag
    raw = (os.environ if environ is None else environ).get(QUESTION_LOG_ENV, "").strip().lower()
    if raw in _ON:
        return True
    if raw in _OFF:
        return False
    raise ValueError(f"{QUESTION_LOG_ENV} must be on or off, not {raw!r}")
