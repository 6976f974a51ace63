"""Conversations made through the OpenAI-compatible API in the browser: left out of the sidebar's
chats, listed under their own filter with an API mark, opened as any conversation, and stopped
from the page while their answer runs."""

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_chat_ui import (
    SHORT,
    answers,
    content,
    expect_answer,
    open_app,
    questions,
    script_answer,
    stored,
    wait_for_partial,
)
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, new_conversation, unique

pytestmark = pytest.mark.slow


def api_conversations(client: httpx.Client) -> dict[str, str]:
    """The admin's conversations from the API, by title."""
    listed = client.get("/api/conversations", params={"source": "api"})
    listed.raise_for_status()
    return {c["title"]: c["id"] for c in listed.json()["items"]}


def listed(page: Page, conversation: str) -> Locator:
    """The sidebar's item of the conversation."""
    return page.locator(f'[data-testid="conversation-item"][data-id="{conversation}"]')


def test_api_conversations_show_under_their_filter_and_can_be_stopped(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    # One chat made in the app; two conversations made by a program with the admin's API key: one
    # answered (a chat completion), one still answering (a background response).
    chat = new_conversation(client, title=unique("app chat"))["id"]
    answered = unique("api answered")
    upstream.script(answered, {"tokens": ["Answered ", "through ", "the API"]})
    completion = client.post(
        "/v1/chat/completions",
        json={"model": "scripted", "messages": [{"role": "user", "content": answered}]},
    )
    assert completion.status_code == 200, completion.text
    running = unique("api running")
    full = script_answer(upstream, running, 200, 0.05)
    response = client.post("/v1/responses", json={"model": "scripted", "input": running, "background": True})
    assert response.status_code == 200, response.text
    response_id = response.json()["id"]
    answer_id = response_id.removeprefix("resp_")
    made = api_conversations(client)
    answered_id, running_id = made[answered], made[running]
    assert client.get(f"/api/messages/{answer_id}").json()["conversation_id"] == running_id

    open_app(page, stack.api.url)
    chats, from_api = page.get_by_test_id("source-app"), page.get_by_test_id("source-api")
    expect(page.get_by_role("group", name="Show conversations")).to_be_visible(timeout=SHORT)
    expect(chats).to_have_attribute("aria-pressed", "true")
    # The chats by default: the API's conversations are not among them.
    expect(listed(page, chat)).to_be_visible(timeout=SHORT)
    expect(listed(page, answered_id)).to_have_count(0)
    expect(listed(page, running_id)).to_have_count(0)
    expect(page.get_by_test_id("conversation-source")).to_have_count(0)

    # Under their filter: both, marked as from the API, and not the chat.
    from_api.click()
    expect(from_api).to_have_attribute("aria-pressed", "true")
    expect(chats).to_have_attribute("aria-pressed", "false")
    for conversation, title in ((answered_id, answered), (running_id, running)):
        row = listed(page, conversation)
        expect(row.get_by_test_id("conversation-title")).to_have_text(title, timeout=SHORT)
        expect(row.get_by_test_id("conversation-source")).to_have_text("API")
    expect(listed(page, chat)).to_have_count(0)
    screenshot(page, "api-conversations")

    # The answered one opens as any conversation, marked in its header too.
    listed(page, answered_id).get_by_test_id("conversation-title").click()
    expect(page).to_have_url(f"{stack.api.url}/c/{answered_id}", timeout=SHORT)
    expect(page.get_by_test_id("chat-title")).to_have_text(answered, timeout=SHORT)
    expect(page.get_by_test_id("chat-source")).to_have_text("API")
    expect(content(questions(page).last)).to_have_text(answered, timeout=SHORT)
    expect_answer(page, "Answered through the API")

    # The running one follows its answer live, and Stop stops it where it is.
    listed(page, running_id).get_by_test_id("conversation-title").click()
    expect(page).to_have_url(f"{stack.api.url}/c/{running_id}", timeout=SHORT)
    expect(content(questions(page).last)).to_have_text(running, timeout=SHORT)
    partial = wait_for_partial(page, full)
    assert partial["status"] == "streaming"
    page.get_by_test_id("stop-button").click()
    last = answers(page).last
    expect(last).to_have_attribute("data-status", "stopped", timeout=SHORT)
    expect(page.get_by_test_id("stop-button")).to_be_hidden(timeout=SHORT)
    message = stored(client, last)
    assert message["id"] == answer_id
    assert message["status"] == "stopped"
    assert message["content"]
    assert message["content"] != full
    assert full.startswith(message["content"])
    wait_until(lambda: upstream.requests(running)[0]["disconnected"], 10, "the model to see the stop")
    # The program that asked sees its response cancelled.
    assert client.get(f"/v1/responses/{response_id}").json()["status"] == "cancelled"

    # The choice is remembered across a reload; a new chat goes back to the chats, where it will show.
    page.reload()
    expect(from_api).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    expect(listed(page, running_id)).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("chat-source")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("new-chat").click()
    expect(page).to_have_url(re.compile(r"/$"), timeout=SHORT)
    expect(chats).to_have_attribute("aria-pressed", "true", timeout=SHORT)
    expect(listed(page, chat)).to_be_visible(timeout=SHORT)
    expect(listed(page, running_id)).to_have_count(0)
