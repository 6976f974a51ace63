"""Files attached to a question in the web UI, end to end: real Chromium on the built UI, a real
worker reading the files.

A file comes by the paperclip (the file input) or by a drop on the chat; each shows as a chip that
goes from uploading to reading to ready with its tokens, as the updates feed announces its end.
The question goes with the ready files: the model's prompt has each document, fenced and named,
the question shows its files (a download each) and its answer the documents it drew on ("From
notes.md · whole"), after a reload too; a file deleted since says so. A long PDF's answer names
the pages it was shown (page 40, where the answer is), while it still runs (after a reload: its
first checkpoint has them) and once it ended. A file that fails (an empty one) says why, and keeps
the question from being sent until it is removed, which deletes it on the server. An image pasted
into the box is attached under a name of its own, its chip and then its question showing the
thumbnail the worker made. On a deployment of its own: a file past the upload limit gets the
server's sentence, and a file waits "Reading…" (Send waiting too) until a worker starts and reads
it.
"""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_chat_ui import LONG, SHORT, answers, open_app, questions, send
from tests.support.documents import pdf_of_pages
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, Upstream, unique

pytestmark = pytest.mark.slow

NOTES = "# Field notes\n\nThe heron nests by the old mill.\n\nThe otters came back in spring.\n"
MARKER = "The lighthouse keeper hid the brass key under the seventh stair."
RECIPE = "# Bread\n\nFlour, water, salt and a long, slow rise.\n"
TOKENS = re.compile(r"^\d{1,3}(,\d{3})* tokens?$")
EMPTY = "The file is empty."
FAILED_BLOCKS = "Remove the files that failed to send the message."
READING_BLOCKS = "Wait until the files have been read."
TOO_LARGE = "The file is too large; the limit is 1 MB."

# A drop as the browser makes it: a DataTransfer holding the file, made in the page.
DATA_TRANSFER_JS = """([name, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([text], name, { type: "text/markdown" }));
  return data;
}"""


# A screenshot pasted as the clipboard brings it: an image file named "image.png", and no text.
PASTE_JS = """([box, bytes]) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""
# A 2×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000010806000000f4227f8a"
    "0000000e49444154789c63f8cfc0f01f040110f803fd4e95c16f0000000049454e44ae426082"
)


def chips(page: Page) -> Locator:
    return page.get_by_test_id("file-chip")


def chip(page: Page, name: str) -> Locator:
    return chips(page).filter(has=page.get_by_test_id("file-name").get_by_text(name, exact=True))


def attach(page: Page, name: str, data: bytes, mime_type: str = "text/markdown") -> None:
    """By the paperclip: its button opens the file input, which Playwright fills as a person's pick would."""
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("attach-button").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(files=[FilePayload(name=name, mimeType=mime_type, buffer=data)])


def drop(page: Page, name: str, text: str) -> None:
    """Dragged over the chat (which says to drop it), then dropped."""
    transfer = page.evaluate_handle(DATA_TRANSFER_JS, [name, text])
    zone = page.get_by_test_id("drop-zone")
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    overlay = page.get_by_test_id("drop-overlay")
    expect(overlay).to_be_visible(timeout=SHORT)
    expect(overlay).to_have_text("Drop files to attach")
    screenshot(page, "attachments-drop")
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(overlay).to_be_hidden(timeout=SHORT)


def expect_ready(page: Page, name: str) -> None:
    shown = chip(page, name)
    expect(shown).to_have_attribute("data-status", "ready", timeout=LONG)
    expect(shown.get_by_test_id("file-progress")).to_have_text(TOKENS)


