"""Sharing by link: a copy of the selected branch, open without signing in, that does not follow
the conversation; a new link replaces the old; revoked, replaced, unknown and switched-off links
are a 404; another user's conversation is not found; a branch past the bound is refused."""

import copy
import json
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from core.shares import MAX_SHARED_MESSAGES
from tests.support.accounts import Member, own_member
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

GONE = "This shared link does not exist, or its owner has stopped sharing it."


def answered(client: httpx.Client, upstream: Upstream, conversation_id: str, *tokens: str) -> dict[str, Any]:
    """A question and its finished answer, which says `tokens` joined: the pair, the answer final."""
    question = unique("shared question")
    upstream.script(question, {"tokens": list(tokens)})
    pair = ask(client, conversation_id, question)
    pair["assistant_message"] = wait_for_message(client, pair["assistant_message"]["id"])
    return pair


def share(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    response = client.post(f"/api/conversations/{conversation_id}/share")
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


@pytest.fixture
def anonymous(stack: Stack) -> Iterator[httpx.Client]:
    """Nobody signed in: no cookie, no key."""
    with httpx.Client(base_url=stack.api.url, timeout=30) as http:
        yield http


def opened(anonymous: httpx.Client, token: str) -> dict[str, Any]:
    response = anonymous.get(f"/api/shared/{token}")
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    return shown


def assert_gone(anonymous: httpx.Client, token: str) -> None:
    response = anonymous.get(f"/api/shared/{token}")
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == GONE


def test_a_link_opens_without_signing_in_and_keeps_the_branch_as_it_was_shared(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client, title="Shared · test")
    pair = answered(client, upstream, conversation["id"], "Some ", "**bold** ", "text")
    made = share(client, conversation["id"])
    token = made["token"]
    assert len(token) == 43  # secrets.token_urlsafe(32)
    assert made["url"] == f"/share/{token}"

    shown = opened(anonymous, token)
    assert shown["title"] == "Shared · test"
    assert [(m["role"], m["content"]) for m in shown["messages"]] == [
        ("user", pair["user_message"]["content"]),
        ("assistant", "Some **bold** text"),
    ]
    assert shown["messages"][1]["model"] == pair["assistant_message"]["model"]
    assert shown["messages"][0]["model"] is None
    assert set(shown["messages"][1]) == {"role", "content", "model", "created_at", "stopped", "attachments"}

    # A copy: what the conversation says later, and its new title, are not in it.
    later = answered(client, upstream, conversation["id"], "later")
    renamed = client.patch(f"/api/conversations/{conversation['id']}", json={"title": "Renamed"})
    assert renamed.json()["title"] == "Renamed"
    again = opened(anonymous, token)
    assert again == shown
    assert "Renamed" not in json.dumps(again)
    assert later["user_message"]["content"] not in json.dumps(again)

    state = client.get(f"/api/conversations/{conversation['id']}/share").json()
    assert state == {"shared": True, "created_at": made["created_at"], "enabled": True}

    page = anonymous.get(made["url"])
    assert page.status_code == 200
    assert page.headers["x-robots-tag"] == "noindex"
    assert "text/html" in page.headers["content-type"]
    # The app's own page, which reads the copy itself: nothing of it is in the HTML.
    assert page.text == anonymous.get("/").text
    assert pair["user_message"]["content"] not in page.text
    assert "x-robots-tag" not in anonymous.get(f"/c/{conversation['id']}").headers


def test_sharing_again_makes_a_new_link_and_revoking_ends_it(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client)
    answered(client, upstream, conversation["id"], "first")
    old = share(client, conversation["id"])["token"]
    answered(client, upstream, conversation["id"], "second")
    new = share(client, conversation["id"])["token"]
    assert new != old
    assert_gone(anonymous, old)
    assert [m["content"] for m in opened(anonymous, new)["messages"]][1::2] == ["first", "second"]

    revoked = client.delete(f"/api/conversations/{conversation['id']}/share")
    assert revoked.status_code == 204
    assert_gone(anonymous, new)
    assert anonymous.get(f"/share/{new}").status_code == 200  # the page, which then says not found
    state = client.get(f"/api/conversations/{conversation['id']}/share").json()
    assert state == {"shared": False, "created_at": None, "enabled": True}
    # Revoking what is not shared changes nothing.
    assert client.delete(f"/api/conversations/{conversation['id']}/share").status_code == 204


def test_the_copy_holds_the_selected_branch_and_no_running_answer(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client)
    question = unique("branching")
    upstream.script(question, {"tokens": ["first take"]}, {"tokens": ["second take"]})
    first = wait_for_message(client, ask(client, conversation["id"], question)["assistant_message"]["id"])
    regenerated = client.post(f"/api/messages/{first['id']}/regenerate", json={})
    assert regenerated.status_code == 202, regenerated.text
    wait_for_message(client, regenerated.json()["assistant_message"]["id"])
    # The user looks at the first answer again: that branch is shared, not the newer one.
    selected = client.patch(
        f"/api/conversations/{conversation['id']}/branch", json={"message_id": first["id"]}
    )
    assert selected.status_code == 200, selected.text
    shown = opened(anonymous, share(client, conversation["id"])["token"])
    assert [m["content"] for m in shown["messages"]] == [question, "first take"]

    slow = unique("still running")
    upstream.script(slow, {"tokens": [f"w{i} " for i in range(100)], "delay": 0.05})
    running = ask(client, conversation["id"], slow)
    # Its partial text checkpointed (about every second): the copy must still leave it out.
    partial = f"/api/messages/{running['assistant_message']['id']}"
    wait_until(lambda: bool(client.get(partial).json()["content"]), 10, "a checkpointed partial answer")
    shown = opened(anonymous, share(client, conversation["id"])["token"])
    # The question is in it; the answer's partial text is not.
    assert [m["content"] for m in shown["messages"]] == [question, "first take", slow]
    client.post(f"/api/messages/{running['assistant_message']['id']}/stop")
    stopped = wait_for_message(client, running["assistant_message"]["id"])
    assert stopped["status"] == "stopped"
    shown = opened(anonymous, share(client, conversation["id"])["token"])
    assert shown["messages"][-1]["content"] == stopped["content"]
    assert shown["messages"][-1]["stopped"] is True


def test_a_failed_answer_is_left_out(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client)
    question = unique("fails")
    upstream.script(question, {"status": 401, "message": "bad key"})
    failed = wait_for_message(client, ask(client, conversation["id"], question)["assistant_message"]["id"])
    assert failed["status"] == "failed"
    shown = opened(anonymous, share(client, conversation["id"])["token"])
    assert [(m["role"], m["content"]) for m in shown["messages"]] == [("user", question)]


@pytest.fixture
def other(stack: Stack) -> Iterator[Member]:
    yield from own_member(stack.client(), "other")


def test_another_users_conversation_cannot_be_shared_read_or_revoked(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client, other: Member
) -> None:
    conversation = new_conversation(client)
    answered(client, upstream, conversation["id"], "mine")
    token = share(client, conversation["id"])["token"]
    for method in ("POST", "GET", "DELETE"):
        response = other.client.request(method, f"/api/conversations/{conversation['id']}/share")
        assert response.status_code == 404, (method, response.text)
        assert response.json()["detail"] == "Conversation not found"
    opened(anonymous, token)  # still shared, as its owner left it


def test_unknown_and_malformed_tokens_are_refused(anonymous: httpx.Client) -> None:
    assert_gone(anonymous, "x" * 43)
    assert anonymous.get(f"/api/shared/{'x' * 65}").status_code == 422
    # Not signed in: the owner's routes are not open.
    assert anonymous.post(f"/api/conversations/{uuid.uuid4()}/share").status_code == 401


def test_deleting_the_conversation_ends_its_link(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client)
    answered(client, upstream, conversation["id"], "soon gone")
    token = share(client, conversation["id"])["token"]
    assert client.delete(f"/api/conversations/{conversation['id']}").status_code == 204
    assert_gone(anonymous, token)


@pytest.fixture
def sharing_restored(client: httpx.Client) -> Iterator[None]:
    """The site's sharing switch back on after the test, whatever it did."""
    yield
    assert client.patch("/api/admin/settings", json={"sharing": True}).status_code == 200


def test_an_admin_turns_sharing_off_and_on_again(
    stack: Stack,
    client: httpx.Client,
    upstream: Upstream,
    anonymous: httpx.Client,
    other: Member,
    sharing_restored: None,
) -> None:
    conversation = new_conversation(other.client)
    answered(other.client, upstream, conversation["id"], "kept")
    token = share(other.client, conversation["id"])["token"]
    # Only an admin may change it.
    assert other.client.patch("/api/admin/settings", json={"sharing": False}).status_code == 403

    off = client.patch("/api/admin/settings", json={"sharing": False})
    assert off.status_code == 200, off.text
    assert off.json()["sharing"] is False
    assert client.get("/api/admin/settings").json()["sharing"] is False
    refused = other.client.post(f"/api/conversations/{conversation['id']}/share")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "An admin has turned sharing by link off on this site."
    assert_gone(anonymous, token)
    state = other.client.get(f"/api/conversations/{conversation['id']}/share").json()
    assert (state["shared"], state["enabled"]) == (True, False)

    # The signup mode is left as it was by a change of sharing alone.
    signup = client.get("/api/admin/settings").json()["signup"]
    assert client.patch("/api/admin/settings", json={"sharing": True}).json() == {
        "signup": signup,
        "sharing": True,
    }
    assert opened(anonymous, token)["messages"][1]["content"] == "kept"


def test_a_settings_change_with_one_refused_setting_changes_neither(
    client: httpx.Client, sharing_restored: None
) -> None:
    """The signup mode and sharing change in one commit: both, or (one refused) neither."""
    before = client.get("/api/admin/settings").json()
    assert before["sharing"] is True
    refused = client.patch("/api/admin/settings", json={"sharing": False, "signup": "everyone"})
    assert refused.status_code == 422, refused.text
    assert client.get("/api/admin/settings").json() == before
    signup = "approval" if before["signup"] != "approval" else "closed"
    both = client.patch("/api/admin/settings", json={"sharing": False, "signup": signup})
    assert both.json() == {"signup": signup, "sharing": False}
    assert client.get("/api/admin/settings").json() == both.json()
    assert client.patch("/api/admin/settings", json={"signup": before["signup"]}).status_code == 200


def test_a_branch_past_the_bound_is_refused_with_a_sentence(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    conversation = new_conversation(client)
    answered(client, upstream, conversation["id"], "template")
    exported = client.get(f"/api/conversations/{conversation['id']}/export.json").json()
    question, answer = exported["messages"]
    messages, parent = [], None
    for index in range(MAX_SHARED_MESSAGES + 2):
        message = copy.deepcopy(question if index % 2 == 0 else answer)
        message.update(
            id=str(uuid.uuid4()),
            parent_id=parent,
            content=f"message {index}",
            client_id=None,
            included_ids=None,
        )
        messages.append(message)
        parent = message["id"]
    exported["messages"] = messages
    exported["conversation"]["selected_leaf_id"] = parent
    imported = client.post(
        "/api/conversations/import",
        content=json.dumps(exported),
        headers={"content-type": "application/json"},
    )
    assert imported.status_code == 201, imported.text

    refused = client.post(f"/api/conversations/{imported.json()['id']}/share")
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        "This conversation's branch is too long to share: a link holds at most 2,000 messages."
    )
    assert client.get(f"/api/conversations/{imported.json()['id']}/share").json()["shared"] is False


def test_concurrent_shares_of_one_conversation_all_succeed_and_one_link_alone_opens(
    client: httpx.Client, upstream: Upstream, anonymous: httpx.Client
) -> None:
    """Once a 500: both requests saw no link and inserted one, and the second broke the unique key.
    Now each is a 201, and the link of whichever wrote last (not necessarily the last to answer)
    is the one that opens: every other is a 404."""
    conversation = new_conversation(client)
    answered(client, upstream, conversation["id"], "shared at once")
    # A client of its own each, all sent at once: the requests overlap in the API.
    clients = [
        httpx.Client(base_url=client.base_url, headers=client.headers, cookies=client.cookies)
        for _ in range(8)
    ]
    start = threading.Barrier(len(clients))

    def send(each: httpx.Client) -> httpx.Response:
        start.wait()
        return each.post(f"/api/conversations/{conversation['id']}/share")

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(send, clients))
    for each in clients:
        each.close()
    assert [r.status_code for r in responses] == [201] * len(clients), [r.text for r in responses]
    tokens = [r.json()["token"] for r in responses]
    opening = [token for token in tokens if anonymous.get(f"/api/shared/{token}").status_code == 200]
    assert len(opening) == 1
    for token in set(tokens) - set(opening):
        assert_gone(anonymous, token)
    state = client.get(f"/api/conversations/{conversation['id']}/share").json()
    assert state["shared"] is True
