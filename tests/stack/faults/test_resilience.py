"""Resilience end to end: real API, worker and Redis processes killed, paused and restarted mid-answer.

Each test runs on its own deployment (`make_stack`), so it may kill whatever it likes.
"""

import json
import os
import signal
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import redis

from core import keys
from tests.support.processes import Process, RedisServer, wait_until
from tests.support.sse import TERMINAL, SseEvent, answer_text, assert_ids_strictly_increase, parse_events
from tests.support.stack import (
    MakeStack,
    Stack,
    Upstream,
    Worker,
    ask,
    new_conversation,
    unique,
    wait_for_message,
)

pytestmark = pytest.mark.slow

TOKENS = [f"word{i} " for i in range(40)]
SLOW_ANSWER: dict[str, Any] = {"tokens": TOKENS, "delay": 0.05}  # about 2 s of streaming
FULL_TEXT = "".join(TOKENS)
TAKEOVER_LIMIT_SECONDS = 15.0

TimedEvent = tuple[float, SseEvent]


def follow(
    client: httpx.Client, message_id: str, last_event_id: str | None = None, timeout: float = 30
) -> Iterator[TimedEvent]:
    """The answer's SSE events as they arrive, each with its arrival time (monotonic), until the terminal one.

    One connection for the whole iteration, so a test can kill things between two `next()` calls
    and keep reading across the kill, as a browser would.
    """
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    with client.stream(
        "GET", f"/api/messages/{message_id}/stream", headers=headers, timeout=timeout
    ) as response:
        assert response.status_code == 200, response.read()
        for event in parse_events(response.iter_lines()):
            yield time.monotonic(), event
            if event.event in TERMINAL:
                return


def take_until(stream: Iterator[TimedEvent], count: int, kind: str = "delta") -> list[TimedEvent]:
    """Read from `stream` until `count` events of `kind` have arrived."""
    taken: list[TimedEvent] = []
    while sum(event.event == kind for _, event in taken) < count:
        taken.append(next(stream))
    return taken


def drain_until_dropped(stream: Iterator[TimedEvent], into: list[SseEvent]) -> httpx.HTTPError | None:
    """Collect what still arrives on a connection whose server died; the error that ended it, if any."""
    try:
        for _, event in stream:
            into.append(event)
    except httpx.HTTPError as error:
        return error
    return None


def running_worker(stack: Stack, message_id: str, timeout: float = 10) -> Worker:
    """The live worker whose ARQ log shows it started the answer's job."""
    marker = f"→ {message_id}:generate("
    found: list[Worker] = []

    def check() -> bool:
        found[:] = [w for w in stack.workers if w.popen.poll() is None and marker in w.log_text()]
        return bool(found)

    wait_until(check, timeout, f"a worker running {message_id}")
    assert len(found) == 1, f"{len(found)} workers started {message_id}"
    return found[0]


def log_entries(stack: Stack, message_id: str) -> list[tuple[str, str, Any]]:
    """The answer's Redis event log as (entry id, event type, data), read with XRANGE."""
    client = redis.Redis.from_url(stack.redis.url)
    try:
        raw = cast("list[tuple[bytes, dict[bytes, bytes]]]", client.xrange(keys.log(message_id)))
    finally:
        client.close()
    return [(eid.decode(), f[b"e"].decode(), json.loads(f[b"d"])) for eid, f in raw]


