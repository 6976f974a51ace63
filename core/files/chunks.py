"""Extracted text split into chunks of about a token budget, cut at the most natural boundary that fits."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.files.extract import Page


@dataclass(frozen=True, slots=True)
class Chunk:
    ordinal: int
    page: int | None  # the page the chunk starts on
    text: str
    tokens: int


# From the most natural cut to the least: each with the text that joins its pieces back.
_BOUNDARIES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t\r\f\v]*\n\s*"), "\n\n"),  # paragraphs
    (re.compile(r"\s*\n\s*"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split(pages: list[Page], count: Callable[[str], int], max_tokens: int = 400) -> list[Chunk]:
    """The text in chunks of at most about max_tokens tokens, cut at paragraph (blank line) boundaries,
    else line, else sentence, else word boundaries; a chunk never spans two pages."""
    splitter = _Splitter(count, max_tokens)
    texts = [(page.number, text) for page in pages for text in splitter.texts(page.text)]
    return [Chunk(ordinal, number, text, count(text)) for ordinal, (number, text) in enumerate(texts)]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    tokens: int


# Longer texts are never counted, only cut: a tokenizer refuses a text of a million characters
# (llama.cpp's buffer), and no chunk is anywhere near this long.
COUNTED_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class _Splitter:
    count: Callable[[str], int]
    max_tokens: int

    def texts(self, text: str) -> list[str]:
        """`text` in pieces that each fit, as few as the boundaries allow."""
        text = text.strip()
        if not text:
            return []
        return [piece.text for piece in self._fitting(text, self._tokens(text), 0)]

    def _tokens(self, text: str) -> int:
        """The text's tokens; past COUNTED_CHARS, only that it is over the budget."""
        return self.count(text) if len(text) <= COUNTED_CHARS else self.max_tokens + 1

    def _fitting(self, text: str, tokens: int, level: int) -> list[_Piece]:
        """`text` cut at the boundaries of `level` (or finer where a part is still too long), its parts
        packed back together as long as they fit."""
        if tokens <= self.max_tokens or len(text) == 1:
            return [_Piece(text, tokens)]
        if level == len(_BOUNDARIES):
            # One "word" longer than the budget (a URL, a hash): cut it anywhere.
            parts, joiner = [text[: len(text) // 2], text[len(text) // 2 :]], ""
        else:
            pattern, joiner = _BOUNDARIES[level]
            parts = [stripped for part in pattern.split(text) if (stripped := part.strip())]
        finer = min(level + 1, len(_BOUNDARIES))
        pieces = [piece for part in parts for piece in self._fitting(part, self._tokens(part), finer)]
        return self._packed(pieces, joiner)

    def _packed(self, pieces: list[_Piece], joiner: str) -> list[_Piece]:
        """Consecutive pieces joined while their tokens (summed: counting every join would cost a count
        of the whole text each time) stay within the budget."""
        packed: list[_Piece] = []
        for piece in pieces:
            if packed and packed[-1].tokens + piece.tokens <= self.max_tokens:
                last = packed[-1]
                packed[-1] = _Piece(last.text + joiner + piece.text, last.tokens + piece.tokens)
            else:
                packed.append(piece)
        return packed
