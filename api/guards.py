"""What every request passes before routing, and every response carries: an allowed Host, a body
within its size and time, and the security headers.

A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, which would buffer each
streamed response through a task of its own: answers stream for minutes, thousands at a time.
"""

import asyncio
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.refusals import TooLarge, TooSlow
from core.logs import REQUEST_ID

# The web UI is the built bundle alone: scripts from its own files, no inline script, no frames
# around it, nothing fetched from elsewhere. Inline styles are allowed: Mermaid lays a diagram out
# in the page with style attributes and a <style> of its own, and KaTeX's markup carries style
# attributes; a style can neither run script nor, with everything else 'self', fetch anything.
APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc load their viewers from a CDN with an inline start-up script; they
# show the schema, never a user's data.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HOST_REFUSED = (
    "relaychat does not answer to this host name. Its operator can allow it with RELAYCHAT_ALLOWED_HOSTS."
)


def parse_hosts(allowed: str) -> tuple[str, ...]:
    """`RELAYCHAT_ALLOWED_HOSTS` as lower-case names (`*`, `*.example.com` and addresses too)."""
    return tuple(name.strip().lower().strip("[]") for name in allowed.split(",") if name.strip())


def host_name(header: str) -> str:
    """The name in a Host header, without its port (`[::1]:8000` is `::1`)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name, _, _port = header.partition(":") if header.count(":") == 1 else (header, "", "")
    return name


def is_allowed(name: str, allowed: Iterable[str]) -> bool:
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The most a request's body may hold, for paths that start with `prefix` ("": any other)."""

    prefix: str
    bytes: int
    sentence: str = "The request's body is too large; the limit is {megabytes:g} MB."

    def refusal(self) -> TooLarge:
        return TooLarge(self.sentence.format(megabytes=self.bytes / 1_000_000))


class Guards:
    """Refuses a request whose Host is not allowed (400, before anything else runs) and a body too
    large or too slow (413 or 408, as it streams in: before sign-in, before it is read whole), and
    adds the security headers to every response: a strict Content-Security-Policy, no framing, no
    sniffing; and the request's id (`x-request-id`, also on its log lines) for a user to quote.
    `limits` go from the most specific prefix to the catch-all ("")."""

    def __init__(
        self, app: ASGIApp, allowed_hosts: str, limits: Iterable[BodyLimit], body_timeout: float
    ) -> None:
        self.app = app
        self.allowed = parse_hosts(allowed_hosts)
        self.limits = sorted(limits, key=lambda limit: len(limit.prefix), reverse=True)
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{uuid.uuid4().hex}"
        REQUEST_ID.set(request_id)  # this request's task's own: its log lines carry it
        identified = (b"x-request-id", request_id.encode())
        headers = dict(scope["headers"])
        if not is_allowed(host_name(headers.get(b"host", b"").decode("latin-1")), self.allowed):
            await _refuse(send, identified)
            return
        policy = DOCS_POLICY if scope["path"].startswith(DOCS_PATHS) else APP_POLICY
        extra = [(b"content-security-policy", policy.encode()), identified, *COMMON_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        limit = next(limit for limit in self.limits if scope["path"].startswith(limit.prefix))
        declared = headers.get(b"content-length", b"")
        bounded = _Body(receive, limit, int(declared) if declared.isdigit() else None, self.body_timeout)
        await self.app(scope, bounded.receive, send_with_headers)


class _Body:
    """A request's `receive`, refusing (from inside the app, which answers the refusal in its
    shape) a body declared or found larger than its limit, or slower than the timeout."""

    def __init__(self, receive: Receive, limit: BodyLimit, declared: int | None, timeout: float) -> None:
        self._receive = receive
        self._limit = limit
        self._declared = declared
        self._timeout = timeout
        self._deadline: float | None = None
        self._read = 0
        self._done = False

    async def receive(self) -> Message:
        if self._done:
            return await self._receive()  # the body is in: what follows is the client leaving
        if self._declared is not None and self._declared > self._limit.bytes:
            raise self._limit.refusal()  # refused unread
        now = time.monotonic()
        self._deadline = self._deadline or now + self._timeout
        try:
            message = await asyncio.wait_for(self._receive(), max(self._deadline - now, 0.001))
        except TimeoutError:
            raise TooSlow(f"The request's body did not arrive within {self._timeout:g} seconds.") from None
        if message["type"] == "http.request":
            self._read += len(message.get("body", b""))
            if self._read > self._limit.bytes:
                raise self._limit.refusal()
            self._done = not message.get("more_body", False)
        return message


async def _refuse(send: Send, identified: tuple[bytes, bytes]) -> None:
    body = json.dumps({"detail": HOST_REFUSED}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.append(identified)
    await send({"type": "http.response.start", "status": 400, "headers": [*headers, *COMMON_HEADERS]})
    await send({"type": "http.response.body", "body": body})
