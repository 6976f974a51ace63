"""Crashes and outages with 20 answers in flight, every answer checked against what the model sent."""

import time

import pytest

from tests.support.in_flight import EXPECTED, assert_exact, run_with_readers, start_answers
from tests.support.sse import answer_text
from tests.support.stack import MakeStack, wait_for_message

pytestmark = [pytest.mark.faults, pytest.mark.slow]


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
        # SIGTERM: a clean exit, its answers handed over (given longer than a kill's wait: under
        # the suite's load, cancelling 20 answers' streams and closing the clients takes seconds).
        assert leaving.stop(timeout=20) == 0, leaving.tail()

    streams = run_with_readers(stack, lambda: [api.url], message_ids, terminate)
    assert_exact(stack, message_ids, streams)
    with api.client() as client:
        statuses = {client.get(f"/api/messages/{m}").json()["status"] for m in message_ids}
    assert statuses == {"complete"}, "an answer was left streaming"
