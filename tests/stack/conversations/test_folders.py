"""Folders: made, listed, renamed and deleted with or without their conversations, the owner's alone."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.accounts import Member, new_user, own_member
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message
from tests.support.updates import UpdateListener

MISSING_ID = "00000000-0000-7000-8000-000000000000"


@pytest.fixture
def member(stack: Stack) -> Iterator[Member]:
    """A user of their own: their folders and list hold only what the test made."""
    yield from own_member(stack.client(), "folders")


def make_folder(client: httpx.Client, name: str) -> dict[str, str]:
    response = client.post("/api/folders", json={"name": name})
    assert response.status_code == 201, response.text
    folder: dict[str, str] = response.json()
    return folder


def listed(client: httpx.Client, **params: str) -> list[str]:
    response = client.get("/api/conversations", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def test_folders_are_made_listed_a_to_z_and_renamed(member: Member) -> None:
    client = member.client
    work = make_folder(client, "  Work  ")
    assert work["name"] == "Work"  # the spaces around a name are not kept
    make_folder(client, "archive of ideas")
    assert [f["name"] for f in client.get("/api/folders").json()] == ["archive of ideas", "Work"]

    renamed = client.patch(f"/api/folders/{work['id']}", json={"name": "Zebra"})
    assert renamed.status_code == 200, renamed.text
    assert [f["name"] for f in client.get("/api/folders").json()] == ["archive of ideas", "Zebra"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_folder_needs_a_name_of_1_to_100_characters(member: Member, name: str) -> None:
    response = member.client.post("/api/folders", json={"name": name})
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str)
    assert member.client.get("/api/folders").json() == []


def test_a_user_has_at_most_200_folders_even_when_the_last_ones_are_made_at_once(member: Member) -> None:
    for number in range(199):
        make_folder(member.client, f"f{number}")

    # Six creates race for the one place left: one is made, the others refused.
    def create(number: int) -> httpx.Response:
        with httpx.Client(base_url=member.client.base_url, headers=member.client.headers) as own:
            return own.post("/api/folders", json={"name": f"racing {number}"})

    with ThreadPoolExecutor(6) as pool:
        codes = sorted(response.status_code for response in pool.map(create, range(6)))
    assert codes == [201, 409, 409, 409, 409, 409]
    refused = member.client.post("/api/folders", json={"name": "one too many"})
    assert refused.status_code == 409, refused.text
    assert "200 folders" in refused.json()["detail"]
    assert len(member.client.get("/api/folders").json()) == 200


def test_deleting_a_folder_leaves_its_conversations_unfiled(member: Member) -> None:
    client = member.client
    folder = make_folder(client, "Trip")
    inside = new_conversation(client, title="Packing")["id"]
    moved = client.patch(f"/api/conversations/{inside}", json={"folder_id": folder["id"]})
    assert moved.json()["folder_id"] == folder["id"]

    assert client.delete(f"/api/folders/{folder['id']}").status_code == 204
    assert client.get("/api/folders").json() == []
    kept = client.get(f"/api/conversations/{inside}")
    assert kept.status_code == 200
    assert kept.json()["folder_id"] is None
    assert inside in listed(client)


def test_deleting_a_folder_with_its_conversations_deletes_only_them(member: Member) -> None:
    client = member.client
    folder = make_folder(client, "Doomed")
    other = make_folder(client, "Kept")
    inside = [new_conversation(client, title=f"in {n}")["id"] for n in range(2)]
    archived_inside = new_conversation(client, title="archived in")["id"]
    elsewhere = new_conversation(client, title="elsewhere")["id"]
    unfiled = new_conversation(client, title="unfiled")["id"]
    for conversation_id in [*inside, archived_inside]:
        client.patch(f"/api/conversations/{conversation_id}", json={"folder_id": folder["id"]})
    client.patch(f"/api/conversations/{archived_inside}", json={"archived": True})
    client.patch(f"/api/conversations/{elsewhere}", json={"folder_id": other["id"]})

    deleted = client.delete(f"/api/folders/{folder['id']}", params={"with_conversations": "true"})
    assert deleted.status_code == 204, deleted.text
    for conversation_id in [*inside, archived_inside]:
        assert client.get(f"/api/conversations/{conversation_id}").status_code == 404
    assert sorted(listed(client)) == sorted([elsewhere, unfiled])
    assert [f["name"] for f in client.get("/api/folders").json()] == ["Kept"]


def test_deleting_a_folder_with_its_conversations_stops_their_running_answers(
    member: Member, upstream: Upstream
) -> None:
    client = member.client
    folder = make_folder(client, "Running")
    question = unique("folder delete stops")
    upstream.script(question, {"tokens": [f"w{i} " for i in range(200)], "delay": 0.05})
    conversation_id = new_conversation(client)["id"]
    client.patch(f"/api/conversations/{conversation_id}", json={"folder_id": folder["id"]})
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    wait_for_message(client, answer_id, status="streaming")

    deleted = client.delete(f"/api/folders/{folder['id']}", params={"with_conversations": True})
    assert deleted.status_code == 204, deleted.text
    wait_until(lambda: upstream.requests(question)[0]["disconnected"], 5, "the model was not disconnected")
    assert not upstream.requests(question)[0]["finished"]
    assert client.get(f"/api/messages/{answer_id}").status_code == 404


def test_another_users_folder_is_not_found(stack: Stack, member: Member) -> None:
    folder = make_folder(member.client, "Mine")
    conversation_id = new_conversation(member.client)["id"]
    member.client.patch(f"/api/conversations/{conversation_id}", json={"folder_id": folder["id"]})
    with stack.client() as admin:
        other = new_user(admin, label="other")
    with other.client as client:
        assert client.get("/api/folders").json() == []
        for method, params in [("PATCH", None), ("DELETE", {"with_conversations": "true"})]:
            body = {"name": "Theirs now"} if method == "PATCH" else None
            response = client.request(method, f"/api/folders/{folder['id']}", json=body, params=params)
            assert (response.status_code, response.json()["detail"]) == (404, "Folder not found")
        # Moving one's own conversation into it is refused the same way: no link to another's folder.
        own = new_conversation(client)["id"]
        refused = client.patch(f"/api/conversations/{own}", json={"folder_id": folder["id"]})
        assert (refused.status_code, refused.json()["detail"]) == (404, "Folder not found")
        assert client.get(f"/api/conversations/{own}").json()["folder_id"] is None
    assert [f["name"] for f in member.client.get("/api/folders").json()] == ["Mine"]
    assert member.client.get(f"/api/conversations/{conversation_id}").json()["folder_id"] == folder["id"]


def test_an_unknown_folder_is_not_found(member: Member) -> None:
    response = member.client.patch(f"/api/folders/{MISSING_ID}", json={"name": "x"})
    assert (response.status_code, response.json()["detail"]) == (404, "Folder not found")
    conversation_id = new_conversation(member.client)["id"]
    moved = member.client.patch(f"/api/conversations/{conversation_id}", json={"folder_id": MISSING_ID})
    assert moved.status_code == 404


def test_folder_changes_reach_every_tab_of_the_owner_only(stack: Stack, member: Member) -> None:
    with stack.client() as admin:
        other = new_user(admin, label="other")
    with (
        UpdateListener(stack.api.url, dict(member.client.headers)) as first,
        UpdateListener(stack.api.url, dict(member.client.headers)) as second,
        UpdateListener(stack.api.url, dict(other.client.headers)) as theirs,
    ):
        folder = make_folder(member.client, "Live")
        member.client.patch(f"/api/folders/{folder['id']}", json={"name": "Live again"})
        member.client.delete(f"/api/folders/{folder['id']}")
        for tab in (first, second):
            wait_until(lambda: len(tab.of_kind("folders")) == 3, 10, "the folder changes did not arrive")  # noqa: B023
        # A marker of their own, published after the owner's: once it is there, any of the owner's
        # that leaked would be there before it.
        make_folder(other.client, "Theirs")
        wait_until(lambda: len(theirs.of_kind("folders")) == 1, 10, "their own folder change did not arrive")
        assert [e.event for e in theirs.events] == ["resync", "conversation"]
    other.client.close()


def test_an_account_with_folders_is_deleted_with_them(stack: Stack) -> None:
    with stack.client() as admin:
        user = new_user(admin, label="leaving")
        folder = make_folder(user.client, "Filed")
        conversation_id = new_conversation(user.client)["id"]
        user.client.patch(f"/api/conversations/{conversation_id}", json={"folder_id": folder["id"]})
        user.client.close()
        deleted = admin.delete(f"/api/admin/users/{user.id}")
        assert deleted.status_code == 204, deleted.text
        assert admin.get(f"/api/admin/users/{user.id}/limits").status_code == 404
