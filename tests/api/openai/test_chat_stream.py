"""An answer's log as Chat Completions chunks: a worker's restart ends a stream that has text, a
repaired log (a failover lost its newest entries) goes on with what the client lacks."""

import json
from collections.abc import AsyncIterator
from typing import Any

from api.openai.chat_stream import chunks
from core.events import Event, EventType, dumps


async def batches(*entries: tuple[EventType, Any]) -> AsyncIterator[list[Event]]:
    yield [Event(f"{i + 1}-0", kind, dumps(data)) for i, (kind, data) in enumerate(entries)]


async def read(*entries: tuple[EventType, Any]) -> list[dict[str, Any]]:
    async def abandoned() -> None:
        raise AssertionError("a stream read to its end is not abandoned")

    frames = [frame async for frame in chunks(batches(*entries), "a1", "scripted", False, abandoned)]
    lines = [line for frame in frames for line in frame.decode().split("\n\n") if line]
    return [json.loads(line.removeprefix("data: ")) for line in lines if line != "data: [DONE]"]


def content(read_chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content", "") for c in read_chunks if c.get("choices"))


DONE = (EventType.done, {"content": "Hello, world", "finish_reason": "stop"})


async def test_a_repaired_log_sends_only_what_the_client_lacks() -> None:
    got = await read(
        (EventType.delta, {"text": "Hel"}),
        (EventType.reset, {"attempt": 1, "repair": True}),
        (EventType.delta, {"text": "Hello, world"}),
        DONE,
    )
    assert content(got) == "Hello, world"
    assert got[-1]["choices"][0]["finish_reason"] == "stop"


async def test_a_restart_after_text_ends_the_stream_with_an_interrupted_error() -> None:
    got = await read((EventType.delta, {"text": "old"}), (EventType.reset, {"attempt": 2}), DONE)
    assert content(got) == "old"
    assert got[-1]["error"]["code"] == "interrupted"


async def test_a_restart_before_any_text_is_invisible() -> None:
    got = await read((EventType.reset, {"attempt": 2}), (EventType.delta, {"text": "Hello, world"}), DONE)
    assert content(got) == "Hello, world"
    assert "error" not in got[-1]


async def test_reasoning_and_tool_calls_are_streamed_as_openais_deltas() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"city":"Oslo"}'}}
    got = await read(
        (EventType.reasoning, {"text": "Thinking"}),
        (EventType.tool_call, {"index": 0, "id": "c1", "name": "weather", "arguments": '{"ci'}),
        (EventType.tool_call, {"index": 0, "arguments": 'ty":"Oslo"}'}),
        (EventType.done, {"content": "", "tool_calls": [call], "finish_reason": "tool_calls"}),
    )
    deltas = [c["choices"][0]["delta"] for c in got]
    assert deltas[1] == {"reasoning_content": "Thinking"}
    assert deltas[2] == {
        "tool_calls": [
            {"index": 0, "id": "c1", "type": "function", "function": {"name": "weather", "arguments": '{"ci'}}
        ]
    }
    assert deltas[3] == {"tool_calls": [{"index": 0, "function": {"arguments": 'ty":"Oslo"}'}}]}
    assert got[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert content(got) == ""
