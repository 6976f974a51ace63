"""Every request counted by its route's template and its status, and its response's start timed.

A plain ASGI middleware, as api/guards.py is: answers stream for minutes, thousands at a time,
and each of their sends passes through here (one check of the message's type).
"""

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.route_template import route_template
from core import metrics

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """`relaychat_http_requests_total{method, route, status}` and
    `relaychat_http_response_start_seconds{method, route}`: the route is its path template as the
    app declares it, never the path as sent, so the labels stay few whatever clients ask."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Each label set's child, made once: `labels()` checks its values every call.
        self._counted: dict[tuple[str, str, int], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        method = scope["method"] if scope["method"] in METHODS else "other"
        status = 0

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                self._timer(method, route_template(scope)).observe(time.perf_counter() - arrived)
            await send(message)

        try:
            await self.app(scope, receive, counted)
        finally:
            # A request that raised before answering is answered 500 by the server.
            self._counter(method, route_template(scope), status or 500).inc()

    def _counter(self, method: str, route: str, status: int) -> Any:
        key = (method, route, status)
        if (child := self._counted.get(key)) is None:
            child = self._counted[key] = metrics.HTTP_REQUESTS.labels(method, route, str(status))
        return child

    def _timer(self, method: str, route: str) -> Any:
        key = (method, route)
        if (child := self._timed.get(key)) is None:
            child = self._timed[key] = metrics.HTTP_RESPONSE_START_SECONDS.labels(method, route)
        return child
