"""The JSON API under ``/api``: ``POST /api/ask`` and ``GET /api/health``.

Requests are validated strictly (wrong types are errors, not coerced); anything wrong is a 4xx
``{"error": "..."}`` naming the problem. ``ask`` is a plain ``def`` endpoint, so FastAPI runs it
in its thread pool and concurrent requests never block the event loop.
"""
from __future__ import annotations

import json
import logging
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa.pipeline import MAX_QUESTION_CHARS, QuestionError
from ui.cli import answer_json
from ui.runtime import System

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_TOP_K = 20
MAX_HISTORY = 40  # messages: 20 turns of question and answer
MAX_TURN_CHARS = 4000


class Turn(BaseModel):
    """One earlier message of the conversation."""

    model_config = ConfigDict(extra="forbid", strict=True)
    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(max_length=MAX_TURN_CHARS, description="What was said (plain text).")


class AskRequest(BaseModel):
    """A question, optionally with the conversation so far and a document or year filter."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [
        {"question": "去年GDP多少？"},
        {"question": "那今年的目标呢？", "top_k": 3,
         "history": [{"role": "user", "content": "去年GDP多少？"},
                     {"role": "assistant", "content": "全年地区生产总值突破1650亿元[1]"}]},
    ]})
    question: str = Field(max_length=MAX_QUESTION_CHARS, examples=["去年GDP多少？"],
                          description=f"The question, 1–{MAX_QUESTION_CHARS} characters, not only whitespace.")
    top_k: int = Field(5, ge=1, le=MAX_TOP_K, description="How many passages to return (1–20).")
    history: list[Turn] | None = Field(None, max_length=MAX_HISTORY,
                                       description="Earlier turns, oldest first, so follow-ups such as "
                                                   "“那今年的目标呢？” are read in context (at most 40 messages).")
    doc: str | None = Field(None, description="Only answer from this document (its id, see /api/health "
                                              "`document_ids`); null for all.")
    year: int | None = Field(None, ge=1900, le=2100, description="Only answer from reports of this year.")


class CitationOut(BaseModel):
    """A passage the answer rests on, with where it is in the original document."""

    rank: int = Field(description="Its number; the answer cites it as [rank].")
    text: str = Field(description="The passage, verbatim.")
    section: str = Field(description="Section path, e.g. “一、2024年工作回顾 > …”.")
    source: str = Field(description="File name of the document.")
    start: int = Field(description="Character offset of the passage in the document.")
    end: int = Field(description="Character offset just after the passage.")
    score: float = Field(description="Retrieval score (higher is more relevant).")
    doc_id: str = ""
    title: str = ""
    year: int | None = None
    page: int | None = Field(None, description="Page number for PDF documents.")
    notes: list[dict] = Field(default_factory=list, description="Glossary notes the passage refers to.")
    before_chars: int = Field(0, description="How many leading characters of `text` end the passage before it in "
                                             "its paragraph (context; `start` is where they begin).")
    after_chars: int = Field(0, description="How many trailing characters of `text` start the passage after it "
                                            "(context; `end` is where they end).")


class AskResponse(BaseModel):
    """The answer with its citations."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "answer": "全年地区生产总值突破1650亿元[1]", "declined": False, "cited": [1], "took_ms": 14.2,
        "citations": [{"rank": 1, "text": "全年地区生产总值突破1650亿元，增长6%（预计数，下同），…",
                       "section": "一、2024年工作回顾", "source": "liyang-2025-government-work-report.txt",
                       "start": 278, "end": 356, "score": 0.177, "doc_id": "liyang-2025-government-work-report.txt",
                       "title": "溧阳市2025年政府工作报告", "year": 2025, "page": None, "notes": []}]}]})
    answer: str = Field(description="Quoted answer with [n] markers, or a refusal when declined.")
    declined: bool = Field(description="True when the report does not answer the question.")
    citations: list[CitationOut] = Field(description="Retrieved passages, best first.")
    cited: list[int] = Field(description="Ranks the answer text cites.")
    took_ms: float = Field(description="Time spent answering, in milliseconds.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    passages: int = Field(description="Passages in the index.")
    model: str = Field(description="Embedding model of the index.")
    documents: int = Field(description="Documents in the index.")
    document_ids: list[str] = Field(default_factory=list, description="Values accepted as `doc`.")


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong with the request.", examples=["question is empty"])


ERRORS = {code: {"model": ErrorOut, "description": text} for code, text in (
    (400, "Malformed body (not JSON, not UTF-8, not an object)"), (413, "Body over 64 KiB"),
    (415, "Body is not application/json"), (422, "Invalid field (empty or too long question, bad type, "
                                                "top_k out of range, unknown doc)"))}


def create_router(system: System) -> APIRouter:
    """``/ask`` and ``/health`` over a loaded system (mount under ``/api``)."""
    router = APIRouter(tags=["api"])

    @router.post("/ask", response_model=AskResponse, responses=ERRORS, summary="Answer a question with citations")
    def ask(body: AskRequest) -> dict:
        if body.doc is not None and body.doc not in system.index.documents:
            known = ", ".join(sorted(system.index.documents)) or "none"
            raise QuestionError(f"unknown doc {body.doc!r}; known documents: {known}")
        history = [t.model_dump() for t in body.history] if body.history else None
        a = system.qa.ask(body.question, top_k=body.top_k, history=history, doc=body.doc, year=body.year)
        return {**answer_json(a), "took_ms": round(a.took_ms, 2)}

    @router.api_route("/health", methods=["GET", "HEAD"], response_model=Health,
                      summary="Is the service up, and what does it serve")
    def health() -> dict:
        return {"status": "ok", "passages": len(system.index.passages), "model": system.index.model_id,
                "documents": len(system.index.documents), "document_ids": sorted(system.index.documents)}

    @router.get("/documents", summary="The indexed reports and their profiles (title, place, level, years, outline)")
    def documents() -> dict:
        return {"documents": system.qa.documents()}

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    def not_found(path: str, request: Request) -> JSONResponse:
        allowed = {"ask": "POST", "health": "GET", "documents": "GET"}.get(path.strip("/"))
        if allowed:
            return JSONResponse({"error": f"use {allowed} for /api/{path.strip('/')}"}, status_code=405,
                                headers={"Allow": allowed})
        return JSONResponse({"error": f"no such endpoint: /api/{path}"}, status_code=404)

    return router


class BodyLimit:
    """ASGI middleware: bodies over ``limit(path)`` bytes get 413 ``{"error": ...}`` before the app reads them."""

    def __init__(self, app, api_limit: int = MAX_BODY_BYTES, other_limit: int = 1024 * 1024,
                 api_prefix: str = "/api") -> None:
        self.app = app
        self.api_limit, self.other_limit, self.api_prefix = api_limit, other_limit, api_prefix

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.api_limit if scope.get("path", "").startswith(self.api_prefix) else self.other_limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await self._too_large(scope, receive, send, limit)
        seen = 0
        started = False
        check_encoding = scope.get("path", "").startswith(self.api_prefix)

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                if check_encoding and seen == 0 and body and not _utf8_json(body):
                    raise _BadBody(400, "the body is not valid JSON (UTF-8 expected)")
                seen += len(body)
                if seen > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send, limit)
        except _BadBody as exc:
            if started:
                raise
            await JSONResponse({"error": exc.detail}, status_code=exc.status_code)(scope, receive, send)

    @staticmethod
    async def _too_large(scope, receive, send, limit: int) -> None:
        response = JSONResponse({"error": f"the body is larger than {limit // 1024} KiB"}, status_code=413,
                                headers={"Connection": "close"})
        await response(scope, receive, send)


