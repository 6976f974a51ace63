import asyncio
import contextlib
import logging
from collections.abc import Iterator

from redis.asyncio import Redis

from core import keys
from core.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

RESYNC = ""
"""Put in every queue after a lost connection or an overflow: changes may have been missed, so the
browser should read the list again."""

QUEUE_SIZE = 100


class UpdateFeed:
    """One pub/sub connection per API process, fanning conversation changes out to every browser
    that follows `GET /api/updates`; connections do not grow with the number of browsers."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._queues: set[asyncio.Queue[str]] = set()
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

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

    async def _run(self) -> None:
        backoff = 0.1
        lost = False
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(keys.UPDATES_CHANNEL)
                if lost:
                    self._dispatch(RESYNC)
                self.subscribed.set()
                backoff, lost = 0.1, False
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._dispatch(message["data"].decode())
            except Exception as error:  # the process's one listener must outlive any failure
                self.subscribed.clear()
                lost = True
                logger.warning("updates: pub/sub connection lost (%s); reconnecting in %.1fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        if self._task:
            await cancel_and_wait(self._task)
        with contextlib.suppress(Exception):
            await self._redis.aclose()
