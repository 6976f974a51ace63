"""The web UI end to end: real Chromium on the built UI (web/dist), served by real API processes.

Every answer comes from the scripted model, so each test knows the exact text the page must end
with; `unique` questions keep the tests' scripts and recorded requests apart.
"""

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.support.processes import wait_until
from tests.support.stack import (
    SIGN_IN_COOKIE,
    MakeStack,
    Stack,
    Upstream,
    admin_session,
    ask,
    new_conversation,
    title_match,
    unique,
    wait_for_message,
)

pytestmark = pytest.mark.slow

SHORT = 5_000
LONG = 20_000
"""Timeouts (ms): for what the page shows at once, and for what waits on a whole answer."""

ANSWERS = '[data-testid="message"][data-role="assistant"]'
LAST_ANSWER_TEXT_JS = f"""() => {{
  const answers = document.querySelectorAll('{ANSWERS}');
  const last = answers[answers.length - 1];
  if (!last) return null;
  const text = last.querySelector('[data-testid="message-content"]')?.textContent?.trim() ?? "";
  const chat = document.querySelector('[data-testid="chat"]')?.getAttribute("data-status");
  return {{ text, status: last.getAttribute("data-status"), chat }};
}}"""
PARTIAL_JS = f"""(full) => {{
  const seen = ({LAST_ANSWER_TEXT_JS})();
  return seen && seen.text && seen.text !== full && full.startsWith(seen.text) ? seen : null;
}}"""
"""The newest answer while it shows part of `full`: a non-empty prefix, not the whole text yet."""

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def words(count: int) -> tuple[list[str], str]:
    """Tokens `w0`, ` w1`, ... and their text, which Markdown shows exactly as it is."""
    tokens = [f"{' ' if i else ''}w{i}" for i in range(count)]
    return tokens, "".join(tokens)


def script_answer(upstream: Upstream, question: str, count: int, delay: float) -> str:
    tokens, text = words(count)
    upstream.script(question, {"tokens": tokens, "delay": delay})
    return text


def sign_in(context: BrowserContext, base_url: str) -> None:
    """The browser carries a session cookie of the deployment's admin."""
    if not any(cookie.get("name") == SIGN_IN_COOKIE for cookie in context.cookies(base_url)):
        context.add_cookies([{"name": SIGN_IN_COOKIE, "value": admin_session(base_url), "url": base_url}])


def open_app(page: Page, base_url: str, path: str = "/") -> None:
    """The app, signed in as the deployment's admin (the sign-in screen has tests of its own)."""
    if not any(cookie.get("name") == SIGN_IN_COOKIE for cookie in page.context.cookies(base_url)):
        page.context.add_cookies(
            [{"name": SIGN_IN_COOKIE, "value": admin_session(base_url), "url": base_url}]
        )
    page.goto(base_url + path)
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)


def send(page: Page, text: str) -> None:
    box = page.get_by_test_id("composer-input")
    box.fill(text)
    # Enter does nothing while the composer waits (an answer ending, a reload after an update):
    # a person would see Send greyed out and wait, as this does.
    expect(page.get_by_test_id("send-button")).to_be_enabled(timeout=SHORT)
    box.press("Enter")


def answers(page: Page) -> Locator:
    return page.locator(ANSWERS)


def questions(page: Page) -> Locator:
    return page.locator('[data-testid="message"][data-role="user"]')


def content(message: Locator) -> Locator:
    return message.get_by_test_id("message-content")


def shown_text(message: Locator) -> str:
    return (content(message).text_content() or "").strip()


def wait_for_partial(page: Page, full: str, timeout: float = SHORT) -> dict[str, Any]:
    """Wait until the newest answer shows part of `full`; what the page showed then."""
    seen: dict[str, Any] = page.wait_for_function(
        PARTIAL_JS, arg=full, polling=20, timeout=timeout
    ).json_value()
    return seen


def expect_answer(page: Page, full: str, timeout: float = LONG) -> Locator:
    """The newest answer ends complete with exactly `full` (nothing doubled, nothing lost)."""
    last = answers(page).last
    expect(last).to_have_attribute("data-status", "complete", timeout=timeout)
    expect(content(last)).to_have_text(full, timeout=SHORT)
    assert shown_text(last) == full
    return last


