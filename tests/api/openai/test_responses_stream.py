"""The Responses stream's numbering: the same number for the same event on every read, resumes
that give exactly the rest, and a worker's restart seen only by a client that holds old text."""

import json
from datetime import UTC, datetime
from typing import Any

from api.openai.responses_stream import ResponseEvents
from api.streams.answer_stream import DATABASE_COPY_ID
from core.events import Event, EventType, dumps
from core.models import Role, Status
from core.schemas import MessageRead

ANSWER_ID = "0190a0a0-0000-7000-8000-000000000001"
PARAMS = {"instructions": "Be brief.", "response": {"background": True, "store": True, "metadata": {}}}


def answer(**fields: Any) -> MessageRead:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    row = {
        "id": ANSWER_ID,
        "conversation_id": "c",
        "parent_id": "q",
        "role": Role.assistant,
        "content": "",
        "status": Status.queued,
        "error": None,
        "error_code": None,
        "model": "scripted",
        "attempt": 0,
        "prompt_tokens": None,
        "completion_tokens": None,
        "cost_usd": None,
        "first_token_at": None,
        "finished_at": None,
        "finish_reason": None,
        "client_id": None,
        "pinned": False,
        "included_ids": None,
        "created_at": now,
        "updated_at": now,
    }
    return MessageRead.model_validate(row | fields)


def log(*entries: tuple[EventType, Any]) -> list[Event]:
    return [Event(f"{i + 1}-0", kind, dumps(data)) for i, (kind, data) in enumerate(entries)]


def done(content: str, **fields: Any) -> tuple[EventType, Any]:
    final = answer(content=content, status=Status.complete, prompt_tokens=5, completion_tokens=3, **fields)
    return EventType.done, final.model_dump(mode="json")


def read(events: list[Event], after: int = -1, attempt: int = 0) -> list[dict[str, Any]]:
    """What a client that has every event up to `after` gets, decoded."""
    translator = ResponseEvents(answer(), PARAMS, after, attempt)
    written = translator.opening()
    for event in events:
        if translator.ended:
            break
        written += translator.feed(event)
    return [json.loads(frame.split("data: ", 1)[1]) for frame in written.decode().split("\n\n") if frame]


def text(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")


ONE_ATTEMPT = log(
    (EventType.delta, {"text": "Hel"}),
    (EventType.delta, {"text": "lo"}),
    (EventType.usage, {"prompt_tokens": 5, "completion_tokens": 3}),
    done("Hello"),
)


def test_a_whole_stream_is_openais_event_sequence_numbered_from_zero() -> None:
    events = read(ONE_ATTEMPT)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(10))
    assert events[0]["response"]["status"] == "queued"  # a background response
    assert events[-1]["response"]["status"] == "completed"
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "Hello"
    assert events[-1]["response"]["usage"]["total_tokens"] == 8
    assert events[-1]["response"]["instructions"] == "Be brief."


def test_every_resume_point_gives_exactly_the_rest() -> None:
    whole = read(ONE_ATTEMPT)
    for after in range(-1, len(whole)):
        assert read(ONE_ATTEMPT, after) == whole[after + 1 :]


RESTARTED = log(
    (EventType.delta, {"text": "old "}),
    (EventType.delta, {"text": "text"}),
    (EventType.reset, {"attempt": 2}),
    (EventType.delta, {"text": "new "}),
    (EventType.delta, {"text": "text"}),
    done("new text", attempt=2),
)


def test_a_restart_ends_the_stream_of_a_client_holding_old_text_with_an_error() -> None:
    live = read(RESTARTED, attempt=1)  # came while the first attempt ran: it got its text
    assert text(live) == "old text"
    assert live[-1]["type"] == "error"
    assert live[-1]["code"] == "interrupted"
    assert live[-1]["sequence_number"] == 6
    resumed = read(RESTARTED, after=5, attempt=2)  # dropped after the old text, back after the restart
    assert [e["type"] for e in resumed] == ["error"]


def test_a_restart_is_invisible_to_a_client_holding_no_text() -> None:
    fresh = read(RESTARTED, attempt=2)  # came after the restart
    assert text(fresh) == "new text"
    numbers = [e["sequence_number"] for e in fresh]
    # The dead text's numbers (its item's opening, its deltas, the reset) are kept free.
    assert numbers == [0, 1, 7, 8, 9, 10, 11, 12, 13, 14]
    assert fresh[-1]["type"] == "response.completed"
    # and its own resume points give exactly the rest, with the same numbers
    for cut in range(len(fresh)):
        assert read(RESTARTED, fresh[cut]["sequence_number"], attempt=2) == fresh[cut + 1 :]


def test_a_log_that_expired_is_replayed_from_the_database_as_one_delta() -> None:
    kind, data = done("Hello")
    events = read([Event(DATABASE_COPY_ID, kind, dumps(data))])
    assert text(events) == "Hello"
    assert events[-1]["type"] == "response.completed"


