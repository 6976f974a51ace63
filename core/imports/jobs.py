"""A job import's state in Redis: its progress, which the API reads and the worker moves, and the
conversations it is to write, which the API stores and the worker takes.

The payload is the conversations already read and checked by the API (relaychat's export shape),
as zlib-compressed JSON: a file that cannot be imported is refused by the request itself, with
its sentence, and the job only writes. It lives in Redis rather than the FileStore, whose
database kind keeps bytes only under a file row (which would show as the user's file and count
in their storage): Redis expires it if no job ever runs, and it is bounded, by the import's body
limit (the conversations are smaller than the JSON they came from) and by one import at a time
per user.

One at a time is the owner's running mark, the import's id and when it was taken, checked and taken
in one script: a mark whose job is gone (an API that died before queueing it, a worker that lost
it) no longer blocks, but only once it is older than the moments between a request taking it and
queueing its job, or a second request could take it in between.
"""

import zlib
from dataclasses import dataclass
from enum import StrEnum

from pydantic import TypeAdapter
from redis.asyncio import Redis

from core import keys
from core.jobs import import_job_id
from core.transfer import ConversationExport

IMPORT_TTL_SECONDS = 86_400  # a day: the job may wait behind its owner's other jobs
# A running mark younger than this is its import's even with no job: it is being queued.
MARK_GRACE_SECONDS = 60.0
_CONVERSATIONS = TypeAdapter(list[ConversationExport])

# KEYS[1] the owner's running mark. ARGV: this import's id, the mark's time to live (s), the grace
# (ms), the ARQ job key of an import without its id. The mark is "<import id> <taken at, ms>" (a
# mark without a time, as older versions wrote, is old enough). 1 when taken, 0 when another import
# still holds it.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mark = redis.call('GET', KEYS[1])
if mark then
  local gap = string.find(mark, ' ', 1, true)
  local holder = gap and string.sub(mark, 1, gap - 1) or mark
  local since = gap and tonumber(string.sub(mark, gap + 1)) or 0
  if now - since < tonumber(ARGV[3]) or redis.call('EXISTS', ARGV[4] .. holder) == 1 then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. now, 'EX', ARGV[2])
return 1
"""

# KEYS[1] the owner's running mark; ARGV[1] an import's id: the mark deleted only when it is that
# import's (it may have expired and been taken by a newer one).
_RELEASE = """
local mark = redis.call('GET', KEYS[1])
if mark and (mark == ARGV[1] or string.sub(mark, 1, #ARGV[1] + 1) == ARGV[1] .. ' ') then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class ImportStatus(StrEnum):
    running = "running"
    done = "done"
    failed = "failed"


@dataclass(frozen=True, slots=True)
class Progress:
    import_id: str
    owner_id: str
    status: ImportStatus
    done: int  # conversations written
    total: int
    error: str | None


def pack(conversations: list[ConversationExport]) -> bytes:
    """Blocking: the conversations as the payload."""
    return zlib.compress(_CONVERSATIONS.dump_json(conversations), 1)


def unpack(payload: bytes) -> list[ConversationExport]:
    """Blocking: the payload's conversations."""
    return _CONVERSATIONS.validate_json(zlib.decompress(payload))


async def begin(
    redis: Redis,
    import_id: str,
    owner_id: str,
    total: int,
    payload: bytes,
    grace_seconds: float = MARK_GRACE_SECONDS,
) -> bool:
    """Record the import as the owner's running one, with its payload; False (nothing stored)
    when another import of theirs is still running: its job queued or under way, or its mark
    younger than `grace_seconds` (its job about to be queued)."""
    take = redis.register_script(_TAKE)
    job_prefix = keys.arq_job(import_job_id(""))
    taken = await take(
        keys=[keys.import_running(owner_id)],
        args=[import_id, IMPORT_TTL_SECONDS, round(grace_seconds * 1000), job_prefix],
    )
    if not taken:
        return False
    progress = {
        "owner": owner_id,
        "status": ImportStatus.running.value,
        "done": 0,
        "total": total,
        "error": "",
    }
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(keys.import_progress(import_id), mapping=progress)
        pipe.expire(keys.import_progress(import_id), IMPORT_TTL_SECONDS)
        pipe.set(keys.import_payload(import_id), payload, ex=IMPORT_TTL_SECONDS)
        await pipe.execute()
    return True


async def read(redis: Redis, import_id: str) -> Progress | None:
    fields: dict[bytes, bytes] = await redis.hgetall(keys.import_progress(import_id))  # type: ignore[misc]
    if not fields:
        return None
    text = {key.decode(): value.decode() for key, value in fields.items()}
    return Progress(
        import_id=import_id,
        owner_id=text["owner"],
        status=ImportStatus(text["status"]),
        done=int(text["done"]),
        total=int(text["total"]),
        error=text.get("error") or None,
    )


async def payload(redis: Redis, import_id: str) -> bytes | None:
    data: bytes | None = await redis.get(keys.import_payload(import_id))
    return data


async def will_write(redis: Redis, import_id: str, conversation_ids: list[str]) -> None:
    """Note the batch's conversations before they are committed: whatever ends the job early
    finds them to delete."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.sadd(keys.import_written(import_id), *conversation_ids)
        pipe.expire(keys.import_written(import_id), IMPORT_TTL_SECONDS)
        await pipe.execute()


async def written(redis: Redis, import_id: str) -> list[str]:
    members: set[bytes] = await redis.smembers(keys.import_written(import_id))  # type: ignore[misc]
    return sorted(member.decode() for member in members)


async def restart(redis: Redis, import_id: str) -> None:
    """A new run starts from nothing written (its earlier run's conversations deleted)."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.delete(keys.import_written(import_id))
        pipe.hset(keys.import_progress(import_id), "done", "0")
        await pipe.execute()


async def advance(redis: Redis, import_id: str, done: int) -> None:
    await redis.hset(keys.import_progress(import_id), "done", str(done))  # type: ignore[misc]


async def end(redis: Redis, progress: Progress, status: ImportStatus, error: str | None = None) -> None:
    """The import done or failed: its payload and the list of what it wrote forgotten, and the
    owner free to import again."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(
            keys.import_progress(progress.import_id), mapping={"status": status.value, "error": error or ""}
        )
        pipe.delete(keys.import_payload(progress.import_id), keys.import_written(progress.import_id))
        await pipe.execute()
    await _release(redis, progress.import_id, progress.owner_id)


async def withdraw(redis: Redis, import_id: str, owner_id: str) -> None:
    """An import whose job could not be queued: nothing of it kept."""
    await redis.delete(keys.import_progress(import_id), keys.import_payload(import_id))
    await _release(redis, import_id, owner_id)


async def _release(redis: Redis, import_id: str, owner_id: str) -> None:
    """The owner's running mark deleted if it is this import's, in one step."""
    await redis.register_script(_RELEASE)(keys=[keys.import_running(owner_id)], args=[import_id])
