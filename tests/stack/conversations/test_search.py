"""`GET /api/search`: titles and message text, every word, the last as a prefix, newest first, with
highlighted snippets; on SQLite (FTS5) and on Postgres (tsvector)."""

import uuid
from typing import Any

import httpx
import pytest

from tests.support.stack import Upstream, ask, new_conversation, wait_for_message


def word() -> str:
    """A word no other test uses."""
    return f"zq{uuid.uuid4().hex[:12]}"


def search(client: httpx.Client, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def hits(snippet: list[dict[str, Any]]) -> list[str]:
    return [part["text"] for part in snippet if part["hit"]]


def chat(
    client: httpx.Client, upstream: Upstream, question: str, answer: str, **fields: Any
) -> dict[str, Any]:
    conversation = new_conversation(client, **fields)
    upstream.script(question, {"tokens": [answer]})
    pair = ask(client, conversation["id"], question)
    wait_for_message(client, pair["assistant_message"]["id"])
    return {"conversation": conversation, **pair}


def test_messages_are_found_newest_first_with_the_match_highlighted(
    client: httpx.Client, upstream: Upstream
) -> None:
    needle = word()
    filler = " ".join(f"filler{i}" for i in range(60))
    question = f"{filler} Where does the {needle.upper()} live? {filler}"
    found = chat(client, upstream, question, f"The {needle} lives far away.", title="Searched")

    result = search(client, needle)
    assert [hit["message_id"] for hit in result["messages"]] == [
        found["assistant_message"]["id"],
        found["user_message"]["id"],
    ]
    answer_hit, question_hit = result["messages"]
    assert answer_hit["role"] == "assistant"
    assert answer_hit["conversation_id"] == found["conversation"]["id"]
    assert answer_hit["conversation_title"] == "Searched"
    assert hits(answer_hit["snippet"]) == [needle]
    assert "".join(part["text"] for part in answer_hit["snippet"]) == f"The {needle} lives far away."
    # A long message gives the part around the match, as written (case kept), not the whole text.
    assert hits(question_hit["snippet"]) == [needle.upper()]
    shown = "".join(part["text"] for part in question_hit["snippet"])
    assert needle.upper() in shown
    assert len(shown) < len(question) / 2
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert result["conversations"] == []


def test_every_word_must_appear_and_the_last_may_be_a_prefix(
    client: httpx.Client, upstream: Upstream
) -> None:
    first, second = word(), word()
    found = chat(client, upstream, f"{first} and then {second}", "ok")
    question_id = found["user_message"]["id"]

    assert [h["message_id"] for h in search(client, f"{first} {second[:6]}")["messages"]] == [question_id]
    assert [h["message_id"] for h in search(client, f"{second} {first}")["messages"]] == [question_id]
    assert search(client, f"{first} {word()}")["messages"] == []
    assert search(client, f"{first[:6]} {second}")["messages"] == [], "only the last word is a prefix"


def test_titles_are_found_and_follow_renames(client: httpx.Client) -> None:
    old, new = word(), word()
    conversation = new_conversation(client, title=f"Notes on {old} today")

    [hit] = search(client, old)["conversations"]
    assert hit["conversation_id"] == conversation["id"]
    assert hit["message_id"] is None
    assert hit["conversation_title"] == f"Notes on {old} today"
    assert hits(hit["snippet"]) == [old]

    client.patch(f"/api/conversations/{conversation['id']}", json={"title": f"Notes on {new}"})
    assert search(client, old)["conversations"] == []
    assert [h["conversation_id"] for h in search(client, new)["conversations"]] == [conversation["id"]]


def test_a_deleted_conversation_is_no_longer_found(client: httpx.Client, upstream: Upstream) -> None:
    needle = word()
    found = chat(client, upstream, f"about {needle}", f"{needle} indeed", title=f"{needle} chat")
    assert len(search(client, needle)["messages"]) == 2
    client.delete(f"/api/conversations/{found['conversation']['id']}")
    assert search(client, needle) == {"conversations": [], "messages": []}


def test_the_limit_keeps_the_newest(client: httpx.Client, upstream: Upstream) -> None:
    needle = word()
    conversation = new_conversation(client)
    ids = []
    for index in range(3):
        question = f"{needle} number {index}"
        upstream.script(question, {"tokens": ["ok"]})
        pair = ask(client, conversation["id"], question)
        wait_for_message(client, pair["assistant_message"]["id"])
        ids.append(pair["user_message"]["id"])
    assert [h["message_id"] for h in search(client, needle, limit=2)["messages"]] == [ids[2], ids[1]]


@pytest.mark.parametrize(
    "query",
    [
        'AND OR NOT NEAR "(',
        "title:foo*",
        "-- ; DROP TABLE message",
        "!!!",
        "a&b|c:*",
        "'\"",
        "²³ ǅungla 日本語 e\u0301 🙂",
        "x" * 200,
        "1 2 3 4 5 6 7 8 9 10 11 12",
    ],
)
def test_operators_and_punctuation_are_plain_text(client: httpx.Client, query: str) -> None:
    result = search(client, query)
    assert set(result) == {"conversations", "messages"}


def test_search_finds_words_with_operator_names_and_accents(client: httpx.Client, upstream: Upstream) -> None:
    needle = word()
    found = chat(client, upstream, f"{needle} NEAR the café AND bar", "ok")
    assert [h["message_id"] for h in search(client, f"{needle} near and")["messages"]] == [
        found["user_message"]["id"]
    ]
    assert [h["message_id"] for h in search(client, f"{needle} café")["messages"]] == [
        found["user_message"]["id"]
    ]


@pytest.mark.parametrize(
    "params", [{"q": ""}, {"q": "x" * 201}, {"q": "ok", "limit": 0}, {"q": "ok", "limit": 51}, {}]
)
def test_invalid_searches_are_422(client: httpx.Client, params: dict[str, Any]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]
