"""Feedback on answers: thumbs and a comment on a finished answer of the user's own, shown with the
message after a reload; refused on a question, a running or a failed answer and on another
user's; the admins' list, newest first, and its JSONL export."""

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.accounts import Member, new_user, own_member
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

EXPORT_KEYS = {
    "rating",
    "comment",
    "model",
    "prompt",
    "answer",
    "created_at",
    "message_id",
    "conversation_id",
}


@pytest.fixture
def member(stack: Stack) -> Iterator[Member]:
    yield from own_member(stack.client(), "rater")


@pytest.fixture
def other(stack: Stack) -> Iterator[Member]:
    with stack.client() as admin:
        made = new_user(admin, label="other")
    yield made
    made.client.close()


def answered(client: httpx.Client, upstream: Upstream, text: str) -> tuple[str, dict[str, Any]]:
    """A new conversation's question, and its finished answer, which says `text`."""
    conversation = new_conversation(client)
    question = unique("rate me")
    upstream.script(question, {"tokens": [text]})
    answer = wait_for_message(client, ask(client, conversation["id"], question)["assistant_message"]["id"])
    return question, answer


def rate(client: httpx.Client, message_id: str, **body: Any) -> httpx.Response:
    return client.put(f"/api/messages/{message_id}/feedback", json=body)


def branch_answer(client: httpx.Client, answer: dict[str, Any]) -> dict[str, Any]:
    branch = client.get(f"/api/conversations/{answer['conversation_id']}/branch").json()
    found: dict[str, Any] = next(m for m in branch["messages"] if m["id"] == answer["id"])
    return found


def test_a_rating_and_comment_show_with_the_answer_and_can_be_changed_and_taken_back(
    member: Member, upstream: Upstream
) -> None:
    client = member.client
    _, answer = answered(client, upstream, "A fine answer")
    assert answer["feedback"] is None

    given = rate(client, answer["id"], rating="up", comment="  Clear and short.  ")
    assert given.status_code == 200, given.text
    assert given.json()["rating"] == "up"
    assert given.json()["comment"] == "Clear and short."
    # As a reload reads it: the message, and the branch's page.
    assert client.get(f"/api/messages/{answer['id']}").json()["feedback"] == given.json()
    assert branch_answer(client, answer)["feedback"] == given.json()

    changed = rate(client, answer["id"], rating="down", comment=None)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["rating"], changed.json()["comment"]) == ("down", None)
    assert branch_answer(client, answer)["feedback"]["rating"] == "down"

    assert client.delete(f"/api/messages/{answer['id']}/feedback").status_code == 204
    assert client.get(f"/api/messages/{answer['id']}").json()["feedback"] is None
    assert branch_answer(client, answer)["feedback"] is None
    assert client.delete(f"/api/messages/{answer['id']}/feedback").status_code == 204


def test_only_a_finished_answer_can_be_rated(member: Member, upstream: Upstream) -> None:
    client = member.client
    conversation = new_conversation(client)
    slow = unique("slow")
    upstream.script(slow, {"tokens": [f"w{i} " for i in range(60)], "delay": 0.05})
    pair = ask(client, conversation["id"], slow)
    question_id, answer_id = pair["user_message"]["id"], pair["assistant_message"]["id"]
    wait_for_message(client, answer_id, status="streaming")

    running = rate(client, answer_id, rating="up")
    assert running.status_code == 409
    assert running.json()["detail"] == "The answer is still being written: rate it once it has finished."
    on_question = rate(client, question_id, rating="up")
    assert on_question.status_code == 409
    assert on_question.json()["detail"] == "Only an answer can be rated, not a question."

    client.post(f"/api/messages/{answer_id}/stop")
    assert wait_for_message(client, answer_id)["status"] == "stopped"
    assert rate(client, answer_id, rating="down").status_code == 200  # a stopped answer is finished

    failing = unique("fails")
    upstream.script(failing, {"status": 401, "message": "bad key"})
    failed_id = ask(client, conversation["id"], failing)["assistant_message"]["id"]
    assert wait_for_message(client, failed_id)["status"] == "failed"
    refused = rate(client, failed_id, rating="down")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "A failed answer has nothing to rate."


def test_a_body_past_its_limits_is_refused(member: Member, upstream: Upstream) -> None:
    client = member.client
    _, answer = answered(client, upstream, "bounded")
    assert rate(client, answer["id"], rating="up", comment="x" * 2000).status_code == 200
    for body in (
        {"rating": "up", "comment": "x" * 2001},
        {"rating": "meh"},
        {"rating": "up", "stars": 5},
        {},
    ):
        response = rate(client, answer["id"], **body)
        assert response.status_code == 422, (body, response.text)
    assert client.get(f"/api/messages/{answer['id']}").json()["feedback"]["comment"] == "x" * 2000


