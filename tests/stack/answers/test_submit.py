"""Submitting questions, listing messages, idempotency, the one-active-answer rule, limits and Stop."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.sse import TERMINAL, SseEvent, answer_text, parse_events
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

MISSING_ID = "00000000-0000-7000-8000-000000000000"


def messages_of(client: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def follow(client: httpx.Client, message_id: str) -> Iterator[SseEvent]:
    """Every SSE event of the answer's stream as it arrives, until the server ends the response."""
    with client.stream("GET", f"/api/messages/{message_id}/stream", timeout=30) as response:
        assert response.status_code == 200
        yield from parse_events(response.iter_lines())


# Submit


def test_submit_returns_202_with_the_question_and_a_queued_answer(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("submit")
    upstream.script(question, {"tokens": ["fine"]})
    response = client.post(
        f"/api/conversations/{conversation['id']}/messages", json={"content": question, "client_id": "c-1"}
    )
    assert response.status_code == 202, response.text
    pair = response.json()
    user, answer = pair["user_message"], pair["assistant_message"]

    assert user["role"] == "user"
    assert user["content"] == question
    assert user["status"] == "complete"
    assert user["client_id"] == "c-1"
    assert user["parent_id"] is None
    assert user["conversation_id"] == conversation["id"]

    assert answer["role"] == "assistant"
    assert answer["status"] == "queued"
    assert answer["content"] == ""
    assert answer["parent_id"] == user["id"]
    assert answer["conversation_id"] == conversation["id"]
    assert answer["model"] == "scripted"
    assert answer["attempt"] == 0
    wait_for_message(client, answer["id"])


def test_submit_uses_the_conversation_model(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client, model="scripted-alt")
    question = unique("model choice")
    upstream.script(question, {"tokens": ["ok"]})
    pair = ask(client, conversation["id"], question)
    assert pair["assistant_message"]["model"] == "scripted-alt"
    wait_for_message(client, pair["assistant_message"]["id"])
    assert [r["model"] for r in upstream.requests(question)] == ["scripted-alt"]


def test_messages_are_listed_in_order_after_answers_complete(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    first, second = unique("first"), unique("second")
    upstream.script(first, {"tokens": ["One", " answer"]})
    upstream.script(second, {"tokens": ["Two", " answer"]})
    pair1 = ask(client, conversation["id"], first)
    wait_for_message(client, pair1["assistant_message"]["id"])
    pair2 = ask(client, conversation["id"], second)
    wait_for_message(client, pair2["assistant_message"]["id"])

    listed = messages_of(client, conversation["id"])
    assert [(m["role"], m["content"], m["status"]) for m in listed] == [
        ("user", first, "complete"),
        ("assistant", "One answer", "complete"),
        ("user", second, "complete"),
        ("assistant", "Two answer", "complete"),
    ]
    ids = [m["id"] for m in listed]
    assert ids == [
        pair1["user_message"]["id"],
        pair1["assistant_message"]["id"],
        pair2["user_message"]["id"],
        pair2["assistant_message"]["id"],
    ]
    assert [m["parent_id"] for m in listed] == [None, ids[0], ids[1], ids[2]]
    assert client.get(f"/api/messages/{ids[3]}").json() == listed[3]


# Idempotency


def test_repeated_client_id_returns_the_same_pair_and_asks_the_model_once(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("idempotent")
    upstream.script(question, {"tokens": ["only", " once"], "delay": 0.05})
    first = ask(client, conversation["id"], question, client_id="retry-me")
    again = ask(client, conversation["id"], question, client_id="retry-me")
    assert again["user_message"]["id"] == first["user_message"]["id"]
    assert again["assistant_message"]["id"] == first["assistant_message"]["id"]

    final = wait_for_message(client, first["assistant_message"]["id"])
    assert final["content"] == "only once"
    later = ask(client, conversation["id"], question, client_id="retry-me")
    assert later["assistant_message"] == final

    assert len(upstream.requests(question)) == 1
    assert len(messages_of(client, conversation["id"])) == 2


def test_concurrent_submits_with_one_client_id_make_one_pair(stack: Stack, upstream: Upstream) -> None:
    with stack.client() as client:
        conversation = new_conversation(client)
    question = unique("concurrent idempotent")
    upstream.script(question, {"tokens": ["single"]})

    def submit(_: int) -> tuple[int, dict[str, Any]]:
        with stack.client() as own:
            response = own.post(
                f"/api/conversations/{conversation['id']}/messages",
                json={"content": question, "client_id": "racing"},
            )
            return response.status_code, response.json()

    with ThreadPoolExecutor(5) as pool:
        results = list(pool.map(submit, range(5)))
    assert [status for status, _ in results] == [202] * 5
    assert len({body["assistant_message"]["id"] for _, body in results}) == 1

    with stack.client() as client:
        wait_for_message(client, results[0][1]["assistant_message"]["id"])
        assert len(messages_of(client, conversation["id"])) == 2
    assert len(upstream.requests(question)) == 1


def test_same_client_id_in_another_conversation_is_a_new_question(
    client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("per conversation")
    upstream.script(question, {"tokens": ["hi"]})
    a = ask(client, new_conversation(client)["id"], question, client_id="shared")
    b = ask(client, new_conversation(client)["id"], question, client_id="shared")
    assert a["assistant_message"]["id"] != b["assistant_message"]["id"]
    wait_for_message(client, a["assistant_message"]["id"])
    wait_for_message(client, b["assistant_message"]["id"])
    assert len(upstream.requests(question)) == 2


# One active answer per conversation


def test_submit_while_an_answer_is_active_is_409_until_it_finishes(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    slow, impatient, later = unique("slow"), unique("impatient"), unique("later")
    upstream.script(slow, {"tokens": ["a", "b", "c", "d"], "delay": 0.2})
    upstream.script(later, {"tokens": ["now", " fine"]})
    pair = ask(client, conversation["id"], slow)
    before = [m["id"] for m in messages_of(client, conversation["id"])]

    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": impatient})
    assert response.status_code == 409
    assert "still being generated" in response.json()["detail"]
    # The answer itself moves on meanwhile; what matters is that no message was added.
    assert [m["id"] for m in messages_of(client, conversation["id"])] == before
    assert upstream.requests(impatient) == []

    wait_for_message(client, pair["assistant_message"]["id"], status="complete")
    next_pair = ask(client, conversation["id"], later)
    assert next_pair["user_message"]["parent_id"] == pair["assistant_message"]["id"]
    assert wait_for_message(client, next_pair["assistant_message"]["id"])["content"] == "now fine"


def test_other_conversations_are_not_blocked_by_an_active_answer(
    client: httpx.Client, upstream: Upstream
) -> None:
    slow, other = unique("slow elsewhere"), unique("other conversation")
    upstream.script(slow, {"tokens": ["a", "b", "c"], "delay": 0.2})
    upstream.script(other, {"tokens": ["free"]})
    busy = ask(client, new_conversation(client)["id"], slow)
    free = ask(client, new_conversation(client)["id"], other)
    assert wait_for_message(client, free["assistant_message"]["id"])["content"] == "free"
    wait_for_message(client, busy["assistant_message"]["id"])


# Not found


def test_submit_to_unknown_conversation_is_404(client: httpx.Client) -> None:
    response = client.post(f"/api/conversations/{MISSING_ID}/messages", json={"content": "hello?"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Conversation not found"


def test_list_messages_of_unknown_conversation_is_404(client: httpx.Client) -> None:
    assert client.get(f"/api/conversations/{MISSING_ID}/messages").status_code == 404


def test_unknown_message_is_404(client: httpx.Client) -> None:
    response = client.get(f"/api/messages/{MISSING_ID}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Message not found"


# Rejected submits


@pytest.fixture(scope="module")
def answered_conversation(stack: Stack, upstream: Upstream) -> dict[str, Any]:
    """A conversation with one finished exchange, for checking that rejected submits write nothing."""
    question = unique("already answered")
    upstream.script(question, {"tokens": ["done"]})
    with stack.client() as client:
        conversation = new_conversation(client)
        pair = ask(client, conversation["id"], question)
        wait_for_message(client, pair["assistant_message"]["id"])
    return conversation


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"client_id": "no-content"},
        {"content": 5},
        {"content": None},
        {"content": ["hello"]},
        {"content": "hello", "role": "system"},
        {"content": "hello", "client_id": ""},
        {"content": "hello", "client_id": "x" * 101},
    ],
    ids=[
        "empty-body",
        "missing-content",
        "int-content",
        "null-content",
        "list-content",
        "unknown-field",
        "empty-client-id",
        "long-client-id",
    ],
)
def test_submit_rejects_invalid_bodies_and_writes_nothing(
    client: httpx.Client, answered_conversation: dict[str, Any], body: dict[str, Any]
) -> None:
    cid = answered_conversation["id"]
    before = messages_of(client, cid)
    response = client.post(f"/api/conversations/{cid}/messages", json=body)
    assert response.status_code == 422, response.text
    assert messages_of(client, cid) == before


@pytest.mark.parametrize("content", ["", "   ", " \n\t "], ids=["empty", "spaces", "whitespace"])
def test_submit_of_empty_content_is_422_message_is_empty(
    client: httpx.Client, answered_conversation: dict[str, Any], content: str
) -> None:
    cid = answered_conversation["id"]
    before = messages_of(client, cid)
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": content})
    assert response.status_code == 422
    assert response.json()["detail"] == "Message is empty"
    assert messages_of(client, cid) == before


def test_submit_over_the_character_limit_is_413_naming_the_limit(
    client: httpx.Client, answered_conversation: dict[str, Any]
) -> None:
    cid = answered_conversation["id"]
    before = messages_of(client, cid)
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": "x" * 32_001})
    assert response.status_code == 413
    assert "32,000" in response.json()["detail"]
    assert messages_of(client, cid) == before


def test_submit_over_the_model_context_is_413(
    client: httpx.Client, answered_conversation: dict[str, Any]
) -> None:
    cid = answered_conversation["id"]
    before = messages_of(client, cid)
    words = " ".join(f"w{i}" for i in range(6000))[:31_000]
    response = client.post(f"/api/conversations/{cid}/messages", json={"content": words})
    assert response.status_code == 413
    assert "tokens" in response.json()["detail"]
    assert messages_of(client, cid) == before


# Stop


def test_stop_ends_a_streaming_answer_with_its_partial_text(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    question = unique("stop me")
    tokens = [f"word{i} " for i in range(100)]
    upstream.script(question, {"tokens": tokens, "delay": 0.05})
    answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]

    events: list[SseEvent] = []
    stopped_at = 0.0
    with httpx.Client(base_url=str(client.base_url), headers=client.headers, timeout=30) as stopper:
        for event in follow(client, answer_id):
            events.append(event)
            if not stopped_at and sum(e.event == "delta" for e in events) == 3:
                stopped_at = time.time()
                response = stopper.post(f"/api/messages/{answer_id}/stop")
                assert response.status_code == 202, response.text
                assert response.json()["id"] == answer_id
    assert stopped_at, "the answer finished before three deltas arrived"

    terminal = events[-1]
    assert terminal.event == "stopped"
    assert [e.event for e in events].count("stopped") == 1
    assert not any(e.event in TERMINAL for e in events[:-1])
    partial = answer_text(events)
    assert terminal.data["content"] == partial
    assert partial.startswith("word0 word1 word2 ")
    assert partial != "".join(tokens)

    stored = client.get(f"/api/messages/{answer_id}").json()
    assert stored["status"] == "stopped"
    assert stored["content"] == partial

    def disconnected() -> dict[str, Any] | None:
        return next((r for r in upstream.requests(question) if r["disconnected"]), None)

    record = disconnected()
    while record is None and time.time() < stopped_at + 2:
        time.sleep(0.05)
        record = disconnected()
    assert record is not None, f"the model never saw the client hang up: {upstream.requests(question)}"
    assert record["disconnected_at"] - stopped_at < 2
    assert not record["finished"]
    assert record["tokens_sent"] < len(tokens)


@pytest.mark.parametrize(
    ("script", "status", "terminal"),
    [({"tokens": ["all", " done"]}, "complete", "done"), ({"status": 400}, "failed", "error")],
    ids=["complete", "failed"],
)
def test_stop_of_a_finished_answer_is_200_and_changes_nothing(
    client: httpx.Client, upstream: Upstream, script: dict[str, Any], status: str, terminal: str
) -> None:
    conversation = new_conversation(client)
    question = unique("already finished")
    upstream.script(question, script)
    answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
    final = wait_for_message(client, answer_id)
    assert final["status"] == status
    before = list(follow(client, answer_id))
    assert before[-1].event == terminal

    response = client.post(f"/api/messages/{answer_id}/stop")
    assert response.status_code == 200
    assert response.json() == final
    assert client.get(f"/api/messages/{answer_id}").json() == final
    # Nothing was appended to the log either: the stream is exactly what it was.
    after = list(follow(client, answer_id))
    assert [(e.id, e.event, e.data) for e in after] == [(e.id, e.event, e.data) for e in before]


def test_stop_of_a_user_message_is_409(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    question = unique("user stop")
    upstream.script(question, {"tokens": ["x"]})
    pair = ask(client, conversation["id"], question)
    response = client.post(f"/api/messages/{pair['user_message']['id']}/stop")
    assert response.status_code == 409
    assert response.json()["detail"] == "Only an answer can be stopped"
    assert wait_for_message(client, pair["assistant_message"]["id"])["status"] == "complete"


def test_stop_of_an_unknown_message_is_404(client: httpx.Client) -> None:
    response = client.post(f"/api/messages/{MISSING_ID}/stop")
    assert response.status_code == 404
    assert response.json()["detail"] == "Message not found"


def test_validation_errors_have_a_readable_detail(client: httpx.Client) -> None:
    conversation = new_conversation(client)
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"text": "hi"})
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert "content" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "content"]
