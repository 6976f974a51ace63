"""The admin's routes: refused to users, the last admin kept, and every change felt at once."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.accounts import PASSWORD, Member, new_user, signed_in
from tests.support.processes import wait_until
from tests.support.stack import Stack, ask, new_conversation, unique

LAST_ADMIN = "relaychat needs at least one active admin: make another admin first."


def test_a_user_gets_403_on_every_admin_route(stack: Stack) -> None:
    with stack.client() as admin:
        member = new_user(admin)
    admin_routes = [
        ("GET", "/api/admin/users"),
        ("POST", "/api/admin/users"),
        ("PATCH", f"/api/admin/users/{member.id}"),
        ("DELETE", f"/api/admin/users/{member.id}"),
        ("GET", "/api/admin/settings"),
        ("PATCH", "/api/admin/settings"),
        ("GET", "/api/admin/status"),
    ]
    for method, path in admin_routes:
        refused = member.client.request(method, path, json={"signup": "open"})
        assert (refused.status_code, refused.json()["detail"]) == (403, "Only an admin can do this."), path
    assert member.client.get("/api/auth/me").status_code == 200  # nothing was deleted


def test_the_last_active_admin_cannot_be_demoted_disabled_or_deleted(stack: Stack) -> None:
    with stack.client() as admin:
        me = admin.get("/api/auth/me").json()
        others = [
            u for u in admin.get("/api/admin/users").json() if u["role"] == "admin" and u["id"] != me["id"]
        ]
        for other in others:  # a test before may have made one
            admin.patch(f"/api/admin/users/{other['id']}", json={"role": "user"})
        for change in ({"role": "user"}, {"status": "disabled"}):
            refused = admin.patch(f"/api/admin/users/{me['id']}", json=change)
            assert (refused.status_code, refused.json()["detail"]) == (409, LAST_ADMIN)
        refused = admin.delete(f"/api/admin/users/{me['id']}")
        assert (refused.status_code, refused.json()["detail"]) == (409, LAST_ADMIN)

        second = new_user(admin, role="admin", label="second-admin")
        assert admin.patch(f"/api/admin/users/{second.id}", json={"role": "user"}).json()["role"] == "user"
        assert second.client.get("/api/admin/users").status_code == 403  # demoted: at once
    assert stack.client().get("/api/auth/me").json()["role"] == "admin"


def test_a_disabled_users_key_and_sessions_stop_working_and_enabling_restores_them(stack: Stack) -> None:
    with stack.client() as admin:
        member = new_user(admin)
        browser = signed_in(stack.api.url, member.email)
        assert admin.patch(f"/api/admin/users/{member.id}", json={"status": "disabled"}).status_code == 200
        assert member.client.get("/api/conversations").status_code == 401
        assert browser.get("/api/conversations").status_code == 401
        with httpx.Client(base_url=stack.api.url, timeout=30) as again:
            refused = again.post("/api/auth/login", json={"email": member.email, "password": PASSWORD})
            assert (refused.status_code, refused.json()["detail"]) == (403, "This account is disabled.")
        admin.patch(f"/api/admin/users/{member.id}", json={"status": "active"})
        assert member.client.get("/api/conversations").status_code == 200
    browser.close()


def test_deleting_a_user_deletes_their_conversations_and_stops_their_answers(stack: Stack) -> None:
    with stack.client() as admin:
        member = new_user(admin)
        question = unique("deleted with its user")
        stack.upstream.script(question, {"tokens": [f"w{i} " for i in range(100)], "delay": 0.05})
        conversation_id = new_conversation(member.client)["id"]
        ask(member.client, conversation_id, question)
        wait_until(lambda: bool(stack.upstream.requests(question)), 10, "the model to be asked")
        assert admin.delete(f"/api/admin/users/{member.id}").status_code == 204
        assert member.id not in [u["id"] for u in admin.get("/api/admin/users").json()]
        assert member.client.get("/api/conversations").status_code == 401
        wait_until(lambda: stack.upstream.requests(question)[0]["disconnected"], 5, "the model to be let go")


def test_admin_creates_an_account_and_refuses_a_taken_or_weak_one(stack: Stack) -> None:
    with stack.client() as admin:
        member = new_user(admin)
        taken = admin.post("/api/admin/users", json={"email": member.email.upper(), "password": PASSWORD})
        assert (taken.status_code, taken.json()["detail"]) == (
            409,
            "An account with this email address exists already.",
        )
        weak = admin.post("/api/admin/users", json={"email": "weak@relaychat.test", "password": "12345678"})
        assert weak.status_code == 422
        not_email = admin.post("/api/admin/users", json={"email": "no at sign", "password": PASSWORD})
        assert (not_email.status_code, not_email.json()["detail"]) == (422, "This is not an email address.")


def test_two_admins_demoting_each_other_at_once_leave_one_admin(stack: Stack) -> None:
    with stack.client() as admin:
        first = new_user(admin, role="admin", label="first-admin")
        second = new_user(admin, role="admin", label="second-admin")
        me = admin.get("/api/auth/me").json()["id"]
    # Only these two are active admins for the race: the deployment's admin steps down meanwhile.
    assert first.client.patch(f"/api/admin/users/{me}", json={"role": "user"}).status_code == 200

    def demote(pair: tuple[Member, Member]) -> int:
        actor, target = pair
        return actor.client.patch(f"/api/admin/users/{target.id}", json={"role": "user"}).status_code

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(demote, [(first, second), (second, first)]))
    survivor = first if first.client.get("/api/admin/users").status_code == 200 else second
    roles = {u["id"]: u["role"] for u in survivor.client.get("/api/admin/users").json()}
    assert survivor.client.patch(f"/api/admin/users/{me}", json={"role": "admin"}).status_code == 200
    # The loser is refused as the last admin (409), or, if the winner's change came first, as no
    # longer an admin at all (403).
    assert answers[0] == 200
    assert answers[1] in (403, 409)
    assert sorted([roles[first.id], roles[second.id]]) == ["admin", "user"]
