"""Enqueueing jobs, in fair order: shared by the API (on submit) and the worker (recovery, titles).

One Lua call stores the job as ARQ's `enqueue_job` would (the same key, format and expiry), puts it
in the queue and wakes a worker: one round trip instead of ARQ's three (WATCH, EXISTS, MULTI/EXEC)
and a PUBLISH. Being atomic, it needs no WATCH to stay unique per job id.

The queue is ordered by start tags, not times (start-time fair queuing): a user's job starts one
turn after their previous one, and never before the turn of the latest job the workers started in
the queue's order (the clock, worker/claim.py). A user who sends 200 answers at once gets 200
turns; someone who sends one after them gets the current turn, ahead of every job waiting in a
later one. The tags
stay far below the time in milliseconds, so ARQ's workers see every job as due: with free slots,
any job starts at once.
"""

from datetime import UTC, datetime
from typing import Any

from arq.constants import expires_extra_ms
from arq.jobs import serialize_job as arq_job_bytes
from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys, metrics
from core.admission import admit
from core.limits import Limits
from core.redis import serialize_job

GENERATE = "generate"
TITLE = "make_title"
LIST_TOOLS = "list_mcp_tools"
INGEST = "ingest_file"
IMPORT = "import_conversations"
TURN = 1000
FAIR_TAGS_BELOW = 10**12
"""Tags stay below this; a score above it is a time (first-in, first-out mode)."""
"""How far one job moves its user's next tag."""

# KEYS: job, result, queue, owner, clock, the owner's next tag, the job's trace context.
# ARGV: job id, job bytes, expiry (ms), wake channel, owner ('' for none), 'fair' or 'fifo', now (ms),
# traceparent ('' for none).
_ENQUEUE = f"""
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
local score = tonumber(ARGV[7])
if ARGV[6] == 'fair' then
  score = tonumber(redis.call('GET', KEYS[5]) or '1')
  if ARGV[5] ~= '' then
    score = math.max(score, tonumber(redis.call('GET', KEYS[6]) or '0'))
    redis.call('SET', KEYS[6], score + {TURN}, 'PX', ARGV[3])
  end
end
if ARGV[5] ~= '' then redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[3]) end
if ARGV[8] ~= '' then redis.call('SET', KEYS[7], ARGV[8], 'PX', ARGV[3]) end
redis.call('PSETEX', KEYS[1], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[3], score, ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[1])
return 1
"""


async def _enqueue(
    redis: Redis,
    job_id: str,
    function: str,
    args: tuple[Any, ...],
    owner: str | None,
    fair: bool,
    traceparent: str | None = None,
) -> bool:
    """Queue the job and wake a worker; False when a job with this id exists already."""
    now = timestamp_ms()
    job = arq_job_bytes(function, args, {}, None, now, serializer=serialize_job)
    script = redis.register_script(_ENQUEUE)
    next_tag = keys.fair_next(owner) if owner else keys.FAIR_CLOCK
    job_keys = [keys.arq_job(job_id), keys.arq_result(job_id), keys.QUEUE, keys.owner(job_id)]
    job_keys += [keys.FAIR_CLOCK, next_tag, keys.trace(job_id)]
    mode = "fair" if fair else "fifo"
    job_args: list[str | bytes | int] = [
        job_id,
        job,
        expires_extra_ms,
        keys.WAKE_CHANNEL,
        owner or "",
        mode,
        now,
        traceparent or "",
    ]
    with metrics.timed(metrics.REDIS_SECONDS, "enqueue"):
        added = await script(keys=job_keys, args=job_args)
    return bool(added)


async def enqueue_answer(
    redis: Redis, answer_id: str, owner: str | None, *, fair: bool = True, traceparent: str | None = None
) -> bool:
    """Enqueue the answer's job (job id = answer id, so at most one exists), in its owner's
    turn (`fair`) or last, and wake a worker; `traceparent`, the start's trace context (traces
    on), is stored beside it (`keys.trace`). Returns False when the job is already queued or running.
    """
    return await _enqueue(redis, answer_id, GENERATE, (answer_id,), owner, fair, traceparent)


async def enqueue_title(
    redis: Redis,
    conversation_id: str,
    owner: str | None,
    limits: Limits,
    *,
    regenerate: bool = False,
    fair: bool = True,
) -> bool:
    """Enqueue a title job for the conversation and wake a worker: a job of its owner's, in their
    turn and within their limits (OverLimit otherwise), as an answer is. False when one is queued
    or running already: it is not asked for twice.

    The automatic job (after the first answer) and a person's "regenerate" have an id each per
    conversation, so neither runs twice at once."""
    job_id = f"title:{conversation_id}" + (":regenerate" if regenerate else "")
    if await redis.exists(keys.arq_job(job_id)):
        return False
    if owner:
        await admit(redis, owner, job_id, limits, datetime.now(UTC))
    return await _enqueue(redis, job_id, TITLE, (conversation_id, regenerate), owner, fair)


async def enqueue_tool_listing(redis: Redis, server_id: str) -> bool:
    """Ask a worker to connect to an MCP server and list its tools (an admin's request: no model
    runs, so no user's limits apply). One at a time per server; False when one is queued already."""
    return await _enqueue(redis, f"mcp:{server_id}", LIST_TOOLS, (server_id,), None, fair=True)


def ingestion_job_id(file_id: str) -> str:
    return f"file:{file_id}"


async def enqueue_ingestion(redis: Redis, file_id: str, owner: str, *, fair: bool = True) -> bool:
    """Ask a worker to read an uploaded file: a job of its owner's, in their turn. Its admission
    was taken before the upload was read (api/uploads.py), as an answer's is before its row."""
    return await _enqueue(redis, ingestion_job_id(file_id), INGEST, (file_id,), owner, fair)


def import_job_id(import_id: str) -> str:
    return f"import:{import_id}"


async def enqueue_import(redis: Redis, import_id: str, owner: str, *, fair: bool = True) -> bool:
    """Ask a worker to write a large import's conversations (core/imports/jobs.py holds them): a
    job of its owner's, in their turn. Its admission was taken by the API, as a file's is."""
    return await _enqueue(redis, import_job_id(import_id), IMPORT, (import_id,), owner, fair)
