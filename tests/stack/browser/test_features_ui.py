"""The conversation features in the browser: generated titles arriving live, usage and the context
gauge, export and import, search that opens a conversation at the message."""

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.stack.browser.test_chat_ui import (
    LONG,
    SHORT,
    answers,
    conversation_id,
    open_app,
    questions,
    send,
    stored,
)
from tests.support.stack import Stack, Upstream, ask, new_conversation, title_match, unique, wait_for_message

pytestmark = pytest.mark.slow


def sidebar_title(page: Page, conversation: str) -> Locator:
    item = page.locator(f'[data-testid="conversation-item"][data-id="{conversation}"]')
    return item.get_by_test_id("conversation-title")


def test_a_generated_title_arrives_live_in_every_tab_and_can_be_regenerated(
    page: Page, page_errors: PageErrors, stack: Stack, upstream: Upstream
) -> None:
    question = unique("title ui")
    upstream.script(question, {"tokens": ["Sure, ", "let's ", "plan."]})
    # The first title takes a while, so the fallback shows first; the second is the regenerated one.
    upstream.script(
        title_match(question),
        {"tokens": ["Lisbon Trip Plans"], "ttft": 1.5},
        {"tokens": ['"Weekend in Lisbon."']},
    )
    other = page_errors.watch(page.context.new_page())
    open_app(other, stack.api.url)
    page.bring_to_front()  # the tab clicked in is the one in front, as a person's is
    open_app(page, stack.api.url)

    send(page, question)
    conversation = conversation_id(page)
    expect(sidebar_title(page, conversation)).to_have_text(question, timeout=SHORT)
    expect(sidebar_title(page, conversation)).to_have_text("Lisbon Trip Plans", timeout=LONG)
    expect(page.get_by_test_id("chat-title")).to_have_text("Lisbon Trip Plans", timeout=SHORT)
    expect(sidebar_title(other, conversation)).to_have_text("Lisbon Trip Plans", timeout=SHORT)

    page.get_by_test_id("conversation-menu-button").click()
    page.get_by_test_id("regenerate-title").click()
    expect(page.get_by_test_id("chat-title")).to_have_text("Weekend in Lisbon", timeout=LONG)
    expect(page.get_by_test_id("title-pending")).to_be_hidden(timeout=SHORT)
    expect(sidebar_title(other, conversation)).to_have_text("Weekend in Lisbon", timeout=SHORT)


def test_each_answer_shows_tokens_speed_and_cost_and_the_conversation_totals_and_context(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, title=unique("usage ui"))["id"]
    question = unique("usage")
    upstream.script(question, {"tokens": [f"t{i} " for i in range(10)], "delay": 0.05})
    open_app(page, stack.api.url, f"/c/{conversation}")

    send(page, question)
    last = answers(page).last
    expect(last).to_have_attribute("data-status", "complete", timeout=LONG)
    message = stored(client, last)
    # The scripted model counts 10 + one per message sent; the deployment's prices are $1 and $2 per million.
    expect(last.get_by_test_id("usage-tokens")).to_have_text("11 → 10 tokens", timeout=SHORT)
    expect(last.get_by_test_id("usage-speed")).to_have_text(f"{message['tokens_per_second']:.1f} tok/s")
    expect(last.get_by_test_id("usage-cost")).to_have_text("$0.000031")
    expect(page.get_by_test_id("usage-total-tokens")).to_have_text("21 tokens")
    expect(page.get_by_test_id("usage-total-cost")).to_have_text("$0.000031")
    gauge = page.get_by_test_id("context-gauge")
    expect(gauge).to_have_attribute("value", "21")
    expect(gauge).to_have_attribute("max", "8192")
    expect(page.get_by_test_id("context-text")).to_have_text("21 / 8,192 (0%)")

    follow_up = unique("usage again")
    upstream.script(follow_up, {"tokens": ["ok ", "fine"]})
    send(page, follow_up)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(page.get_by_test_id("usage-total-tokens")).to_have_text("36 tokens", timeout=SHORT)
    expect(page.get_by_test_id("context-text")).to_have_text("15 / 8,192 (0%)")
    screenshot(page, "usage")


