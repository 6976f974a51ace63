"""Checkpoints through the real stack: partial text saved while streaming, missed Stops noticed,
a fenced attempt refused."""

import asyncio
from typing import Any

import httpx
import redis

from core import keys
from core.db import make_engine, make_sessionmaker
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message
from worker.answers import Checkpoint, save_checkpoints

SLOW = [f"w{i} " for i in range(40)]  # 4 s at 0.1 s a token: several checkpoints


def start_slow_answer(client: httpx.Client, upstream: Upstream, label: str) -> str:
    question = unique(label)
    upstream.script(question, {"tokens": SLOW, "delay": 0.1})
    message_id: str = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
    return message_id


def message(client: httpx.Client, message_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/messages/{message_id}").json()
    return found


def test_a_streaming_answers_partial_text_is_saved_while_it_streams(
    client: httpx.Client, upstream: Upstream
) -> None:
    message_id = start_slow_answer(client, upstream, "checkpointed")

    wait_until(lambda: len(message(client, message_id)["content"]) > 0, 10, "a checkpoint")
    partial = message(client, message_id)

    assert partial["status"] == "streaming"
    assert "".join(SLOW).startswith(partial["content"])
    assert partial["content"] != "".join(SLOW)
    assert wait_for_message(client, message_id)["content"] == "".join(SLOW)


def test_a_stop_whose_message_was_missed_is_noticed_at_a_checkpoint(
    client: httpx.Client, upstream: Upstream, stack: Stack
) -> None:
    message_id = start_slow_answer(client, upstream, "missed stop")
    wait_until(lambda: message(client, message_id)["status"] == "streaming", 10, "streaming")

    # The cancel flag without its pub/sub message, as when the worker's listener was reconnecting.
    with redis.Redis.from_url(stack.redis.url) as connection:
        connection.set(keys.stop(message_id), b"1", ex=60)

    final = wait_for_message(client, message_id, timeout=5)
    assert final["status"] == "stopped"
    assert "".join(SLOW).startswith(final["content"])
    assert final["content"] != "".join(SLOW)


def test_a_checkpoint_of_a_stale_attempt_or_a_deleted_answer_is_refused(
    client: httpx.Client, upstream: Upstream, stack: Stack
) -> None:
    message_id = start_slow_answer(client, upstream, "fenced checkpoint")
    wait_until(lambda: message(client, message_id)["status"] == "streaming", 10, "streaming")

    async def save(rows: list[Checkpoint]) -> set[str]:
        engine = make_engine(stack.database_url)
        try:
            return await save_checkpoints(make_sessionmaker(engine), rows)
        finally:
            await engine.dispose()

    gone = Checkpoint("no-such-answer", 1, "gone", [])
    stale = [Checkpoint(message_id, 99, "from a stale attempt", []), gone]
    assert asyncio.run(save(stale)) == {message_id, "no-such-answer"}
    owner = [Checkpoint(message_id, 1, "w0 ", []), gone]
    assert asyncio.run(save(owner)) == {"no-such-answer"}
    assert wait_for_message(client, message_id)["content"] == "".join(SLOW)
