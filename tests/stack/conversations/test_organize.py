"""Where conversations sit: pinned first, archived out of the list (still found, restorable),
several deleted at once (all or none), and every tab of the owner told."""

from collections.abc import Iterator

import httpx
import pytest

from tests.support.accounts import Member, new_user, own_member
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message
from tests.support.updates import UpdateListener

MISSING_ID = "00000000-0000-7000-8000-000000000000"


@pytest.fixture
def member(stack: Stack) -> Iterator[Member]:
    """A user of their own: their list holds only what the test made."""
    yield from own_member(stack.client(), "organize")


def listed(client: httpx.Client, **params: str | int) -> list[str]:
    response = client.get("/api/conversations", params=params)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


def every_page(client: httpx.Client, limit: int) -> list[str]:
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = client.get("/api/conversations", params={"limit": limit, "offset": offset}).json()
        ids += [c["id"] for c in page["items"]]
        offset = page["next_offset"]
    return ids


def patch(client: httpx.Client, conversation_id: str, **fields: object) -> dict[str, object]:
    response = client.patch(f"/api/conversations/{conversation_id}", json=fields)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def test_pinned_conversations_head_the_list_newest_pin_first_across_pages(member: Member) -> None:
    client = member.client
    oldest, middle, newer, newest = (new_conversation(client, title=f"c{n}")["id"] for n in range(4))
    assert listed(client) == [newest, newer, middle, oldest]

    pinned = patch(client, oldest, pinned=True)
    assert (pinned["pinned"], pinned["archived"]) == (True, False)
    assert pinned["pinned_at"] is not None
    patch(client, middle, pinned=True)
    # Pinning does not count as activity: the unpinned keep their order.
    assert listed(client) == [middle, oldest, newest, newer]
    assert every_page(client, limit=1) == [middle, oldest, newest, newer]
    assert every_page(client, limit=3) == [middle, oldest, newest, newer]

    unpinned = patch(client, middle, pinned=False)
    assert (unpinned["pinned"], unpinned["pinned_at"]) == (False, None)
    assert listed(client) == [oldest, newest, newer, middle]


def test_a_placement_that_changes_nothing_is_no_activity_either(member: Member) -> None:
    client = member.client
    older, newer = (new_conversation(client, title=f"c{n}")["id"] for n in range(2))
    before = client.get(f"/api/conversations/{older}").json()["updated_at"]
    # Already unpinned, unarchived and unfiled: each of these changes nothing.
    for fields in ({"pinned": False}, {"archived": False}, {"folder_id": None}):
        assert patch(client, older, **fields)["updated_at"] == before, fields
    assert listed(client) == [newer, older]


def test_an_archived_conversation_leaves_the_list_is_still_found_and_is_restored(
    member: Member, upstream: Upstream
) -> None:
    client = member.client
    word = unique("archivable").split()[1]
    kept = new_conversation(client, title="Kept")["id"]
    archived = new_conversation(client, title=f"Shelved {word}")["id"]
    upstream.script(word, {"tokens": [f"about {word}"]})
    wait_for_message(client, ask(client, archived, f"tell me {word}")["assistant_message"]["id"])

    shelved = patch(client, archived, archived=True)
    assert (shelved["archived"], shelved["pinned"]) == (True, False)
    assert listed(client) == [kept]
    assert listed(client, archived="true") == [archived]
    found = client.get("/api/search", params={"q": word}).json()
    assert [hit["conversation_id"] for hit in found["conversations"]] == [archived]
    assert {hit["conversation_id"] for hit in found["messages"]} == {archived}
    assert client.get(f"/api/conversations/{archived}").status_code == 200  # still opens

    restored = patch(client, archived, archived=False)
    assert (restored["archived"], restored["archived_at"]) == (False, None)
    assert sorted(listed(client)) == sorted([kept, archived])
    assert listed(client, archived="true") == []


