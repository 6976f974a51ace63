"""An answer's log as the Responses API's stream: OpenAI's events, numbered so that a client can
resume after any of them (`starting_after`) and get exactly the rest.

The numbering is a function of the log alone: two opening events (0–1); for each event of what
the answer says, the opening of its output item the first time (the message, the reasoning, or
a function call, in the order they first appear) and one number for its delta; one number per
`reset` (a restart closes the attempt's items: the next attempt opens its own); then each item's
closing events and the response's. Every reader of the same log therefore gives every event the
same number, replayed or live, on any API process.

A restart or a repair of the log is read as core/answer_text.py says: a client holding anything
that a restart takes back gets an `error` event (`interrupted`), and its stream ends; one that
holds none of the old attempt's gets the new attempt's, the old skipped (its numbers kept). A
failover renumbers the lost events, so a resume across one may not line up.
"""

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import anyio

from api.openai.chat_stream import INTERRUPTED, final_message
from api.openai.response_objects import asked, function_call_item, item_status, response_body
from api.openai.responses_schemas import (
    CALL_PREFIX,
    OUTPUT_PREFIX,
    REASONING_PREFIX,
    ItemStatus,
    ResponseBody,
)
from api.streams.answer_stream import DATABASE_COPY_ID
from core.answer_text import REASONING, TEXT, TextReader
from core.events import SAID, Event, EventType
from core.schemas import FunctionCallRead, MessageRead, ToolCallRead

MESSAGE, THINKING = "message", "reasoning"  # the items' keys beside each call's `call:{index}`
DELTA_EVENTS = {
    EventType.delta: "response.output_text.delta",
    EventType.reasoning: "response.reasoning_text.delta",
    EventType.tool_call: "response.function_call_arguments.delta",
}


