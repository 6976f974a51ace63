import asyncio

import pytest
from redis.asyncio import Redis

from core.eventlog import EventLog
from core.events import EventType
from worker.writer import DeltaWriter, Fenced

INTERVAL = 0.02


async def deltas(log: EventLog, message_id: str) -> list[str]:
    return [e.json()["text"] for e in await log.read(message_id, "0") if e.type == EventType.delta]


async def test_a_burst_of_deltas_is_coalesced_into_few_writes(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m1", 1)
    writer = DeltaWriter(log.writer("m1", 1), INTERVAL)
    pieces = [f"p{i} " for i in range(200)]
    for piece in pieces:
        writer.add(piece)
        await asyncio.sleep(0)
    await writer.close()
    written = await deltas(log, "m1")
    assert "".join(written) == "".join(pieces)
    assert len(written) <= 3


async def test_deltas_at_a_models_pace_are_written_at_once(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m2", 1)
    writer = DeltaWriter(log.writer("m2", 1), INTERVAL)
    for piece in ["a", "b", "c", "d"]:
        writer.add(piece)
        await asyncio.sleep(INTERVAL * 2.5)
        # Already in the log, without waiting for a batch: the leading edge is not delayed.
        assert (await deltas(log, "m2"))[-1] == piece
    await writer.close()
    assert await deltas(log, "m2") == ["a", "b", "c", "d"]


async def test_a_burst_is_held_at_most_one_interval(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m3", 1)
    writer = DeltaWriter(log.writer("m3", 1), 0.2)
    writer.add("first")
    await asyncio.sleep(0.05)
    writer.add("second")
    writer.add("third")
    assert await deltas(log, "m3") == ["first"]
    await asyncio.sleep(0.3)
    assert await deltas(log, "m3") == ["first", "secondthird"]
    await writer.close()


async def test_a_fenced_writer_raises_on_close(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m4", 1)
    writer = DeltaWriter(log.writer("m4", 1), INTERVAL)
    assert await log.begin("m4", 2)
    writer.add("stale")
    with pytest.raises(Fenced):
        await writer.close()
    assert await deltas(log, "m4") == []
