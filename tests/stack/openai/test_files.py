"""`/v1/files` through the official `openai` SDK: a file uploaded, listed, retrieved, downloaded and
deleted in OpenAI's shapes, the same file as `/api/files`; a purpose other than `user_data`, a
file past the upload limit or the storage quota refused in OpenAI's error shape; anyone else's
file a 404 on every route (shared stack, and a deployment of the test's own)."""

import io
import time

import openai
import pytest

from tests.support.accounts import Member, give_storage_quota, new_user
from tests.support.stack import MakeStack, Stack

NOTES = b"# Field notes\n\nThe heron nests by the old mill.\n"


def sdk(stack: Stack, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=key or stack.key(), max_retries=0)


def processed(client: openai.OpenAI, file_id: str, timeout: float = 30) -> openai.types.FileObject:
    """The file once a worker has read it (or failed to)."""
    deadline = time.monotonic() + timeout
    while (found := client.files.retrieve(file_id)).status == "uploaded":
        assert time.monotonic() < deadline, found
        time.sleep(0.1)
    return found


def test_a_file_is_uploaded_listed_retrieved_downloaded_and_deleted(stack: Stack) -> None:
    client = sdk(stack)
    made = client.files.create(file=("notes.md", NOTES), purpose="user_data")
    assert (made.object, made.filename, made.bytes, made.purpose) == (
        "file",
        "notes.md",
        len(NOTES),
        "user_data",
    )
    assert made.status == "uploaded"
    assert made.expires_at is None
    assert abs(made.created_at - time.time()) < 60
    ready = processed(client, made.id)
    assert (ready.status, ready.status_details) == ("processed", None)
    assert client.files.content(made.id).content == NOTES
    with stack.client() as app:  # one set of files: the app's page shows it too
        assert app.get(f"/api/files/{made.id}").json()["status"] == "ready"

    second = client.files.create(file=("second.txt", b"second file"), purpose="user_data")
    newest_first = [f.id for f in client.files.list(limit=2).data]  # a page (iterating one pages on)
    assert newest_first == [second.id, made.id]
    assert [f.id for f in client.files.list(limit=1, order="asc", after=made.id).data] == [second.id]
    listed = client.files.list(limit=1)
    assert listed.has_more
    assert [f.id for f in client.files.list(limit=1, after=listed.data[0].id).data] == [made.id]
    assert list(client.files.list(purpose="fine-tune")) == []

    deleted = client.files.delete(made.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (made.id, "file", True)
    for call in (client.files.retrieve, client.files.content, client.files.delete):
        with pytest.raises(openai.NotFoundError) as gone:
            call(made.id)
        assert gone.value.message.endswith("File not found")
        assert (gone.value.code, gone.value.type) == ("not_found", "invalid_request_error")
    client.files.delete(second.id)


def test_a_file_that_cannot_be_read_is_an_error_with_its_sentence_and_no_content(stack: Stack) -> None:
    client = sdk(stack)
    made = client.files.create(file=("empty.txt", b""), purpose="user_data")
    assert (made.status, made.status_details) == ("error", "The file is empty.")
    with pytest.raises(openai.BadRequestError, match="could not be read"):
        client.files.content(made.id)
    client.files.delete(made.id)


def test_a_purpose_other_than_user_data_is_refused_naming_it(stack: Stack) -> None:
    client = sdk(stack)
    before = [f.id for f in client.files.list()]
    with pytest.raises(openai.BadRequestError) as refused:
        client.files.create(file=("data.jsonl", b'{"a": 1}\n'), purpose="fine-tune")
    assert refused.value.param == "purpose"
    assert "user_data" in refused.value.message
    with pytest.raises(openai.BadRequestError) as asked:
        client.files.create(
            file=("notes.md", NOTES),
            purpose="user_data",
            expires_after={"anchor": "created_at", "seconds": 3600},
        )
    assert (asked.value.param or "").startswith("expires_after")
    assert [f.id for f in client.files.list()] == before  # nothing stored


def test_another_users_file_is_a_404_on_every_files_route(stack: Stack) -> None:
    with stack.client() as admin:
        owner, other = new_user(admin, label="owner"), new_user(admin, label="other")
    made = sdk(stack, owner.key).files.create(file=("mine.md", NOTES), purpose="user_data")
    theirs = sdk(stack, other.key)
    for call in (theirs.files.retrieve, theirs.files.content, theirs.files.delete):
        with pytest.raises(openai.NotFoundError, match="File not found"):
            call(made.id)
    assert list(theirs.files.list()) == []
    assert sdk(stack, owner.key).files.retrieve(made.id).id == made.id  # untouched
    _close(owner, other)


def _close(*members: Member) -> None:
    for member in members:
        member.client.close()


def test_the_upload_limit_and_the_storage_quota_are_413s_in_openais_shape(make_stack: MakeStack) -> None:
    """No worker runs here: a file stays `uploaded`."""
    stack = make_stack(max_upload_mb="1")
    stack.start_api()
    with stack.client() as admin:
        member = new_user(admin, label="quota")
        give_storage_quota(admin, member.id, 1)
    client = sdk(stack, member.key)
    with pytest.raises(openai.APIStatusError) as too_big:
        client.files.create(file=("big.txt", io.BytesIO(b"a" * 1_000_001)), purpose="user_data")
    assert too_big.value.status_code == 413
    assert too_big.value.message.endswith("The file is too large; the limit is 1 MB.")
    assert too_big.value.code is None  # a file past the limit, not a prompt past the window
    first = client.files.create(file=("first.txt", b"a" * 600_000), purpose="user_data")
    with pytest.raises(openai.APIStatusError) as over:
        client.files.create(file=("second.txt", b"b" * 600_000), purpose="user_data")
    assert over.value.status_code == 413
    assert "Your files take 0.6 MB of your 1 MB" in over.value.message
    assert [f.id for f in client.files.list()] == [first.id]
    _close(member)
