"""ARQ's in-progress claim on a running job, kept short and renewed while the job runs."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core import keys
from core.tasks import cancel_and_wait

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def hold_claim(redis: Redis, job_id: str, ttl_seconds: float) -> AsyncIterator[None]:
    """Keep ARQ's in-progress claim on the job short and alive while the job runs.

    ARQ sets the claim to the job timeout and never refreshes it, so a killed worker's answer
    would wait that long. Here it lives `ttl_seconds` and is renewed every third of that:
    when the process dies, another worker takes the job over within about `ttl_seconds`.
    """
    key = keys.arq_in_progress(job_id)
    ttl_ms = int(ttl_seconds * 1000)

    async def renew() -> None:
        while True:
            try:
                await redis.set(key, b"1", px=ttl_ms)
            except RedisError as error:
                logger.warning("could not renew the claim on %s: %s", job_id, error)
            await asyncio.sleep(ttl_seconds / 3)

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        await cancel_and_wait(task)
