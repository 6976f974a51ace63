"""Accounts in the web UI, end to end: real Chromium on the built UI, against a fresh deployment each.

The first visit makes the admin; people sign in and out, are added, approved and refused on the
admin page; a tab whose session ends elsewhere shows the sign-in screen within seconds, even while
an answer streams; a key made on the account page works from a program.
"""

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.stack.browser.test_chat_ui import (
    SHORT,
    expect_answer,
    open_app,
    script_answer,
    send,
    sign_in,
    wait_for_partial,
)
from tests.support.stack import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SIGN_IN_COOKIE,
    MakeStack,
    Upstream,
    new_conversation,
    unique,
)

pytestmark = pytest.mark.slow

SIGNED_OUT_WITHIN = 6_000
"""ms: a revoked session's tab shows the sign-in screen within this (the stream ends at once, the
reconnect comes after 0.5 s and meets 401)."""

USER_EMAIL = "bo@relaychat.test"
USER_PASSWORD = "bo's own long passphrase"


@pytest.fixture
def other(browser: Browser, page_errors: PageErrors) -> Iterator[Page]:
    """A page in a second browser profile: its own cookies, as on another computer."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield page_errors.watch(context.new_page())
    context.close()


def open_page(page: Page, base_url: str, path: str) -> None:
    """A page of the app other than the chat, signed in as the deployment's admin."""
    sign_in(page.context, base_url)
    page.goto(base_url + path)
    expect(page.get_by_test_id("user-menu-button")).to_be_visible(timeout=SHORT)


def sign_in_with_form(page: Page, email: str, password: str) -> None:
    expect(page.get_by_test_id("signin-form")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("signin-email").fill(email)
    page.get_by_test_id("signin-password").fill(password)
    page.get_by_test_id("signin-submit").click()


def sign_out(page: Page) -> None:
    page.get_by_test_id("user-menu-button").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signin-screen")).to_be_visible(timeout=SHORT)


def open_menu_item(page: Page, item: str) -> None:
    page.get_by_test_id("user-menu-button").click()
    page.get_by_test_id(item).click()


def session_cookie(context: BrowserContext, url: str) -> str:
    return next(c["value"] for c in context.cookies(url) if c.get("name") == SIGN_IN_COOKIE)


def user_row(page: Page, email: str) -> Locator:
    return page.locator(f'[data-testid="user-row"][data-email="{email}"]')


def expect_signed_out(page: Page, started: float) -> float:
    """The sign-in screen, with the server's sentence; how long it took (seconds)."""
    expect(page.get_by_test_id("signin-screen")).to_be_visible(timeout=SIGNED_OUT_WITHIN)
    took = time.monotonic() - started
    expect(page.get_by_test_id("auth-notice")).to_contain_text("sign in again", timeout=SHORT)
    return took


def test_first_visit_makes_the_admin_who_signs_out_and_in_again_by_keyboard(
    page: Page, make_stack: MakeStack
) -> None:
    api = make_stack().start()
    page.goto(api.url)
    expect(page.get_by_test_id("setup-screen")).to_be_visible(timeout=SHORT)
    expect(page.get_by_role("heading", name="Create the admin account")).to_be_visible()
    screenshot(page, "accounts-setup")

    # The server's sentence for a common password.
    page.get_by_test_id("register-name").fill("Ada Admin")
    page.get_by_test_id("register-email").fill(ADMIN_EMAIL)
    page.get_by_test_id("register-password").fill("password")
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("auth-error")).to_have_text(
        "This password is one of the most common ones: choose another.", timeout=SHORT
    )

    page.get_by_test_id("register-password").fill(ADMIN_PASSWORD)
    page.get_by_test_id("register-password").press("Enter")
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("user-name")).to_have_text("Ada Admin")
    state = httpx.get(f"{api.url}/api/auth/state").json()
    assert state["setup_required"] is False

    sign_out(page)
    assert not any(c.get("name") == SIGN_IN_COOKIE for c in page.context.cookies(api.url))
    expect(page.get_by_test_id("auth-notice")).to_have_count(0)
    # Sign-ups are closed until the admin opens them.
    expect(page.get_by_test_id("signup-closed")).to_be_visible()
    screenshot(page, "accounts-sign-in")

    # Keyboard only: the email field has the focus, Tab moves to the password, Enter signs in.
    expect(page.get_by_test_id("signin-email")).to_be_focused()
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("auth-error")).to_have_text(
        "The email address or the password is wrong.", timeout=SHORT
    )
    page.get_by_test_id("signin-password").fill(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)

    # The user menu opens and closes from the keyboard.
    page.get_by_test_id("user-menu-button").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("menu-account")).to_be_focused()
    screenshot(page, "accounts-user-menu")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    expect(page.get_by_test_id("user-menu-button")).to_be_focused()