def test_export_downloads_both_files_and_import_opens_the_copy_or_says_what_is_wrong(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream, tmp_path: Path
) -> None:
    conversation = new_conversation(client, title="Export me", system_prompt="Be brief.")["id"]
    question = unique("export")
    upstream.script(question, {"tokens": ["Exported ", "**answer**."]})
    wait_for_message(client, ask(client, conversation, question)["assistant_message"]["id"])
    open_app(page, stack.api.url, f"/c/{conversation}")
    expect(answers(page)).to_have_count(1, timeout=SHORT)

    saved: dict[str, Path] = {}
    for kind in ("json", "markdown"):
        page.get_by_test_id("conversation-menu-button").click()
        with page.expect_download() as started:
            page.get_by_test_id(f"export-{kind}").click()
        download = started.value
        saved[kind] = tmp_path / download.suggested_filename
        download.save_as(saved[kind])
    assert saved["json"].name == "relaychat-export-me.json"
    assert (
        json.loads(saved["json"].read_text())
        == client.get(f"/api/conversations/{conversation}/export.json").json()
    )
    markdown = saved["markdown"].read_text()
    assert markdown.startswith("# Export me\n")
    assert question in markdown
    assert "Exported **answer**." in markdown

    page.get_by_test_id("import-file").set_input_files(str(saved["json"]))
    expect(page).not_to_have_url(re.compile(f"/c/{conversation}$"), timeout=SHORT)
    copy = conversation_id(page)
    expect(questions(page).get_by_test_id("message-content")).to_have_text([question], timeout=SHORT)
    expect(answers(page).last.get_by_test_id("message-content")).to_have_text("Exported answer.")
    expect(page.get_by_test_id("chat-title")).to_have_text("Export me")
    assert client.get(f"/api/conversations/{copy}").json()["system_prompt"] == "Be brief."

    bad = tmp_path / "notes.json"
    bad.write_text("these are my notes, not an export")
    page.get_by_test_id("import-file").set_input_files(str(bad))
    expect(page.get_by_test_id("import-error")).to_contain_text(
        "notes.json: The file is not JSON", timeout=SHORT
    )
    newer = json.loads(saved["json"].read_text()) | {"version": 9}
    bad.write_text(json.dumps(newer))
    page.get_by_test_id("import-file").set_input_files(str(bad))
    expect(page.get_by_test_id("import-error")).to_contain_text(
        "This export is version 9; this relaychat reads versions 1 and 2.", timeout=SHORT
    )
    assert conversation_id(page) == copy, "a refused file opens nothing"


def test_search_opens_the_conversation_at_the_message_and_flashes_it(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    needle = f"zq{uuid.uuid4().hex[:10]}"
    title_word = f"zt{uuid.uuid4().hex[:10]}"
    conversation = new_conversation(client, title=f"Notes {title_word}")["id"]
    long_answer = [f"line {i} of a long answer.\n\n" for i in range(40)]
    target = ""
    for turn in range(4):
        question = unique(f"search turn {turn}") + (f" where is the {needle} kept?" if turn == 0 else "")
        upstream.script(question, {"tokens": long_answer})
        pair = ask(client, conversation, question)
        wait_for_message(client, pair["assistant_message"]["id"])
        target = target or pair["user_message"]["id"]
    open_app(page, stack.api.url)

    page.get_by_test_id("search-input").fill(needle[:7])  # as typed: the last word is a prefix
    hit = page.locator(f'[data-testid="search-result"][data-message-id="{target}"]')
    expect(hit.locator("mark")).to_have_text(needle, timeout=SHORT)
    expect(hit).to_contain_text(f"Notes {title_word}")
    screenshot(page, "search")
    hit.click()

    expect(page).to_have_url(f"{stack.api.url}/c/{conversation}", timeout=SHORT)
    message = page.locator(f'[data-testid="message"][data-id="{target}"]')
    expect(message).to_have_class(re.compile(r"\bflash\b"), timeout=SHORT)
    expect(message).to_be_in_viewport()
    expect(page.get_by_test_id("jump-to-latest")).to_be_visible()  # the newest messages are below

    page.get_by_test_id("search-input").fill(f"notes {title_word}")
    title_hit = page.locator(
        f'[data-testid="search-result"][data-conversation-id="{conversation}"][data-message-id=""]'
    )
    expect(title_hit.locator("mark")).to_have_text(["Notes", title_word], timeout=SHORT)
    page.get_by_test_id("search-input").fill(f"{needle} nothingelse")
    expect(page.get_by_test_id("search-empty")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("search-input").press("Escape")
    expect(sidebar_title(page, conversation)).to_be_visible()
