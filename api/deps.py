"""What an API process shares (`ApiDeps`, made once by the lifespan), and what routes get from
FastAPI: the process's `ApiDeps` and the request's database session."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.authenticator import Authenticator
from api.accounts.revocations import Revocations
from api.start_lane import StartLane, StartTurn
from api.streams.answer_stream import AnswerStreams
from api.streams.quota import StreamQuota
from api.streams.relay import Relay
from api.streams.updates import UpdateFeed
from core.catalog import Catalog, load_catalog
from core.db import Sessionmaker, make_engine, make_sessionmaker, read_only
from core.eventlog import EventLog
from core.files.store import FileStore, make_file_store
from core.migrate import check_schema
from core.redis import connect, dedicated_connection, target_of
from core.settings import Settings
from core.tokens import counter_for

# The relay's XREAD BLOCK: how long it waits with nothing new before reading again.
RELAY_BLOCK_MS = 5000
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class ApiDeps:
    """The clients an API process makes once at start-up and every request shares."""

    settings: Settings
    catalog: Catalog
    engine: AsyncEngine
    sessionmaker: Sessionmaker
    redis: ArqRedis  # the pool every request borrows from
    log: EventLog
    relay: Relay
    streams: AnswerStreams
    quota: StreamQuota
    updates: UpdateFeed
    authenticator: Authenticator
    revocations: Revocations
    starts: StartLane
    files: FileStore

    @classmethod
    async def open(cls, settings: Settings) -> "ApiDeps":
        """Check the schema, make every client, and start the relay and the two feeds."""
        await check_schema(settings.database_url)
        catalog = load_catalog(settings)
        counter_for(catalog.get(None))  # load the tokenizer now rather than in the first request
        engine = make_engine(settings.database_url)
        sessionmaker = make_sessionmaker(engine)
        redis_at = target_of(settings)
        redis = connect(redis_at, settings.redis_pool_size, "relaychat-api")
        log = EventLog(redis, settings.log_ttl_seconds)
        reader = dedicated_connection(redis_at, "relaychat-relay", socket_timeout=RELAY_BLOCK_MS / 1000 + 5)
        relay = Relay(reader, redis, log, RELAY_BLOCK_MS)
        authenticator = Authenticator(sessionmaker, settings.session_idle)
        revocations = Revocations(dedicated_connection(redis_at, "relaychat-auth"), authenticator)
        quota = StreamQuota(settings.max_streams_per_user)
        deps = cls(
            settings=settings,
            catalog=catalog,
            engine=engine,
            sessionmaker=sessionmaker,
            redis=redis,
            log=log,
            relay=relay,
            streams=AnswerStreams(relay, revocations, quota, log, settings.heartbeat_seconds),
            quota=quota,
            updates=UpdateFeed(dedicated_connection(redis_at, "relaychat-updates")),
            authenticator=authenticator,
            revocations=revocations,
            starts=StartLane(engine.dialect.name),
            files=make_file_store(settings.file_store, settings.files_dir, sessionmaker),
        )
        relay.start()
        deps.updates.start()
        revocations.start()
        return deps

    async def close(self) -> None:
        await self.revocations.close()
        await self.updates.close()
        await self.relay.close()
        await self.redis.aclose()
        await self.engine.dispose()


# Async, every one: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per request.
async def _deps(request: Request) -> ApiDeps:
    deps: ApiDeps = request.app.state.deps
    return deps


DepsDep = Annotated[ApiDeps, Depends(_deps)]


async def _session(request: Request, deps: DepsDep) -> AsyncIterator[AsyncSession]:
    # One per request: FastAPI caches a dependency's value for the request, so the lookups and
    # the route share this session and its transaction.
    async with deps.sessionmaker() as session:
        if request.method in SAFE_METHODS:
            await read_only(session)  # a GET never writes: on SQLite it need not wait for writers
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


async def _start_checks(session: SessionDep, deps: DepsDep) -> AsyncIterator[StartTurn]:
    turn = await deps.starts.enter()
    try:
        await read_only(session)
        yield turn
    finally:
        turn.leave()  # if the route did not: it failed before its answer started


START_CHECKS = Depends(_start_checks)
"""For the routes that start an answer (submit, edit, regenerate, the /v1 answers). They wait for
their turn in the process's `StartLane` (api/start_lane.py), and leave it once `start_answer`
returns. Their reads, the lookups' included, run in a read-only transaction, and `start_answer`
writes in one of its own, so that on SQLite the write lock is not held while they check. A route's
`dependencies=[...]` run before the dependencies of its parameters: declared there, this comes
before the lookups' first read, which would otherwise begin the transaction as one that may write."""

StartTurnDep = Annotated[StartTurn, START_CHECKS]
"""The route's turn (the same value as its `START_CHECKS`), to leave when its answer started."""


class StartChecks:
    """`START_CHECKS` entered when the route is ready for them: the /v1 answer routes first store
    the files a request brings inline, through database sessions of their own (on SQLite the
    pool's one connection must not be the route's yet), and without holding a turn of the lane
    while a file is copied in. Nothing may read through the route's session before `enter`."""

    def __init__(self, session: AsyncSession, lane: StartLane) -> None:
        self._session = session
        self._lane = lane
        self._turn: StartTurn | None = None

    async def enter(self) -> StartTurn:
        """Wait for the route's turn, then begin its read-only transaction."""
        self._turn = await self._lane.enter()
        await read_only(self._session)
        return self._turn

    def leave(self) -> None:
        if self._turn is not None:
            self._turn.leave()


async def _late_start_checks(session: SessionDep, deps: DepsDep) -> AsyncIterator[StartChecks]:
    checks = StartChecks(session, deps.starts)
    try:
        yield checks
    finally:
        checks.leave()  # if the route did not: it failed before its answer started


LateStartDep = Annotated[StartChecks, Depends(_late_start_checks)]
"""A route's `START_CHECKS`, which it enters itself (`StartChecks.enter`)."""