def files_named(client: httpx.Client, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/api/files", params={"limit": 200}).json()["items"]
    return [f for f in items if f["name"] == name]


def prompt_of(upstream: Upstream, question: str) -> str:
    """The last user message the model was sent for `question`: the question, then its documents."""
    everything: list[dict[str, Any]] = upstream.http.get("/_requests").json()
    [request] = [r for r in everything if r["match"].startswith(question)]
    asked: str = request["messages"][-1]["content"]
    return asked


def expect_message_files(message: Locator, names: list[str], ids: list[str]) -> None:
    shown = message.get_by_test_id("message-attachment")
    expect(shown).to_have_text(names, timeout=SHORT)
    for index, file_id in enumerate(ids):
        expect(shown.nth(index)).to_have_attribute("href", f"/api/files/{file_id}/content")


def test_files_picked_and_dropped_go_with_the_question_and_stay_on_it(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    notes, recipe = f"{unique('notes')}.md", f"{unique('recipe')}.md"
    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()

    attach(page, notes, NOTES.encode())
    drop(page, recipe, RECIPE)
    expect(chips(page)).to_have_count(2, timeout=SHORT)
    expect(page.get_by_test_id("file-name")).to_have_text([notes, recipe])
    expect_ready(page, notes)
    expect_ready(page, recipe)
    screenshot(page, "attachments-ready")

    # The counts are the server's, read once the worker was done.
    [stored_notes], [stored_recipe] = files_named(client, notes), files_named(client, recipe)
    for name, stored in ((notes, stored_notes), (recipe, stored_recipe)):
        assert stored["status"] == "ready", stored
        count = chip(page, name).get_by_test_id("file-progress").inner_text()
        assert count == f"{stored['tokens']:,} token{'' if stored['tokens'] == 1 else 's'}"
    ids = [stored_notes["id"], stored_recipe["id"]]

    question = unique("where does the heron nest")
    send(page, question)
    expect(chips(page)).to_have_count(0, timeout=SHORT)  # they went with the question
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)

    # The model got both documents, named and fenced, after the question.
    asked = prompt_of(upstream, question)
    assert asked.startswith(question)
    assert f'<document name="{notes}">' in asked
    assert "The heron nests by the old mill." in asked
    assert f'<document name="{recipe}">' in asked
    assert "Flour, water, salt and a long, slow rise." in asked

    # The answer says what it drew on: both documents, whole.
    drew_on = f"From {notes} · whole; {recipe} · whole"
    expect(answers(page).last.get_by_test_id("message-sources")).to_have_text(drew_on, timeout=SHORT)

    # The question shows its files, each a download of what was uploaded.
    asking = questions(page).last
    expect_message_files(asking, [notes, recipe], ids)
    message_id = asking.get_attribute("data-id")
    assert client.get(f"/api/messages/{message_id}").json()["attachments"] == ids
    assert client.get(f"/api/files/{ids[0]}/content").content == NOTES.encode()
    screenshot(page, "attachments-sent")

    # A reload reads the names from the server.
    page.reload()
    expect(questions(page)).to_have_count(1, timeout=SHORT)
    expect_message_files(questions(page).last, [notes, recipe], ids)
    expect(answers(page).last.get_by_test_id("message-sources")).to_have_text(drew_on, timeout=SHORT)

    # A file deleted since: the question keeps its place, and says so.
    assert client.delete(f"/api/files/{ids[1]}").status_code == 204
    page.reload()
    shown = questions(page).last.get_by_test_id("message-attachment")
    expect(shown).to_have_text([notes, "File deleted"], timeout=SHORT)
    expect(shown.nth(1)).to_have_attribute("data-deleted", "true")


def test_a_file_that_fails_says_why_and_blocks_sending_until_removed(
    page: Page, stack: Stack, client: httpx.Client
) -> None:
    empty = f"{unique('empty')}.txt"
    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()

    attach(page, empty, b"", "text/plain")
    failed = chip(page, empty)
    expect(failed).to_have_attribute("data-status", "failed", timeout=SHORT)
    expect(failed.get_by_test_id("file-error")).to_have_text(EMPTY)
    [stored] = files_named(client, empty)
    assert (stored["status"], stored["error"]) == ("failed", EMPTY)

    question = unique("send me with a failed file")
    box = page.get_by_test_id("composer-input")
    box.fill(question)
    send_button = page.get_by_test_id("send-button")
    expect(send_button).to_be_disabled()
    expect(send_button).to_have_attribute("title", FAILED_BLOCKS)
    box.press("Enter")  # nothing goes either
    screenshot(page, "attachments-failed")
    expect(questions(page)).to_have_count(0)
    expect(box).to_have_value(question)

    # Removed: its chip goes, the server forgets it, and the question can go.
    page.get_by_role("button", name=f"Remove {empty}").click()
    expect(chips(page)).to_have_count(0, timeout=SHORT)
    expect(send_button).to_be_enabled(timeout=SHORT)
    expect(send_button).not_to_have_attribute("title", FAILED_BLOCKS)

    def deleted() -> bool:
        return client.get(f"/api/files/{stored['id']}").status_code == 404

    wait_until(deleted, 5, "the removed file to be deleted")
    send(page, question)
    expect(questions(page)).to_have_count(1, timeout=SHORT)
    expect(questions(page).last.get_by_test_id("message-attachment")).to_have_count(0)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)


