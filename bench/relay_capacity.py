"""How many streams one API process, and two, relay at 20 tokens/s each, with added latency p99 ≤ 100 ms.

Run: `.venv/bin/python -m bench.relay_capacity [--steps 500 1000 …] [--api-processes 1 2]`. Writes
bench/results/relay_capacity.json. `--metrics both --rounds 3` measures what the metrics cost: two
deployments side by side, one with `RELAYCHAT_METRICS=false`, each step on one then the other (the
order alternating by round), the one with metrics scraped every 5 s as Prometheus would; writes
bench/results/relay_capacity_metrics.json.

API processes (the clients spread evenly over them), their Redis and no worker: a writer process
appends one token every 50 ms to each of N answers' logs (plain XADDs, pipelined, so the writer is
not what limits), stamped with its send time; N raw-socket SSE clients read them. Per step: the
added latency (append → client), each API's CPU, the RSS per stream and the Redis connections.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any

import httpx
import redis
import uvloop

from bench.deployment import unlimited
from bench.stats import ProcessMeter, percentiles, redis_clients, write_result
from core import keys
from core.settings import Settings
from tests.support.stack import ONE_ACCOUNT_LOAD, Stack, Upstream

TOKEN_INTERVAL = 0.05
GROUPS = 10  # the writer spreads each 50 ms over ten slices rather than writing every log at once
MEASURE_SECONDS = 8.0
LIMIT_MS = 100.0
SCRAPE_SECONDS = 5.0  # how often a deployment with metrics has them read while measured


def write_tokens(port: int, message_ids: list[str], stop: ProcessEvent) -> None:
    client = redis.Redis(port=port)
    groups = [message_ids[g::GROUPS] for g in range(GROUPS)]
    tick = time.monotonic()
    while not stop.is_set():
        for group in groups:
            pipe = client.pipeline(transaction=False)
            stamp = json.dumps({"text": f"{time.time():.6f} "})
            for message_id in group:
                pipe.xadd(keys.log(message_id), {"e": "delta", "d": stamp})
            pipe.execute()
            tick += TOKEN_INTERVAL / GROUPS
            time.sleep(max(0.0, tick - time.monotonic()))
    pipe = client.pipeline(transaction=False)
    for message_id in message_ids:
        pipe.xadd(keys.log(message_id), {"e": "done", "d": "{}"})
    pipe.execute()


@dataclass
class Window:
    """The measured seconds (epoch): only tokens the writer sent within it count."""

    start: float = float("inf")
    end: float = float("inf")


STAMPS = re.compile(rb'"text": ?"([^"]*)"')


class StreamReader(asyncio.Protocol):
    """One SSE client, as lean as a Python client gets: it scans what arrives for the stamps in
    the deltas rather than parsing line by line, to leave the two cores to what is measured."""

    def __init__(self, latencies: list[float], window: Window) -> None:
        self.latencies = latencies
        self.window = window
        self.pending = b""
        loop = asyncio.get_running_loop()
        self.live: asyncio.Future[None] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if not self.live.done() and STAMPS.search(data):
            self.live.set_result(None)
        whole, _, self.pending = (self.pending + data).rpartition(b"\n\n")
        for text in STAMPS.findall(whole):
            for stamp in map(float, text.split()):
                if self.window.start <= stamp < self.window.end:
                    self.latencies.append(now - stamp)
        if b"event: done" in whole and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def read_stream(reader: StreamReader, port: int, key: str, message_id: str) -> None:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(lambda: reader, "127.0.0.1", port)
    request = (
        f"GET /api/messages/{message_id}/stream HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\r\n"
    )
    transport.write(request.encode())
    try:
        await reader.done
    finally:
        transport.close()


async def new_answers(url: str, headers: dict[str, str], count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one() -> str:
            conversation = (await client.post("/api/conversations", json={})).json()["id"]
            path = f"/api/conversations/{conversation}/messages"
            submitted = await client.post(path, json={"content": "q"})
            message_id: str = submitted.json()["assistant_message"]["id"]
            return message_id

        ids: list[str] = []
        for start in range(0, count, 50):
            ids += await asyncio.gather(*(one() for _ in range(min(50, count - start))))
        return ids


async def scrape(stack: Stack, stop: asyncio.Event) -> int:
    """Read every API process's `/metrics` every `SCRAPE_SECONDS` until `stop`: how many reads."""
    reads = 0
    async with httpx.AsyncClient(timeout=10) as client:
        while not stop.is_set():
            for api in stack.apis:
                (await client.get(f"{api.url}/metrics")).raise_for_status()
                reads += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SCRAPE_SECONDS)
    return reads


