"""Every route that takes an id, tried by another user: 404 (403 for the admin's routes), and
nothing of the owner's changed. Derived from the OpenAPI schema, so a new route cannot skip it."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.stack.conversations.test_foreign_imports import JOB_CONVERSATIONS, chatgpt_export, wait_for_import
from tests.support.accounts import Member, new_user, signed_in
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message
from tests.support.updates import UpdateListener

SLOW = [f"w{i} " for i in range(30)]  # 3 s: the owner's answer runs while the other user tries
# Open to anyone by design, its path's secret the only credential (tests/api/test_lookups.py).
PUBLIC = {("GET", "/api/shared/{token}")}


def path_operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, list[str], dict[str, Any]]]:
    """(method, path, path parameters, operation) of every operation whose path takes an id."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            if names:
                yield method.upper(), path, names, operation


def owner_view(owner: Member, session: httpx.Client, conversation_id: str) -> dict[str, Any]:
    """Everything of the owner's that a request by someone else could have changed."""
    client = owner.client
    return {
        "conversations": client.get("/api/conversations").json(),
        "conversation": client.get(f"/api/conversations/{conversation_id}").json(),
        "messages": [
            {k: v for k, v in m.items() if k != "updated_at"}
            for m in client.get(f"/api/conversations/{conversation_id}/messages").json()
        ],
        "branch": client.get(f"/api/conversations/{conversation_id}/branch").json()["leaf_id"],
        "share": client.get(f"/api/conversations/{conversation_id}/share").json(),
        "sessions": sorted(s["id"] for s in session.get("/api/auth/sessions").json()),
        "keys": sorted(k["id"] for k in client.get("/api/keys").json()),
        "files": sorted(f["id"] for f in client.get("/api/files").json()["items"]),
        "folders": client.get("/api/folders").json(),
        "presets": client.get("/api/presets").json(),
        "me": client.get("/api/auth/me").json(),
    }


@pytest.fixture
def two_users(stack: Stack) -> Iterator[tuple[Member, Member]]:
    with stack.client() as admin:
        owner, other = new_user(admin, label="owner"), new_user(admin, label="other")
    yield owner, other
    owner.client.close()
    other.client.close()


def test_another_users_objects_answer_404_on_every_route_with_an_id_and_stay_unchanged(
    stack: Stack, upstream: Upstream, two_users: tuple[Member, Member]
) -> None:
    owner, other = two_users
    question = unique("isolated")
    upstream.script(question, {"tokens": SLOW, "delay": 0.1})
    conversation_id = new_conversation(owner.client, title="Private")["id"]
    pair = ask(owner.client, conversation_id, question)
    answer_id, question_id = pair["assistant_message"]["id"], pair["user_message"]["id"]
    session = signed_in(str(owner.client.base_url), owner.email)
    session_id = next(s["id"] for s in session.get("/api/auth/sessions").json() if s["current"])
    key_id = owner.client.get("/api/keys").json()[0]["id"]
    response = owner.client.post(
        "/v1/responses", json={"model": "scripted", "input": question, "background": True}
    )
    assert response.status_code == 200, response.text
    with stack.client() as admin:  # an admin's object: another user's route is a 403
        server = {"name": f"iso-{uuid.uuid4().hex[:8]}", "url": "http://127.0.0.1:9/mcp"}
        server_id = admin.post("/api/admin/mcp-servers", json=server).json()["id"]
    made = owner.client.post("/api/files", files={"file": ("own.md", b"# Mine\n\nAll mine.", "text/plain")})
    assert made.status_code == 201, made.text
    shared = owner.client.post(f"/api/conversations/{conversation_id}/share")
    assert shared.status_code == 201, shared.text
    folder = owner.client.post("/api/folders", json={"name": "Private folder"})
    assert folder.status_code == 201, folder.text
    preset = owner.client.post("/api/presets", json={"command": "mine", "title": "Mine", "content": "Own."})
    assert preset.status_code == 201, preset.text
    imported = owner.client.post("/api/conversations/import", content=chatgpt_export(JOB_CONVERSATIONS + 1))
    assert imported.status_code == 202, imported.text  # a job import, followed by its id
    assert wait_for_import(owner.client, imported.json()["import_id"])[-1]["status"] == "done"
    objects = {
        "import_id": imported.json()["import_id"],
        "file_id": made.json()["id"],
        "folder_id": folder.json()["id"],
        "preset_id": preset.json()["id"],
        "server_id": server_id,
        "conversation_id": conversation_id,
        "message_id": answer_id,
        "sign_in_id": session_id,
        "key_id": key_id,
        "user_id": owner.id,
        "response_id": response.json()["id"],
        "token": shared.json()["token"],
    }
    before = owner_view(owner, session, conversation_id)

    schema = other.client.get("/openapi.json").json()
    answers: dict[str, int] = {}
    expected: dict[str, int] = {}
    for method, path, names, operation in path_operations(schema):
        unknown = [name for name in names if name not in objects]
        assert not unknown, f"{method} {path}: no object of another user for {unknown}: add it to this test"
        url = path
        for name in names:
            url = url.replace(f"{{{name}}}", objects[name])
        # Some routes act on a question rather than an answer: try both of the owner's messages.
        for message_id in (answer_id, question_id) if "message_id" in names else (None,):
            target = url.replace(answer_id, message_id) if message_id else url
            body: dict[str, Any] | None = {} if "requestBody" in operation else None
            response = other.client.request(method, target, json=body, timeout=5)
            answers[f"{method} {target}"] = response.status_code
            if (method, path) in PUBLIC:
                expected[f"{method} {target}"] = 200
            else:
                expected[f"{method} {target}"] = 403 if path.startswith("/api/admin/") else 404
    assert answers == expected
    assert len({key.split(" ")[1].split("/")[2] for key in answers}) >= 5  # the walk reached every kind

    final = wait_for_message(owner.client, answer_id)
    assert (final["status"], final["content"]) == ("complete", "".join(SLOW))  # not stopped by the other
    after = owner_view(owner, session, conversation_id)
    before["messages"] = [m for m in before["messages"] if m["role"] == "user"]
    after_questions = [m for m in after.pop("messages") if m["role"] == "user"]
    assert after_questions == before.pop("messages")
    assert after == before
    session.close()