def expect_thumbnail_shown(place: Locator, name: str, file_id: str) -> None:
    """The thumbnail's `<img>`, named by the file, loaded and drawn (a PNG of the image's 2 × 1)."""
    thumbnail = place.get_by_test_id("file-thumbnail")
    expect(thumbnail).to_be_visible(timeout=SHORT)
    expect(thumbnail).to_have_attribute("alt", name)
    expect(thumbnail).to_have_attribute("src", f"/api/files/{file_id}/thumbnail")
    wait_until(
        lambda: thumbnail.evaluate("img => img.complete && img.naturalWidth") == 2,
        5,
        "the thumbnail to be drawn",
    )


def test_an_image_pasted_into_the_box_is_attached_and_shows_its_thumbnail(
    page: Page, stack: Stack, client: httpx.Client
) -> None:
    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()
    box = page.get_by_test_id("composer-input")
    page.evaluate(PASTE_JS, [box.element_handle(), list(PNG)])
    pasted = chips(page)
    expect(pasted).to_have_count(1, timeout=SHORT)
    expect(pasted.get_by_test_id("file-name")).to_have_text(re.compile(r"^Pasted image [\d-]+ [\d.]+\.png$"))
    expect(pasted).to_have_attribute("data-status", "ready", timeout=LONG)
    expect(pasted.get_by_test_id("file-progress")).to_have_text("2 × 1")  # an image: its size
    expect(box).to_have_value("")
    name = pasted.get_by_test_id("file-name").inner_text()
    [stored] = files_named(client, name)
    expect_thumbnail_shown(pasted, name, stored["id"])
    screenshot(page, "attachments-thumbnail")

    # Sent: the question shows the same thumbnail, in its download link.
    question = unique("what is in this picture")
    send(page, question)
    expect(chips(page)).to_have_count(0, timeout=SHORT)
    sent = questions(page).last.get_by_test_id("message-attachment")
    expect(sent).to_have_attribute("href", f"/api/files/{stored['id']}/content", timeout=SHORT)
    expect_thumbnail_shown(sent, name, stored["id"])
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)
    screenshot(page, "attachments-thumbnail-sent")


