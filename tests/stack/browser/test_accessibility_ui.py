"""Accessibility in the browser: axe-core on every screen in the light and the dark theme with no
serious or critical violation; the mobile drawer keeps the keyboard until Escape and gives it back;
an answer is announced once, when it ends, and never while it streams."""

import json
from collections.abc import Iterator
from typing import Literal, cast

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.stack.answers.test_context import answered, text_of
from tests.stack.browser.test_chat_ui import LONG, SHORT, answers, content, open_app, send, sign_in
from tests.support.accounts import new_user
from tests.support.axe import BLOCKING, by_impact, describe, run_axe
from tests.support.processes import ROOT
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

CODE = 'print("accessible")'
ANSWER = f"Some **bold** prose, a list:\n\n- one\n- two\n\nand code:\n\n```python\n{CODE}\n```\n"
SUMMARY = ROOT / "test-artifacts" / "accessibility"
"""axe's results per screen and theme, as JSON, for a reader of the run."""

# Each addition to the answers' log, as a screen reader hears it, and the text of the log while it streams.
WATCH_LOG_JS = """() => {
  const log = document.querySelector('[data-testid="answer-announcer"]');
  window.__announced = [];
  new MutationObserver((mutations) => {
    for (const mutation of mutations)
      for (const node of mutation.addedNodes) window.__announced.push(node.textContent);
  }).observe(log, { childList: true, subtree: true, characterData: true });
}"""


Scheme = Literal["light", "dark"]


@pytest.fixture(params=["light", "dark"])
def theme(request: pytest.FixtureRequest) -> Scheme:
    """The system's colour scheme the browser reports; the app follows it (its toggle is at "system")."""
    return cast(Scheme, request.param)


@pytest.fixture
def context(browser: Browser, theme: Scheme) -> Iterator[BrowserContext]:
    """The browser fixtures' context (conftest.py), in the theme's colour scheme."""
    opened = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=theme)
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


