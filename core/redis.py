"""Redis clients with retries, and ARQ's JSON job serializer."""

import json
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError

from core import keys

# redis-py 5 does not retry by default; with this a Redis restart (a few seconds) is ridden out
# instead of failing every request and killing ARQ's poll loop.
RETRY_ON = [ConnectionError, TimeoutError, ConnectionResetError, OSError]


def retry_policy(retries: int) -> Retry:
    """Exponential backoff from 50 ms, capped at 2 s: 6 retries ride out ~3 s, 12 about 17 s."""
    return Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=retries)


# Workers wait out a Redis restart; a person's request gets a 503 after a few seconds instead.
WORKER_RETRIES = 12
API_RETRIES = 6


def serialize_job(data: dict[str, Any]) -> bytes:
    # No pickle: jobs are JSON; an exception in a failed job's result becomes its repr.
    return json.dumps(data, default=repr).encode()


def deserialize_job(data: bytes) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(data)
    return result


def arq_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.retry = retry_policy(WORKER_RETRIES)
    settings.retry_on_error = RETRY_ON
    settings.conn_retries = 10
    return settings


def connect(url: str, max_connections: int, client_name: str) -> ArqRedis:
    """The shared Redis client of an API process: a full redis-py client that can also enqueue.

    The pool is bounded and blocking, so a burst of clients waits for a connection instead of
    opening one each: Redis connections per process stay flat however many browsers attach.
    """
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=10,
        retry=retry_policy(API_RETRIES),
        retry_on_error=RETRY_ON,
        socket_connect_timeout=5,
        # Blocking reads have connections of their own; on this pool a silent Redis is an error.
        socket_timeout=10,
        health_check_interval=30,
        client_name=client_name,
    )
    return ArqRedis(
        pool, job_serializer=serialize_job, job_deserializer=deserialize_job, default_queue_name=keys.QUEUE
    )


def dedicated_connection(url: str, client_name: str, socket_timeout: float | None = None) -> Redis:
    """One connection of its own, for a blocking reader or a pub/sub listener; it reconnects itself."""
    client: Redis = Redis.from_url(
        url,
        single_connection_client=True,
        client_name=client_name,
        socket_timeout=socket_timeout,
        socket_connect_timeout=5,
        health_check_interval=30,
    )
    return client
