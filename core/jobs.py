"""Enqueueing an answer: shared by the API (on submit) and the worker (recovering lost jobs)."""

from arq.connections import ArqRedis

from core import keys

GENERATE = "generate"


async def enqueue_answer(redis: ArqRedis, message_id: str) -> bool:
    """Enqueue the answer's job (job id = message id, so at most one exists) and wake a worker.

    Returns False when the job is already queued or running.
    """
    job = await redis.enqueue_job(GENERATE, message_id, _job_id=message_id)
    if job is not None:
        await redis.publish(keys.WAKE_CHANNEL, message_id)
    return job is not None
