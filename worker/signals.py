import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from redis.asyncio import Redis

from core import keys

logger = logging.getLogger(__name__)

WakeHandler = Callable[[str], Coroutine[Any, Any, None]]


class Signals:
    """The worker's one pub/sub connection: wake-ups for new jobs and Stop requests for running ones.

    Pub/sub can miss a message while reconnecting; the ARQ poll (wake-ups) and the cancel key
    checked at each checkpoint (stops) are the fallbacks, so a missed message only costs time.
    """

    def __init__(self, redis: Redis, on_wake: WakeHandler) -> None:
        self._redis = redis
        self._on_wake = on_wake
        self._stops: dict[str, asyncio.Event] = {}
        self._wakes: set[asyncio.Task[None]] = set()
        self.subscribed = asyncio.Event()

    @contextlib.contextmanager
    def watch_stop(self, message_id: str) -> Iterator[asyncio.Event]:
        event = self._stops.setdefault(message_id, asyncio.Event())
        try:
            yield event
        finally:
            self._stops.pop(message_id, None)

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        message_id = data.decode()
        if channel.decode() == keys.CANCEL_CHANNEL:
            if event := self._stops.get(message_id):
                event.set()
            return
        task = asyncio.create_task(self._on_wake(message_id))
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    async def close(self) -> None:
        await self._redis.aclose()

    async def run(self) -> None:
        backoff = 0.1
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(keys.WAKE_CHANNEL, keys.CANCEL_CHANNEL)
                self.subscribed.set()
                backoff = 0.1
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._dispatch(message["channel"], message["data"])
            except Exception as error:  # the worker's one listener must outlive any failure
                self.subscribed.clear()
                logger.warning("pub/sub connection lost (%s); reconnecting in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