async def step(stack: Stack, streams: int, metrics: bool = True) -> dict[str, Any]:
    """`streams` streams, spread evenly over the stack's API processes (their metrics read as
    Prometheus would, when they have some)."""
    apis = stack.apis
    message_ids = await new_answers(stack.api.url, stack.api.headers, streams)
    meters = [ProcessMeter(api.popen.pid) for api in apis]
    # The rest of the machine, to tell whether the API is what limits: the clients (this process),
    # the writer and Redis share the same two cores.
    others = {"clients": ProcessMeter(os.getpid()), "redis": ProcessMeter(stack.redis.popen.pid)}
    rss_before = sum(meter.rss_bytes() for meter in meters)
    latencies: list[float] = []
    window = Window()
    readers = [StreamReader(latencies, window) for _ in message_ids]
    tasks = []
    for start in range(0, streams, 100):  # connect in waves, as people arrive
        for i in range(start, min(start + 100, streams)):
            port = apis[i % len(apis)].port
            tasks.append(asyncio.create_task(read_stream(readers[i], port, stack.key(), message_ids[i])))
        await asyncio.sleep(0.05)
    stop = multiprocessing.Event()
    writer = multiprocessing.Process(target=write_tokens, args=(stack.redis.port, message_ids, stop))
    writer.start()
    # Measured once every stream has had tokens: a stream still opening would count the backlog
    # it replays as latency.
    await asyncio.wait_for(asyncio.gather(*(reader.live for reader in readers)), 60)
    await asyncio.sleep(1)
    for started in (*meters, *others.values()):
        started.start()
    writer_meter = ProcessMeter(writer.pid) if writer.pid else None
    if writer_meter:
        writer_meter.start()
    window.start = time.time()
    scraped = asyncio.Event()
    scraping = asyncio.create_task(scrape(stack, scraped)) if metrics else None
    await asyncio.sleep(MEASURE_SECONDS)
    window.end = time.time()
    cpu = [meter.cpu_seconds() / MEASURE_SECONDS for meter in meters]
    other_cpu = {name: m.cpu_seconds() / MEASURE_SECONDS for name, m in others.items()}
    if writer_meter:
        other_cpu["writer"] = writer_meter.cpu_seconds() / MEASURE_SECONDS
    rss_per_stream = (sum(meter.rss_bytes() for meter in meters) - rss_before) / streams
    connections = redis_clients(stack.redis.port, "relaychat-")
    scraped.set()
    scrapes = await scraping if scraping else 0
    stop.set()
    writer.join()
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return {
        "api_processes": len(apis),
        "metrics": metrics,
        "scrapes": scrapes,
        "streams": streams,
        "events_per_s": streams / TOKEN_INTERVAL,
        "added_latency": percentiles(latencies),
        "deliveries": len(latencies),
        "api_cpu_cores": cpu,  # each API process's
        "other_cpu_cores": other_cpu,
        "api_rss_per_stream_kib": rss_per_stream / 1024,
        "api_redis_connections": connections,  # all API processes'
    }


