"""The API process's one feed of conversation changes, fanned out to every `GET /api/updates` stream."""

import asyncio
import contextlib
from collections.abc import Iterator

from redis.asyncio import Redis

from core import keys
from core.pubsub import Subscription
from core.tasks import cancel_and_wait

RESYNC = ""
"""Put in every queue after a lost connection or an overflow: changes may have been missed, so the
browser should read the list again."""

QUEUE_SIZE = 100


class UpdateFeed:
    """One pub/sub connection per API process, fanning conversation changes out to every browser
    that follows `GET /api/updates`; connections do not grow with the number of browsers."""

    def __init__(self, redis: Redis) -> None:
        self._queues: set[asyncio.Queue[str]] = set()
        self._subscription = Subscription(
            redis,
            (keys.UPDATES_CHANNEL,),
            on_message=lambda _channel, data: self._dispatch(data.decode()),
            on_resubscribed=lambda: self._dispatch(RESYNC),
        )
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._subscription.run())

    @contextlib.contextmanager
    def follow(self) -> Iterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    def _dispatch(self, payload: str) -> None:
        for queue in self._queues:
            try:
                queue.put_nowait(payload)
            except asyncio.QueueFull:
                # A browser that stopped reading: it gets one resync instead of an unbounded backlog.
                queue.get_nowait()
                queue.put_nowait(RESYNC)

    async def close(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
        with contextlib.suppress(Exception):
            await self._subscription.close()
