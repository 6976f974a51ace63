import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from core import keys
from core.eventlog import EventLog
from core.events import Event, stream_id_key
from core.redis import dedicated_connection

logger = logging.getLogger(__name__)

_LOG_PREFIX = keys.log("")


class Relay:
    """One Redis reader per API process, fanning every followed event log out to its SSE clients.

    A single connection runs `XREAD BLOCK` over the logs that have readers here; when a reader
    asks for a log not in that set, `CLIENT UNBLOCK` makes the read start over with it. Redis
    connections therefore do not grow with the number of browsers.
    """

    def __init__(self, redis_url: str, control: Redis, log: EventLog, block_ms: int = 5000) -> None:
        self._reader = dedicated_connection(redis_url, "relaychat-relay", socket_timeout=block_ms / 1000 + 5)
        self._control = control
        self._log = log
        self._block_ms = block_ms
        self._queues: dict[str, set[asyncio.Queue[Event]]] = {}
        self._cursors: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._reader_id: int | None = None
        self._reading = False
        self._unblocking: asyncio.Task[None] | None = None

    @property
    def followed(self) -> int:
        return len(self._cursors)

    async def events(self, message_id: str, after: str) -> AsyncIterator[Event]:
        """Every event of the log after the cursor `after`, replayed then live, until the terminal one."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        cursor = after
        try:
            replay = await self._log.read(message_id, cursor)
            followed_from = self._follow(message_id, replay[-1].id if replay else cursor, queue)
            if stream_id_key(followed_from) > stream_id_key(replay[-1].id if replay else cursor):
                # This process was already following the log, and its reader has passed our
                # replay: read again up to now; the id check below drops what arrives twice.
                replay = await self._log.read(message_id, cursor)
            for event in replay:
                yield event
                cursor = event.id
                if event.terminal:
                    return
            while True:
                event = await queue.get()
                if stream_id_key(event.id) <= stream_id_key(cursor):
                    continue
                yield event
                cursor = event.id
                if event.terminal:
                    return
        finally:
            self._unfollow(message_id, queue)

    def _follow(self, message_id: str, after: str, queue: asyncio.Queue[Event]) -> str:
        if message_id not in self._queues:
            self._queues[message_id] = set()
            self._cursors[message_id] = after
            self._restart_read()
        self._queues[message_id].add(queue)
        return self._cursors[message_id]

    def _unfollow(self, message_id: str, queue: asyncio.Queue[Event]) -> None:
        queues = self._queues.get(message_id)
        if queues is None:
            return
        queues.discard(queue)
        if not queues:
            # The running XREAD may still name the log; its entries then find no queue and are dropped.
            del self._queues[message_id]
            del self._cursors[message_id]

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

    async def run(self) -> None:
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
                streams = {keys.log(message_id): cursor for message_id, cursor in self._cursors.items()}
                if not streams:
                    continue
                self._reading = True
                try:
                    response = await self._reader.xread(streams, block=self._block_ms, count=1000)  # type: ignore[arg-type]
                finally:
                    self._reading = False
            except (RedisError, OSError) as error:
                self._reader_id = None
                logger.warning("relay lost Redis (%s); reconnecting in %.2fs", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                self._changed.set()
                continue
            backoff = 0.05
            for key, entries in response or []:
                self._dispatch(key.decode().removeprefix(_LOG_PREFIX), entries)

    def _dispatch(self, message_id: str, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        queues = self._queues.get(message_id)
        if queues is None:
            return
        for entry_id, fields in entries:
            event = Event.from_entry(entry_id, fields)
            self._cursors[message_id] = event.id
            for queue in queues:
                queue.put_nowait(event)

    async def close(self) -> None:
        if self._unblocking:
            self._unblocking.cancel()
        with contextlib.suppress(Exception):
            await self._reader.aclose()
