"""What the queue costs a user: time to first token and added latency per token, relaychat
(API → Redis → worker → Redis → API) against the direct baseline (bench/direct.py), side by side
in one run, against the same scripted model. relaychat is measured every way a client can ask: the
web UI's one request (`POST` with `Accept: text/event-stream`), two (`POST`, then `GET …/stream`),
and an OpenAI client's `POST /v1/chat/completions` with `stream: true` (issue 14).

Run: `.venv/bin/python -m bench.latency [--chats 1 100 500]`. Writes bench/results/latency.json.

"N concurrent chats" is N people chatting at once: each has a conversation and sends a question
as soon as the previous answer ends, and their first questions are spread over one answer's
length, so that N answers are streaming at any moment (as a load tool's "virtual users").
Every token the model sends carries its send time, so the added latency per token is measured at
the client: receive time minus send time. The burst row (every chat sent in the same instant)
is the worst case, reported beside it.
"""

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stats import ProcessMeter, percentiles, redis_commands, write_result
from core.limits import LIMIT_NAMES
from tests.support.processes import Process, free_port, python, wait_until
from tests.support.sse import TERMINAL, aparse_events
from tests.support.stack import ONE_ACCOUNT_LOAD, Stack, Upstream

TOKENS = 100
TTFT = 0.1
TOKEN_DELAY = 0.05  # 20 tokens/s, as a fast hosted model streams
ANSWER_SECONDS = TTFT + TOKENS * TOKEN_DELAY
SCRIPT = {"tokens": ["x"] * TOKENS, "ttft": TTFT, "delay": TOKEN_DELAY, "stamp": True}
BURST_SCRIPT = {"tokens": ["x"] * 20, "ttft": TTFT, "delay": TOKEN_DELAY, "stamp": True}


@dataclass
class Sample:
    ttft: float = 0.0
    token_latencies: list[float] = field(default_factory=list)
    tokens: int = 0
    failed: bool = False


def record(sample: Sample, started: float, text: str, now: float) -> None:
    """A delta's tokens: each is the time the scripted model sent it."""
    if not sample.ttft:
        sample.ttft = time.perf_counter() - started
    stamps = text.split()
    sample.tokens += len(stamps)
    sample.token_latencies += [now - float(stamp) for stamp in stamps]


async def read_events(response: httpx.Response, started: float, sample: Sample) -> None:
    async for event in aparse_events(response.aiter_lines()):
        now = time.time()
        if "text" in event.data:  # a delta, from either path (the direct one names no event)
            record(sample, started, event.data["text"], now)
        if event.event in TERMINAL:
            return


async def read_chunks(response: httpx.Response, started: float, sample: Sample) -> None:
    # Read as lines, not with the SSE parser: OpenAI's stream ends with `data: [DONE]`, not JSON.
    async for line in response.aiter_lines():
        now = time.time()
        if not line.startswith("data: "):
            continue
        if line == "data: [DONE]":
            return
        chunk = json.loads(line.removeprefix("data: "))
        if "error" in chunk:
            sample.failed = True
            return
        # The first chunk carries only the role (content ""): the first token is the first text.
        if chunk["choices"] and (text := chunk["choices"][0]["delta"].get("content")):
            record(sample, started, text, now)


Chat = Callable[[int, int], Awaitable[Sample]]


def queued_path(client: httpx.AsyncClient, conversations: list[str]) -> Chat:
    """The web UI's way: the question's `POST` answers with the answer's stream."""

    async def chat(user: int, turn: int) -> Sample:
        sample = Sample()
        started = time.perf_counter()
        async with client.stream(
            "POST",
            f"/api/conversations/{conversations[user]}/messages",
            json={"content": f"q {user} {turn}"},
            headers={"Accept": "text/event-stream"},
        ) as response:
            await read_events(response, started, sample)
        return sample

    return chat


