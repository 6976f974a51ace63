"""Partial answers saved to the database now and then, every running answer of a worker at once."""

import asyncio
import logging

from redis.asyncio import Redis

from core import keys, metrics
from core.db import Sessionmaker
from worker import answers
from worker.run import AnswerRun, Fenced

logger = logging.getLogger(__name__)


class Checkpoints:
    """Every `interval`, one transaction saves what every answer that grew said, and one MGET
    looks for Stops whose pub/sub message this worker missed.

    One transaction per worker a second rather than one per answer: hundreds of answers cost the
    database (and SQLite's single writer) one write a second, not hundreds.
    """

    def __init__(self, sessionmaker: Sessionmaker, redis: Redis, interval: float) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._interval = interval
        # Each run, with how many of its events were saved: -1 until its first checkpoint, which
        # also records the prompt's included ids and sources.
        self._live: dict[AnswerRun, int] = {}
        self._task: asyncio.Task[None] | None = None

    def track(self, run: AnswerRun) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        self._live[run] = -1

    def untrack(self, run: AnswerRun) -> None:
        self._live.pop(run, None)

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

    async def _notice_stops(self, live: list[AnswerRun]) -> None:
        flags = await self._redis.mget([keys.stop(run.answer_id) for run in live])
        for run, flag in zip(live, flags, strict=True):
            if flag is not None:
                run.stop.set()

    async def _save(self, live: list[AnswerRun]) -> None:
        grown = [run for run in live if run.said.size != self._live.get(run)]
        if not grown:
            return
        # As they are now: the runs go on saying more while the transaction runs.
        counts = [run.said.size for run in grown]
        rows = [
            answers.Checkpoint(
                run.answer_id,
                run.attempt.number,
                run.said.text,
                run.attempt.prompt.included_ids,
                run.said.reasoning or None,
                None if run.attempt.tools else run.said.tool_calls(),  # a tool loop's are its steps
                run.attempt.prompt.sources,
            )
            for run in grown
        ]
        with metrics.timed(metrics.DATABASE_SECONDS, "checkpoint"):
            fenced = await answers.save_checkpoints(self._sessionmaker, rows)
        for run, count in zip(grown, counts, strict=True):
            if run in self._live:
                self._live[run] = count
            if run.answer_id in fenced:
                run.halt(Fenced(run.answer_id))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
