"""A document's text for ingestion: PDF page by page, Word, HTML and plain text, within size limits."""

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

import docx
import pypdf
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf.errors import FileNotDecryptedError, LimitReachedError

from core.files.sniff import CSV, DOCX, HTML, JSON, MARKDOWN, PDF, TEXT


class Unreadable(Exception):
    """The file cannot be read: a sentence for the user (shown as the file's error)."""


@dataclass(frozen=True, slots=True)
class Page:
    number: int | None  # 1-based page of a PDF; None for documents without pages
    text: str


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    max_chars: int = 5_000_000  # all the text a document may give
    max_expanded_bytes: int = (
        200_000_000  # what compressed content (a PDF stream, a DOCX's zip) may expand to
    )


EMPTY = "The file is empty."
NO_TEXT = "The file has no text to read."
NOT_SUPPORTED = "This kind of file is not supported."
PDF_ENCRYPTED = "The PDF is encrypted: relaychat cannot read a PDF that needs a password."
PDF_DAMAGED = "The PDF is damaged and cannot be read."
PDF_NO_TEXT = "The PDF has no text to read (a scan needs OCR, which relaychat does not do)."
NOT_WORD = "The file is not a Word document (.docx)."
WORD_DAMAGED = "The Word document is damaged and cannot be read."
NOT_UTF8 = "The file is not UTF-8 text."

# Every pypdf limit on what one stream may decode to; pypdf reads 0 as "no limit".
_PDF_OUTPUT_LIMITS = (
    "zlib_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "brotli_maximum_output_length",
    "jbig2_maximum_output_length",
    "array_based_stream_maximum_output_length",
)
# A string may hold no NUL (Postgres refuses it) and no surrogate: in a str any surrogate is a lone one.
_NOT_STORABLE = re.compile("[\x00\ud800-\udfff]")
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_HEADER_MAGIC = b"PK\x03\x04"
_INFLATE_STEP = 1 << 20


def extract(path: Path, content_type: str, limits: ExtractLimits = ExtractLimits()) -> list[Page]:
    """A document's text, page by page for a PDF; Unreadable with a sentence when it cannot be read."""
    reader = _READERS.get(content_type)
    if reader is None:
        raise Unreadable(NOT_SUPPORTED)
    if path.stat().st_size == 0:
        raise Unreadable(EMPTY)
    pages = [Page(page.number, _NOT_STORABLE.sub("", page.text)) for page in reader(path, limits)]
    if not any(page.text.strip() for page in pages):
        raise Unreadable(PDF_NO_TEXT if content_type == PDF else NO_TEXT)
    _check_length(sum(len(page.text) for page in pages), limits)
    return pages


def _check_length(chars: int, limits: ExtractLimits) -> None:
    if chars > limits.max_chars:
        raise Unreadable(
            f"The document is too long: relaychat reads at most {limits.max_chars:,} characters."
        )


def _too_big(limits: ExtractLimits) -> Unreadable:
    megabytes = f"{limits.max_expanded_bytes / 1_000_000:g}"
    return Unreadable(f"The file expands too much when decompressed: relaychat reads at most {megabytes} MB.")


def _read_pdf(path: Path, limits: ExtractLimits) -> list[Page]:
    # A context variable, not pypdf's deprecated module constants: worker threads each get their own.
    overrides = dict.fromkeys(_PDF_OUTPUT_LIMITS, limits.max_expanded_bytes)
    configuration = pypdf.get_configuration().with_overwrites(**overrides)
    try:
        with pypdf.apply_configuration(configuration):
            return _pdf_pages(pypdf.PdfReader(path), limits)
    except Unreadable:
        raise
    except FileNotDecryptedError as error:
        raise Unreadable(PDF_ENCRYPTED) from error
    except LimitReachedError as error:
        raise _too_big(limits) from error
    except Exception as error:  # pypdf raises many kinds on a broken file, not only its own errors
        raise Unreadable(PDF_DAMAGED) from error


def _pdf_pages(reader: pypdf.PdfReader, limits: ExtractLimits) -> list[Page]:
    _check_pdf_contents(reader, limits)
    pages: list[Page] = []
    chars = 0
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        chars += len(text)
        _check_length(chars, limits)
        pages.append(Page(number, text))
    return pages


def _check_pdf_contents(reader: pypdf.PdfReader, limits: ExtractLimits) -> None:
    """Pages' content streams, decoded, within the limit all together: pypdf bounds each stream, but
    keeps every decoded one, so many pages each just under the limit could still fill the memory."""
    total = 0
    for page in reader.pages:
        contents = page.get_contents()
        total += 0 if contents is None else len(contents.get_data())
        if total > limits.max_expanded_bytes:
            raise _too_big(limits)


def _read_docx(path: Path, limits: ExtractLimits) -> list[Page]:
    _check_word_zip(path, limits)
    try:
        document = docx.Document(str(path))
        text = "\n\n".join(_blocks(document.iter_inner_content()))
    except Exception as error:  # python-docx and lxml raise many kinds on a broken part
        raise Unreadable(WORD_DAMAGED) from error
    return [Page(None, text)]


