"""How a reader that cannot take text back follows an answer's text through its log: deltas, a
restart (`reset`) and a repair (core/eventlog.py). Both OpenAI-compatible streams read the log
through it.

- A restart (a worker died and the answer started again) is invisible to a reader that holds
  none of the old attempt's text: it gets the new attempt's. A reader that holds some is
  interrupted: it cannot take that text back (the stored answer holds the whole new text).
- A repair (a Redis failover lost the log's newest entries, and the worker wrote its attempt's
  whole text again) goes on seamlessly: the reader gets only the part it lacks.

The web, which can take text back, applies the same events more simply: a `reset` empties the
text, and the delta after it brings the text again (web/src/hooks/useEventStream.ts).
"""

from typing import Any


class TextReader:
    """One reader's place in an answer's text.

    A reader that came after a restart (`since_attempt`, the answer's attempt when it came) never
    had the text of the attempts before it: that text is dead to it and skipped. `replayed` marks
    what the reader already had before it resumed (the Responses API's `starting_after`).
    """

    def __init__(self, since_attempt: int = 0) -> None:
        self._since = since_attempt
        self._attempt = 1  # the log's attempt, as its resets say
        self._repaired = False  # the next delta is the attempt's whole text
        self.held = 0  # characters of the log's attempt the reader holds

    def delta(self, text: str, *, replayed: bool = False) -> str:
        """What of a delta's text the reader lacks ("" for none, or for dead text it never had)."""
        if self._repaired:
            text, self._repaired = text[self.held :], False
        if not text or (not replayed and self._attempt < self._since and not self.held):
            return ""
        self.held += len(text)
        return text

    def reset(self, data: dict[str, Any], *, replayed: bool = False) -> bool:
        """Take a `reset` event's data; True when it interrupts the reader, who holds text of an
        attempt that started again."""
        if data.get("repair"):
            self._repaired = True
            return False
        self._attempt = int(data.get("attempt", self._attempt + 1))
        if not replayed and self.held:
            return True
        self.held = 0
        return False
