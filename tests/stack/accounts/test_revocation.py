"""A revoked session, a deleted key, a disabled user or a role change ends the user's open streams
on every API process within 5 seconds."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.accounts import Member, new_user, signed_in
from tests.support.processes import wait_until
from tests.support.sse import HeldStream
from tests.support.stack import MakeStack, ask, new_conversation, unique

pytestmark = pytest.mark.slow

LIMIT_SECONDS = 5.0
LONG = {"tokens": [f"w{i} " for i in range(400)], "delay": 0.05}  # 20 s: still running when revoked


@dataclass
class Scene:
    """A user with an answer streaming, read on two API processes, by sessions and by a key."""

    admin: httpx.Client
    member: Member
    browsers: list[httpx.Client]  # one signed-in session per API process
    session_ids: list[str]
    streams: list[HeldStream]

    def revoked_within(self, revoke: Callable[[], None]) -> list[float]:
        revoked_at = time.monotonic()
        revoke()
        wait_until(lambda: all(s.ended_at for s in self.streams), LIMIT_SECONDS + 10, "the streams to end")
        taken = [s.ended_at - revoked_at for s in self.streams if s.ended_at]
        print(f"\nstreams ended {', '.join(f'{t:.2f}' for t in taken)} s after the revocation")
        return taken


@pytest.fixture
def scene(make_stack: MakeStack) -> Iterator[Scene]:
    stack = make_stack()
    apis = [stack.start(), stack.start_api()]
    admin = stack.client()
    member = new_user(admin)
    question = unique("revoked mid-answer")
    stack.upstream.script(question, LONG)
    answer_id = ask(member.client, new_conversation(member.client)["id"], question)["assistant_message"]["id"]
    browsers = [signed_in(api.url, member.email) for api in apis]
    sessions = [next(s["id"] for s in b.get("/api/auth/sessions").json() if s["current"]) for b in browsers]
    keyed = [httpx.Client(base_url=api.url, headers=member.client.headers) for api in apis]
    paths = (f"/api/messages/{answer_id}/stream", "/api/updates")
    streams = [HeldStream(client, path) for client in [*browsers, *keyed] for path in paths]
    yield Scene(admin, member, browsers, sessions, streams)
    for client in [admin, member.client, *browsers, *keyed]:
        client.close()


def test_revoked_sessions_end_their_streams_on_both_api_processes(scene: Scene) -> None:
    by_session = scene.streams[:4]
    scene.streams = by_session

    def revoke() -> None:
        for session_id in scene.session_ids:  # from the user's list of sessions, with their key
            assert scene.member.client.delete(f"/api/auth/sessions/{session_id}").status_code == 204

    assert max(scene.revoked_within(revoke)) < LIMIT_SECONDS
    assert all(browser.get("/api/conversations").status_code == 401 for browser in scene.browsers)


def test_a_deleted_key_ends_its_streams_on_both_api_processes(scene: Scene) -> None:
    scene.streams = scene.streams[4:]
    key_id = scene.member.client.get("/api/keys").json()[0]["id"]
    browser = signed_in(str(scene.admin.base_url), scene.member.email)

    def delete_key() -> None:
        assert browser.delete(f"/api/keys/{key_id}").status_code == 204

    assert max(scene.revoked_within(delete_key)) < LIMIT_SECONDS
    browser.close()
    assert scene.member.client.get("/api/conversations").status_code == 401


def test_a_disabled_user_loses_every_stream_at_once(scene: Scene) -> None:
    def disable() -> None:
        assert (
            scene.admin.patch(f"/api/admin/users/{scene.member.id}", json={"status": "disabled"}).status_code
            == 200
        )

    assert max(scene.revoked_within(disable)) < LIMIT_SECONDS
    assert scene.member.client.get("/api/conversations").status_code == 401


def test_a_role_change_ends_the_streams_opened_under_the_old_role(scene: Scene) -> None:
    def promote() -> None:
        assert (
            scene.admin.patch(f"/api/admin/users/{scene.member.id}", json={"role": "admin"}).status_code
            == 200
        )

    assert max(scene.revoked_within(promote)) < LIMIT_SECONDS
    # Still signed in: a reconnect carries on, with the new role.
    assert scene.member.client.get("/api/admin/users").status_code == 200
