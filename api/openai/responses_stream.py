"""An answer's log as the Responses API's stream: OpenAI's events, numbered so that a client can
resume after any of them (`starting_after`) and get exactly the rest.

The numbering is a function of the log alone: four opening events (0–3), one number per `delta`
and per `reset`, then the closing events. Every reader of the same log therefore gives every event
the same number, replayed or live, on any API process.

A restart or a repair of the log is read as core/answer_text.py says: a client holding text that
a restart takes back gets an `error` event (`interrupted`), and its stream ends; one that holds
none of the old attempt's text gets the new attempt's, the old skipped (its numbers kept). A
failover renumbers the lost events, so a resume across one may not line up.
"""

import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any

import anyio

from api.openai.chat_stream import INTERRUPTED, final_message
from api.openai.response_objects import asked, output_item, response_body
from api.openai.responses_schemas import OUTPUT_PREFIX, ResponseBody
from api.streams.answer_stream import DATABASE_COPY_ID
from core.answer_text import TextReader
from core.events import Event, EventType
from core.schemas import MessageRead


def _frame(event_type: str, payload: dict[str, Any]) -> bytes:
    data = json.dumps({"type": event_type, **payload}, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event_type}\ndata: {data}\n\n".encode()


class ResponseEvents:
    """Turns one answer's log events into a client's Responses events after `after`.

    `attempt` is the answer's attempt when the client came: the text of any attempt before it
    is dead, and a client that holds none of it never sees it.
    """

    def __init__(self, answer: MessageRead, params: dict[str, Any] | None, after: int, attempt: int) -> None:
        self._answer = answer
        self._params = params
        self._after = after
        self._text = TextReader(since_attempt=attempt)
        self._seq = -1
        self._deltas = 0
        self._item_id = f"{OUTPUT_PREFIX}{answer.id}"
        self.ended = False

    def _next(self, event_type: str, payload: dict[str, Any]) -> bytes:
        self._seq += 1
        if self._seq <= self._after:
            return b""
        return _frame(event_type, {"sequence_number": self._seq, **payload})

    def _response(self, answer: MessageRead) -> dict[str, Any]:
        body: ResponseBody = response_body(answer, self._params)
        return {"response": body.model_dump(mode="json")}

    def _place(self) -> dict[str, Any]:
        return {"item_id": self._item_id, "output_index": 0, "content_index": 0}

    def opening(self) -> bytes:
        """`response.created`, `response.in_progress`, and the message item and its text part."""
        background = bool(asked(self._params).get("background"))
        queued = self._answer.model_copy(
            update={"status": "queued" if background else "streaming", "content": ""}
        )
        started = queued.model_copy(update={"status": "streaming"})
        item = output_item(self._answer.id, "", "in_progress").model_dump(mode="json") | {"content": []}
        part = {"type": "output_text", "text": "", "annotations": []}
        return b"".join(
            [
                self._next("response.created", self._response(queued)),
                self._next("response.in_progress", self._response(started)),
                self._next("response.output_item.added", {"output_index": 0, "item": item}),
                self._next("response.content_part.added", {**self._place(), "part": part}),
            ]
        )

    def feed(self, event: Event) -> bytes:
        if event.type == EventType.delta:
            return self._delta(event.json()["text"])
        if event.type == EventType.reset:
            return self._reset(event.json())
        if event.terminal:
            return self._end(event)
        return b""  # `usage`: the closing response carries it

    def _skip(self) -> bytes:
        self._seq += 1
        return b""

    def _replayed(self) -> bool:
        """Whether the client had the next numbered event before it resumed."""
        return self._seq + 1 <= self._after

    def _delta(self, text: str) -> bytes:
        self._deltas += 1
        text = self._text.delta(text, replayed=self._replayed())
        if not text:
            return self._skip()  # nothing the client lacks: skipped, its number kept
        return self._next("response.output_text.delta", {**self._place(), "delta": text, "logprobs": []})

    def _reset(self, data: dict[str, Any]) -> bytes:
        if self._text.reset(data, replayed=self._replayed()):
            self.ended = True
            return self._next("error", {"code": "interrupted", "message": INTERRUPTED, "param": None})
        return self._skip()

    def _end(self, event: Event) -> bytes:
        self.ended = True
        final = MessageRead.model_validate(final_message(event))
        written = b""
        if event.id == DATABASE_COPY_ID and not self._deltas and final.content:
            written = self._delta(final.content)  # the log expired: its text as one delta
        if event.type == EventType.error:
            return written + self._next("response.failed", self._response(final))
        item = output_item(final.id, final.content, response_body(final, self._params).status)
        part = {"type": "output_text", "text": final.content, "annotations": []}
        closing = (
            "response.completed"
            if event.type == EventType.done and final.finish_reason != "length"
            else "response.incomplete"
        )
        return written + b"".join(
            [
                self._next(
                    "response.output_text.done", {**self._place(), "text": final.content, "logprobs": []}
                ),
                self._next("response.content_part.done", {**self._place(), "part": part}),
                self._next(
                    "response.output_item.done", {"output_index": 0, "item": item.model_dump(mode="json")}
                ),
                self._next(closing, self._response(final)),
            ]
        )


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
