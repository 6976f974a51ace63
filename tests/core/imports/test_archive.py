"""A ChatGPT export's zip held to its count of files before `ZipFile` reads its list of them."""

import io
import struct
import zipfile

import pytest

from core.imports.archive import conversations_json
from core.transfer import ImportRefused

MAX_BYTES = 1_000_000
END = struct.Struct("<4s4H2LH")
END64 = struct.Struct("<4sQ2H2L4Q")
LOCATOR = struct.Struct("<4sLQL")


def zipped(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("conversations.json", b"[]")
        for number in range(count - 1):
            archive.writestr(f"image-{number}.png", b"")
    return buffer.getvalue()


def declaring(raw: bytes, count: int) -> bytes:
    """The zip with its end record declaring `count` files, whatever its directory holds."""
    at = raw.rfind(b"PK\x05\x06")
    fields = list(END.unpack_from(raw, at))
    fields[3] = fields[4] = count
    return raw[:at] + END.pack(*fields) + raw[at + END.size :]


def as_zip64(raw: bytes, count: int) -> bytes:
    """The zip's end as ZIP64 writes it for a large one: its counts in a ZIP64 record, 0xFFFF in
    the classic one."""
    at = raw.rfind(b"PK\x05\x06")
    sig, disk, cd_disk, _, _, size, offset, comment = END.unpack_from(raw, at)
    record = END64.pack(b"PK\x06\x06", END64.size - 12, 45, 45, 0, 0, count, count, size, offset)
    locator = LOCATOR.pack(b"PK\x06\x07", 0, at, 1)
    end = END.pack(sig, disk, cd_disk, 0xFFFF, 0xFFFF, size, offset, comment)
    return raw[:at] + record + locator + end


def test_a_zip_within_the_count_is_read() -> None:
    assert conversations_json(zipped(5), MAX_BYTES, max_entries=5) == b"[]"
    assert conversations_json(as_zip64(zipped(5), 5), MAX_BYTES, max_entries=5) == b"[]"


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        (zipped(6), "The zip holds 6 files; the limit is 5."),
        # An end record claiming more files than it holds is refused from its count alone: ZipFile
        # read the whole directory first, an object a file, whatever the limit.
        (declaring(zipped(1), 65_000), "The zip holds 65,000 files; the limit is 5."),
        (as_zip64(zipped(2), 590_000), "The zip holds 590,000 files; the limit is 5."),
        # One that says it holds fewer than its directory does is counted by its directory.
        (declaring(zipped(6), 1), "The zip holds more than 5 files; the limit is 5."),
        (as_zip64(zipped(6), 1), "The zip holds more than 5 files; the limit is 5."),
    ],
    ids=["counted", "declared", "declared-zip64", "lying", "lying-zip64"],
)
def test_a_zip_past_its_count_of_files_is_refused_before_it_is_opened(raw: bytes, sentence: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        conversations_json(raw, MAX_BYTES, max_entries=5)
    assert str(refused.value) == sentence
    assert refused.value.too_big
