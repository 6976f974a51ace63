"""Workers' heartbeats in Redis: alive while the key lives, gone once it lapses (by Redis's clock)
or the worker says it stopped, and lapsed ids dropped by the next beat."""

import asyncio

from redis.asyncio import Redis

from core import heartbeats, keys


async def test_a_worker_is_alive_until_its_heartbeat_lapses(redis: Redis) -> None:
    await heartbeats.beat(redis, "host-a:1", slots=500, running=3, interval=0.1)
    await heartbeats.beat(redis, "host-b:2", slots=20, running=0, interval=10)
    alive = await heartbeats.alive(redis)
    assert [(beat.id, beat.slots, beat.running) for beat in alive] == [
        ("host-a:1", 500, 3),
        ("host-b:2", 20, 0),
    ]

    await asyncio.sleep(0.4)  # three beats of a: its key expired
    assert [beat.id for beat in await heartbeats.alive(redis)] == ["host-b:2"]
    assert await redis.sismember(keys.WORKERS, "host-a:1")  # type: ignore[misc]  # named still, until the next beat
    await heartbeats.beat(redis, "host-b:2", slots=20, running=1, interval=10)
    assert await redis.smembers(keys.WORKERS) == {b"host-b:2"}  # type: ignore[misc]


async def test_a_worker_that_stops_is_forgotten_at_once(redis: Redis) -> None:
    await heartbeats.beat(redis, "host-a:1", slots=1, running=0, interval=10)
    await heartbeats.forget(redis, "host-a:1")
    assert await heartbeats.alive(redis) == []
    assert not await redis.exists(keys.WORKERS, keys.worker("host-a:1"))