def run(steps: list[int], api_processes: list[int]) -> dict[str, Any]:
    """Each step in turn on one API process, then on two, ..., until p99 passes the limit."""
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        stack = Stack(log_dir, upstream, settings={"heartbeat_seconds": "15", **ONE_ACCOUNT_LOAD})
        try:
            for processes in api_processes:
                while len(stack.apis) < processes:
                    stack.start_api()
                unlimited(stack.api.url, stack.headers)  # no worker: every answer stays waiting
                for streams in steps:
                    result = uvloop.run(step(stack, streams))
                    results.append(result)
                    print(json.dumps(result), flush=True)
                    if result["added_latency"]["p99_ms"] > LIMIT_MS:
                        break
        finally:
            stack.close()
            upstream.stop()
    return {
        "tokens_per_s_per_stream": 1 / TOKEN_INTERVAL,
        "limit_p99_ms": LIMIT_MS,
        "max_streams_within_limit": {
            str(processes): max(
                (
                    r["streams"]
                    for r in results
                    if r["api_processes"] == processes and r["added_latency"]["p99_ms"] <= LIMIT_MS
                ),
                default=0,
            )
            for processes in api_processes
        },
        # Each API's Redis connections: its bounded pool, plus one each for the relay's reader, the
        # updates feed and the revocations feed.
        "api_redis_connection_bound": Settings().redis_pool_size + 3,
        "steps": results,
    }


def compare_metrics(steps: list[int], rounds: int) -> dict[str, Any]:
    """The same steps on two deployments of one API process, with metrics and without, side by
    side: each round runs every step on both, the first of the two alternating by round."""
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        load = {"heartbeat_seconds": "15", **ONE_ACCOUNT_LOAD}
        stacks = {
            on: Stack(log_dir, upstream, settings={**load, "metrics": str(on).lower()})
            for on in (True, False)
        }
        try:
            for stack in stacks.values():
                stack.start_api()
                unlimited(stack.api.url, stack.headers)  # no worker: every answer stays waiting
            for number in range(rounds):
                for streams in steps:
                    for on in (True, False) if number % 2 == 0 else (False, True):
                        result = {"round": number, **uvloop.run(step(stacks[on], streams, metrics=on))}
                        results.append(result)
                        print(json.dumps(result), flush=True)
        finally:
            for stack in stacks.values():
                stack.close()
            upstream.stop()

    def mean(streams: int, on: bool, pick: Callable[[dict[str, Any]], float]) -> float:
        picked = [pick(r) for r in results if r["streams"] == streams and r["metrics"] is on]
        return sum(picked) / len(picked)

    def cpu(r: dict[str, Any]) -> float:
        return float(r["api_cpu_cores"][0])

    def p99(r: dict[str, Any]) -> float:
        return float(r["added_latency"]["p99_ms"])

    def each(streams: int, on: bool) -> list[float]:
        return [round(cpu(r), 3) for r in results if r["streams"] == streams and r["metrics"] is on]

    return {
        "tokens_per_s_per_stream": 1 / TOKEN_INTERVAL,
        "scrape_every_s": SCRAPE_SECONDS,
        "rounds": rounds,
        "by_streams": {
            str(streams): {
                "api_cpu_cores": {"metrics": mean(streams, True, cpu), "none": mean(streams, False, cpu)},
                "api_cpu_cores_each": {"metrics": each(streams, True), "none": each(streams, False)},
                "cost": mean(streams, True, cpu) / mean(streams, False, cpu) - 1,
                "p99_ms": {"metrics": mean(streams, True, p99), "none": mean(streams, False, p99)},
            }
            for streams in steps
        },
        "steps": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, nargs="+", default=[500, 1000, 1500, 2000, 2500])
    parser.add_argument("--api-processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--metrics", choices=["on", "both"], default="on")
    parser.add_argument("--rounds", type=int, default=3, help="with --metrics both")
    args = parser.parse_args()
    if args.metrics == "both":
        result = compare_metrics(args.steps, args.rounds)
        write_result("relay_capacity_metrics", result)
        print(json.dumps(result["by_streams"], indent=1))
        return
    write_result("relay_capacity", run(args.steps, args.api_processes))


if __name__ == "__main__":
    main()
