"""An answer's events as OpenAI's Chat Completions: the chunks of a stream, or the completion.

A restart or a repair of the log is read as core/answer_text.py says: a client holding text
that a restart takes back gets an error chunk (`interrupted`), and its stream ends.
"""

import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import anyio

from api.openai.chat_schemas import AssistantMessage, ChatCompletion, Choice, Usage
from core.answer_text import REASONING, TextReader
from core.events import Event, EventType

INTERRUPTED = "The answer was interrupted and started again; its stored text is the new one."


def _data(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def _error(message: str, code: str) -> bytes:
    return _data({"error": {"message": message, "type": "server_error", "param": None, "code": code}})


def final_message(event: Event) -> dict[str, Any]:
    """The stored answer a terminal event carries."""
    data: dict[str, Any] = event.json()
    return data.get("message_obj", data) if event.type == EventType.error else data


def _usage(message: dict[str, Any]) -> Usage:
    prompt, completion = message.get("prompt_tokens") or 0, message.get("completion_tokens") or 0
    details = {"reasoning_tokens": message.get("reasoning_tokens") or 0}
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        completion_tokens_details=details,
    )


def tool_call_delta(fragment: dict[str, Any]) -> dict[str, Any]:
    """A tool call's fragment as a chunk's `delta.tool_calls` entry: its id, type and name the first
    time, then pieces of its arguments, as OpenAI streams them."""
    if "id" not in fragment:
        return {"index": fragment["index"], "function": {"arguments": fragment["arguments"]}}
    function = {"name": fragment["name"], "arguments": fragment["arguments"]}
    return {"index": fragment["index"], "id": fragment["id"], "type": "function", "function": function}


def _finish_reason(event: Event, message: dict[str, Any]) -> str:
    return "stop" if event.type == EventType.stopped else message.get("finish_reason") or "stop"


async def chunks(
    batches: AsyncIterator[list[Event]],
    answer_id: str,
    model: str,
    include_usage: bool,
    abandoned: Callable[[], Awaitable[None]],
) -> AsyncGenerator[bytes, None]:
    """The answer's stream as `chat.completion.chunk`s, then `[DONE]`. A client that goes away
    before the end calls `abandoned` (which stops the answer: no one is there to read it)."""
    head = {"id": f"chatcmpl-{answer_id}", "object": "chat.completion.chunk", "created": int(time.time())}
    head["model"] = model

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        return _data({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]})

    ended, reader = False, TextReader()
    try:
        yield chunk({"role": "assistant", "content": ""})
        async for batch in batches:
            for event in batch:
                if event.type == EventType.delta:
                    if text := reader.delta(event.json()["text"]):
                        yield chunk({"content": text})
                elif event.type == EventType.reasoning:
                    if text := reader.delta(event.json()["text"], channel=REASONING):
                        yield chunk({"reasoning_content": text})
                elif event.type == EventType.tool_call:
                    if fragment := reader.tool_call(event.json()):
                        yield chunk({"tool_calls": [tool_call_delta(fragment)]})
                elif event.type == EventType.reset:
                    if reader.reset(event.json()):
                        ended = True
                        yield _error(INTERRUPTED, "interrupted")
                        return
                elif event.type == EventType.error:
                    ended = True
                    failure = event.json()
                    yield _error(failure.get("message", "The answer failed."), failure.get("code", "failed"))
                    return
                elif event.terminal:
                    ended = True
                    message = final_message(event)
                    yield chunk({}, _finish_reason(event, message))
                    if include_usage:
                        yield _data({**head, "choices": [], "usage": _usage(message).model_dump()})
                    yield b"data: [DONE]\n\n"
                    return
    finally:
        if not ended:
            # Run even though the response is being cancelled (the client hung up), or it never would.
            with anyio.CancelScope(shield=True):
                await abandoned()


async def terminal(batches: AsyncIterator[list[Event]]) -> Event:
    """The answer's terminal event, once it has one."""
    async for batch in batches:
        if batch[-1].terminal:  # the relay ends every batch at a terminal event
            return batch[-1]
    raise RuntimeError("the answer's log ended without its terminal event")


async def completion(
    batches: AsyncIterator[list[Event]], answer_id: str, model: str
) -> ChatCompletion | Event:
    """The answer as one completion once it has ended; its error event if it failed."""
    event = await terminal(batches)
    if event.type == EventType.error:
        return event
    message = final_message(event)
    return ChatCompletion(
        id=f"chatcmpl-{answer_id}",
        created=int(time.time()),
        model=model,
        choices=[
            Choice(
                message=AssistantMessage(
                    # As OpenAI's: no text beside tool calls is null.
                    content=message.get("content") or (None if message.get("tool_calls") else ""),
                    reasoning_content=message.get("reasoning"),
                    tool_calls=message.get("tool_calls"),
                ),
                finish_reason=_finish_reason(event, message),
            )
        ],
        usage=_usage(message),
    )
