"""A real SSE client for the tests and benches, with the semantics of a browser's EventSource."""

import json
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from core.events import stream_id_key

TERMINAL = {"done", "stopped", "error"}


@dataclass
class SseEvent:
    id: str | None
    event: str
    data: Any


@dataclass
class SseRead:
    status: int
    events: list[SseEvent]
    comments: int = 0
    body: Any = None
    content_type: str = ""

    @property
    def last_id(self) -> str | None:
        return next((e.id for e in reversed(self.events) if e.id), None)

    @property
    def terminal(self) -> SseEvent | None:
        return self.events[-1] if self.events and self.events[-1].event in TERMINAL else None


class SseParser:
    """SSE lines in, events out as each completes (comments, such as heartbeats, only counted)."""

    def __init__(self, on_comment: Callable[[], None] | None = None) -> None:
        self._fields: dict[str, str] = {}
        self._on_comment = on_comment

    def line(self, line: str) -> SseEvent | None:
        if line.startswith(":"):
            if self._on_comment:
                self._on_comment()
            return None
        if line:
            name, _, value = line.partition(":")
            self._fields[name] = value.removeprefix(" ")
            return None
        fields, self._fields = self._fields, {}
        if "data" not in fields:
            return None
        return SseEvent(fields.get("id"), fields.get("event", "message"), json.loads(fields["data"]))


def parse_events(lines: Iterable[str], on_comment: Callable[[], None] | None = None) -> Iterator[SseEvent]:
    parser = SseParser(on_comment)
    for line in lines:
        if event := parser.line(line):
            yield event


async def aparse_events(lines: AsyncIterable[str]) -> AsyncIterator[SseEvent]:
    parser = SseParser()
    async for line in lines:
        if event := parser.line(line):
            yield event


def read_stream(
    client: httpx.Client,
    message_id: str,
    last_event_id: str | None = None,
    after: str | None = None,
    stop_after: int | None = None,
    timeout: float = 30,
    on_event: Callable[[SseEvent], None] | None = None,
) -> SseRead:
    """Read the answer's stream until its terminal event, or hang up after `stop_after` events."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    params = {"after": after} if after else {}
    request = client.build_request(
        "GET", f"/api/messages/{message_id}/stream", headers=headers, params=params, timeout=timeout
    )
    return read_events(client, request, stop_after, on_event)


def submit_streaming(
    client: httpx.Client, conversation_id: str, content: str, stop_after: int | None = None, **fields: Any
) -> SseRead:
    """Ask a question with `Accept: text/event-stream`: its `submitted` event, then the answer's."""
    body = {"content": content, **fields}
    return post_streaming(client, f"/api/conversations/{conversation_id}/messages", body, stop_after)


def post_streaming(
    client: httpx.Client, path: str, body: dict[str, Any], stop_after: int | None = None
) -> SseRead:
    """POST with `Accept: text/event-stream` (a submit, an edit, a regenerate), read as events."""
    request = client.build_request(
        "POST", path, json=body, headers={"Accept": "text/event-stream"}, timeout=30
    )
    return read_events(client, request, stop_after)


def read_events(
    client: httpx.Client,
    request: httpx.Request,
    stop_after: int | None = None,
    on_event: Callable[[SseEvent], None] | None = None,
) -> SseRead:
    """Send `request` and read its events until a terminal one, or hang up after `stop_after` events.

    A response other than 200 is read whole: its JSON in `body`."""
    read = SseRead(0, [])

    def count_comment() -> None:
        read.comments += 1

    response = client.send(request, stream=True)
    try:
        read.status = response.status_code
        if response.status_code != 200:
            response.read()
            read.body = response.json() if response.content else None
            return read
        read.content_type = response.headers.get("content-type", "")
        for event in parse_events(response.iter_lines(), count_comment):
            read.events.append(event)
            if on_event:
                on_event(event)
            if event.event in TERMINAL or (stop_after is not None and len(read.events) >= stop_after):
                break
        return read
    finally:
        response.close()


def assert_ids_strictly_increase(events: list[SseEvent]) -> None:
    """Every event has an id, and each is above the one before: nothing arrived twice or out of order."""
    ids = [e.id for e in events]
    assert all(ids), f"an event without an id: {events}"
    order = [stream_id_key(i) for i in ids if i]
    assert len(set(order)) == len(order), f"an event id arrived twice: {ids}"
    assert order == sorted(order), f"event ids out of order: {ids}"


def answer_text(events: list[SseEvent]) -> str:
    """What a client shows: the deltas after the last reset."""
    text = ""
    for event in events:
        if event.event == "reset":
            text = ""
        elif event.event == "delta":
            text += event.data["text"]
    return text


class HeldStream:
    """An SSE response held open in a thread, and when the server ended it."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        self.client, self.path = client, path
        self.opened = threading.Event()
        self.ended_at: float | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.opened.wait(10), f"{path} did not open"

    def _read(self) -> None:
        try:
            with self.client.stream("GET", self.path, timeout=httpx.Timeout(30, read=None)) as response:
                if response.status_code == 200:
                    self.opened.set()
                    for _ in response.iter_bytes():
                        pass
        except (httpx.HTTPError, RuntimeError):
            pass  # cut without its last chunk (or the client closed at the end): ended all the same
        self.ended_at = time.monotonic()
