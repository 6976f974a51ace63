"""The first account, and signing up afterwards in each signup mode (a fresh deployment each)."""

import time

import httpx
import pytest

from tests.support.accounts import PASSWORD, new_user, signed_in
from tests.support.stack import MakeStack

pytestmark = pytest.mark.slow


def register(url: str, email: str, password: str = PASSWORD) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=30) as http:
        return http.post("/api/auth/register", json={"email": email, "password": password, "name": "Ann"})


def test_the_first_account_is_a_signed_in_admin_and_takes_the_conversations_from_before(
    make_stack: MakeStack,
) -> None:
    api = make_stack().start_api()
    with httpx.Client(base_url=api.url, timeout=30) as browser:
        state = browser.get("/api/auth/state").json()
        assert state == {"setup_required": True, "signup": "closed", "user": None}
        assert browser.get("/api/conversations").status_code == 401

        made = browser.post("/api/auth/register", json={"email": " Ann@Example.COM ", "password": PASSWORD})
        assert made.status_code == 201, made.text
        assert (made.json()["email"], made.json()["role"], made.json()["status"]) == (
            "ann@example.com",
            "admin",
            "active",
        )
        cookie = made.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=lax" in cookie
        assert "secure" not in cookie  # plain HTTP here; HTTPS (or a trusted proxy's) sets it
        assert browser.get("/api/conversations").status_code == 200
        state = browser.get("/api/auth/state").json()
        assert state["setup_required"] is False
        assert state["user"]["email"] == "ann@example.com"

    second = register(api.url, "bob@example.com")
    assert second.status_code == 403
    assert second.json()["detail"] == "Sign-ups are closed: ask an admin for an account."


def test_open_and_approval_signups(make_stack: MakeStack) -> None:
    stack = make_stack()
    api = stack.start_api()
    with stack.client() as admin:
        assert admin.patch("/api/admin/settings", json={"signup": "open"}).json()["signup"] == "open"
        opened = register(api.url, "open@example.com")
        assert opened.status_code == 201
        assert opened.json()["status"] == "active"
        assert "relaychat_session=" in opened.headers["set-cookie"]

        admin.patch("/api/admin/settings", json={"signup": "approval"})
        waiting = register(api.url, "waiting@example.com")
        assert waiting.status_code == 202
        assert waiting.json()["status"] == "pending"
        assert "set-cookie" not in waiting.headers
        with httpx.Client(base_url=api.url, timeout=30) as browser:
            refused = browser.post(
                "/api/auth/login", json={"email": "waiting@example.com", "password": PASSWORD}
            )
            assert refused.status_code == 403
            assert refused.json()["detail"] == "An admin has not approved this account yet."
            approved = admin.patch(f"/api/admin/users/{waiting.json()['id']}", json={"status": "active"})
            assert approved.json()["status"] == "active"
            signed_in = browser.post(
                "/api/auth/login", json={"email": "waiting@example.com", "password": PASSWORD}
            )
            assert signed_in.status_code == 200

        taken = register(api.url, "OPEN@example.com")
        assert taken.status_code == 409
        assert taken.json()["detail"] == "An account with this email address exists already."


@pytest.mark.parametrize(
    ("password", "sentence"),
    [
        ("short", "The password is too short: use at least 8 characters."),
        ("x" * 257, "password: String should have at most 256 characters"),
        ("Password1", "This password is one of the most common ones: choose another."),
        ("iloveyou", "This password is one of the most common ones: choose another."),
    ],
)
def test_a_weak_password_is_refused_with_a_sentence(
    make_stack: MakeStack, password: str, sentence: str
) -> None:
    api = make_stack().start_api()
    refused = register(api.url, "ann@example.com", password)
    assert refused.status_code == 422
    assert refused.json()["detail"] == sentence
    assert httpx.get(f"{api.url}/api/auth/state").json()["setup_required"] is True  # nothing was written


def test_a_session_unused_for_longer_than_the_idle_limit_has_ended(make_stack: MakeStack) -> None:
    stack = make_stack(session_idle_days=str(2 / 86_400))  # two seconds
    api = stack.start_api()
    with stack.client() as admin:
        member = new_user(admin)
    browser = signed_in(api.url, member.email)
    assert browser.get("/api/auth/me").status_code == 200
    time.sleep(3)  # past the limit, and past the 2 s the lookup is cached
    ended = browser.get("/api/auth/me")
    assert (ended.status_code, ended.json()["detail"]) == (
        401,
        "Your session has ended, or the API key is not valid: sign in again.",
    )
    assert member.client.get("/api/auth/me").status_code == 200  # a key has no idle limit
    browser.close()