def test_another_users_answer_is_not_found(member: Member, other: Member, upstream: Upstream) -> None:
    _, answer = answered(member.client, upstream, "mine alone")
    assert rate(member.client, answer["id"], rating="up").status_code == 200
    for response in (
        rate(other.client, answer["id"], rating="down"),
        other.client.delete(f"/api/messages/{answer['id']}/feedback"),
    ):
        assert response.status_code == 404
        assert response.json()["detail"] == "Message not found"
    assert member.client.get(f"/api/messages/{answer['id']}").json()["feedback"]["rating"] == "up"


def test_admins_list_and_export_feedback_with_the_answer_and_its_question(
    client: httpx.Client, member: Member, upstream: Upstream
) -> None:
    first_question, first = answered(member.client, upstream, "First answer")
    second_question, second = answered(member.client, upstream, "Second answer")
    assert rate(member.client, first["id"], rating="up", comment="Good one").status_code == 200
    assert rate(member.client, second["id"], rating="down", comment="Wrong — “quoted”").status_code == 200

    # A user is not an admin.
    assert member.client.get("/api/admin/feedback").status_code == 403
    assert member.client.get("/api/admin/feedback/export").status_code == 403

    listed = client.get("/api/admin/feedback", params={"limit": 2})
    assert listed.status_code == 200, listed.text
    rows = listed.json()["items"]
    assert [row["message_id"] for row in rows] == [second["id"], first["id"]]  # newest first
    newest = rows[0]
    assert newest["rating"] == "down"
    assert newest["comment"] == "Wrong — “quoted”"
    assert newest["answer"] == "Second answer"
    assert newest["question"] == second_question
    assert newest["model"] == second["model"]
    assert newest["user_email"] == member.email
    assert newest["conversation_id"] == second["conversation_id"]
    # Paged: one at a time, the next page holds the one before.
    one = client.get("/api/admin/feedback", params={"limit": 1}).json()
    assert ([row["message_id"] for row in one["items"]], one["next_offset"]) == ([second["id"]], 1)
    after = client.get("/api/admin/feedback", params={"limit": 1, "offset": 1}).json()
    assert [row["message_id"] for row in after["items"]] == [first["id"]]
    assert client.get("/api/admin/feedback", params={"limit": 201}).status_code == 422

    exported = client.get("/api/admin/feedback/export")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    assert exported.headers["content-disposition"].startswith("attachment;")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert all(set(line) == EXPORT_KEYS for line in lines)
    by_message = {line["message_id"]: line for line in lines}
    assert by_message[first["id"]] == {
        "rating": "up",
        "comment": "Good one",
        "model": first["model"],
        "prompt": first_question,
        "answer": "First answer",
        "created_at": by_message[first["id"]]["created_at"],
        "message_id": first["id"],
        "conversation_id": first["conversation_id"],
    }
    assert by_message[second["id"]]["prompt"] == second_question
    assert exported.text.endswith("\n")


def test_concurrent_ratings_of_one_answer_all_succeed_and_leave_one(
    member: Member, upstream: Upstream, client: httpx.Client
) -> None:
    """Once a 500: of two requests at once, the second's insert broke the unique key, and its retry
    read an expired row."""
    _, answer = answered(member.client, upstream, "rated at once")
    bodies = [{"rating": "up" if n % 2 else "down", "comment": f"comment {n}"} for n in range(16)]
    # A client of its own each, all sent at once: the requests overlap in the API.
    clients = [httpx.Client(base_url=member.client.base_url, headers=member.client.headers) for _ in bodies]
    start = threading.Barrier(len(bodies))

    def send(index: int) -> httpx.Response:
        start.wait()
        return rate(clients[index], answer["id"], **bodies[index])

    with ThreadPoolExecutor(len(bodies)) as pool:
        responses = list(pool.map(send, range(len(bodies))))
    for each in clients:
        each.close()
    assert [r.status_code for r in responses] == [200] * len(bodies), [r.text for r in responses]
    given = {(r.json()["rating"], r.json()["comment"]) for r in responses}
    assert len(given) == len(bodies)  # each response, the rating it gave
    kept = member.client.get(f"/api/messages/{answer['id']}").json()["feedback"]
    assert (kept["rating"], kept["comment"]) in given
    # One row, as the admins read it (the newest first: this test's, before any other's).
    listed = client.get("/api/admin/feedback", params={"limit": 200}).json()["items"]
    assert [(row["rating"], row["comment"]) for row in listed if row["message_id"] == answer["id"]] == [
        (kept["rating"], kept["comment"])
    ]
