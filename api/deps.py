from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from api.relay import Relay
from api.updates import UpdateFeed
from core.catalog import Catalog
from core.db import read_only
from core.eventlog import EventLog
from core.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD"})


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        if request.method in SAFE_METHODS:
            await read_only(session)  # a GET never writes: on SQLite it need not wait for writers
        yield session


# Async, every one: FastAPI runs a plain `def` dependency in its thread pool, a thread hop per
# request that cost about 1.5 ms of wall time each under load.
async def _redis(request: Request) -> ArqRedis:
    redis: ArqRedis = request.app.state.redis
    return redis


async def _log(request: Request) -> EventLog:
    log: EventLog = request.app.state.log
    return log


async def _relay(request: Request) -> Relay:
    relay: Relay = request.app.state.relay
    return relay


async def _updates(request: Request) -> UpdateFeed:
    feed: UpdateFeed = request.app.state.updates
    return feed


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.catalog
    return catalog


SessionDep = Annotated[AsyncSession, Depends(_session)]
RedisDep = Annotated[ArqRedis, Depends(_redis)]
LogDep = Annotated[EventLog, Depends(_log)]
RelayDep = Annotated[Relay, Depends(_relay)]
UpdatesDep = Annotated[UpdateFeed, Depends(_updates)]
SettingsDep = Annotated[Settings, Depends(_settings)]
CatalogDep = Annotated[Catalog, Depends(_catalog)]
