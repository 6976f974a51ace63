"""Asking the worker that runs an answer to stop it."""

from redis.asyncio import Redis

from core import keys

# Long enough for any worker to notice at its next checkpoint; a finished answer deletes it.
STOP_TTL_SECONDS = 3600


async def request_stop(redis: Redis, answer_id: str) -> None:
    """Ask whichever worker runs the answer to stop it: a flag for checkpoints, a publish for speed."""
    await redis.set(keys.stop(answer_id), b"1", ex=STOP_TTL_SECONDS)
    await redis.publish(keys.STOP_CHANNEL, answer_id)
