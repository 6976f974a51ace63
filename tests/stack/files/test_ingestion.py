"""Reading real documents on the workers: a 60-page PDF too long for the prompt gives the question
the page that answers it; a worker SIGKILLed while it reads a file is taken over, and the file
still ends `ready`, read once."""

import time
from typing import Any

import pytest
import redis

from core import keys
from core.jobs import ingestion_job_id
from tests.stack.files.test_uploads import settled, uploaded
from tests.support.documents import pdf_of_pages
from tests.support.stack import MODELS, MakeStack, new_conversation, unique, wait_for_message

MARKER = "The lighthouse keeper hid the brass key under the seventh stair."


def test_a_long_pdf_gives_a_question_the_page_that_answers_it(make_stack: MakeStack) -> None:
    stack = make_stack()
    stack.start(workers=1)
    with stack.client() as client:
        made = uploaded(client, "manual.pdf", pdf_of_pages(60, {40: MARKER}))
        assert made["content_type"] == "application/pdf"
        ready = settled(client, made["id"])
        assert (ready["status"], ready["pages"]) == ("ready", 60), ready
        # Far past the model's window: only the document's best-matching parts can go in.
        assert ready["tokens"] > 3 * MODELS["scripted"]
        conversation_id = new_conversation(client)["id"]
        question = unique("where did the lighthouse keeper hide the brass key")
        sent = client.post(
            f"/api/conversations/{conversation_id}/messages",
            json={"content": question, "attachments": [made["id"]]},
        )
        assert sent.status_code == 202, sent.text
        answer = wait_for_message(client, sent.json()["assistant_message"]["id"])
        assert answer["status"] == "complete", answer
    requests: list[dict[str, Any]] = stack.upstream.http.get("/_requests").json()
    [request] = [r for r in requests if r["match"].startswith(question)]
    asked = request["messages"][-1]["content"]
    assert MARKER in asked
    assert "[page 40]" in asked
    assert "Only the parts of this document that best match the question are shown." in asked
    assert len(asked) < MODELS["scripted"] * 8  # a window's worth of text, not the document


@pytest.mark.faults
def test_a_worker_killed_while_reading_a_file_is_taken_over(make_stack: MakeStack) -> None:
    stack = make_stack(claim_ttl_seconds="2")
    stack.start(workers=1)
    pdf = pdf_of_pages(200)
    with stack.client() as client, redis.Redis.from_url(stack.redis.url) as connection:
        made = uploaded(client, "long.pdf", pdf)
        claim = keys.arq_in_progress(ingestion_job_id(made["id"]))
        deadline = time.monotonic() + 20
        while not connection.exists(claim):
            assert time.monotonic() < deadline, "no worker took the file"
            time.sleep(0.01)
        stack.workers[0].kill()  # mid-read: the file is still `processing`
        assert client.get(f"/api/files/{made['id']}").json()["status"] == "processing"
        stack.start_worker()
        ready = settled(client, made["id"], timeout=60)
        assert (ready["status"], ready["pages"]) == ("ready", 200), ready
        # Read once: its chunks were written in the one transaction of the run that finished.
        again = uploaded(client, "again.pdf", pdf)
        assert settled(client, again["id"])["tokens"] == ready["tokens"]
