"""The stream protocol: what an answer's event log holds and how SSE clients see it."""

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    delta = "delta"  # {"text"}: the answer's text
    reasoning = "reasoning"  # {"text"}: what a reasoning model thought, never part of the answer
    tool_call = "tool_call"  # {"index", "arguments"}, with "id" and "name" on a call's first
    tool_result = "tool_result"  # {"index", "id", "output" | "error", "duration_ms"}: an app tool's
    reset = "reset"
    usage = "usage"
    done = "done"
    stopped = "stopped"
    error = "error"


TERMINAL = frozenset({EventType.done, EventType.stopped, EventType.error})
# What an answer says, as it comes: the events a delta writer batches and a restart takes back.
SAID = frozenset({EventType.delta, EventType.reasoning, EventType.tool_call, EventType.tool_result})

_STREAM_ID = re.compile(r"^\d{1,20}(-\d{1,20})?$")
_MAX_PART = 2**64 - 1


def is_stream_id(value: str) -> bool:
    """A Redis stream id Redis itself would accept (each part below 2**64)."""
    return bool(_STREAM_ID.match(value)) and all(int(part) <= _MAX_PART for part in value.split("-"))


def stream_id_key(value: str) -> tuple[int, int]:
    """Orders Redis stream ids numerically ("10-0" comes after "9-5")."""
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the log. `data` stays JSON text end to end: the relay never re-encodes it."""

    id: str
    type: EventType
    data: str

    @property
    def terminal(self) -> bool:
        return self.type in TERMINAL

    def json(self) -> Any:
        return json.loads(self.data)

    @classmethod
    def from_entry(cls, entry_id: bytes | str, fields: dict[bytes, bytes]) -> "Event":
        eid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        return cls(eid, EventType(fields[b"e"].decode()), fields[b"d"].decode())


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
