"""Twenty answers in flight, followed by readers that reconnect as browsers do, and every text
checked against what the model sent: the fault tests' load and their verdict."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.support.sse import SseEvent, answer_text, read_stream
from tests.support.stack import Api, Stack, ask, new_conversation, unique, wait_for_message

ANSWERS = 20
TOKENS = [f"w{i} " for i in range(60)]
SCRIPT = {"tokens": TOKENS, "delay": 0.05}  # about 3 s of streaming each
EXPECTED = "".join(TOKENS)


def start_answers(stack: Stack, client: httpx.Client, script: dict[str, Any] = SCRIPT) -> list[str]:
    message_ids = []
    for _ in range(ANSWERS):
        question = unique("fault")
        stack.upstream.script(question, script)  # served again to a takeover
        message_ids.append(ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"])
    return message_ids


def follow(
    urls: Callable[[], list[str]],
    headers: dict[str, str],
    message_id: str,
    deadline: float,
    silence_seconds: float = 30,
) -> list[SseEvent]:
    """Read an answer to its end as a browser would: on any drop, or a stream silent for longer
    than `silence_seconds` (the server's heartbeat keeps a live one talking), reconnect to
    whichever API is up, with the last event id."""
    events: list[SseEvent] = []
    while time.monotonic() < deadline:
        for url in urls():
            last = next((e.id for e in reversed(events) if e.id), None)
            try:
                with httpx.Client(base_url=url, headers=headers) as client:
                    read = read_stream(
                        client,
                        message_id,
                        last_event_id=last,
                        on_event=events.append,
                        timeout=silence_seconds,
                    )
            except httpx.HTTPError:
                continue
            if read.status == 204 or read.terminal is not None:
                return events
        time.sleep(0.2)
    raise TimeoutError(f"answer {message_id} did not end; got {[e.event for e in events]}")


def assert_exact(
    stack: Stack,
    message_ids: list[str],
    streams: list[list[SseEvent]],
    api: Api | None = None,
    expected: str = EXPECTED,
) -> None:
    """Every answer complete with the model's text, once: as each reader shows it (after its last
    `reset`), as stored, and as a page opened now shows it."""
    with (api or stack.api).client() as client:
        for message_id, events in zip(message_ids, streams, strict=True):
            ids = [e.id for e in events if e.id]
            assert len(ids) == len(set(ids)), "an event arrived twice"
            assert events[-1].event == "done", events[-1]
            assert [e.event for e in events].count("done") == 1
            assert answer_text(events) == expected
            stored = wait_for_message(client, message_id, timeout=60)
            assert stored["content"] == expected
            assert answer_text(read_stream(client, message_id).events) == expected
            conversation = client.get(f"/api/conversations/{stored['conversation_id']}/messages").json()
            assert [m["role"] for m in conversation] == ["user", "assistant"]


def run_with_readers(
    stack: Stack,
    urls: Callable[[], list[str]],
    message_ids: list[str],
    fault: Callable[[], Any],
    silence_seconds: float = 30,
) -> list[list[SseEvent]]:
    deadline = time.monotonic() + 90
    with ThreadPoolExecutor(ANSWERS) as pool:
        headers = stack.headers
        futures = [
            pool.submit(follow, urls, headers, message_id, deadline, silence_seconds)
            for message_id in message_ids
        ]
        time.sleep(1.0)  # mid-answer
        fault()
        return [future.result() for future in futures]


def what_readers_saw(streams: list[list[SseEvent]]) -> str:
    """How many answers started over (a worker's takeover) or redrew their text (a log repaired
    after a failover): what the readers saw of a fault."""
    restarted = sum(
        any(e.event == "reset" and not e.data.get("repair") for e in events) for events in streams
    )
    repaired = sum(any(e.event == "reset" and e.data.get("repair") for e in events) for events in streams)
    return f"{restarted} of {len(streams)} answers started over, {repaired} redrew their text"
