"""Health: `GET /api/health`, the load balancer's probe of the database, Redis and the relay; and
`GET /health/live` and `GET /health/ready`, an orchestrator's probes of the process and of what
it needs to serve (the database, Redis, the relay, and at least one worker alive)."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse
from sqlmodel import select

from api.deps import ApiDeps, DepsDep, SessionDep
from api.routing import CheckedRoute
from core import heartbeats
from core.db import read_only
from core.models import Conversation

router = APIRouter(route_class=CheckedRoute, tags=["health"])
probes = APIRouter(route_class=CheckedRoute, tags=["health"])
"""`/health/live` and `/health/ready`, at the root: outside the API's schema, open to anyone."""

# How long each check of `/health/ready` may take: a store that does not answer by then is down
# for a probe (the API's own Redis client would retry for seconds).
CHECK_SECONDS = 2.0


@router.get("/health")
async def health(session: SessionDep, deps: DepsDep) -> dict[str, str]:
    """200 when the database and Redis answer and the relay reads; a load balancer's probe."""
    await session.exec(select(Conversation.id).limit(1))
    await deps.redis.ping()
    if not deps.relay.alive:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The stream relay has stopped")
    return {"status": "ok"}  # open to anyone: it says nothing about what the deployment is doing


@probes.get("/health/live", include_in_schema=False)
async def live() -> dict[str, str]:
    """200 while the process serves requests: restart it when this fails."""
    return {"status": "live"}


@probes.get("/health/ready", include_in_schema=False)
async def ready(deps: DepsDep) -> JSONResponse:
    """200 when this process can serve answers: the database and Redis answer, its relay reads,
    and a worker's heartbeat is current; 503 otherwise. The body names each check's result (no
    error's text: it is open to anyone)."""
    names = ("database", "redis", "relay", "workers")
    checks: list[Callable[[ApiDeps], Awaitable[str]]] = [_database, _redis, _relay, _workers]
    results = await asyncio.gather(*(_bounded(check, deps) for check in checks))
    report = dict(zip(names, results, strict=True))
    ok = all(result == "ok" for result in results)
    return JSONResponse(
        {"status": "ready" if ok else "not ready", "checks": report},
        status_code=status.HTTP_200_OK if ok else status.HTTP_503_SERVICE_UNAVAILABLE,
    )


async def _bounded(check: Callable[[ApiDeps], Awaitable[str]], deps: ApiDeps) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await check(deps)
    except TimeoutError:
        return "timed out"
    except Exception:
        return "failed"


async def _database(deps: ApiDeps) -> str:
    async with deps.sessionmaker() as session:
        await read_only(session)
        await session.exec(select(Conversation.id).limit(1))
    return "ok"


async def _redis(deps: ApiDeps) -> str:
    await deps.redis.ping()
    return "ok"


async def _relay(deps: ApiDeps) -> str:
    return "ok" if deps.relay.alive else "stopped"


async def _workers(deps: ApiDeps) -> str:
    return "ok" if await heartbeats.alive(deps.redis) else "none alive"
