"""Export and import with attachments, end to end: an export carries the files its questions bring
(their bytes, base64), and an import by another user makes them that user's own files, read again
by a worker, so that an answer in the imported conversation draws on them. Bad files (corrupt
base64, past the upload limit or the importer's quota, too many) are refused with a sentence, and
nothing of them is left: no conversation, no file, no bytes, no admission."""

import base64
import copy
import json
from typing import Any

import httpx
import pytest
import redis

from core import keys
from tests.stack.conversations.test_transfer import export_json, import_file, without_ids
from tests.stack.files.test_images import png
from tests.stack.files.test_uploads import settled, uploaded
from tests.support.accounts import UNLIMITED, Member, give_storage_quota, new_user
from tests.support.documents import pdf_of_pages
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, Upstream, new_conversation, unique, wait_for_message

MARKER = "The ferryman keeps the spare oars in the blue boathouse."
NOTES = b"# Notes\n\nThe heron nests by the old mill.\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def asked(upstream: Upstream, question: str) -> list[list[dict[str, Any]]]:
    """The messages of every request the model was sent for `question`."""
    everything: list[dict[str, Any]] = upstream.http.get("/_requests").json()
    return [r["messages"] for r in everything if r["match"].startswith(question)]


def owned(client: httpx.Client) -> tuple[list[str], list[str]]:
    """The user's conversations and files, by id."""
    conversations = [c["id"] for c in client.get("/api/conversations").json()["items"]]
    files = [f["id"] for f in client.get("/api/files", params={"limit": 200}).json()["items"]]
    return conversations, files


@pytest.fixture
def two_users(stack: Stack) -> Any:
    with stack.client() as admin:
        owner, importer = new_user(admin, label="exporter"), new_user(admin, label="importer")
    yield owner, importer
    owner.client.close()
    importer.client.close()


def test_an_export_carries_its_files_and_an_import_makes_them_the_importers_own(
    upstream: Upstream, two_users: tuple[Member, Member]
) -> None:
    owner, importer = two_users
    pdf, picture = pdf_of_pages(3, {2: MARKER}), png(600, 300)
    report, photo = uploaded(owner.client, "report.pdf", pdf), uploaded(owner.client, "photo.png", picture)
    for made in (report, photo):
        assert settled(owner.client, made["id"])["status"] == "ready"
    conversation_id = new_conversation(owner.client, title="With files")["id"]
    question = unique("where are the spare oars kept")
    sent = owner.client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": question, "attachments": [report["id"], photo["id"]]},
    )
    assert sent.status_code == 202, sent.text
    assert wait_for_message(owner.client, sent.json()["assistant_message"]["id"])["status"] == "complete"

    exported = export_json(owner.client, conversation_id)
    assert exported["version"] == 2
    assert exported["messages"][0]["attachments"] == [report["id"], photo["id"]]
    entries = exported["files"]
    assert [(f["id"], f["name"], f["content_type"], f["size"]) for f in entries] == [
        (report["id"], "report.pdf", "application/pdf", len(pdf)),
        (photo["id"], "photo.png", "image/png", len(picture)),
    ]
    assert [base64.b64decode(f["data"]) for f in entries] == [pdf, picture]

    before = owned(importer.client)
    imported = import_file(importer.client, json.dumps(exported))
    assert imported.status_code == 201, imported.text
    copy_id = imported.json()["id"]
    [copied_question, copied_answer] = importer.client.get(f"/api/conversations/{copy_id}/messages").json()
    new_ids = copied_question["attachments"]
    assert len(new_ids) == 2
    assert not set(new_ids) & {report["id"], photo["id"]}
    assert owned(importer.client)[1] == [*reversed(new_ids), *before[1]]  # theirs now, newest first

    # Read again by a worker: ready with what their bytes hold, the image with its thumbnail.
    new_report, new_photo = (settled(importer.client, file_id) for file_id in new_ids)
    assert (new_report["status"], new_report["name"], new_report["pages"]) == ("ready", "report.pdf", 3)
    assert new_report["tokens"] > 0
    assert (new_photo["status"], new_photo["width"], new_photo["height"]) == ("ready", 600, 300)
    assert importer.client.get(f"/api/files/{new_ids[0]}/content").content == pdf
    assert importer.client.get(f"/api/files/{new_ids[1]}/thumbnail").status_code == 200
    # Each user sees only their own copy.
    for file_id in new_ids:
        assert owner.client.get(f"/api/files/{file_id}").status_code == 404
    for file_id in (report["id"], photo["id"]):
        assert importer.client.get(f"/api/files/{file_id}").status_code == 404

    # It exports again as it came in, apart from the ids.
    assert without_ids(export_json(importer.client, copy_id)) == without_ids(exported)

    # An answer in the imported conversation draws on the imported document and image.
    again = importer.client.post(f"/api/messages/{copied_answer['id']}/regenerate", json={})
    assert again.status_code == 202, again.text
    answer = wait_for_message(importer.client, again.json()["assistant_message"]["id"])
    assert answer["status"] == "complete", answer
    first, latest = asked(upstream, question)
    text, image = latest[-1]["content"]
    assert text["text"].startswith(question)
    assert '<document name="report.pdf">' in text["text"]
    assert MARKER in text["text"]
    assert image["image_url"]["url"].startswith("data:image/png;base64,")
    assert latest[-1] == first[-1]  # what the exporter's answer was given, the importer's is too


