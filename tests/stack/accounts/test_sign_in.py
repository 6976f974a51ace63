"""Signing in and out, the user's own details and sessions, API keys, and requests from other sites."""

import httpx
import pytest

from tests.support.accounts import PASSWORD, Member, new_user, signed_in
from tests.support.stack import SIGN_IN_COOKIE, Stack

WRONG = "The email address or the password is wrong."


@pytest.fixture
def member(stack: Stack) -> Member:
    with stack.client() as admin:
        return new_user(admin, label="member")


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(stack: Stack, member: Member) -> None:
    with httpx.Client(base_url=stack.api.url, timeout=30) as browser:
        wrong = browser.post("/api/auth/login", json={"email": member.email, "password": "not the password"})
        unknown = browser.post(
            "/api/auth/login", json={"email": "nobody@relaychat.test", "password": PASSWORD}
        )
    assert (wrong.status_code, wrong.json()) == (401, {"detail": WRONG})
    assert (unknown.status_code, unknown.json()) == (401, {"detail": WRONG})
    assert "set-cookie" not in wrong.headers


def test_signing_out_ends_the_session_on_the_server(stack: Stack, member: Member) -> None:
    browser = signed_in(stack.api.url, member.email)
    token = browser.cookies[SIGN_IN_COOKIE]
    assert browser.get("/api/auth/me").json()["email"] == member.email
    assert browser.post("/api/auth/logout").status_code == 204
    with httpx.Client(base_url=stack.api.url, timeout=30, cookies={SIGN_IN_COOKIE: token}) as replay:
        refused = replay.get("/api/conversations")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Your session has ended, or the API key is not valid: sign in again."


def test_every_api_route_but_the_open_ones_needs_a_session_or_a_key(stack: Stack) -> None:
    schema = httpx.get(f"{stack.api.url}/openapi.json").json()
    # A shared link is open to anyone who has it (tests/api/test_lookups.py declares it public):
    # without it, nothing is found.
    shared = "/api/shared/{token}"
    open_routes = {"/api/auth/state", "/api/auth/register", "/api/auth/login", "/api/health", shared}
    refused = {}
    with httpx.Client(base_url=stack.api.url, timeout=30) as anonymous:
        for path, operations in schema["paths"].items():
            if path in open_routes:
                continue
            for method in operations:
                url = path.replace("{", "").replace("}", "")  # any id: the sign-in is checked first
                response = anonymous.request(method.upper(), url, json={})
                body = response.json()
                # The OpenAI-compatible routes (/v1) answer in OpenAI's shape.
                said = body["error"]["message"] if path.startswith("/v1/") else body["detail"]
                refused[f"{method.upper()} {path}"] = (response.status_code, said)
        unknown = anonymous.get(shared.replace("{token}", "not-a-token"))
        assert unknown.status_code == 404
        assert unknown.json()["detail"].startswith("This shared link does not exist")
    assert len(refused) >= 30
    sentence = "Sign in, or send an API key as `Authorization: Bearer <key>`."
    assert refused == dict.fromkeys(refused, (401, sentence))


def test_a_session_token_is_no_api_key_and_a_key_is_no_session(stack: Stack, member: Member) -> None:
    browser = signed_in(stack.api.url, member.email)
    token = browser.cookies[SIGN_IN_COOKIE]
    with httpx.Client(base_url=stack.api.url, timeout=30) as other:
        assert (
            other.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}).status_code == 401
        )
    with httpx.Client(base_url=stack.api.url, timeout=30, cookies={SIGN_IN_COOKIE: member.key}) as other:
        assert other.get("/api/conversations").status_code == 401
    browser.close()


def test_a_new_password_signs_out_every_other_session_and_needs_the_current_one(
    stack: Stack, member: Member
) -> None:
    here, elsewhere = signed_in(stack.api.url, member.email), signed_in(stack.api.url, member.email)
    wrong = here.patch(
        "/api/auth/me", json={"current_password": "not it", "new_password": "a newer passphrase"}
    )
    assert (wrong.status_code, wrong.json()["detail"]) == (403, "The current password is wrong.")
    weak = here.patch("/api/auth/me", json={"current_password": PASSWORD, "new_password": "password"})
    assert weak.status_code == 422
    changed = here.patch(
        "/api/auth/me",
        json={"current_password": PASSWORD, "new_password": "a newer passphrase", "name": "Mem"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Mem"
    assert here.get("/api/auth/me").status_code == 200
    assert elsewhere.get("/api/auth/me").status_code == 401
    assert member.client.get("/api/auth/me").status_code == 200  # keys stay
    signed_in(stack.api.url, member.email, "a newer passphrase").close()
    here.close()
    elsewhere.close()


def test_a_user_lists_and_revokes_their_own_sessions(stack: Stack, member: Member) -> None:
    here = signed_in(stack.api.url, member.email)
    there = signed_in(stack.api.url, member.email)
    listed = here.get("/api/auth/sessions").json()
    assert len(listed) == 3  # new_user's, and these two
    assert sum(s["current"] for s in listed) == 1
    assert {"id", "user_agent", "address", "created_at", "last_seen_at", "current"} == set(listed[0])
    theirs = next(s["id"] for s in there.get("/api/auth/sessions").json() if s["current"])
    assert here.delete(f"/api/auth/sessions/{theirs}").status_code == 204
    assert there.get("/api/auth/me").status_code == 401
    assert here.delete(f"/api/auth/sessions/{theirs}").status_code == 404
    here.close()
    there.close()


def test_an_api_key_is_shown_once_stored_as_a_hash_and_deleted(stack: Stack, member: Member) -> None:
    made = member.client.post("/api/keys", json={"name": "script"})
    assert made.status_code == 201
    key = made.json()["key"]
    assert key.startswith("rck_")
    assert len(key) >= 40
    listed = member.client.get("/api/keys").json()
    assert {k["name"] for k in listed} == {"tests", "script"}
    assert all("key" not in k for k in listed)
    with httpx.Client(
        base_url=stack.api.url, timeout=30, headers={"Authorization": f"Bearer {key}"}
    ) as script:
        assert script.get("/api/auth/me").json()["email"] == member.email
        assert member.client.delete(f"/api/keys/{made.json()['id']}").status_code == 204
        assert script.get("/api/auth/me").status_code == 401


def test_a_cookie_request_from_another_site_is_refused_and_a_key_is_exempt(
    stack: Stack, member: Member
) -> None:
    browser = signed_in(stack.api.url, member.email)
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = browser.post("/api/conversations", json={}, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("This request came from another site")
        assert (
            browser.post(
                "/api/auth/login", json={"email": member.email, "password": PASSWORD}, headers=headers
            ).status_code
            == 403
        )
    assert browser.post("/api/conversations", json={}, headers={"Origin": stack.api.url}).status_code == 201
    assert (
        browser.post("/api/conversations", json={}, headers={"Sec-Fetch-Site": "same-origin"}).status_code
        == 201
    )
    assert browser.get("/api/conversations", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200
    keyed = member.client.post("/api/conversations", json={}, headers={"Origin": "https://evil.example"})
    assert keyed.status_code == 201
    browser.close()