def test_a_user_added_on_the_admin_page_sees_none_of_the_admins_conversations(
    page: Page, make_stack: MakeStack
) -> None:
    deployment = make_stack()
    api = deployment.start()
    with api.client() as admin:
        secret = new_conversation(admin, title=unique("the admin's secret plans"))

    open_app(page, api.url, f"/c/{secret['id']}")
    expect(page.get_by_test_id("conversation-item")).to_have_count(1, timeout=SHORT)
    open_menu_item(page, "menu-admin")
    expect(page).to_have_url(f"{api.url}/admin")
    expect(user_row(page, ADMIN_EMAIL)).to_be_visible(timeout=SHORT)

    page.get_by_test_id("add-user-email").fill(USER_EMAIL)
    page.get_by_test_id("add-user-name").fill("Bo")
    page.get_by_test_id("add-user-password").fill(USER_PASSWORD)
    page.get_by_test_id("add-user-submit").click()
    expect(user_row(page, USER_EMAIL)).to_have_attribute("data-status", "active", timeout=SHORT)
    expect(page.get_by_test_id("add-user-email")).to_have_value("")

    # The same email again: the server's sentence.
    page.get_by_test_id("add-user-email").fill(USER_EMAIL)
    page.get_by_test_id("add-user-password").fill(USER_PASSWORD)
    page.get_by_test_id("add-user-submit").click()
    expect(page.get_by_test_id("add-user-error")).to_be_visible(timeout=SHORT)
    screenshot(page, "accounts-admin")

    sign_out(page)
    sign_in_with_form(page, USER_EMAIL, USER_PASSWORD)
    expect(page.get_by_test_id("user-name")).to_have_text("Bo", timeout=SHORT)
    # Signed in where the admin left off (/admin): not an admin's page any more.
    expect(page.get_by_test_id("admin-only")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("back-to-chat").click()
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)
    expect(page.get_by_text("No conversations yet")).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("conversation-item")).to_have_count(0)
    page.get_by_test_id("user-menu-button").click()
    expect(page.get_by_test_id("menu-admin")).to_have_count(0)
    page.keyboard.press("Escape")

    # Nor by its address, nor by search.
    page.goto(f"{api.url}/c/{secret['id']}")
    expect(page).to_have_url(f"{api.url}/", timeout=SHORT)  # not found: a new chat instead
    expect(page.get_by_test_id("chat-title")).to_have_text("New chat")
    expect(page.get_by_text(secret["title"])).to_have_count(0)
    page.get_by_test_id("search-input").fill("secret plans")
    expect(page.get_by_test_id("search-empty")).to_be_visible(timeout=SHORT)


