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
from api.openai.response_objects import (
    asked,
    function_call_item,
    item_status,
    mcp_call_item,
    mcp_list_items,
    response_body,
)
from api.openai.responses_schemas import (
    CALL_PREFIX,
    MCP_CALL_PREFIX,
    OUTPUT_PREFIX,
    REASONING_PREFIX,
    ItemStatus,
    ResponseBody,
)
from api.streams.answer_stream import DATABASE_COPY_ID
from core.answer_text import REASONING, TEXT, TextReader
from core.endings import said_by
from core.events import SAID, Event, EventType
from core.schemas import FunctionCallRead, MessageRead, ToolCallRead, ToolStep
from core.tools import SEPARATOR

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
        # The tools the request's `mcp` tools listed: the first output items, given at the opening.
        self._listed = mcp_list_items(answer.id, params)
        self._labels = {item.server_label for item in self._listed}
        # The attempt's output items, by key, in the order they opened: their output_index (after
        # the listings).
        self._items: dict[str, int] = {}
        # The attempt's calls to `mcp` tools (by key): their id, name and arguments so far, and
        # which have ended; after a repair, a call's next arguments are all of them.
        self._mcp: dict[str, dict[str, str]] = {}
        self._mcp_ended: set[str] = set()
        self._mcp_whole: set[str] = set()
        self._mcp_live: set[str] = set()  # those the client gets (not of an attempt dead to it)
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
        if key in self._mcp:
            item_id = f"{MCP_CALL_PREFIX}{self._answer.id}_{key.split(':')[1]}"
            return {"item_id": item_id, "output_index": self._items[key]}
        place = {"item_id": self._item_id(key), "output_index": self._items[key]}
        return place if key.startswith("call:") else place | {"content_index": 0}

    def opening(self) -> bytes:
        """`response.created` and `response.in_progress`."""
        background = bool(asked(self._params).get("background"))
        queued = self._answer.model_copy(
            update={"status": "queued" if background else "streaming", "content": ""}
        )
        started = queued.model_copy(update={"status": "streaming"})
        written = self._next("response.created", self._response(queued)) + self._next(
            "response.in_progress", self._response(started)
        )
        for output_index, listed in enumerate(self._listed):
            item = listed.model_dump(mode="json")
            place = {"item_id": listed.id, "output_index": output_index}
            written += self._next("response.output_item.added", {"output_index": output_index, "item": item})
            written += self._next("response.mcp_list_tools.in_progress", place)
            written += self._next("response.mcp_list_tools.completed", place)
            written += self._next("response.output_item.done", {"output_index": output_index, "item": item})
        return written

    def feed(self, event: Event) -> bytes:
        if event.type in SAID:
            self._said = True
            return self._say(event.type, event.json())
        if event.type == EventType.reset:
            return self._reset(event.json())
        if event.terminal:
            return self._end(event)
        return b""  # `usage`: the closing response carries it

    def _say(self, kind: EventType, data: dict[str, Any]) -> bytes:
        if kind == EventType.tool_result:
            return self._mcp_result(data)
        key = _key(kind, data)
        opening = key not in self._items
        if opening:
            self._items[key] = len(self._listed) + len(self._items)
            server, dot, _ = str(data.get("name", "")).partition(SEPARATOR)
            if kind == EventType.tool_call and dot and server in self._labels:
                self._mcp[key] = {"id": data.get("id", ""), "name": data["name"], "arguments": ""}
        if key in self._mcp:
            call = self._mcp[key]
            whole = key in self._mcp_whole
            self._mcp_whole.discard(key)
            arguments = data.get("arguments", "")
            call["arguments"] = arguments if whole else call["arguments"] + arguments
        openings = self._openings(key, data) if opening else []
        # Whether the client had this event's delta (numbered after the item's opening) already.
        replayed = self._seq + len(openings) + 1 <= self._after
        if kind == EventType.tool_call:
            fragment = self._reader.tool_call(data, replayed=replayed)
            live, piece = fragment is not None, (fragment or {}).get("arguments", "")
            if live and key in self._mcp:
                self._mcp_live.add(key)
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
        named = "response.mcp_call_arguments.delta" if key in self._mcp else DELTA_EVENTS[kind]
        return written + self._next(named, self._place(key) | delta, bool(piece))

    def _mcp_item(self, key: str, step: ToolStep, status: ItemStatus) -> dict[str, Any]:
        return mcp_call_item(self._answer.id, int(key.split(":")[1]), step, status).model_dump(mode="json")

    def _mcp_result(self, data: dict[str, Any]) -> bytes:
        """A call's end: its arguments' end, its own, and its item with its output or its error.
        An end the log says again (a repair) is not numbered again."""
        key = f"call:{data['index']}"
        if key not in self._mcp or key in self._mcp_ended:
            return b""  # an app tool's result, or one this stream closed already
        self._mcp_ended.add(key)
        call = self._mcp[key]
        step = ToolStep(round=0, **call, output=data.get("output"), error=data.get("error"))
        place = self._place(key)
        live = key in self._mcp_live
        done = "response.mcp_call.failed" if step.error is not None else "response.mcp_call.completed"
        item = {"output_index": place["output_index"], "item": self._mcp_item(key, step, "completed")}
        return (
            self._next("response.mcp_call_arguments.done", place | {"arguments": call["arguments"]}, live)
            + self._next(done, place, live)
            + self._next("response.output_item.done", item, live)
        )

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
        if key in self._mcp:
            step = ToolStep(id=data.get("id", ""), name=data["name"], arguments="", round=0)
            added = self._mcp_item(key, step, "in_progress")
            return [
                ("response.output_item.added", {"output_index": output_index, "item": added}),
                ("response.mcp_call.in_progress", place),
            ]
        call = _call(data.get("id", ""), data.get("name", ""), "")
        added = function_call_item(self._answer.id, int(data["index"]), call, "in_progress").model_dump()
        return [("response.output_item.added", {"output_index": output_index, "item": added})]

    def _reset(self, data: dict[str, Any]) -> bytes:
        if self._reader.reset(data, replayed=self._seq + 1 <= self._after):
            self.ended = True
            return self._next("error", {"code": "interrupted", "message": INTERRUPTED, "param": None})
        if data.get("repair"):
            self._mcp_whole = set(self._mcp)
        else:  # the next attempt opens its own items
            self._items.clear()
            self._mcp.clear()
            self._mcp_ended.clear()
            self._mcp_whole.clear()
            self._mcp_live.clear()
        return self._next("reset", {}, emit=False)

    def _end(self, event: Event) -> bytes:
        self.ended = True
        final = MessageRead.model_validate(final_message(event))
        written = b""
        if event.id == DATABASE_COPY_ID and not self._said:
            # The log expired: what the answer said, each kind as one event.
            written = b"".join(self._say(kind, data) for kind, data in said_by(final))
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
        if key in self._mcp:
            if key in self._mcp_ended:
                return b""
            steps = final.tool_steps or []
            step = steps[index] if index < len(steps) else ToolStep(**self._mcp[key], round=0)
            item = self._mcp_item(key, step, status)
            return self._next(
                "response.mcp_call_arguments.done", place | {"arguments": step.arguments}
            ) + self._next("response.output_item.done", {"output_index": place["output_index"], "item": item})
        calls = final.tool_calls or []
        call = calls[index] if index < len(calls) else _call("", "", "")
        done = function_call_item(final.id, index, call, status).model_dump()
        return self._next(
            "response.function_call_arguments.done",
            place | {"name": done["name"], "arguments": done["arguments"]},
        ) + self._next("response.output_item.done", {"output_index": place["output_index"], "item": done})


def _call(call_id: str, name: str, arguments: str) -> ToolCallRead:
    return ToolCallRead(id=call_id, function=FunctionCallRead(name=name, arguments=arguments))


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
