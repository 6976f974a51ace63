"""The worker's one pub/sub subscription: wake-ups for new jobs, and Stops for running answers."""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from redis.asyncio import Redis

from core import keys
from core.pubsub import Subscription
from worker.run import AnswerRun

WakeHandler = Callable[[str], Coroutine[Any, Any, None]]


class Signals:
    """Pub/sub can miss a message while it reconnects; the ARQ poll (wake-ups) and the cancel key
    checked at each checkpoint (Stops) are the fallbacks, so a missed message only costs time."""

    def __init__(self, redis: Redis, on_wake: WakeHandler) -> None:
        self._on_wake = on_wake
        self._subscription = Subscription(redis, (keys.WAKE_CHANNEL, keys.STOP_CHANNEL), self._dispatch)
        self.subscribed = self._subscription.subscribed
        self._stops: dict[str, asyncio.Event] = {}
        self._wakes: set[asyncio.Task[None]] = set()

    @contextlib.contextmanager
    def watch_stop(self, run: AnswerRun) -> Iterator[None]:
        """While inside, a Stop published for the run's answer sets `run.stop`. Nested (a round
        inside the whole run's watch), only the outermost stops watching."""
        outermost = self._stops.get(run.answer_id) is not run.stop
        self._stops[run.answer_id] = run.stop
        try:
            yield
        finally:
            if outermost and self._stops.get(run.answer_id) is run.stop:
                del self._stops[run.answer_id]

    def _dispatch(self, channel: str, data: bytes) -> None:
        answer_id = data.decode()
        if channel == keys.STOP_CHANNEL:
            if stop := self._stops.get(answer_id):
                stop.set()
            return
        task = asyncio.create_task(self._on_wake(answer_id))
        self._wakes.add(task)
        task.add_done_callback(self._wakes.discard)

    async def run(self) -> None:
        await self._subscription.run()

    async def close(self) -> None:
        await self._subscription.close()
