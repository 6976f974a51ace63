"""What answers say on its way to the event logs: coalesced per answer, written many answers at a time."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from core import metrics
from core.eventlog import EventLog, Events
from core.events import EventType
from worker.run import AnswerRun, Fenced

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Pending:
    kind: EventType
    data: dict[str, Any]  # the first event's: a call's index, id and name
    field: str  # what its pieces are: "text", or a call's "arguments"
    pieces: list[str]


class DeltaWriter:
    """One answer's events of what it says (text, reasoning, tool calls): at most one append per
    `interval`, the first after a quiet spell at once; events of a kind in a row are written as one.

    A write that fails halts the run (`AnswerRun.halt`), with Fenced or the Redis error.
    """

    def __init__(self, batcher: "DeltaBatcher", run: AnswerRun) -> None:
        self._batcher = batcher
        self.run = run
        # Events waiting to be written: a kind's run of them as one, its text (or a call's
        # arguments) in pieces joined when it is taken.
        self.pending: list[_Pending] = []
        self.last_write = -1e9
        self.in_flight = False
        self._timer: asyncio.TimerHandle | None = None
        self._due = False
        self._settled = asyncio.Event()
        # Held while the attempt is not the answer's yet: its text waits here, unwritten.
        self._held = False

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        """Write what waited, and from now on as it comes."""
        self._held = False
        if self.pending:
            self._schedule()

    def add(self, kind: EventType, data: dict[str, Any]) -> None:
        if self.run.halted.done():
            return
        field = "arguments" if kind == EventType.tool_call else "text"
        last = self.pending[-1] if self.pending else None
        # A call's pieces continue it until the next call begins (a piece with an id).
        if last and last.kind == kind and last.data.get("index") == data.get("index") and "id" not in data:
            last.pieces.append(data[field])
        else:
            self.pending.append(_Pending(kind, data, field, [data[field]]))
        if not self._held:
            self._schedule()

    def _schedule(self) -> None:
        if self._due or self._timer is not None:
            return
        loop = asyncio.get_running_loop()
        at = self.last_write + self._batcher.interval
        if at <= loop.time():
            self._mark_due()
        else:
            self._timer = loop.call_at(at, self._mark_due)

    def _mark_due(self) -> None:
        self._timer = None
        if not self._due and not self.run.halted.done():
            self._due = True
            self._batcher.due(self)

    def take(self, now: float) -> Events:
        """What the batcher writes now: every pending event."""
        events = tuple((p.kind, {**p.data, p.field: "".join(p.pieces)}) for p in self.pending)
        self.pending.clear()
        self._due = False
        self.in_flight = True
        self.last_write = now
        return events

    def settle(self, error: BaseException | None) -> None:
        """A write of this answer landed (error None) or failed."""
        self.in_flight = False
        if error is not None:
            self.run.halt(error)
            self._cancel_timer()
        self._settled.set()

    async def close(self) -> None:
        """Write what is pending now and wait for it; raises Fenced (or the Redis error) if the run halted."""
        self._cancel_timer()
        if self.pending:
            self._mark_due()
        while (self._due or self.in_flight) and not self.run.halted.done():
            self._settled.clear()
            await self._settled.wait()
        if self.run.halted.done():
            self.run.halted.result()

    def abandon(self) -> None:
        """Stop writing (the worker is stopping): the next attempt starts over with `reset`."""
        self._cancel_timer()
        self.pending.clear()
        self._batcher.forget(self)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class DeltaBatcher:
    """Writes the deltas of every answer a worker streams, in one round trip for all that are due.

    While one pipeline is in flight, the next one gathers (group commit): an idle worker writes a
    delta at once, a busy one makes fewer, larger round trips instead of one per token.
    """

    def __init__(self, log: EventLog, interval: float) -> None:
        self.log = log
        self.interval = interval
        self._due: dict[DeltaWriter, None] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def writer(self, run: AnswerRun) -> DeltaWriter:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return DeltaWriter(self, run)

    def due(self, writer: DeltaWriter) -> None:
        self._due[writer] = None
        self._wake.set()

    def forget(self, writer: DeltaWriter) -> None:
        self._due.pop(writer, None)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch = list(self._due)
            self._due.clear()
            if not batch:
                continue
            now = loop.time()
            appends = [(w.run.attempt_log, w.take(now)) for w in batch]
            try:
                with metrics.timed(metrics.REDIS_SECONDS, "deltas"):
                    entry_ids = await self.log.append_batch(appends)
            except Exception as error:
                # Each answer learns of it and ends; its job is tried again (worker/arq_worker.py).
                logger.warning("writing %d deltas failed: %r", len(batch), error)
                for writer in batch:
                    writer.settle(error)
                continue
            for writer, entry_id in zip(batch, entry_ids, strict=True):
                writer.settle(Fenced(writer.run.answer_id) if entry_id is None else None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
