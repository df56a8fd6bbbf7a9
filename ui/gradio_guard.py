"""Checks in front of Gradio's routes, so the chat is no weaker than the JSON API.

Gradio answers a malformed call (a wrong number of values, an unknown ``fn_index``, a value its
function cannot take) with a 500 and a traceback on stderr, and it takes uploads on routes the
chat never uses. :class:`GradioGuard` is an ASGI middleware that reads the body of every call
(``run``/``api``/``call``/``call/v2``/``queue/join``), finds the event handler it names and
checks each value against the component it goes to — a textbox gets a string of bounded length,
a chatbot a list of messages within :func:`ui.chat.check_chat`'s limits, a dropdown one of its
choices, a state an object — before Gradio sees it; anything else is a 4xx ``{"error": ...}``.
``POST`` is allowed only on those call routes and ``cancel``: uploads, recordings, streams and
the component server are 404. Gradio's own JSON errors (``{"detail": …}``) get an ``"error"`` key
as well. Pages that publish Gradio's exact version (``/``, ``/config``,
Gradio's OpenAPI document) are served with the major version only, which is all that
``gradio_client`` reads.
"""
from __future__ import annotations

import inspect
import json
import re
from typing import Any, Callable

import gradio as gr
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from qa.pipeline import QuestionError

API = "/gradio_api"
CALL_RE = re.compile(rf"^{API}/(run|api|call|call/v2)/([^/]+)/?$")
JOIN = f"{API}/queue/join"
ALLOWED_POSTS = re.compile(rf"^{API}/(queue/join|cancel|(run|api|call|call/v2)/[^/]+/?)$")
VERSION_PAGES = {"/", "/config", "/config/", f"{API}/openapi.json", f"{API}/info"}
MAX_TEXT_FACTOR = 4  # a textbox value may be this many times its max_length (the chat reports the excess)
MAX_TEXT_CHARS = 4000  # a textbox without max_length


