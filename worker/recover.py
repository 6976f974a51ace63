"""The recovery sweep: unfinished answers whose job is gone are enqueued again."""

import asyncio
import logging
import random
from datetime import timedelta

from sqlmodel import col, select

from core.jobs import enqueue_answer
from core.models import Message, is_active_answer, utcnow
from worker.deps import WorkerDeps

logger = logging.getLogger(__name__)


async def recover_lost_jobs(deps: WorkerDeps) -> None:
    """Enqueue again every unfinished answer whose job is gone.

    That happens when an API process died between committing a message and enqueueing it, when
    Redis lost data, or when a job ended without finishing its message. ARQ's job id is the
    message id, so a job that still exists is never doubled.
    """
    # The grace period leaves the API time to enqueue what it has just committed.
    untouched_since = utcnow() - timedelta(seconds=deps.settings.recover_grace_seconds)
    async with deps.sessionmaker() as session:
        rows = await session.exec(
            select(Message.id).where(is_active_answer()).where(col(Message.updated_at) < untouched_since)
        )
        candidates = list(rows)
    for message_id in candidates:
        if await enqueue_answer(deps.redis, message_id):
            logger.warning("answer %s had no job; enqueued it again", message_id)


async def keep_recovering(deps: WorkerDeps) -> None:
    while True:
        # Jitter keeps a fleet of workers from sweeping in lockstep.
        await asyncio.sleep(deps.settings.recover_interval_seconds * random.uniform(0.5, 1.5))
        try:
            await recover_lost_jobs(deps)
        except Exception:
            logger.exception("recovery sweep failed; will try again")
