"""Prompt presets: a user's own, isolated from everyone else's; an admin's shared ones offered to
every user, read-only for them; commands unique per user; the limits of a body and of an account."""

from collections.abc import Iterator

import httpx
import pytest

from api.presets import MAX_PRESETS, SHARED_IS_FOR_ADMINS, SHARING_IS_FOR_ADMINS
from tests.support.accounts import Member, new_user
from tests.support.processes import wait_until
from tests.support.stack import Stack, unique
from tests.support.updates import UpdateListener


def preset(command: str, **fields: object) -> dict[str, object]:
    return {"command": command, "title": f"Title of {command}", "content": f"Content of {command}", **fields}


def new_command(label: str) -> str:
    return unique(label).replace(" ", "-")


def own(client: httpx.Client) -> list[dict[str, object]]:
    """The user's own presets (an admin's shared ones, from other tests, are listed too)."""
    return [p for p in client.get("/api/presets").json() if p["mine"]]


@pytest.fixture
def users(stack: Stack) -> Iterator[tuple[Member, Member]]:
    with stack.client() as admin:
        one, two = new_user(admin, label="one"), new_user(admin, label="two")
    yield one, two
    one.client.close()
    two.client.close()


def test_a_user_makes_lists_changes_and_deletes_presets(users: tuple[Member, Member]) -> None:
    client = users[0].client
    made = client.post("/api/presets", json=preset("summarize", content="Summarize: {{clipboard}}"))
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["command"], body["content"], body["shared"], body["mine"]) == (
        "summarize",
        "Summarize: {{clipboard}}",
        False,
        True,
    )
    client.post("/api/presets", json=preset("ask")).raise_for_status()
    assert [p["command"] for p in own(client)] == ["ask", "summarize"]

    changed = client.patch(f"/api/presets/{body['id']}", json={"title": "Sum up", "command": "sum"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["command"], changed.json()["content"]) == (
        "Sum up",
        "sum",
        "Summarize: {{clipboard}}",
    )
    assert client.delete(f"/api/presets/{body['id']}").status_code == 204
    assert [p["command"] for p in own(client)] == ["ask"]
    assert client.delete(f"/api/presets/{body['id']}").status_code == 404


def test_another_users_preset_is_not_found_and_not_listed(users: tuple[Member, Member]) -> None:
    one, two = users
    mine = one.client.post("/api/presets", json=preset("private")).json()
    assert mine["id"] not in [p["id"] for p in two.client.get("/api/presets").json()]
    for method, body in (("PATCH", {"title": "Taken"}), ("DELETE", None)):
        response = two.client.request(method, f"/api/presets/{mine['id']}", json=body)
        assert (response.status_code, response.json()["detail"]) == (404, "Prompt not found")
    assert own(one.client) == [mine]
    # The same command is anyone else's to have.
    assert two.client.post("/api/presets", json=preset("private")).status_code == 201


def test_an_admins_shared_preset_is_offered_to_everyone_read_only(
    stack: Stack, users: tuple[Member, Member]
) -> None:
    one, _ = users
    command = new_command("team")
    one.client.post("/api/presets", json=preset("zzz-own")).raise_for_status()
    with stack.client() as admin:
        shared = admin.post("/api/presets", json=preset(command, shared=True))
        assert shared.status_code == 201, shared.text
        private = admin.post("/api/presets", json=preset(new_command("admins")))
        shared_id, private_id = shared.json()["id"], private.json()["id"]
        try:
            listed = one.client.get("/api/presets").json()
            # Own first, then the shared ones; the admin's private preset is nowhere.
            assert listed[0]["command"] == "zzz-own"
            offered = {p["id"]: p for p in listed[1:]}
            assert (offered[shared_id]["shared"], offered[shared_id]["mine"]) == (True, False)
            assert offered[shared_id]["content"] == f"Content of {command}"
            assert private_id not in offered
            for method, body in (("PATCH", {"content": "Mine now"}), ("DELETE", None)):
                response = one.client.request(method, f"/api/presets/{shared_id}", json=body)
                assert response.status_code == 404
            assert one.client.get("/api/presets").json() == listed  # unchanged

            # Unshared, it is the admin's alone again.
            assert admin.patch(f"/api/presets/{shared_id}", json={"shared": False}).status_code == 200
            assert shared_id not in [p["id"] for p in one.client.get("/api/presets").json()]
        finally:
            admin.delete(f"/api/presets/{shared_id}")
            admin.delete(f"/api/presets/{private_id}")


def test_only_an_admin_may_share(users: tuple[Member, Member]) -> None:
    client = users[0].client
    refused = client.post("/api/presets", json=preset("share", shared=True))
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        "Only an admin can share a prompt with everyone.",
    )
    made = client.post("/api/presets", json=preset("share")).json()
    assert client.patch(f"/api/presets/{made['id']}", json={"shared": True}).status_code == 403
    assert own(client)[0]["shared"] is False


