"""A question's documents in its prompt: each whole when they fit, else the pieces of them that best
match the question (BM25 over their chunks), in the order they come in the document, each named
and fenced, with its pages."""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from core.models import FileChunk

# BM25's usual constants: how fast a word's repeats stop counting, and how much length matters.
K1 = 1.5
B = 0.75
_WORD = re.compile(r"\w+")
CUT_NOTE = "(Only the parts of this document that best match the question are shown.)"


@dataclass(frozen=True)
class Document:
    """An attached document's name and its chunks, in order."""

    name: str
    chunks: Sequence[FileChunk]

    @property
    def tokens(self) -> int:
        return sum(chunk.tokens for chunk in self.chunks)


@dataclass(frozen=True)
class Attached:
    """What the question's documents add to it: their text, its tokens, and the pages shown."""

    text: str
    tokens: int
    pages: dict[str, list[int]]  # a paged document's name → the pages its shown parts start on


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def best_chunks(chunks: Sequence[FileChunk], question: str, budget: int) -> list[FileChunk]:
    """The chunks that best match the question (BM25) while they fit `budget` tokens, in order."""
    asked = set(_words(question))
    texts = [Counter(_words(chunk.text)) for chunk in chunks]
    average = sum(sum(words.values()) for words in texts) / max(len(texts), 1) or 1.0
    having = Counter(word for words in texts for word in asked if word in words)

    def score(words: Counter[str]) -> float:
        length = sum(words.values())
        total = 0.0
        for word in asked:
            if (count := words[word]) == 0:
                continue
            rarity = math.log(1 + (len(texts) - having[word] + 0.5) / (having[word] + 0.5))
            total += rarity * count * (K1 + 1) / (count + K1 * (1 - B + B * length / average))
        return total

    ranked = sorted(range(len(chunks)), key=lambda i: (-score(texts[i]), i))
    kept: list[int] = []
    used = 0
    for index in ranked:
        if used + chunks[index].tokens <= budget:
            kept.append(index)
            used += chunks[index].tokens
    return [chunks[i] for i in sorted(kept)]


def _fenced(name: str, chunks: Sequence[FileChunk], cut: bool) -> str:
    body = "\n\n".join(
        (f"[page {chunk.page}]\n" if chunk.page is not None else "") + chunk.text for chunk in chunks
    )
    note = f"{CUT_NOTE}\n" if cut else ""
    return f'<document name="{name}">\n{note}{body}\n</document>'


def attach(documents: Sequence[Document], question: str, budget: int) -> Attached:
    """The documents as the question's prompt takes them within `budget` tokens: whole when they
    all fit, else each gets a share of the room for its best-matching chunks."""
    if not documents:
        return Attached("", 0, {})
    whole = sum(document.tokens for document in documents) <= budget
    share = budget // len(documents)
    parts: list[str] = []
    pages: dict[str, list[int]] = {}
    tokens = 0
    for document in documents:
        chunks = list(document.chunks) if whole else best_chunks(document.chunks, question, share)
        parts.append(_fenced(document.name, chunks, cut=not whole))
        tokens += sum(chunk.tokens for chunk in chunks)
        if numbered := sorted({c.page for c in chunks if c.page is not None}):
            pages[document.name] = numbered
    return Attached("\n\n".join(parts), tokens, pages)