def conversation_id(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"/c/[^/]+$"), timeout=SHORT)
    return page.url.rsplit("/c/", 1)[1]


def message_id(message: Locator) -> str:
    found = message.get_attribute("data-id")
    assert found, "a message without data-id"
    return found


def stored(client: httpx.Client, message: Locator) -> dict[str, Any]:
    response = client.get(f"/api/messages/{message_id(message)}")
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def test_question_streams_into_a_growing_answer_and_opens_its_conversation(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("stream")
    full = script_answer(upstream, question, 30, 0.03)
    upstream.script(title_match(question), {"tokens": ["Streamed ", "words"]})
    open_app(page, stack.api.url)

    send(page, question)
    expect(content(questions(page).last)).to_have_text(question, timeout=SHORT)
    partial = wait_for_partial(page, full)
    assert partial["status"] == "streaming"
    assert partial["chat"] == "streaming"

    last = expect_answer(page, full)
    expect(page.get_by_test_id("chat")).to_have_attribute("data-status", "ready", timeout=SHORT)
    assert stored(client, last)["content"] == full

    conversation = conversation_id(page)
    item = page.locator(f'[data-testid="conversation-item"][data-id="{conversation}"]')
    # The model's title, once the answer has ended.
    expect(item.get_by_test_id("conversation-title")).to_have_text("Streamed words", timeout=LONG)
    expect(page.get_by_test_id("chat-title")).to_have_text("Streamed words", timeout=SHORT)
    screenshot(page, "chat")


def test_markdown_renders_and_html_from_model_or_user_stays_inert_text(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    code = 'def greet():\n    return "hi"'
    table = "| Name | Score |\n| --- | --- |\n| alpha | 1 |\n| beta | 2 |"
    answer = f"{XSS}\n\n{table}\n\n```python\n{code}\n```\n"
    question = f"{unique('markdown')} {XSS}"
    upstream.script(question, {"tokens": [answer[i : i + 7] for i in range(0, len(answer), 7)]})
    upstream.script(title_match(question), {"tokens": ["Markdown ", XSS]})  # a model's title is text too
    open_app(page, stack.api.url)

    send(page, question)
    last = answers(page).last
    expect(last).to_have_attribute("data-status", "complete", timeout=LONG)

    expect(last.locator("table th")).to_have_text(["Name", "Score"], timeout=SHORT)
    expect(last.locator("table td")).to_have_text(["alpha", "1", "beta", "2"], timeout=SHORT)
    expect(last.locator("pre code")).to_have_text(code, timeout=SHORT)
    copy_code = last.get_by_test_id("copy-code")
    copy_code.click()
    expect(copy_code).to_have_text("Copied", timeout=SHORT)
    assert page.evaluate("() => navigator.clipboard.readText()").strip() == code
    expect(last.get_by_test_id("copy-message")).to_be_visible(timeout=SHORT)

    # The payload is text wherever it shows: the answer, the question, the title.
    expect(content(last)).to_contain_text(XSS, timeout=SHORT)
    expect(content(questions(page).last)).to_have_text(question, timeout=SHORT)
    # The model's title (capital M: not the fallback cut from the question), as text.
    expect(page.get_by_test_id("chat-title")).to_contain_text("Markdown <img src=x onerror=", timeout=LONG)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    assert page.locator("img[onerror]").count() == 0
    assert page.locator('[data-testid="message"] img, [data-testid="message"] script').count() == 0


def stop_and_check(
    page: Page, client: httpx.Client, upstream: Upstream, stop: Callable[[], None], label: str
) -> None:
    """Ask a long question, stop its answer once text shows; the page, database and model agree."""
    question = unique(label)
    full = script_answer(upstream, question, 200, 0.05)
    send(page, question)
    wait_for_partial(page, full)
    stop()

    last = answers(page).last
    expect(last).to_have_attribute("data-status", "stopped", timeout=SHORT)
    expect(page.get_by_test_id("send-button")).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("stop-button")).to_be_hidden(timeout=SHORT)
    message = stored(client, last)
    assert message["status"] == "stopped"
    assert message["content"]
    assert message["content"] != full
    assert full.startswith(message["content"])
    assert shown_text(last) == message["content"]
    wait_until(
        lambda: upstream.requests(question)[0]["disconnected"], 10, f"the model to see {label} hang up"
    )


def test_stop_button_and_escape_stop_the_answer_where_it_is(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    open_app(page, stack.api.url)
    stop_and_check(page, client, upstream, page.get_by_test_id("stop-button").click, "stop-click")
    first = conversation_id(page)

    page.keyboard.press("Control+Shift+O")  # a new chat
    expect(page).to_have_url(f"{stack.api.url}/", timeout=SHORT)
    expect(answers(page)).to_have_count(0, timeout=SHORT)
    stop_and_check(page, client, upstream, lambda: page.keyboard.press("Escape"), "stop-escape")
    assert conversation_id(page) != first


def test_reload_mid_answer_resumes_without_doubling_text(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    question = unique("reload")
    full = script_answer(upstream, question, 100, 0.04)
    open_app(page, stack.api.url)
    send(page, question)
    wait_for_partial(page, full)
    conversation = conversation_id(page)

    page.reload()
    assert page.url.endswith(f"/c/{conversation}")
    partial = wait_for_partial(page, full, timeout=3_000)  # at once, not at the end
    assert partial["status"] == "streaming"
    expect_answer(page, full)
    expect(answers(page)).to_have_count(1, timeout=SHORT)


def test_second_tab_follows_the_answer_live_and_can_stop_it(
    page: Page, page_errors: PageErrors, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, title=unique("two tabs"))["id"]
    tab_a = page
    tab_b = page_errors.watch(page.context.new_page())
    for tab in (tab_a, tab_b):
        open_app(tab, stack.api.url, f"/c/{conversation}")
    question = unique("tabs")
    full = script_answer(upstream, question, 200, 0.05)

    send(tab_a, question)
    wait_for_partial(tab_b, full)
    tab_b.get_by_test_id("stop-button").click()

    for tab in (tab_a, tab_b):
        expect(answers(tab).last).to_have_attribute("data-status", "stopped", timeout=SHORT)
    message = stored(client, answers(tab_a).last)
    assert message["status"] == "stopped"
    assert message_id(answers(tab_b).last) == message["id"]
    assert shown_text(answers(tab_a).last) == shown_text(answers(tab_b).last) == message["content"]
    assert message["content"]
    assert message["content"] != full


def test_answer_survives_the_api_process_being_killed_and_restarted(
    page: Page, make_stack: MakeStack, upstream: Upstream
) -> None:
    deployment = make_stack()
    api = deployment.start()
    question = unique("api restart")
    full = script_answer(upstream, question, 100, 0.05)
    open_app(page, api.url)
    send(page, question)
    wait_for_partial(page, full)

    api.kill()
    status = page.get_by_test_id("stream-status")
    expect(status).to_be_visible(timeout=SHORT)
    expect(status).to_have_text("Reconnecting…", timeout=SHORT)

    deployment.start_api(port=api.port)
    expect(status).to_be_hidden(timeout=LONG)
    expect_answer(page, full)


def test_rename_and_delete_from_the_sidebar(page: Page, stack: Stack, client: httpx.Client) -> None:
    title = unique("before rename")
    conversation = new_conversation(client, title=title)["id"]
    open_app(page, stack.api.url, f"/c/{conversation}")
    item = page.locator(f'[data-testid="conversation-item"][data-id="{conversation}"]')
    item_title = item.get_by_test_id("conversation-title")
    expect(item_title).to_have_text(title, timeout=SHORT)
    expect(page.get_by_test_id("chat-title")).to_have_text(title, timeout=SHORT)

    # Escape cancels an edit.
    item.hover()
    item.get_by_test_id("rename-button").click()
    box = item.get_by_test_id("rename-input")
    expect(box).to_have_value(title, timeout=SHORT)
    box.fill("not this title")
    box.press("Escape")
    expect(item_title).to_have_text(title, timeout=SHORT)
    assert client.get(f"/api/conversations/{conversation}").json()["title"] == title

    # Enter saves.
    renamed = unique("after rename")
    item.hover()
    item.get_by_test_id("rename-button").click()
    box.fill(renamed)
    box.press("Enter")
    expect(item_title).to_have_text(renamed, timeout=SHORT)
    assert client.get(f"/api/conversations/{conversation}").json()["title"] == renamed
    expect(page.get_by_test_id("chat-title")).to_have_text(renamed, timeout=SHORT)

    item.hover()
    item.get_by_test_id("delete-button").click()
    item.get_by_test_id("confirm-delete").click()
    expect(item).to_have_count(0, timeout=SHORT)
    expect(page).to_have_url(f"{stack.api.url}/", timeout=SHORT)
    assert client.get(f"/api/conversations/{conversation}").status_code == 404


def test_system_prompt_and_model_chosen_in_settings_reach_the_model(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    open_app(page, stack.api.url)
    expect(page.get_by_test_id("model-badge")).to_have_text("scripted", timeout=SHORT)
    page.get_by_test_id("settings-button").click()
    panel = page.get_by_test_id("settings-panel")
    expect(panel).to_be_visible(timeout=SHORT)
    prompt = unique("Answer as a pirate")
    page.get_by_test_id("system-prompt-input").fill(prompt)
    page.get_by_test_id("model-select").select_option("scripted-alt")
    screenshot(page, "settings")
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)
    expect(page.get_by_test_id("model-badge")).to_have_text("scripted-alt", timeout=SHORT)

    question = unique("settings")  # unscripted: the model echoes what it received
    send(page, question)
    last = answers(page).last
    expect(last).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(content(last)).to_contain_text(f"system={prompt!r}): {question}", timeout=SHORT)
    received = upstream.requests(question)[0]
    assert received["model"] == "scripted-alt"
    assert received["messages"][0] == {"role": "system", "content": prompt}

    conversation = client.get(f"/api/conversations/{conversation_id(page)}").json()
    assert (conversation["model"], conversation["system_prompt"]) == ("scripted-alt", prompt)
    expect(page.get_by_test_id("model-badge")).to_have_text("scripted-alt", timeout=SHORT)
    page.get_by_test_id("settings-button").click()
    expect(page.get_by_test_id("system-prompt-input")).to_have_value(prompt, timeout=SHORT)
    expect(page.get_by_test_id("model-select")).to_have_value("scripted-alt", timeout=SHORT)


def test_narrow_screen_hides_the_sidebar_in_a_drawer(page: Page, stack: Stack, client: httpx.Client) -> None:
    title = unique("mobile")
    conversation = new_conversation(client, title=title)["id"]
    earlier = ask(client, conversation, unique("mobile earlier"))["assistant_message"]["id"]
    wait_for_message(client, earlier)
    page.set_viewport_size({"width": 375, "height": 740})
    open_app(page, stack.api.url)

    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).not_to_be_in_viewport(timeout=SHORT)
    page.get_by_test_id("menu-button").click()
    expect(sidebar).to_be_in_viewport(ratio=0.9, timeout=SHORT)
    sidebar.locator(f'[data-testid="conversation-item"][data-id="{conversation}"]').get_by_test_id(
        "conversation-title"
    ).click()
    expect(page).to_have_url(f"{stack.api.url}/c/{conversation}", timeout=SHORT)
    expect(sidebar).not_to_be_in_viewport(timeout=SHORT)
    expect(page.get_by_test_id("chat-title")).to_have_text(title, timeout=SHORT)
    expect(answers(page)).to_have_count(1, timeout=SHORT)

    question = unique("mobile question")
    send(page, question)
    last = answers(page).nth(1)
    expect(last).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(content(last)).to_contain_text(question, timeout=SHORT)
    box = page.get_by_test_id("composer-input").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 375
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(page, "mobile")


def test_failed_answer_shows_the_readable_error_and_retry_answers_beside_it(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    question = unique("fails once")
    tokens, full = words(12)
    upstream.script(question, {"status": 401}, {"tokens": tokens})
    open_app(page, stack.api.url)

    send(page, question)
    failed = answers(page).last
    expect(failed).to_have_attribute("data-status", "failed", timeout=LONG)
    expect(failed.get_by_test_id("message-error")).to_contain_text("rejected the API key", timeout=SHORT)
    expect(page.get_by_test_id("chat")).to_have_attribute("data-status", "ready", timeout=SHORT)

    # Retry regenerates: the new answer takes the failed one's place, which stays behind ‹ 1/2.
    failed.get_by_test_id("retry-button").click()
    last = expect_answer(page, full)
    expect(answers(page)).to_have_count(1, timeout=SHORT)
    expect(questions(page)).to_have_count(1, timeout=SHORT)
    expect(last.get_by_test_id("branch-position")).to_have_text("2/2", timeout=SHORT)
    assert len(upstream.requests(question)) == 2
    expect(page.get_by_test_id("send-error")).to_be_hidden(timeout=SHORT)


def test_composer_says_an_answer_is_running_and_sends_again_after_it(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    question = unique("busy")
    full = script_answer(upstream, question, 40, 0.05)
    open_app(page, stack.api.url)
    send(page, question)

    notice = page.get_by_test_id("composer-notice")
    expect(notice).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("stop-button")).to_be_visible(timeout=SHORT)
    follow_up = unique("follow-up")
    box = page.get_by_test_id("composer-input")
    box.fill(follow_up)
    box.press("Enter")  # refused quietly: the text stays, nothing is posted
    expect(box).to_have_value(follow_up, timeout=SHORT)
    expect(page.get_by_test_id("send-error")).to_be_hidden(timeout=SHORT)
    expect(questions(page)).to_have_count(1, timeout=SHORT)

    expect_answer(page, full)
    expect(notice).to_be_hidden(timeout=SHORT)
    assert upstream.requests(follow_up) == []
    box.press("Enter")
    expect(questions(page)).to_have_count(2, timeout=SHORT)
    last = answers(page).nth(1)
    expect(last).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(content(last)).to_contain_text(follow_up, timeout=SHORT)
    expect(page.get_by_test_id("send-error")).to_be_hidden(timeout=SHORT)


def test_theme_toggle_reaches_dark_and_is_remembered(page: Page, stack: Stack, client: httpx.Client) -> None:
    conversation = new_conversation(client, title=unique("theme"))["id"]
    earlier = ask(client, conversation, unique("theme question"))["assistant_message"]["id"]
    wait_for_message(client, earlier)
    open_app(page, stack.api.url, f"/c/{conversation}")
    expect(answers(page)).to_have_count(1, timeout=SHORT)
    root = page.locator("html")
    background = "() => getComputedStyle(document.body).backgroundColor"

    toggle = page.get_by_test_id("theme-toggle")
    toggle.click()
    expect(root).to_have_attribute("data-theme", "light", timeout=SHORT)
    light = page.evaluate(background)
    toggle.click()
    expect(root).to_have_attribute("data-theme", "dark", timeout=SHORT)
    assert page.evaluate(background) != light
    screenshot(page, "dark")

    page.reload()
    expect(root).to_have_attribute("data-theme", "dark", timeout=SHORT)


def test_the_theme_follows_the_system_setting(browser: Browser, stack: Stack) -> None:
    for scheme in ("dark", "light"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            sign_in(context, stack.api.url)
            page.goto(stack.api.url + "/")
            expect(page.locator("html")).to_have_attribute("data-theme", scheme, timeout=SHORT)
            expect(page.get_by_test_id("theme-toggle")).to_have_attribute("aria-label", "Theme: system")
        finally:
            context.close()


def test_composer_is_focused_and_auto_scroll_pauses_when_the_reader_scrolls_up(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    page.set_viewport_size({"width": 900, "height": 500})
    open_app(page, stack.api.url)
    expect(page.get_by_test_id("composer-input")).to_be_focused(timeout=SHORT)

    question = unique("long answer")
    upstream.script(question, {"tokens": [f"line {i}\n\n" for i in range(120)], "delay": 0.03})
    send(page, question)
    messages = page.locator(".messages")
    expect(content(answers(page).last)).to_contain_text("line 40", timeout=15_000)
    at_bottom = "el => el.scrollHeight - el.scrollTop - el.clientHeight < 80"
    assert messages.evaluate(at_bottom), "the list should follow the newest text"

    messages.evaluate("el => { el.scrollTop = 0; }")
    jump = page.get_by_test_id("jump-to-latest")
    expect(jump).to_be_visible(timeout=SHORT)
    expect(content(answers(page).last)).to_contain_text("line 80", timeout=15_000)
    assert messages.evaluate("el => el.scrollTop") < 50, "reading higher up must not be interrupted"

    jump.click()
    expect(jump).to_be_hidden(timeout=SHORT)
    assert messages.evaluate(at_bottom)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=15_000)
    assert messages.evaluate(at_bottom), "after the jump it follows the text again"
