"""Admission within a user's limits, counted in Redis (real redis-server, no processes)."""

import asyncio
from datetime import UTC, datetime

import pytest
from arq.utils import timestamp_ms
from redis.asyncio import Redis

from core import keys
from core.admission import OverLimit, admit, count_usage, withdraw
from core.limits import Limits

NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)


async def test_answers_are_admitted_up_to_the_waiting_limit_with_a_sentence_after(redis: Redis) -> None:
    limits = Limits(waiting_answers=2)
    await admit(redis, "ann", "m1", limits, NOW)
    await admit(redis, "ann", "m2", limits, NOW)
    with pytest.raises(OverLimit) as refused:
        await admit(redis, "ann", "m3", limits, NOW)
    assert refused.value.sentence == (
        "You have 2 answers waiting, your limit: wait for one to start, or stop one."
    )
    assert refused.value.retry_after_seconds > 0
    await admit(redis, "bob", "m4", limits, NOW)  # another user's own count
    await withdraw(redis, "ann", "m1")
    await admit(redis, "ann", "m3", limits, NOW)


async def test_running_answers_do_not_count_as_waiting(redis: Redis) -> None:
    limits = Limits(running_answers=4, waiting_answers=1)
    now = datetime.now(UTC)  # the claim's expiry below is a real time
    await admit(redis, "ann", "m1", limits, now)
    assert await redis.get(keys.running_limit("ann")) == b"4"
    await redis.zadd(keys.running("ann"), {"m1": timestamp_ms() + 10_000})  # a worker claimed it
    await admit(redis, "ann", "m2", limits, now)
    with pytest.raises(OverLimit) as refused:
        await admit(redis, "ann", "m3", limits, now)
    assert refused.value.sentence.startswith("You have 1 answer waiting, your limit")


async def test_of_fifty_racing_for_the_last_place_exactly_one_is_admitted(redis: Redis) -> None:
    limits = Limits(waiting_answers=5)
    for n in range(4):
        await admit(redis, "ann", f"held{n}", limits, NOW)
    clients = [
        Redis.from_url(f"redis://127.0.0.1:{redis.connection_pool.connection_kwargs['port']}")
        for _ in range(10)
    ]
    try:
        outcomes = await asyncio.gather(
            *(admit(clients[n % 10], "ann", f"race{n}", limits, NOW) for n in range(50)),
            return_exceptions=True,
        )
    finally:
        for client in clients:
            await client.aclose()
    assert sum(outcome is None for outcome in outcomes) == 1
    assert all(isinstance(outcome, OverLimit) for outcome in outcomes if outcome is not None)
    assert await redis.zcard(keys.admitted("ann")) == 5


async def test_tokens_per_day_refuse_until_midnight_utc(redis: Redis) -> None:
    limits = Limits(tokens_per_day=1000)
    await count_usage(redis, "ann", 999, 0.0, NOW)
    await admit(redis, "ann", "m1", limits, NOW)  # still under: the answer may take it over
    await count_usage(redis, "ann", 5, 0.0, NOW)
    with pytest.raises(OverLimit) as refused:
        await admit(redis, "ann", "m2", limits, NOW)
    assert refused.value.sentence == "You have used your 1,000 tokens for today; more from midnight UTC."
    assert refused.value.retry_after_seconds == 2 * 3600 + 1
    await admit(redis, "ann", "m3", limits, datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC))  # a new day


async def test_cost_per_month_refuses_until_the_first(redis: Redis) -> None:
    limits = Limits(cost_per_month_usd=2.5)
    await count_usage(redis, "ann", 10, 2.5, NOW)
    with pytest.raises(OverLimit) as refused:
        await admit(redis, "ann", "m1", limits, NOW)
    assert refused.value.sentence == "You have used your $2.50 for this month; more from the 1st (UTC)."
    assert refused.value.retry_after_seconds == 2 * 3600 + 1
    await admit(redis, "ann", "m2", Limits(), NOW)  # unlimited: always admitted


async def test_without_a_running_limit_none_is_kept(redis: Redis) -> None:
    await redis.set(keys.running_limit("ann"), 4)
    await admit(redis, "ann", "m1", Limits(), NOW)
    assert await redis.get(keys.running_limit("ann")) is None
