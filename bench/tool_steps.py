"""What the queue adds to each step of an app answer's tool loop (worker → MCP server → model),
on top of the tool's own time and the model's.

Run: `.venv/bin/python -m bench.tool_steps [--steps 10] [--answers 5]`. Writes
bench/results/tool_steps.json.

The scripted model calls the tests' MCP server's `add` once per round, `--steps` rounds, then
answers. A step's gap is the time from the model's round ending (the scripted server's
`finished_at`) to the next round's request arriving (`started`): the worker running the call,
saving the step twice, writing its events, building the next prompt. Beside it, in the same run,
the tool's own time: the same `add` called on an open MCP session, as a program that kept one
would. The queue's cost per step is the gap less that.
"""

import argparse
import asyncio
import itertools
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from bench.stats import percentiles, write_result
from tests.support.processes import Process, free_port, python, wait_until
from tests.support.stack import (
    ONE_ACCOUNT_LOAD,
    Stack,
    Upstream,
    ask,
    new_conversation,
    unique,
    wait_for_message,
)

TARGET_MS = 5.0


def _listening(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.TransportError:
        return False
    return True


async def direct_calls(url: str, calls: int) -> list[float]:
    """`add` on one open session: the tool's own time, round trip included."""
    times = []
    async with (
        httpx2.AsyncClient(timeout=httpx2.Timeout(10.0, read=None)) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        for _ in range(calls):
            started = time.perf_counter()
            await session.call_tool("add", {"a": 1, "b": 2})
            times.append((time.perf_counter() - started) * 1000)
    return times


def relaychat_gaps(stack: Stack, upstream: Upstream, url: str, steps: int, answers: int) -> list[float]:
    client = stack.client()
    made = client.post("/api/admin/mcp-servers", json={"name": "bench", "url": url})
    made.raise_for_status()
    wait_until(lambda: client.get("/api/tools").json() != [], 30, "a worker listing the tools")
    gaps: list[float] = []
    for _ in range(answers):
        conversation = new_conversation(client)
        client.patch(
            f"/api/conversations/{conversation['id']}", json={"tools": ["bench.add"]}
        ).raise_for_status()
        question = unique("steps")
        rounds: list[dict[str, Any]] = [
            {"tool_calls": [{"id": f"call_{i}", "name": "bench__add", "arguments": '{"a": 1, "b": 2}'}]}
            for i in range(steps)
        ]
        upstream.script(question, *rounds, {"tokens": ["done"]})
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        answer = wait_for_message(client, answer_id, timeout=120)
        assert answer["status"] == "complete", answer
        sent = upstream.requests(question)
        gaps += [
            (after["started"] - before["finished_at"]) * 1000 for before, after in itertools.pairwise(sent)
        ]
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--answers", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}/mcp"
        calls = str(log_dir / "calls.jsonl")
        server = Process(
            "mcp",
            python("-m", "tests.support.mcp_server", "--calls", calls, "--port", str(port)),
            dict(os.environ),
            log_dir,
        )
        upstream = Upstream(log_dir)
        stack = Stack(log_dir, upstream, settings=ONE_ACCOUNT_LOAD)
        try:
            wait_until(lambda: _listening(url), 20, "the MCP server", server)
            stack.start()
            direct = asyncio.run(direct_calls(url, args.steps * args.answers))
            gaps = relaychat_gaps(stack, upstream, url, args.steps, args.answers)
        finally:
            stack.close()
            upstream.stop()
            server.stop()
    overhead = statistics.median(gaps) - statistics.median(direct)
    result = {
        "steps": len(gaps),
        "tool_own": percentiles([ms / 1000 for ms in direct]),
        "relaychat_step_gap": percentiles([ms / 1000 for ms in gaps]),
        "queue_ms_per_step_p50": round(overhead, 1),
        "target_ms": TARGET_MS,
    }
    write_result("tool_steps", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
