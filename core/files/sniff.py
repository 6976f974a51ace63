"""What a file is, from its first bytes (never the client's word); its name only tells text apart."""

import codecs
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

SNIFF_BYTES = 8192

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
CSV = "text/csv"
JSON = "application/json"
TEXT = "text/plain"
IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp"}

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]
_BY_EXTENSION = {".md": MARKDOWN, ".markdown": MARKDOWN, ".csv": CSV, ".json": JSON}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


class Unsupported(Exception):
    """Not a kind of file relaychat reads: a sentence for the user."""


@dataclass(frozen=True, slots=True)
class Sniffed:
    content_type: str
    kind: Literal["document", "image"]


def sniff(head: bytes, name: str) -> Sniffed:
    """The file's type from its first `SNIFF_BYTES`; Unsupported for any other."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return Sniffed(content_type, "image" if content_type in IMAGES else "document")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "image")
    if head.startswith(b"PK\x03\x04"):
        # A Word document is a ZIP whose parts ingestion checks; any other ZIP is refused there.
        return Sniffed(DOCX, "document")
    if _is_text(head):
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if start.startswith(_HTML_STARTS):
            return Sniffed(HTML, "document")
        return Sniffed(_BY_EXTENSION.get(PurePosixPath(name).suffix.lower(), TEXT), "document")
    raise Unsupported("This kind of file is not supported: relaychat reads text, PDF, Word and images.")


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes (a character cut at the end of the head does not count)."""
    if b"\x00" in head:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True
