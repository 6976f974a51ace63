"""core/files/chunks.py: text packed into chunks up to a budget, cut at the most natural boundary, never
across pages, nothing lost."""

from core.files.chunks import Chunk, split
from core.files.extract import Page


def words(text: str) -> int:
    return len(text.split())


def _paragraph(label: str, count: int) -> str:
    return " ".join(f"{label}{index}" for index in range(count))


def test_paragraphs_are_packed_up_to_the_budget() -> None:
    paragraphs = [_paragraph(label, 4) for label in "abcde"]
    chunks = split([Page(None, "\n\n".join(paragraphs))], words, max_tokens=10)
    assert [chunk.text for chunk in chunks] == [
        f"{paragraphs[0]}\n\n{paragraphs[1]}",
        f"{paragraphs[2]}\n\n{paragraphs[3]}",
        paragraphs[4],
    ]
    assert [chunk.tokens for chunk in chunks] == [8, 8, 4]


def test_a_short_text_is_one_chunk() -> None:
    assert split([Page(3, "  A short text.\n")], words) == [Chunk(0, 3, "A short text.", 3)]


def test_a_huge_paragraph_is_cut_at_sentences_then_words() -> None:
    sentences = [f"Sentence {index} has exactly six words." for index in range(6)]
    long_sentence = _paragraph("w", 25) + "."
    text = " ".join(sentences[:3]) + " " + long_sentence + " " + " ".join(sentences[3:])
    chunks = split([Page(None, text)], words, max_tokens=12)
    assert [chunk.text for chunk in chunks] == [
        f"{sentences[0]} {sentences[1]}",
        sentences[2],
        _paragraph("w", 12),
        " ".join(f"w{index}" for index in range(12, 24)),
        f"w24. {sentences[3]}",
        f"{sentences[4]} {sentences[5]}",
    ]
    assert [chunk.tokens for chunk in chunks] == [12, 6, 12, 12, 7, 12]


def test_lines_are_cut_before_sentences() -> None:
    lines = [_paragraph(label, 5) for label in "abc"]
    chunks = split([Page(None, "\n".join(lines))], words, max_tokens=11)
    assert [chunk.text for chunk in chunks] == [f"{lines[0]}\n{lines[1]}", lines[2]]


def test_a_word_longer_than_the_budget_is_cut_inside() -> None:
    chunks = split([Page(None, "x" * 100)], len, max_tokens=30)
    assert all(chunk.tokens <= 30 for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == "x" * 100


def test_chunks_keep_their_page_and_never_span_two() -> None:
    pages = [
        Page(1, "One two three."),
        Page(2, ""),
        Page(3, "Four five.\n\nSix seven eight nine ten eleven."),
    ]
    chunks = split(pages, words, max_tokens=5)
    assert [(chunk.ordinal, chunk.page, chunk.text) for chunk in chunks] == [
        (0, 1, "One two three."),
        (1, 3, "Four five."),
        (2, 3, "Six seven eight nine ten"),
        (3, 3, "eleven."),
    ]


def test_no_text_is_lost_and_no_chunk_is_empty() -> None:
    text = "\n\n".join(
        "\n".join(f"Line {p}.{line} of paragraph {p}. " * (1 + (p * line) % 7) for line in range(4))
        for p in range(30)
    )
    pages = [Page(number, text) for number in (1, 2)]
    chunks = split(pages, words, max_tokens=40)
    assert all(chunk.text.strip() and chunk.tokens <= 40 for chunk in chunks)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    for number in (1, 2):
        kept = " ".join(chunk.text for chunk in chunks if chunk.page == number)
        assert kept.split() == text.split()


def test_a_page_too_long_for_the_tokenizer_is_cut_before_it_is_counted() -> None:
    """Regression: a text file of one page over a million characters made llama.cpp's tokenizer
    raise, and the file stayed `processing` for ever."""

    def bounded(text: str) -> int:
        if len(text) > 200_000:
            raise RuntimeError("Failed to tokenize")
        return words(text)

    text = "\n".join(_paragraph("w", 20) for _ in range(20_000))  # 3.5 million characters, one page
    chunks = split([Page(None, text)], bounded, max_tokens=400)
    assert all(chunk.tokens <= 400 for chunk in chunks)
    assert sum(chunk.tokens for chunk in chunks) == 20 * 20_000
