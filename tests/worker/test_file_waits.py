"""An answer's job that waits for its files (real Redis, no worker process): parked until its
latest time, woken in the current turn when a file's reading ends, due at once when the file was
read before it parked; a parked run is no try, and its claim goes."""

from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys
from core.jobs import enqueue_answer
from worker.claim import claim
from worker.file_waits import PARKED_SECONDS, park, unclaim, wake


async def score(redis: Redis, job_id: str) -> float:
    found = await redis.zscore(keys.QUEUE, job_id)
    assert found is not None
    return float(found)


async def test_a_parked_answer_waits_until_its_file_is_read_then_runs_in_the_current_turn(
    redis: Redis,
) -> None:
    await enqueue_answer(redis, "a1", "ann")
    [claimed] = await claim(redis, [b"a1"], free=1, ttl_seconds=10)
    await redis.set(keys.arq_retry("a1"), 1)  # ARQ counts the run as it starts it
    assert not await park(redis, "a1", ["f1", "f2"], fair=True)
    await unclaim(redis, claimed.job_id)
    assert not await redis.exists(keys.arq_in_progress("a1"))
    assert await redis.get(keys.arq_retry("a1")) == b"0"  # waiting is not a try
    parked = await score(redis, "a1")
    assert abs(parked - (timestamp_ms() + PARKED_SECONDS * 1000)) < 2000  # a time: not due yet
    assert await claim(redis, [b"a1"], free=1, ttl_seconds=10) == []

    await redis.set(keys.FAIR_CLOCK, 7000)
    assert await wake(redis, "f1", fair=True) == 1
    assert await score(redis, "a1") == 7000  # the current turn: due at once
    assert not await redis.exists(keys.file_waiters("f1"))
    assert await redis.sismember(keys.file_waiters("f2"), "a1")  # type: ignore[misc]  # still waited for
    assert [c.job_id for c in await claim(redis, [b"a1"], free=1, ttl_seconds=10)] == ["a1"]


async def test_a_file_read_before_the_job_parks_makes_it_due_at_once(redis: Redis) -> None:
    await enqueue_answer(redis, "a2", "ann", fair=False)
    assert await wake(redis, "f3", fair=False) == 0  # read while the job looked: nobody waited yet
    before = timestamp_ms()
    assert await park(redis, "a2", ["f3"], fair=False)
    assert before <= await score(redis, "a2") <= timestamp_ms()


async def test_a_wake_leaves_answers_no_longer_queued_alone(redis: Redis) -> None:
    await enqueue_answer(redis, "a3", "ann")
    await park(redis, "a3", ["f4"], fair=True)
    await redis.zrem(keys.QUEUE, "a3")  # ended meanwhile
    assert await wake(redis, "f4", fair=True) == 0
    assert await redis.zscore(keys.QUEUE, "a3") is None
