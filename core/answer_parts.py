"""What an answer has said so far: its text, its reasoning and its tool calls, from its events."""

from dataclasses import dataclass, field
from typing import Any

from core.events import EventType

Said = tuple[EventType, dict[str, Any]]
"""One event of what an answer says (`core.events.SAID`) and its data."""


def step_call(index: int, step: dict[str, Any]) -> dict[str, Any]:
    """An app tool step's call as its `tool_call` event holds it (the whole arguments at once)."""
    return {"index": index, "id": step["id"], "name": step["name"], "arguments": step["arguments"]}


def step_result(index: int, step: dict[str, Any]) -> dict[str, Any]:
    """An ended app tool step as its `tool_result` event holds it."""
    ended = {key: step[key] for key in ("id", "output", "error", "duration_ms") if step.get(key) is not None}
    return {"index": index, "name": step["name"], **ended}


@dataclass
class ToolCall:
    """One call an answer makes, as its fragments have built it."""

    id: str
    name: str
    arguments: str = ""

    def as_openai(self) -> dict[str, Any]:
        """As OpenAI's `tool_calls` hold it, which is how messages store it."""
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass
class AnswerParts:
    """An answer's text, reasoning and tool calls, added to event by event (`add`).

    `size` counts the events taken: a checkpoint saves an answer whose size changed.
    """

    text_parts: list[str] = field(default_factory=list)
    reasoning_parts: list[str] = field(default_factory=list)
    calls: dict[int, ToolCall] = field(default_factory=dict)
    # An app tool's result by its call's index: {"id", "output" | "error", "duration_ms"}.
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    size: int = 0

    def add(self, kind: EventType, data: dict[str, Any]) -> None:
        self.size += 1
        if kind == EventType.delta:
            self.text_parts.append(data["text"])
        elif kind == EventType.reasoning:
            self.reasoning_parts.append(data["text"])
        elif kind == EventType.tool_call:
            index = int(data["index"])
            call = self.calls.get(index)
            if call is None:
                self.calls[index] = ToolCall(data.get("id") or "", data.get("name") or "", data["arguments"])
            else:
                call.arguments += data["arguments"]
        elif kind == EventType.tool_result:
            self.results[int(data["index"])] = {k: v for k, v in data.items() if k != "index"}

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts)

    def tool_calls(self) -> list[dict[str, Any]] | None:
        """The calls in OpenAI's shape, in their order; None for none."""
        return [self.calls[index].as_openai() for index in sorted(self.calls)] or None

    def whole(self) -> list[Said]:
        """Everything said so far as one event of each kind (a call's with its id and name)."""
        said: list[Said] = []
        if reasoning := self.reasoning:
            said.append((EventType.reasoning, {"text": reasoning}))
        if text := self.text:
            said.append((EventType.delta, {"text": text}))
        for index in sorted(self.calls):
            call = self.calls[index]
            said.append(
                (
                    EventType.tool_call,
                    {"index": index, "id": call.id, "name": call.name, "arguments": call.arguments},
                )
            )
        results = sorted(self.results.items())
        said += [(EventType.tool_result, {"index": index, **result}) for index, result in results]
        return said
