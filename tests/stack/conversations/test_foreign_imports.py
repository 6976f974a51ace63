"""Other apps' exports through `POST /api/conversations/import`: ChatGPT's conversations.json and
its zip, Open WebUI's chat export, a bad file's sentence, and a large file as a job."""

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import Member, new_user
from tests.support.stack import Stack
from tests.support.updates import UpdateListener

FIXTURES = Path(__file__).parents[2] / "fixtures" / "imports"
JOB_CONVERSATIONS = 20  # RELAYCHAT_IMPORT_JOB_CONVERSATIONS's default: past it, a job


@pytest.fixture
def member(client: httpx.Client) -> Iterator[Member]:
    """A user of their own: an empty list, so what the import made is all there is."""
    made = new_user(client, label="importer")
    yield made
    made.client.close()


def post(client: httpx.Client, body: bytes) -> httpx.Response:
    return client.post("/api/conversations/import", content=body, timeout=60)


def listed(client: httpx.Client) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/conversations", params={"limit": 100}).json()["items"]
    return items


def branch(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    response = client.get(f"/api/conversations/{conversation_id}/branch")
    assert response.status_code == 200, response.text
    read: dict[str, Any] = response.json()
    return read


def chatgpt_export(count: int) -> bytes:
    """`count` small conversations in ChatGPT's format (a root, a question, an answer)."""
    conversations = []
    for number in range(count):
        mapping = {
            "root": {"id": "root", "message": None, "parent": None, "children": ["q"]},
            "q": {
                "id": "q",
                "message": {
                    "author": {"role": "user"},
                    "create_time": 1700000000 + number,
                    "content": {"content_type": "text", "parts": [f"Question {number}"]},
                    "recipient": "all",
                },
                "parent": "root",
                "children": ["a"],
            },
            "a": {
                "id": "a",
                "message": {
                    "author": {"role": "assistant"},
                    "create_time": 1700000001 + number,
                    "content": {"content_type": "text", "parts": [f"Answer {number}"]},
                    "metadata": {"model_slug": "gpt-4o"},
                    "recipient": "all",
                },
                "parent": "q",
                "children": [],
            },
        }
        conversations.append(
            {
                "title": f"Batch chat {number}",
                "create_time": 1700000000 + number,
                "mapping": mapping,
                "current_node": "a",
            }
        )
    return json.dumps(conversations).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("fixture", ["conversations.json", "chatgpt-export.zip"])
def test_chatgpts_export_keeps_its_branches_selected_branch_titles_and_times(
    member: Member, fixture: str
) -> None:
    response = post(member.client, (FIXTURES / fixture).read_bytes())
    assert response.status_code == 201, response.text
    trip, starter = response.json()["conversations"]
    assert (trip["title"], starter["title"]) == ("Trip to Lisbon", "Sourdough starter")
    assert trip["created_at"].startswith("2024-06-01T10:00:00.123456")
    assert trip["updated_at"].startswith("2024-06-01T11:00:00.654321")
    assert {c["id"] for c in listed(member.client)} == {trip["id"], starter["id"]}

    # The branch ChatGPT showed last: the first question and its answer, not the edited question.
    shown = branch(member.client, trip["id"])
    assert [m["content"] for m in shown["messages"]] == [
        "What should I see in Lisbon in two days?",
        "Day one: Alfama and the castle. Day two: Belém and its tower.",
    ]
    question, answer = shown["messages"]
    assert answer["model"] == "gpt-4o"
    assert answer["created_at"].startswith("2024-06-01T10:00:20.25")
    assert len(question["sibling_ids"]) == 2  # the edited question is the other branch
    edited = question["sibling_ids"][1]
    switched = member.client.patch(f"/api/conversations/{trip['id']}/branch", json={"message_id": edited})
    assert switched.status_code == 200, switched.text
    assert [m["content"][:22] for m in switched.json()["messages"]] == [
        "What should I see in L",
        "Days one and two as be",
    ]
    assert switched.json()["messages"][1]["model"] == "gpt-4o-mini"

    # A regenerated answer: two siblings, the newer one selected; the image left as a note.
    regenerated = branch(member.client, starter["id"])["messages"]
    assert regenerated[0]["content"].startswith("[an image was not imported]")
    assert regenerated[1]["content"] == "Almost: wait until it passes the float test."
    assert len(regenerated[1]["sibling_ids"]) == 2


def test_open_webuis_export_keeps_its_branches_system_prompt_and_selected_branch(member: Member) -> None:
    response = post(member.client, (FIXTURES / "openwebui-chat-export.json").read_bytes())
    assert response.status_code == 201, response.text
    haiku, units = response.json()["conversations"]
    assert haiku["title"] == "Haiku about autumn"
    assert haiku["system_prompt"] == "You are a poet who writes in English."
    assert haiku["created_at"].startswith("2024-09-30T10:00:00")
    shown = branch(member.client, haiku["id"])["messages"]
    assert [m["model"] for m in shown] == [None, "qwen2.5:7b"]  # the chat's currentId
    assert len(shown[1]["sibling_ids"]) == 2
    assert [m["content"] for m in branch(member.client, units["id"])["messages"]] == [
        "How many grams are in a pound?",
        "A pound is 453.592 grams.",
    ]


def one_chatgpt_conversation(mapping: dict[str, Any], title: str = "Bad") -> dict[str, Any]:
    return {"title": title, "create_time": 1700000000, "mapping": mapping, "current_node": None}


def question(parent: str | None) -> dict[str, Any]:
    message = {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["hi"]}}
    return {"message": message, "parent": parent}


