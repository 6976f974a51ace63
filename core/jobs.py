"""Enqueueing jobs: shared by the API (on submit) and the worker (recovering lost jobs, titles)."""

from arq.connections import ArqRedis

from core import keys
from core.ids import new_id

GENERATE = "generate"
TITLE = "make_title"


async def enqueue_answer(redis: ArqRedis, message_id: str) -> bool:
    """Enqueue the answer's job (job id = message id, so at most one exists) and wake a worker.

    Returns False when the job is already queued or running.
    """
    job = await redis.enqueue_job(GENERATE, message_id, _job_id=message_id)
    if job is not None:
        await redis.publish(keys.WAKE_CHANNEL, message_id)
    return job is not None


async def enqueue_title(redis: ArqRedis, conversation_id: str, *, regenerate: bool = False) -> bool:
    """Enqueue a title job for the conversation and wake a worker; False if one is queued already.

    The automatic job (after the first answer) has one id per conversation, so it never runs twice
    at once; each "regenerate" a person asks for is a job of its own.
    """
    job_id = f"title:{conversation_id}" + (f":{new_id()}" if regenerate else "")
    job = await redis.enqueue_job(TITLE, conversation_id, regenerate, _job_id=job_id)
    if job is not None:
        await redis.publish(keys.WAKE_CHANNEL, job_id)
    return job is not None