def test_sign_up_waits_for_the_admins_approval_and_the_last_admin_stays(
    page: Page, other: Page, make_stack: MakeStack
) -> None:
    api = make_stack().start()
    open_page(page, api.url, "/admin")
    expect(page.get_by_test_id("signup-closed")).to_be_checked(timeout=SHORT)
    page.get_by_test_id("signup-approval").check()
    page.get_by_test_id("signup-save").click()
    expect(page.get_by_test_id("signup-save")).to_be_disabled(timeout=SHORT)
    assert httpx.get(f"{api.url}/api/auth/state").json()["signup"] == "approval"

    # The last admin cannot stop being one: the server's sentence, and the role stays.
    page.get_by_test_id("user-role").select_option("user")
    expect(page.get_by_test_id("admin-error")).to_have_text(
        "relaychat needs at least one active admin: make another admin first.", timeout=SHORT
    )
    expect(user_row(page, ADMIN_EMAIL)).to_have_attribute("data-role", "admin")
    expect(page.get_by_test_id("user-role")).to_have_value("admin")

    other.goto(api.url)
    expect(other.get_by_test_id("signin-screen")).to_be_visible(timeout=SHORT)
    other.get_by_test_id("show-signup").click()
    other.get_by_test_id("register-name").fill("Bo")
    other.get_by_test_id("register-email").fill(USER_EMAIL)
    other.get_by_test_id("register-password").fill(USER_PASSWORD)
    other.get_by_test_id("register-submit").click()
    expect(other.get_by_test_id("signup-pending")).to_contain_text("approval", timeout=SHORT)
    screenshot(other, "accounts-signup-pending")
    sign_in_with_form(other, USER_EMAIL, USER_PASSWORD)
    expect(other.get_by_test_id("auth-error")).to_have_text(
        "An admin has not approved this account yet.", timeout=SHORT
    )

    page.reload()
    expect(page.get_by_test_id("pending-count")).to_have_text("1 waiting for approval", timeout=SHORT)
    user_row(page, USER_EMAIL).get_by_test_id("approve-user").click()
    expect(user_row(page, USER_EMAIL)).to_have_attribute("data-status", "active", timeout=SHORT)

    other.get_by_test_id("signin-submit").click()
    expect(other.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)

    # Disabled: the signed-in tab goes to the sign-in screen, and signing in is refused.
    started = time.monotonic()
    user_row(page, USER_EMAIL).get_by_test_id("disable-user").click()
    expect(user_row(page, USER_EMAIL)).to_have_attribute("data-status", "disabled", timeout=SHORT)
    expect_signed_out(other, started)
    sign_in_with_form(other, USER_EMAIL, USER_PASSWORD)
    expect(other.get_by_test_id("auth-error")).to_have_text("This account is disabled.", timeout=SHORT)

    # Deleted after a confirmation.
    user_row(page, USER_EMAIL).get_by_test_id("delete-user").click()
    page.get_by_test_id("confirm-delete-user").click()
    expect(user_row(page, USER_EMAIL)).to_have_count(0, timeout=SHORT)
    assert [u["email"] for u in httpx.get(f"{api.url}/api/admin/users", headers=api.headers).json()] == [
        ADMIN_EMAIL
    ]


