"""GET /api/messages/{id}/stream: the SSE relay, its cursors, many readers, and the fallback to the DB."""

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import redis

from core import keys
from tests.support.sse import SseEvent, SseRead, answer_text, assert_ids_strictly_increase, read_stream
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

MISSING_ID = "00000000-0000-7000-8000-000000000000"
TOKENS = [f"t{i} " for i in range(20)]


def start_answer(client: httpx.Client, upstream: Upstream, label: str, **script: Any) -> str:
    """Ask a fresh conversation a scripted question; the assistant message id."""
    question = unique(label)
    upstream.script(question, {"tokens": TOKENS, **script})
    pair = ask(client, new_conversation(client)["id"], question)
    answer_id: str = pair["assistant_message"]["id"]
    return answer_id


def signature(events: list[SseEvent]) -> list[tuple[str | None, str, Any]]:
    return [(e.id, e.event, e.data) for e in events]


def test_stream_equals_the_final_message(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "stream equals", delay=0.01)
    read = read_stream(client, answer_id)
    assert read.status == 200
    assert read.terminal is not None
    assert read.terminal.event == "done"
    text = answer_text(read.events)
    assert text == "".join(TOKENS)
    assert read.terminal.data["content"] == text
    stored = client.get(f"/api/messages/{answer_id}").json()
    assert stored["content"] == text
    assert stored["status"] == "complete"
    assert read.terminal.data == stored


def test_stream_events_carry_increasing_ids(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "ids", delay=0.01)
    read = read_stream(client, answer_id)
    assert read.terminal is not None
    assert len(read.events) >= 3
    assert_ids_strictly_increase(read.events)


def test_usage_precedes_the_terminal_event_and_matches_the_message(
    client: httpx.Client, upstream: Upstream
) -> None:
    answer_id = start_answer(client, upstream, "usage")
    read = read_stream(client, answer_id)
    assert read.terminal is not None
    kinds = [e.event for e in read.events]
    assert "usage" in kinds
    usage = read.events[kinds.index("usage")]
    assert kinds.index("usage") < len(kinds) - 1
    stored = client.get(f"/api/messages/{answer_id}").json()
    assert usage.data == {
        "prompt_tokens": stored["prompt_tokens"],
        "completion_tokens": stored["completion_tokens"],
    }
    # The scripted model reports 10 + messages prompt tokens and one completion token per token.
    assert stored["completion_tokens"] == len(TOKENS)
    assert stored["prompt_tokens"] == 10 + 1
    assert read.terminal.data["prompt_tokens"] == stored["prompt_tokens"]


def resume_mid_answer(client: httpx.Client, answer_id: str, use_header: bool) -> tuple[SseRead, SseRead]:
    first = read_stream(client, answer_id, stop_after=3)
    assert first.status == 200
    assert len(first.events) == 3
    assert first.terminal is None, "the answer finished before the reconnect: make it slower"
    assert first.last_id is not None
    if use_header:
        second = read_stream(client, answer_id, last_event_id=first.last_id)
    else:
        second = read_stream(client, answer_id, after=first.last_id)
    assert second.status == 200
    return first, second


def assert_resumed_exactly(client: httpx.Client, answer_id: str, first: SseRead, second: SseRead) -> None:
    assert second.terminal is not None
    assert second.terminal.event == "done"
    final = client.get(f"/api/messages/{answer_id}").json()["content"]
    assert final == "".join(TOKENS)
    assert answer_text(first.events) + answer_text(second.events) == final
    assert second.terminal.data["content"] == final
    assert_ids_strictly_increase(first.events + second.events)


def test_stream_resumes_from_last_event_id(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "resume header", delay=0.03)
    first, second = resume_mid_answer(client, answer_id, use_header=True)
    assert_resumed_exactly(client, answer_id, first, second)


def test_stream_resumes_from_after_query_parameter(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "resume after", delay=0.03)
    first, second = resume_mid_answer(client, answer_id, use_header=False)
    assert_resumed_exactly(client, answer_id, first, second)


def test_stream_resumes_after_the_answer_finished(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "resume late", delay=0.01)
    first = read_stream(client, answer_id, stop_after=2)
    assert first.terminal is None
    wait_for_message(client, answer_id)
    second = read_stream(client, answer_id, last_event_id=first.last_id)
    assert second.terminal is not None
    assert answer_text(first.events) + answer_text(second.events) == "".join(TOKENS)
    assert_ids_strictly_increase(first.events + second.events)


def test_concurrent_readers_get_identical_events(stack: Stack, upstream: Upstream) -> None:
    with stack.client() as client:
        answer_id = start_answer(client, upstream, "three readers", delay=0.02)

    def read(_: int) -> SseRead:
        with stack.client() as own:
            return read_stream(own, answer_id)

    with ThreadPoolExecutor(3) as pool:
        reads = list(pool.map(read, range(3)))
    for result in reads:
        assert result.status == 200
        assert result.terminal is not None
        assert result.terminal.event == "done"
        assert answer_text(result.events) == "".join(TOKENS)
    assert signature(reads[0].events) == signature(reads[1].events) == signature(reads[2].events)
    assert_ids_strictly_increase(reads[0].events)


