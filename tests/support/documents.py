"""Real documents for the file tests and benches: PDFs of many pages of plain prose (fpdf2)."""

import random

from fpdf import FPDF

_WORDS = [
    "river",
    "valley",
    "harbour",
    "lantern",
    "meadow",
    "orchard",
    "quarry",
    "ledger",
    "compass",
    "window",
    "archive",
    "bridge",
    "garden",
    "council",
    "market",
    "season",
    "pattern",
    "signal",
    "thunder",
    "voyage",
    "winter",
    "summer",
    "letter",
    "mirror",
]


def prose(seed: int, sentences: int = 12) -> str:
    """Sentences of common words, the same for the same seed."""
    rng = random.Random(seed)
    said = []
    for _ in range(sentences):
        words = rng.choices(_WORDS, k=rng.randint(8, 14))
        said.append(" ".join(words).capitalize() + ".")
    return " ".join(said)


def pdf_of_pages(pages: int, marked: dict[int, str] | None = None) -> bytes:
    """A PDF of `pages` pages of prose, three paragraphs each; `marked` puts a sentence of its own
    at the start of the pages it names (1-based)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        paragraphs = [prose(number * 10 + i) for i in range(3)]
        if marked and number in marked:
            paragraphs.insert(0, marked[number])
        pdf.multi_cell(0, 6, text="\n\n".join(paragraphs))
    return bytes(pdf.output())
