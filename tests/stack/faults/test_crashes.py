"""Crashes and outages with 20 answers in flight, every answer checked against what the model sent."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.sse import SseEvent, answer_text, read_stream
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique, wait_for_message

pytestmark = [pytest.mark.faults, pytest.mark.slow]

ANSWERS = 20
TOKENS = [f"w{i} " for i in range(60)]
SCRIPT = {"tokens": TOKENS, "delay": 0.05}  # about 3 s of streaming each
EXPECTED = "".join(TOKENS)


def start_answers(stack: Stack, client: httpx.Client) -> list[str]:
    message_ids = []
    for _ in range(ANSWERS):
        question = unique("fault")
        stack.upstream.script(question, SCRIPT)
        message_ids.append(ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"])
    return message_ids


def follow(
    urls: Callable[[], list[str]], headers: dict[str, str], message_id: str, deadline: float
) -> list[SseEvent]:
    """Read an answer to its end as a browser would: on any drop, reconnect (to whichever API is up)
    with the last event id."""
    events: list[SseEvent] = []
    while time.monotonic() < deadline:
        for url in urls():
            last = next((e.id for e in reversed(events) if e.id), None)
            try:
                with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                    read = read_stream(client, message_id, last_event_id=last, on_event=events.append)
            except httpx.HTTPError:
                continue
            if read.status == 204 or read.terminal is not None:
                return events
        time.sleep(0.2)
    raise TimeoutError(f"answer {message_id} did not end; got {[e.event for e in events]}")


def assert_exact(stack: Stack, message_ids: list[str], streams: list[list[SseEvent]]) -> None:
    with stack.api.client() as client:
        for message_id, events in zip(message_ids, streams, strict=True):
            ids = [e.id for e in events if e.id]
            assert len(ids) == len(set(ids)), "an event arrived twice"
            assert events[-1].event == "done", events[-1]
            assert answer_text(events) == EXPECTED
            stored = wait_for_message(client, message_id)
            assert stored["content"] == EXPECTED
            conversation = client.get(f"/api/conversations/{stored['conversation_id']}/messages").json()
            assert [m["role"] for m in conversation] == ["user", "assistant"]


def run_with_readers(
    stack: Stack, urls: Callable[[], list[str]], message_ids: list[str], fault: Callable[[], Any]
) -> list[list[SseEvent]]:
    deadline = time.monotonic() + 90
    with ThreadPoolExecutor(ANSWERS) as pool:
        headers = stack.headers
        futures = [pool.submit(follow, urls, headers, message_id, deadline) for message_id in message_ids]
        time.sleep(1.0)  # mid-answer
        fault()
        return [future.result() for future in futures]


def test_worker_killed_with_20_answers_running(make_stack: MakeStack) -> None:
    stack = make_stack(claim_ttl_seconds="4")
    api = stack.start(workers=2)
    with api.client() as client:
        message_ids = start_answers(stack, client)
    victim = stack.workers[0]
    streams = run_with_readers(stack, lambda: [api.url], message_ids, victim.kill)
    assert_exact(stack, message_ids, streams)
    taken_over = [events for events in streams if any(e.event == "reset" for e in events)]
    assert taken_over, "the killed worker ran none of the answers"


def test_api_killed_with_20_readers_who_reconnect_to_another(make_stack: MakeStack) -> None:
    stack = make_stack()
    first = stack.start(workers=2)
    second = stack.start_api()
    alive = [first.url, second.url]
    with first.client() as client:
        message_ids = start_answers(stack, client)

    def kill_first() -> None:
        first.kill()
        alive.remove(first.url)

    streams = run_with_readers(stack, lambda: list(alive), message_ids, kill_first)
    stack.apis.remove(first)
    assert_exact(stack, message_ids, streams)
    assert not any(e.event == "reset" for events in streams for e in events), "generation restarted"


def test_redis_killed_and_restarted_with_20_answers_running(make_stack: MakeStack) -> None:
    stack = make_stack()
    stack.redis.stop()
    stack.redis.args[stack.redis.args.index("--appendonly") + 1] = "yes"
    stack.redis.start()
    api = stack.start(workers=2)
    with api.client() as client:
        message_ids = start_answers(stack, client)

    def restart_redis() -> None:
        stack.redis.kill()
        time.sleep(1.0)
        stack.redis.start()

    streams = run_with_readers(stack, lambda: [api.url], message_ids, restart_redis)
    with api.client() as client:
        for message_id, events in zip(message_ids, streams, strict=True):
            stored = wait_for_message(client, message_id, timeout=60)
            # Every accepted answer ends; what a reader saw adds up to what was saved.
            assert stored["status"] in ("complete", "failed"), stored
            assert events[-1].event in ("done", "error")
            assert answer_text(events) == stored["content"]
            if stored["status"] == "complete":
                assert stored["content"] == EXPECTED


def test_worker_sigterm_with_20_answers_running_hands_them_over(make_stack: MakeStack) -> None:
    stack = make_stack()
    api = stack.start(workers=2)
    with api.client() as client:
        message_ids = start_answers(stack, client)
    leaving = stack.workers[0]

    def terminate() -> None:
        assert leaving.stop() == 0, leaving.tail()

    streams = run_with_readers(stack, lambda: [api.url], message_ids, terminate)
    assert_exact(stack, message_ids, streams)
    with api.client() as client:
        statuses = {client.get(f"/api/messages/{m}").json()["status"] for m in message_ids}
    assert statuses == {"complete"}, "an answer was left streaming"
