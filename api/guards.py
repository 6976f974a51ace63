"""What every request passes before routing, and every response carries: an allowed Host, and
the security headers.

A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, which would buffer each
streamed response through a task of its own: answers stream for minutes, thousands at a time.
"""

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The web UI is the built bundle alone: scripts and styles from its own files, no inline script,
# no frames around it, nothing fetched from elsewhere.
APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
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


class Guards:
    """Refuses a request whose Host is not allowed (400, before anything else runs), and adds the
    security headers to every response: a strict Content-Security-Policy, no framing, no sniffing."""

    def __init__(self, app: ASGIApp, allowed_hosts: str) -> None:
        self.app = app
        self.allowed = parse_hosts(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if not is_allowed(host_name(headers.get(b"host", b"").decode("latin-1")), self.allowed):
            await _refuse(send)
            return
        policy = DOCS_POLICY if scope["path"].startswith(DOCS_PATHS) else APP_POLICY
        extra = [(b"content-security-policy", policy.encode()), *COMMON_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Send) -> None:
    body = json.dumps({"detail": HOST_REFUSED}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": [*headers, *COMMON_HEADERS]})
    await send({"type": "http.response.body", "body": body})
