"""Files in `/v1` requests, through the official `openai` SDK: the Responses API's `input_file`
and `input_image` parts and Chat Completions' `file` and `image_url` parts, by id or inline (a
data URL, stored as a file of the caller's), reach the model in one call: a document as its text
in the prompt, an image as an image part for a model that can see, the answer waiting for files
still being read. Each bad input is a 4xx naming its part, and nothing is left stored; anyone
else's file is a 404 (shared stack, and deployments of the tests' own)."""

import base64
import io
import time
from typing import Any

import openai
import pytest
from PIL import Image

from tests.support.accounts import new_user
from tests.support.stack import MakeStack, Stack, Upstream, job_results, unique

NOTES = b"# Field notes\n\nThe heron nests by the old mill.\n\nThe otters came back in spring.\n"


def sdk(stack: Stack, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=key or stack.key(), max_retries=0)


def png(width: int = 64, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


def data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def asked(text: str, *parts: dict[str, Any]) -> Any:
    """Chat Completions' messages: one user message, its text and `parts`."""
    return [{"role": "user", "content": [{"type": "text", "text": text}, *parts]}]


def given(text: str, *parts: dict[str, Any]) -> Any:
    """A Responses API input: one user message, its text and `parts`."""
    return [{"role": "user", "content": [{"type": "input_text", "text": text}, *parts]}]


def inline_file(name: str, data: bytes, media_type: str = "text/plain") -> dict[str, Any]:
    return {"type": "file", "file": {"filename": name, "file_data": data_url(data, media_type)}}


def last_content(upstream: Upstream, question: str) -> Any:
    """What the model was sent as the question's message (its text first)."""
    requests: list[dict[str, Any]] = upstream.http.get("/_requests").json()
    [request] = [r for r in requests if r["match"].startswith(question)]
    return request["messages"][-1]["content"]


def file_ids(client: openai.OpenAI) -> list[str]:
    return [f.id for f in client.files.list()]


def test_an_input_file_by_id_reaches_the_model_as_its_text(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    made = client.files.create(file=("notes.md", NOTES), purpose="user_data")
    question = unique("where does the heron nest")
    # Sent at once: the answer waits for the file to be read, in the same call.
    part = {"type": "input_file", "file_id": made.id}
    response = client.responses.create(model="scripted", input=given(question, part))
    assert response.status == "completed"
    text = last_content(upstream, question)
    assert text.startswith(question)
    assert '<document name="notes.md">' in text
    assert "The heron nests by the old mill." in text


def test_inline_file_data_is_stored_as_the_callers_file_and_read(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    question = unique("when did the otters come back")
    before = set(file_ids(client))
    part = {"type": "input_file", "filename": "otters.md", "file_data": data_url(NOTES, "text/markdown")}
    response = client.responses.create(model="scripted", input=given(question, part))
    assert response.status == "completed"
    assert "The otters came back in spring." in last_content(upstream, question)
    [stored] = [f for f in client.files.list() if f.id not in before]
    assert (stored.filename, stored.bytes, stored.status) == ("otters.md", len(NOTES), "processed")
    assert client.files.content(stored.id).content == NOTES


def test_chat_file_parts_by_id_and_inline_reach_the_model(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    made = client.files.create(file=("notes.md", NOTES), purpose="user_data")
    question = unique("what nests by the mill")
    by_id = {"type": "file", "file": {"file_id": made.id}}
    reply = client.chat.completions.create(
        model="scripted", messages=asked(question, by_id, inline_file("plain.txt", b"A second note."))
    )
    assert reply.choices[0].finish_reason == "stop"
    text = last_content(upstream, question)
    assert '<document name="notes.md">' in text
    assert '<document name="plain.txt">' in text
    assert "A second note." in text


def test_images_reach_a_model_that_sees_as_image_parts(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    uploaded = client.files.create(file=("red.png", png(300, 100)), purpose="user_data")
    question = unique("what colour are these")
    inline = {"type": "input_image", "detail": "auto", "image_url": data_url(png(), "image/png")}
    by_id = {"type": "input_image", "detail": "auto", "file_id": uploaded.id}
    response = client.responses.create(model="scripted", input=given(question, inline, by_id))
    assert response.status == "completed"
    text, first, second = last_content(upstream, question)
    assert text == {"type": "text", "text": question}
    for part, size in ((first, (64, 32)), (second, (300, 100))):
        assert part["type"] == "image_url"
        url = part["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")
        assert Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size == size

    chat_question = unique("and this one")
    image = {"type": "image_url", "image_url": {"url": data_url(png(20, 10), "image/png"), "detail": "high"}}
    client.chat.completions.create(model="scripted", messages=asked(chat_question, image))
    chat_text, sent = last_content(upstream, chat_question)
    assert chat_text == {"type": "text", "text": chat_question}
    assert sent["image_url"]["url"].startswith("data:image/png;base64,")


DAMAGED = b"%PDF-1.4\nnot really a pdf\n"  # a PDF by its first bytes, which no reader can read


def test_a_file_that_cannot_be_read_is_a_400_with_its_sentence(stack: Stack) -> None:
    """Read before the answer starts (refused then), or while it waits (the answer fails): a 400
    with the file's sentence either way."""
    with pytest.raises(openai.BadRequestError) as refused:
        sdk(stack).chat.completions.create(
            model="scripted",
            messages=asked(unique("summarize"), inline_file("broken.pdf", DAMAGED, "application/pdf")),
        )
    assert "broken.pdf could not be read" in refused.value.message


BAD_CHAT_PARTS: list[tuple[dict[str, Any], str, str]] = [
    (
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        "messages[0].content[1].image_url.url",
        "relaychat fetches nothing from the internet",
    ),
    (
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,not*base64"}},
        "messages[0].content[1].image_url.url",
        "is not valid base64",
    ),
    (
        {"type": "image_url", "image_url": {"url": data_url(b"hello", "text/plain")}},
        "messages[0].content[1].image_url.url",
        "is not an image relaychat reads",
    ),
    (
        {"type": "image_url", "image_url": {"url": data_url(NOTES, "image/png")}},
        "messages[0].content[1].image_url.url",
        "is not an image relaychat reads",
    ),
    (
        {"type": "image_url", "image_url": {"url": "data:image/png,plain"}},
        "messages[0].content[1].image_url.url",
        "must be base64",
    ),
    (
        {"type": "image_url", "image_url": {"url": data_url(png(), "image/png"), "detail": "low"}},
        "messages[0].content[1].image_url.detail",
        "relaychat offers `auto`, `high` here",
    ),
    (
        inline_file("blob.bin", b"\x00\x01\x02", "application/zip"),
        "messages[0].content[1].file.file_data",
        "This kind of file is not supported",
    ),
    (
        {"type": "file", "file": {"filename": "empty.txt", "file_data": "data:text/plain;base64,"}},
        "messages[0].content[1].file.file_data",
        "The file is empty.",
    ),
    ({"type": "file", "file": {"filename": "nothing.txt"}}, "messages[0].content[1].file", "give one of"),
    (
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        "messages[0].content",
        "only text, image and file parts are supported",
    ),
]


@pytest.mark.parametrize(("part", "param", "sentence"), BAD_CHAT_PARTS)
def test_each_bad_chat_part_is_a_400_naming_it_and_nothing_is_stored(
    stack: Stack, part: dict[str, Any], param: str, sentence: str
) -> None:
    client = sdk(stack)
    before = file_ids(client)
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="scripted", messages=asked("look", part))
    assert refused.value.param == param
    assert sentence in refused.value.message
    assert file_ids(client) == before


BAD_RESPONSE_PARTS: list[tuple[dict[str, Any], str, str]] = [
    (
        {"type": "input_file", "file_url": "https://example.com/a.pdf"},
        "input[0].content[1].file_url",
        "relaychat fetches nothing from the internet",
    ),
    (
        {"type": "input_image", "detail": "auto", "image_url": "http://example.com/a.png"},
        "input[0].content[1].image_url",
        "relaychat fetches nothing from the internet",
    ),
    ({"type": "input_image", "detail": "auto"}, "input[0].content[1]", "give one of"),
    (
        {"type": "input_file", "filename": "a.txt", "file_data": "data:text/plain;base64,@@@@"},
        "input[0].content[1].file_data",
        "is not valid base64",
    ),
]


@pytest.mark.parametrize(("part", "param", "sentence"), BAD_RESPONSE_PARTS)
def test_each_bad_responses_part_is_a_400_naming_it(
    stack: Stack, part: dict[str, Any], param: str, sentence: str
) -> None:
    client = sdk(stack)
    before = file_ids(client)
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="scripted", input=given("look", part))
    assert refused.value.param == param
    assert sentence in refused.value.message
    assert file_ids(client) == before


def test_files_are_bounded_and_go_with_the_users_question(stack: Stack) -> None:
    client = sdk(stack)
    note = inline_file("n.txt", b"a note")
    with pytest.raises(openai.BadRequestError) as too_many:
        client.chat.completions.create(model="scripted", messages=asked("read", *[note] * 11))
    assert too_many.value.param == "messages[0].content[11].file.file_data"
    assert "at most 10 files and images" in too_many.value.message
    call: Any = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    before = file_ids(client)
    with pytest.raises(openai.BadRequestError) as not_the_question:
        client.chat.completions.create(
            model="scripted",
            messages=[
                *asked("read", note),
                {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "done"},
            ],
        )
    assert not_the_question.value.param == "messages[0].content[1].file.file_data"
    assert "the last message must be the user's" in not_the_question.value.message
    assert file_ids(client) == before  # the inline file stored for it is gone again


def test_images_to_a_model_that_cannot_see_are_refused_before_anything_runs(stack: Stack) -> None:
    client = sdk(stack)
    uploaded = client.files.create(file=("red.png", png()), purpose="user_data")
    before = file_ids(client)
    image = {"type": "image_url", "image_url": {"url": data_url(png(), "image/png")}}
    with pytest.raises(openai.BadRequestError) as inline:
        client.chat.completions.create(model="scripted-alt", messages=asked("what is this?", image))
    assert inline.value.param == "messages[0].content[1].image_url.url"
    assert "cannot see images" in inline.value.message
    by_id = {"type": "input_image", "detail": "auto", "file_id": uploaded.id}
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="scripted-alt", input=given("what is this?", by_id))
    assert refused.value.param == "input[0].content[1].file_id"
    assert "cannot see images" in refused.value.message
    # An image sent as a file is an image too: stored, refused, and not kept.
    with pytest.raises(openai.BadRequestError) as as_a_file:
        client.chat.completions.create(
            model="scripted-alt", messages=asked("what is this?", inline_file("x.png", png(), "image/png"))
        )
    assert as_a_file.value.param == "messages[0].content[1].file.file_data"
    assert file_ids(client) == before


def test_another_users_file_is_a_404_as_a_part(stack: Stack) -> None:
    with stack.client() as admin:
        owner, other = new_user(admin, label="owner"), new_user(admin, label="other")
    made = sdk(stack, owner.key).files.create(file=("mine.md", NOTES), purpose="user_data")
    theirs = sdk(stack, other.key)
    with pytest.raises(openai.NotFoundError) as chat:
        theirs.chat.completions.create(
            model="scripted", messages=asked("read", {"type": "file", "file": {"file_id": made.id}})
        )
    assert (chat.value.param, chat.value.code) == ("messages[0].content[1].file.file_id", "not_found")
    for part in (
        {"type": "input_file", "file_id": made.id},
        {"type": "input_image", "detail": "auto", "file_id": made.id},
        {"type": "input_file", "file_id": "00000000-0000-7000-8000-000000000000"},
    ):
        with pytest.raises(openai.NotFoundError) as response:
            theirs.responses.create(model="scripted", input=given("read", part))
        assert response.value.param == "input[0].content[1].file_id"
    owner.client.close()
    other.client.close()


def test_an_inline_file_past_the_upload_limit_is_refused_before_it_is_decoded(make_stack: MakeStack) -> None:
    stack = make_stack(max_upload_mb="1")
    stack.start_api()
    client = sdk(stack)
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="scripted", messages=asked("read", inline_file("big.txt", b"a" * 1_000_001))
        )
    assert refused.value.param == "messages[0].content[1].file.file_data"
    assert "The file is too large; the limit is 1 MB." in refused.value.message
    assert file_ids(client) == []


def ended(client: openai.OpenAI, response_id: str) -> Any:
    deadline = time.monotonic() + 60
    while (response := client.responses.retrieve(response_id)).status in ("queued", "in_progress"):
        assert time.monotonic() < deadline, response
        time.sleep(0.2)
    return response


def test_an_answer_waits_for_its_files_and_fails_with_one_that_cannot_be_read(
    make_stack: MakeStack, upstream: Upstream
) -> None:
    """The worker starts after the requests: each answer's job finds its file still being read,
    waits without an attempt, then answers once it is read, or fails with the sentence of one
    that could not be."""
    stack = make_stack()
    stack.start_api()
    client = sdk(stack)
    diary = b"".join(b"Line %d of a long field diary about herons and otters.\n" % n for n in range(4_000))
    question = unique("how long is the diary")
    part = {"type": "input_file", "filename": "diary.txt", "file_data": data_url(diary, "text/plain")}
    waits = client.responses.create(model="scripted", background=True, input=given(question, part))
    damaged = {
        "type": "input_file",
        "filename": "broken.pdf",
        "file_data": data_url(DAMAGED, "application/pdf"),
    }
    fails = client.responses.create(
        model="scripted", background=True, input=given(unique("summarize"), damaged)
    )
    assert (waits.status, fails.status) == ("queued", "queued")
    worker = stack.start_worker()
    assert ended(client, waits.id).status == "completed"
    assert '<document name="diary.txt">' in last_content(upstream, question)
    failed = ended(client, fails.id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert str(failed.error.code) == "file_unreadable"
    assert failed.error.message.startswith("broken.pdf could not be read")
    results = job_results(worker, r"[0-9a-f-]+", "generate")
    assert any("waiting for its files" in result for result in results)  # no attempt while waiting
