"""Partial answers saved to the database now and then, every running answer of a worker at once."""

import asyncio
import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from core import keys
from core.db import Sessionmaker
from worker import answers
from worker.writer import Fenced

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class LiveAnswer:
    """An answer being streamed: its text so far, its Stop, and how it learns it was fenced out
    (`failed`: the future its DeltaWriter also fails, so one watch covers both)."""

    message_id: str
    attempt: int
    parts: list[str]
    included_ids: list[str] | None
    stop: asyncio.Event
    failed: asyncio.Future[None]
    saved_parts: int = -1  # the first checkpoint also records the prompt's included ids


class Checkpoints:
    """Every `interval`, one transaction saves the text of every answer that grew, and one MGET
    looks for Stops whose pub/sub message this worker missed.

    One transaction per worker a second rather than one per answer: hundreds of answers cost the
    database (and SQLite's single writer) one write a second, not hundreds.
    """

    def __init__(self, sessionmaker: Sessionmaker, redis: Redis, interval: float) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._interval = interval
        self._live: dict[LiveAnswer, None] = {}
        self._task: asyncio.Task[None] | None = None

    def track(self, answer: LiveAnswer) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        self._live[answer] = None

    def untrack(self, answer: LiveAnswer) -> None:
        self._live.pop(answer, None)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            live = list(self._live)
            if not live:
                continue
            try:
                await self._notice_stops(live)
                await self._save(live)
            except Exception as error:
                # A checkpoint is a convenience: the final save still comes, and the next one may work.
                logger.warning("checkpoint of %d answers failed: %r", len(live), error)

    async def _notice_stops(self, live: list[LiveAnswer]) -> None:
        flags = await self._redis.mget([keys.cancel(answer.message_id) for answer in live])
        for answer, flag in zip(live, flags, strict=True):
            if flag is not None:
                answer.stop.set()

    async def _save(self, live: list[LiveAnswer]) -> None:
        grown = [answer for answer in live if len(answer.parts) != answer.saved_parts]
        if not grown:
            return
        counts = [len(answer.parts) for answer in grown]
        rows = [
            (a.message_id, a.attempt, "".join(a.parts[:n]), a.included_ids)
            for a, n in zip(grown, counts, strict=True)
        ]
        fenced = await answers.save_contents(self._sessionmaker, rows)
        for answer, count in zip(grown, counts, strict=True):
            answer.saved_parts = count
            if answer.message_id in fenced and not answer.failed.done():
                answer.failed.set_exception(Fenced(answer.message_id))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