def test_a_file_too_large_says_so_and_one_waits_to_be_read_until_a_worker_reads_it(
    page: Page, make_stack: MakeStack
) -> None:
    deployment = make_stack(max_upload_mb="1")
    api = deployment.start_api()  # no worker yet: an upload stays `processing`
    open_app(page, api.url)

    # Refused before its body is read: the browser still gets the 413's sentence.
    attach(page, "big.md", b"a" * 3_000_000)
    big = chip(page, "big.md")
    expect(big).to_have_attribute("data-status", "failed", timeout=LONG)
    expect(big.get_by_test_id("file-error")).to_have_text(TOO_LARGE)
    page.get_by_role("button", name="Remove big.md").click()
    expect(chips(page)).to_have_count(0, timeout=SHORT)

    attach(page, "notes.md", NOTES.encode())
    notes = chip(page, "notes.md")
    expect(notes).to_have_attribute("data-status", "processing", timeout=SHORT)
    expect(notes.get_by_test_id("file-progress")).to_have_text("Reading…")
    page.get_by_test_id("composer-input").fill("what is in my notes?")
    send_button = page.get_by_test_id("send-button")
    expect(send_button).to_be_disabled()
    expect(send_button).to_have_attribute("title", READING_BLOCKS)
    screenshot(page, "attachments-reading")

    # A worker reads it; the updates feed says so, and the chip follows without a reload.
    deployment.start_worker()
    expect_ready(page, "notes.md")
    expect(send_button).to_be_enabled(timeout=SHORT)


def page_list(pages: list[int]) -> str:
    """Pages as the UI writes them (web/src/sources.ts): a run of three or more as a range."""
    runs: list[list[int]] = []
    for number in sorted(set(pages)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    written = [f"{a}–{b}" if b - a >= 2 else f"{a}, {b}" if b > a else f"{a}" for a, b in runs]
    return ", ".join(written)


def test_an_answer_names_the_pages_it_drew_on_while_it_runs_and_after(
    page: Page, make_stack: MakeStack
) -> None:
    deployment = make_stack()
    api = deployment.start(workers=1)
    # Every answer of this deployment takes about 6 s: long enough to reload the page mid-answer.
    script = {"match": "*", "responses": [{"tokens": [f"w{i} " for i in range(40)], "delay": 0.15}]}
    deployment.upstream.http.post("/_scripts", json=script).raise_for_status()
    open_app(page, api.url)
    page.get_by_test_id("new-chat").click()
    attach(page, "manual.pdf", pdf_of_pages(60, {40: MARKER}), "application/pdf")
    attach(page, "notes.md", NOTES.encode())
    manual = chip(page, "manual.pdf")
    expect(manual).to_have_attribute("data-status", "ready", timeout=LONG)
    expect(manual.get_by_test_id("file-progress")).to_have_text(re.compile(r"^60 pages · [\d,]+ tokens$"))
    expect_ready(page, "notes.md")

    send(page, unique("where did the lighthouse keeper hide the brass key"))
    running = answers(page).last
    expect(running).to_have_attribute("data-status", "streaming", timeout=LONG)
    answer_id = running.get_attribute("data-id")
    with deployment.client() as client:

        def recorded() -> bool:
            return client.get(f"/api/messages/{answer_id}").json()["sources"] is not None

        wait_until(recorded, 10, "the answer's first checkpoint")  # within a second of its first token
        served = client.get(f"/api/messages/{answer_id}").json()
    assert served["status"] == "streaming", served
    [pdf, _] = served["sources"]
    assert 40 in pdf["pages"], pdf
    pages = f"page{'s' if len(pdf['pages']) > 1 else ''} {page_list(pdf['pages'])}"
    drew_on = f"From manual.pdf · {pages}; notes.md · whole"

    # A reload mid-answer: the stored answer says what it drew on while it still runs.
    page.reload()
    running = answers(page).last
    expect(running).to_have_attribute("data-status", "streaming", timeout=SHORT)
    expect(running.get_by_test_id("message-sources")).to_have_text(drew_on, timeout=SHORT)
    screenshot(page, "attachments-sources-running")
    expect(running).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(running.get_by_test_id("message-sources")).to_have_text(drew_on)
    whole = running.get_by_test_id("message-source").filter(has_text="notes.md")
    expect(whole).to_have_attribute("data-whole", "true")
    screenshot(page, "attachments-sources")
