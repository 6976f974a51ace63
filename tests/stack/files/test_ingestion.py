"""Reading real documents on the workers: a 60-page PDF too long for the prompt gives the question
the page that answers it, and the answer says so (its `sources`: the pages shown, a short note
beside it whole), from its first checkpoint on; a worker SIGKILLed while it reads a file is taken
over, and the file still ends `ready`, read once."""

import time
from typing import Any

import httpx
import pytest
import redis

from core import keys
from core.jobs import ingestion_job_id
from tests.stack.files.test_uploads import NOTES, settled, uploaded
from tests.support.documents import pdf_of_pages
from tests.support.stack import MODELS, MakeStack, new_conversation, unique, wait_for_message

MARKER = "The lighthouse keeper hid the brass key under the seventh stair."


def test_a_long_pdf_gives_a_question_the_page_that_answers_it(make_stack: MakeStack) -> None:
    stack = make_stack()
    stack.start(workers=1)
    # Every answer here takes about 3 s: long enough to be seen running after its first checkpoint.
    script = {"match": "*", "responses": [{"tokens": ["word "] * 20, "delay": 0.15}]}
    stack.upstream.http.post("/_scripts", json=script).raise_for_status()
    with stack.client() as client:
        made = uploaded(client, "manual.pdf", pdf_of_pages(60, {40: MARKER}))
        notes = uploaded(client, "notes.md", NOTES.encode())
        assert made["content_type"] == "application/pdf"
        ready = settled(client, made["id"])
        assert (ready["status"], ready["pages"]) == ("ready", 60), ready
        assert settled(client, notes["id"])["status"] == "ready"
        # Far past the model's window: only the document's best-matching parts can go in.
        assert ready["tokens"] > 3 * MODELS["scripted"]
        conversation_id = new_conversation(client)["id"]
        question = unique("where did the lighthouse keeper hide the brass key")
        sent = client.post(
            f"/api/conversations/{conversation_id}/messages",
            json={"content": question, "attachments": [made["id"], notes["id"]]},
        )
        assert sent.status_code == 202, sent.text
        answer_id = sent.json()["assistant_message"]["id"]
        assert sent.json()["assistant_message"]["sources"] is None  # no prompt yet
        # The first checkpoint (within a second of the first token) brings them, mid-answer.
        running = wait_until_sourced(client, answer_id)
        assert running["status"] == "streaming", running
        answer = wait_for_message(client, answer_id)
        assert answer["status"] == "complete", answer
        branch = client.get(f"/api/conversations/{conversation_id}/branch").json()["messages"]
    [pdf, note] = answer["sources"]
    assert (pdf["file_id"], pdf["name"], pdf["whole"]) == (made["id"], "manual.pdf", False), pdf
    assert 40 in pdf["pages"], pdf
    assert len(pdf["pages"]) < 60
    assert pdf["chunks"] == sorted(set(pdf["chunks"]))  # each once, in the document's order
    assert note == {"file_id": notes["id"], "name": "notes.md", "whole": True, "pages": None, "chunks": None}
    assert running["sources"] == answer["sources"]
    assert branch[-1]["sources"] == answer["sources"]
    requests: list[dict[str, Any]] = stack.upstream.http.get("/_requests").json()
    [request] = [r for r in requests if r["match"].startswith(question)]
    asked = request["messages"][-1]["content"]
    assert MARKER in asked
    assert "[page 40]" in asked
    assert "Only the parts of this document that best match the question are shown." in asked
    assert len(asked) < MODELS["scripted"] * 8  # a window's worth of text, not the document
    assert '<document name="notes.md">' in asked
    for page in pdf["pages"]:
        assert f"[page {page}]" in asked


def wait_until_sourced(client: httpx.Client, answer_id: str, timeout: float = 20) -> dict[str, Any]:
    """The answer once it says which documents it drew on."""
    deadline = time.monotonic() + timeout
    while True:
        answer: dict[str, Any] = client.get(f"/api/messages/{answer_id}").json()
        if answer["sources"] is not None:
            return answer
        assert time.monotonic() < deadline, answer
        time.sleep(0.05)


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
