"""ChatGPT's data export as it is downloaded: a zip, of which only `conversations.json` is read.

A zip says how large each file inflates to, and may lie: the file is inflated for real, a piece
at a time, and refused once past the limit, so a small zip that inflates to gigabytes (a zip
bomb) costs no more than the limit. Its list of files is held to a count too, before `ZipFile`
reads it (which builds an object for every file: half a million empty ones fit in 50 MB and took
hundreds of megabytes): the count its end record declares, then its central directory walked
header by header, without keeping them, as the count may lie. Nothing else in it (the images,
`chat.html`) is inflated.
"""

import io
import struct
import zipfile
import zlib
from pathlib import PurePosixPath

from core.transfer import ImportRefused

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip's end
CONVERSATIONS = "conversations.json"


def is_zip(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


# The end of central directory record, ZIP64's locator and its record (APPNOTE 4.3.14-16).
_END = struct.Struct("<4s4H2LH")
_END_MAGIC = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")
_LOCATOR_MAGIC = b"PK\x06\x07"
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_MAGIC = b"PK\x06\x06"
_ENTRY = struct.Struct("<4s24xHHH12x")  # a central directory header, to its lengths of name, extra, comment
_ENTRY_MAGIC = b"PK\x01\x02"
_MAX_COMMENT = 65_535


def _directory(raw: bytes) -> tuple[int, int, int] | None:
    """The count of files the zip's end record declares, and where its central directory starts
    and ends; None when there is no end record (ZipFile says it is damaged)."""
    at = raw.rfind(_END_MAGIC, max(0, len(raw) - _END.size - _MAX_COMMENT))
    if at < 0 or len(raw) - at < _END.size:
        return None
    _, _, _, _, count, size, _, _ = _END.unpack_from(raw, at)
    end = at
    locator = at - _LOCATOR.size
    if locator >= _END64.size and raw[locator : locator + 4] == _LOCATOR_MAGIC:
        record = locator - _END64.size
        if raw[record : record + 4] == _END64_MAGIC:
            *_, count, size, _ = _END64.unpack_from(raw, record)
            end = record
    return count, max(0, end - size), end


def _check_entries(raw: bytes, max_entries: int) -> None:
    """ImportRefused when the zip holds more than `max_entries` files, as its end record says or
    as its central directory holds (a header at a time, each read and dropped)."""
    directory = _directory(raw)
    if directory is None:
        return
    count, at, end = directory
    if count > max_entries:
        raise ImportRefused(f"The zip holds {count:,} files; the limit is {max_entries:,}.", too_big=True)
    seen = 0
    while at + _ENTRY.size <= end and raw[at : at + 4] == _ENTRY_MAGIC:
        seen += 1
        if seen > max_entries:
            raise ImportRefused(
                f"The zip holds more than {max_entries:,} files; the limit is {max_entries:,}.", too_big=True
            )
        _, name, extra, comment = _ENTRY.unpack_from(raw, at)
        at += _ENTRY.size + name + extra + comment


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def conversations_json(raw: bytes, max_bytes: int, max_entries: int) -> bytes:
    """The bytes of the zip's `conversations.json` (the shallowest, if there are several), at most
    `max_bytes` of them inflated; ImportRefused with a sentence for a zip that is damaged, holds
    more than `max_entries` files, has no such file, is encrypted, or inflates past the limit."""
    _check_entries(raw, max_entries)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise ImportRefused(
                    f"The zip holds {len(entries):,} files; the limit is {max_entries:,}.", too_big=True
                )
            found = [
                entry
                for entry in entries
                if not entry.is_dir() and PurePosixPath(entry.filename).name == CONVERSATIONS
            ]
            if not found:
                raise ImportRefused(
                    "The zip holds no conversations.json: choose ChatGPT's data export as it was downloaded."
                )
            entry = min(found, key=lambda entry: entry.filename.count("/"))
            if entry.flag_bits & 0x1:
                raise ImportRefused("The zip's conversations.json is encrypted; relaychat cannot read it.")
            return _inflated(archive, entry, max_bytes)
    except ImportRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as error:
        raise ImportRefused(
            f"The zip is damaged or packed in a way relaychat cannot read ({error})."
        ) from None


def _inflated(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, max_bytes: int) -> bytes:
    too_big = ImportRefused(
        f"The zip's conversations.json is larger than {_megabytes(max_bytes)} unzipped; "
        f"the limit is {_megabytes(max_bytes)}.",
        too_big=True,
    )
    if entry.file_size > max_bytes:
        raise too_big
    # zipfile inflates no more than the size the entry declares, and a size that lies fails the
    # entry's CRC check (BadZipFile: "damaged"): what is read is within the limit either way.
    return archive.read(entry)
