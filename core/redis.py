"""Redis clients with retries, on one server or on the primary that Sentinel names; ARQ's JSON
job serializer."""

import json
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import BlockingConnectionPool, Connection, ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError, TimeoutError

from core import keys
from core.settings import Settings

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


@dataclass(frozen=True, slots=True)
class RedisTarget:
    """Where Redis is: the server at `url`, or, with `sentinels`, the primary they name `master`
    (every new connection asks them, so a failover is followed by reconnecting)."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = "mymaster"
    password: str | None = None
    sentinel_password: str | None = None


def target_of(settings: Settings) -> RedisTarget:
    return RedisTarget(
        url=settings.redis_url,
        sentinels=parse_sentinels(settings.redis_sentinels),
        master=settings.redis_sentinel_master,
        password=settings.redis_password,
        sentinel_password=settings.redis_sentinel_password,
    )


def parse_sentinels(addresses: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port` (the port defaults to Sentinel's 26379)."""
    parsed = []
    for address in filter(None, (part.strip() for part in addresses.split(","))):
        host, _, port = address.rpartition(":") if ":" in address else (address, "", "26379")
        parsed.append((host.strip("[]"), int(port)))
    return tuple(parsed)


class _SentinelConnection(SentinelManagedConnection):
    """Sentinel's connection, asking the Sentinels where the primary is at every attempt.

    redis-py's retries the connect to the address it found first, with the whole backoff, before
    it asks them again: after a failover every process kept trying the dead primary for ≈15 s.
    """

    async def connect_to(self, address: tuple[str, int]) -> None:
        self.host, self.port = address
        retry, self.retry = self.retry, Retry(NoBackoff(), 0)
        try:
            await Connection.connect(self)  # type: ignore[no-untyped-call]  # once; the caller retries
        finally:
            self.retry = retry


class _BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """Sentinel's pool, waiting for a free connection as BlockingConnectionPool does."""


def _pool(target: RedisTarget, blocking: bool, **options: Any) -> ConnectionPool:
    if not target.sentinels:
        return (BlockingConnectionPool if blocking else ConnectionPool).from_url(target.url, **options)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        list(target.sentinels),
        sentinel_kwargs={
            "password": target.sentinel_password,
            "socket_timeout": 1,
            "socket_connect_timeout": 1,
        },
    )
    sentinel_pool = _BlockingSentinelPool if blocking else SentinelConnectionPool
    pool: ConnectionPool = sentinel_pool(  # type: ignore[no-untyped-call]
        target.master, sentinel, password=target.password, connection_class=_SentinelConnection, **options
    )
    return pool


def arq_settings(target: RedisTarget) -> RedisSettings:
    """ARQ's settings for its CLI, which connects before it hands the process over (worker/main.py)."""
    if target.sentinels:
        settings = RedisSettings(
            host=list(target.sentinels),
            sentinel=True,
            sentinel_master=target.master,
            password=target.password,
        )
    else:
        settings = RedisSettings.from_dsn(target.url)
    settings.retry = retry_policy(WORKER_RETRIES)
    settings.retry_on_error = RETRY_ON
    settings.conn_retries = 10
    return settings


def connect(
    target: RedisTarget, max_connections: int, client_name: str, retries: int = API_RETRIES
) -> ArqRedis:
    """A process's shared Redis client: a full redis-py client that can also enqueue.

    The pool is bounded and blocking, so a burst of clients waits for a connection instead of
    opening one each: Redis connections per process stay flat however many browsers attach.
    """
    pool = _pool(
        target,
        blocking=True,
        max_connections=max_connections,
        timeout=10,
        retry=retry_policy(retries),
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


def dedicated_connection(target: RedisTarget, client_name: str, socket_timeout: float | None = None) -> Redis:
    """One connection of its own, for a blocking reader or a pub/sub listener; it reconnects itself."""
    pool = _pool(
        target,
        blocking=False,
        client_name=client_name,
        socket_timeout=socket_timeout,
        socket_connect_timeout=5,
        health_check_interval=30,
    )
    client = Redis(connection_pool=pool, single_connection_client=True)
    client.auto_close_connection_pool = True  # the pool is this client's alone
    return client