class Audit:
    """axe run screen by screen; the serious and critical violations are kept to fail on at the end."""

    def __init__(self, page: Page, theme: str) -> None:
        self.page = page
        self.theme = theme
        self.failures: list[str] = []

    def check(self, screen: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("data-theme", self.theme, timeout=SHORT)
        found = run_axe(self.page)
        SUMMARY.mkdir(parents=True, exist_ok=True)
        name = f"{self.theme}-{screen}".replace(" ", "-").replace(",", "")
        (SUMMARY / f"{name}.json").write_text(
            json.dumps({"summary": by_impact(found), "violations": found}, indent=2)
        )
        print(f"axe [{self.theme}] {screen}: {json.dumps(by_impact(found))}")
        blocking = [violation for violation in found if violation["impact"] in BLOCKING]
        if blocking:
            self.failures.append(describe(blocking, f"[{screen}, {self.theme}] "))

    def assert_clean(self) -> None:
        assert not self.failures, "axe found serious or critical violations:\n" + "\n".join(self.failures)


def test_signed_out_screens_pass_axe(
    page: Page, stack: Stack, upstream: Upstream, client: httpx.Client, theme: str
) -> None:
    audit = Audit(page, theme)
    page.goto(stack.api.url + "/")
    expect(page.get_by_test_id("signin-form")).to_be_visible(timeout=SHORT)
    audit.check("sign-in")

    question = unique("shared accessibly")
    upstream.script(question, {"tokens": [ANSWER]})
    conversation = new_conversation(client, title="Shared accessibly")["id"]
    wait_for_message(client, ask(client, conversation, question)["assistant_message"]["id"])
    shared = client.post(f"/api/conversations/{conversation}/share")
    assert shared.status_code == 201, shared.text
    page.goto(stack.api.url + f"/share/{shared.json()['token']}")
    expect(page.get_by_test_id("shared-message")).to_have_count(2, timeout=SHORT)
    expect(page.get_by_test_id("shared-message").last.locator("pre code")).to_contain_text(CODE)
    audit.check("shared page")
    audit.assert_clean()


def test_chat_screens_pass_axe(page: Page, stack: Stack, upstream: Upstream, theme: str) -> None:
    audit = Audit(page, theme)
    open_app(page, stack.api.url)
    audit.check("chat empty")

    question = unique("accessible code")
    upstream.script(question, {"tokens": [ANSWER[i : i + 12] for i in range(0, len(ANSWER), 12)]})
    send(page, question)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(answer.locator("pre code")).to_contain_text(CODE)
    expect(answer.get_by_test_id("feedback")).to_be_visible(timeout=SHORT)
    audit.check("chat with a finished answer with code")

    button = page.get_by_test_id("conversation-menu-button")
    button.click()
    expect(page.get_by_test_id("conversation-menu")).to_be_visible(timeout=SHORT)
    audit.check("conversation menu open")
    page.keyboard.press("ArrowDown")  # a menu's arrows move between its items
    expect(page.get_by_test_id("share-conversation")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("conversation-menu")).to_be_hidden()
    expect(button).to_be_focused()

    button.click()
    page.get_by_test_id("share-conversation").click()
    expect(page.get_by_test_id("share-dialog")).to_be_visible(timeout=SHORT)
    audit.check("share dialog open")
    page.get_by_test_id("share-close").click()
    expect(page.get_by_test_id("share-dialog")).to_be_hidden(timeout=SHORT)

    page.get_by_test_id("user-menu-button").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible(timeout=SHORT)
    audit.check("user menu open")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("user-menu")).to_be_hidden()
    expect(page.get_by_test_id("user-menu-button")).to_be_focused()

    page.get_by_test_id("settings-button").click()
    expect(page.get_by_test_id("settings-panel")).to_be_visible(timeout=SHORT)
    audit.check("settings panel open")
    page.get_by_test_id("settings-button").click()
    expect(page.get_by_test_id("settings-panel")).to_be_hidden()

    page.get_by_test_id("copy-message").last.focus()
    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible(timeout=SHORT)
    audit.check("shortcuts dialog")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_test_id("search-input").fill(question.split()[-1])
    expect(page.get_by_test_id("search-result").first).to_be_visible(timeout=SHORT)
    audit.check("search results")
    page.get_by_test_id("search-input").fill("")

    slow = unique("accessible slow")
    upstream.script(slow, {"tokens": [f"w{i} " for i in range(150)], "delay": 0.05})
    send(page, slow)
    running = answers(page).last
    expect(running).to_have_attribute("data-status", "streaming", timeout=LONG)
    expect(content(running)).to_contain_text("w3", timeout=SHORT)
    audit.check("chat with a running answer")
    expect(running).to_have_attribute("data-status", "streaming")  # still running while axe looked
    page.get_by_test_id("stop-button").click()
    expect(running).to_have_attribute("data-status", "stopped", timeout=LONG)
    audit.assert_clean()


def test_messages_out_of_the_context_and_a_failed_answer_pass_axe(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream, theme: str
) -> None:
    # As test_context_ui: 4,096 tokens, 2,048 kept for the answer; three long questions do not fit.
    conversation = new_conversation(client, model="scripted-alt", max_tokens=2048, title=unique("context"))
    for n in (1, 2, 3):
        question = text_of(700, f"accessible long {n}")
        upstream.script(question, {"tokens": ["ok"]})
        answered(client, conversation["id"], question)
    audit = Audit(page, theme)
    open_app(page, stack.api.url, f"/c/{conversation['id']}")
    expect(page.get_by_test_id("context-out").first).to_be_visible(timeout=SHORT)

    failing = unique("accessible failure")
    upstream.script(failing, {"status": 401})
    send(page, failing)
    failed = answers(page).last
    expect(failed).to_have_attribute("data-status", "failed", timeout=LONG)
    expect(failed.get_by_test_id("message-error")).to_be_visible()
    audit.check("chat with messages out of context and a failed answer")
    audit.assert_clean()


