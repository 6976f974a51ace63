"""Following `GET /api/updates` in the background, as a browser tab does, to see what it is told."""

import threading
import time
from types import TracebackType
from typing import Any

import httpx

from tests.support.sse import SseEvent, parse_events


class UpdateListener:
    """Open the updates stream on entering (once its first `resync` arrived), collect its events."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.events: list[SseEvent] = []
        self._client = httpx.Client(base_url=base_url, headers=headers, timeout=httpx.Timeout(10, read=None))
        self._open = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/api/updates") as response:
                for event in parse_events(response.iter_lines()):
                    self.events.append(event)
                    self._open.set()
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by __exit__

    def __enter__(self) -> "UpdateListener":
        self._thread.start()
        assert self._open.wait(10), "the updates stream sent nothing"
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._client.close()

    def changes(self, conversation_id: str) -> list[str]:
        return [
            event.data["change"]
            for event in list(self.events)
            if event.event == "conversation" and event.data["conversation_id"] == conversation_id
        ]

    def of_kind(self, change: str) -> list[dict[str, Any]]:
        """The changes of one kind that name no conversation (`folders`, `presets`), in order."""
        return [e.data for e in list(self.events) if e.event == "conversation" and e.data["change"] == change]

    def wait_for(self, conversation_id: str, change: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while change not in self.changes(conversation_id):
            if time.monotonic() > deadline:
                seen: list[Any] = [e.data for e in self.events]
                raise TimeoutError(f"no {change!r} for {conversation_id}; the stream sent {seen}")
            time.sleep(0.02)
