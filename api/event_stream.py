"""The SSE response every stream of the API uses: sse-starlette's, without a per-send timeout."""

from sse_starlette import EventSourceResponse
from starlette.types import Message, Send


class EventStream(EventSourceResponse):
    """sse-starlette's response (heartbeats, disconnects, streams ended on shutdown), sending as is.

    sse-starlette wraps every send in an anyio cancel scope for its optional send timeout, which
    costs about as much as the send itself (docs/performance.md). No timeout is needed: a send
    only waits when the client's TCP window is full, a dead client is ended by TCP's
    retransmission timeout, and what a slow one has not read is bounded by its answer's length.
    """

    async def _send_with_timeout(self, send: Send, message: Message) -> None:
        await send(message)