def assistant_messages(client: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/conversations/{conversation_id}/messages")
    response.raise_for_status()
    messages = cast("list[dict[str, Any]]", response.json())
    return [m for m in messages if m["role"] == "assistant"]


def test_api_killed_mid_answer_client_resumes_on_new_api(make_stack: MakeStack, upstream: Upstream) -> None:
    stack = make_stack()
    api_a = stack.start()
    question = unique("api killed")
    upstream.script(question, SLOW_ANSWER)

    with api_a.client() as client_a:
        conversation = new_conversation(client_a)
        mid = ask(client_a, conversation["id"], question)["assistant_message"]["id"]
        stream = follow(client_a, mid)
        first = [event for _, event in take_until(stream, 8)]
        api_a.kill()  # while the browser is still connected
        # What was already in flight may still arrive; then the connection drops.
        dropped = drain_until_dropped(stream, first)
    assert dropped is not None, "the connection to the killed API did not drop"
    assert not any(e.event in TERMINAL for e in first), "the answer finished before the API was killed"
    last_id = next(e.id for e in reversed(first) if e.id)

    api_b = stack.start_api()
    with api_b.client() as client_b:
        rest = [event for _, event in follow(client_b, mid, last_event_id=last_id)]
        everything = first + rest
        assert_ids_strictly_increase(everything)
        terminal = everything[-1]
        assert terminal.event == "done", terminal
        assert not any(e.event == "reset" for e in everything)
        assert answer_text(everything) == terminal.data["content"] == FULL_TEXT
        message = wait_for_message(client_b, mid)
    assert message["status"] == "complete"
    assert message["content"] == FULL_TEXT
    assert message["attempt"] == 1
    # The model was asked once and streamed to the end: the API's death never touched generation.
    requests = upstream.requests(question)
    assert len(requests) == 1
    assert requests[0]["finished"]
    assert not requests[0]["disconnected"]


def test_worker_killed_mid_answer_is_taken_over(make_stack: MakeStack, upstream: Upstream) -> None:
    stack = make_stack()
    api = stack.start(workers=2)
    question = unique("worker killed")
    upstream.script(question, SLOW_ANSWER)  # the takeover's request gets the same tokens

    with api.client() as client:
        conversation = new_conversation(client)
        mid = ask(client, conversation["id"], question)["assistant_message"]["id"]
        stream = follow(client, mid)
        timed = take_until(stream, 5)
        victim = running_worker(stack, mid)
        survivor = next(w for w in stack.workers if w is not victim)
        killed_at = time.monotonic()
        victim.kill()
        timed += list(stream)  # same connection: the API stays up across the takeover
        events = [event for _, event in timed]

        resets = [(at, event) for at, event in timed if event.event == "reset"]
        assert [event.data for _, event in resets] == [{"attempt": 2}], events
        takeover = resets[0][0] - killed_at
        print(f"\ntakeover: worker SIGKILLed -> reset event after {takeover:.2f} s")
        assert takeover < TAKEOVER_LIMIT_SECONDS

        assert_ids_strictly_increase(events)
        terminal = events[-1]
        assert terminal.event == "done", terminal
        after_reset = events[events.index(resets[0][1]) :]
        assert answer_text(after_reset) == terminal.data["content"] == FULL_TEXT
        message = wait_for_message(client, mid)
        assert message["content"] == terminal.data["content"]
        assert message["status"] == "complete"
        assert message["attempt"] == 2
        answers = assistant_messages(client, conversation["id"])
        assert [(m["id"], m["status"]) for m in answers] == [(mid, "complete")]

    assert f"→ {mid}:generate(" in survivor.log_text()
    entries = log_entries(stack, mid)
    assert [kind for _, kind, _ in entries].count("done") == 1
    assert sum(kind in TERMINAL for _, kind, _ in entries) == 1
    assert len(upstream.requests(question)) == 2


def stale_job_end(worker: Process, answer_id: str) -> str:
    """The line of a resumed stale worker's log where its job ended: fenced out by a write, or
    given up as its claim had lapsed unrenewed (ARQ logs a cancelled job as to be run again: the
    worker leaves it to the attempt that runs it, worker/arq_worker.py). Empty while it runs."""
    job = f"{answer_id}:generate"
    for line in worker.log_text().splitlines():
        if f"← {job}" in line or f"{job} cancelled" in line:
            return line
    return ""


def test_stale_worker_cannot_write_after_losing_the_job(make_stack: MakeStack, upstream: Upstream) -> None:
    # A short claim only makes the takeover quicker; fencing does not depend on its length.
    stack = make_stack(claim_ttl_seconds="3")
    api = stack.start(workers=2)
    question = unique("stale worker")
    upstream.script(question, SLOW_ANSWER)

    with api.client() as client:
        conversation = new_conversation(client)
        mid = ask(client, conversation["id"], question)["assistant_message"]["id"]
        stream = follow(client, mid)
        take_until(stream, 5)
        stale = running_worker(stack, mid)
        os.kill(stale.popen.pid, signal.SIGSTOP)
        try:
            events = [event for _, event in stream]
            assert [e.data for e in events if e.event == "reset"] == [{"attempt": 2}], events
            assert events[-1].event == "done", events[-1]
            final = wait_for_message(client, mid)
            entries_before = log_entries(stack, mid)
        finally:
            os.kill(stale.popen.pid, signal.SIGCONT)

        # The resumed worker either finds its claim lapsed and gives the job up, or carries on
        # with its attempt 1 until a write is refused, then ends its job.
        wait_until(lambda: bool(stale_job_end(stale, mid)), 15, "the stale worker ending its job", stale)
        end_line = stale_job_end(stale, mid)
        print(f"\nstale worker, once resumed: {end_line.strip()}")
        assert "fenced" in end_line or "lost the claim" in stale.log_text()
        assert stale.popen.poll() is None
        assert final == wait_for_message(client, mid)
        assert final["status"] == "complete"
        assert final["attempt"] == 2
        assert [(m["id"], m["status"]) for m in assistant_messages(client, conversation["id"])] == [
            (mid, "complete")
        ]

    entries = log_entries(stack, mid)
    assert entries == entries_before
    assert entries[-1][1] == "done"
    assert sum(kind in TERMINAL for _, kind, _ in entries) == 1
    reset_at = next(i for i, (_, kind, _) in enumerate(entries) if kind == "reset")
    second_attempt = "".join(data["text"] for _, kind, data in entries[reset_at:] if kind == "delta")
    assert final["content"] == second_attempt == entries[-1][2]["content"] == FULL_TEXT


def test_fenced_stale_worker_leaves_the_new_attempts_job_alone(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    """A zombie that wakes up while the new attempt still runs must not end the new attempt's job.

    If it does, the running answer is no longer in ARQ's queue, and should its worker die too, no
    claim expiry brings it back: only the recovery sweep, much later.
    """
    stack = make_stack(claim_ttl_seconds="3")
    api = stack.start(workers=2)
    question = unique("zombie while new attempt runs")
    tokens = [f"long{i} " for i in range(120)]  # about 6 s, so attempt 2 outlives the zombie
    upstream.script(question, {"tokens": tokens, "delay": 0.05})
    queue = keys.QUEUE
    store = redis.Redis.from_url(stack.redis.url)

    with api.client() as client, store:
        conversation = new_conversation(client)
        mid = ask(client, conversation["id"], question)["assistant_message"]["id"]
        stream = follow(client, mid)
        take_until(stream, 5)
        stale = running_worker(stack, mid)
        os.kill(stale.popen.pid, signal.SIGSTOP)
        try:
            taken = take_until(stream, 1, "reset")
            taken += take_until(stream, 5)  # attempt 2 is streaming
        finally:
            os.kill(stale.popen.pid, signal.SIGCONT)
        wait_until(lambda: bool(stale_job_end(stale, mid)), 15, "the stale worker ending its job", stale)

        # ARQ logs the job's end just before it cleans the job up: watch the keys for a while.
        job_kept = still_queued = True
        watch_until = time.monotonic() + 1.0
        while job_kept and still_queued and time.monotonic() < watch_until:
            job_kept = bool(store.exists(keys.arq_job(mid)))
            still_queued = store.zscore(queue, mid) is not None
            time.sleep(0.05)
        message = client.get(f"/api/messages/{mid}").json()
        assert message["status"] == "streaming", "attempt 2 ended before the zombie did; make it longer"
        assert message["attempt"] == 2
        print(f"\nafter the zombie ended, attempt 2 still running: job key {job_kept}, queued {still_queued}")
        assert job_kept, "the fenced zombie's job end deleted the running attempt's ARQ job"
        assert still_queued, "the fenced zombie's job end removed the running attempt from the queue"

        events = [event for _, event in taken] + [event for _, event in stream]
        assert events[-1].event == "done", events[-1]
        assert answer_text(events) == "".join(tokens)
        assert wait_for_message(client, mid)["attempt"] == 2


def test_worker_sigterm_hands_running_answer_over(make_stack: MakeStack, upstream: Upstream) -> None:
    stack = make_stack()
    api = stack.start(workers=2)
    question = unique("worker sigterm")
    upstream.script(question, SLOW_ANSWER)

    with api.client() as client:
        conversation = new_conversation(client)
        mid = ask(client, conversation["id"], question)["assistant_message"]["id"]
        stream = follow(client, mid)
        events = [event for _, event in take_until(stream, 5)]
        leaving = running_worker(stack, mid)
        signalled_at = time.monotonic()
        code = leaving.stop()
        assert code != -signal.SIGKILL, f"the worker did not exit on SIGTERM\n{leaving.tail()}"
        timed = list(stream)
        events += [event for _, event in timed]
        reset_at = next((at for at, event in timed if event.event == "reset"), None)
        if reset_at is not None:
            print(f"\nhandover: worker SIGTERMed -> reset event after {reset_at - signalled_at:.2f} s")

        assert [e.data for e in events if e.event == "reset"] == [{"attempt": 2}], events
        terminal = events[-1]
        assert terminal.event == "done", terminal
        assert_ids_strictly_increase(events)
        assert answer_text(events) == terminal.data["content"] == FULL_TEXT
        message = wait_for_message(client, mid)
        assert message["status"] == "complete"
        assert message["attempt"] == 2
        answers = assistant_messages(client, conversation["id"])
        assert [(m["id"], m["status"]) for m in answers] == [(mid, "complete")]
    remaining = next(w for w in stack.workers if w is not leaving)
    assert f"→ {mid}:generate(" in remaining.log_text()


def test_pickup_starts_job_without_waiting_for_poll(make_stack: MakeStack, upstream: Upstream) -> None:
    stack = make_stack()  # the default poll delay (1 s): only the wake-up makes pickup fast
    api = stack.start()
    latencies: list[float] = []

    with api.client() as client:
        conversation = new_conversation(client)
        for index in range(10):
            question = unique(f"pickup {index}")
            upstream.script(question, {"tokens": ["quick ", "answer"]})
            posted = time.monotonic()
            mid = ask(client, conversation["id"], question)["assistant_message"]["id"]
            timed = list(follow(client, mid))
            first_delta = next(at for at, event in timed if event.event == "delta")
            latencies.append(first_delta - posted)
            assert timed[-1][1].event == "done"

    p50 = statistics.median(latencies)
    print(
        f"\npickup (POST -> first delta): p50 {p50 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms, "
        f"all {[round(x * 1000) for x in latencies]} ms"
    )
    assert p50 < 0.3


@pytest.fixture
def aof_stack(log_dir: Path, upstream: Upstream) -> Iterator[Stack]:
    """A deployment whose Redis keeps an append-only file, as in production."""
    deployment = Stack(log_dir, upstream, redis=RedisServer(log_dir, appendonly=True))
    yield deployment
    deployment.close()


def test_redis_restart_is_survived(aof_stack: Stack, upstream: Upstream) -> None:
    stack = aof_stack
    api = stack.start_api()
    worker = stack.start_worker()
    pids = {api.popen.pid, worker.popen.pid}

    with api.client() as client:
        conversation = new_conversation(client)
        before = unique("before restart")
        upstream.script(before, {"tokens": ["still ", "here"]})
        mid = ask(client, conversation["id"], before)["assistant_message"]["id"]
        assert [e for _, e in follow(client, mid)][-1].event == "done"

        stack.redis.kill()
        stack.redis.start()

        after = unique("after restart")
        upstream.script(after, {"tokens": ["back ", "again"]})
        mid = ask(client, conversation["id"], after)["assistant_message"]["id"]
        events = [e for _, e in follow(client, mid)]
        assert events[-1].event == "done", events
        assert answer_text(events) == events[-1].data["content"] == "back again"
        message = wait_for_message(client, mid)
        assert message["status"] == "complete"
        assert message["content"] == "back again"

    assert api.popen.poll() is None
    assert worker.popen.poll() is None
    assert {api.popen.pid, worker.popen.pid} == pids
