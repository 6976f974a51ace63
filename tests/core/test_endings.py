"""Every terminal event is made in one place and appended by one of three writers (real Redis)."""

from typing import Any

from redis.asyncio import Redis

from core.answer_text import REASONING, TextReader
from core.endings import DELETED_CODE, end_attempt, end_deleted, end_from_row, said_by, terminal_event
from core.eventlog import EventLog
from core.events import EventType
from core.models import Message, Role, Status


def answer(status: Status, attempt: int = 1, **fields: Any) -> Message:
    return Message(
        id="a1", conversation_id="c1", role=Role.assistant, status=status, attempt=attempt, **fields
    )


def test_each_final_status_has_its_event_and_every_event_carries_the_message() -> None:
    done_type, done = terminal_event(answer(Status.complete, content="all"))
    stopped_type, stopped = terminal_event(answer(Status.stopped, content="part"))
    error_type, error = terminal_event(
        answer(Status.failed, content="p", error="The model failed.", error_code="upstream_error")
    )
    assert (done_type, done["content"], done["status"]) == (EventType.done, "all", "complete")
    assert (stopped_type, stopped["content"]) == (EventType.stopped, "part")
    assert error_type == EventType.error
    assert error["code"] == "upstream_error"
    assert error["message"] == "The model failed."
    assert error["message_obj"]["content"] == "p"
    assert error["message_obj"]["status"] == "failed"


def test_a_failure_without_a_sentence_still_reads_as_one() -> None:
    _, error = terminal_event(answer(Status.failed))
    assert (error["code"], error["message"]) == ("failed", "The answer failed.")


async def test_an_attempt_ends_with_usage_then_its_end(redis: Redis) -> None:
    log = EventLog(redis, 60)
    out = log.for_attempt("a1", 1)
    assert await out.begin()
    assert await end_attempt(out, answer(Status.complete, content="x", prompt_tokens=3, completion_tokens=1))
    events = await log.read("a1", "0")
    assert [e.type for e in events] == [EventType.usage, EventType.done]
    assert events[0].json() == {"prompt_tokens": 3, "completion_tokens": 1}


async def test_a_row_ends_a_log_only_for_its_own_attempt(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("a1", 2)
    await end_from_row(log, answer(Status.complete, attempt=1))  # a stale row: attempt 2 runs
    assert await log.final_id("a1") is None
    await end_from_row(log, answer(Status.complete, attempt=2))
    assert await log.final_id("a1") is not None


async def test_a_deletion_ends_the_log_whatever_attempt_runs_and_nothing_follows(redis: Redis) -> None:
    log = EventLog(redis, 60)
    assert await log.begin("a1", 7)
    await end_deleted(log, answer(Status.streaming, attempt=7, content="so far"))
    *_, event = await log.read("a1", "0")
    assert event.type == EventType.error
    data = event.json()
    assert data["code"] == DELETED_CODE
    assert data["message_obj"]["status"] == "failed"
    assert data["message_obj"]["content"] == "so far"
    assert await log.append("a1", 7, (EventType.delta, {"text": "late"})) is None


async def test_a_row_ends_a_log_that_lost_its_tail_with_all_it_says(redis: Redis) -> None:
    """Regression: after a Redis failover lost an answer's last deltas, its end was appended from
    the row without them, and a page opened then showed the answer cut short."""
    log = EventLog(redis, 60)
    assert await log.begin("a1", 1)
    await log.append("a1", 1, (EventType.delta, {"text": "w0 w1 "}))  # what the failover kept
    full = answer(Status.complete, content="w0 w1 w2 w3", reasoning="think")
    await end_from_row(log, full)
    reader = TextReader()
    text = reasoning = ""
    for event in await log.read("a1", "0"):
        data = event.json()
        if event.type == EventType.reset:
            reader.reset(data)
        elif event.type == EventType.delta:
            text += reader.delta(data["text"])
        elif event.type == EventType.reasoning:
            reasoning += reader.delta(data["text"], channel=REASONING)
    assert (text, reasoning) == ("w0 w1 w2 w3", "think")
    assert event.type == EventType.done


def test_a_rows_steps_are_said_as_calls_with_their_results() -> None:
    step = {"id": "c1", "name": "s.add", "arguments": "{}", "round": 0, "output": "2", "duration_ms": 3}
    under_way = {"id": "c2", "name": "s.slow", "arguments": "{}", "round": 0}
    said = said_by(answer(Status.stopped, content="x", tool_steps=[step, under_way]))
    assert [kind for kind, _ in said] == [
        EventType.delta,
        EventType.tool_call,
        EventType.tool_call,
        EventType.tool_result,
    ]
    assert said[-1][1] == {"index": 0, "id": "c1", "name": "s.add", "output": "2", "duration_ms": 3}
