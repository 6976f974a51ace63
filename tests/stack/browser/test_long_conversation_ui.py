"""A long conversation in the browser: it opens at its newest page, and older pages come in above
as the reader scrolls up, without moving what the reader looks at."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.test_chat_ui import SHORT, open_app
from tests.support.stack import Stack, ask, new_conversation, wait_for_message

pytestmark = pytest.mark.slow

PAGE = 50  # web/src/api.ts BRANCH_PAGE
TURNS = 30  # 60 messages: the newest page and ten more


def test_older_messages_load_above_on_scroll_and_the_view_stays_put(
    page: Page, stack: Stack, client: httpx.Client
) -> None:
    conversation = new_conversation(client)
    # Long questions (the scripted model echoes them): ten messages are far taller than the screen.
    for turn in range(TURNS):
        pair = ask(client, conversation["id"], f"turn {turn}: " + "words to make a tall message " * 40)
        wait_for_message(client, pair["assistant_message"]["id"])

    open_app(page, stack.api.url, f"/c/{conversation['id']}")
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(PAGE, timeout=SHORT)
    expect(page.get_by_test_id("older-messages")).to_be_visible()
    first_shown = messages.first.get_attribute("data-id")

    page.locator(".messages").evaluate("list => { list.scrollTop = 0; }")
    expect(messages).to_have_count(TURNS * 2, timeout=SHORT)
    expect(page.get_by_test_id("older-messages")).to_have_count(0)
    expect(messages.first).to_contain_text("turn 0:")
    # What was at the top is still where the reader left it, not pushed down by the page above it.
    expect(page.locator(f'[data-id="{first_shown}"]')).to_be_in_viewport()
