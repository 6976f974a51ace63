"""What relaychat adds to ARQ's worker, through the real stack."""

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