def test_bulk_delete_deletes_them_all_and_stops_their_answers(member: Member, upstream: Upstream) -> None:
    client = member.client
    question = unique("bulk delete stops")
    upstream.script(question, {"tokens": [f"w{i} " for i in range(200)], "delay": 0.05})
    doomed = [new_conversation(client, title=f"doomed {n}")["id"] for n in range(3)]
    kept = new_conversation(client, title="kept")["id"]
    answer_id = ask(client, doomed[0], question)["assistant_message"]["id"]
    wait_for_message(client, answer_id, status="streaming")

    # An id twice is one conversation.
    response = client.post("/api/conversations/delete", json={"ids": [*doomed, doomed[1]]})
    assert response.status_code == 204, response.text
    assert listed(client) == [kept]
    for conversation_id in doomed:
        assert client.get(f"/api/conversations/{conversation_id}").status_code == 404
    wait_until(lambda: upstream.requests(question)[0]["disconnected"], 5, "the model was not disconnected")
    assert not upstream.requests(question)[0]["finished"]


def test_bulk_delete_with_anyone_elses_or_an_unknown_id_deletes_nothing(stack: Stack, member: Member) -> None:
    client = member.client
    mine = [new_conversation(client, title=f"mine {n}")["id"] for n in range(2)]
    with stack.client() as admin:
        other = new_user(admin, label="other")
    with other.client as theirs:
        their_own = new_conversation(theirs, title="theirs")["id"]
        for stranger in (their_own, MISSING_ID):
            refused = client.post("/api/conversations/delete", json={"ids": [*mine, stranger]})
            assert refused.status_code == 404, refused.text
            assert refused.json()["detail"] == f"Conversation not found: {stranger}; none was deleted"
        assert sorted(listed(client)) == sorted(mine)
        # Nor may the other user delete the member's.
        refused = theirs.post("/api/conversations/delete", json={"ids": [mine[0]]})
        assert refused.status_code == 404
        assert listed(theirs) == [their_own]
    assert sorted(listed(client)) == sorted(mine)


@pytest.mark.parametrize("ids", [[], [f"id-{n}" for n in range(201)], ["x" * 37]])
def test_bulk_delete_takes_1_to_200_ids(member: Member, ids: list[str]) -> None:
    response = member.client.post("/api/conversations/delete", json={"ids": ids})
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str)


def test_placement_is_refused_when_malformed(member: Member) -> None:
    conversation_id = new_conversation(member.client)["id"]
    for body in ({"pinned": None}, {"archived": "soon"}, {"folder_id": "x" * 37}):
        response = member.client.patch(f"/api/conversations/{conversation_id}", json=body)
        assert response.status_code == 422, (body, response.text)
    after = member.client.get(f"/api/conversations/{conversation_id}").json()
    assert (after["pinned"], after["archived"], after["folder_id"]) == (False, False, None)


def test_moves_pins_archives_and_deletes_reach_another_tab(stack: Stack, member: Member) -> None:
    client = member.client
    folder = client.post("/api/folders", json={"name": "Live"}).json()
    moved, pinned, archived, deleted, bulk = (new_conversation(client)["id"] for _ in range(5))
    quiet = new_conversation(client)["id"]
    with UpdateListener(stack.api.url, dict(client.headers)) as other_tab:
        patch(client, moved, folder_id=folder["id"])
        patch(client, pinned, pinned=True)
        patch(client, archived, archived=True)
        assert client.delete(f"/api/conversations/{deleted}").status_code == 204
        assert client.post("/api/conversations/delete", json={"ids": [bulk]}).status_code == 204
        patch(client, quiet, folder_id=None)  # already unfiled: nothing moved, nothing told
        patch(client, quiet, title="Marker")
        for conversation_id in (moved, pinned, archived, deleted, bulk):
            other_tab.wait_for(conversation_id, "conversation")
        other_tab.wait_for(quiet, "title")
        assert other_tab.changes(quiet) == ["title"]
