"""Stopping an answer, whether a worker runs it or it still waits for one."""

import contextlib
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.endings import end_from_row
from core.eventlog import EventLog
from core.models import FINAL_STATUSES, Message, Status, utcnow
from core.stops import request_stop


async def stop_answer(session: AsyncSession, redis: Redis, log: EventLog, answer: Message) -> bool:
    """Stop the answer; True if it is final now (it had ended, or it was stopped here before any
    worker started it), False if the worker running it was asked to stop."""
    if answer.status in FINAL_STATUSES:
        return True
    # Not started yet: no worker to ask, so stop it here. The row update decides the race with a
    # worker starting it at this very moment.
    stopped_here = await session.exec(
        update(Message)
        .where(col(Message.id) == answer.id, col(Message.status) == Status.queued)
        .values(status=Status.stopped, updated_at=utcnow())
    )
    await session.commit()
    if stopped_here.rowcount:
        await session.refresh(answer)
        await end_from_row(log, answer)
        return True
    await request_stop(redis, answer.id)
    return False


def stop_if_abandoned(redis: Redis, answer_id: str) -> Callable[[], Awaitable[None]]:
    """What a stream whose client went away before the end calls: no one is there to read the
    answer, so its worker is asked to stop it (a Redis that does not answer leaves it running)."""

    async def stop() -> None:
        with contextlib.suppress(RedisError):
            await request_stop(redis, answer_id)

    return stop
