"""Chats started at once: the time to their first token through relaychat, against the direct
design (bench/direct.py) and, with `--baseline`, against an older commit, in one run whose rounds
alternate between them, all against one scripted model (100 ms to the first token, then 20
tokens/s, 20 tokens).

Each first token is split where its time went: the submit (`POST` → the 202, or the `submitted`
event), the job's pickup (enqueue → the job's start) and the worker's start (the job's start →
its request to the model), both read from the worker's log, the model's own 100 ms, and the
delivery (the model's send → the client's receipt). The model's request time comes from the
model itself, so "submitted → model asked" is measured for any commit, logged or not. Each
process's CPU per answer is read from /proc over the burst.

relaychat is measured in both forms a client has: the web UI's one request (`POST` with `Accept:
text/event-stream`) and `POST` then `GET …/stream`; an older commit in the second, which every
commit has.

Run: `.venv/bin/python -m bench.burst [--chats 1 20 50 100] [--rounds 6] [--baseline a6f1547]`.
Writes bench/results/burst.json. `--metrics` measures instead what the metrics cost: this commit
with them (its worker serving its own too) and with `RELAYCHAT_METRICS=false`, side by side in
one run; writes bench/results/burst_metrics.json.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stats import ProcessMeter, percentiles, write_result
from tests.support.processes import ROOT, Process, free_port, python, wait_until
from tests.support.sse import TERMINAL, aparse_events
from tests.support.stack import ONE_ACCOUNT_LOAD, Upstream

TOKENS = 20
TTFT = 0.1
TOKEN_DELAY = 0.05
SCRIPT = {"tokens": ["x"] * TOKENS, "ttft": TTFT, "delay": TOKEN_DELAY, "stamp": True}
BASELINE = "a6f1547"
PICKED_UP = re.compile(r"answer ([\w-]+): try 1 picked up ([\d.]+) ms after enqueue")
ASKED = re.compile(r"answer ([\w-]+): asking the model ([\d.]+) ms after the job started")


@dataclass
class Sample:
    """One chat of a burst, in wall-clock seconds (`time.time()`, as the model stamps its tokens)."""

    tag: str
    sent: float = 0.0
    submitted: float | None = None  # None on the direct design, which has no submit
    answer_id: str | None = None
    first_received: float | None = None
    first_sent: float | None = None  # the model's stamp on the first token
    tokens: int = 0
    ended: bool = False

    @property
    def exact(self) -> bool:
        return self.ended and self.tokens == TOKENS and self.first_received is not None


@dataclass
class Deployment:
    """A running deployment: where to send chats, and what to meter."""

    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    worker_log: Path | None = None
    close: Callable[[], None] = lambda: None


Chat = Callable[[httpx.AsyncClient, str, str], Awaitable[Sample]]


def take_text(sample: Sample, text: str) -> None:
    stamps = text.split()
    if stamps and sample.first_received is None:
        sample.first_received = time.time()
        sample.first_sent = float(stamps[0])
    sample.tokens += len(stamps)


async def read_stream(response: httpx.Response, sample: Sample) -> None:
    response.raise_for_status()
    async for event in aparse_events(response.aiter_lines()):
        if event.event == "submitted":
            sample.submitted = time.time()
            sample.answer_id = event.data["assistant_message"]["id"]
        elif "text" in event.data:
            take_text(sample, event.data["text"])
        if event.event in TERMINAL:
            sample.ended = event.event == "done"
            return


async def one_request(client: httpx.AsyncClient, conversation: str, tag: str) -> Sample:
    """The web UI's way: the question's `POST` answers with the answer's stream."""
    sample = Sample(tag, sent=time.time())
    url = f"/api/conversations/{conversation}/messages"
    headers = {"Accept": "text/event-stream"}
    async with client.stream("POST", url, json={"content": tag}, headers=headers) as response:
        await read_stream(response, sample)
    return sample


async def post_then_get(client: httpx.AsyncClient, conversation: str, tag: str) -> Sample:
    """A plain client's way: `POST` the question (202), then `GET` the answer's stream."""
    sample = Sample(tag, sent=time.time())
    submitted = await client.post(f"/api/conversations/{conversation}/messages", json={"content": tag})
    submitted.raise_for_status()
    sample.submitted = time.time()
    sample.answer_id = submitted.json()["assistant_message"]["id"]
    async with client.stream("GET", f"/api/messages/{sample.answer_id}/stream") as response:
        await read_stream(response, sample)
    return sample


async def direct(client: httpx.AsyncClient, _conversation: str, tag: str) -> Sample:
    sample = Sample(tag, sent=time.time())
    async with client.stream("GET", "/chat", params={"q": tag}) as response:
        await read_stream(response, sample)
    return sample


