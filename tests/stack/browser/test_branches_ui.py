"""Regenerate and edit as branches in the browser: ‹ 2/3 ›, what the model sees, and a choice that
survives a reload and shows in a second tab."""

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.stack.browser.test_chat_ui import (
    LONG,
    SHORT,
    answers,
    content,
    conversation_id,
    expect_answer,
    message_id,
    open_app,
    questions,
    send,
    words,
)
from tests.support.stack import Stack, Upstream, unique

pytestmark = pytest.mark.slow


def test_regenerate_keeps_every_answer_behind_arrows_and_the_choice_survives_reload_and_other_tabs(
    page: Page, page_errors: PageErrors, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("regenerate in the browser")
    tokens, streamed = words(40)
    upstream.script(
        question,
        {"tokens": ["First", " take"]},
        {"tokens": tokens, "delay": 0.03},
        {"tokens": ["Third", " take"]},
    )
    open_app(page, stack.api.url)
    send(page, question)
    first = expect_answer(page, "First take")
    first_id = message_id(first)
    expect(first.get_by_test_id("branch-switcher")).to_have_count(0)

    first.get_by_test_id("regenerate-button").click()
    # The new answer streams in the old one's place; the old one stays one click away.
    expect(answers(page).last).to_have_attribute("data-status", "streaming", timeout=SHORT)
    expect(answers(page).last.get_by_test_id("regenerate-button")).to_have_count(0)
    second = expect_answer(page, streamed)
    expect(answers(page)).to_have_count(1)
    expect(second.get_by_test_id("branch-position")).to_have_text("2/2", timeout=SHORT)
    second.get_by_test_id("regenerate-button").click()
    third = expect_answer(page, "Third take")
    expect(third.get_by_test_id("branch-position")).to_have_text("3/3", timeout=SHORT)
    expect(third.get_by_test_id("branch-next")).to_be_disabled()

    third.get_by_test_id("branch-previous").click()
    expect(content(answers(page).last)).to_have_text(streamed, timeout=SHORT)
    answers(page).last.get_by_test_id("branch-previous").click()
    expect(content(answers(page).last)).to_have_text("First take", timeout=SHORT)
    expect(answers(page).last.get_by_test_id("branch-position")).to_have_text("1/3")
    screenshot(page, "branches")

    conversation = conversation_id(page)
    assert client.get(f"/api/conversations/{conversation}").json()["selected_leaf_id"] == first_id
    page.reload()
    expect(content(answers(page).last)).to_have_text("First take", timeout=SHORT)
    expect(answers(page).last.get_by_test_id("branch-position")).to_have_text("1/3")
    other_tab = page_errors.watch(page.context.new_page())
    open_app(other_tab, stack.api.url, f"/c/{conversation}")
    expect(content(answers(other_tab).last)).to_have_text("First take", timeout=SHORT)

    # Switching in one tab moves the other one too.
    answers(other_tab).last.get_by_test_id("branch-next").click()
    expect(content(answers(other_tab).last)).to_have_text(streamed, timeout=SHORT)
    expect(content(answers(page).last)).to_have_text(streamed, timeout=SHORT)
    # Nothing was overwritten, and the model saw the same question alone each time.
    assert len(client.get(f"/api/conversations/{conversation}/messages").json()) == 4
    assert [[m["content"] for m in r["messages"]] for r in upstream.requests(question)] == [[question]] * 3


def test_editing_a_question_starts_a_branch_that_the_model_sees_alone(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    q1, q2, q2_edited = unique("edit first"), unique("edit second"), unique("edit second, better")
    upstream.script(q1, {"tokens": ["Answer", " one"]})
    upstream.script(q2, {"tokens": ["Answer", " two"]})
    upstream.script(q2_edited, {"tokens": ["Answer", " two", " edited"]})
    open_app(page, stack.api.url)
    send(page, q1)
    expect_answer(page, "Answer one")
    send(page, q2)
    expect_answer(page, "Answer two")

    second = questions(page).nth(1)
    second.get_by_test_id("edit-button").click()
    box = second.get_by_test_id("edit-input")
    expect(box).to_have_value(q2, timeout=SHORT)
    box.fill(q2_edited)
    second.get_by_test_id("edit-send").click()

    expect_answer(page, "Answer two edited", timeout=LONG)
    expect(questions(page)).to_have_count(2)
    edited = questions(page).nth(1)
    expect(content(edited)).to_have_text(q2_edited)
    expect(edited.get_by_test_id("branch-position")).to_have_text("2/2", timeout=SHORT)
    expect(questions(page).first.get_by_test_id("branch-switcher")).to_have_count(0)
    sent = [m["content"] for m in upstream.requests(q2_edited)[0]["messages"]]
    assert sent == [q1, "Answer one", q2_edited]

    edited.get_by_test_id("branch-previous").click()
    expect(content(questions(page).nth(1))).to_have_text(q2, timeout=SHORT)
    expect(content(answers(page).last)).to_have_text("Answer two", timeout=SHORT)
    expect(questions(page).nth(1).get_by_test_id("branch-position")).to_have_text("1/2")

    # A follow-up continues the branch on screen: the old second question's.
    q3 = unique("follow-up on the old branch")
    upstream.script(q3, {"tokens": ["Answer", " three"]})
    send(page, q3)
    expect_answer(page, "Answer three")
    sent = [m["content"] for m in upstream.requests(q3)[0]["messages"]]
    assert sent == [q1, "Answer one", q2, "Answer two", q3]


def test_regenerate_edit_and_switching_wait_while_an_answer_runs(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    q1, slow = unique("locked first"), unique("locked slow")
    upstream.script(q1, {"tokens": ["Done"]})
    tokens, full = words(60)
    upstream.script(slow, {"tokens": tokens, "delay": 0.05})
    open_app(page, stack.api.url)
    send(page, q1)
    expect_answer(page, "Done")
    done = answers(page).first
    send(page, slow)
    expect(answers(page).last).to_have_attribute("data-status", "streaming", timeout=SHORT)
    expect(done.get_by_test_id("regenerate-button")).to_be_disabled()
    expect(questions(page).first.get_by_test_id("edit-button")).to_be_disabled()
    expect_answer(page, full)
    expect(done.get_by_test_id("regenerate-button")).to_be_enabled(timeout=SHORT)