def test_a_session_revoked_from_another_browser_signs_the_tab_out_while_an_answer_streams(
    page: Page, other: Page, make_stack: MakeStack, upstream: Upstream
) -> None:
    api = make_stack().start()
    question = unique("revoked mid answer")
    full = script_answer(upstream, question, 200, 0.05)
    open_app(page, api.url)
    send(page, question)
    wait_for_partial(page, full)

    open_page(other, api.url, "/account")
    rows = other.get_by_test_id("session-row")
    expect(rows).to_have_count(2, timeout=SHORT)
    expect(other.locator('[data-testid="session-row"][data-current="true"]')).to_have_count(1)
    screenshot(other, "accounts-sessions")
    started = time.monotonic()
    other.locator('[data-testid="session-row"][data-current="false"]').get_by_test_id(
        "revoke-session"
    ).click()
    expect(rows).to_have_count(1, timeout=SHORT)

    took = expect_signed_out(page, started)
    print(f"signed out {took:.1f} s after the revocation")
    screenshot(page, "accounts-session-ended")

    # Signing in again opens the conversation where it was, and its answer ends complete.
    sign_in_with_form(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect_answer(page, full)


def test_signing_out_elsewhere_or_a_new_password_signs_an_idle_tab_out(
    page: Page, other: Page, make_stack: MakeStack
) -> None:
    api = make_stack().start()
    open_app(page, api.url)

    # Signed out by a program holding the same cookie (as another tab of this browser would).
    started = time.monotonic()
    cookie = {SIGN_IN_COOKIE: session_cookie(page.context, api.url)}
    with httpx.Client(base_url=api.url, cookies=cookie) as http:
        assert http.post("/api/auth/logout").status_code == 204
    expect_signed_out(page, started)
    sign_in_with_form(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)

    # A new password, set in the other browser, signs this one out.
    open_page(other, api.url, "/account")
    new_password = "the admin's brand new passphrase"
    other.get_by_test_id("profile-name").fill("Ada Renamed")
    other.get_by_test_id("profile-new-password").fill(new_password)
    other.get_by_test_id("profile-repeat-password").fill(new_password)
    other.get_by_test_id("profile-current-password").fill("a wrong password")
    other.get_by_test_id("profile-save").click()
    expect(other.get_by_test_id("profile-error")).to_have_text(
        "The current password is wrong.", timeout=SHORT
    )

    other.get_by_test_id("profile-current-password").fill(ADMIN_PASSWORD)
    started = time.monotonic()
    other.get_by_test_id("profile-save").click()
    expect(other.get_by_test_id("profile-saved")).to_have_text(
        "Saved. Your other sessions were signed out.", timeout=SHORT
    )
    expect(other.get_by_test_id("user-name")).to_have_text("Ada Renamed")
    expect(other.get_by_test_id("session-row")).to_have_count(1, timeout=SHORT)
    expect_signed_out(page, started)

    sign_in_with_form(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_test_id("auth-error")).to_have_text(
        "The email address or the password is wrong.", timeout=SHORT
    )
    sign_in_with_form(page, ADMIN_EMAIL, new_password)
    expect(page.get_by_test_id("user-name")).to_have_text("Ada Renamed", timeout=SHORT)


def test_an_api_key_made_on_the_account_page_works_from_a_program_until_deleted(
    page: Page, make_stack: MakeStack
) -> None:
    api = make_stack().start()
    open_app(page, api.url)
    open_menu_item(page, "menu-account")
    expect(page).to_have_url(f"{api.url}/account")
    expect(page.get_by_test_id("no-keys")).to_be_visible(timeout=SHORT)

    page.get_by_test_id("key-name").fill("my script")
    page.get_by_test_id("key-name").press("Enter")
    shown = page.get_by_test_id("new-key-value")
    expect(shown).to_be_visible(timeout=SHORT)
    key = (shown.text_content() or "").strip()
    assert key
    page.get_by_test_id("copy-new-key").click()
    expect(page.get_by_test_id("copy-new-key")).to_have_text("Copied", timeout=SHORT)
    assert page.evaluate("navigator.clipboard.readText()") == key
    expect(page.locator('[data-testid="key-row"][data-name="my script"]')).to_be_visible()
    screenshot(page, "accounts-api-key")

    program = httpx.Client(base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=10)
    with program:
        made = new_conversation(program, title="made by a program")
        listed = program.get("/api/conversations")
        assert listed.status_code == 200
        assert [c["id"] for c in listed.json()["items"]] == [made["id"]]
        # The page's list follows (the updates stream says so, or the next refresh).
        page.reload()
        expect(page.get_by_test_id("conversation-item")).to_have_count(1, timeout=SHORT)
        # Shown once: not after a reload.
        expect(page.get_by_test_id("new-key")).to_have_count(0)
        assert key not in (page.content())

        page.locator('[data-testid="key-row"][data-name="my script"]').get_by_test_id("delete-key").click()
        page.get_by_test_id("confirm-delete-key").click()
        expect(page.get_by_test_id("key-row")).to_have_count(0, timeout=SHORT)
        assert program.get("/api/conversations").status_code == 401
