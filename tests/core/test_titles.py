"""Titles from a model's reply, and the fallback from the first question."""

import pytest

from core.titles import MAX_TITLE_CHARS, clean_title, fallback_title


@pytest.mark.parametrize(
    ("reply", "title"),
    [
        ("Trip to Lisbon", "Trip to Lisbon"),
        ('"Trip to Lisbon."', "Trip to Lisbon"),
        ("Title: **Trip to Lisbon**!", "Trip to Lisbon"),
        ("“Rust lifetimes explained”\n\nThis title describes…", "Rust lifetimes explained"),
        ("\n\n  'Sourdough   starter tips'  ", "Sourdough starter tips"),
        (
            "one two three four five six seven eight nine ten eleven",
            "one two three four five six seven eight nine ten",
        ),
        ("A" * 80, "A" * (MAX_TITLE_CHARS - 1) + "…"),
    ],
)
def test_a_reply_becomes_a_short_clean_title(reply: str, title: str) -> None:
    cleaned = clean_title(reply)
    assert cleaned is not None
    assert len(cleaned) <= MAX_TITLE_CHARS
    assert cleaned == title


@pytest.mark.parametrize("reply", ["", "   \n ", '""', "Title:", "***"])
def test_a_reply_with_no_words_is_no_title(reply: str) -> None:
    assert clean_title(reply) is None


def test_the_fallback_is_the_first_line_with_text_capped_at_a_word() -> None:
    assert fallback_title("\n\n  How do   tides work?\nAnd why?") == "How do tides work?"
    long = "word " * 40
    title = fallback_title(long)
    assert title.endswith("…")
    assert len(title) <= MAX_TITLE_CHARS
    assert not title[:-1].endswith(" ")
    assert fallback_title("   ") == "New chat"