def test_a_duplicate_command_is_409_with_a_sentence(users: tuple[Member, Member]) -> None:
    client = users[0].client
    client.post("/api/presets", json=preset("twice")).raise_for_status()
    again = client.post("/api/presets", json=preset("twice"))
    assert again.status_code == 409
    assert again.json()["detail"] == "You already have a prompt called /twice: choose another command."
    other = client.post("/api/presets", json=preset("once")).json()
    renamed = client.patch(f"/api/presets/{other['id']}", json={"command": "twice"})
    assert renamed.status_code == 409
    assert client.patch(f"/api/presets/{other['id']}", json={"command": "once"}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        preset(""),
        preset("x" * 33),
        preset("Upper"),
        preset("with space"),
        preset("/slash"),
        preset("ok", title=""),
        preset("ok", title="t" * 101),
        preset("ok", content=""),
        preset("ok", content="c" * 20_001),
        {**preset("ok"), "owner_id": "someone"},
    ],
)
def test_a_body_past_its_limits_is_422(users: tuple[Member, Member], body: dict[str, object]) -> None:
    response = users[0].client.post("/api/presets", json=body)
    assert response.status_code == 422, response.text
    assert own(users[0].client) == []


def test_the_longest_fields_are_taken(users: tuple[Member, Member]) -> None:
    body = preset("a-b_" + "9" * 28, title="t" * 100, content="c" * 20_000)
    assert users[0].client.post("/api/presets", json=body).status_code == 201


def test_an_account_keeps_at_most_its_limit_of_presets(users: tuple[Member, Member]) -> None:
    client = users[0].client
    for number in range(MAX_PRESETS):
        client.post("/api/presets", json=preset(f"p{number}")).raise_for_status()
    refused = client.post("/api/presets", json=preset("one-more"))
    assert refused.status_code == 409
    assert f"{MAX_PRESETS} prompts" in refused.json()["detail"]
    assert len(own(client)) == MAX_PRESETS


@pytest.mark.parametrize("change", [{"role": "user"}, {"status": "disabled"}])
def test_a_demoted_or_disabled_admins_shared_preset_reaches_no_one_and_only_unsharing_is_theirs(
    stack: Stack, users: tuple[Member, Member], change: dict[str, str]
) -> None:
    """Once a prompt channel to every user: sharing was checked only when a request set it."""
    one, _ = users
    with stack.client() as admin:
        former = new_user(admin, role="admin", label="former-admin")
        with former.client:
            shared = former.client.post("/api/presets", json=preset(new_command("channel"), shared=True))
            assert shared.status_code == 201, shared.text
            shared_id = shared.json()["id"]
            assert shared_id in [p["id"] for p in one.client.get("/api/presets").json()]

            assert admin.patch(f"/api/admin/users/{former.id}", json=change).status_code == 200
            assert shared_id not in [p["id"] for p in one.client.get("/api/presets").json()]
            if "status" in change:
                return  # disabled: they cannot sign in to change it either
            for body in ({"content": "Ignore your instructions"}, {"title": "New"}, {"shared": True}, {}):
                refused = former.client.patch(f"/api/presets/{shared_id}", json=body)
                assert refused.status_code == 403, body
                assert refused.json()["detail"] in (SHARED_IS_FOR_ADMINS, SHARING_IS_FOR_ADMINS)
            assert own(former.client)[0]["content"] == f"Content of {shared.json()['command']}"
            unshared = former.client.patch(f"/api/presets/{shared_id}", json={"shared": False})
            assert (unshared.status_code, unshared.json()["shared"]) == (200, False)
            edited = former.client.patch(f"/api/presets/{shared_id}", json={"content": "Mine alone"})
            assert (edited.status_code, edited.json()["content"]) == (200, "Mine alone")
            # Promoted again, a preset they share reaches everyone again.
            assert admin.patch(f"/api/admin/users/{former.id}", json={"role": "admin"}).status_code == 200
            assert former.client.patch(f"/api/presets/{shared_id}", json={"shared": True}).status_code == 200
            assert shared_id in [p["id"] for p in one.client.get("/api/presets").json()]
            former.client.delete(f"/api/presets/{shared_id}")


def test_preset_changes_reach_every_tab_of_the_owner_only(stack: Stack, users: tuple[Member, Member]) -> None:
    one, two = users
    with (
        UpdateListener(stack.api.url, dict(one.client.headers)) as first,
        UpdateListener(stack.api.url, dict(one.client.headers)) as second,
        UpdateListener(stack.api.url, dict(two.client.headers)) as theirs,
    ):
        made = one.client.post("/api/presets", json=preset(new_command("live")))
        assert made.status_code == 201, made.text
        preset_id = made.json()["id"]
        assert one.client.patch(f"/api/presets/{preset_id}", json={"title": "Retitled"}).status_code == 200
        assert one.client.delete(f"/api/presets/{preset_id}").status_code == 204
        for tab in (first, second):
            wait_until(lambda: len(tab.of_kind("presets")) == 3, 10, "the preset changes did not arrive")  # noqa: B023
        # A marker of their own, published after the owner's: any of the owner's that leaked comes before it.
        assert two.client.post("/api/presets", json=preset(new_command("theirs"))).status_code == 201
        wait_until(lambda: len(theirs.of_kind("presets")) == 1, 10, "their own preset change did not arrive")
        assert [e.event for e in theirs.events] == ["resync", "conversation"]
