"""The answers one API process starts at once: the rest wait their turn, first come, first served.

A start reads (its checks) and then writes (the question and its answer), each holding the
database connection: on SQLite a process has one. Left to the event loop, a burst of starts
interleaves, every start's write queues behind every other start's reads, and all of them finish
together, late. In turns, the first ones are answered at once: the same work, in order
(docs/performance.md, "Chats started at once").
"""

import asyncio

from api.refusals import TooMany
from core import metrics

# On SQLite one: its one connection serializes the starts anyway, and one at a time answered a
# burst of 50 sooner than two (docs/performance.md). On Postgres a few, so that one start's
# round trips to the database overlap another's work.
SQLITE_STARTS_AT_ONCE = 1
POSTGRES_STARTS_AT_ONCE = 4
# A start that waited this long for its turn is refused (429): the process is stuck or flooded
# (Redis not answering makes each start wait seconds), and the client may try again.
MAX_WAIT_SECONDS = 10.0
BUSY = "This server is starting too many answers at once. Try again in a moment."


class StartTurn:
    """One start's turn: left once its answer is stored (before its enqueue), or when its request ends."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots: asyncio.Semaphore | None = slots

    def leave(self) -> None:
        if self._slots is not None:
            self._slots.release()
            self._slots = None


class StartLane:
    """The turns of one API process, as wide as its database (`dialect`: SQLAlchemy's name)."""

    def __init__(self, dialect: str, max_wait: float = MAX_WAIT_SECONDS) -> None:
        width = SQLITE_STARTS_AT_ONCE if dialect == "sqlite" else POSTGRES_STARTS_AT_ONCE
        self._slots = asyncio.Semaphore(width)
        self._max_wait = max_wait

    async def enter(self) -> StartTurn:
        """Wait for a turn (asyncio's semaphore serves its waiters in order); TooMany after
        `max_wait` seconds."""
        try:
            async with asyncio.timeout(self._max_wait):
                await self._slots.acquire()
        except TimeoutError:
            metrics.ADMISSIONS_REFUSED.labels("busy").inc()
            raise TooMany(BUSY, 1) from None
        return StartTurn(self._slots)