def _check_word_zip(path: Path, limits: ExtractLimits) -> None:
    """A zip holding `word/document.xml`, whose parts inflate, really and as declared, within the limit."""
    with path.open("rb") as file:
        try:
            with zipfile.ZipFile(file) as archive:
                entries = archive.infolist()
                if "word/document.xml" not in archive.namelist():
                    raise Unreadable(NOT_WORD)
            if sum(entry.file_size for entry in entries) > limits.max_expanded_bytes:
                raise _too_big(limits)
            _check_inflated_sizes(file, entries, limits)
        except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, ValueError) as error:
            # A broken zip's offsets can point anywhere: seeking or reading there fails in many ways.
            raise Unreadable(NOT_WORD) from error


def _check_inflated_sizes(file: BinaryIO, entries: list[zipfile.ZipInfo], limits: ExtractLimits) -> None:
    """Each part inflated for real: zipfile trusts the declared size only after inflating a part whole,
    so a part declaring 1 kB could fill the memory as python-docx reads it."""
    budget = limits.max_expanded_bytes
    for entry in entries:
        if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Word writes neither encrypted parts nor bzip2/LZMA ones (which inflate unbounded in zipfile).
            raise Unreadable(NOT_WORD)
        budget -= _inflated_size(file, entry, budget)
        if budget < 0:
            raise _too_big(limits)


def _inflated_size(file: BinaryIO, entry: zipfile.ZipInfo, budget: int) -> int:
    """What the part's data inflates to, counted no further than just past `budget`."""
    file.seek(entry.header_offset)
    magic, name_length, extra_length = _LOCAL_HEADER.unpack(file.read(_LOCAL_HEADER.size))
    if magic != _LOCAL_HEADER_MAGIC:
        raise Unreadable(NOT_WORD)
    file.seek(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    if entry.compress_type == zipfile.ZIP_STORED:
        return entry.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    for data in _chunks(file, entry.compress_size):
        pending = data
        while pending and size <= budget:
            size += len(inflater.decompress(pending, _INFLATE_STEP))
            pending = inflater.unconsumed_tail
        if size > budget:
            break
    return size


def _chunks(file: BinaryIO, length: int) -> Iterator[bytes]:
    while length > 0 and (data := file.read(min(length, _INFLATE_STEP))):
        length -= len(data)
        yield data


def _blocks(content: Iterator[Paragraph | Table]) -> Iterator[str]:
    for block in content:
        text = block.text if isinstance(block, Paragraph) else _table_text(block)
        if text.strip():
            yield text


def _table_text(table: Table) -> str:
    """One line per row, its cells' text separated by " | " (a merged cell once per row)."""
    rows = []
    for row in table.rows:
        cells = row.cells  # a cell spanning columns comes once for each
        unique = [cell for index, cell in enumerate(cells) if index == 0 or cell is not cells[index - 1]]
        rows.append(" | ".join("\n".join(_blocks(cell.iter_inner_content())) for cell in unique))
    return "\n".join(rows)


def _read_html(path: Path, limits: ExtractLimits) -> list[Page]:
    parser = _VisibleText()
    parser.feed(_read_utf8(path))
    parser.close()
    return [Page(None, parser.text())]


# The separator owed before the next text: the strongest one wins when several are owed at once.
_SEPARATOR_STRENGTH = {"": 0, " | ": 1, "\n": 2, "\n\n": 3}


class _VisibleText(HTMLParser):
    """The text a browser shows: no script, style or head; block elements on lines of their own, a
    table's cells separated by " | "."""

    _HIDDEN = frozenset({"script", "style", "head", "title", "template"})
    _LINE = frozenset({"br", "li", "tr", "dt", "dd", "option"})
    _PARAGRAPH = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "pre", "hr", "section"}
        | {"article", "aside", "header", "footer", "nav", "main", "blockquote", "figure", "form", "body"}
    )
    _CELL = frozenset({"td", "th"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._pieces: list[str] = []
        self._owed = ""
        self._hidden = 0
        self._pre = 0
        self._row_has_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # An unclosed <head> ends where the body starts.
            self._hidden = 0
        if tag in self._CELL:
            if self._row_has_cell:
                self._owe(" | ")
            self._row_has_cell = True
        elif tag == "tr":
            self._row_has_cell = False
        self._count(tag, 1)
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        self._count(tag, -1)
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not self._pre:
            data = re.sub(r"\s+", " ", data)
            if data == " " and self._owed:
                return
        if self._pieces:
            self._pieces.append(self._owed)
        self._owed = ""
        self._pieces.append(data)

    def text(self) -> str:
        lines = (re.sub(" {2,}", " ", line).strip(" ") for line in "".join(self._pieces).split("\n"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    def _count(self, tag: str, step: int) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden + step)
        elif tag == "pre":
            self._pre = max(0, self._pre + step)

    def _break(self, tag: str) -> None:
        if tag in self._PARAGRAPH:
            self._owe("\n\n")
        elif tag in self._LINE:
            self._owe("\n")

    def _owe(self, separator: str) -> None:
        if _SEPARATOR_STRENGTH[separator] > _SEPARATOR_STRENGTH[self._owed]:
            self._owed = separator


def _read_plain(path: Path, limits: ExtractLimits) -> list[Page]:
    return [Page(None, _read_utf8(path))]


def _read_utf8(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(NOT_UTF8) from error


_READERS: dict[str, Callable[[Path, ExtractLimits], list[Page]]] = {
    PDF: _read_pdf,
    DOCX: _read_docx,
    HTML: _read_html,
    MARKDOWN: _read_plain,
    CSV: _read_plain,
    JSON: _read_plain,
    TEXT: _read_plain,
}