GOOD = json.loads((FIXTURES / "conversations.json").read_text())[0]


@pytest.mark.parametrize(
    ("body", "status", "sentence"),
    [
        (b"not json at all", 422, "The file is not JSON"),
        (b'[{"name": "a list of something else"}]', 422, "This is not a conversation export relaychat reads"),
        (b"[]", 422, "The file holds no conversations."),
        (
            # The first conversation is fine: nothing of it is written either.
            json.dumps([GOOD, one_chatgpt_conversation({"a": question("b"), "b": question("a")})]).encode(),
            422,
            "Conversation 2 (“Bad”) has a cycle in its messages' parent links.",
        ),
        (
            json.dumps([GOOD, one_chatgpt_conversation({"r": {"message": None, "parent": None}})]).encode(),
            422,
            "Conversation 2 (“Bad”) has no messages to import.",
        ),
        (zipped({"chat.html": b"<html></html>"}), 422, "The zip holds no conversations.json"),
        (
            zipped({"conversations.json": b"[" + b" " * 60_000_000 + b"]"}),
            413,
            "The zip's conversations.json is larger than 50 MB unzipped; the limit is 50 MB.",
        ),
        (
            json.dumps([{"title": "t", "mapping": {}}] * 5001).encode(),
            413,
            "The file holds 5,001 conversations; the limit is 5,000.",
        ),
    ],
    ids=["not-json", "unknown", "empty", "cycle", "no-messages", "zip-without-json", "zip-bomb", "too-many"],
)
def test_a_bad_file_gets_its_sentence_and_nothing_is_written(
    member: Member, body: bytes, status: int, sentence: str
) -> None:
    response = post(member.client, body)
    assert response.status_code == status, response.text
    assert response.json()["detail"].startswith(sentence), response.json()["detail"]
    assert listed(member.client) == []


def wait_for_import(client: httpx.Client, import_id: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every progress read until the import ended."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/api/imports/{import_id}")
        assert response.status_code == 200, response.text
        seen.append(response.json())
        if seen[-1]["status"] != "running":
            return seen
        time.sleep(0.1)
    raise TimeoutError(f"import {import_id} still running: {seen[-1]}")


def test_a_large_import_is_a_job_whose_progress_ends_done_and_whose_conversations_are_the_importers(
    stack: Stack, client: httpx.Client, member: Member
) -> None:
    count = JOB_CONVERSATIONS + 5
    with UpdateListener(stack.api.url, dict(member.client.headers)) as updates:
        started = post(member.client, chatgpt_export(count))
        assert started.status_code == 202, started.text
        job = started.json()
        assert (job["status"], job["done"], job["total"], job["error"]) == ("running", 0, count, None)
        progress = wait_for_import(member.client, job["import_id"])
        deadline = time.monotonic() + 10
        while not any(e.data.get("import_id") == job["import_id"] for e in list(updates.events)[1:]):
            assert time.monotonic() < deadline, "no update said the import ended"
            time.sleep(0.05)
    assert progress[-1] == {
        "import_id": job["import_id"],
        "status": "done",
        "done": count,
        "total": count,
        "error": None,
    }
    assert all(0 <= p["done"] <= count and p["total"] == count for p in progress)
    done = [p["done"] for p in progress]
    assert done == sorted(done)  # it only moves forward

    mine = listed(member.client)
    assert sorted(c["title"] for c in mine) == sorted(f"Batch chat {n}" for n in range(count))
    chat = next(c for c in mine if c["title"] == "Batch chat 3")
    assert [m["content"] for m in branch(member.client, chat["id"])["messages"]] == ["Question 3", "Answer 3"]
    # Another user sees neither the import nor its conversations.
    other = new_user(client, label="other")
    assert other.client.get(f"/api/imports/{job['import_id']}").status_code == 404
    assert other.client.get(f"/api/conversations/{chat['id']}").status_code == 404
    assert listed(other.client) == []
    other.client.close()


def test_an_unknown_import_is_404(member: Member) -> None:
    assert member.client.get("/api/imports/00000000-0000-7000-8000-000000000000").status_code == 404
    assert member.client.get(f"/api/imports/{'x' * 100}").status_code == 404


def test_a_large_file_by_its_size_is_a_job_too(stack: Stack, member: Member) -> None:
    one = json.loads(chatgpt_export(1))
    for node in ("q", "a"):  # 1.2 MB of JSON in one conversation
        one[0]["mapping"][node]["message"]["content"]["parts"] = ["long " * 120_000]
    started = post(member.client, json.dumps(one).encode())
    assert started.status_code == 202, started.text
    assert wait_for_import(member.client, started.json()["import_id"])[-1]["status"] == "done"
    (chat,) = listed(member.client)
    assert branch(member.client, chat["id"])["messages"][0]["content"].startswith("long long")
