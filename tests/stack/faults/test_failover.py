"""Redis with Sentinel: the primary SIGKILLed with 20 answers in flight. Sentinel promotes the
replica, every process follows it by itself, every answer ends with exactly one final message
whose text is what each reader shows, and new answers work again."""

import time
from pathlib import Path

import pytest

from tests.support.in_flight import EXPECTED, run_with_readers, start_answers
from tests.support.sentinel import SentinelGroup
from tests.support.sse import answer_text, read_stream
from tests.support.stack import MakeStack, ask, new_conversation, unique, wait_for_message

pytestmark = [pytest.mark.faults, pytest.mark.slow]


@pytest.mark.parametrize("replica", ["in_sync", "lagging"])
def test_primary_killed_with_20_answers_running_fails_over_with_nothing_lost(
    make_stack: MakeStack, log_dir: Path, replica: str
) -> None:
    group = SentinelGroup(log_dir, freezable=replica == "lagging")
    # The default claim (10 s) outlives the failover (about 3 s): the answers' own workers go on
    # writing, and repair the logs the failover cut short. A claim that lapsed unrenewed while
    # Redis was out would have its job given up and taken over instead (worker/claim.py).
    stack = make_stack(sentinels=group)
    api = stack.start(workers=2)
    with api.client() as client:
        message_ids = start_answers(stack, client)
    killed_at: list[float] = []

    def kill_primary() -> None:
        if replica == "lagging":
            # What the primary takes from here on never reaches the replica: log entries, claims,
            # checkpoints' marks, wake-ups. The failover loses all of it.
            group.freeze_replication()
            time.sleep(1.0)
        group.primary.kill()
        killed_at.append(time.monotonic())

    streams = run_with_readers(stack, lambda: [api.url], message_ids, kill_primary)
    assert group.primary_address() == group.replica.address

    with api.client() as client:
        question = unique("after failover")
        stack.upstream.script(question, {"tokens": ["back"]})
        deadline = killed_at[0] + 30
        while True:
            try:
                answer_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
                break
            except AssertionError:
                assert time.monotonic() < deadline, "no new answer within 30 s of the primary's death"
                time.sleep(0.5)
        assert wait_for_message(client, answer_id, timeout=30)["content"] == "back"
        print(
            f"new answers work {time.monotonic() - killed_at[0]:.1f} s after the primary's death ({replica})"
        )

        repaired = 0
        for message_id, events in zip(message_ids, streams, strict=True):
            stored = wait_for_message(client, message_id, timeout=60)
            assert stored["status"] == "complete", stored
            assert stored["content"] == EXPECTED
            assert answer_text(events) == stored["content"]  # after its last reset, as a browser shows
            reloaded = read_stream(client, message_id).events  # a page opened after the failover
            assert answer_text(reloaded) == stored["content"]
            repaired += any(e.event == "reset" and e.data.get("repair") for e in reloaded)
            assert [e.event for e in events].count("done") == 1
            messages = client.get(f"/api/conversations/{stored['conversation_id']}/messages").json()
            assert [m["role"] for m in messages] == ["user", "assistant"]
    if replica == "lagging":  # the failover did lose log entries, and their writers repaired the logs
        assert repaired > 0
