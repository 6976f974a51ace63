"""The API process: `uvicorn api.main:app` (or `relaychat api`)."""

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import errors
from api.accounts.auth import ADMIN, SIGNED_IN
from api.deps import ApiDeps
from api.guards import BodyLimit, Guards
from api.openai.chat_schemas import OPENAI_ERRORS
from api.request_metrics import RequestMetrics
from api.request_traces import RequestTraces
from api.routes import (
    admin,
    admin_feedback,
    auth,
    branches,
    chat_completions,
    conversations,
    feedback,
    files,
    folders,
    health,
    imports,
    keys,
    limits,
    mcp_servers,
    messages,
    metrics,
    models,
    openai_files,
    openai_models,
    presets,
    responses,
    search,
    shared,
    shares,
    stream,
    titles,
    tools,
    transfer,
    updates,
    usage,
)
from api.routing import CheckedRoute
from api.schemas import ERRORS
from api.uploads import FORM_FRAMING, MB, too_large
from api.web import mount_web
from core import tracing
from core.heap import settle_heap
from core.logs import configure_logging
from core.metrics import turn_off
from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if not settings.metrics:
        turn_off()  # nothing counted: what the metrics cost is measured against this

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("api", settings.log_format)
        tracing.set_up("api")  # when OTEL_EXPORTER_OTLP_ENDPOINT is set
        app.state.deps = await ApiDeps.open(settings)
        settle_heap()
        try:
            yield
        finally:
            await app.state.deps.close()
            await asyncio.to_thread(tracing.shut_down)

    app = FastAPI(title="relaychat", version="0.1.0", lifespan=lifespan)
    app.router.route_class = CheckedRoute  # for the routes made on the app itself (the web UI's)
    errors.install(app)
    # Every route of these needs a signed-in user (a sign-in or an API key): 401 otherwise; the
    # admin's, an admin (403). Checked first, before a route opens its database session.
    signed_in = [conversations, titles, transfer, messages, branches, stream, search, updates, models]
    signed_in += [shares, feedback]
    signed_in += [keys, usage, tools, files, folders, presets, imports]
    for module in signed_in:
        app.include_router(module.router, prefix="/api", responses=ERRORS, dependencies=[SIGNED_IN])
    # The OpenAI-compatible routes: the same sign-in (an API key, as OpenAI's SDKs send it), at /v1.
    for module in (openai_models, chat_completions, responses, openai_files):
        app.include_router(module.router, responses=OPENAI_ERRORS, dependencies=[SIGNED_IN])
    for module in (admin, limits, mcp_servers, admin_feedback):
        app.include_router(module.router, prefix="/api", responses=ERRORS, dependencies=[ADMIN])
    # Operations: the orchestrator's probes (open), and this process's metrics (for the metrics
    # token or an allowed network: api/routes/metrics.py). Before the web UI's catch-all route.
    app.include_router(health.probes)
    app.include_router(metrics.router)
    # Route by route: signing in and up are open, as is the health check; a shared link's copy is
    # open to anyone with its token (api/routes/shared.py).
    for module in (auth, health, shared):
        app.include_router(module.router, prefix="/api", responses=ERRORS)
    mount_web(app, settings.web_dist)
    upload_bytes = int(settings.max_upload_mb * MB) + FORM_FRAMING
    # A /v1 answer's request may bring a file inline, base64 in a data URL: a third larger.
    inline_bytes = settings.max_body_bytes + math.ceil(settings.max_upload_mb * 4 / 3) * MB
    bodies = [
        BodyLimit("", settings.max_body_bytes),
        BodyLimit("/api/conversations/import", settings.max_import_bytes, transfer.IMPORT_TOO_BIG),
        # The file and the form's framing; the file itself is held to the limit exactly (api/uploads.py).
        BodyLimit("/api/files", upload_bytes, too_large(settings.max_upload_mb)),
        BodyLimit("/v1/files", upload_bytes, too_large(settings.max_upload_mb)),
        BodyLimit("/v1/chat/completions", inline_bytes),
        BodyLimit("/v1/responses", inline_bytes),
    ]
    timeout = settings.body_timeout_seconds
    app.add_middleware(Guards, allowed_hosts=settings.allowed_hosts, limits=bodies, body_timeout=timeout)
    if settings.metrics:
        app.add_middleware(RequestMetrics)  # outside the guards: what they refuse is counted too
    app.add_middleware(RequestTraces)  # outermost but the proxies': a request's span holds all of it
    if proxies := [address.strip() for address in settings.trusted_proxies.split(",") if address.strip()]:
        # Only these proxies' X-Forwarded-For and -Proto are believed (`relaychat api` runs uvicorn
        # with its own proxy handling off, which would believe any from the loopback).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


app = create_app()
