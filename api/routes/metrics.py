"""`GET /metrics`: this API process's Prometheus metrics, for the token or an allowed network.

Each API process serves what it counted itself (core/metrics.py); a deployment's Prometheus
scrapes every process. The queue's depth and the live workers are read from Redis as the scrape
asks (three round trips), so every API process tells the same figures.
"""

import asyncio
import logging

from fastapi import APIRouter, Request, Response
from redis.exceptions import RedisError

from api.deps import DepsDep
from api.refusals import Forbidden, NotFound
from api.routing import CheckedRoute
from core import heartbeats, keys, metrics

logger = logging.getLogger(__name__)

router = APIRouter(route_class=CheckedRoute, tags=["operations"])

# How long a scrape waits for Redis's figures before it answers without them (NaN).
REDIS_SECONDS = 1.0


@router.get("/metrics", include_in_schema=False)
async def read_metrics(request: Request, deps: DepsDep) -> Response:
    """This process's metrics in Prometheus's text format: 404 from a network not allowed without
    the token (as if there were none), 403 with a wrong token."""
    if not metrics.on:
        raise NotFound("Not Found")  # RELAYCHAT_METRICS=false
    access = metrics.Access(deps.settings.metrics_token, deps.settings.metrics_allow)
    status = access.check(request.client.host if request.client else None, dict(request.scope["headers"]))
    if status == 403:
        raise Forbidden("This token may not read the metrics.")
    if status != 200:
        raise NotFound("Not Found")
    await _read_queue(deps)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


async def _read_queue(deps: DepsDep) -> None:
    try:
        async with asyncio.timeout(REDIS_SECONDS):
            queued = await deps.redis.zcard(keys.QUEUE)
            workers = await heartbeats.alive(deps.redis)
    except (RedisError, OSError, TimeoutError) as error:
        logger.warning("metrics: the queue could not be read: %r", error)
        for gauge in (metrics.QUEUE_JOBS.labels("waiting"), metrics.QUEUE_JOBS.labels("running")):
            gauge.set(float("nan"))
        metrics.WORKERS_ALIVE.set(float("nan"))
        return
    # Running jobs stay in ARQ's queue until they end: the waiting ones are the rest.
    running = sum(worker.running for worker in workers)
    metrics.QUEUE_JOBS.labels("waiting").set(max(0, queued - running))
    metrics.QUEUE_JOBS.labels("running").set(running)
    metrics.WORKERS_ALIVE.set(len(workers))
