"""One process serving the Gradio chat at ``/``, the JSON API at ``/api`` and its docs at ``/docs``.

The model and the index are loaded once, before the server starts listening; requests only run
``ReportQA.ask``. Gradio runs with analytics, sharing, file access and run history off.
"""
from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported anywhere
os.environ.setdefault("GRADIO_RUN_HISTORY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from fastapi import FastAPI  # noqa: E402
from fastapi.middleware.cors import CORSMiddleware  # noqa: E402
from fastapi.responses import FileResponse, JSONResponse, Response  # noqa: E402

from embeddings.progress import is_terminal  # noqa: E402
from ui.api import BodyLimit, create_router, install_error_handlers  # noqa: E402
from ui.batching import BatchingEncoder  # noqa: E402
from ui.config import Branding, Settings, question_log_enabled  # noqa: E402
from ui.connections import KEEP_ALIVE_TIMEOUT, configure_from_env, throttle_logs  # noqa: E402
from ui.embed import create_embed_router  # noqa: E402
from ui.feedback import FeedbackLog  # noqa: E402
from ui.original import ReportTexts, create_original_router  # noqa: E402
from ui.querylog import LOG_NAME, LoggedQA, QuestionLog  # noqa: E402
from ui.ratelimit import Rate, RateLimit, rate_from_env  # noqa: E402
from ui.runtime import System, build_system, make_encoder  # noqa: E402

CORS_ENV = "REPORT_QA_CORS_ORIGINS"
MAX_REQUEST_BYTES = 1024 * 1024  # everything else (Gradio's queue carries the chat history)
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
NO_TELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False, "auto_configure": False}


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread malloc arenas: with a pool of request threads each gets its own
    arena and RSS creeps up under load (measured: +150 MB in 30 s with 16 clients)."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do


class NoUploads:
    """ASGI middleware: Gradio's anonymous upload route is not used by the chat; refuse it (404)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("path", "").rstrip("/").endswith("/upload"):
            response = JSONResponse({"error": "not found"}, status_code=404)
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def cors_origins(value: str | None) -> list[str]:
    """Origins from a comma-separated list (``REPORT_QA_CORS_ORIGINS``); empty means none."""
    return [o.strip().rstrip("/") for o in (value or "").split(",") if o.strip()]


def feedback_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "logs" / "feedback.jsonl"


def _gradio_entry_script() -> str:
    """Gradio's own loader for the ``<gradio-app>`` web component (imports ./assets/index-*.js)."""
    import gradio
    return (Path(gradio.__file__).parent / "templates" / "frontend" / "gradio.js").read_text(encoding="utf-8")


def _swagger_ui_dir() -> Path | None:
    """Swagger UI files from the ``swagger-ui-bundle-v2`` package, if installed (else FastAPI uses a CDN)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    folder = Path(str(swagger_ui_path))
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _local_docs(app: FastAPI, folder: Path) -> None:
    """``/docs`` with Swagger UI served from this process, so the page works offline."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    app.mount("/docs-assets", StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="report-qa API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")


def create_app(system: System, *, cors: list[str] | None = None, feedback: FeedbackLog | None = None,
               host: str = "127.0.0.1", port: int = 7860, rate_limit: Rate | None = None,
               branding: Branding | None = None) -> FastAPI:
    """The FastAPI app: ``/api`` routes, ``/docs``, ``/gradio.js``, the portal example, Gradio at ``/``."""
    import gradio as gr

    from ui.chat import ARIA_HEAD, CSS, build_chat, check_chat, chinese_labels
    from ui.gradio_guard import GradioGuard, default_checks

    swagger = _swagger_ui_dir()
    app = FastAPI(title="report-qa", version="0.1.0", docs_url=None if swagger else "/docs", redoc_url=None,
                  openapi_url="/openapi.json", telemetry=NO_TELEMETRY,
                  description="Questions about government work reports, answered by quoting the report "
                              "with numbered citations. The chat page is at `/`.")
    install_error_handlers(app)
    branding = branding or Branding()
    texts = ReportTexts(system.index.documents)
    demo = build_chat(system, feedback, texts=texts, branding=branding)
    app.add_middleware(GradioGuard, blocks=demo, checks=default_checks(check_chat))  # innermost
    app.add_middleware(NoUploads)
    app.add_middleware(BodyLimit, other_limit=MAX_REQUEST_BYTES)
    if rate_limit is not None:  # REPORT_QA_RATE_LIMIT; inside CORS, so a 429 reaches the portal's script
        app.add_middleware(RateLimit, rate=rate_limit)
    # Added last, so outermost: error responses (413 included) carry the CORS headers too. Always
    # configured, even with no origins, so that this policy and not Gradio's default applies.
    app.add_middleware(CORSMiddleware, allow_origins=list(cors or []), allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["*"], allow_credentials=False, max_age=600)
    # the reader's pages (before /api, whose router answers every other /api path with 404):
    # /embed for iframes and phones, /original for a passage in the whole report
    app.include_router(create_original_router(texts))
    app.include_router(create_embed_router(system, texts, branding, feedback))
    app.include_router(create_router(system), prefix="/api")

    if swagger:
        _local_docs(app, swagger)
    entry = _gradio_entry_script()

    @app.get("/gradio.js", include_in_schema=False)
    def gradio_js() -> Response:
        return Response(entry, media_type="text/javascript")

    @app.get("/examples/portal.html", include_in_schema=False)
    def portal() -> Response:
        page = EXAMPLES_DIR / "portal.html"
        if not page.is_file():
            return JSONResponse({"error": "examples/portal.html is not installed"}, status_code=404)
        return FileResponse(page, media_type="text/html")

    gr.mount_gradio_app(app, demo, path="/", server_name=host, server_port=port, footer_links=[],
                        run_history=False, allowed_paths=None, show_error=False, ssr_mode=False, pwa=False,
                        mcp_server=False, enable_monitoring=False, max_file_size="1mb", css=CSS,
                        i18n=chinese_labels(), head=ARIA_HEAD)
    return app


