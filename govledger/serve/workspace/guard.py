"""What every request passes before a route sees it: the body-size policy and the URL's characters.

A pure ASGI middleware, so it acts before anything reads the body:

- ``Content-Length`` over ``MAX_BODY`` → 413 at once; over
  ``UNAUTHENTICATED_BODY`` from a client that shows no valid session or token
  → 401 at once (a 200 MB anonymous POST used to be read in full before its 401).
- A body without ``Content-Length`` (chunked) is counted while it streams and
  cut off with 413 past the same limits.
- A path or query string with a control character (``%00``) → 422: such a
  value would otherwise reach a database query, and PostgreSQL refuses NUL
  with an error that must never reach the user.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from govledger.limits import MAX_BODY, UNAUTHENTICATED_BODY, has_control

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(HTTPException):
    """Raised inside ``receive`` when a streamed body passes its limit; an HTTP 413 wherever it surfaces."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求体超过 {limit // 1024} KB 上限" if limit < MAX_BODY
                         else f"请求体超过 {MAX_BODY // 1048576} MB 上限")


async def _answer(scope: Scope, send: Send, status: int, message: str) -> None:
    """A short answer in the caller's language: JSON under /api/, a plain Chinese line elsewhere."""
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"error": message, "details": []}, ensure_ascii=False).encode("utf-8")
        ctype = b"application/json"
    else:
        body = f"<!doctype html><meta charset=utf-8><title>出错了（{status}）</title><p>{message}</p>".encode()
        ctype = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The middleware; ``identify(headers)`` says whether the request carries a valid credential (blocking)."""

    def __init__(self, app: ASGIApp, identify: Callable[[dict[str, str]], bool]) -> None:
        self.app = app
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_query = scope.get("query_string", b"").decode("latin-1")
        if has_control(scope.get("path", "")) or has_control(unquote(raw_query.replace("+", " "))):
            await _answer(scope, send, 422, "网址中含有不允许的控制字符")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length_text = headers.get("content-length")
        limit = MAX_BODY
        if length_text is not None:
            try:
                length = int(length_text)
            except ValueError:
                await _answer(scope, send, 400, "请求头 Content-Length 无效")
                return
            if length > MAX_BODY:
                await _answer(scope, send, 413, f"请求体超过 {MAX_BODY // 1048576} MB 上限")
                return
            if length > UNAUTHENTICATED_BODY and not await run_in_threadpool(self.identify, headers):
                await _answer(scope, send, 401, "请先登录")
                return
        elif scope.get("method") in ("POST", "PUT", "PATCH") and headers.get("transfer-encoding"):
            if not await run_in_threadpool(self.identify, headers):
                limit = UNAUTHENTICATED_BODY
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:
            if not started:
                await _answer(scope, send, 413, str(exc.detail))
