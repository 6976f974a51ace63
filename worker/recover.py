"""The recovery sweep: unfinished answers whose job is gone are enqueued again, admissions that
nothing will end are dropped, and after Redis lost data, finished answers get back their end."""

import asyncio
import logging
import random
from datetime import timedelta

from arq.utils import timestamp_ms
from redis.asyncio import Redis
from sqlmodel import col, select

from core import keys
from core.endings import end_from_row
from core.jobs import enqueue_answer
from core.models import FINAL_STATUSES, Conversation, Message, Role, is_active_answer, utcnow
from worker.deps import WorkerDeps

logger = logging.getLogger(__name__)

# KEYS: the user's admissions, the set of users with admissions. ARGV: the user. Atomic, so an
# admission made meanwhile keeps its user in the set.
_FORGET_IF_EMPTY = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
"""


async def recover_lost_jobs(deps: WorkerDeps) -> None:
    """Enqueue again every unfinished answer whose job is gone.

    That happens when an API process died between committing a message and enqueueing it, when
    Redis lost data, or when a job ended without finishing its message. ARQ's job id is the
    answer id, so a job that still exists is never doubled.
    """
    # The grace period leaves the API time to enqueue what it has just committed.
    untouched_since = utcnow() - timedelta(seconds=deps.settings.recover_grace_seconds)
    async with deps.sessionmaker() as session:
        rows = await session.exec(
            select(Message.id, Conversation.owner_id)
            .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
            .where(is_active_answer())
            .where(col(Message.updated_at) < untouched_since)
        )
        candidates = list(rows)
    for answer_id, owner in candidates:
        if await enqueue_answer(deps.redis, answer_id, owner, fair=deps.settings.fair_dispatch):
            logger.warning("answer %s had no job; enqueued it again", answer_id)


async def drop_stale_admissions(deps: WorkerDeps) -> None:
    """Drop admissions whose answer is not running or waiting in the database.

    An admission is given back when its job ends; one is left behind when an API process died
    between admitting an answer and storing it, or a worker between ending an answer and giving
    its admission back. Only admissions older than the grace period are looked at: a newer one
    may be an answer whose transaction has not committed yet.
    """
    admitted_before = timestamp_ms() - int(deps.settings.recover_grace_seconds * 1000)
    users: set[bytes] = await deps.redis.smembers(keys.ADMITTED_USERS)  # type: ignore[misc]
    for user in users:
        user_id = user.decode()
        key = keys.admitted(user_id)
        old = [member.decode() for member in await deps.redis.zrangebyscore(key, "-inf", admitted_before)]
        if not old:
            forget_if_empty = deps.redis.register_script(_FORGET_IF_EMPTY)
            await forget_if_empty(keys=[key, keys.ADMITTED_USERS], args=[user_id])
            continue
        async with deps.sessionmaker() as session:
            rows = await session.exec(select(Message.id).where(col(Message.id).in_(old), is_active_answer()))
            active = set(rows)
        if stale := [answer_id for answer_id in old if answer_id not in active]:
            await deps.redis.zrem(key, *stale)
            logger.warning("dropped %d admissions of %s that nothing would end", len(stale), user_id)


async def end_lost_endings(deps: WorkerDeps) -> None:
    """Append the end of every answer that finished in the database while its log is still kept,
    but whose log has no end: the end was written to a Redis that lost it (a failover to a replica
    that had not received it, a restart without persistence). Its readers were waiting for it."""
    since = utcnow() - timedelta(seconds=deps.settings.log_ttl_seconds)
    async with deps.sessionmaker() as session:
        finished = list(
            await session.exec(
                select(Message).where(
                    Message.role == Role.assistant,
                    col(Message.status).in_(FINAL_STATUSES),
                    col(Message.finished_at) >= since,
                )
            )
        )
    async with deps.redis.pipeline(transaction=False) as pipe:
        for message in finished:
            pipe.hget(keys.log_state(message.id), "final")
        ends = await pipe.execute()
    lost = [message for message, end in zip(finished, ends, strict=True) if end is None]
    for message in lost:
        await end_from_row(deps.log, message)
    if lost:
        logger.warning("appended the lost end of %d finished answers", len(lost))


async def _server_id(redis: Redis) -> str:
    """Which Redis server answers: another one after a failover or a restart."""
    info = await redis.info("server")
    return str(info["run_id"])


async def keep_recovering(deps: WorkerDeps) -> None:
    server = await _server_id(deps.redis)
    while True:
        # Jitter keeps a fleet of workers from sweeping in lockstep.
        await asyncio.sleep(deps.settings.recover_interval_seconds * random.uniform(0.5, 1.5))
        try:
            if (now_serving := await _server_id(deps.redis)) != server:
                logger.warning("Redis is another server now (a failover or a restart): it may have lost data")
                await end_lost_endings(deps)
                server = now_serving
            await recover_lost_jobs(deps)
            await drop_stale_admissions(deps)
        except Exception:
            logger.exception("recovery sweep failed; will try again")
