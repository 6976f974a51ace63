"""The file parts of /v1 requests, read without a server: data URLs, each part's shape, the bounds
checked before anything is decoded, and decoding with its sentences."""

import base64
from typing import Any

import pytest

from api.openai.input_files import (
    MAX_FILE_PARTS,
    FilePart,
    Inline,
    chat_file_part,
    data_url,
    decoded,
    file_ids,
    file_parts,
    response_file_part,
)
from api.refusals import Invalid, TooLarge
from core.catalog import ModelSpec

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SEES = ModelSpec(id="sees", context_window=8192)
BLIND = ModelSpec(id="blind", context_window=8192, capabilities=frozenset())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def refusal(call: Any, *args: Any, **kwargs: Any) -> Invalid:
    with pytest.raises(Invalid) as refused:
        call(*args, **kwargs)
    return refused.value


def test_a_data_url_gives_its_type_and_base64_text() -> None:
    assert data_url(f"data:image/png;base64,{b64(PNG)}", "p", image=True) == Inline(
        b64(PNG), None, "image/png"
    )
    assert data_url("DATA:Text/Plain;charset=utf-8;base64,aGk=", "p", image=False) == Inline(
        "aGk=", None, "text/plain"
    )
    assert data_url("data:;base64,aGk=", "p", image=False).media_type is None


@pytest.mark.parametrize(
    ("url", "image", "sentence"),
    [
        ("https://example.com/a.png", True, "relaychat fetches nothing from the internet: send the image"),
        ("http://example.com/a.pdf", False, "relaychat fetches nothing from the internet: send the file"),
        ("ftp://example.com/a.png", True, "must be a data URL"),
        ("data:image/png;base64", True, "must be a data URL"),
        ("data:image/png,rawbytes", True, "must be base64"),
        (f"data:text/plain;base64,{b64(b'hi')}", True, "a data URL of text/plain is not an image"),
        (f"data:;base64,{b64(PNG)}", True, "a data URL of no type is not an image"),
    ],
)
def test_a_bad_data_url_is_refused_with_a_sentence(url: str, image: bool, sentence: str) -> None:
    refused = refusal(data_url, url, "messages[0].content[1]", image=image)
    assert sentence in refused.sentence
    assert refused.param == "messages[0].content[1]"


def test_chat_parts_by_id_and_inline() -> None:
    assert chat_file_part({"type": "text", "text": "hi"}, "m") is None
    assert chat_file_part({"type": "file", "file": {"file_id": "f1"}}, "m") == FilePart(
        "m.file.file_id", False, file_id="f1"
    )
    inline = chat_file_part({"type": "file", "file": {"file_data": b64(b"hi"), "filename": "a.txt"}}, "m")
    assert inline == FilePart("m.file.file_data", False, inline=Inline(b64(b"hi"), "a.txt", None))
    image = chat_file_part(
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}}, "m"
    )
    assert image == FilePart("m.image_url.url", True, inline=Inline(b64(PNG), None, "image/png"))


@pytest.mark.parametrize(
    ("part", "param", "sentence"),
    [
        ({"type": "file", "file": {"file_id": "f1", "file_data": "aGk="}}, "m.file", "give one of"),
        ({"type": "file", "file": {}}, "m.file", "give one of"),
        ({"type": "file", "file": "f1"}, "m.file", "must be an object"),
        ({"type": "file", "file": {"file_id": ""}}, "m.file.file_id", "must be a non-empty string"),
        ({"type": "file", "file": {"file_id": 7}}, "m.file.file_id", "must be a non-empty string"),
        (
            {"type": "image_url", "image_url": "data:image/png;base64,aGk="},
            "m.image_url",
            "must be an object",
        ),
        (
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,aGk=", "detail": "low"}},
            "m.image_url.detail",
            "relaychat offers `auto`, `high` here, not `low`",
        ),
    ],
)
def test_a_bad_chat_part_names_its_field(part: dict[str, Any], param: str, sentence: str) -> None:
    refused = refusal(chat_file_part, part, "m")
    assert (refused.param, sentence in refused.sentence) == (param, True)


