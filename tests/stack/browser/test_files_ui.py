"""The files page in the web UI, end to end: real Chromium on the built UI, a real worker reading the files.

A user under a storage quota opens "Files" from the user menu: their files, newest first, each with
its download, kind, size, what it holds and its status (an image with the thumbnail the worker made),
and what they take of the quota. Deleting one, after a confirmation that the messages that brought it
lose it too, takes it off the list and off the storage figure, and the server. A file uploaded
elsewhere while the page is open shows up once a worker has read it (the updates feed).
"""

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_accounts_ui import open_menu_item
from tests.stack.browser.test_attachments_ui import PNG
from tests.stack.browser.test_chat_ui import LONG, SHORT
from tests.stack.browser.test_usage_ui import open_as, set_own_limits
from tests.stack.files.test_uploads import settled, uploaded
from tests.support.accounts import new_user
from tests.support.stack import Stack

pytestmark = pytest.mark.slow

NOTES = "# Field notes\n\nThe heron nests by the old mill.\n\nThe otters came back in spring.\n"
LATER = "# Later\n\nUploaded while the page was open.\n"


def file_row(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="file-row"][data-name="{name}"]')


def test_a_user_sees_their_files_and_deletes_one_to_free_their_storage(
    page: Page, stack: Stack, client: httpx.Client
) -> None:
    user = new_user(client, label="files")
    set_own_limits(client, user, storage_mb=10)
    notes = uploaded(user.client, "notes.md", NOTES.encode())
    image = uploaded(user.client, "photo.png", PNG)
    for made in (notes, image):
        assert settled(user.client, made["id"])["status"] == "ready"
    both = len(NOTES.encode()) + len(PNG)
    assert user.client.get("/api/usage").json()["storage_used_bytes"] == both

    open_as(page, stack.api.url, user)
    open_menu_item(page, "menu-files")
    expect(page).to_have_url(f"{stack.api.url}/files")
    expect(page.get_by_test_id("page-title")).to_have_text("Files")
    rows = page.get_by_test_id("file-row")
    expect(rows).to_have_count(2, timeout=SHORT)
    # Newest first.
    expect(rows.get_by_test_id("file-name")).to_have_text(["photo.png", "notes.md"])
    expect(page.get_by_test_id("storage-used")).to_have_text(f"{both} bytes of 10 MB")

    shown = file_row(page, "notes.md")
    expect(shown).to_have_attribute("data-status", "ready")
    expect(shown.get_by_test_id("file-name")).to_have_attribute("href", f"/api/files/{notes['id']}/content")
    expect(shown.get_by_test_id("file-kind")).to_have_text("Markdown")
    expect(shown.get_by_test_id("file-size")).to_have_text(f"{len(NOTES.encode())} bytes")
    tokens = settled(user.client, notes["id"])["tokens"]
    counted = f"{tokens:,} token{'' if tokens == 1 else 's'}"
    expect(shown.get_by_test_id("file-contents")).to_have_text(counted)
    expect(shown.get_by_test_id("file-status")).to_have_text("Ready")
    # The image shows the thumbnail the worker made, drawn.
    thumbnail = file_row(page, "photo.png").get_by_test_id("file-thumbnail")
    expect(thumbnail).to_have_attribute("src", f"/api/files/{image['id']}/thumbnail")
    expect(file_row(page, "photo.png").get_by_test_id("file-contents")).to_have_text("2 × 1")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    screenshot(page, "files-page")

    shown.get_by_role("button", name="Delete notes.md").click()
    expect(page.get_by_test_id("confirm-delete-sentence")).to_contain_text(
        "also from the messages that brought it", timeout=SHORT
    )
    screenshot(page, "files-confirm-delete")
    page.get_by_test_id("confirm-delete-file").click()
    expect(rows).to_have_count(1, timeout=SHORT)
    expect(rows.get_by_test_id("file-name")).to_have_text(["photo.png"])
    expect(page.get_by_test_id("storage-used")).to_have_text(f"{len(PNG)} bytes of 10 MB", timeout=SHORT)
    assert user.client.get(f"/api/files/{notes['id']}").status_code == 404
    assert user.client.get("/api/usage").json()["storage_used_bytes"] == len(PNG)

    # Uploaded elsewhere while the page is open: on the list once a worker has read it.
    later = uploaded(user.client, "later.md", LATER.encode())
    expect(rows.get_by_test_id("file-name")).to_have_text(["later.md", "photo.png"], timeout=LONG)
    expect(file_row(page, "later.md")).to_have_attribute("data-status", "ready", timeout=LONG)
    expect(page.get_by_test_id("storage-used")).to_have_text(
        f"{len(PNG) + len(LATER.encode())} bytes of 10 MB", timeout=SHORT
    )
    assert later["id"] == file_row(page, "later.md").get_attribute("data-id")
    user.client.close()
