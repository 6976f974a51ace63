"""A pub/sub subscription that outlives its connection: it resubscribes, with backoff, after any failure."""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from redis.asyncio import Redis

logger = logging.getLogger(__name__)

FIRST_BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 2.0


class Subscription:
    """Calls `on_message(channel, data)` for every message on `channels`, for as long as `run` runs.

    Pub/sub loses what is published while it reconnects: `on_resubscribed` is called after a
    lost connection is back, so the owner can make up for what it may have missed.
    """

    def __init__(
        self,
        redis: Redis,
        channels: tuple[str, ...],
        on_message: Callable[[str, bytes], None],
        on_resubscribed: Callable[[], None] = lambda: None,
    ) -> None:
        self._redis = redis
        self._channels = channels
        self._on_message = on_message
        self._on_resubscribed = on_resubscribed
        self.subscribed = asyncio.Event()

    async def run(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        lost = False
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*self._channels)
                if lost:
                    self._on_resubscribed()
                self.subscribed.set()
                backoff, lost = FIRST_BACKOFF_SECONDS, False
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._on_message(message["channel"].decode(), message["data"])
            except Exception as error:  # the process's one listener must outlive any failure
                self.subscribed.clear()
                lost = True
                logger.warning(
                    "pub/sub on %s lost (%s); reconnecting in %.1fs",
                    ", ".join(self._channels),
                    error,
                    backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        await self._redis.aclose()
