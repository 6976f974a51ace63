"""A question's documents in its prompt: each whole when they fit, else the parts of it that best
match the question (the full-text index ranks them: core/files/retrieval.py), in the order they
come in the document, each named and fenced, with its pages; and what the answer drew on from each
(its `DocumentSource`), which the answer keeps and shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from core.models import FileChunk

CUT_NOTE = "(Only the parts of this document that best match the question are shown.)"


@dataclass(frozen=True)
class Document:
    """An attached document (its file's id and name) and its chunks: all of them in order, or
    (`ranked`) those that best match the question, best first: by its words (`matched`), or, none
    of them in it, the document's beginning."""

    file_id: str
    name: str
    chunks: Sequence[FileChunk]
    ranked: bool = False
    matched: bool = False

    @property
    def tokens(self) -> int:
        return sum(chunk.tokens for chunk in self.chunks)


@dataclass(frozen=True)
class DocumentSource:
    """What a prompt drew on from one attached document, as the answer stores it (`message.sources`)."""

    file_id: str
    name: str
    whole: bool  # it went in whole; else only the parts of it that best match the question
    # The pages its shown chunks are on (each chunk starts on one), for a paged document; None
    # for one without pages (or when no chunk of it could be shown).
    pages: list[int] | None
    # In parts: the ordinals of the chunks shown, in the document's order; None: whole.
    chunks: list[int] | None


@dataclass(frozen=True)
class Attached:
    """What the question's documents add to it: their text, its tokens, and each one's source."""

    text: str
    tokens: int
    sources: list[DocumentSource]


def _within(chunks: Sequence[FileChunk], budget: int) -> list[FileChunk]:
    """The chunks, taken in their order while they fit `budget` tokens, back in the document's order."""
    kept: list[FileChunk] = []
    used = 0
    for chunk in chunks:
        if used + chunk.tokens <= budget:
            kept.append(chunk)
            used += chunk.tokens
    return sorted(kept, key=lambda chunk: chunk.ordinal)


def _fenced(name: str, chunks: Sequence[FileChunk], cut: bool) -> str:
    body = "\n\n".join(
        (f"[page {chunk.page}]\n" if chunk.page is not None else "") + chunk.text for chunk in chunks
    )
    note = f"{CUT_NOTE}\n" if cut else ""
    # The name is the uploader's: escaped, it cannot close the fence or open another.
    return f'<document name="{escape(name, quote=True)}">\n{note}{body}\n</document>'


def attach(documents: Sequence[Document], budget: int) -> Attached:
    """The documents as the question's prompt takes them within `budget` tokens: whole when they
    all fit, else each gets an equal share of the room: whole if it fits it, else its best parts."""
    if not documents:
        return Attached("", 0, [])
    fits = all(not d.ranked for d in documents) and sum(d.tokens for d in documents) <= budget
    share = budget // len(documents)
    parts: list[str] = []
    sources: list[DocumentSource] = []
    tokens = 0
    for document in documents:
        whole = fits or (not document.ranked and document.tokens <= share)
        chunks = list(document.chunks) if whole else _within(document.chunks, share)
        parts.append(_fenced(document.name, chunks, cut=not whole))
        tokens += sum(chunk.tokens for chunk in chunks)
        sources.append(_source(document, chunks, whole))
    return Attached("\n\n".join(parts), tokens, sources)


def _source(document: Document, shown: Sequence[FileChunk], whole: bool) -> DocumentSource:
    numbered = sorted({chunk.page for chunk in shown if chunk.page is not None})
    return DocumentSource(
        document.file_id,
        document.name,
        whole,
        pages=numbered or None,
        chunks=None if whole else [chunk.ordinal for chunk in shown],
    )