@pytest.mark.parametrize(
    ("path", "loaded"),
    [
        ("/account", "key-form"),
        ("/usage", "limit-answers"),
        ("/files", "storage-used"),
        ("/admin", "sharing-form"),
        ("/status", "status-hour-ended"),
    ],
)
def test_pages_pass_axe(page: Page, stack: Stack, theme: str, path: str, loaded: str) -> None:
    audit = Audit(page, theme)
    sign_in(page.context, stack.api.url)
    other = None
    if path == "/admin":
        with stack.client() as admin:
            other = new_user(admin, label="audited")
    page.goto(stack.api.url + path)
    expect(page.get_by_test_id(loaded).first).to_be_visible(timeout=SHORT)
    if other is not None:
        # What else the shared stack holds varies from run to run; a delete's confirmation puts the
        # page's danger button on screen every time.
        other.client.close()
        row = page.locator(f'[data-testid="user-row"][data-email="{other.email}"]')
        row.get_by_test_id("delete-user").click()
        expect(row.get_by_test_id("confirm-delete-user")).to_be_visible()
    audit.check(path.strip("/") + " page")
    audit.assert_clean()


def test_mobile_drawer_keeps_the_focus_until_escape_and_passes_axe(
    page: Page, stack: Stack, client: httpx.Client, theme: str
) -> None:
    title = unique("drawer")
    new_conversation(client, title=title)
    audit = Audit(page, theme)
    page.set_viewport_size({"width": 375, "height": 740})
    open_app(page, stack.api.url)
    sidebar = page.get_by_test_id("sidebar")
    # Closed, nothing in it is shown to a screen reader or reached by Tab.
    expect(page.get_by_test_id("new-chat")).to_be_hidden()

    opener = page.get_by_test_id("menu-button")
    opener.click()
    expect(sidebar).to_be_in_viewport(ratio=0.9, timeout=SHORT)
    expect(page.get_by_test_id("new-chat")).to_be_focused()
    audit.check("drawer open mobile")

    inside = "() => document.querySelector('[data-testid=\"sidebar\"]').contains(document.activeElement)"
    for _ in range(40):  # past every control in it: Tab wraps around
        page.keyboard.press("Tab")
        assert page.evaluate(inside), "Tab left the open drawer"
    page.get_by_test_id("new-chat").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(inside), "Shift+Tab left the open drawer"
    expect(page.get_by_test_id("new-chat")).not_to_be_focused()

    page.keyboard.press("Escape")
    expect(sidebar).not_to_be_in_viewport(timeout=SHORT)
    expect(opener).to_be_focused()
    expect(page.get_by_test_id("new-chat")).to_be_hidden()

    # The drawer's own close button does the same.
    opener.click()
    expect(page.get_by_test_id("close-drawer")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("close-drawer").click()
    expect(sidebar).not_to_be_in_viewport(timeout=SHORT)
    expect(opener).to_be_focused()
    audit.assert_clean()


@pytest.mark.parametrize("theme", ["light"], indirect=True)
def test_an_answer_is_announced_once_when_it_ends_and_never_while_it_streams(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    open_app(page, stack.api.url)
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("aria-relevant", "additions")
    page.evaluate(WATCH_LOG_JS)

    question = unique("announce me")
    tokens = [f"w{i} " for i in range(40)]
    upstream.script(question, {"tokens": tokens, "delay": 0.05})
    send(page, question)
    answer = answers(page).last
    expect(content(answer)).to_contain_text("w5", timeout=LONG)
    expect(answer).to_have_attribute("data-status", "streaming")
    assert log.text_content() == ""
    # The streaming text is in no live region: none around it, whether named by aria-live or by a
    # role that is live of itself.
    live = "[aria-live], [role=log], [role=status], [role=alert], [role=marquee], [role=timer]"
    assert content(answer).evaluate("(text, live) => text.closest(live)", live) is None
    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    full = "".join(tokens).strip()
    expect(log).to_have_text(f"Answer finished: {full}", timeout=SHORT)
    page.wait_for_timeout(500)  # the list read again after the end adds nothing
    assert page.evaluate("() => window.__announced") == [f"Answer finished: {full}"]

    stopped = unique("announce a stop")
    upstream.script(stopped, {"tokens": [f"s{i} " for i in range(200)], "delay": 0.05})
    send(page, stopped)
    answer = answers(page).last
    expect(content(answer)).to_contain_text("s3", timeout=LONG)
    assert "s3" not in (log.text_content() or "")
    page.get_by_test_id("stop-button").click()
    expect(log).to_have_text("Answer stopped", timeout=LONG)
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.__announced") == [f"Answer finished: {full}", "Answer stopped"]
