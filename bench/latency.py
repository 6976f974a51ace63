"""What the queue costs a user: time to first token and added latency per token, relaychat
(API → Redis → worker → Redis → API) against the direct baseline (bench/direct.py), side by side
in one run, against the same scripted model.

Run: `.venv/bin/python -m bench.latency [--chats 1 100]`. Writes bench/results/latency.{json,md}.
Each token the model sends carries its send time, so the added latency per token is measured at
the client: receive time minus send time.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import Process, free_port, python, wait_until
from tests.support.stack import Stack, Upstream

RESULTS = Path(__file__).parent / "results"
TOKENS_PER_ANSWER = 20
SCRIPT = {"tokens": ["x"] * TOKENS_PER_ANSWER, "ttft": 0.1, "delay": 0.05, "stamp": True}  # 20 tokens/s


@dataclass
class Sample:
    ttft: float = 0.0
    token_latencies: list[float] = field(default_factory=list)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


async def read_events(response: httpx.Response, started: float, sample: Sample) -> None:
    event = ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            now = time.time()
            data = json.loads(line[5:])
            if "text" in data:
                if not sample.ttft:
                    sample.ttft = time.perf_counter() - started
                sample.token_latencies += [now - float(stamp) for stamp in data["text"].split()]
            if event in ("done", "stopped", "error"):
                return
        elif not line:
            event = ""


async def queued_chat(client: httpx.AsyncClient, conversation_id: str, question: str) -> Sample:
    sample = Sample()
    started = time.perf_counter()
    submitted = await client.post(
        f"/api/conversations/{conversation_id}/messages", json={"content": question}
    )
    message_id = submitted.json()["assistant_message"]["id"]
    async with client.stream("GET", f"/api/messages/{message_id}/stream") as response:
        await read_events(response, started, sample)
    return sample


async def direct_chat(client: httpx.AsyncClient, question: str) -> Sample:
    sample = Sample()
    started = time.perf_counter()
    async with client.stream("GET", "/chat", params={"q": question}) as response:
        await read_events(response, started, sample)
    return sample


async def run_round(api_url: str, direct_url: str, chats: int, round_: int) -> dict[str, list[Sample]]:
    limits = httpx.Limits(max_connections=chats * 2 + 10)
    async with (
        httpx.AsyncClient(base_url=api_url, timeout=120, limits=limits) as queued,
        httpx.AsyncClient(base_url=direct_url, timeout=120, limits=limits) as direct,
    ):
        conversations = [
            (await queued.post("/api/conversations", json={"title": "bench"})).json()["id"]
            for _ in range(chats)
        ]
        questions = [f"bench {round_} {i}" for i in range(chats)]
        direct_samples = await asyncio.gather(*(direct_chat(direct, q) for q in questions))
        queued_samples = await asyncio.gather(
            *(queued_chat(queued, c, q) for c, q in zip(conversations, questions, strict=True))
        )
    return {"direct": list(direct_samples), "queued": list(queued_samples)}


def summarize(chats: int, samples: dict[str, list[Sample]]) -> dict[str, Any]:
    direct_ttft = [s.ttft for s in samples["direct"]]
    queued_ttft = [s.ttft for s in samples["queued"]]
    direct_p, queued_p = percentiles(direct_ttft), percentiles(queued_ttft)
    token = {
        name: percentiles([latency for s in group for latency in s.token_latencies])
        for name, group in samples.items()
    }
    return {
        "chats": chats,
        "ttft": {"direct": direct_p, "queued": queued_p},
        "ttft_overhead_ms": {k: queued_p[k] - direct_p[k] for k in direct_p},
        "token_latency": token,
        "token_added_ms": {k: token["queued"][k] - token["direct"][k] for k in token["direct"]},
        "median_ttft_ratio": statistics.median(queued_ttft) / statistics.median(direct_ttft),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| concurrent chats | TTFT direct p50 / p99 | TTFT queued p50 / p99 | overhead p50 / p95 / p99 "
        "| per-token added p50 / p99 |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        d, q, o, t = r["ttft"]["direct"], r["ttft"]["queued"], r["ttft_overhead_ms"], r["token_added_ms"]
        lines.append(
            f"| {r['chats']} | {d['p50_ms']:.1f} / {d['p99_ms']:.1f} ms "
            f"| {q['p50_ms']:.1f} / {q['p99_ms']:.1f} ms "
            f"| {o['p50_ms']:.1f} / {o['p95_ms']:.1f} / {o['p99_ms']:.1f} ms "
            f"| {t['p50_ms']:.1f} / {t['p99_ms']:.1f} ms |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        upstream.script("*", SCRIPT)
        stack = Stack(log_dir, upstream, database_url=args.database_url)
        port = free_port()
        env = {**stack.env, "RELAYCHAT_MODEL": "scripted"}
        args_direct = python(
            "-m", "uvicorn", "bench.direct:app", "--port", str(port), "--log-level", "warning"
        )
        direct = Process("direct", args_direct, env, log_dir)
        results = []
        try:
            api = stack.start()
            direct_url = f"http://127.0.0.1:{port}"
            wait_until(
                lambda: httpx.get(f"{direct_url}/docs").status_code == 200, 30, "direct baseline", direct
            )
            asyncio.run(run_round(api.url, direct_url, 5, 0))  # warm both paths
            for round_, chats in enumerate(args.chats, start=1):
                results.append(summarize(chats, asyncio.run(run_round(api.url, direct_url, chats, round_))))
                print(table(results[-1:]), end="", flush=True)
        finally:
            direct.stop()
            stack.close()
            upstream.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latency.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "latency.md").write_text(table(results))
    print(table(results))


if __name__ == "__main__":
    main()
