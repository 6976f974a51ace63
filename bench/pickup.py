"""Pickup latency (enqueue → job start) and crash takeover time, on real processes.

Run: `.venv/bin/python -m bench.pickup`. Writes bench/results/pickup.json.
"""

import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.support.sse import SseEvent, read_stream
from tests.support.stack import ONE_ACCOUNT_LOAD, Stack, Upstream, ask, new_conversation, unique

RESULTS = Path(__file__).parent / "results"
PICKUP = re.compile(r"answer (\S+): try 1 picked up ([\d.]+) ms after enqueue")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_pickup(stack: Stack, upstream: Upstream, rounds: int) -> dict[str, Any]:
    client = stack.client()
    conversation = new_conversation(client)
    first_delta_ms: list[float] = []
    for _ in range(rounds):
        question = unique("pickup")
        upstream.script(question, {"tokens": ["ok"]})
        started = time.perf_counter()
        pair = ask(client, conversation["id"], question)
        read_stream(client, pair["assistant_message"]["id"], stop_after=1)
        first_delta_ms.append((time.perf_counter() - started) * 1000)
        read_stream(client, pair["assistant_message"]["id"])
        time.sleep(0.2)  # an idle worker, as for a person typing
    pickups = [float(ms) for _, ms in PICKUP.findall(stack.workers[0].log_text())][-rounds:]
    return {
        "rounds": rounds,
        "pickup_ms": {"p50": percentile(pickups, 0.5), "p95": percentile(pickups, 0.95), "max": max(pickups)},
        "post_to_first_delta_ms": {
            "p50": percentile(first_delta_ms, 0.5),
            "p95": percentile(first_delta_ms, 0.95),
            "max": max(first_delta_ms),
        },
        "arq_poll_delay_s": 1.0,
    }


def measure_takeover(stack: Stack, upstream: Upstream, rounds: int) -> list[float]:
    client = stack.client()
    times: list[float] = []
    for _ in range(rounds):
        conversation = new_conversation(client)
        question = unique("takeover")
        upstream.script(question, {"tokens": [f"t{i} " for i in range(200)], "delay": 0.05})
        pair = ask(client, conversation["id"], question)
        mid = pair["assistant_message"]["id"]
        read_stream(client, mid, stop_after=3)
        running = next(w for w in stack.workers if mid in w.log_text())
        seen: dict[str, float] = {}

        def watch_reset(message_id: str = mid, seen: dict[str, float] = seen) -> None:
            def note(event: SseEvent) -> None:
                if event.event == "reset":
                    seen["reset"] = time.perf_counter()

            with stack.client() as reader:
                read_stream(reader, message_id, timeout=60, on_event=note)

        watcher = threading.Thread(target=watch_reset)
        watcher.start()
        time.sleep(0.3)
        killed = time.perf_counter()
        running.kill()
        watcher.join(60)
        times.append(seen["reset"] - killed)
        stack.workers.remove(running)
        stack.start_worker()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        upstream = Upstream(log_dir)
        stack = Stack(log_dir, upstream, settings=ONE_ACCOUNT_LOAD)
        try:
            stack.start_api()
            stack.start_worker()
            pickup = measure_pickup(stack, upstream, rounds=20)
            stack.start_worker()
            takeover = measure_takeover(stack, upstream, rounds=2)
        finally:
            stack.close()
            upstream.stop()
    result = {"pickup": pickup, "takeover_s": {"runs": takeover, "max": max(takeover)}, "claim_ttl_s": 10.0}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pickup.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"pickup p50 {pickup['pickup_ms']['p50']:.1f} ms, takeover max {max(takeover):.1f} s")


if __name__ == "__main__":
    main()