class CallError(ValueError):
    """A call Gradio cannot run as sent; ``status`` is the 4xx to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json_response(status: int, message: str) -> tuple[dict, list[dict]]:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]},
            [{"type": "http.response.body", "body": body}])


class GradioGuard:
    """ASGI middleware checking calls to the Gradio app ``blocks`` (see the module docstring).

    ``checks`` maps a component class to a function that raises :class:`ValueError` (or
    :class:`QuestionError`) for a value the component's handler must not get.
    """

    def __init__(self, app, blocks: gr.Blocks, checks: dict[type, Callable[[Any, Any], None]] | None = None) -> None:
        self.app = app
        self.blocks = blocks
        self.checks = checks or {}
        self.version = gr.__version__
        self.major = gr.__version__.split(".")[0]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method, path = scope.get("method", ""), scope.get("path", "")
        if method == "GET" and path in VERSION_PAGES:  # uncompressed, so the version can be replaced
            headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"accept-encoding"]
            return await self.app({**scope, "headers": headers}, receive, self._hide_version(send))
        send = _error_key(send)
        if method != "POST" or not path.startswith(API + "/"):
            return await self.app(scope, receive, send)
        if not ALLOWED_POSTS.match(path):
            return await self._reply(send, 404, "not found")
        if not (CALL_RE.match(path) or path == JOIN):
            return await self.app(scope, receive, send)
        body, messages = await _read_body(receive)
        try:
            self.check(path, body)
        except CallError as exc:
            return await self._reply(send, exc.status, str(exc))
        replay = iter(messages)

        async def replayed():
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        return await self.app(scope, replayed, send)

    # --- the checks -------------------------------------------------------------------------

    def check(self, path: str, raw: bytes) -> None:
        """:class:`CallError` unless ``raw`` is a call of an existing handler with values it can take."""
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise CallError(400, "the body must be JSON (UTF-8)") from None
        if not isinstance(body, dict):
            raise CallError(400, "the body must be a JSON object")
        m = CALL_RE.match(path)
        route, api_name = (m.group(1), m.group(2)) if m else ("join", None)
        fns = self.blocks.fns
        fn_index = body.get("fn_index")
        if route == "join" or fn_index is not None:
            if isinstance(fn_index, bool) or not isinstance(fn_index, int) or fn_index not in fns:
                raise CallError(422, f"unknown fn_index {fn_index!r}")
            fn = fns[fn_index]
            if api_name not in (None, "predict", fn.api_name):  # the page runs unqueued events as /run/predict
                raise CallError(422, f"fn_index {fn_index} is not /{api_name}")
        else:
            fn = next((f for f in fns.values() if f.api_name == api_name and f.api_visibility != "private"), None)
            if fn is None:
                raise CallError(404, f"no such endpoint: /{api_name}")
        if route == "join" and not isinstance(body.get("session_hash"), str):
            raise CallError(400, "session_hash must be a string")
        if body.get("batched") or body.get("simple_format"):
            raise CallError(422, "batched calls are not accepted")
        data = self._positional(fn, body) if route == "call/v2" else body.get("data")
        if not isinstance(data, list):
            raise CallError(422, "data must be a list of values")
        inputs = list(fn.inputs)
        api_inputs = [b for b in inputs if not b.skip_api]
        if route == "call" and len(data) == len(api_inputs) != len(inputs):
            data = [None if b.skip_api else v for b, v in zip(inputs, _fill(inputs, data))]
        if len(data) != len(inputs):
            raise CallError(422, f"/{fn.api_name or fn_index} takes {len(inputs)} values, not {len(data)}")
        for block, value in zip(inputs, data):
            self._check_value(block, value)
        if "like" in [t[1] for t in fn.targets if len(t) > 1]:
            _check_like(body.get("event_data"))

    def _positional(self, fn, body: dict) -> list:
        """``/call/v2``'s keyword body as the handler's positional values (state inputs as None)."""
        params = [p for p in inspect.signature(fn.fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p for p, b in zip(params, fn.inputs) if not b.skip_api]
        unknown = set(body) - {p.name for p in names}
        if unknown:
            raise CallError(422, f"unknown parameter(s): {', '.join(sorted(map(str, unknown)))}")
        missing = [p.name for p in names if p.default is p.empty and p.name not in body]
        if missing:
            raise CallError(422, f"missing parameter(s): {', '.join(missing)}")
        values = iter([body.get(p.name, None if p.default is p.empty else p.default) for p in names])
        return [None if b.skip_api else next(values) for b in fn.inputs]

    def _check_value(self, block, value: Any) -> None:
        model = getattr(block, "data_model", None)
        if value is not None and isinstance(model, type) and issubclass(model, BaseModel):
            try:
                model.model_validate(value)  # the shape Gradio's preprocessing expects
            except PydanticValidationError as exc:
                first = (exc.errors() or [{}])[0]
                where = ".".join(map(str, first.get("loc", ()))) or "value"
                raise CallError(422, f"{_label(block)}: {where}: {first.get('msg', 'invalid')}") from None
        for kind, check in self.checks.items():
            if isinstance(block, kind):
                try:
                    check(block, value)
                except (ValueError, TypeError) as exc:  # QuestionError is a ValueError
                    raise CallError(422, f"{_label(block)}: {exc}") from None
                return

    # --- responses --------------------------------------------------------------------------

    @staticmethod
    async def _reply(send, status: int, message: str) -> None:
        start, bodies = _json_response(status, message)
        await send(start)
        for b in bodies:
            await send(b)

    def _hide_version(self, send):
        """``send`` with ``"version": "<exact>"`` replaced by the major version in a buffered body."""
        state: dict[str, Any] = {"start": None, "chunks": []}
        exact = re.compile(rb'("version"\s*:\s*")' + re.escape(self.version.encode()) + rb'"')

        async def hiding(message):
            if message["type"] == "http.response.start":
                state["start"] = message
                return
            if message["type"] != "http.response.body":
                return await send(message)
            state["chunks"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            start = state["start"]
            body = b"".join(state["chunks"])
            encoded = dict(start.get("headers") or []).get(b"content-encoding")
            if not encoded:
                body = exact.sub(rb"\g<1>" + self.major.encode() + rb'"', body)
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return hiding


def _error_key(send):
    """``send`` that gives Gradio's JSON errors (``{"detail": …}``) an ``"error"`` key too, as every
    other error of this service has (``detail`` stays for gradio_client)."""
    state: dict[str, Any] = {"start": None, "chunks": []}

    async def sending(message):
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if message.get("status", 200) >= 400 and headers.get(b"content-type", b"").startswith(b"application/json") \
                    and not headers.get(b"content-encoding"):
                state["start"] = message
                return
            return await send(message)
        if state["start"] is None or message["type"] != "http.response.body":
            return await send(message)
        state["chunks"].append(message.get("body", b""))
        if message.get("more_body"):
            return
        start, body = state["start"], b"".join(state["chunks"])
        state["start"] = None
        try:
            content = json.loads(body)
        except ValueError:
            content = None
        if isinstance(content, dict) and "error" not in content and "detail" in content:
            detail = content["detail"]
            if isinstance(detail, list) and detail and isinstance(detail[0], dict):  # FastAPI validation errors
                first = detail[0]
                detail = f"{'.'.join(map(str, first.get('loc', ())))}: {first.get('msg', 'invalid')}"
            content["error"] = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
            body = json.dumps(content, ensure_ascii=False).encode("utf-8")
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return sending


async def _read_body(receive) -> tuple[bytes, list[dict]]:
    """The whole request body, and the messages it came in (to hand on unchanged)."""
    chunks, messages = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks), messages


def _fill(inputs: list, data: list) -> list:
    """Values for the inputs the API shows, spread over all inputs (skipped ones get None)."""
    values = iter(data)
    return [None if b.skip_api else next(values, None) for b in inputs]


def _label(block) -> str:
    return f"{type(block).__name__.lower()} {getattr(block, 'elem_id', None) or getattr(block, '_id', '')}".strip()


def _check_like(event: Any) -> None:
    if not isinstance(event, dict) or "index" not in event or "value" not in event:
        raise CallError(422, "event_data must be an object with index and value")
    index = event["index"]
    if not (isinstance(index, int) and not isinstance(index, bool)) and not (
            isinstance(index, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in index)):
        raise CallError(422, "event_data.index must be a whole number or a list of them")


# --- checks per component (used by ui.server) -------------------------------------------------

def check_textbox(block: gr.Textbox, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ValueError("must be a string")
    limit = MAX_TEXT_FACTOR * block.max_length if getattr(block, "max_length", None) else MAX_TEXT_CHARS
    if len(value) > limit:
        raise ValueError(f"is {len(value)} characters; the limit is {limit}")


def check_dropdown(block: gr.Dropdown, value: Any) -> None:
    allowed = [c[1] if isinstance(c, (list, tuple)) else c for c in (block.choices or [])]
    if value is not None and value not in allowed:
        raise ValueError(f"{value!r} is not one of the choices")


def check_state(block: gr.State, value: Any) -> None:
    if value is not None and not isinstance(value, dict):
        raise ValueError("must be an object or null")


def default_checks(check_chat: Callable[[Any], Any]) -> dict[type, Callable[[Any, Any], None]]:
    """The checks for the chat page's components; ``check_chat`` validates a Chatbot value."""
    return {gr.Chatbot: lambda block, value: check_chat(value), gr.Textbox: check_textbox,
            gr.Dropdown: check_dropdown, gr.State: check_state}


__all__ = ["GradioGuard", "CallError", "default_checks", "QuestionError"]