def _frame(event_type: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps({"type": event_type, **payload}, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event_type}\ndata: {data}\n\n".encode()


def _key(kind: EventType, data: dict[str, Any]) -> str:
    if kind == EventType.delta:
        return MESSAGE
    return THINKING if kind == EventType.reasoning else f"call:{data['index']}"


class ResponseEvents:
    """Turns one answer's log events into a client's Responses events after `after`.

    `attempt` is the answer's attempt when the client came: what any attempt before it said is
    dead, and a client that holds none of it never sees it.
    """

    def __init__(self, answer: MessageRead, params: dict[str, Any] | None, after: int, attempt: int) -> None:
        self._answer = answer
        self._params = params
        self._after = after
        self._reader = TextReader(since_attempt=attempt)
        self._seq = -1
        self._said = False  # whether the log said anything (else a database copy brings it)
        # The attempt's output items, by key, in the order they opened: their output_index.
        self._items: dict[str, int] = {}
        self.ended = False

    def _next(self, event_type: str, payload: dict[str, Any], emit: bool = True) -> bytes:
        """The next number, and its event if the client lacks it."""
        self._seq += 1
        if self._seq <= self._after or not emit:
            return b""
        return _frame(event_type, {"sequence_number": self._seq, **payload})

    def _response(self, answer: MessageRead) -> dict[str, Any]:
        body: ResponseBody = response_body(answer, self._params)
        return {"response": body.model_dump(mode="json")}

    def _item_id(self, key: str) -> str:
        if key == MESSAGE:
            return f"{OUTPUT_PREFIX}{self._answer.id}"
        if key == THINKING:
            return f"{REASONING_PREFIX}{self._answer.id}"
        return f"{CALL_PREFIX}{self._answer.id}_{key.split(':')[1]}"

    def _place(self, key: str) -> dict[str, Any]:
        place = {"item_id": self._item_id(key), "output_index": self._items[key]}
        return place if key.startswith("call:") else place | {"content_index": 0}

    def opening(self) -> bytes:
        """`response.created` and `response.in_progress`."""
        background = bool(asked(self._params).get("background"))
        queued = self._answer.model_copy(
            update={"status": "queued" if background else "streaming", "content": ""}
        )
        started = queued.model_copy(update={"status": "streaming"})
        return self._next("response.created", self._response(queued)) + self._next(
            "response.in_progress", self._response(started)
        )

    def feed(self, event: Event) -> bytes:
        if event.type == EventType.tool_result:
            return b""  # an app tool's result: the app's own answers, never a response's
        if event.type in SAID:
            self._said = True
            return self._say(event.type, event.json())
        if event.type == EventType.reset:
            return self._reset(event.json())
        if event.terminal:
            return self._end(event)
        return b""  # `usage`: the closing response carries it

    def _say(self, kind: EventType, data: dict[str, Any]) -> bytes:
        key = _key(kind, data)
        opening = key not in self._items
        if opening:
            self._items[key] = len(self._items)
        openings = self._openings(key, data) if opening else []
        # Whether the client had this event's delta (numbered after the item's opening) already.
        replayed = self._seq + len(openings) + 1 <= self._after
        if kind == EventType.tool_call:
            fragment = self._reader.tool_call(data, replayed=replayed)
            live, piece = fragment is not None, (fragment or {}).get("arguments", "")
        else:
            channel = TEXT if kind == EventType.delta else REASONING
            piece = self._reader.delta(data["text"], replayed=replayed, channel=channel)
            live = bool(piece)
        # An item the client never had the opening of is opened with its first delta; what is
        # dead (an attempt before the client came) is numbered, never sent.
        written = b"".join(self._next(name, payload, live) for name, payload in openings)
        delta: dict[str, Any] = {"delta": piece}
        if kind == EventType.delta:
            delta["logprobs"] = []
        return written + self._next(DELTA_EVENTS[kind], self._place(key) | delta, bool(piece))

    def _openings(self, key: str, data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The events that open an item, the first time the log says something of it."""
        place = self._place(key)
        output_index = place["output_index"]
        if key == MESSAGE:
            item = {"id": place["item_id"], "type": "message", "status": "in_progress", "role": "assistant"}
            part = {"type": "output_text", "text": "", "annotations": []}
            return [
                (
                    "response.output_item.added",
                    {"output_index": output_index, "item": item | {"content": []}},
                ),
                ("response.content_part.added", place | {"part": part}),
            ]
        if key == THINKING:
            item = {"id": place["item_id"], "type": "reasoning", "status": "in_progress", "summary": []}
            return [
                ("response.output_item.added", {"output_index": output_index, "item": item | {"content": []}})
            ]
        call = _call(data.get("id", ""), data.get("name", ""), "")
        added = function_call_item(self._answer.id, int(data["index"]), call, "in_progress").model_dump()
        return [("response.output_item.added", {"output_index": output_index, "item": added})]

    def _reset(self, data: dict[str, Any]) -> bytes:
        if self._reader.reset(data, replayed=self._seq + 1 <= self._after):
            self.ended = True
            return self._next("error", {"code": "interrupted", "message": INTERRUPTED, "param": None})
        if not data.get("repair"):
            self._items.clear()  # the next attempt opens its own items
        return self._next("reset", {}, emit=False)

    def _end(self, event: Event) -> bytes:
        self.ended = True
        final = MessageRead.model_validate(final_message(event))
        written = b""
        if event.id == DATABASE_COPY_ID and not self._said:
            # The log expired: what the answer said, each kind as one delta.
            said: list[tuple[EventType, dict[str, Any]]] = []
            if final.reasoning:
                said.append((EventType.reasoning, {"text": final.reasoning}))
            if final.content:
                said.append((EventType.delta, {"text": final.content}))
            said += [
                (EventType.tool_call, _fragment(i, call)) for i, call in enumerate(final.tool_calls or ())
            ]
            written = b"".join(self._say(kind, data) for kind, data in said)
        if event.type == EventType.error:
            return written + self._next("response.failed", self._response(final))
        status = item_status(response_body(final, self._params).status)
        for key in self._items:
            written += self._close(key, final, status)
        closing = (
            "response.completed"
            if event.type == EventType.done and final.finish_reason != "length"
            else "response.incomplete"
        )
        return written + self._next(closing, self._response(final))

    def _close(self, key: str, final: MessageRead, status: ItemStatus) -> bytes:
        """An item's closing events, with what it holds in the end."""
        place = self._place(key)
        if key == MESSAGE:
            part = {"type": "output_text", "text": final.content, "annotations": []}
            item = {"id": place["item_id"], "type": "message", "status": status, "role": "assistant"}
            return b"".join(
                [
                    self._next("response.output_text.done", place | {"text": final.content, "logprobs": []}),
                    self._next("response.content_part.done", place | {"part": part}),
                    self._next(
                        "response.output_item.done",
                        {"output_index": place["output_index"], "item": item | {"content": [part]}},
                    ),
                ]
            )
        if key == THINKING:
            text = final.reasoning or ""
            content = [{"type": "reasoning_text", "text": text}]
            item = {
                "id": place["item_id"],
                "type": "reasoning",
                "status": status,
                "summary": [],
                "content": content,
            }
            return self._next("response.reasoning_text.done", place | {"text": text}) + self._next(
                "response.output_item.done", {"output_index": place["output_index"], "item": item}
            )
        index = int(key.split(":")[1])
        calls = final.tool_calls or []
        call = calls[index] if index < len(calls) else _call("", "", "")
        done = function_call_item(final.id, index, call, status).model_dump()
        return self._next(
            "response.function_call_arguments.done",
            place | {"name": done["name"], "arguments": done["arguments"]},
        ) + self._next("response.output_item.done", {"output_index": place["output_index"], "item": done})


def _call(call_id: str, name: str, arguments: str) -> ToolCallRead:
    return ToolCallRead(id=call_id, function=FunctionCallRead(name=name, arguments=arguments))


def _fragment(index: int, call: ToolCallRead) -> dict[str, Any]:
    """A stored tool call as the log's `tool_call` event would bring it whole."""
    return {"index": index, "id": call.id, "name": call.function.name, "arguments": call.function.arguments}


async def response_events(
    batches: AsyncIterator[list[Event]],
    events: ResponseEvents,
    abandoned: Callable[[], Awaitable[None]] | None,
) -> AsyncGenerator[bytes, None]:
    """The stream of `events` over the log's batches. A client that goes away before the end
    calls `abandoned` if given (a stream that is not in the background stops its answer)."""
    try:
        if opening := events.opening():
            yield opening
        async for batch in batches:
            written = b"".join(events.feed(event) for event in batch if not events.ended)
            if written:
                yield written
            if events.ended:
                return
    finally:
        if not events.ended and abandoned is not None:
            # Run even though the response is being cancelled (the client hung up), or it never would.
            with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
                await abandoned()