def test_a_failed_answer_ends_with_response_failed_carrying_its_error() -> None:
    failed = answer(status=Status.failed, error="The model is unavailable.", error_code="upstream")
    events = read(
        log(
            (
                EventType.error,
                {"code": "upstream", "message": "x", "message_obj": failed.model_dump(mode="json")},
            )
        )
    )
    assert events[-1]["type"] == "response.failed"
    assert events[-1]["response"]["error"] == {"code": "upstream", "message": "The model is unavailable."}


def test_a_stopped_answer_ends_incomplete_with_status_cancelled() -> None:
    stopped = answer(content="Hel", status=Status.stopped, prompt_tokens=5, completion_tokens=1)
    events = read(
        log((EventType.delta, {"text": "Hel"}), (EventType.stopped, stopped.model_dump(mode="json")))
    )
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["status"] == "cancelled"
    assert events[-2]["item"]["status"] == "incomplete"


REPAIRED = log(
    (EventType.delta, {"text": "Hel"}),
    (EventType.delta, {"text": "lo"}),
    (EventType.reset, {"attempt": 1, "repair": True}),  # a failover lost entries; the worker wrote all again
    (EventType.delta, {"text": "Hello, world"}),
    done("Hello, world", attempt=1),
)


def test_a_repaired_log_goes_on_seamlessly_for_a_client_holding_its_start() -> None:
    live = read(REPAIRED, attempt=1)
    assert text(live) == "Hello, world"
    assert live[-1]["type"] == "response.completed"
    fresh = read(REPAIRED, after=5, attempt=1)  # had "Hel" and "lo": gets the rest
    assert text(fresh) == ", world"


CALL = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}
THOUGHT_AND_CALLED = log(
    (EventType.reasoning, {"text": "The user wants "}),
    (EventType.reasoning, {"text": "the weather."}),
    (EventType.tool_call, {"index": 0, "id": "call_1", "name": "weather", "arguments": '{"ci'}),
    (EventType.tool_call, {"index": 0, "arguments": 'ty":"Oslo"}'}),
    (EventType.usage, {"prompt_tokens": 5, "completion_tokens": 3}),
    done("", reasoning="The user wants the weather.", tool_calls=[CALL], finish_reason="tool_calls"),
)


def test_reasoning_and_a_function_call_are_items_of_their_own_opened_as_they_come() -> None:
    events = read(THOUGHT_AND_CALLED)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_text.delta",
        "response.reasoning_text.delta",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.delta",
        "response.reasoning_text.done",
        "response.output_item.done",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    added = [e for e in events if e["type"] == "response.output_item.added"]
    assert [(e["output_index"], e["item"]["type"]) for e in added] == [(0, "reasoning"), (1, "function_call")]
    assert added[1]["item"] | {"arguments": None} == {
        "id": f"fc_{ANSWER_ID}_0",
        "type": "function_call",
        "status": "in_progress",
        "call_id": "call_1",
        "name": "weather",
        "arguments": None,
    }
    pieces = [e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"]
    assert "".join(pieces) == '{"city":"Oslo"}'
    assert all(e["output_index"] == 1 for e in events if "function_call" in e["type"])
    output = events[-1]["response"]["output"]
    assert [item["type"] for item in output] == ["reasoning", "function_call"]  # no empty message
    assert output[1]["arguments"] == '{"city":"Oslo"}'
    assert output[0]["content"] == [{"type": "reasoning_text", "text": "The user wants the weather."}]


def test_every_resume_point_of_a_function_call_gives_exactly_the_rest() -> None:
    whole = read(THOUGHT_AND_CALLED)
    for after in range(-1, len(whole)):
        assert read(THOUGHT_AND_CALLED, after) == whole[after + 1 :]


def test_a_restart_mid_call_is_invisible_to_a_client_that_came_after_it() -> None:
    restarted = log(
        (EventType.tool_call, {"index": 0, "id": "call_old", "name": "weather", "arguments": '{"ci'}),
        (EventType.reset, {"attempt": 2}),
        (
            EventType.tool_call,
            {"index": 0, "id": "call_1", "name": "weather", "arguments": '{"city":"Oslo"}'},
        ),
        done("", tool_calls=[CALL], attempt=2, finish_reason="tool_calls"),
    )
    fresh = read(restarted, attempt=2)
    added = [e for e in fresh if e["type"] == "response.output_item.added"]
    assert [e["item"]["call_id"] for e in added] == ["call_1"]  # once: the dead call is never seen
    assert added[0]["output_index"] == 0
    live = read(restarted, attempt=1)  # had the old call's start: it cannot take it back
    assert live[-1]["type"] == "error"


def test_a_log_that_expired_brings_its_function_calls_from_the_database() -> None:
    kind, data = done("", tool_calls=[CALL], finish_reason="tool_calls")
    events = read([Event(DATABASE_COPY_ID, kind, dumps(data))])
    pieces = [e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"]
    assert pieces == ['{"city":"Oslo"}']
    assert events[-1]["response"]["output"][0]["call_id"] == "call_1"
