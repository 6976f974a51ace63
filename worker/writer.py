import asyncio
import contextlib
import time

from core.eventlog import AttemptLog
from core.events import EventType


class Fenced(Exception):
    """A newer attempt owns this answer; the stale writer must stop without writing anything."""


class DeltaWriter:
    """Coalesces text deltas into at most one XADD per `interval`.

    The first delta after a quiet spell is written at once (no added latency at a model's usual
    pace); a burst is batched, so no delta waits longer than `interval`.
    """

    def __init__(self, out: AttemptLog, interval: float) -> None:
        self._out = out
        self._interval = interval
        self._pending: list[str] = []
        self._ready = asyncio.Event()
        self._closing = asyncio.Event()
        self._last_write = 0.0
        self.task = asyncio.create_task(self._run())

    def add(self, text: str) -> None:
        self._pending.append(text)
        self._ready.set()

    async def _run(self) -> None:
        # Never cancelled mid-write: a cancelled XADD may or may not have landed, which would
        # break "the deltas add up to the final text". close() asks it to finish instead.
        while True:
            await self._ready.wait()
            delay = self._last_write + self._interval - time.monotonic()
            if delay > 0 and not self._closing.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), delay)
            await self._write()
            if self._closing.is_set() and not self._pending:
                return

    async def _write(self) -> None:
        text = "".join(self._pending)
        self._pending.clear()
        self._ready.clear()
        if not text:
            return
        self._last_write = time.monotonic()
        if await self._out.append((EventType.delta, {"text": text})) is None:
            raise Fenced(self._out.message_id)

    async def close(self) -> None:
        """Write whatever is pending and stop; raises Fenced if the log refused a write."""
        self._closing.set()
        self._ready.set()
        await self.task

    def abandon(self) -> None:
        self.task.cancel()