def test_an_attachment_deleted_before_the_export_stays_deleted_and_names_no_file(
    client: httpx.Client,
) -> None:
    kept, gone = uploaded(client, "kept.md", NOTES), uploaded(client, "gone.md", b"# Gone\n\nSoon.\n")
    for made in (kept, gone):
        assert settled(client, made["id"])["status"] == "ready"
    conversation_id = new_conversation(client)["id"]
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": unique("two files"), "attachments": [kept["id"], gone["id"]]},
    )
    assert sent.status_code == 202, sent.text
    wait_for_message(client, sent.json()["assistant_message"]["id"])
    assert client.delete(f"/api/files/{gone['id']}").status_code == 204

    exported = export_json(client, conversation_id)
    assert [f["name"] for f in exported["files"]] == ["kept.md"]
    assert exported["messages"][0]["attachments"] == [kept["id"], gone["id"]]
    imported = import_file(client, json.dumps(exported))
    assert imported.status_code == 201, imported.text
    question = client.get(f"/api/conversations/{imported.json()['id']}/messages").json()[0]
    copied, missing = question["attachments"]
    assert client.get(f"/api/files/{copied}").json()["name"] == "kept.md"
    assert missing != gone["id"]
    assert client.get(f"/api/files/{missing}").status_code == 404


def test_a_version_1_export_still_imports(client: httpx.Client, upstream: Upstream) -> None:
    conversation_id = new_conversation(client)["id"]
    question = unique("old format")
    upstream.script(question, {"tokens": ["fine"]})
    sent = client.post(f"/api/conversations/{conversation_id}/messages", json={"content": question})
    wait_for_message(client, sent.json()["assistant_message"]["id"])
    exported = export_json(client, conversation_id)
    old = {**exported, "version": 1}
    del old["files"]
    for message in old["messages"]:
        del message["attachments"]
    imported = import_file(client, json.dumps(old))
    assert imported.status_code == 201, imported.text
    with_files = import_file(client, json.dumps({**old, "files": []}))
    assert (with_files.status_code, with_files.json()["detail"]) == (
        422,
        "This export is version 1, which carries no files: files came with version 2.",
    )


def an_export_with(client: httpx.Client, files: dict[str, bytes]) -> dict[str, Any]:
    """An export of a new conversation whose question brings `files` (name: bytes)."""
    made = [uploaded(client, name, data) for name, data in files.items()]
    for file in made:
        assert settled(client, file["id"])["status"] == "ready"
    conversation_id = new_conversation(client)["id"]
    sent = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": unique("with files"), "attachments": [f["id"] for f in made]},
    )
    assert sent.status_code == 202, sent.text
    wait_for_message(client, sent.json()["assistant_message"]["id"])
    return export_json(client, conversation_id)


def corrupt(file: dict[str, Any]) -> None:
    data = file["files"][0]["data"]
    file["files"][0]["data"] = data[:8] + "!!!!" + data[12:]


def another_size(file: dict[str, Any]) -> None:
    file["files"][0]["size"] += 3


def unattached(file: dict[str, Any]) -> None:
    file["messages"][0]["attachments"] = None


def not_a_kind_we_read(file: dict[str, Any]) -> None:
    data = bytes(range(256)) * 4
    file["files"][0].update(data=b64(data), size=len(data))


def empty(file: dict[str, Any]) -> None:
    file["files"][0].update(data="", size=0)


