"""Enqueueing an answer: ARQ's `enqueue_job` plus a wake-up PUBLISH, against relaychat's one Lua
call, side by side in one run on the same redis-server.

Run: `.venv/bin/python -m bench.enqueue`. Writes bench/results/enqueue.json.
"""

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from arq.connections import ArqRedis

from bench.stats import write_result
from core import keys
from core.jobs import GENERATE, enqueue_answer
from core.redis import serialize_job
from tests.support.processes import RedisServer

ROUNDS = 3000


async def arq_way(redis: ArqRedis, message_id: str) -> None:
    job = await redis.enqueue_job(GENERATE, message_id, _job_id=message_id)
    if job is not None:
        await redis.publish(keys.WAKE_CHANNEL, message_id)


async def measure(url: str) -> dict[str, Any]:
    redis = ArqRedis.from_url(url)
    redis.job_serializer = serialize_job
    redis.default_queue_name = keys.QUEUE
    times: dict[str, list[float]] = {"arq enqueue_job + publish": [], "one Lua call": []}

    async def lua_way(redis: ArqRedis, message_id: str) -> None:
        await enqueue_answer(redis, message_id, "a-user")

    ways = {"arq enqueue_job + publish": arq_way, "one Lua call": lua_way}
    for turn in range(ROUNDS):
        for name in list(ways)[turn % 2 :] + list(ways)[: turn % 2]:  # interleaved, alternating first
            started = time.perf_counter()
            await ways[name](redis, f"{name[:3]}-{turn}")
            times[name].append(time.perf_counter() - started)
    await redis.aclose()
    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    return {
        "rounds": ROUNDS,
        "p50_us": {name: round(value, 1) for name, value in medians.items()},
        "ratio": round(medians["one Lua call"] / medians["arq enqueue_job + publish"], 2),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        server = RedisServer(Path(temporary))
        try:
            result = asyncio.run(measure(server.url))
        finally:
            server.stop()
    write_result("enqueue", result)
    print(result)


if __name__ == "__main__":
    main()
