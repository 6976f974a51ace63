"""Deltas coalesced per answer and written many answers at a time, against a real Redis."""

import asyncio
from collections.abc import Sequence

import pytest
from redis.asyncio import Redis

from core.catalog import ModelSpec
from core.eventlog import AttemptLog, EventLog, Events
from core.events import EventType
from worker.deltas import DeltaBatcher, DeltaWriter
from worker.prompt import Prompt
from worker.run import AnswerRun, Attempt, Fenced

INTERVAL = 0.02


class CountingLog(EventLog):
    """The real event log, counting its batched round trips."""

    round_trips = 0

    async def append_batch(
        self, appends: Sequence[tuple[AttemptLog, Events]], final: bool = False
    ) -> list[str | None]:
        self.round_trips += 1
        return await super().append_batch(appends, final)


def start(batcher: DeltaBatcher, log: EventLog, message_id: str, attempt: int = 1) -> DeltaWriter:
    planned = Attempt(message_id, attempt, ModelSpec(id="m"), 64, Prompt([], 0), None)
    return batcher.writer(AnswerRun(planned, log.for_attempt(message_id, attempt)))


async def deltas(log: EventLog, message_id: str) -> list[str]:
    return [e.json()["text"] for e in await log.read(message_id, "0") if e.type == EventType.delta]


async def test_a_burst_of_deltas_is_coalesced_into_few_writes(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m1", 1)
    writer = start(DeltaBatcher(log, INTERVAL), log, "m1")
    pieces = [f"p{i} " for i in range(200)]
    for piece in pieces:
        writer.add(EventType.delta, {"text": piece})
        await asyncio.sleep(0)
    await writer.close()
    written = await deltas(log, "m1")
    assert "".join(written) == "".join(pieces)
    assert len(written) <= 3


async def test_deltas_at_a_models_pace_are_written_at_once(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m2", 1)
    writer = start(DeltaBatcher(log, INTERVAL), log, "m2")
    for piece in ["a", "b", "c", "d"]:
        writer.add(EventType.delta, {"text": piece})
        await asyncio.sleep(INTERVAL * 2.5)
        # Already in the log, without waiting for a batch: the leading edge is not delayed.
        assert (await deltas(log, "m2"))[-1] == piece
    await writer.close()
    assert await deltas(log, "m2") == ["a", "b", "c", "d"]


async def test_a_burst_is_held_at_most_one_interval(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m3", 1)
    writer = start(DeltaBatcher(log, 0.2), log, "m3")
    writer.add(EventType.delta, {"text": "first"})
    await asyncio.sleep(0.05)
    writer.add(EventType.delta, {"text": "second"})
    writer.add(EventType.delta, {"text": "third"})
    assert await deltas(log, "m3") == ["first"]
    await asyncio.sleep(0.3)
    assert await deltas(log, "m3") == ["first", "secondthird"]
    await writer.close()


async def test_a_fenced_writer_raises_on_close(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("m4", 1)
    writer = start(DeltaBatcher(log, INTERVAL), log, "m4")
    assert await log.begin("m4", 2)
    writer.add(EventType.delta, {"text": "stale"})
    with pytest.raises(Fenced):
        await writer.close()
    assert await deltas(log, "m4") == []


async def test_answers_due_together_share_one_round_trip(redis: Redis) -> None:
    log = CountingLog(redis, 60)
    batcher = DeltaBatcher(log, INTERVAL)
    writers = []
    for index in range(50):
        assert await log.begin(f"b{index}", 1)
        writers.append(start(batcher, log, f"b{index}"))
    for index, writer in enumerate(writers):
        writer.add(EventType.delta, {"text": f"text {index}"})
    for writer in writers:
        await writer.close()
    # The first answer's delta leaves at once; the other 49 gather while it is in flight.
    assert 1 <= log.round_trips <= 3
    for index in range(50):
        assert await deltas(log, f"b{index}") == [f"text {index}"]


async def test_a_fenced_answer_fails_alone_and_its_neighbours_keep_writing(redis: Redis) -> None:
    log = EventLog(redis, 60)
    batcher = DeltaBatcher(log, INTERVAL)
    for name in ("f1", "f2"):
        assert await log.begin(name, 1)
    stale, live = start(batcher, log, "f1"), start(batcher, log, "f2")
    assert await log.begin("f1", 2)
    stale.add(EventType.delta, {"text": "stale"})
    live.add(EventType.delta, {"text": "live"})
    with pytest.raises(Fenced):
        await asyncio.wait_for(stale.run.halted, 5)
    live.add(EventType.delta, {"text": " on"})
    await live.close()
    assert await deltas(log, "f1") == []
    assert "".join(await deltas(log, "f2")) == "live on"


async def test_reasoning_text_and_tool_calls_are_coalesced_each_in_its_kind(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("k1", 1)
    writer = start(DeltaBatcher(log, 0.2), log, "k1")
    writer.add(EventType.reasoning, {"text": "thinking"})  # written at once: the leading edge
    await asyncio.sleep(0.05)
    writer.add(EventType.reasoning, {"text": " more"})
    writer.add(EventType.delta, {"text": "Calling"})
    writer.add(EventType.delta, {"text": " now."})
    writer.add(EventType.tool_call, {"index": 0, "id": "c1", "name": "f", "arguments": '{"a"'})
    writer.add(EventType.tool_call, {"index": 0, "arguments": ":1}"})
    writer.add(EventType.tool_call, {"index": 1, "id": "c2", "name": "g", "arguments": ""})
    writer.add(EventType.tool_call, {"index": 1, "arguments": "{}"})
    await writer.close()
    events = [(e.type, e.json()) for e in await log.read("k1", "0")]
    assert events == [
        (EventType.reasoning, {"text": "thinking"}),
        (EventType.reasoning, {"text": " more"}),
        (EventType.delta, {"text": "Calling now."}),
        (EventType.tool_call, {"index": 0, "id": "c1", "name": "f", "arguments": '{"a":1}'}),
        (EventType.tool_call, {"index": 1, "id": "c2", "name": "g", "arguments": "{}"}),
    ]
