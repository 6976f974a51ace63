"""Organizing conversations in the browser: a folder made and seen live in a second tab, a
conversation dragged into it and another moved there from its menu, one pinned, one archived and
restored, several deleted at once, and the folder deleted with its conversations kept."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import PageErrors
from tests.stack.browser.test_chat_ui import SHORT, conversation_id
from tests.stack.browser.test_usage_ui import open_as
from tests.support.accounts import Member, own_member
from tests.support.stack import Stack, new_conversation

pytestmark = pytest.mark.slow


@pytest.fixture
def member(stack: Stack) -> Iterator[Member]:
    """A user of their own: the sidebar holds only what the test made."""
    yield from own_member(stack.client(), "organizer")


def item(page: Page, conversation: str, within: str = "conversation-list") -> Locator:
    return page.get_by_test_id(within).locator(f'[data-testid="conversation-item"][data-id="{conversation}"]')


def folder(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="folder"][data-name="{name}"]')


def menu_action(page: Page, action: str) -> None:
    page.get_by_test_id("conversation-menu-button").click()
    page.get_by_test_id(action).click()


def test_folders_pins_archive_and_bulk_delete_in_the_sidebar(
    page: Page, page_errors: PageErrors, stack: Stack, member: Member
) -> None:
    client = member.client
    alpha, beta, gamma, delta = (
        new_conversation(client, title=name)["id"] for name in ("Alpha", "Beta", "Gamma", "Delta")
    )
    open_as(page, stack.api.url, member)
    other = page_errors.watch(page.context.new_page())  # a second tab of the same user
    other.goto(stack.api.url)
    expect(item(other, alpha)).to_be_visible(timeout=SHORT)
    page.bring_to_front()

    # A new folder, seen at once in the other tab.
    page.get_by_test_id("new-folder").click()
    page.get_by_test_id("new-folder-name").fill("Projects")
    page.get_by_test_id("new-folder-name").press("Enter")
    expect(folder(page, "Projects")).to_be_visible(timeout=SHORT)
    expect(folder(other, "Projects")).to_be_visible(timeout=SHORT)

    # Dragged onto the folder, a conversation is in it, here and in the other tab.
    item(page, alpha).drag_to(folder(page, "Projects").get_by_test_id("folder-toggle"))
    expect(folder(page, "Projects").locator(f'[data-id="{alpha}"]')).to_be_visible(timeout=SHORT)
    expect(folder(other, "Projects").locator(f'[data-id="{alpha}"]')).to_be_visible(timeout=SHORT)
    assert client.get(f"/api/conversations/{alpha}").json()["folder_id"] is not None

    # Moved with the keyboard's way: the conversation's menu, then the folder chosen in a dialog.
    item(page, delta).get_by_test_id("conversation-title").click()
    assert conversation_id(page) == delta
    menu_action(page, "move-to-folder")
    dialog = page.get_by_test_id("move-dialog")
    dialog.get_by_role("button", name="Projects").click()
    expect(dialog).to_be_hidden(timeout=SHORT)
    expect(folder(page, "Projects").locator(f'[data-id="{delta}"]')).to_be_visible(timeout=SHORT)

    # Pinned from its menu: it heads the list, in the other tab too.
    item(page, beta).get_by_test_id("conversation-title").click()
    assert conversation_id(page) == beta
    menu_action(page, "pin-conversation")
    expect(item(page, beta, within="pinned-group")).to_be_visible(timeout=SHORT)
    expect(item(other, beta, within="pinned-group")).to_be_visible(timeout=SHORT)
    page.get_by_test_id("conversation-menu-button").click()
    expect(page.get_by_test_id("pin-conversation")).to_have_text("Unpin")
    page.keyboard.press("Escape")

    # Archived: out of the list, in the Archived view, and restored from there.
    item(page, gamma).get_by_test_id("conversation-title").click()
    assert conversation_id(page) == gamma
    menu_action(page, "archive-conversation")
    expect(item(page, gamma)).to_have_count(0, timeout=SHORT)
    expect(item(other, gamma)).to_have_count(0, timeout=SHORT)
    page.get_by_test_id("show-archived").click()
    archived = page.locator(f'[data-testid="archived-item"][data-id="{gamma}"]')
    expect(archived).to_be_visible(timeout=SHORT)
    archived.get_by_test_id("restore-conversation").click()
    expect(archived).to_have_count(0, timeout=SHORT)
    expect(page.get_by_test_id("no-archived")).to_be_visible()
    page.get_by_test_id("show-archived").click()
    expect(item(page, gamma)).to_be_visible(timeout=SHORT)
    expect(item(other, gamma)).to_be_visible(timeout=SHORT)

    # Select mode: two ticked, deleted at once after a confirm; the open one's page leaves it.
    page.get_by_test_id("select-mode").click()
    item(page, beta).get_by_test_id("select-conversation").check()
    item(page, gamma).get_by_test_id("select-conversation").check()
    expect(page.get_by_test_id("selected-count")).to_have_text("2 selected")
    page.get_by_test_id("delete-selected").click()
    page.get_by_test_id("confirm-delete-selected").click()
    expect(item(page, beta)).to_have_count(0, timeout=SHORT)
    expect(item(page, gamma)).to_have_count(0)
    expect(item(other, beta)).to_have_count(0, timeout=SHORT)
    expect(page.get_by_test_id("selection-bar")).to_be_hidden()
    expect(page).not_to_have_url(f"{stack.api.url}/c/{gamma}")
    for gone in (beta, gamma):
        assert client.get(f"/api/conversations/{gone}").status_code == 404

    # The folder deleted, its conversations kept: they are unfiled, in both tabs.
    projects = folder(page, "Projects")
    projects.get_by_test_id("folder-toggle").hover()
    projects.get_by_test_id("delete-folder").click()
    projects.get_by_test_id("delete-folder-only").click()
    expect(folder(page, "Projects")).to_have_count(0, timeout=SHORT)
    expect(folder(other, "Projects")).to_have_count(0, timeout=SHORT)
    for kept in (alpha, delta):
        expect(item(page, kept, within="unfiled")).to_be_visible(timeout=SHORT)
        expect(item(other, kept, within="unfiled")).to_be_visible(timeout=SHORT)
    assert client.get("/api/folders").json() == []


def test_older_conversations_past_the_first_page_are_shown_on_asking(
    page: Page, stack: Stack, member: Member
) -> None:
    """The sidebar reads 200 at a time: the 201st is one press away, and an update keeps it listed."""
    oldest = new_conversation(member.client, title="The very first")["id"]
    newer = [new_conversation(member.client, title=f"Chat {n}")["id"] for n in range(200)]
    open_as(page, stack.api.url, member)
    expect(item(page, newer[0])).to_be_visible(timeout=SHORT)
    expect(item(page, oldest)).to_have_count(0)

    page.get_by_test_id("list-more").click()
    expect(item(page, oldest)).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("list-more")).to_have_count(0)

    # A change elsewhere reads the list again, as far as it was shown.
    renamed = member.client.patch(f"/api/conversations/{newer[5]}", json={"title": "Renamed elsewhere"})
    assert renamed.status_code == 200, renamed.text
    expect(item(page, newer[5])).to_contain_text("Renamed elsewhere", timeout=SHORT)
    expect(item(page, oldest)).to_be_visible()