def two_request_path(client: httpx.AsyncClient, conversations: list[str]) -> Chat:
    """A plain client's way: `POST` the question (202), then `GET` the answer's stream."""

    async def chat(user: int, turn: int) -> Sample:
        sample = Sample()
        started = time.perf_counter()
        submitted = await client.post(
            f"/api/conversations/{conversations[user]}/messages", json={"content": f"q {user} {turn}"}
        )
        submitted.raise_for_status()  # a refused submit is a failed chat, not the run's end
        message_id = submitted.json()["assistant_message"]["id"]
        async with client.stream("GET", f"/api/messages/{message_id}/stream") as response:
            await read_events(response, started, sample)
        return sample

    return chat


def openai_path(client: httpx.AsyncClient) -> Chat:
    """An OpenAI SDK's way: `POST /v1/chat/completions` with `stream: true` (each a new conversation)."""

    async def chat(user: int, turn: int) -> Sample:
        sample = Sample()
        started = time.perf_counter()
        body = {
            "model": "scripted",
            "messages": [{"role": "user", "content": f"q {user} {turn}"}],
            "stream": True,
        }
        async with client.stream("POST", "/v1/chat/completions", json=body) as response:
            # A refusal (a limit, a bad request) is a failed chat, not one with no first token.
            response.raise_for_status()
            await read_chunks(response, started, sample)
        return sample

    return chat


def direct_path(client: httpx.AsyncClient) -> Chat:
    async def chat(user: int, turn: int) -> Sample:
        sample = Sample()
        started = time.perf_counter()
        async with client.stream("GET", "/chat", params={"q": f"q {user} {turn}"}) as response:
            await read_events(response, started, sample)
        return sample

    return chat


async def people(chat: Chat, users: int, turns: int, ramp: float) -> list[Sample]:
    async def attempt(user: int, turn: int) -> Sample:
        try:
            return await chat(user, turn)
        except httpx.HTTPError:
            # An overloaded server may drop a stream: it is counted, not allowed to end the run.
            return Sample(failed=True)

    async def person(user: int) -> list[Sample]:
        await asyncio.sleep(ramp * user / users)
        return [await attempt(user, turn) for turn in range(turns)]

    return [s for samples in await asyncio.gather(*(person(u) for u in range(users))) for s in samples]


def client_for(url: str, users: int, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=users * 2 + 10)
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=300, limits=limits)


async def new_conversations(url: str, headers: dict[str, str], count: int) -> list[str]:
    async with client_for(url, 10, headers) as client:
        return [(await client.post("/api/conversations", json={})).json()["id"] for _ in range(count)]


def summary(all_samples: list[Sample]) -> dict[str, Any]:
    samples = [s for s in all_samples if not s.failed]
    return {
        "chats": len(samples),
        "failed_chats": len(all_samples) - len(samples),
        "ttft": percentiles([s.ttft for s in samples]),
        "token_latency": percentiles([x for s in samples for x in s.token_latencies]),
        "tokens": sum(s.tokens for s in samples),
    }


