"""Every request a server span of its own, when traces are on (core/tracing.py): a child of the
client's `traceparent` when it sent one, and the parent of what the request starts, so an answer's
trace begins inside the POST that asked for it, and inside the client's own trace when it has one.

A plain ASGI middleware, as api/request_metrics.py is: with traces off (they are set up in the
lifespan, after the app is made), each request passes straight on.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.route_template import route_template
from core import tracing


class RequestTraces:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not tracing.on:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        parent = next(
            (value.decode("latin-1") for name, value in scope["headers"] if name == b"traceparent"), None
        )
        status = 0

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with tracing.request_span(method, parent) as opened:
            try:
                await self.app(scope, receive, sent)
            finally:
                # A request that raised before answering is answered 500 by the server.
                tracing.name_request(opened, method, route_template(scope), status or 500)