def test_responses_parts_by_id_and_inline() -> None:
    assert response_file_part({"type": "input_text", "text": "hi"}, "i") is None
    assert response_file_part({"type": "input_file", "file_id": "f1"}, "i") == FilePart(
        "i.file_id", False, file_id="f1"
    )
    assert response_file_part({"type": "input_image", "detail": "auto", "file_id": "f2"}, "i") == FilePart(
        "i.file_id", True, file_id="f2"
    )
    url = f"data:application/pdf;base64,{b64(b'%PDF-')}"
    assert response_file_part({"type": "input_file", "filename": "a.pdf", "file_data": url}, "i") == FilePart(
        "i.file_data", False, inline=Inline(b64(b"%PDF-"), "a.pdf", "application/pdf")
    )
    file_url = refusal(response_file_part, {"type": "input_file", "file_url": "https://x.test/a.pdf"}, "i")
    assert file_url.param == "i.file_url"
    both = {
        "type": "input_image",
        "detail": "auto",
        "file_id": "f",
        "image_url": "data:image/png;base64,aGk=",
    }
    assert refusal(response_file_part, both, "i").param == "i"
    assert refusal(
        response_file_part, {"type": "input_file", "file_id": "f", "detail": "high"}, "i"
    ).param == ("i.detail")


def _file(n: int) -> dict[str, Any]:
    return {"type": "file", "file": {"file_id": f"f{n}"}}


def test_the_requests_files_are_bounded_before_anything_is_decoded() -> None:
    parts = file_parts([([{"type": "text", "text": "hi"}, _file(1)], "messages[0]")], chat_file_part, SEES, 1)
    assert [part.param for part in parts] == ["messages[0].content[1].file.file_id"]
    assert file_parts([("just text", "messages[0]")], chat_file_part, SEES, 1) == []

    many = [_file(n) for n in range(MAX_FILE_PARTS + 1)]
    too_many = refusal(file_parts, [(many, "messages[2]")], chat_file_part, SEES, 1)
    assert too_many.param == f"messages[2].content[{MAX_FILE_PARTS}].file.file_id"

    image = {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}}
    blind = refusal(file_parts, [([image], "messages[0]")], chat_file_part, BLIND, 1)
    assert (blind.param, "cannot see images" in blind.sentence) == (
        "messages[0].content[0].image_url.url",
        True,
    )

    # 1,000,002 bytes in base64, never decoded: past a 1 MB limit.
    big = {"type": "file", "file": {"file_data": "A" * 1_333_336, "filename": "big.txt"}}
    with pytest.raises(TooLarge) as too_large:
        file_parts([([big], "messages[0]")], chat_file_part, SEES, 1)
    assert too_large.value.param == "messages[0].content[0].file.file_data"
    exactly = {"type": "file", "file": {"file_data": "A" * 1_333_332 + "AA==", "filename": "big.txt"}}
    assert len(file_parts([([exactly], "messages[0]")], chat_file_part, SEES, 1)) == 1  # 1,000,000 bytes


def test_decoding_reads_the_bytes_and_their_kind() -> None:
    note = decoded(FilePart("p", False, inline=Inline(b64(b"# Notes\n"), "notes.md", None)))
    assert (note.data, note.name) == (b"# Notes\n", "notes.md")
    assert decoded(FilePart("p", False, inline=Inline(b64(b"text"), None, None))).name == "file"
    assert decoded(FilePart("p", True, inline=Inline(b64(PNG), None, "image/png"))).name == "image.png"
    for inline, image, sentence in [
        (Inline("not*base64", None, None), False, "is not valid base64"),
        (Inline("", None, None), False, "The file is empty."),
        (Inline(b64(b"\x00\x01"), None, None), False, "This kind of file is not supported"),
        (Inline(b64(b"plain text"), None, "image/png"), True, "is not an image relaychat reads"),
    ]:
        refused = refusal(decoded, FilePart("p", image, inline=inline))
        assert (refused.param, sentence in refused.sentence) == ("p", True)


def test_a_requests_files_are_attached_once_each_in_order() -> None:
    parts = [
        FilePart("a", False, file_id="f1"),
        FilePart("b", False, inline=Inline("aGk=", None, None)),
        FilePart("c", False, file_id="f1"),
    ]
    assert file_ids(parts, {"b": "f2"}) == [("f1", "a"), ("f2", "b")]
