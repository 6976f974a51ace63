"""The relay: one Redis reader per API process, fanning event logs out to every SSE client."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Iterable

import hiredis
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core import keys, metrics
from core.eventlog import EventLog
from core.events import Event, stream_id_key
from core.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

Entry = tuple[bytes, dict[bytes, bytes]]
# After a read that returned entries, the relay lets entries gather this long before the next one.
# A busy process batches by itself: while its clients are being written to, the next read waits,
# and finds more. Waiting longer the more logs are followed only added latency (docs/performance.md).
GATHER_SECONDS = 0.002


class Inbox:
    """One stream's events that the relay has read and the stream has not sent yet.

    The relay adds what one read brought for the log at once; the stream takes everything
    waiting when it wakes. Lighter than an `asyncio.Queue`, whose every `get` checks its loop
    and makes a future even when items are waiting (docs/performance.md).
    """

    __slots__ = ("_events", "_waiter")

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._waiter: asyncio.Future[None] | None = None

    def add(self, events: list[Event]) -> None:
        self._events += events
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def take(self) -> list[Event]:
        while not self._events:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        events, self._events = self._events, []
        return events


def _observe_lag(response: list[tuple[bytes, list[Entry]]]) -> None:
    """The age of a read's first entry, by its id (the milliseconds of its append, on Redis's
    clock): one observation per read, whatever it brought (the oldest of a thousand logs' entries
    would cost a tenth of a millisecond a read)."""
    _, entries = response[0]
    if entries:
        appended = int(entries[0][0].partition(b"-")[0])
        metrics.RELAY_LAG_SECONDS.observe(max(0.0, time.time() - appended / 1000))


def _until_terminal(events: Iterable[Event]) -> list[Event]:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if event.terminal:
            break
    return batch


class Relay:
    """One Redis reader per API process, fanning every followed event log out to its SSE clients.

    A single connection runs `XREAD BLOCK` over the logs that have readers here; when a reader
    asks for a log not in that set, `CLIENT UNBLOCK` makes the read start over with it. Redis
    connections therefore do not grow with the number of browsers.
    """

    def __init__(self, reader: Redis, control: Redis, log: EventLog, block_ms: int = 5000) -> None:
        # `reader` is a connection of the relay's own, with a socket timeout above `block_ms`.
        self._reader = reader
        self._control = control
        self._log = log
        self._block_ms = block_ms
        self._inboxes: dict[str, set[Inbox]] = {}
        self._cursors: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._reader_id: int | None = None
        self._reading = False
        self._unblocking: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def events(self, answer_id: str, after: str) -> AsyncGenerator[list[Event], None]:
        """Every event of the log after the cursor `after`, replayed then live, until the terminal one.

        Events come in batches: all that arrived while the client was being written to go out
        together, so a busy process makes one write per stream rather than one per event.
        """
        inbox = Inbox()
        cursor = after
        try:
            replay = await self._log.read(answer_id, cursor)
            start = replay[-1].id if replay else await self._start_of_live(answer_id, cursor)
            followed_from = self._follow(answer_id, start, inbox)
            if stream_id_key(followed_from) > stream_id_key(start):
                # This process was already following the log, and its reader has passed our
                # replay: read again up to now; the id check below drops what arrives twice.
                replay = await self._log.read(answer_id, cursor)
            waiting = replay
            while True:
                batch = _until_terminal(e for e in waiting if stream_id_key(e.id) > stream_id_key(cursor))
                if batch:
                    yield batch
                    cursor = batch[-1].id
                    if batch[-1].terminal:
                        return
                waiting = await inbox.take()
        finally:
            self._unfollow(answer_id, inbox)

    async def _start_of_live(self, answer_id: str, cursor: str) -> str:
        # The relay's cursor is shared by every reader here: never let a client's cursor from
        # beyond the log's end become it, or the others would wait for ids that never come.
        if cursor == "0":
            return cursor
        last = await self._log.last_id(answer_id) or "0"
        return min(cursor, last, key=stream_id_key)

    def _follow(self, answer_id: str, after: str, inbox: Inbox) -> str:
        if answer_id not in self._inboxes:
            self._inboxes[answer_id] = set()
            self._cursors[answer_id] = after
            self._restart_read()
        self._inboxes[answer_id].add(inbox)
        return self._cursors[answer_id]

    def _unfollow(self, answer_id: str, inbox: Inbox) -> None:
        inboxes = self._inboxes.get(answer_id)
        if inboxes is None:
            return
        inboxes.discard(inbox)
        if not inboxes:
            # The running XREAD may still name the log; its entries then find no inbox and are dropped.
            del self._inboxes[answer_id]
            del self._cursors[answer_id]

    def _restart_read(self) -> None:
        self._changed.set()
        if self._reading and (self._unblocking is None or self._unblocking.done()):
            self._unblocking = asyncio.create_task(self._unblock())

    async def _unblock(self) -> None:
        # CLIENT UNBLOCK can overtake the XREAD it aims at (both are in flight); try until one lands.
        while self._reading and self._changed.is_set() and self._reader_id is not None:
            try:
                if await self._control.client_unblock(self._reader_id):
                    return
            except RedisError:
                return
            await asyncio.sleep(0.001)

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            if not self._cursors:
                await self._changed.wait()
            try:
                if self._reader_id is None:
                    self._reader_id = await self._reader.client_id()
                # No await from here to the XREAD: a log followed after this clear() finds
                # `_reading` set and unblocks the read, so it is never left out for a whole BLOCK.
                self._changed.clear()
                cursors = dict(self._cursors)
                if not cursors:
                    continue
                self._reading = True
                try:
                    response = await self._xread(cursors)
                finally:
                    self._reading = False
                if response:
                    _observe_lag(response)
                for key, entries in response:
                    answer_id = keys.answer_of_log(key)
                    # A log unfollowed and followed again during the read has a new cursor: the
                    # next read serves it from there, rather than these entries with a gap.
                    if self._cursors.get(answer_id) == cursors.get(answer_id):
                        self._dispatch(answer_id, entries)
                backoff = 0.05
                if response:
                    await asyncio.sleep(GATHER_SECONDS)
            except Exception as error:
                # Whatever went wrong, the one reader of this process must keep going.
                self._reader_id = None
                if self._reader.connection is not None:
                    await self._reader.connection.disconnect()  # no half-read reply left behind
                logger.warning("relay read failed (%r); again in %.2fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                self._changed.set()

    async def _xread(self, cursors: dict[str, str]) -> list[tuple[bytes, list[Entry]]]:
        # redis-py packs a command in Python, argument by argument: for an XREAD naming a thousand
        # logs, that costs more than relaying what it read. hiredis packs it in C; the reply is
        # parsed as is.
        names = [keys.log(answer_id) for answer_id in cursors]
        command: tuple[str | int, ...] = ("XREAD", "COUNT", 1000, "BLOCK", self._block_ms, "STREAMS")
        connection = self._reader.connection
        assert connection is not None  # made by the CLIENT ID call that precedes every read
        packed = hiredis.pack_command((*command, *names, *cursors.values()))  # type: ignore[arg-type]
        await connection.send_packed_command(packed, check_health=False)
        response = await connection.read_response()
        return [
            (
                key,
                [
                    (entry_id, dict(zip(fields[::2], fields[1::2], strict=True)))
                    for entry_id, fields in entries
                ],
            )
            for key, entries in response or []
        ]

    def _dispatch(self, answer_id: str, entries: list[Entry]) -> None:
        inboxes = self._inboxes.get(answer_id)
        if inboxes is None:
            return
        events = []
        for entry_id, fields in entries:
            try:
                events.append(Event.from_entry(entry_id, fields))
            except (KeyError, ValueError):
                logger.warning("skipping unreadable entry %s of %s", entry_id, answer_id)
        self._cursors[answer_id] = entries[-1][0].decode()
        for inbox in inboxes:
            inbox.add(events)

    async def close(self) -> None:
        for task in (self._task, self._unblocking):
            if task:
                await cancel_and_wait(task)
        with contextlib.suppress(Exception):
            await self._reader.aclose()
