"""Telling an import's format from its bytes, zips included, and the file's own limits."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from core.imports.reading import Format, ImportLimits, read_import
from core.transfer import ImportRefused

FIXTURES = Path(__file__).parents[2] / "fixtures" / "imports"
QUESTION = {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["hi"]}}
NUL_QUESTION = {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["a\u0000b"]}}
LIMITS = ImportLimits(
    max_bytes=1_000_000,
    max_messages=100,
    max_files=10,
    max_conversations=5,
    max_total_messages=50,
    max_zip_entries=10,
)


def zipped(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fixture", "kind", "titles"),
    [
        ("conversations.json", Format.chatgpt, ["Trip to Lisbon", "Sourdough starter"]),
        ("chatgpt-export.zip", Format.chatgpt, ["Trip to Lisbon", "Sourdough starter"]),
        ("openwebui-chat-export.json", Format.openwebui, ["Haiku about autumn", "Unit conversion"]),
    ],
)
def test_each_format_is_told_from_its_bytes(fixture: str, kind: Format, titles: list[str]) -> None:
    read = read_import((FIXTURES / fixture).read_bytes(), LIMITS)
    assert read.format is kind
    assert [c.conversation.title for c in read.conversations] == titles
    json_file = "conversations.json" if kind is Format.chatgpt else fixture
    assert read.json_bytes == len((FIXTURES / json_file).read_bytes())  # a zip's, unzipped


def test_a_zip_with_conversations_json_in_a_folder_is_read() -> None:
    data = (FIXTURES / "conversations.json").read_bytes()
    read = read_import(zipped({"export/chat.html": b"<html>", "export/conversations.json": data}), LIMITS)
    assert len(read.conversations) == 2


def test_one_conversation_alone_is_read() -> None:
    one = json.loads((FIXTURES / "conversations.json").read_text())[0]
    read = read_import(json.dumps(one).encode(), LIMITS)
    assert (read.format, len(read.conversations)) == (Format.chatgpt, 1)


def test_a_zip_bomb_is_refused_once_past_the_limit() -> None:
    bomb = zipped({"conversations.json": b"[" + b" " * 5_000_000 + b"]"})
    assert len(bomb) < 10_000  # tiny, and inflates to 5 MB
    with pytest.raises(ImportRefused) as refused:
        read_import(bomb, LIMITS)
    assert refused.value.too_big
    assert str(refused.value) == (
        "The zip's conversations.json is larger than 1 MB unzipped; the limit is 1 MB."
    )


def test_a_zip_that_lies_about_its_size_is_refused_all_the_same() -> None:
    bomb = bytearray(zipped({"conversations.json": b"[" + b" " * 3_000_000 + b"]"}))
    # Both headers' "uncompressed size" fields rewritten to say 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bomb.index(signature)
        bomb[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    # Inflated no further than the 10 bytes it claims, which then fail the entry's checksum.
    with pytest.raises(ImportRefused) as refused:
        read_import(bytes(bomb), LIMITS)
    assert str(refused.value).startswith("The zip is damaged or packed in a way relaychat cannot read")
    assert not refused.value.too_big


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (zipped({f"f{i}.txt": b"x" for i in range(11)}), "The zip holds 11 files; the limit is 10."),
        (zipped({"chat.html": b"<html>"}), "The zip holds no conversations.json"),
        (b"PK\x03\x04 but not a zip at all", "The zip is damaged or packed in a way relaychat cannot read"),
        (b"not json", "The file is not JSON"),
        (b"[]", "The file holds no conversations."),
        (b'[{"what": "ever"}]', "This is not a conversation export relaychat reads"),
        (b'{"format": "other"}', "This is not a relaychat conversation export"),
        (
            json.dumps([{"title": "t", "mapping": {}}] * 6).encode(),
            "The file holds 6 conversations; the limit is 5.",
        ),
        (
            json.dumps([{"title": "t", "mapping": {str(i): {} for i in range(30)}}] * 2).encode(),
            "The file holds 60 messages; the limit is 50.",
        ),
        (
            json.dumps(
                [{"title": "T", "mapping": {"q": {"message": NUL_QUESTION, "parent": None}}}]
            ).encode(),
            "Conversation 1 (“T”): message 1 holds a NUL character",
        ),
        (
            json.dumps(
                [{"title": "T\ud800", "mapping": {"q": {"message": QUESTION, "parent": None}}}]
            ).encode(),
            "Conversation 1 (“T\ud800”): its title or system prompt holds text that is not valid Unicode",
        ),
    ],
    ids=[
        "zip-entries",
        "zip-without-conversations",
        "damaged-zip",
        "not-json",
        "empty",
        "unknown",
        "other-format",
        "conversations",
        "messages",
        "nul",
        "lone-surrogate",
    ],
)
def test_a_bad_file_is_refused_with_its_sentence(body: bytes, sentence: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_import(body, LIMITS)
    assert str(refused.value).startswith(sentence), str(refused.value)
