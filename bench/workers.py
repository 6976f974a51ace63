"""Worker capacity: how many answers one worker process carries at once, and what a second adds.

Run: `.venv/bin/python -m bench.workers`. Writes bench/results/workers.json.

Answers are submitted while the workers are frozen (SIGSTOP), then the workers resume together,
so that what is timed is the workers, not the API taking the submits.

1. One worker, 500 answers at once, each a slow model answer (40 tokens at 2 tokens/s):
   the most answers streaming at the same moment (counted in the database), whether every one
   ends complete with exactly the text the model sent, and the worker's CPU and memory.
2. Scale-out when the model server is the limit: each worker may run 20 answers at a time, each
   answer takes the model 2 s; 200 answers through 1 worker, then through 2.
"""

import asyncio
import contextlib
import os
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.stats import ProcessMeter, write_result
from tests.support.stack import ONE_ACCOUNT_LOAD, Stack, Upstream, Worker

SLOW = {"tokens": ["tok "] * 40, "ttft": 0.1, "delay": 0.5}
LIMITED = {"tokens": ["tok "] * 20, "ttft": 0.0, "delay": 0.1}


async def submit_all(url: str, headers: dict[str, str], count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
        semaphore = asyncio.Semaphore(20)

        async def one(index: int) -> str:
            async with semaphore:
                conversation = (await client.post("/api/conversations", json={})).json()["id"]
                path = f"/api/conversations/{conversation}/messages"
                submitted = await client.post(path, json={"content": f"question {index}"})
                message_id: str = submitted.json()["assistant_message"]["id"]
                return message_id

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def count_rows(database: Path, where: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(f"SELECT count(*) FROM message WHERE role = 'assistant' AND {where}").fetchone()
        return int(row[0])


def peak_while(database: Path, done: threading.Event, peaks: list[int]) -> None:
    while not done.is_set():
        peaks.append(count_rows(database, "status = 'streaming'"))
        time.sleep(0.25)


def wait_finished(database: Path, count: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while count_rows(database, "status IN ('complete', 'stopped', 'failed')") < count:
        if time.monotonic() > deadline:
            raise TimeoutError("answers did not finish")
        time.sleep(0.1)
    return time.monotonic()


def stack_database(stack: Stack) -> Path:
    return Path(stack.database_url.removeprefix("sqlite:///"))


@contextlib.contextmanager
def paused(workers: list[Worker]) -> Iterator[None]:
    """Workers frozen (SIGSTOP) while the answers are submitted, so that they all start together."""
    for worker in workers:
        os.kill(worker.popen.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for worker in workers:
            os.kill(worker.popen.pid, signal.SIGCONT)


def capacity(log_dir: Path, upstream: Upstream, answers: int) -> dict[str, Any]:
    upstream.script("*", SLOW)
    stack = Stack(log_dir, upstream, settings={"worker_concurrency": str(answers), **ONE_ACCOUNT_LOAD})
    try:
        api = stack.start()
        meter = ProcessMeter(stack.workers[0].popen.pid)
        rss_idle = meter.rss_bytes()
        database = stack_database(stack)
        done, peaks = threading.Event(), [0]
        watcher = threading.Thread(target=peak_while, args=(database, done, peaks))
        watcher.start()
        with paused(stack.workers):
            asyncio.run(submit_all(api.url, api.headers, answers))
        meter.start()
        started = time.monotonic()
        rss_peak = 0
        while count_rows(database, "status IN ('complete', 'stopped', 'failed')") < answers:
            rss_peak = max(rss_peak, meter.rss_bytes())
            if time.monotonic() - started > 180:
                raise TimeoutError("answers did not finish")
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
        expected = "".join(SLOW["tokens"])  # type: ignore[arg-type]
        exact = count_rows(database, f"status = 'complete' AND content = '{expected}'")
        return {
            "answers": answers,
            "peak_streaming_at_once": max(peaks),
            "complete_with_exact_text": exact,
            "seconds": elapsed,
            "worker_cpu_seconds": meter.cpu_seconds(),
            "worker_rss_mib": {"idle": rss_idle / 2**20, "peak": rss_peak / 2**20},
            "worker_rss_kib_per_answer": (rss_peak - rss_idle) / answers / 1024,
        }
    finally:
        stack.close()


def throughput(log_dir: Path, upstream: Upstream, workers: int, answers: int, per_worker: int) -> float:
    upstream.script("*", LIMITED)
    stack = Stack(log_dir, upstream, settings={"worker_concurrency": str(per_worker), **ONE_ACCOUNT_LOAD})
    try:
        api = stack.start(workers=workers)
        with paused(stack.workers):
            asyncio.run(submit_all(api.url, api.headers, answers))
        started = time.monotonic()
        finished = wait_finished(stack_database(stack), answers, 300)
        return answers / (finished - started)
    finally:
        stack.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        try:
            carried = capacity(log_dir, upstream, 500)
            print(carried, flush=True)
            one = throughput(log_dir, upstream, 1, 200, 20)
            two = throughput(log_dir, upstream, 2, 200, 20)
        finally:
            upstream.stop()
    scale = {"answers_per_s": {"1 worker": one, "2 workers": two}, "ratio": two / one}
    print(scale)
    write_result(
        "workers",
        {
            "capacity": carried,
            "scale_out": {
                **scale,
                "answers": 200,
                "concurrency_per_worker": 20,
                "model_seconds_per_answer": 2.0,
            },
        },
    )


if __name__ == "__main__":
    main()
