"""The visible context window in the browser: messages the model no longer sees are marked, a pin
brings one back, and the answer's max tokens is set (and checked) in the settings panel."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.stack.answers.test_context import answered, text_of
from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_chat_ui import SHORT, answers, expect_answer, open_app, questions, send
from tests.support.stack import Stack, Upstream, new_conversation, unique

pytestmark = pytest.mark.slow


def test_messages_the_model_no_longer_sees_are_marked_and_a_pin_brings_one_back(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    # 4,096 tokens, 2,048 of them kept for the answer: two long questions fit, three do not.
    conversation = new_conversation(client, model="scripted-alt", max_tokens=2048, title=unique("context"))
    long1, long2, long3 = (text_of(700, f"browser long {n}") for n in (1, 2, 3))
    for question in (long1, long2, long3):
        upstream.script(question, {"tokens": ["ok"]})
        answered(client, conversation["id"], question)

    open_app(page, stack.api.url, f"/c/{conversation['id']}")
    first, second, third = (questions(page).nth(n) for n in range(3))
    expect(first).to_have_attribute("data-context", "out", timeout=SHORT)
    expect(first.get_by_test_id("context-out")).to_be_visible()
    expect(answers(page).first).to_have_attribute("data-context", "out")
    expect(second).to_have_attribute("data-context", "in")
    expect(answers(page).nth(1)).to_have_attribute("data-context", "in")
    expect(third.get_by_test_id("context-out")).to_have_count(0)  # the latest answer's own question
    answers(page).first.scroll_into_view_if_needed()
    screenshot(page, "context")

    first.get_by_test_id("pin-button").click()
    expect(first).to_have_attribute("data-pinned", "true", timeout=SHORT)
    expect(first.get_by_test_id("pin-button")).to_have_attribute("aria-pressed", "true")
    short = unique("what was my first question?")
    upstream.script(short, {"tokens": ["You", " asked", " first"]})
    send(page, short)
    expect_answer(page, "You asked first")

    # The pin is back in; the second question made room for it.
    expect(first).to_have_attribute("data-context", "in", timeout=SHORT)
    expect(first.get_by_test_id("context-out")).to_have_count(0)
    expect(second).to_have_attribute("data-context", "out")
    sent = [m["content"] for m in upstream.requests(short)[0]["messages"]]
    assert sent == [long1, long3, "ok", short]
    page.reload()
    expect(questions(page).first).to_have_attribute("data-pinned", "true", timeout=SHORT)
    expect(questions(page).first).to_have_attribute("data-context", "in")


def test_max_tokens_set_in_the_settings_reaches_the_model_and_a_bad_value_says_why(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, title=unique("max tokens"))
    open_app(page, stack.api.url, f"/c/{conversation['id']}")
    page.get_by_test_id("settings-button").click()
    field = page.get_by_test_id("max-tokens-input")
    expect(field).to_have_attribute("placeholder", "Default (1,024)", timeout=SHORT)

    field.fill("a lot")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-error")).to_have_text(
        "Max tokens must be a whole number, or empty for the model's default.", timeout=SHORT
    )
    field.fill("999999")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-error")).to_contain_text(
        "Max tokens can be at most 4,096 for scripted", timeout=SHORT
    )
    assert client.get(f"/api/conversations/{conversation['id']}").json()["max_tokens"] is None

    field.fill("300")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-panel")).to_be_hidden(timeout=SHORT)
    assert client.get(f"/api/conversations/{conversation['id']}").json()["max_tokens"] == 300

    question = unique("short answer please")
    upstream.script(question, {"tokens": ["Short"]})
    send(page, question)
    expect_answer(page, "Short")
    assert [r["max_tokens"] for r in upstream.requests(question)] == [300]
    page.reload()
    page.get_by_test_id("settings-button").click()
    expect(page.get_by_test_id("max-tokens-input")).to_have_value("300", timeout=SHORT)
