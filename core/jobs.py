"""Enqueueing jobs: shared by the API (on submit) and the worker (recovering lost jobs, titles).

One Lua call stores the job as ARQ's `enqueue_job` would (the same key, format and expiry), puts it
in the queue and wakes a worker: one round trip instead of ARQ's three (WATCH, EXISTS, MULTI/EXEC)
and a PUBLISH. Being atomic, it needs no WATCH to stay unique per job id.
"""

from typing import Any

from arq.constants import expires_extra_ms
from arq.jobs import serialize_job as arq_job_bytes
from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys
from core.ids import new_id
from core.redis import serialize_job

GENERATE = "generate"
TITLE = "make_title"

# KEYS: job, result, queue. ARGV: job id, job bytes, score, expiry (ms), wake channel.
_ENQUEUE = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[4], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[1])
return 1
"""


async def _enqueue(redis: Redis, job_id: str, function: str, *args: Any) -> bool:
    """Queue the job and wake a worker; False when a job with this id exists already."""
    now = timestamp_ms()
    job = arq_job_bytes(function, args, {}, None, now, serializer=serialize_job)
    script = redis.register_script(_ENQUEUE)
    job_keys = [keys.arq_job(job_id), keys.arq_result(job_id), keys.QUEUE]
    added = await script(keys=job_keys, args=[job_id, job, now, expires_extra_ms, keys.WAKE_CHANNEL])
    return bool(added)


async def enqueue_answer(redis: Redis, message_id: str) -> bool:
    """Enqueue the answer's job (job id = message id, so at most one exists) and wake a worker.

    Returns False when the job is already queued or running.
    """
    return await _enqueue(redis, message_id, GENERATE, message_id)


async def enqueue_title(redis: Redis, conversation_id: str, *, regenerate: bool = False) -> bool:
    """Enqueue a title job for the conversation and wake a worker; False if one is queued already.

    The automatic job (after the first answer) has one id per conversation, so it never runs twice
    at once; each "regenerate" a person asks for is a job of its own.
    """
    job_id = f"title:{conversation_id}" + (f":{new_id()}" if regenerate else "")
    return await _enqueue(redis, job_id, TITLE, conversation_id, regenerate)
