"""The API process: `uvicorn api.main:app` (or `relaychat api`)."""

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import FastAPI

from api import errors
from api.accounts.auth import ADMIN, SIGNED_IN, Authenticator
from api.accounts.revocations import Revocations
from api.openai.chat_schemas import OPENAI_ERRORS
from api.routes import (
    admin,
    auth,
    branches,
    chat_completions,
    conversations,
    health,
    keys,
    limits,
    messages,
    models,
    openai_models,
    responses,
    search,
    stream,
    titles,
    transfer,
    updates,
    usage,
)
from api.schemas import ERRORS
from api.streams.answer_stream import AnswerStreams
from api.streams.relay import Relay
from api.streams.updates import UpdateFeed
from api.web import mount_web
from core.catalog import load_catalog
from core.db import make_engine, make_sessionmaker
from core.eventlog import EventLog
from core.heap import settle_heap
from core.logs import configure_logging
from core.migrate import check_schema
from core.redis import connect, dedicated_connection, target_of
from core.settings import Settings, get_settings
from core.tokens import counter_for

logger = logging.getLogger(__name__)

# The relay's XREAD BLOCK: how long it waits with nothing new before reading again.
RELAY_BLOCK_MS = 5000


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        await check_schema(settings.database_url)
        catalog = load_catalog(settings)
        counter_for(catalog.get(None))  # load the tokenizer now rather than in the first request
        engine = make_engine(settings.database_url)
        redis_at = target_of(settings)
        redis = connect(redis_at, settings.redis_pool_size, "relaychat-api")
        log = EventLog(redis, settings.log_ttl_seconds)
        reader = dedicated_connection(redis_at, "relaychat-relay", socket_timeout=RELAY_BLOCK_MS / 1000 + 5)
        relay = Relay(reader, redis, log, RELAY_BLOCK_MS)
        relay.start()
        feed = UpdateFeed(dedicated_connection(redis_at, "relaychat-updates"))
        feed.start()
        sessionmaker = make_sessionmaker(engine)
        authenticator = Authenticator(sessionmaker, settings.session_idle)
        revocations = Revocations(dedicated_connection(redis_at, "relaychat-auth"), authenticator)
        revocations.start()
        app.state.settings = settings
        app.state.catalog = catalog
        app.state.sessionmaker = sessionmaker
        app.state.authenticator = authenticator
        app.state.revocations = revocations
        app.state.redis = redis
        app.state.log = log
        app.state.relay = relay
        app.state.answer_streams = AnswerStreams(relay, revocations, log, settings.heartbeat_seconds)
        app.state.updates = feed
        settle_heap()
        try:
            yield
        finally:
            await revocations.close()
            await feed.close()
            await relay.close()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(title="relaychat", version="0.1.0", lifespan=lifespan)
    errors.install(app)
    # Every route of these needs a signed-in user (a session or an API key): 401 otherwise; the
    # admin's, an admin (403). Checked first, before a route opens its database session.
    signed_in = [conversations, titles, transfer, messages, branches, stream, search, updates, models]
    signed_in += [keys, usage]
    for module in signed_in:
        app.include_router(module.router, prefix="/api", responses=ERRORS, dependencies=[SIGNED_IN])
    # The OpenAI-compatible routes: the same sign-in (an API key, as OpenAI's SDKs send it), at /v1.
    for module in (openai_models, chat_completions, responses):
        app.include_router(module.router, responses=OPENAI_ERRORS, dependencies=[SIGNED_IN])
    for module in (admin, limits):
        app.include_router(module.router, prefix="/api", responses=ERRORS, dependencies=[ADMIN])
    # Route by route: signing in and up are open, as is the health check.
    for module in (auth, health):
        app.include_router(module.router, prefix="/api", responses=ERRORS)
    mount_web(app, settings.web_dist)
    return app


app = create_app()