async def measure(
    stack: Stack, direct_url: str, users: int, turns: int, ramp: float, meters: dict[str, ProcessMeter]
) -> dict[str, Any]:
    conversations = await new_conversations(stack.api.url, stack.headers, users)
    meters["direct"].start()
    meters["upstream"].start()
    async with client_for(direct_url, users) as client:
        direct = summary(await people(direct_path(client), users, turns, ramp))
    direct_cpu = {name: meters[name].cpu_seconds() / direct["chats"] for name in ("direct", "upstream")}
    for meter in meters.values():
        meter.start()
    commands_before = redis_commands(stack.redis.port)
    async with client_for(stack.api.url, users, stack.headers) as client:
        queued = summary(await people(queued_path(client, conversations), users, turns, ramp))
    commands = redis_commands(stack.redis.port) - commands_before
    cpu = {name: meter.cpu_seconds() / queued["chats"] for name, meter in meters.items() if name != "direct"}
    async with client_for(stack.api.url, users, stack.headers) as client:
        two_requests = summary(await people(two_request_path(client, conversations), users, turns, ramp))
    for meter in meters.values():
        meter.start()
    commands_before = redis_commands(stack.redis.port)
    async with client_for(stack.api.url, users, stack.headers) as client:
        openai = summary(await people(openai_path(client), users, turns, ramp))
    openai_commands = redis_commands(stack.redis.port) - commands_before
    openai_cpu = {
        name: meter.cpu_seconds() / max(openai["chats"], 1)
        for name, meter in meters.items()
        if name != "direct"
    }

    def over_direct(path: dict[str, Any], metric: str) -> dict[str, float]:
        return {k: path[metric][k] - direct[metric][k] for k in direct[metric]}

    return {
        "concurrent_chats": users,
        "direct": direct,
        "queued": queued,
        "two_requests": two_requests,
        "openai": openai,
        "ttft_overhead_ms": over_direct(queued, "ttft"),
        "ttft_overhead_two_requests_ms": over_direct(two_requests, "ttft"),
        "ttft_overhead_openai_ms": over_direct(openai, "ttft"),
        "token_added_ms": over_direct(queued, "token_latency"),
        "token_added_openai_ms": over_direct(openai, "token_latency"),
        "redis_commands_per_token": commands / max(queued["tokens"], 1),
        "openai_redis_commands_per_token": openai_commands / max(openai["tokens"], 1),
        "cpu_seconds_per_chat": cpu,
        "openai_cpu_seconds_per_chat": openai_cpu,
        "direct_cpu_seconds_per_chat": direct_cpu,
    }


def run(levels: list[int], database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        stack = Stack(log_dir, upstream, settings=ONE_ACCOUNT_LOAD, database_url=database_url)
        port = free_port()
        env = {**stack.env, "RELAYCHAT_MODEL": "scripted"}
        args = python("-m", "uvicorn", "bench.direct:app", "--port", str(port), "--log-level", "warning")
        direct = Process("direct", args, env, log_dir)
        direct_url = f"http://127.0.0.1:{port}"
        try:
            api = stack.start()
            # Every chat here is the admin's: within the default limits (4 running, 50 waiting) the
            # bench would measure the admission queue, not the path to the first token.
            unlimited = {role: dict.fromkeys(LIMIT_NAMES) for role in ("admin", "user")}
            httpx.put(f"{api.url}/api/admin/limits", json=unlimited, headers=stack.headers).raise_for_status()
            wait_until(lambda: httpx.get(f"{direct_url}/docs").status_code == 200, 30, "direct", direct)
            meters = {
                "api": ProcessMeter(api.popen.pid),
                "worker": ProcessMeter(stack.workers[0].popen.pid),
                "redis": ProcessMeter(stack.redis.popen.pid),
                "upstream": ProcessMeter(upstream.popen.pid),
                "direct": ProcessMeter(direct.popen.pid),
            }
            upstream.script("*", {**SCRIPT, "tokens": ["x"] * 5})
            asyncio.run(measure(stack, direct_url, 5, 1, 0, meters))  # warm both paths
            upstream.script("*", SCRIPT)
            steady = []
            for users in levels:
                turns = {1: 10, 100: 3}.get(users, 2)
                steady.append(asyncio.run(measure(stack, direct_url, users, turns, ANSWER_SECONDS, meters)))
                overheads = {k: steady[-1][k] for k in ("ttft_overhead_ms", "ttft_overhead_openai_ms")}
                print(json.dumps(overheads), flush=True)
            upstream.script("*", BURST_SCRIPT)
            burst = asyncio.run(measure(stack, direct_url, 100, 1, 0, meters))
        finally:
            direct.stop()
            stack.close()
            upstream.stop()
    return {
        "model": {"ttft_s": TTFT, "tokens_per_s": 1 / TOKEN_DELAY, "tokens": TOKENS},
        "steady": steady,
        "burst": burst,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, nargs="+", default=[1, 100, 500])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    write_result("latency", run(args.chats, args.database_url))


if __name__ == "__main__":
    main()