def repeated(file: dict[str, Any]) -> None:
    file["files"].append(copy.deepcopy(file["files"][0]))


def twice_on_a_message(file: dict[str, Any]) -> None:
    file["messages"][0]["attachments"] *= 2


def too_many(file: dict[str, Any]) -> None:
    file["files"] = [file["files"][0]] * 101


@pytest.mark.parametrize(
    ("change", "code", "sentence"),
    [
        (corrupt, 422, "Attachment 1 (notes.md) is not valid base64."),
        (
            another_size,
            422,
            f"Attachment 1 (notes.md) does not hold the {len(NOTES) + 3} bytes its size says.",
        ),
        (unattached, 422, "Attachment 1 (notes.md) is attached to no message."),
        (
            not_a_kind_we_read,
            422,
            "Attachment 1 (notes.md): This kind of file is not supported: relaychat reads text, PDF, Word",
        ),
        (empty, 422, "Attachment 1 (notes.md): The file is empty."),
        (repeated, 422, "Attachment 2 repeats the id of an earlier attachment"),
        (twice_on_a_message, 422, "Message 1 attaches the same file twice."),
        (too_many, 413, "The file carries 101 files; the limit is 100."),
        (lambda f: f["files"][0].pop("data"), 422, "files.0.data: Field required"),
    ],
    ids=[
        "corrupt-base64",
        "size",
        "unattached",
        "unsupported",
        "empty",
        "repeated",
        "twice",
        "too-many",
        "no-data",
    ],
)
def test_a_bad_file_is_refused_with_a_sentence_and_nothing_is_left(
    client: httpx.Client, change: Any, code: int, sentence: str
) -> None:
    exported = an_export_with(client, {"notes.md": NOTES})
    change(exported)
    before = owned(client)
    refused = import_file(client, json.dumps(exported))
    assert refused.status_code == code, refused.text
    assert sentence in refused.json()["detail"]
    assert owned(client) == before


def test_limits_hold_before_anything_is_written_and_nothing_is_left(make_stack: MakeStack) -> None:
    """The upload limit (1 MB here), the importer's quota (2 MB), and their admission."""
    stack = make_stack(max_upload_mb="1")
    stack.start(workers=1)
    with stack.client() as admin, redis.Redis.from_url(stack.redis.url) as connection:
        big, small = b"a" * 900_000, b"b" * 700_000
        exported = an_export_with(admin, {"big.txt": big, "small.txt": small})
        importer = new_user(admin, label="quota")
        give_storage_quota(admin, importer.id, 2)
        client = importer.client
        assert uploaded(client, "mine.txt", b"c" * 500_000)["status"] == "processing"
        before = owned(client)

        over_quota = import_file(client, json.dumps(exported))
        assert (over_quota.status_code, over_quota.json()["detail"]) == (
            413,
            "Your files take 0.5 MB of your 2 MB; this import (1.6 MB) does not fit. "
            "Delete some files first.",
        )
        past_the_limit = copy.deepcopy(exported)
        huge = b"d" * 1_200_000
        past_the_limit["files"][0].update(data=b64(huge), size=len(huge))
        too_large = import_file(client, json.dumps(past_the_limit))
        assert (too_large.status_code, too_large.json()["detail"]) == (
            413,
            "Attachment 1 (big.txt) is 1.2 MB; the limit for a file is 1 MB.",
        )
        # One waiting job at a time: the second file's reading is not admitted.
        waiting = admin.put(
            f"/api/admin/users/{importer.id}/limits",
            json={**dict.fromkeys(UNLIMITED), "waiting_answers": 1, "storage_mb": 2},
        )
        assert waiting.status_code == 200, waiting.text
        settled(client, before[1][0])  # their own upload's reading is done, and its admission given back:
        wait_until(
            lambda: connection.zcard(keys.admitted(importer.id)) == 0, 10, "the upload's admission to end"
        )
        one_at_a_time = copy.deepcopy(exported)
        for entry, data in zip(one_at_a_time["files"], (b"e" * 300, b"f" * 300), strict=True):
            entry.update(data=b64(data), size=len(data))
        too_many = import_file(client, json.dumps(one_at_a_time))
        assert too_many.status_code == 429, too_many.text
        assert owned(client) == before
        assert connection.zcard(keys.admitted(importer.id)) == 0  # every admission given back
        client.close()
