"""A real SSE client for the tests, with the semantics of a browser's EventSource."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

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

    @property
    def last_id(self) -> str | None:
        return next((e.id for e in reversed(self.events) if e.id), None)

    @property
    def terminal(self) -> SseEvent | None:
        return self.events[-1] if self.events and self.events[-1].event in TERMINAL else None


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
    events: list[SseEvent] = []
    comments = 0
    with client.stream(
        "GET", f"/api/messages/{message_id}/stream", headers=headers, params=params, timeout=timeout
    ) as response:
        if response.status_code != 200:
            return SseRead(response.status_code, events)
        fields: dict[str, str] = {}
        for line in response.iter_lines():
            if line.startswith(":"):
                comments += 1
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if "data" not in fields:
                fields = {}
                continue
            events.append(
                SseEvent(fields.get("id"), fields.get("event", "message"), json.loads(fields["data"]))
            )
            fields = {}
            if on_event:
                on_event(events[-1])
            if events[-1].event in TERMINAL or (stop_after is not None and len(events) >= stop_after):
                break
        return SseRead(response.status_code, events, comments)


def answer_text(events: list[SseEvent]) -> str:
    """What a client shows: the deltas after the last reset."""
    text = ""
    for event in events:
        if event.event == "reset":
            text = ""
        elif event.event == "delta":
            text += event.data["text"]
    return text
