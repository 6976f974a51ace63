"""Claiming jobs: a batch in one call, in the queue's order, within each owner's running limit;
the slot given back at the job's end (real Redis, no worker process)."""

import asyncio
import signal
from pathlib import Path

from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys
from core.jobs import TURN, enqueue_answer, enqueue_title
from core.limits import Limits
from tests.support.processes import RedisServer
from worker.claim import Claimed, claim, hold_claim, release

TTL = 10.0


def never() -> None:
    raise AssertionError("the claim was renewed in time, yet called lost")


async def queued(redis: Redis) -> list[bytes]:
    ids: list[bytes] = await redis.zrange(keys.QUEUE, 0, -1)
    return ids


async def test_a_batch_is_claimed_in_queue_order_up_to_the_free_slots(redis: Redis) -> None:
    for n in range(3):
        await enqueue_answer(redis, f"a{n}", "ann")
    await enqueue_answer(redis, "b0", "bob")
    claimed = await claim(redis, await queued(redis), free=2, ttl_seconds=TTL)
    assert claimed == [Claimed("a0", "ann"), Claimed("b0", "bob")]
    assert 0 < await redis.pttl(keys.arq_in_progress("a0")) <= TTL * 1000
    # The claimed stay queued (ARQ's way) but are skipped by the next claim.
    assert [c.job_id for c in await claim(redis, await queued(redis), free=5, ttl_seconds=TTL)] == [
        "a1",
        "a2",
    ]


async def test_an_owner_at_their_running_limit_is_skipped_and_others_start(redis: Redis) -> None:
    await redis.set(keys.running_limit("ann"), 2)
    for n in range(4):
        await enqueue_answer(redis, f"a{n}", "ann")
    await enqueue_answer(redis, "b0", "bob")
    await enqueue_title(redis, "c1", "cat", Limits())  # cat's: cat has no running limit
    claimed = await claim(redis, await queued(redis), free=10, ttl_seconds=TTL)
    assert sorted(c.job_id for c in claimed) == ["a0", "a1", "b0", "title:c1"]
    assert await redis.zcard(keys.running("ann")) == 2
    await release(redis, Claimed("a0", "ann"), ended=True)
    assert [c.job_id for c in await claim(redis, await queued(redis), free=10, ttl_seconds=TTL)] == ["a2"]


async def test_a_dead_workers_slot_counts_no_longer_than_its_claim(redis: Redis) -> None:
    await redis.set(keys.running_limit("ann"), 1)
    await enqueue_answer(redis, "a0", "ann")
    await enqueue_answer(redis, "a1", "ann")
    assert [c.job_id for c in await claim(redis, await queued(redis), free=1, ttl_seconds=TTL)] == ["a0"]
    # The worker running a0 is killed: its claim and its slot expire together.
    await redis.delete(keys.arq_in_progress("a0"))
    await redis.zadd(keys.running("ann"), {"a0": timestamp_ms() - 1})
    retaken = await claim(redis, await queued(redis), free=1, ttl_seconds=TTL)
    assert retaken == [Claimed("a0", "ann")]  # the older turn first: taken over before a1


async def test_releasing_gives_back_the_slot_and_at_the_end_the_admission(redis: Redis) -> None:
    await enqueue_answer(redis, "a0", "ann")
    await redis.zadd(keys.admitted("ann"), {"a0": timestamp_ms()})
    [claimed] = await claim(redis, await queued(redis), free=1, ttl_seconds=TTL)
    await release(redis, claimed, ended=False)  # a retry: still admitted, waiting again
    assert await redis.zcard(keys.running("ann")) == 0
    assert await redis.zcard(keys.admitted("ann")) == 1
    await release(redis, claimed, ended=True)
    assert await redis.zcard(keys.admitted("ann")) == 0
    assert await redis.get(keys.owner("a0")) is None


async def test_claims_in_queue_order_move_the_clock_and_a_woken_jobs_does_not(redis: Redis) -> None:
    for n in range(5):
        await enqueue_answer(redis, f"a{n}", "ann")
    await claim(redis, [b"a4"], free=1, ttl_seconds=TTL, in_order=False)  # out of turn, slots to spare
    assert await redis.get(keys.FAIR_CLOCK) is None
    await claim(redis, await queued(redis), free=2, ttl_seconds=TTL)  # a0, a1
    assert int(await redis.get(keys.FAIR_CLOCK)) == 1 + TURN
    await enqueue_answer(redis, "b0", "bob")  # ahead of a2 and a3, still waiting
    assert [c.job_id for c in await claim(redis, await queued(redis), free=1, ttl_seconds=TTL)] == ["b0"]


async def test_a_job_not_due_yet_or_gone_from_the_queue_is_not_claimed(redis: Redis) -> None:
    await redis.zadd(keys.QUEUE, {"later": timestamp_ms() + 60_000})
    assert await claim(redis, [b"later", b"gone"], free=2, ttl_seconds=TTL) == []


async def test_a_renewal_after_the_slot_was_given_back_does_not_take_it_again(redis: Redis) -> None:
    """Regression: a renewal between the job giving its slot back and the claim's end put the slot
    back, held until it expired: the owner's next answer waited, and the limits test saw a slot
    held after every answer had ended."""
    await enqueue_answer(redis, "a0", "ann")
    [claimed] = await claim(redis, await queued(redis), free=1, ttl_seconds=0.3)
    async with hold_claim(redis, claimed, ttl_seconds=0.3, on_lost=never):
        await release(redis, claimed, ended=True)
        await redis.delete(keys.arq_in_progress("a0"))  # as ARQ's finish_job does
        await asyncio.sleep(0.25)  # two renewals' turns
    assert await redis.zcard(keys.running("ann")) == 0
    assert not await redis.exists(keys.arq_in_progress("a0"))


async def test_a_running_jobs_claim_and_slot_are_renewed(redis: Redis) -> None:
    await enqueue_answer(redis, "a0", "ann")
    [claimed] = await claim(redis, await queued(redis), free=1, ttl_seconds=0.3)
    async with hold_claim(redis, claimed, ttl_seconds=0.3, on_lost=never):
        await asyncio.sleep(0.5)  # past the first TTL
        assert await redis.zscore(keys.running("ann"), "a0") > timestamp_ms()
        assert await redis.exists(keys.arq_in_progress("a0"))


async def test_a_claim_that_cannot_be_renewed_before_it_expires_is_lost(tmp_path: Path) -> None:
    """Regression: a worker cut off from Redis streamed its answer on to the end while another
    worker had taken it over, since a renewal waited for the socket's timeout and every retry."""
    server = RedisServer(tmp_path)
    redis = Redis.from_url(server.url, socket_timeout=30)
    try:
        await enqueue_answer(redis, "a0", "ann")
        [claimed] = await claim(redis, await queued(redis), free=1, ttl_seconds=0.6)
        lost = asyncio.Event()
        async with hold_claim(redis, claimed, ttl_seconds=0.6, on_lost=lost.set):
            await asyncio.sleep(0.5)  # renewed at least once
            assert not lost.is_set()
            server.popen.send_signal(signal.SIGSTOP)  # silent, as behind a partition
            paused = asyncio.get_running_loop().time()
            await asyncio.wait_for(lost.wait(), timeout=5)
            # Not before the last renewal's claim could have expired, and long before the socket's timeout.
            assert 0.2 < asyncio.get_running_loop().time() - paused < 3
    finally:
        server.popen.send_signal(signal.SIGCONT)
        await redis.aclose()
        server.stop()
