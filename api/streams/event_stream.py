"""The SSE response every stream of the API uses: sse-starlette's, without a per-send timeout."""

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
from sse_starlette import EventSourceResponse
from starlette.types import Message, Receive, Scope, Send

from core import metrics


class EventStream(EventSourceResponse):
    """sse-starlette's response (heartbeats, disconnects, streams ended on shutdown or when `ended`
    is set), sending as is.

    sse-starlette wraps every send in an anyio cancel scope for its optional send timeout, which
    costs about as much as the send itself (docs/performance.md). No timeout is needed: a send
    only waits when the client's TCP window is full, a dead client is ended by TCP's
    retransmission timeout, and what a slow one has not read is bounded by its answer's length.
    """

    # `status_code` named here too: FastAPI reads a response class's default status from it.
    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        *,
        ended: asyncio.Event | None = None,
        closed: Callable[[], None] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(content, status_code=status_code, **options)
        self._ended = ended
        self._closed = closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `closed` (a stream's place in its user's quota given back) runs however the stream ends,
        # even if its body never started.
        open_streams = metrics.SSE_STREAMS_OPEN
        open_streams.inc()
        try:
            await super().__call__(scope, receive, send)
        finally:
            open_streams.dec()
            if self._closed is not None:
                self._closed()

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        await send(message)

    async def _listen_for_exit_signal_with_grace(self) -> None:
        # sse-starlette ends the response when this returns: at shutdown, or when `ended` is set
        # (the signed-in user's sign-in was revoked). The browser reconnects and meets a 401.
        if self._ended is None:
            await super()._listen_for_exit_signal_with_grace()
            return
        async with anyio.create_task_group() as group:

            async def first(wait: Any) -> None:
                await wait()
                group.cancel_scope.cancel()

            group.start_soon(first, super()._listen_for_exit_signal_with_grace)
            group.start_soon(first, self._ended.wait)
