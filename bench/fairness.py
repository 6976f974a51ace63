"""Fair dispatch against first in, first out: how long one person waits behind another's 200 answers.

Run: `.venv/bin/python -m bench.fairness`. Writes bench/results/fairness.json.

One worker with C slots (the whole fleet), the scripted model taking 1 to 3 s per answer (2 s on
average). User A submits 200 answers at once; then user B submits one answer at each of nine
moments while A's are running. For each mode, in the same run: B's waits from submit to first
token (their median), the fleet's throughput over all answers and from it the mean time for one
slot to free, and the pickup of single answers on the idle fleet afterwards (enqueue → job start,
from the worker's log).
"""

import asyncio
import random
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, write_result
from tests.support.accounts import new_user
from tests.support.sse import read_stream
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

SLOTS = 20
A_ANSWERS = 200
TOKEN_SECONDS = 0.05
# Answers of 1 to 3 s: with lengths that differ, slots free one at a time, not in waves.
LENGTHS = random.Random(12).choices(range(20, 61), k=A_ANSWERS + 20)
B_AFTER_SECONDS = tuple(3.0 + 1.5 * n for n in range(9))  # A's 200 answers take about 20 s
IDLE_ROUNDS = 20
PICKUP = re.compile(r"answer \S+: try 1 picked up ([\d.]+) ms after enqueue")
LIMITS = ("running_answers", "waiting_answers", "tokens_per_day", "cost_per_month_usd")
UNLIMITED = dict.fromkeys(LIMITS)


def answer(tokens: int) -> dict[str, Any]:
    return {"tokens": [f"t{i} " for i in range(tokens)], "delay": TOKEN_SECONDS}


async def submit_all(url: str, headers: dict[str, str], conversations: list[str], question: str) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        path = "/api/conversations/{}/messages"
        sent = await asyncio.gather(
            *(client.post(path.format(c), json={"content": question}) for c in conversations)
        )
    assert all(response.status_code == 202 for response in sent), sent[0].text


def one_mode(log_dir: Path, upstream: Upstream, fair: bool) -> dict[str, Any]:
    stack = Stack(log_dir, upstream, settings={"worker_concurrency": str(SLOTS), "fair_dispatch": str(fair)})
    try:
        stack.start_api()
        stack.start_worker()
        admin = stack.client()
        assert admin.put("/api/admin/limits", json={"admin": UNLIMITED, "user": UNLIMITED}).status_code == 200
        a, b = new_user(admin, label="a"), new_user(admin, label="b")
        a_question, b_question = unique("a's many"), unique("b's one")
        upstream.script(a_question, *(answer(length) for length in LENGTHS))
        upstream.script(b_question, answer(40))
        # Titled: no title jobs to share the slots with (their order is not what is measured).
        a_conversations = [new_conversation(a.client, title="a")["id"] for _ in range(A_ANSWERS)]
        b_conversations = [new_conversation(b.client, title="b")["id"] for _ in B_AFTER_SECONDS]

        b_waits: list[float] = []

        def b_asks(after: float, conversation_id: str) -> None:
            time.sleep(max(0.0, started + after - time.monotonic()))
            submitted = time.monotonic()
            answer = ask(b.client, conversation_id, b_question)["assistant_message"]["id"]
            read_stream(b.client, answer, stop_after=1, timeout=120)
            b_waits.append(time.monotonic() - submitted)
            wait_for_message(b.client, answer, timeout=120)

        asyncio.run(submit_all(stack.api.url, dict(a.client.headers), a_conversations, a_question))
        started = time.monotonic()
        threads = [
            threading.Thread(target=b_asks, args=(after, conversation))
            for after, conversation in zip(B_AFTER_SECONDS, b_conversations, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + 120
        while sum(r["finished"] for r in upstream.requests(a_question)) < A_ANSWERS:
            assert time.monotonic() < deadline, "A's answers did not all finish"
            time.sleep(0.2)
        every = [*upstream.requests(a_question), *upstream.requests(b_question)]
        span = max(r["finished_at"] for r in every) - min(r["started"] for r in every)
        slot_frees_every = span / len(every)
        b_wait = statistics.median(b_waits)

        for _ in range(IDLE_ROUNDS):
            pair = ask(admin, new_conversation(admin)["id"], unique("idle pickup"))
            wait_for_message(admin, pair["assistant_message"]["id"])
            time.sleep(0.1)
        pickups = [float(ms) / 1000 for ms in PICKUP.findall(stack.workers[0].log_text())][-IDLE_ROUNDS:]
        return {
            "b_waits_s": sorted(round(wait, 3) for wait in b_waits),
            "b_wait_s": round(b_wait, 3),
            "slot_frees_every_s": round(slot_frees_every, 4),
            "b_wait_over_slot_free": round(b_wait / slot_frees_every, 2),
            "answers": len(every),
            "answers_per_s": round(len(every) / span, 2),
            "idle_pickup": percentiles(pickups),
        }
    finally:
        stack.close()


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        try:
            modes = {"first in, first out": one_mode(log_dir, upstream, fair=False)}
            modes["fair"] = one_mode(log_dir, upstream, fair=True)
        finally:
            upstream.stop()
    fifo, fair = modes["first in, first out"], modes["fair"]
    return {
        "slots": SLOTS,
        "a_answers": A_ANSWERS,
        "answer_seconds": round(TOKEN_SECONDS * statistics.mean(LENGTHS), 2),
        "modes": modes,
        "b_wait_fair_over_fifo": round(fair["b_wait_s"] / fifo["b_wait_s"], 3),
        "throughput_fair_over_fifo": round(fair["answers_per_s"] / fifo["answers_per_s"], 3),
    }


def main() -> None:
    write_result("fairness", run())


if __name__ == "__main__":
    main()
