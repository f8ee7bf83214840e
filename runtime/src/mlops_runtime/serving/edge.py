"""The app's HTTP edge: the request body's size and time limits (ASGI middleware, before the
body is parsed) and the caller's request id, kept for correlation only."""

import asyncio
import re
from collections.abc import Callable
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
_PRINTABLE = re.compile(r"[^\x21-\x7e]")


class BodyLimit:
    """ASGI middleware: a body over `max_bytes` gets 413, whatever Content-Length says (the bytes
    are counted as they arrive); a body that stalls gets 408."""

    def __init__(self, app: Any, max_bytes: int, timeout: float):
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await _plain(send, 400, "invalid Content-Length")
                return
            if size > self.max_bytes:
                await _plain(send, 413, f"request body over {self.max_bytes} bytes")
                return
        # Read the body here, counting bytes as they arrive, and hand the app the whole of it:
        # nothing past the cap is ever buffered, whatever the headers said.
        chunks, received = [], 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except asyncio.TimeoutError:  # noqa: UP041 - the same class only from Python 3.11
                await _plain(send, 408, "request body not received in time")
                return
            if message["type"] != "http.request":  # the client went away
                return
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await _plain(send, 413, f"request body over {self.max_bytes} bytes")
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _plain(send: Callable, status: int, text: str) -> None:
    body = ('{"detail": "' + text + '"}').encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def correlation_id(value: str | None) -> str | None:
    """A caller's request id, kept for correlation only: printable ASCII, at most 128 chars."""
    return _PRINTABLE.sub("", value)[:128] or None if value else None
