"""The visible context window: each answer's recorded prompt, pins, and the answer's max tokens."""

import time
from typing import Any

import httpx
import sqlalchemy as sa

from core.catalog import ModelSpec
from core.migrate import sync_url
from core.tokens import counter_for
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

# The test deployment's models count in OpenAI's o200k encoding (they are not OpenAI models).
COUNTER = counter_for(ModelSpec(id="scripted"))


def text_of(tokens: int, label: str) -> str:
    """A unique question of about `tokens` tokens."""
    words = [unique(label)]
    while COUNTER.count(" ".join(words)) < tokens:
        words.append(f"filler{len(words)}")
    return " ".join(words)


def answered(client: httpx.Client, conversation_id: str, question: str) -> dict[str, Any]:
    pair = ask(client, conversation_id, question)
    pair["assistant_message"] = wait_for_message(client, pair["assistant_message"]["id"])
    assert pair["assistant_message"]["status"] == "complete"
    return pair


def pin(client: httpx.Client, message_id: str, pinned: bool = True) -> dict[str, Any]:
    response = client.patch(f"/api/messages/{message_id}", json={"pinned": pinned})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def sent(upstream: Upstream, question: str) -> list[str]:
    """The texts of the last request for `question`."""
    return [m["content"] for m in upstream.requests(question)[-1]["messages"]]


def test_each_answer_records_what_its_prompt_included_and_a_pin_brings_an_old_question_back(
    client: httpx.Client, upstream: Upstream
) -> None:
    # A 4,096-token window with 2,048 kept for the answer: room for two long questions, not three.
    conversation = new_conversation(client, model="scripted-alt", max_tokens=2048)
    long1, long2, long3 = (text_of(700, f"long {n}") for n in (1, 2, 3))
    short = unique("short one")
    for question in (long1, long2, long3, short):
        upstream.script(question, {"tokens": ["ok"]})
    one = answered(client, conversation["id"], long1)
    two = answered(client, conversation["id"], long2)
    three = answered(client, conversation["id"], long3)

    assert one["assistant_message"]["included_ids"] == []
    assert two["assistant_message"]["included_ids"] == [
        one["user_message"]["id"],
        one["assistant_message"]["id"],
    ]
    # The first question fell out, and its answer with it (no reply without its question).
    assert three["assistant_message"]["included_ids"] == [
        two["user_message"]["id"],
        two["assistant_message"]["id"],
    ]
    assert sent(upstream, long3) == [long2, "ok", long3]
    assert all(
        m["pinned"] is False for m in client.get(f"/api/conversations/{conversation['id']}/messages").json()
    )

    pinned = pin(client, one["user_message"]["id"])
    assert pinned["pinned"] is True
    assert client.get(f"/api/messages/{pinned['id']}").json()["pinned"] is True
    four = answered(client, conversation["id"], short)
    # The pin is in; the newest turns fill what is left, and the second question no longer fits.
    assert four["assistant_message"]["included_ids"] == [
        one["user_message"]["id"],
        three["user_message"]["id"],
        three["assistant_message"]["id"],
    ]
    assert sent(upstream, short) == [long1, long3, "ok", short]

    assert pin(client, one["user_message"]["id"], pinned=False)["pinned"] is False
    again = answered(client, conversation["id"], unique("after unpinning"))
    assert one["user_message"]["id"] not in again["assistant_message"]["included_ids"]