@dataclass
class Contender:
    """One way of asking, on one deployment."""

    label: str
    deployment: Deployment
    chat: Chat
    samples: dict[int, list[Sample]] = field(default_factory=dict)
    cpu: dict[int, dict[str, float]] = field(default_factory=dict)  # CPU seconds, summed over rounds


async def conversations(client: httpx.AsyncClient, contender: Contender, count: int) -> list[str]:
    if contender.chat is direct:
        return [""] * count
    made = []
    for _ in range(count):
        response = await client.post("/api/conversations", json={})
        response.raise_for_status()
        made.append(response.json()["id"])
    return made


async def burst(client: httpx.AsyncClient, contender: Contender, chats: int, tag: str) -> None:
    """`chats` new conversations (made first, not timed), each asked one question in one instant."""
    ids = await conversations(client, contender, chats)
    meters = {name: ProcessMeter(pid) for name, pid in contender.deployment.pids.items()}
    for meter in meters.values():
        meter.start()

    async def chat(index: int) -> Sample:
        try:
            return await contender.chat(client, ids[index], f"{tag} {index}")
        except httpx.HTTPError:
            return Sample(f"{tag} {index}")  # counted as not exact, not allowed to end the run

    samples = await asyncio.gather(*(chat(i) for i in range(chats)))
    cpu = contender.cpu.setdefault(chats, {})
    for name, meter in meters.items():
        cpu[name] = cpu.get(name, 0.0) + meter.cpu_seconds()
    contender.samples.setdefault(chats, []).extend(samples)


def worker_times(log: Path | None) -> tuple[dict[str, float], dict[str, float]]:
    """Per answer id: enqueue → start, and start → the model's request, in seconds."""
    if log is None or not log.exists():
        return {}, {}
    text = log.read_text(errors="replace")
    picked = {m[1]: float(m[2]) / 1000 for m in PICKED_UP.finditer(text)}
    asked: dict[str, float] = {}
    for m in ASKED.finditer(text):
        asked.setdefault(m[1], float(m[2]) / 1000)  # the first try's
    return picked, asked


def summarize(contender: Contender, chats: int, model_requests: dict[str, float]) -> dict[str, Any]:
    samples = contender.samples[chats]
    exact = [s for s in samples if s.exact]
    picked, asked = worker_times(contender.deployment.worker_log)
    parts: dict[str, list[float]] = {
        "first_token": [s.first_received - s.sent for s in exact if s.first_received],
        "delivery": [s.first_received - s.first_sent for s in exact if s.first_received and s.first_sent],
    }
    asked_at = {s.tag: model_requests[s.tag] for s in exact if s.tag in model_requests}
    parts["model"] = [s.first_sent - asked_at[s.tag] for s in exact if s.first_sent and s.tag in asked_at]
    submitted = [s for s in exact if s.submitted is not None]
    if submitted:
        parts["submit"] = [s.submitted - s.sent for s in submitted if s.submitted]
        parts["submitted_to_model"] = [asked_at[s.tag] - s.submitted for s in submitted if s.submitted]
    ids = [s.answer_id for s in exact if s.answer_id]
    # What a commit's worker logs: the pickup since long ago, the start since this bench.
    for name, logged in (("pickup", picked), ("start_to_model", asked)):
        if any(i in logged for i in ids):
            parts[name] = [logged[i] for i in ids if i in logged]
    if not submitted:
        parts["send_to_model"] = [asked_at[s.tag] - s.sent for s in exact if s.tag in asked_at]
    return {
        "answers": len(samples),
        "not_exact": len(samples) - len(exact),
        **{name: percentiles(values) for name, values in parts.items()},
        "cpu_ms_per_answer": {
            name: seconds * 1000 / max(len(samples), 1) for name, seconds in contender.cpu[chats].items()
        },
    }


