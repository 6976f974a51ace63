"""The per-answer event log against a real redis-server: fencing, terminal events, reading, TTLs."""

import uuid

import pytest
from redis.asyncio import Redis

from core import keys
from core.eventlog import ACTIVE_LOG_TTL_SECONDS, EventLog
from core.events import Event, EventType

FINAL_TTL = 120  # far from the in-progress TTL, so the two cannot be confused


@pytest.fixture
def log(redis: Redis) -> EventLog:
    return EventLog(redis, FINAL_TTL)


@pytest.fixture
def mid() -> str:
    return str(uuid.uuid4())


def delta(text: str) -> tuple[EventType, dict[str, str]]:
    return EventType.delta, {"text": text}


async def entries(redis: Redis, message_id: str) -> int:
    return int(await redis.xlen(keys.log(message_id)))


async def test_begin_fences_out_older_attempts(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    assert await log.append(mid, 1, delta("one")) is not None

    assert await log.begin(mid, 2)

    assert not await log.begin(mid, 1), "an older attempt started again"
    assert await log.append(mid, 1, delta("zombie")) is None
    assert await log.append(mid, 2, delta("two")) is not None
    assert await log.begin(mid, 3)
    assert await log.append(mid, 2, delta("zombie")) is None
    texts = [e.json()["text"] for e in await log.read(mid, "0") if e.type == EventType.delta]
    assert texts == ["one", "two"]


async def test_first_attempt_appends_no_reset(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    assert await log.read(mid, "0") == []


async def test_begin_from_attempt_two_appends_a_reset_event(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    await log.append(mid, 1, delta("partial"))

    assert await log.begin(mid, 2)

    events = await log.read(mid, "0")
    assert [e.type for e in events] == [EventType.delta, EventType.reset]
    assert events[-1].json() == {"attempt": 2}

    assert await log.begin(mid, 3)
    last = (await log.read(mid, events[-1].id))[-1]
    assert (last.type, last.json()) == (EventType.reset, {"attempt": 3})


async def test_append_by_a_stale_attempt_returns_none_and_writes_nothing(
    log: EventLog, redis: Redis, mid: str
) -> None:
    assert await log.begin(mid, 1)
    await log.append(mid, 1, delta("a"))
    assert await log.begin(mid, 2)
    before = await entries(redis, mid)

    stale = await log.append(mid, 1, delta("b"), (EventType.done, {"content": "b"}), final=True)

    assert stale is None
    assert await entries(redis, mid) == before
    assert await log.final_id(mid) is None
    assert await log.append(mid, 2, delta("c")) is not None


async def test_nothing_is_appended_after_a_terminal_event(log: EventLog, redis: Redis, mid: str) -> None:
    assert await log.begin(mid, 1)
    await log.append(mid, 1, delta("Hello"))
    usage = (EventType.usage, {"prompt_tokens": 3, "completion_tokens": 1})
    final = await log.append(mid, 1, usage, (EventType.done, {"content": "Hello"}), final=True)
    assert final is not None
    assert await log.final_id(mid) == final
    length = await entries(redis, mid)

    assert await log.append(mid, 1, delta("late")) is None
    assert await log.append(mid, 1, (EventType.error, {"code": "x"}), final=True) is None
    assert await log.append(mid, 2, delta("newer attempt")) is None
    assert not await log.begin(mid, 2), "a new attempt started on a finished answer"

    assert await entries(redis, mid) == length
    events = await log.read(mid, "0")
    assert [e.type for e in events] == [EventType.delta, EventType.usage, EventType.done]
    assert events[-1].id == final
    assert events[-1].terminal
    assert await log.final_id(mid) == final


async def test_terminal_event_sets_the_final_ttl_on_log_and_state(
    log: EventLog, redis: Redis, mid: str
) -> None:
    assert await log.begin(mid, 1)
    await log.append(mid, 1, delta("Hello"))

    await log.append(mid, 1, (EventType.done, {"content": "Hello"}), final=True)

    for key in (keys.log(mid), keys.log_state(mid)):
        ttl = await redis.ttl(key)
        assert 0 < ttl <= FINAL_TTL, f"{key} has TTL {ttl}"


async def test_a_terminal_event_alone_finishes_a_log(log: EventLog, redis: Redis, mid: str) -> None:
    # An answer stopped before any worker began it: the API appends only the terminal event.
    final = await log.append(mid, 0, (EventType.stopped, {"content": ""}), final=True)
    assert final is not None
    assert await log.final_id(mid) == final
    assert 0 < await redis.ttl(keys.log(mid)) <= FINAL_TTL
    assert not await log.begin(mid, 1)
    assert await log.append(mid, 1, delta("late")) is None


async def test_read_after_is_exclusive_and_in_order(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    ids = []
    for n in range(12):
        entry_id = await log.append(mid, 1, delta(f"t{n}"))
        assert entry_id is not None
        ids.append(entry_id)

    everything = await log.read(mid, "0")
    assert [e.id for e in everything] == ids
    assert [e.json()["text"] for e in everything] == [f"t{n}" for n in range(12)]
    assert await log.read(mid, "0-0") == everything

    after_third = await log.read(mid, ids[2])
    assert [e.id for e in after_third] == ids[3:]
    assert after_third[0].json() == {"text": "t3"}
    assert await log.read(mid, ids[-1]) == []
    assert [e.id for e in await log.read(mid, ids[4], count=3)] == ids[5:8]


async def test_one_append_of_several_events_keeps_their_order(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    last = await log.append(mid, 1, delta("a"), delta("b"), delta("c"))

    events = await log.read(mid, "0")
    assert [e.json()["text"] for e in events] == ["a", "b", "c"]
    assert last == events[-1].id


async def test_begin_sets_the_in_progress_ttl(log: EventLog, redis: Redis, mid: str) -> None:
    assert await log.begin(mid, 2)  # a second attempt creates the log with its reset event

    for key in (keys.log(mid), keys.log_state(mid)):
        ttl = await redis.ttl(key)
        assert FINAL_TTL < ttl <= ACTIVE_LOG_TTL_SECONDS, f"{key} has TTL {ttl}"


async def test_log_of_a_first_attempt_in_progress_has_a_ttl(log: EventLog, redis: Redis, mid: str) -> None:
    """A log whose writer dies must expire, also when the first attempt created it with a delta."""
    assert await log.begin(mid, 1)
    assert await log.append(mid, 1, delta("Hel")) is not None
    assert await log.append(mid, 1, delta("lo")) is not None

    for key in (keys.log(mid), keys.log_state(mid)):
        ttl = await redis.ttl(key)
        assert 0 < ttl <= ACTIVE_LOG_TTL_SECONDS, f"{key} has TTL {ttl} (-1 means it never expires)"


async def test_a_resent_begin_is_accepted_once(log: EventLog, mid: str) -> None:
    # redis-py resends a command whose reply was lost: the run must not think itself fenced out,
    # and the log must not get a second reset.
    assert await log.begin(mid, 2)
    assert await log.begin(mid, 2)
    assert [e.type for e in await log.read(mid, "0")] == [EventType.reset]


async def test_a_resent_append_does_not_double_the_text(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    once = writer.call((delta("once"),), final=False)
    [first] = await log.send([once])
    assert first is not None
    assert await log.send([once]) == [first]
    assert await writer.append(delta(" more")) is not None
    texts = [e.json()["text"] for e in await log.read(mid, "0") if e.type == EventType.delta]
    assert texts == ["once", " more"]


async def test_a_resent_terminal_append_returns_its_id(log: EventLog, mid: str) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    assert await writer.append(delta("a")) is not None
    end = writer.call(((EventType.done, {"content": "a"}),), final=True)
    [final] = await log.send([end])
    assert final is not None
    assert await log.send([end]) == [final]
    assert [e.type for e in await log.read(mid, "0")].count(EventType.done) == 1


def shown(events: list[Event]) -> str:
    """What a reader shows: the deltas after the last reset."""
    text = ""
    for event in events:
        text = "" if event.type == EventType.reset else text + event.json().get("text", "")
    return text


async def test_a_log_that_lost_its_newest_entries_is_repaired_with_the_whole_text(
    log: EventLog, redis: Redis, mid: str
) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    assert await writer.append(delta("Hel")) is not None
    # A failover to a replica that had the log up to here: what follows is lost with the primary.
    snapshot = {key: await redis.dump(key) for key in (keys.log(mid), keys.log_state(mid))}
    assert await writer.append(delta("lo, ")) is not None
    for key, value in snapshot.items():
        await redis.restore(key, 0, value, replace=True)

    assert await writer.append(delta("world")) is not None
    events = await log.read(mid, "0")
    assert [e.type for e in events] == [EventType.delta, EventType.reset, EventType.delta]
    assert events[1].json() == {"attempt": 1, "repair": True}
    assert shown(events) == "Hello, world"
    assert await writer.append(delta("!")) is not None  # numbered on from the repair
    assert shown(await log.read(mid, "0")) == "Hello, world!"


async def test_a_log_lost_whole_is_written_again_with_its_end(log: EventLog, redis: Redis, mid: str) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    assert await writer.append(delta("all ")) is not None
    await redis.delete(keys.log(mid), keys.log_state(mid))

    assert await writer.append(delta("of it"), (EventType.done, {"content": "all of it"}), final=True)
    events = await log.read(mid, "0")
    assert [e.type for e in events] == [EventType.reset, EventType.delta, EventType.done]
    assert shown(events[:-1]) == "all of it"
    assert await log.final_id(mid) == events[-1].id


async def test_a_batch_of_appends_answers_each_as_append_would(log: EventLog, redis: Redis) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for mid in ids[:2]:
        assert await log.begin(mid, 1)
    assert await log.begin(ids[2], 2)
    outs = [
        log.for_attempt(ids[0], 1),
        log.for_attempt(ids[1], 1),
        log.for_attempt(ids[2], 1),
    ]  # the last is stale

    replies = await log.append_batch([(out, (delta(f"to {out.answer_id}"),)) for out in outs])

    assert replies[0] is not None
    assert replies[1] is not None
    assert replies[2] is None
    assert [e.json()["text"] for e in await log.read(ids[1], "0")] == [f"to {ids[1]}"]


async def test_a_batch_survives_redis_forgetting_the_script(log: EventLog, redis: Redis, mid: str) -> None:
    assert await log.begin(mid, 1)
    out = log.for_attempt(mid, 1)
    await redis.script_flush()  # as a restarted Redis has no scripts

    assert (await log.append_batch([(out, (delta("a"),))]))[0] is not None
    assert (await log.append_batch([(out, (delta("b"),))]))[0] is not None

    assert [e.json()["text"] for e in await log.read(mid, "0")] == ["a", "b"]


async def test_a_repaired_log_takes_the_next_writes_without_a_second_repair(
    log: EventLog, redis: Redis, mid: str
) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    assert await writer.append(delta("a")) is not None
    await redis.delete(keys.log(mid), keys.log_state(mid))  # its begin lost too: no attempt in the state
    assert await writer.append(delta("b")) is not None
    assert await writer.append(delta("c")) is not None
    events = await log.read(mid, "0")
    assert [e.type for e in events].count(EventType.reset) == 1
    assert shown(events) == "abc"


async def test_a_repair_writes_again_the_reasoning_and_tool_calls_the_log_lost(
    log: EventLog, redis: Redis, mid: str
) -> None:
    assert await log.begin(mid, 1)
    writer = log.for_attempt(mid, 1)
    assert await writer.append((EventType.reasoning, {"text": "Hm"})) is not None
    snapshot = {key: await redis.dump(key) for key in (keys.log(mid), keys.log_state(mid))}
    call = {"index": 0, "id": "c1", "name": "f", "arguments": '{"a"'}
    assert await writer.append((EventType.reasoning, {"text": "m."}), (EventType.tool_call, call)) is not None
    for key, value in snapshot.items():
        await redis.restore(key, 0, value, replace=True)

    assert await writer.append((EventType.tool_call, {"index": 0, "arguments": ":1}"})) is not None
    events = [(e.type, e.json()) for e in await log.read(mid, "0")]
    assert events == [
        (EventType.reasoning, {"text": "Hm"}),
        (EventType.reset, {"attempt": 1, "repair": True}),
        (EventType.reasoning, {"text": "Hmm."}),
        (EventType.tool_call, {"index": 0, "id": "c1", "name": "f", "arguments": '{"a":1}'}),
    ]