def test_a_question_and_its_answer_store_their_token_counts_for_later_prompts(
    client: httpx.Client, upstream: Upstream, stack: Stack
) -> None:
    question = text_of(30, "counted once")
    upstream.script(question, {"tokens": ["an answer ", "of a few ", "tokens"]})
    pair = answered(client, new_conversation(client)["id"], question)
    engine = sa.create_engine(sync_url(stack.database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT content, tokens, tokenizer FROM message WHERE id IN (:q, :a)"),
                {"q": pair["user_message"]["id"], "a": pair["assistant_message"]["id"]},
            ).all()
    finally:
        engine.dispose()
    assert sorted(row.content for row in rows) == sorted([question, "an answer of a few tokens"])
    for row in rows:
        assert (row.tokens, row.tokenizer) == (COUNTER.count(row.content), COUNTER.name)


def test_the_prompt_choice_is_recorded_before_the_first_token(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    first, slow = unique("before"), unique("slow start")
    upstream.script(slow, {"tokens": ["late"], "ttft": 2.0})
    one = answered(client, conversation["id"], first)
    pair = ask(client, conversation["id"], slow)

    deadline = time.monotonic() + 10
    while (message := client.get(f"/api/messages/{pair['assistant_message']['id']}").json())[
        "included_ids"
    ] is None:
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
    assert message["status"] == "streaming"
    assert message["content"] == ""
    assert message["included_ids"] == [one["user_message"]["id"], one["assistant_message"]["id"]]
    wait_for_message(client, pair["assistant_message"]["id"])


def test_pinning_validates_its_body_and_an_unknown_message_is_404(client: httpx.Client) -> None:
    conversation = new_conversation(client)
    pair = answered(client, conversation["id"], unique("pin checks"))
    url = f"/api/messages/{pair['user_message']['id']}"
    assert client.patch(url, json={}).status_code == 422
    assert client.patch(url, json={"pinned": True, "content": "rewritten"}).status_code == 422
    missing = client.patch("/api/messages/00000000-0000-7000-8000-000000000000", json={"pinned": True})
    assert (missing.status_code, missing.json()["detail"]) == (404, "Message not found")


# The answer's max tokens


def test_max_tokens_is_sent_to_the_model_and_null_means_the_default(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, max_tokens=300)
    assert conversation["max_tokens"] == 300
    first, second = unique("short answers"), unique("default answers")
    answered(client, conversation["id"], first)
    assert [r["max_tokens"] for r in upstream.requests(first)] == [300]

    response = client.patch(f"/api/conversations/{conversation['id']}", json={"max_tokens": None})
    assert response.status_code == 200
    assert response.json()["max_tokens"] is None
    answered(client, conversation["id"], second)
    assert [r["max_tokens"] for r in upstream.requests(second)] == [1024]  # RELAYCHAT_MAX_ANSWER_TOKENS


def test_max_tokens_must_leave_the_prompt_half_the_window(client: httpx.Client) -> None:
    response = client.post("/api/conversations", json={"max_tokens": 5000})
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "Max tokens can be at most 4,096 for scripted: half of its 8,192-token context window, "
        "so the prompt keeps the other half"
    )
    for invalid in (0, 15, -1, "lots", 1.5):
        response = client.post("/api/conversations", json={"max_tokens": invalid})
        assert response.status_code == 422, invalid
        assert response.json()["detail"].startswith("max_tokens: ")

    conversation = new_conversation(client, max_tokens=4096)
    url = f"/api/conversations/{conversation['id']}"
    # A smaller model does not fit what was set for the bigger one: say so, change nothing.
    response = client.patch(url, json={"model": "scripted-alt"})
    assert response.status_code == 422
    assert "at most 2,048 for scripted-alt" in response.json()["detail"]
    assert client.get(url).json()["model"] is None
    response = client.patch(url, json={"model": "scripted-alt", "max_tokens": 2048})
    assert response.status_code == 200
    assert (response.json()["model"], response.json()["max_tokens"]) == ("scripted-alt", 2048)


def test_a_larger_max_tokens_leaves_less_room_for_the_question(client: httpx.Client) -> None:
    conversation = new_conversation(client, model="scripted-alt")
    url = f"/api/conversations/{conversation['id']}/messages"
    question = text_of(2500, "big question")
    client.patch(f"/api/conversations/{conversation['id']}", json={"max_tokens": 2048}).raise_for_status()
    refused = client.post(url, json={"content": question})
    assert refused.status_code == 413
    assert "room for 2,048" in refused.json()["detail"]

    client.patch(f"/api/conversations/{conversation['id']}", json={"max_tokens": None}).raise_for_status()
    accepted = client.post(url, json={"content": question})
    assert accepted.status_code == 202, accepted.text
    wait_for_message(client, accepted.json()["assistant_message"]["id"])


def test_models_tell_the_default_max_tokens_and_the_most_a_conversation_may_set(client: httpx.Client) -> None:
    models = {m["id"]: m for m in client.get("/api/models").json()["models"]}
    assert (models["scripted"]["default_max_tokens"], models["scripted"]["max_tokens_limit"]) == (1024, 4096)
    assert (models["scripted-alt"]["default_max_tokens"], models["scripted-alt"]["max_tokens_limit"]) == (
        1024,
        2048,
    )