def start_tree(
    name: str, tree: Path, upstream: Upstream, log_dir: Path, settings: dict[str, str] | None = None
) -> Deployment:
    """A deployment of the code in `tree`, started by bench/deployment.py run from there."""
    logs = log_dir / name.replace(" ", "-")
    logs.mkdir()
    settings_json = json.dumps({**ONE_ACCOUNT_LOAD, **(settings or {})})
    driver = (Path(__file__).parent / "deployment.py").read_text()
    process = subprocess.Popen(
        [sys.executable, "-c", driver, upstream.url, str(logs), settings_json],
        cwd=tree,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{name} did not start; its logs are in {logs}")
    ready = json.loads(line)

    def close() -> None:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(60)

    return Deployment(name, ready["url"], ready["headers"], ready["pids"], Path(ready["worker_log"]), close)


def start_direct(upstream: Upstream, log_dir: Path) -> Deployment:
    port = free_port()
    env = {**os.environ, "OPENAI_BASE_URL": upstream.url, "RELAYCHAT_MODEL": "scripted"}
    args = python("-m", "uvicorn", "bench.direct:app", "--port", str(port), "--log-level", "warning")
    process = Process("direct", args, env, log_dir)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{url}/docs").status_code == 200, 30, "direct", process)
    return Deployment("direct", url, pids={"direct": process.popen.pid}, close=lambda: void(process.stop()))


def void(_: object) -> None:
    """A callable's result, dropped."""


def worktree(commit: str) -> Path:
    """A checkout of `commit` beside this one, made once and kept for later runs."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = Path(tempfile.gettempdir()) / f"relaychat-{sha}"
    if not (path / "tests" / "support" / "stack.py").exists():
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=ROOT, check=True)
    return path


async def rounds(contenders: list[Contender], levels: list[int], count: int, upstream: Upstream) -> None:
    clients = {
        id(c.deployment): httpx.AsyncClient(
            base_url=c.deployment.url,
            headers=c.deployment.headers,
            timeout=120,
            limits=httpx.Limits(max_connections=2 * max(levels) + 10),
        )
        for c in contenders
    }
    try:
        for contender in contenders:  # warm every path: connections, caches, the first imports
            await burst(clients[id(contender.deployment)], contender, 5, f"warm {contender.label}")
            contender.samples.clear()
            contender.cpu.clear()
        for number in range(count):
            for chats in levels:
                # Alternating which goes first, so that neither always follows the other's titles.
                shift = number % len(contenders)
                for contender in contenders[shift:] + contenders[:shift]:
                    # One chat alone is quick and noisy: asked five times a round.
                    for repeat in range(5 if chats == 1 else 1):
                        tag = f"{contender.label} {number} {chats} {repeat}"
                        await burst(clients[id(contender.deployment)], contender, chats, tag)
                    await asyncio.sleep(1.5 if chats > 1 else 0.3)  # the titles the burst asked for
            print(f"round {number + 1} of {count} done", flush=True)
    finally:
        for client in clients.values():
            await client.aclose()


def run(levels: list[int], count: int, baseline: str | None, metrics: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        upstream.script("*", SCRIPT)
        deployments: list[Deployment] = []
        try:
            if metrics:  # this commit with its metrics (a worker's served too), and without
                on = {"metrics": "true", "metrics_port": "0"}
                deployments.append(counted := start_tree("metrics", ROOT, upstream, log_dir, on))
                deployments.append(
                    bare := start_tree("no metrics", ROOT, upstream, log_dir, {"metrics": "false"})
                )
                contenders = [
                    Contender("metrics", counted, one_request),
                    Contender("no metrics", bare, one_request),
                ]
                baseline = None
            else:
                deployments.append(direct_deployment := start_direct(upstream, log_dir))
                deployments.append(today := start_tree("relaychat", ROOT, upstream, log_dir))
                contenders = [
                    Contender("direct", direct_deployment, direct),
                    Contender("relaychat", today, one_request),
                    Contender("relaychat, POST then GET", today, post_then_get),
                ]
            if baseline:
                deployments.append(then := start_tree(baseline, worktree(baseline), upstream, log_dir))
                contenders.append(Contender(f"{baseline}, POST then GET", then, post_then_get))
            asyncio.run(rounds(contenders, levels, count, upstream))
            model_requests = {r["match"]: r["started"] for r in upstream.http.get("/_requests").json()}
            table = [
                {"chats": chats, **{c.label: summarize(c, chats, model_requests) for c in contenders}}
                for chats in levels
            ]
        finally:
            for deployment in reversed(deployments):
                deployment.close()
            upstream.stop()
    return {
        "model": {"ttft_s": TTFT, "tokens_per_s": 1 / TOKEN_DELAY, "tokens": TOKENS},
        "rounds": count,
        "baseline": baseline,
        "levels": table,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, nargs="+", default=[1, 20, 50, 100])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--baseline", default=BASELINE, help="an older commit to measure beside; '' for none")
    parser.add_argument("--metrics", action="store_true", help="with metrics and without, side by side")
    args = parser.parse_args()
    result = run(args.chats, args.rounds, args.baseline or None, args.metrics)
    write_result("burst_metrics" if args.metrics else "burst", result)
    for level in result["levels"]:
        ttft = {k: round(v["first_token"]["p50_ms"]) for k, v in level.items() if isinstance(v, dict)}
        print(level["chats"], json.dumps(ttft))


if __name__ == "__main__":
    main()
