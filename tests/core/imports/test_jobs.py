"""A job import's running mark (core/imports/jobs.py) against a real redis-server: one import at a
time per user, taken and given back in one step each."""

import asyncio

from redis.asyncio import Redis

from core import keys
from core.imports import jobs
from core.imports.jobs import ImportStatus, Progress
from core.jobs import enqueue_import

OWNER = "owner-1"
PAYLOAD = jobs.pack([])


async def begin(redis: Redis, import_id: str, grace_seconds: float = jobs.MARK_GRACE_SECONDS) -> bool:
    return await jobs.begin(redis, import_id, OWNER, 0, PAYLOAD, grace_seconds)


async def holder(redis: Redis) -> str | None:
    mark: bytes | None = await redis.get(keys.import_running(OWNER))
    return mark.decode().split(" ")[0] if mark else None


async def test_a_second_import_cannot_take_the_mark_before_the_first_queues_its_job(redis: Redis) -> None:
    # Between the first request's begin and its enqueue its job key does not exist yet: the
    # second request took that for a dead import's mark and overwrote it, two imports running.
    assert await begin(redis, "imp-a")
    assert not await begin(redis, "imp-b")
    assert await holder(redis) == "imp-a"
    assert not await redis.exists(keys.import_payload("imp-b"), keys.import_progress("imp-b"))
    assert await enqueue_import(redis, "imp-a", OWNER)
    assert not await begin(redis, "imp-b", grace_seconds=0)  # its job queued: it runs, however old


async def test_requests_at_once_leave_one_import_running(redis: Redis) -> None:
    taken = await asyncio.gather(*(begin(redis, f"imp-{n}") for n in range(20)))
    assert sum(taken) == 1
    assert await holder(redis) == f"imp-{taken.index(True)}"


async def test_a_mark_past_its_grace_whose_job_is_gone_is_taken(redis: Redis) -> None:
    assert await begin(redis, "imp-orphan")  # its API died before queueing the job
    assert await begin(redis, "imp-next", grace_seconds=0)
    assert await holder(redis) == "imp-next"
    # A mark as older versions wrote it (the id alone) counts as old.
    await redis.set(keys.import_running(OWNER), "imp-old")
    assert await begin(redis, "imp-new")
    assert await holder(redis) == "imp-new"


async def test_ending_or_withdrawing_an_import_frees_only_its_own_mark(redis: Redis) -> None:
    assert await begin(redis, "imp-a")
    await jobs.withdraw(redis, "imp-other", OWNER)
    await jobs.end(redis, Progress("imp-other", OWNER, ImportStatus.running, 0, 0, None), ImportStatus.done)
    assert await holder(redis) == "imp-a"
    await redis.set(keys.import_running(OWNER), "imp-ab 1")  # an id the first is a prefix of
    await jobs.withdraw(redis, "imp-a", OWNER)
    assert await holder(redis) == "imp-ab"
    await redis.set(keys.import_running(OWNER), "imp-a 1")
    await jobs.end(redis, Progress("imp-a", OWNER, ImportStatus.running, 0, 0, None), ImportStatus.done)
    assert await holder(redis) is None
    assert await begin(redis, "imp-b")
    await jobs.withdraw(redis, "imp-b", OWNER)
    assert await holder(redis) is None
    assert not await redis.exists(keys.import_payload("imp-b"), keys.import_progress("imp-b"))
