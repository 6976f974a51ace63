"""ChatGPT's data export as it is downloaded: a zip, of which only `conversations.json` is read.

A zip says how large each file inflates to, and may lie: the file is inflated for real, a piece
at a time, and refused once past the limit, so a small zip that inflates to gigabytes (a zip
bomb) costs no more than the limit. Its list of files is held to a count too; nothing else in
it (the images, `chat.html`) is inflated.
"""

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from core.transfer import ImportRefused

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first entry, or an empty zip's end
CONVERSATIONS = "conversations.json"
PIECE_BYTES = 1_048_576


def is_zip(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def conversations_json(raw: bytes, max_bytes: int, max_entries: int) -> bytes:
    """The bytes of the zip's `conversations.json` (the shallowest, if there are several), at most
    `max_bytes` of them inflated; ImportRefused with a sentence for a zip that is damaged, holds
    more than `max_entries` files, has no such file, is encrypted, or inflates past the limit."""
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
        raise too_big  # as it says; a smaller size it says is not believed (below)
    data = bytearray()
    with archive.open(entry) as stream:
        while piece := stream.read(PIECE_BYTES):
            data += piece
            if len(data) > max_bytes:
                raise too_big
    return bytes(data)