class _BadBody(StarletteHTTPException):
    """Raised from ``receive``; an HTTPException so FastAPI's body parsing passes it through."""


class _TooLarge(_BadBody):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is larger than {limit // 1024} KiB", headers={"Connection": "close"})


def _utf8_json(first: bytes) -> bool:
    """Whether a body starting with ``first`` may be UTF-8 JSON: not UTF-16/32 (BOM or NUL bytes),
    which Python's JSON parser would otherwise accept though the API documents UTF-8."""
    return json.detect_encoding(first[:4]) in ("utf-8", "utf-8-sig")


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/…+json`` (parameters such as charset allowed)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _describe(errors: list[dict]) -> tuple[int, str]:
    """(status, message) for pydantic/FastAPI validation errors."""
    first = errors[0] if errors else {}
    kind, loc = first.get("type", ""), [str(p) for p in first.get("loc", ()) if p != "body"]
    if kind == "json_invalid":
        return 400, f"malformed JSON: {(first.get('ctx') or {}).get('error', 'cannot parse')}"
    if not loc and kind in ("missing", "model_attributes_type", "model_type", "dict_type"):
        return 400, "the body must be a JSON object such as {\"question\": \"去年GDP多少？\"}"
    messages = []
    for e in errors[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        messages.append(f"{where}: {e.get('msg', 'invalid')}")
    return 422, "; ".join(messages)


def install_error_handlers(app: FastAPI) -> None:
    """Every error as ``{"error": ...}``: 4xx naming the problem, 500 without details."""

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and not is_json_media_type(content_type):
            return JSONResponse({"error": "send the body as application/json"}, status_code=415)
        status, message = _describe(list(exc.errors()))
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(QuestionError)
    async def question_error(request: Request, exc: QuestionError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in message:
            message = "the body is not valid JSON (UTF-8 expected)"
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error"}, status_code=500)
