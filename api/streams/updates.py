"""The API process's one feed of conversation changes, fanned out to every `GET /api/updates` stream."""

import asyncio
import contextlib
import json
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
    """One pub/sub connection per API process, fanning conversation changes out to the browsers of
    each conversation's owner that follow `GET /api/updates`; connections do not grow with the
    number of browsers."""

    def __init__(self, redis: Redis) -> None:
        self._queues: dict[asyncio.Queue[str], str] = {}  # each browser's queue, and its user
        self._subscription = Subscription(
            redis, (keys.UPDATES_CHANNEL,), on_message=self._on_message, on_resubscribed=self._resync_all
        )
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._subscription.run())

    @contextlib.contextmanager
    def follow(self, user_id: str) -> Iterator[asyncio.Queue[str]]:
        """The changes to the user's conversations and files, as `{"conversation_id" | "file_id",
        "change"}` JSON."""
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self._queues[queue] = user_id
        try:
            yield queue
        finally:
            del self._queues[queue]

    def _on_message(self, _channel: str, data: bytes) -> None:
        change = json.loads(data)
        # What changed (a conversation's or a file's id) and how; never whose it is.
        payload = json.dumps({key: value for key, value in change.items() if key != "owner_id"})
        for queue, user_id in self._queues.items():
            if user_id == change.get("owner_id"):
                _put(queue, payload)

    def _resync_all(self) -> None:
        for queue in self._queues:
            _put(queue, RESYNC)

    async def close(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
        with contextlib.suppress(Exception):
            await self._subscription.close()


def _put(queue: asyncio.Queue[str], payload: str) -> None:
    try:
        queue.put_nowait(payload)
    except asyncio.QueueFull:
        # A browser that stopped reading: it gets one resync instead of an unbounded backlog.
        queue.get_nowait()
        queue.put_nowait(RESYNC)
