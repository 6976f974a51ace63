"""The conversations resource: create, list, read, update and delete, and what each refuses."""

import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.processes import wait_until
from tests.support.sse import SseEvent, answer_text, parse_events
from tests.support.stack import Upstream, ask, new_conversation, unique, wait_for_message

MISSING_ID = "00000000-0000-7000-8000-000000000000"


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def all_conversation_ids(client: httpx.Client) -> list[str]:
    """Every conversation id, in the order the list endpoint gives them, following next_offset."""
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        response = client.get("/api/conversations", params={"limit": 200, "offset": offset})
        assert response.status_code == 200, response.text
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        offset = page["next_offset"]
    return ids


def test_create_conversation_applies_defaults(client: httpx.Client) -> None:
    response = client.post("/api/conversations", json={})
    assert response.status_code == 201, response.text
    conversation = response.json()
    assert conversation["title"] == "New chat"
    assert conversation["title_source"] == "default"
    assert conversation["system_prompt"] == ""
    assert conversation["model"] is None
    assert conversation["id"]
    created = datetime.fromisoformat(conversation["created_at"])
    assert created.tzinfo is not None
    assert datetime.fromisoformat(conversation["updated_at"]) >= created


def test_create_conversation_stores_all_fields(client: httpx.Client) -> None:
    fields = {"title": "Trip plans", "system_prompt": "You are terse.", "model": "scripted"}
    response = client.post("/api/conversations", json=fields)
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: created[k] for k in fields} == fields
    read = client.get(f"/api/conversations/{created['id']}")
    assert read.status_code == 200
    assert read.json() == created


def test_get_conversation_returns_it(client: httpx.Client) -> None:
    created = new_conversation(client, title="Read me")
    response = client.get(f"/api/conversations/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_list_is_newest_first(client: httpx.Client) -> None:
    older = new_conversation(client, title="older")
    newer = new_conversation(client, title="newer")
    ids = all_conversation_ids(client)
    assert ids[0] == newer["id"]
    assert ids.index(newer["id"]) < ids.index(older["id"])


def test_list_moves_a_conversation_with_a_new_message_to_the_top(
    client: httpx.Client, upstream: Upstream
) -> None:
    active = new_conversation(client, title="gets a message")
    new_conversation(client, title="created later")
    assert all_conversation_ids(client)[0] != active["id"]

    question = unique("move to top")
    upstream.script(question, {"tokens": ["ok"]})
    pair = ask(client, active["id"], question)
    wait_for_message(client, pair["assistant_message"]["id"])

    assert all_conversation_ids(client)[0] == active["id"]
    updated = client.get(f"/api/conversations/{active['id']}").json()
    assert parse_time(updated["updated_at"]) > parse_time(active["updated_at"])


def test_list_paginates_with_limit_offset_and_next_offset(client: httpx.Client) -> None:
    for index in range(3):
        new_conversation(client, title=f"page {index}")
    everything = all_conversation_ids(client)
    total = len(everything)
    assert total >= 3

    first = client.get("/api/conversations", params={"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == everything[:2]
    assert first["next_offset"] == 2

    second = client.get("/api/conversations", params={"limit": 2, "offset": 2}).json()
    assert [c["id"] for c in second["items"]] == everything[2:4]

    last = client.get("/api/conversations", params={"limit": 2, "offset": total - 1}).json()
    assert [c["id"] for c in last["items"]] == everything[-1:]
    assert last["next_offset"] is None

    exact = client.get("/api/conversations", params={"limit": total}).json()
    assert len(exact["items"]) == total
    assert exact["next_offset"] is None

    beyond = client.get("/api/conversations", params={"offset": total + 10}).json()
    assert beyond == {"items": [], "next_offset": None}


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}],
    ids=["limit-0", "limit-201", "negative-offset", "limit-text"],
)
def test_list_rejects_invalid_paging(client: httpx.Client, params: dict[str, Any]) -> None:
    assert client.get("/api/conversations", params=params).status_code == 422