def keep_temporary_files_in(folder: Path) -> None:
    """Point this process's (and its libraries') temporary and cache files at ``DATA_DIR/tmp``:
    jieba's dictionary cache, Gradio's temp folder, PyTorch's compiler cache and matplotlib's
    font cache then stay with the rest of the service's files instead of /tmp and ~/.cache.
    An explicit ``TMPDIR`` or ``MPLCONFIGDIR`` is kept."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only data directory: the system's folders it is
    os.environ.setdefault("MPLCONFIGDIR", str(folder / "matplotlib"))  # before gradio imports matplotlib
    if not os.environ.get("TMPDIR"):
        os.environ["TMPDIR"] = str(folder)
        tempfile.tempdir = None  # recomputed from TMPDIR on next use


def _display_url(host: str, port: int) -> str:
    """A URL to open: the loopback address when bound to all interfaces, IPv6 in brackets."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _announce(server, url: str) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.05)
    if server.started:
        print(f"report-qa: ready — chat {url}/  API {url}/api/ask  docs {url}/docs  (Ctrl+C to stop)", flush=True)


def check_port(host: str, port: int) -> None:
    """Fail fast (before the model loads) when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, question_log: bool | None = None) -> int:
    """Load everything once, then serve until interrupted."""
    import uvicorn

    check_port(host, port)
    limit_malloc_arenas()
    rate = rate_from_env()  # a bad value fails here, before the model loads
    branding = Branding.from_env()  # so does a bad branding setting
    keep_questions = question_log_enabled(question_log)
    protocol = configure_from_env()  # read timeouts and the connection cap, likewise
    keep_temporary_files_in(Path(settings.data_dir) / "tmp")
    print(f"report-qa: loading the model and the index ({settings.data_dir}) …", file=sys.stderr, flush=True)
    encoder = make_encoder(settings)
    # concurrent requests share forward passes; System.encoder is the batching wrapper
    system = build_system(settings, encoder=BatchingEncoder(encoder), progress=is_terminal())  # a bar in a terminal
    feedback = FeedbackLog(feedback_path(settings))
    questions = QuestionLog(feedback_path(settings).with_name(LOG_NAME)) if keep_questions else None
    if questions is not None:  # every front end (chat, embed, API) asks through system.qa
        system.qa = LoggedQA(system.qa, questions)
        print(f"report-qa: question log on: {questions.path}", file=sys.stderr, flush=True)
    origins = cors_origins(os.environ.get(CORS_ENV))
    app = create_app(system, cors=origins, feedback=feedback, host=host, port=port, rate_limit=rate,
                     branding=branding)
    if rate is not None:
        print(f"report-qa: rate limit {rate} per client address (API and chat)", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level=os.environ.get("REPORT_QA_LOG_LEVEL", "warning"),
                            access_log=False, server_header=False, timeout_graceful_shutdown=3,
                            http=protocol, timeout_keep_alive=KEEP_ALIVE_TIMEOUT)
    throttle_logs()  # after uvicorn configured its loggers: resource exhaustion logs once per 10 s
    server = uvicorn.Server(config)
    threading.Thread(target=_announce, args=(server, _display_url(host, port)), daemon=True).start()
    try:
        server.run()
    finally:
        feedback.close()
        if questions is not None:
            questions.close()
    return 0 if server.started else 1
