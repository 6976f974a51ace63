"""How a reader that cannot take text back follows an answer's text through its log: deltas, a
restart (`reset`) and a repair (core/eventlog.py). Both OpenAI-compatible streams read the log
through it.

- A restart (a worker died and the answer started again) is invisible to a reader that holds
  none of the old attempt's text: it gets the new attempt's. A reader that holds some is
  interrupted: it cannot take that text back (the stored answer holds the whole new text).
- A repair (a Redis failover lost the log's newest entries, and the worker wrote its attempt's
  whole text again) goes on seamlessly: the reader gets only the part it lacks.

Reasoning and tool calls are followed the same way, each as a channel of text beside the answer's.

The web, which can take text back, applies the same events more simply: a `reset` empties the
text, and the delta after it brings the text again (web/src/hooks/useEventStream.ts).
"""

from typing import Any

TEXT = "text"
REASONING = "reasoning"


def tool_channel(index: int) -> str:
    return f"tool:{index}"


class TextReader:
    """One reader's place in what an answer says: its text, its reasoning and each tool call's
    arguments are channels, each followed as text.

    A reader that came after a restart (`since_attempt`, the answer's attempt when it came) never
    had what the attempts before it said: that is dead to it and skipped. `replayed` marks what
    the reader already had before it resumed (the Responses API's `starting_after`).
    """

    def __init__(self, since_attempt: int = 0) -> None:
        self._since = since_attempt
        self._attempt = 1  # the log's attempt, as its resets say
        # Characters of the log's attempt the reader holds, per channel; a tool call's channel is
        # there (with 0) from its id and name on.
        self._held: dict[str, int] = {}
        # The channels whose next event, after a repair, is the attempt's whole text of them.
        self._whole: set[str] = set()

    @property
    def held(self) -> int:
        return sum(self._held.values())

    def delta(self, text: str, *, replayed: bool = False, channel: str = TEXT) -> str:
        """What of a delta's text the reader lacks ("" for none, or for dead text it never had)."""
        return self._lacking(channel, text, replayed) or ""

    def tool_call(self, data: dict[str, Any], *, replayed: bool = False) -> dict[str, Any] | None:
        """What of a `tool_call` event the reader lacks: the call's id and name the first time, and
        the pieces of its arguments it has not had; None for nothing."""
        channel = tool_channel(int(data["index"]))
        first = channel not in self._held and channel not in self._whole
        arguments = self._lacking(channel, data.get("arguments", ""), replayed)
        if arguments is None:
            return None
        self._held.setdefault(channel, 0)
        if not first and not arguments:
            return None
        lacking: dict[str, Any] = {"index": data["index"], "arguments": arguments}
        if first:
            lacking |= {"id": data.get("id", ""), "name": data.get("name", "")}
        return lacking

    def _lacking(self, channel: str, text: str, replayed: bool) -> str | None:
        if channel in self._whole:
            self._whole.discard(channel)
            text = text[self._held.get(channel, 0) :]
        if not replayed and self._attempt < self._since and not self._held:
            return None  # dead: an attempt before the reader came, of which it holds nothing
        if text:
            self._held[channel] = self._held.get(channel, 0) + len(text)
        return text

    def reset(self, data: dict[str, Any], *, replayed: bool = False) -> bool:
        """Take a `reset` event's data; True when it interrupts the reader, who holds something of
        an attempt that started again."""
        if data.get("repair"):
            self._whole = set(self._held)
            return False
        self._attempt = int(data.get("attempt", self._attempt + 1))
        if not replayed and self._held:
            return True
        self._held.clear()
        self._whole.clear()
        return False