def test_lists_search_and_updates_show_only_the_users_own(
    stack: Stack, upstream: Upstream, two_users: tuple[Member, Member]
) -> None:
    owner, other = two_users
    word = unique("zebracorn").split()[1]
    conversation_id = new_conversation(owner.client, title=f"Owner {word}")["id"]
    upstream.script(word, {"tokens": [f"about {word}"]})
    wait_for_message(
        owner.client, ask(owner.client, conversation_id, f"tell me {word}")["assistant_message"]["id"]
    )

    assert conversation_id in [c["id"] for c in owner.client.get("/api/conversations").json()["items"]]
    assert other.client.get("/api/conversations").json()["items"] == []
    found = owner.client.get("/api/search", params={"q": word}).json()
    assert found["conversations"]
    assert found["messages"]
    assert other.client.get("/api/search", params={"q": word}).json() == {"conversations": [], "messages": []}

    with UpdateListener(stack.api.url, dict(other.client.headers)) as theirs:
        with UpdateListener(stack.api.url, dict(owner.client.headers)) as mine:
            owner.client.patch(f"/api/conversations/{conversation_id}", json={"title": "Renamed"})
            mine.wait_for(conversation_id, "title")
        assert [e.event for e in theirs.events] == ["resync"]


def test_an_import_belongs_to_the_importer(stack: Stack, two_users: tuple[Member, Member]) -> None:
    owner, other = two_users
    conversation_id = new_conversation(owner.client, title="Exported")["id"]
    exported = owner.client.get(f"/api/conversations/{conversation_id}/export.json").content
    imported = other.client.post("/api/conversations/import", content=exported)
    assert imported.status_code == 201, imported.text
    copy = imported.json()["id"]
    assert other.client.get(f"/api/conversations/{copy}").status_code == 200
    assert owner.client.get(f"/api/conversations/{copy}").status_code == 404


def test_an_admin_manages_accounts_but_sees_no_one_elses_conversation(
    stack: Stack, two_users: tuple[Member, Member]
) -> None:
    owner, _ = two_users
    conversation_id = new_conversation(owner.client, title="Not the admin's")["id"]
    with stack.client() as admin:
        assert admin.get(f"/api/conversations/{conversation_id}").status_code == 404
        assert conversation_id not in [c["id"] for c in admin.get("/api/conversations").json()["items"]]
        assert owner.email in [u["email"] for u in admin.get("/api/admin/users").json()]
