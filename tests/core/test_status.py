"""The Status page's figures: per-minute counts and first-token histograms in real Redis, the
percentiles read from them, the queue's samples, and the workers' heartbeats."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis.asyncio import Redis

from core import heartbeats, keys, status
from core.models import Message, Role, Status
from core.status import BOUNDS_MS, FirstToken, bucket_of, percentile

NOW = 1_800_000_000.0  # a minute's start: 30,000,000 minutes after the epoch


def answer(state: Status, tokens: int = 0, seconds: float = 0.0, **fields: Any) -> Message:
    started = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    return Message(
        id="a1",
        conversation_id="c1",
        role=Role.assistant,
        status=state,
        completion_tokens=tokens,
        first_token_at=started if seconds else None,
        finished_at=started + timedelta(seconds=seconds) if seconds else None,
        **fields,
    )


async def record(redis: Redis, message: Message, first: FirstToken | None, at: float) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        status.record_end(pipe, message, first, now=at)
        await pipe.execute()


def test_a_time_falls_in_the_first_bucket_that_holds_it() -> None:
    assert bucket_of(0) == 0
    assert bucket_of(25) == 0
    assert bucket_of(26) == 1
    assert bucket_of(1000) == BOUNDS_MS.index(1000)
    assert bucket_of(10**7) == len(BOUNDS_MS)


def test_percentiles_interpolate_within_their_bucket() -> None:
    counts = [0] * (len(BOUNDS_MS) + 1)
    assert percentile(counts, 0.5) is None
    counts[BOUNDS_MS.index(1000)] = 10  # ten answers between 750 and 1000 ms
    assert percentile(counts, 0.5) == pytest.approx(875.0)
    assert percentile(counts, 0.95) == pytest.approx(987.5)
    counts[len(BOUNDS_MS)] = 90  # ninety past the last bound: p95 is the last bound
    assert percentile(counts, 0.95) == float(BOUNDS_MS[-1])
    assert percentile(counts, 0.05) == pytest.approx(875.0)


async def test_ends_count_by_minute_with_their_speed_and_first_token(redis: Redis) -> None:
    # This minute: two completed (100 tokens in 2 s, 50 in 0.5 s), one failed, one stopped.
    await record(redis, answer(Status.complete, 100, 2.0), FirstToken(0.04, 0.2), NOW + 1)
    await record(redis, answer(Status.complete, 50, 0.5), FirstToken(0.04, 0.9), NOW + 2)
    await record(redis, answer(Status.failed, error_code="upstream_error"), None, NOW + 3)
    await record(redis, answer(Status.stopped, 5, 1.0), FirstToken(None, 0.3), NOW + 4)
    # Two minutes before: one completed.
    await record(redis, answer(Status.complete, 10, 1.0), FirstToken(0.01, 0.01), NOW - 120)

    read = await status.read(redis, heartbeat_seconds=5.0, now=NOW + 30)
    assert len(read.minutes) == status.MINUTES
    this, before = read.minutes[-1], read.minutes[-3]
    assert this.minute == time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(NOW))
    assert (this.completed, this.failed, this.stopped) == (2, 1, 1)
    assert this.error_rate == 0.25
    assert this.tokens_per_second == pytest.approx(150 / 2.5)  # the stopped one's tokens do not count
    # First tokens: 240 ms (200-300) and 940 ms (750-1000); the stopped one's queue part unknown.
    assert this.first_token_p50_ms == pytest.approx(300.0)
    assert this.first_token_p95_ms == pytest.approx(750 + 250 * 0.9)
    assert this.queue_p50_ms == pytest.approx(37.5)  # both 40 ms: halfway into 25-50
    assert this.model_p50_ms is not None
    assert 200 < this.model_p50_ms <= 300  # 200, 300, 900 ms
    assert before.completed == 1
    assert before.first_token_p50_ms == pytest.approx(12.5)
    assert (read.minutes[-2].completed, read.minutes[-2].error_rate) == (0, None)
    assert (read.hour.completed, read.hour.failed, read.hour.stopped) == (3, 1, 1)
    assert read.hour.error_rate == 0.2
    assert read.hour.first_token_p50_ms == pytest.approx(250.0)  # 20, 240, 940 ms: rank 1.5

    # A minute's hash expires after about two hours.
    ttl = await redis.ttl(keys.status_minute(status.minute_of(NOW)))
    assert status.TTL_SECONDS - 10 < ttl <= status.TTL_SECONDS
    # An hour later, they have left the page.
    later = await status.read(redis, heartbeat_seconds=5.0, now=NOW + 3600)
    assert (later.hour.completed, later.hour.failed) == (0, 0)


async def test_one_pipeline_holds_an_answers_end(redis: Redis) -> None:
    """The worker sends the end with the Stop key's deletion: nothing but the pipeline's commands."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.delete(keys.stop("a1"))
        status.record_end(pipe, answer(Status.complete, 10, 1.0), FirstToken(0.01, 0.1), now=NOW)
        assert len(pipe.command_stack) == 1 + 1 + 2 + 3 + 1  # delete; outcome; speed; 3 histograms; ttl
        await pipe.execute()


async def test_the_queue_workers_and_admissions_now(redis: Redis) -> None:
    await redis.delete(
        keys.QUEUE, keys.WORKERS, keys.ADMITTED_USERS, keys.status_minute(status.minute_of(NOW))
    )
    await redis.zadd(keys.QUEUE, {f"job{n}": n for n in range(5)})
    await heartbeats.beat(redis, "host-a:11", slots=4, running=2, interval=5.0)
    await heartbeats.beat(redis, "host-b:22", slots=2, running=1, interval=5.0)
    await redis.sadd(keys.ADMITTED_USERS, "u1", "u2")  # type: ignore[misc]
    await redis.zadd(keys.admitted("u1"), {"a1": 1, "a2": 2})
    await redis.zadd(keys.admitted("u2"), {"a3": 3})

    # The sample keeps the minute's highest.
    assert await status.sample(redis, now=NOW) == (2, 3)
    await redis.zrem(keys.QUEUE, "job0", "job1")
    assert await status.sample(redis, now=NOW + 5) == (0, 3)

    read = await status.read(redis, heartbeat_seconds=5.0, now=time.time())
    assert (read.queued, read.running, read.admitted) == (0, 3, 3)
    assert [(w.id, w.host, w.pid, w.slots, w.running, w.stale) for w in read.workers] == [
        ("host-a:11", "host-a", 11, 4, 2, False),
        ("host-b:22", "host-b", 22, 2, 1, False),
    ]
    assert all(0 <= w.heartbeat_age_seconds < 5 for w in read.workers)
    # A worker that missed beats is flagged stale before it lapses.
    stale = await status.read(redis, heartbeat_seconds=5.0, now=time.time() + 11)
    assert all(w.stale for w in stale.workers)
    sampled = (await status.read(redis, heartbeat_seconds=5.0, now=NOW + 30)).minutes[-1]
    assert (sampled.queue_max, sampled.running_max) == (2, 3)

    lines = list(status.render(read))
    assert lines[0] == "queue: 0 waiting, 3 running, 3 admitted"
    assert any("host-a:11" in line for line in lines)
    await redis.delete(
        keys.QUEUE, keys.WORKERS, keys.ADMITTED_USERS, keys.admitted("u1"), keys.admitted("u2")
    )
    await heartbeats.forget(redis, "host-a:11")
    await heartbeats.forget(redis, "host-b:22")
