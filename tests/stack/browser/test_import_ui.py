"""Another app's export through the Import button: ChatGPT's zip opens its first conversation
with the edited question behind the branch switcher; a large file shows its progress until a
worker has written it; a bad zip shows its sentence."""

import io
import json
import re
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import PageErrors, screenshot
from tests.stack.browser.test_chat_ui import SHORT, answers, content, open_app, questions
from tests.stack.conversations.test_foreign_imports import FIXTURES, JOB_CONVERSATIONS, chatgpt_export
from tests.support.stack import Stack

pytestmark = pytest.mark.slow


def test_chatgpts_zip_opens_its_conversation_with_the_branch_it_had_selected_and_its_switcher(
    page: Page, page_errors: PageErrors, stack: Stack
) -> None:
    open_app(page, stack.api.url)
    page.get_by_test_id("import-file").set_input_files(str(FIXTURES / "chatgpt-export.zip"))

    expect(page).to_have_url(re.compile(r"/c/[0-9a-f-]{36}$"), timeout=SHORT)
    expect(page.get_by_test_id("chat-title")).to_have_text("Trip to Lisbon", timeout=SHORT)
    # ChatGPT showed the first question's branch last: it is the one shown here.
    expect(content(questions(page))).to_have_text(["What should I see in Lisbon in two days?"], timeout=SHORT)
    expect(content(answers(page))).to_have_text(
        ["Day one: Alfama and the castle. Day two: Belém and its tower."]
    )
    question = questions(page).first
    expect(question.get_by_test_id("branch-position")).to_have_text("1/2")
    screenshot(page, "import-chatgpt")

    question.get_by_test_id("branch-next").click()  # the edited question, and its answer
    expect(content(questions(page))).to_have_text(
        ["What should I see in Lisbon in three days, with a day trip?"], timeout=SHORT
    )
    expect(content(answers(page)).first).to_contain_text("take the train from Rossio to Sintra")
    expect(questions(page).first.get_by_test_id("branch-position")).to_have_text("2/2")
    assert page.get_by_test_id("sidebar").get_by_text("Sourdough starter").count() >= 1


def test_a_large_import_shows_its_progress_until_it_is_written_and_a_bad_zip_its_sentence(
    page: Page, page_errors: PageErrors, stack: Stack, tmp_path: Path
) -> None:
    batch = uuid.uuid4().hex[:6]
    chats = json.loads(chatgpt_export(JOB_CONVERSATIONS + 5))
    for chat in chats:
        chat["title"] = chat["title"].replace("Batch chat", f"Batch {batch}")
        chat["create_time"] = time.time()  # among the newest: in the list's first page
    big = tmp_path / "conversations.json"
    big.write_text(json.dumps(chats))
    open_app(page, stack.api.url)
    opened = page.url

    page.get_by_test_id("import-file").set_input_files(str(big))
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_be_visible(timeout=SHORT)
    expect(progress).to_contain_text(
        re.compile(rf"Importing conversations\.json: \d+ of {len(chats)} conversations")
    )
    expect(page.get_by_test_id("import-button")).to_be_disabled()
    expect(progress).to_have_count(0, timeout=SHORT)  # written: the progress goes
    expect(page.get_by_test_id("import-button")).to_be_enabled()
    expect(page.get_by_test_id("sidebar").get_by_text(f"Batch {batch} 7", exact=True)).to_be_visible(
        timeout=SHORT
    )
    assert page.url == opened  # a job opens nothing

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("chat.html", "<html></html>")
    bad = tmp_path / "export.zip"
    bad.write_bytes(bomb.getvalue())
    page.get_by_test_id("import-file").set_input_files(str(bad))
    expect(page.get_by_test_id("import-error")).to_contain_text(
        "export.zip: The zip holds no conversations.json", timeout=SHORT
    )
    assert page.url == opened
