"""What the queue adds to each step of an app answer's tool loop (worker → MCP server → model),
on top of the tool's own time and the model's.

Run: `.venv/bin/python -m bench.tool_steps [--steps 10] [--answers 5]`. Writes
bench/results/tool_steps.json.

The scripted model calls the tests' MCP server's `add` once per round, `--steps` rounds, then
answers. A step's gap is the time from the model's round ending (the scripted server's
`finished_at`) to the next round's request arriving (`started`). Beside it, in the same run, the
same loop run by a program of its own: it streams each round from the same model with a plain
HTTP client, calls `add` on an open MCP session and asks again, with nothing saved and no queue.
Its gap is the tool's and the model's own time (the call, the stream's end, the next request); the
queue's cost per step is relaychat's gap less that. The tool's own time (`add` alone on the open
session) is reported too.
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


async def direct_loop_gaps(
    model_url: str, url: str, upstream: Upstream, steps: int, answers: int
) -> list[float]:
    """The same loop, run by a program of its own: stream a round, call the tool, ask again."""
    gaps: list[float] = []
    async with (
        httpx.AsyncClient(base_url=model_url, timeout=30) as model,
        httpx2.AsyncClient(timeout=httpx2.Timeout(10.0, read=None)) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        for _ in range(answers):
            question = unique("direct")
            upstream.script(question, *_rounds(steps), {"tokens": ["done"]})
            messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
            for _ in range(steps + 1):
                calls = await _stream_round(model, messages)
                if not calls:
                    break
                messages.append({"role": "assistant", "content": None, "tool_calls": calls})
                for call in calls:
                    result = await session.call_tool("add", json.loads(call["function"]["arguments"]))
                    text = "".join(getattr(part, "text", "") for part in result.content)
                    messages.append({"role": "tool", "tool_call_id": call["id"], "content": text})
            sent = upstream.requests(question)
            gaps += [
                (after["started"] - before["finished_at"]) * 1000
                for before, after in itertools.pairwise(sent)
            ]
    return gaps


async def _stream_round(model: httpx.AsyncClient, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One round streamed to its end: the tool calls the model made, put together."""
    calls: dict[int, dict[str, Any]] = {}
    body = {"model": "scripted", "messages": messages, "stream": True, "tools": [_ADD]}
    async with model.stream("POST", "/chat/completions", json=body) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            for choice in json.loads(line[6:]).get("choices", []):
                for piece in choice["delta"].get("tool_calls") or []:
                    call = calls.setdefault(
                        piece["index"],
                        {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                    )
                    call["id"] = piece.get("id") or call["id"]
                    call["function"]["name"] += piece.get("function", {}).get("name") or ""
                    call["function"]["arguments"] += piece.get("function", {}).get("arguments") or ""
    return [calls[index] for index in sorted(calls)]


_ADD = {
    "type": "function",
    "function": {
        "name": "bench__add",
        "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}},
    },
}


def _rounds(steps: int) -> list[dict[str, Any]]:
    return [
        {"tool_calls": [{"id": f"call_{i}", "name": "bench__add", "arguments": '{"a": 1, "b": 2}'}]}
        for i in range(steps)
    ]


def register(client: httpx.Client, url: str) -> None:
    """The MCP server registered, and its tools listed by a worker."""
    client.post("/api/admin/mcp-servers", json={"name": "bench", "url": url}).raise_for_status()
    wait_until(lambda: client.get("/api/tools").json() != [], 30, "a worker listing the tools")


def relaychat_gaps(client: httpx.Client, upstream: Upstream, steps: int, answers: int) -> list[float]:
    gaps: list[float] = []
    for _ in range(answers):
        conversation = new_conversation(client)
        client.patch(
            f"/api/conversations/{conversation['id']}", json={"tools": ["bench.add"]}
        ).raise_for_status()
        question = unique("steps")
        upstream.script(question, *_rounds(steps), {"tokens": ["done"]})
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
            # Alternated, so that neither gets the quieter half of the run.
            client = stack.client()
            register(client, url)
            loop_gaps: list[float] = []
            gaps: list[float] = []
            for _ in range(args.answers):
                loop_gaps += asyncio.run(direct_loop_gaps(upstream.url, url, upstream, args.steps, 1))
                gaps += relaychat_gaps(client, upstream, args.steps, 1)
        finally:
            stack.close()
            upstream.stop()
            server.stop()
    overhead = statistics.median(gaps) - statistics.median(loop_gaps)
    result = {
        "steps": len(gaps),
        "tool_own": percentiles([ms / 1000 for ms in direct]),
        "own_loop_step_gap": percentiles([ms / 1000 for ms in loop_gaps]),
        "relaychat_step_gap": percentiles([ms / 1000 for ms in gaps]),
        "queue_ms_per_step_p50_over_tool_alone": round(
            statistics.median(gaps) - statistics.median(direct), 1
        ),
        "queue_ms_per_step_p50": round(overhead, 1),
        "target_ms": TARGET_MS,
    }
    write_result("tool_steps", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
