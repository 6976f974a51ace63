"""How long one user's import of 10,000 messages holds up everyone else's requests.

Run: `.venv/bin/python -m bench.import_stall`. Writes bench/results/import_stall.json.

One user imports a 10,000-message export while another user's client asks `GET /api/auth/me`
every 20 ms, on the same API process. What the others wait for while the import runs is the
event loop's stall: the worst and the p99 of those requests, beside the same requests with no
import running, in the same run.
"""

import copy
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, write_result
from tests.support.accounts import new_user
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique

MESSAGES = 10_000
PING_SECONDS = 0.02
ROUNDS = 3


def an_export(client: httpx.Client, messages: int) -> bytes:
    """A real export of one question and its answer, grown to `messages` messages in one branch."""
    conversation = new_conversation(client)["id"]
    pair = ask(client, conversation, unique("import stall"))
    deadline = time.monotonic() + 30
    while client.get(f"/api/messages/{pair['assistant_message']['id']}").json()["status"] != "complete":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    exported: dict[str, Any] = client.get(f"/api/conversations/{conversation}/export.json").json()
    question, answer = exported["messages"][:2]
    grown = []
    for number in range(messages):
        message = copy.deepcopy(question if number % 2 == 0 else answer)
        message.update(id=f"m{number}", parent_id=f"m{number - 1}" if number else None, client_id=None)
        message["included_ids"] = None
        grown.append(message)
    exported["messages"] = grown
    exported["conversation"]["selected_leaf_id"] = grown[-1]["id"]
    return json.dumps(exported).encode()


def pings(url: str, key: str, stop: threading.Event, waits: list[float]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            assert client.get("/api/auth/me").status_code == 200
            waits.append(time.perf_counter() - started)
            time.sleep(PING_SECONDS)


def measure(url: str, key: str, body: bytes | None, importer: httpx.Client) -> tuple[list[float], float]:
    """The other user's waits while `body` is imported (or, with None, for as long with nothing)."""
    waits: list[float] = []
    stop = threading.Event()
    pinger = threading.Thread(target=pings, args=(url, key, stop, waits))
    pinger.start()
    time.sleep(0.5)
    waits.clear()
    started = time.perf_counter()
    if body is None:
        time.sleep(2.0)
    else:
        response = importer.post(
            "/api/conversations/import", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 201, response.text
    took = time.perf_counter() - started
    stop.set()
    pinger.join()
    return waits, took


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as temporary:
        log_dir = Path(temporary)
        upstream = Upstream(log_dir)
        stack = Stack(log_dir, upstream, settings={"max_import_messages": str(MESSAGES)})
        try:
            api = stack.start()
            with stack.client() as admin:
                body = an_export(admin, MESSAGES)
                other = new_user(admin, label="other")
                idle: list[float] = []
                during: list[float] = []
                imports: list[float] = []
                for _ in range(ROUNDS):
                    waits, _took = measure(api.url, other.key, None, admin)
                    idle += waits
                    waits, took = measure(api.url, other.key, body, admin)
                    during += waits
                    imports.append(took)
                other.client.close()
        finally:
            stack.close()
            upstream.stop()
    result = {
        "messages": MESSAGES,
        "file_megabytes": round(len(body) / 1e6, 1),
        "rounds": ROUNDS,
        "import_seconds": round(sorted(imports)[len(imports) // 2], 2),
        "others_wait_idle": {**percentiles(idle), "max_ms": max(idle) * 1000},
        "others_wait_during_import": {**percentiles(during), "max_ms": max(during) * 1000},
    }
    write_result("import_stall", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
