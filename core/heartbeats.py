"""Workers' heartbeats in Redis: each worker says every few seconds that it is alive, with its
slots and running jobs; the API reads them for `/health/ready` and the queue's metrics.

A heartbeat is a key of its own that expires (`keys.worker`), so a worker that died, or that
cannot reach Redis, lapses by Redis's clock alone, whatever the hosts' clocks say; the set
`keys.WORKERS` names the workers to look for, and every beat drops from it those that lapsed.
"""

import json
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from core import keys

LAPSES_AFTER_BEATS = 3
"""A worker counts as alive for this many heartbeat intervals after its last beat."""

# KEYS: the set of workers. ARGV: this worker's id, its heartbeat (JSON), how long it lives (ms).
_BEAT = f"""
redis.call('SET', '{keys.WORKER_PREFIX}' .. ARGV[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', '{keys.WORKER_PREFIX}' .. id) == 0 then redis.call('SREM', KEYS[1], id) end
end
return 1
"""


def worker_id() -> str:
    """This process's id among the workers: its host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """What a worker said in its last beat."""

    id: str
    slots: int
    running: int
    beat_at: float  # the worker's clock (time.time()), for a person to read


async def beat(redis: Redis, worker: str, slots: int, running: int, interval: float) -> None:
    """Say that `worker` is alive for the next `LAPSES_AFTER_BEATS` intervals."""
    value = json.dumps({"slots": slots, "running": running, "beat_at": round(time.time(), 3)})
    ttl_ms = max(1, round(interval * LAPSES_AFTER_BEATS * 1000))
    await redis.register_script(_BEAT)(keys=[keys.WORKERS], args=[worker, value, ttl_ms])


async def forget(redis: Redis, worker: str) -> None:
    """A worker that stops says so at once, rather than lapsing."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.srem(keys.WORKERS, worker)
        pipe.delete(keys.worker(worker))
        await pipe.execute()


async def alive(redis: Redis) -> list[Heartbeat]:
    """The workers whose heartbeat has not lapsed (two round trips)."""
    members: set[bytes] = await redis.smembers(keys.WORKERS)  # type: ignore[misc]
    ids = sorted(member.decode() for member in members)
    if not ids:
        return []
    values = await redis.mget([keys.worker(worker) for worker in ids])
    beats = []
    for worker, value in zip(ids, values, strict=True):
        if value is None:
            continue
        said: dict[str, Any] = json.loads(value)
        beats.append(Heartbeat(worker, int(said["slots"]), int(said["running"]), float(said["beat_at"])))
    return beats
