"""A job import's state in Redis: its progress, which the API reads and the worker moves, and the
conversations it is to write, which the API stores and the worker takes.

The payload is the conversations already read and checked by the API (relaychat's export shape),
as zlib-compressed JSON: a file that cannot be imported is refused by the request itself, with
its sentence, and the job only writes. It lives in Redis rather than the FileStore, whose
database kind keeps bytes only under a file row (which would show as the user's file and count
in their storage): Redis expires it if no job ever runs, and it is bounded, by the import's body
limit (the conversations are smaller than the JSON they came from) and by one import at a time
per user.
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
_CONVERSATIONS = TypeAdapter(list[ConversationExport])


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


async def begin(redis: Redis, import_id: str, owner_id: str, total: int, payload: bytes) -> bool:
    """Record the import as the owner's running one, with its payload; False (nothing stored)
    when another import of theirs is still running (its job queued or under way)."""
    running = keys.import_running(owner_id)
    if not await redis.set(running, import_id, nx=True, ex=IMPORT_TTL_SECONDS):
        current: bytes | None = await redis.get(running)
        if current is None or await redis.exists(keys.arq_job(import_job_id(current.decode()))):
            return False
        # Its job is gone without ending it (an API that died before queueing it, a job timed
        # out): nothing runs, so this import may.
        await redis.set(running, import_id, ex=IMPORT_TTL_SECONDS)
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
    # Only this import's mark: it may have expired and been taken by a newer one.
    if await redis.get(keys.import_running(progress.owner_id)) == progress.import_id.encode():
        await redis.delete(keys.import_running(progress.owner_id))


async def withdraw(redis: Redis, import_id: str, owner_id: str) -> None:
    """An import whose job could not be queued: nothing of it kept."""
    await redis.delete(keys.import_progress(import_id), keys.import_payload(import_id))
    if await redis.get(keys.import_running(owner_id)) == import_id.encode():
        await redis.delete(keys.import_running(owner_id))
