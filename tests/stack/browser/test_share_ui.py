"""Sharing and feedback in the browser: a link made from the conversation's menu opens in a
signed-out browser, rendered as the app renders it and with nothing to act on, until the owner
stops sharing; thumbs under an answer, a comment, kept over a reload, and the admin's list."""

import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.stack.browser.test_chat_ui import LONG, SHORT, answers, message_id, open_app, send
from tests.support.stack import Stack, Upstream, title_match, unique

pytestmark = pytest.mark.slow

CODE = 'print("shared")'
ANSWER = f"Here is **bold text** and some code:\n\n```python\n{CODE}\n```\n"
XSS = '<img src=x onerror="window.__xss=1">'


def test_a_link_shared_from_the_menu_opens_signed_out_and_ends_when_sharing_stops(
    page: Page, page_errors: PageErrors, browser: Browser, stack: Stack, upstream: Upstream
) -> None:
    question = f"{unique('share me')} {XSS}"
    upstream.script(question, {"tokens": [ANSWER[i : i + 9] for i in range(0, len(ANSWER), 9)]})
    upstream.script(title_match(question), {"tokens": ["Shared ", "notes"]})
    open_app(page, stack.api.url)
    send(page, question)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(page.get_by_test_id("chat-title")).to_have_text("Shared notes", timeout=LONG)

    page.get_by_test_id("conversation-menu-button").click()
    page.get_by_test_id("share-conversation").click()
    dialog = page.get_by_test_id("share-dialog")
    expect(dialog).to_be_visible(timeout=SHORT)
    dialog.get_by_test_id("share-create").click()
    link = dialog.get_by_test_id("share-url")
    expect(link).to_have_value(
        re.compile(re.escape(stack.api.url) + r"/share/[A-Za-z0-9_-]{43}$"), timeout=SHORT
    )
    url = link.input_value()
    dialog.get_by_test_id("share-copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    screenshot(page, "share-dialog")

    # A fresh browser, signed in as nobody.
    stranger_context = browser.new_context(viewport={"width": 1000, "height": 800})
    stranger = page_errors.watch(stranger_context.new_page())
    stranger.goto(url)
    expect(stranger.get_by_test_id("shared-title")).to_have_text("Shared notes", timeout=SHORT)
    messages = stranger.get_by_test_id("shared-message")
    expect(messages).to_have_count(2)
    expect(messages.first).to_have_attribute("data-role", "user")
    expect(messages.first).to_contain_text(XSS)  # the question as text, as the app shows it
    answer = messages.last
    expect(answer.locator("strong")).to_have_text("bold text")
    expect(answer.locator("pre code")).to_have_text(CODE)
    expect(answer.locator(".hljs-built_in, .hljs-string").first).to_be_visible()  # highlighted
    expect(stranger.get_by_text("Shared from relaychat")).to_be_visible()
    assert stranger.locator('meta[name="robots"][content="noindex"]').count() == 1
    assert stranger.title().startswith("Shared notes")
    # Nothing to act on: no composer, sidebar, thumbs, sign-in form or menu.
    for test_id in ("composer-input", "sidebar", "feedback-up", "conversation-menu-button", "signin-form"):
        expect(stranger.get_by_test_id(test_id)).to_have_count(0)
    assert stranger.evaluate("() => typeof window.__xss") == "undefined"
    screenshot(stranger, "shared-page")

    dialog.get_by_test_id("share-stop").click()
    expect(dialog.get_by_test_id("share-url")).to_have_count(0, timeout=SHORT)
    expect(dialog.get_by_test_id("share-stop")).to_have_count(0)
    expect(dialog.get_by_test_id("share-create")).to_have_text("Create link")
    dialog.get_by_test_id("share-close").click()
    expect(dialog).to_be_hidden(timeout=SHORT)

    stranger.reload()
    missing = stranger.get_by_test_id("shared-not-found")
    expect(missing).to_contain_text("Not found", timeout=SHORT)
    expect(missing).to_contain_text("does not exist, or its owner has stopped sharing it")
    expect(stranger.get_by_test_id("shared-message")).to_have_count(0)
    stranger_context.close()


def test_thumbs_and_a_comment_under_an_answer_survive_a_reload_and_reach_the_admin(
    page: Page, stack: Stack, upstream: Upstream, client: httpx.Client
) -> None:
    question = unique("rate in the browser")
    upstream.script(question, {"tokens": ["A rated ", "answer"]})
    open_app(page, stack.api.url)
    send(page, question)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    good, bad = (
        answer.get_by_role("button", name="Good answer"),
        answer.get_by_role("button", name="Bad answer"),
    )
    expect(good).to_have_attribute("aria-pressed", "false", timeout=SHORT)
    # The answer's, not the question's.
    expect(page.get_by_test_id("feedback")).to_have_count(1)
    expect(answers(page).get_by_test_id("feedback")).to_have_count(1)

    good.click()
    expect(good).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    answer.get_by_test_id("feedback-comment").fill("Short and right.")
    answer.get_by_test_id("feedback-send").click()
    expect(answer.get_by_test_id("feedback-form")).to_have_count(0, timeout=SHORT)
    answer_id = message_id(answer)
    stored = client.get(f"/api/messages/{answer_id}").json()["feedback"]
    assert (stored["rating"], stored["comment"]) == ("up", "Short and right.")

    page.reload()
    answer = answers(page).last
    good, bad = (
        answer.get_by_role("button", name="Good answer"),
        answer.get_by_role("button", name="Bad answer"),
    )
    expect(good).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    bad.click()
    expect(bad).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    expect(good).to_have_attribute("aria-pressed", "false")
    answer.get_by_role("button", name="Close").click()
    assert client.get(f"/api/messages/{answer_id}").json()["feedback"]["rating"] == "down"

    page.goto(stack.api.url + "/admin")
    section = page.get_by_test_id("feedback-section")
    row = section.get_by_test_id("feedback-row").filter(has_text=question)
    expect(row).to_have_count(1, timeout=SHORT)
    expect(row).to_have_attribute("data-rating", "down")
    expect(row.get_by_test_id("feedback-row-comment")).to_have_text("Short and right.")
    expect(row.get_by_test_id("feedback-row-answer")).to_have_text("A rated answer")
    expect(section.get_by_test_id("feedback-export")).to_have_attribute("href", "/api/admin/feedback/export")
    expect(page.get_by_test_id("sharing-enabled")).to_be_checked()
    screenshot(page, "admin-feedback")

    # Choosing the rating given takes it back.
    page.go_back()
    answer = answers(page).last
    bad = answer.get_by_role("button", name="Bad answer")
    expect(bad).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    bad.click()
    expect(bad).to_have_attribute("aria-pressed", "false", timeout=SHORT)
    assert client.get(f"/api/messages/{answer_id}").json()["feedback"] is None
