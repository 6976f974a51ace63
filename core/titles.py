"""Conversation titles: the fallback built from the first question, and a model's reply cleaned up.

The API sets the fallback when the first question arrives, so the sidebar names the conversation at
once; the worker's title job then replaces it with a generated title (worker/titles.py).
"""

import re

from core.models import DEFAULT_TITLE

MAX_TITLE_CHARS = 60
MAX_TITLE_WORDS = 10

_QUOTES = "\"'`“”‘’«»„"
_EDGE_PUNCTUATION = _QUOTES + ".,;:!?*_#-–—()[]{}<> "
_LABEL = re.compile(r"^(conversation\s+)?title\s*[:\-–—]\s*", re.IGNORECASE)


def _cap(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """At most `limit` characters, cut at a word boundary when there is one, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(_EDGE_PUNCTUATION) + "…"


def fallback_title(question: str) -> str:
    """The first line of the first question that has text, whitespace collapsed, capped."""
    for line in question.splitlines():
        words = line.split()
        if words:
            return _cap(" ".join(words))
    return DEFAULT_TITLE


def clean_title(reply: str) -> str | None:
    """A model's reply as a title: its first line, without a "Title:" label, quotes, Markdown or
    end punctuation, at most a few words. None when nothing usable is left."""
    line = next((line for line in reply.splitlines() if line.strip()), "")
    line = _LABEL.sub("", line.strip())
    line = " ".join(word.strip(_QUOTES + "*_`#") for word in line.split())
    words = [word for word in line.split() if word]
    title = " ".join(words[:MAX_TITLE_WORDS]).strip(_EDGE_PUNCTUATION)
    title = _cap(title)
    return title or None
