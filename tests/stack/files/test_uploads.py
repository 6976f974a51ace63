"""`/api/files` through the whole stack: an upload is stored, read by a worker and `ready` with its
tokens; its type comes from its bytes; an empty or unreadable file ends `failed` with a sentence;
a question brings its documents into the prompt; anyone else's file is a 404 everywhere; the usage
report says what the user's files take."""

import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.accounts import give_storage_quota, new_user
from tests.support.stack import MakeStack, Stack, Upstream, new_conversation, unique, wait_for_message

NOTES = "# Field notes\n\nThe heron nests by the old mill.\n\nThe otters came back in spring.\n"


def upload(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post("/api/files", files={"file": (name, data, "application/octet-stream")})


def uploaded(client: httpx.Client, name: str, data: bytes) -> dict[str, Any]:
    made = upload(client, name, data)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def settled(client: httpx.Client, file_id: str, timeout: float = 30) -> dict[str, Any]:
    """The file once a worker has read it (or failed to)."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[str, Any] = client.get(f"/api/files/{file_id}").json()
        if found["status"] != "processing":
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.1)


def test_an_upload_is_stored_read_and_ready_with_its_tokens(client: httpx.Client) -> None:
    made = uploaded(client, "notes.md", NOTES.encode())
    assert (made["name"], made["size"], made["status"]) == ("notes.md", len(NOTES.encode()), "processing")
    assert made["content_type"] == "text/markdown"
    ready = settled(client, made["id"])
    assert ready["status"] == "ready", ready
    assert 10 < ready["tokens"] < 60
    assert ready["error"] is None
    content = client.get(f"/api/files/{made['id']}/content")
    assert content.status_code == 200
    assert content.content == NOTES.encode()
    assert content.headers["content-disposition"] == "attachment; filename*=UTF-8''notes.md"
    assert content.headers["content-type"].startswith("text/markdown")
    listed = client.get("/api/files").json()["items"]
    assert made["id"] in [f["id"] for f in listed]
    assert client.delete(f"/api/files/{made['id']}").status_code == 204
    assert client.get(f"/api/files/{made['id']}").status_code == 404
    assert client.get(f"/api/files/{made['id']}/content").status_code == 404


def test_a_text_too_long_for_the_tokenizer_in_one_piece_is_read(client: httpx.Client) -> None:
    """Regression: a text file over a million characters (one page) made the tokenizer raise; its
    reading failed on every try, and the file stayed `processing`."""
    text = "\n".join(f"Line {n}: the heron nests by the old mill." for n in range(40_000))
    assert len(text) > 1_500_000
    made = uploaded(client, "long.txt", text.encode())
    read = settled(client, made["id"], timeout=60)
    assert read["status"] == "ready", read
    assert read["tokens"] > 400_000


def test_the_type_comes_from_the_bytes_and_bad_files_end_failed_with_a_sentence(
    client: httpx.Client,
) -> None:
    html = uploaded(
        client, "page.txt", b"<!DOCTYPE html><html><body><p>Hello &amp; welcome</p></body></html>"
    )
    assert html["content_type"] == "text/html"
    assert settled(client, html["id"])["status"] == "ready"
    empty = uploaded(client, "empty.txt", b"")
    assert (empty["status"], empty["error"]) == ("failed", "The file is empty.")
    binary = uploaded(client, "data.txt", bytes(range(256)) * 10)
    assert binary["status"] == "failed"
    assert binary["error"].startswith("This kind of file is not supported")
    fake_pdf = uploaded(client, "report.pdf", b"%PDF-1.7\n this is no PDF at all")
    assert fake_pdf["content_type"] == "application/pdf"
    failed = settled(client, fake_pdf["id"])
    assert failed["status"] == "failed"
    assert failed["error"]
    assert client.get(f"/api/files/{fake_pdf['id']}/content").status_code == 422  # its bytes are gone
    assert upload(client, "x", b"").status_code == 201
    no_field = client.post("/api/files", files={"other": ("a.txt", b"hi", "text/plain")})
    assert no_field.status_code == 422
    assert no_field.json()["detail"] == "Send the file as the multipart field `file`."


def test_a_question_brings_its_documents_into_the_prompt(client: httpx.Client, upstream: Upstream) -> None:
    made = uploaded(client, "notes.md", NOTES.encode())
    assert settled(client, made["id"])["status"] == "ready"
    conversation_id = new_conversation(client)["id"]
    question = unique("where does the heron nest")
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": question, "attachments": [made["id"]]},
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["user_message"]["attachments"] == [made["id"]]
    wait_for_message(client, sent.json()["assistant_message"]["id"])
    everything: list[dict[str, Any]] = upstream.http.get("/_requests").json()
    [request] = [r for r in everything if r["match"].startswith(question)]
    asked = request["messages"][-1]["content"]
    assert asked.startswith(question)
    assert '<document name="notes.md">' in asked
    assert "The heron nests by the old mill." in asked
    # A follow-up question brings no file, and still reads the one asked about before.
    follow_up = unique("and when did the otters come back")
    sent = client.post(f"/api/conversations/{conversation_id}/messages", json={"content": follow_up})
    answer = wait_for_message(client, sent.json()["assistant_message"]["id"])
    everything = upstream.http.get("/_requests").json()
    [request] = [r for r in everything if r["match"].startswith(follow_up)]
    assert '<document name="notes.md">' in request["messages"][-1]["content"]
    assert [source["name"] for source in answer["sources"]] == ["notes.md"]


def test_another_users_file_is_a_404_on_every_route_and_cannot_be_attached(
    stack: Stack, client: httpx.Client
) -> None:
    owner, other = new_user(client, label="owner"), new_user(client, label="other")
    made = uploaded(owner.client, "private.md", b"# Private\n\nThe safe code is 4711.\n")
    settled(owner.client, made["id"])
    for method, path in (
        ("GET", f"/api/files/{made['id']}"),
        ("GET", f"/api/files/{made['id']}/content"),
        ("GET", f"/api/files/{made['id']}/thumbnail"),
        ("DELETE", f"/api/files/{made['id']}"),
    ):
        response = other.client.request(method, path)
        assert (response.status_code, response.json()["detail"]) == (404, "File not found"), path
    assert made["id"] not in [f["id"] for f in other.client.get("/api/files").json()["items"]]
    conversation_id = new_conversation(other.client)["id"]
    attached = other.client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": "what is the code?", "attachments": [made["id"]]},
    )
    assert (attached.status_code, attached.json()["detail"]) == (404, "attachments[0]: File not found")
    assert owner.client.get(f"/api/files/{made['id']}").json()["status"] == "ready"  # untouched
    owner.client.close()
    other.client.close()


def test_limits_hold_before_anything_is_stored_and_a_file_being_read_waits(make_stack: MakeStack) -> None:
    """No worker runs here: an upload stays `processing`."""
    stack = make_stack(max_upload_mb="1")
    stack.start_api()
    with stack.client() as admin:
        member = new_user(admin, label="quota")
        give_storage_quota(admin, member.id, 1)
    client = member.client
    too_big = upload(client, "big.txt", b"a" * 1_000_001)
    assert (too_big.status_code, too_big.json()["detail"]) == (
        413,
        "The file is too large; the limit is 1 MB.",
    )
    far_too_big = upload(client, "huge.txt", b"a" * 3_000_000)
    assert far_too_big.status_code == 413
    first = uploaded(client, "first.txt", b"a" * 600_000)
    over = upload(client, "second.txt", b"b" * 600_000)
    assert over.status_code == 413
    assert over.json()["detail"].startswith("Your files take 0.6 MB of your 1 MB")
    assert [f["id"] for f in client.get("/api/files").json()["items"]] == [first["id"]]  # nothing half-stored
    conversation_id = new_conversation(client)["id"]
    # A question may bring a file still being read: its answer waits for it (no worker here).
    waiting = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": "summarize", "attachments": [first["id"]]},
    )
    assert waiting.status_code == 202, waiting.text
    assert waiting.json()["assistant_message"]["status"] == "queued"
    client.close()


def test_the_usage_report_says_what_the_users_files_take(client: httpx.Client) -> None:
    """What the storage quota counts: a kept file's size, neither a failed one's (its bytes are
    gone) nor a deleted one's, nor anyone else's."""
    member, other = new_user(client, label="storage"), new_user(client, label="neighbour")

    def used(member_client: httpx.Client) -> int:
        report = member_client.get("/api/usage", params={"days": 1})
        assert report.status_code == 200, report.text
        taken: int = report.json()["storage_used_bytes"]
        return taken

    assert used(member.client) == 0
    kept = uploaded(member.client, "kept.md", NOTES.encode())
    doomed = uploaded(member.client, "doomed.txt", b"d" * 5_000)
    empty = uploaded(member.client, "empty.txt", b"")
    assert empty["status"] == "failed"
    uploaded(other.client, "theirs.txt", b"t" * 7_000)
    assert used(member.client) == len(NOTES.encode()) + 5_000  # counted while still being read
    assert settled(member.client, kept["id"])["status"] == "ready"
    assert member.client.delete(f"/api/files/{doomed['id']}").status_code == 204
    assert used(member.client) == len(NOTES.encode())
    assert used(other.client) == 7_000
    member.client.close()
    other.client.close()


def test_deleting_a_conversation_deletes_the_files_only_it_uses(client: httpx.Client) -> None:
    only_here = uploaded(client, "only.md", b"# Only\n\nUsed in one conversation.\n")
    shared = uploaded(client, "shared.md", b"# Shared\n\nUsed in two conversations.\n")
    for made in (only_here, shared):
        assert settled(client, made["id"])["status"] == "ready"
    doomed, kept = new_conversation(client)["id"], new_conversation(client)["id"]
    for conversation_id, files in ((doomed, [only_here["id"], shared["id"]]), (kept, [shared["id"]])):
        sent = client.post(
            f"/api/conversations/{conversation_id}/messages",
            json={"content": unique("about the files"), "attachments": files},
        )
        assert sent.status_code == 202, sent.text
        wait_for_message(client, sent.json()["assistant_message"]["id"])
    assert client.delete(f"/api/conversations/{doomed}").status_code == 204
    assert client.get(f"/api/files/{only_here['id']}").status_code == 404
    assert client.get(f"/api/files/{only_here['id']}/content").status_code == 404
    assert client.get(f"/api/files/{shared['id']}").json()["status"] == "ready"
    assert client.get(f"/api/files/{shared['id']}/content").status_code == 200


def _memory_kb(pid: int, field: str) -> int:
    """A figure of the process's memory from Linux (`VmRSS` now, `VmHWM` its peak), in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(f"{field}:")))


def _reset_peak(pid: int) -> None:
    """Start the peak (`VmHWM`) over from now: Linux's clear_refs 5."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def test_a_25_mb_upload_leaves_the_apis_memory_flat(make_stack: MakeStack) -> None:
    """The body streams through: the API never holds the file (Starlette spools it to disk past a
    megabyte, and it is copied to the store in pieces)."""
    stack = make_stack()
    stack.start_api()
    with stack.client() as client:
        warm = uploaded(client, "warm.txt", b"warm up the upload path once")
        assert warm["status"] == "processing"
        pid = stack.api.popen.pid
        _reset_peak(pid)
        before = _memory_kb(pid, "VmRSS")
        body = (b"0123456789abcdef" * 64 + b"\n") * 24_000  # 25 MB of text, within the limit
        assert len(body) <= 25_000_000
        made = uploaded(client, "big.txt", body)
        after = _memory_kb(pid, "VmHWM")
        assert made["size"] == len(body)
        assert client.get(f"/api/files/{made['id']}/content").content == body  # all of it, stored
        assert client.get(f"/api/files/{made['id']}/content").content == body
    assert after - before < 8_000, f"the API peak memory grew by {after - before} kB"


def test_a_question_may_be_its_files_alone_but_not_nothing(client: httpx.Client) -> None:
    made = uploaded(client, "notes.md", NOTES.encode())
    assert settled(client, made["id"])["status"] == "ready"
    conversation_id = new_conversation(client)["id"]
    nothing = client.post(f"/api/conversations/{conversation_id}/messages", json={"content": " "})
    assert (nothing.status_code, nothing.json()["detail"]) == (422, "Message is empty")
    alone = client.post(
        f"/api/conversations/{conversation_id}/messages", json={"content": "", "attachments": [made["id"]]}
    )
    assert alone.status_code == 202, alone.text
    answer = wait_for_message(client, alone.json()["assistant_message"]["id"])
    assert answer["status"] == "complete", answer
