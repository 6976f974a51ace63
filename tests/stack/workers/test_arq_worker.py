"""RelaychatWorker, what relaychat changes in ARQ's worker, through the real stack."""

import time

import pytest

from tests.support.stack import MakeStack, Upstream, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

POLL_DELAY = 10.0  # far longer than the answers: a job started by the poll would be late


def test_a_full_worker_starts_the_next_waiting_job_as_soon_as_one_ends(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    stack = make_stack(worker_concurrency="1", poll_delay_seconds=str(POLL_DELAY))
    api = stack.start()
    first, second = unique("occupies the only slot"), unique("waits for it")
    upstream.script(first, {"tokens": [f"w{i} " for i in range(10)], "delay": 0.1})
    upstream.script(second, {"tokens": ["next"]})

    with api.client() as client:
        running = ask(client, new_conversation(client)["id"], first)["assistant_message"]["id"]
        # Its wake-up finds the worker full and is dropped: only a freed slot, or the poll, starts it.
        waiting = ask(client, new_conversation(client)["id"], second)["assistant_message"]["id"]
        wait_for_message(client, running)
        freed = time.monotonic()
        answer = wait_for_message(client, waiting, timeout=POLL_DELAY + 5)
        started_after = time.monotonic() - freed

    assert answer["content"] == "next"
    assert started_after < POLL_DELAY / 2, (
        f"the waiting answer ended {started_after:.1f} s after the slot freed"
    )


def test_arq_cli_hands_the_process_over_to_the_relaychat_worker(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    # A long poll: only the wake-up, which RelaychatWorker adds, can start the answer in time.
    stack = make_stack(poll_delay_seconds=str(POLL_DELAY))
    api = stack.start_api()
    worker = stack.start_worker(command=("-m", "arq", "worker.main.WorkerSettings"))
    question = unique("through arq's cli")
    upstream.script(question, {"tokens": ["handed ", "over"]})

    with api.client() as client:
        started = time.monotonic()
        message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
        answer = wait_for_message(client, message_id, timeout=POLL_DELAY + 5)
        took = time.monotonic() - started

    assert answer["content"] == "handed over"
    assert took < POLL_DELAY / 2, f"the answer took {took:.1f} s: no wake-up, a stock ARQ worker"
    assert worker.popen.poll() is None  # the same process, now RelaychatWorker