@pytest.mark.parametrize(
    "change",
    [{"title": "Renamed"}, {"system_prompt": "Answer in French."}, {"model": "scripted-alt"}],
    ids=["title", "system_prompt", "model"],
)
def test_patch_changes_only_the_given_field(client: httpx.Client, change: dict[str, str]) -> None:
    created = new_conversation(client, title="Before", system_prompt="Be kind.", model="scripted")
    response = client.patch(f"/api/conversations/{created['id']}", json=change)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated == {**created, **change, "updated_at": updated["updated_at"]}
    assert parse_time(updated["updated_at"]) >= parse_time(created["updated_at"])
    assert client.get(f"/api/conversations/{created['id']}").json() == updated


def test_patch_model_back_to_null(client: httpx.Client) -> None:
    created = new_conversation(client, model="scripted")
    response = client.patch(f"/api/conversations/{created['id']}", json={"model": None})
    assert response.status_code == 200, response.text
    assert response.json()["model"] is None
    assert client.get(f"/api/conversations/{created['id']}").json()["model"] is None


def test_delete_conversation_removes_it_and_its_messages(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    question = unique("delete me")
    upstream.script(question, {"tokens": ["soon", " gone"]})
    pair = ask(client, conversation["id"], question)
    wait_for_message(client, pair["assistant_message"]["id"])
    assert len(client.get(f"/api/conversations/{conversation['id']}/messages").json()) == 2

    response = client.delete(f"/api/conversations/{conversation['id']}")
    assert response.status_code == 204
    assert response.content == b""

    assert client.get(f"/api/conversations/{conversation['id']}").status_code == 404
    assert client.get(f"/api/conversations/{conversation['id']}/messages").status_code == 404
    for message in pair.values():
        assert client.get(f"/api/messages/{message['id']}").status_code == 404
    assert conversation["id"] not in all_conversation_ids(client)
    assert client.delete(f"/api/conversations/{conversation['id']}").status_code == 404


def delete_while_answering(
    client: httpx.Client, upstream: Upstream, label: str
) -> tuple[str, float, list[SseEvent]]:
    """Delete a conversation while a reader follows its answer's stream.

    Returns the question, when the delete was sent, and the events the reader got; a reader that
    hears nothing more for 5 s (heartbeats come every 15 s) gets a "<silence>" event last.
    """
    question = unique(label)
    upstream.script(question, {"tokens": [f"w{i} " for i in range(100)], "delay": 0.05})
    conversation = new_conversation(client)
    answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
    events: list[SseEvent] = []
    deleted_at = 0.0
    timeout = httpx.Timeout(30, read=5)
    with (
        httpx.Client(base_url=str(client.base_url), headers=client.headers, timeout=30) as other_tab,
        client.stream("GET", f"/api/messages/{answer_id}/stream", timeout=timeout) as response,
    ):
        assert response.status_code == 200
        try:
            for event in parse_events(response.iter_lines()):
                events.append(event)
                if [e.event for e in events].count("delta") == 3 and not deleted_at:
                    deleted_at = time.time()
                    assert other_tab.delete(f"/api/conversations/{conversation['id']}").status_code == 204
        except httpx.ReadTimeout:
            events.append(SseEvent(None, "<silence>", None))
    assert deleted_at, f"the answer ended before three deltas: {events}"
    assert client.get(f"/api/messages/{answer_id}").status_code == 404
    return question, deleted_at, events


def test_deleting_a_conversation_stops_its_active_answer_at_the_model(
    client: httpx.Client, upstream: Upstream
) -> None:
    question, deleted_at, _ = delete_while_answering(client, upstream, "delete stops model")
    # The stream ends as the delete commits; the worker hears the stop a moment later.
    wait_until(lambda: upstream.requests(question)[0]["disconnected"], 5, "the model was not disconnected")
    records = upstream.requests(question)
    assert len(records) == 1
    assert records[0]["disconnected_at"] - deleted_at < 2
    assert not records[0]["finished"]


def test_deleting_a_conversation_ends_the_stream_of_its_active_answer(
    client: httpx.Client, upstream: Upstream
) -> None:
    _, _, events = delete_while_answering(client, upstream, "delete ends stream")
    end = events[-1]
    assert end.event == "error", f"a reader of the deleted conversation's answer got no error end: {events}"
    assert end.data["code"] == "deleted"
    assert end.data["message"] == "This conversation was deleted."
    # As every end does, it carries the message: as it was last saved (a prefix of what was
    # streamed), marked failed.
    message = end.data["message_obj"]
    assert (message["status"], message["error_code"]) == ("failed", "deleted")
    assert answer_text(events).startswith(message["content"])


@pytest.mark.parametrize(("method", "body"), [("GET", None), ("PATCH", {"title": "x"}), ("DELETE", None)])
def test_unknown_conversation_is_404(client: httpx.Client, method: str, body: dict[str, str] | None) -> None:
    response = client.request(method, f"/api/conversations/{MISSING_ID}", json=body)
    assert response.status_code == 404
    assert response.json()["detail"] == "Conversation not found"


@pytest.mark.parametrize(
    "body",
    [
        {"title": 123},
        {"title": ["a"]},
        {"system_prompt": 5},
        {"model": {"name": "x"}},
        {"color": "blue"},
        {"title": ""},
        {"title": "x" * 201},
        {"model": ""},
    ],
    ids=[
        "title-int",
        "title-list",
        "prompt-int",
        "model-object",
        "unknown-field",
        "empty-title",
        "long-title",
        "empty-model",
    ],
)
def test_create_rejects_invalid_bodies(client: httpx.Client, body: dict[str, Any]) -> None:
    before = all_conversation_ids(client)
    response = client.post("/api/conversations", json=body)
    assert response.status_code == 422, response.text
    assert all_conversation_ids(client) == before


def test_create_accepts_a_title_of_exactly_200_characters(client: httpx.Client) -> None:
    response = client.post("/api/conversations", json={"title": "x" * 200})
    assert response.status_code == 201
    assert response.json()["title"] == "x" * 200


def test_create_rejects_a_body_that_is_not_an_object(client: httpx.Client) -> None:
    assert client.post("/api/conversations", json=["title"]).status_code == 422
    response = client.post(
        "/api/conversations", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"title": 123},
        {"system_prompt": ["x"]},
        {"color": "blue"},
        {"title": ""},
        {"title": "x" * 201},
        {"title": None},
        {"system_prompt": None},
        {"model": ""},
    ],
    ids=[
        "title-int",
        "prompt-list",
        "unknown-field",
        "empty-title",
        "long-title",
        "null-title",
        "null-prompt",
        "empty-model",
    ],
)
def test_patch_rejects_invalid_bodies(client: httpx.Client, body: dict[str, Any]) -> None:
    created = new_conversation(client, title="Unchanged", system_prompt="Stay.")
    response = client.patch(f"/api/conversations/{created['id']}", json=body)
    assert response.status_code == 422, response.text
    assert client.get(f"/api/conversations/{created['id']}").json() == created


def test_a_title_given_on_create_or_rename_counts_as_typed(client: httpx.Client) -> None:
    assert new_conversation(client, title="Typed")["title_source"] == "user"
    untitled = new_conversation(client, system_prompt="Be brief.")
    assert untitled["title_source"] == "default"
    changed = client.patch(f"/api/conversations/{untitled['id']}", json={"system_prompt": "Be kind."})
    assert changed.json()["title_source"] == "default", "only a new title is a typed one"
    renamed = client.patch(f"/api/conversations/{untitled['id']}", json={"title": "Renamed"})
    assert (renamed.json()["title"], renamed.json()["title_source"]) == ("Renamed", "user")


def test_the_first_question_names_an_untitled_conversation_at_once(
    client: httpx.Client, upstream: Upstream
) -> None:
    question = (
        "   \n  What is   the tallest mountain in the solar system and how was it measured exactly?\nMore"
    )
    upstream.script(question, {"tokens": ["Olympus ", "Mons."]})
    conversation = new_conversation(client)
    ask(client, conversation["id"], question)
    named = client.get(f"/api/conversations/{conversation['id']}").json()
    assert named["title"] == "What is the tallest mountain in the solar system and how…"
    assert named["title_source"] == "fallback"