def test_concurrent_readers_joining_mid_answer_get_the_same_events(stack: Stack, upstream: Upstream) -> None:
    with stack.client() as client:
        answer_id = start_answer(client, upstream, "late joiners", delay=0.03)
        early = read_stream(client, answer_id, stop_after=2)
        assert early.terminal is None

    def read(index: int) -> SseRead:
        with stack.client() as own:
            # One reader resumes from a cursor while the others start over, all at the same time.
            return read_stream(own, answer_id, last_event_id=early.last_id if index == 0 else None)

    with ThreadPoolExecutor(3) as pool:
        resumed, *full = list(pool.map(read, range(3)))
    assert signature(full[0].events) == signature(full[1].events)
    assert signature(early.events + resumed.events) == signature(full[0].events)
    assert answer_text(full[0].events) == "".join(TOKENS)


def test_reconnect_with_the_terminal_event_id_is_204(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "all delivered")
    read = read_stream(client, answer_id)
    assert read.terminal is not None
    assert read.terminal.id is not None
    assert read_stream(client, answer_id, last_event_id=read.terminal.id).status == 204
    assert read_stream(client, answer_id, after=read.terminal.id).status == 204


def test_expired_log_is_served_from_the_database_as_one_done_event(
    client: httpx.Client, upstream: Upstream, stack: Stack
) -> None:
    answer_id = start_answer(client, upstream, "expired")
    stored = wait_for_message(client, answer_id)
    assert stored["status"] == "complete"
    assert read_stream(client, answer_id).terminal is not None  # the log exists, and is final
    with redis.Redis.from_url(stack.redis.url) as r:
        assert r.delete(f"relaychat:log:{answer_id}", f"relaychat:logstate:{answer_id}") == 2

    read = read_stream(client, answer_id)
    assert read.status == 200
    assert len(read.events) == 1
    event = read.events[0]
    assert event.event == "done"
    assert event.data == stored
    assert event.data["content"] == "".join(TOKENS)
    # A browser's EventSource reconnects with the id it got: it must be told it has everything.
    assert event.id is not None
    assert read_stream(client, answer_id, last_event_id=event.id).status == 204


def test_a_final_answer_whose_terminal_event_was_lost_is_repaired_on_read(
    client: httpx.Client, upstream: Upstream, stack: Stack
) -> None:
    # As when a worker dies between saving the final message and appending its terminal event.
    answer_id = start_answer(client, upstream, "lost terminal")
    stored = wait_for_message(client, answer_id)
    log_key, state_key = keys.log(answer_id), keys.log_state(answer_id)
    with redis.Redis.from_url(stack.redis.url) as r:
        entries = r.xrange(log_key)
        r.xdel(log_key, *[entry_id for entry_id, fields in entries if fields[b"e"] in (b"usage", b"done")])
        r.hdel(state_key, "final")

    read = read_stream(client, answer_id, timeout=10)
    assert read.terminal is not None
    assert read.terminal.event == "done"
    assert read.terminal.data == stored
    assert answer_text(read.events) == stored["content"]


def test_a_cursor_beyond_the_log_does_not_starve_other_readers(
    client: httpx.Client, upstream: Upstream
) -> None:
    answer_id = start_answer(client, upstream, "future cursor", delay=0.05)
    with (
        ThreadPoolExecutor(1) as pool,
        httpx.Client(base_url=str(client.base_url), headers=client.headers) as other,
    ):
        # First follower on this API process, with a cursor from the far future.
        stray = pool.submit(read_stream, other, answer_id, "99999999999999-0", None, None, 4)
        time.sleep(0.3)
        read = read_stream(client, answer_id, timeout=10)
        assert read.terminal is not None
        assert answer_text(read.events) == "".join(TOKENS)
        with contextlib.suppress(httpx.ReadTimeout):
            stray.result()


def test_nul_characters_are_refused(client: httpx.Client) -> None:
    conversation = new_conversation(client)
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": "a\x00b"})
    assert response.status_code == 422
    assert response.json()["detail"] == "content: holds a NUL character, which relaychat cannot store"
    assert client.get(f"/api/conversations/{conversation['id']}/messages").json() == []


def test_invalid_cursor_is_422(client: httpx.Client, upstream: Upstream) -> None:
    answer_id = start_answer(client, upstream, "bad cursor")
    assert read_stream(client, answer_id, last_event_id="garbage").status == 422
    assert read_stream(client, answer_id, after="12-ab").status == 422
    response = client.get(f"/api/messages/{answer_id}/stream", headers={"Last-Event-ID": "garbage"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid stream cursor"
    wait_for_message(client, answer_id)


def test_stream_of_unknown_message_is_404(client: httpx.Client) -> None:
    assert read_stream(client, MISSING_ID).status == 404


def test_stream_of_a_user_message_is_409(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("user stream")
    upstream.script(question, {"tokens": ["x"]})
    pair = ask(client, new_conversation(client)["id"], question)
    response = client.get(f"/api/messages/{pair['user_message']['id']}/stream")
    assert response.status_code == 409
    assert response.json()["detail"] == "Only an answer has a stream"
    wait_for_message(client, pair["assistant_message"]["id"])
