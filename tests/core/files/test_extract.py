"""core/files/extract.py on real files: PDFs made by fpdf2 and pypdf, Word documents by python-docx,
zips and PDFs crafted byte by byte to be broken or to inflate past the limits."""

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from core.files.extract import ExtractLimits, Page, Unreadable, extract
from core.files.sniff import CSV, DOCX, HTML, JSON, MARKDOWN, PDF, TEXT
from core.text import problem_of

MARKER = "The marker sentence sits on page forty."
SMALL = ExtractLimits(max_expanded_bytes=10_000_000)
_FONT = "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _pdf(texts: list[str]) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in texts:
        pdf.add_page()
        pdf.multi_cell(0, 10, text=text)
    return bytes(pdf.output())


def _crafted_pdf(contents: list[bytes]) -> bytes:
    """A PDF with one page per content stream, each stream FlateDecode'd as given (already deflated)."""
    count = len(contents)
    kids = " ".join(f"{3 + 2 * index} 0 R" for index in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for index, stream in enumerate(contents):
        page = f"<< /Type /Page /Parent 2 0 R /Contents {4 + 2 * index} 0 R /Resources {_FONT} >>"
        objects.append(page.encode())
        header = f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
        objects.append(header + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _deflated_zeros(size: int) -> bytes:
    """`size` zero bytes deflated a megabyte at a time, so the zeros never sit in memory whole."""
    compressor = zlib.compressobj(9)
    megabyte = bytes(1_000_000)
    pieces = [compressor.compress(megabyte) for _ in range(size // 1_000_000)]
    return b"".join(pieces) + compressor.flush()


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_60_page_pdf_gives_its_pages_in_order(tmp_path: Path) -> None:
    texts = [f"This is page {n}. It has a sentence or two of text." for n in range(1, 61)]
    texts[39] += " " + MARKER
    pages = extract(_write(tmp_path, "long.pdf", _pdf(texts)), PDF)
    assert [page.number for page in pages] == list(range(1, 61))
    assert MARKER in pages[39].text
    assert "This is page 7." in pages[6].text
    assert all(MARKER not in page.text for page in pages if page.number != 40)


def test_an_encrypted_pdf_is_unreadable(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(["Secret text."]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(Unreadable, match="The PDF is encrypted"):
        extract(_write(tmp_path, "locked.pdf", buffer.getvalue()), PDF)


@pytest.mark.parametrize(
    "data",
    [_pdf(["Some text."])[:300], b"%PDF-1.7\n" + bytes(range(256)) * 20, b"%PDF-"],
    ids=["truncated", "garbage", "header only"],
)
def test_a_corrupt_pdf_is_unreadable(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(Unreadable, match="The PDF is damaged"):
        extract(_write(tmp_path, "broken.pdf", data), PDF)


def test_a_crafted_pdf_with_text_is_read(tmp_path: Path) -> None:
    content = zlib.compress(b"BT /F1 12 Tf 72 712 Td (Crafted words) Tj ET")
    pages = extract(_write(tmp_path, "crafted.pdf", _crafted_pdf([content])), PDF)
    assert pages == [Page(1, "Crafted words")]


def test_a_pdf_stream_inflating_past_the_limit_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    bomb = _deflated_zeros(100_000_000)
    assert len(bomb) < 200_000
    path = _write(tmp_path, "bomb.pdf", _crafted_pdf([bomb]))
    tracemalloc.start()
    try:
        with pytest.raises(Unreadable, match="expands too much"):
            extract(path, PDF, SMALL)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000


def test_pdf_pages_each_within_the_limit_but_past_it_together_are_refused(tmp_path: Path) -> None:
    page = _deflated_zeros(4_000_000)
    with pytest.raises(Unreadable, match="expands too much"):
        extract(_write(tmp_path, "pages.pdf", _crafted_pdf([page, page, page])), PDF, SMALL)


def test_a_pdf_without_text_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match=r"no text to read \(a scan needs OCR"):
        extract(_write(tmp_path, "scan.pdf", _pdf(["", ""])), PDF)


def test_a_word_document_gives_paragraphs_and_table_cells_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Report", level=1)
    document.add_paragraph("First paragraph.")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [["Name", "Role", "Team"], ["Ada", "Engineer", "Core"]], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    table.cell(1, 1).merge(table.cell(1, 2))
    document.add_paragraph("Last paragraph.")
    path = tmp_path / "report.docx"
    document.save(str(path))
    [page] = extract(path, DOCX)
    assert page.number is None
    assert (
        page.text
        == "Report\n\nFirst paragraph.\n\nName | Role | Team\nAda | Engineer\nCore\n\nLast paragraph."
    )


@pytest.mark.parametrize(
    "data",
    [_zip({"hello.txt": b"Not a Word document."}), b"PK\x03\x04 and then nothing of a zip", b"just text"],
    ids=["other zip", "broken zip", "not a zip"],
)
def test_a_file_that_is_not_a_word_document_is_unreadable(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(Unreadable, match="not a Word document"):
        extract(_write(tmp_path, "other.docx", data), DOCX)


def test_a_word_zip_with_a_compression_word_never_writes_is_unreadable(tmp_path: Path) -> None:
    data = _zip({"word/document.xml": b"<w:document/>"}, zipfile.ZIP_BZIP2)
    with pytest.raises(Unreadable, match="not a Word document"):
        extract(_write(tmp_path, "bz2.docx", data), DOCX)


def test_a_word_zip_declaring_too_much_is_refused(tmp_path: Path) -> None:
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": bytes(20_000_000)})
    with pytest.raises(Unreadable, match="expands too much"):
        extract(_write(tmp_path, "bomb.docx", data), DOCX, SMALL)


def test_a_word_zip_lying_about_its_size_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """Its part declares 1 kB (with the checksum of that kB) but inflates to 50 MB: zipfile would trust it."""
    data = bytearray(_zip({"word/document.xml": bytes(50_000_000)}))
    crc = zlib.crc32(bytes(1000))
    struct.pack_into("<I", data, 14, crc)
    struct.pack_into("<I", data, 22, 1000)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 16, crc)
    struct.pack_into("<I", data, central + 24, 1000)
    path = _write(tmp_path, "liar.docx", bytes(data))
    assert zipfile.ZipFile(path).infolist()[0].file_size == 1000
    tracemalloc.start()
    try:
        with pytest.raises(Unreadable, match="expands too much"):
            extract(path, DOCX, SMALL)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def test_html_gives_its_visible_text(tmp_path: Path) -> None:
    html = (
        b"<!doctype html><html><head><title>Tab title</title><style>p { color: red }</style></head>"
        b"<body><h1>Fish &amp; Chips</h1><script>var hidden = 1;</script><p>Caf&eacute;\n   prices"
        b"<br>from &pound;5 &lt;cheap&gt;</p><ul><li>One</li><li>Two</li></ul>"
        b"<table><tr><td>A</td><td>B</td></tr></table><pre>line 1\nline 2</pre></body></html>"
    )
    [page] = extract(_write(tmp_path, "page.html", html), HTML)
    assert page == Page(
        None, ("Fish & Chips\n\nCafé prices\nfrom £5 <cheap>\n\nOne\nTwo\n\nA | B\n\nline 1\nline 2")
    )


def test_html_with_an_unclosed_head_keeps_its_body(tmp_path: Path) -> None:
    [page] = extract(_write(tmp_path, "page.html", b"<html><head><title>T</title><body>Body text"), HTML)
    assert page.text == "Body text"


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        (MARKDOWN, b"# Title\n\nSome *markdown*.\n"),
        (CSV, b"name,age\nAda,36\n"),
        (JSON, b'{"not": "closed"'),
        (TEXT, "Plain text, ünïcode and 😀.\n".encode()),
    ],
)
def test_text_files_are_read_as_they_are(tmp_path: Path, content_type: str, data: bytes) -> None:
    assert extract(_write(tmp_path, "file", data), content_type) == [Page(None, data.decode())]


def test_nul_characters_are_removed(tmp_path: Path) -> None:
    [page] = extract(_write(tmp_path, "nul.txt", b"before\x00after"), TEXT)
    assert page.text == "beforeafter"
    assert problem_of(page.text) is None


def test_invalid_utf8_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match="not UTF-8"):
        extract(_write(tmp_path, "latin1.txt", "café".encode("latin-1")), TEXT)


@pytest.mark.parametrize("content_type", [TEXT, PDF, DOCX, HTML])
def test_an_empty_file_is_unreadable(tmp_path: Path, content_type: str) -> None:
    with pytest.raises(Unreadable, match=r"^The file is empty\.$"):
        extract(_write(tmp_path, "empty", b""), content_type)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [(TEXT, b"  \n\t\n"), (HTML, b"<html><head><title>Only a title</title></head><body> </body></html>")],
)
def test_a_file_of_whitespace_has_no_text(tmp_path: Path, content_type: str, data: bytes) -> None:
    with pytest.raises(Unreadable, match=r"^The file has no text to read\.$"):
        extract(_write(tmp_path, "blank", data), content_type)


def test_an_image_is_not_a_document(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match=r"^This kind of file is not supported\.$"):
        extract(_write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n"), "image/png")


def test_too_many_characters_are_refused(tmp_path: Path) -> None:
    limits = ExtractLimits(max_chars=100)
    assert extract(_write(tmp_path, "fits.txt", b"x" * 100), TEXT, limits)
    with pytest.raises(Unreadable, match="too long: relaychat reads at most 100 characters"):
        extract(_write(tmp_path, "long.txt", b"x" * 101), TEXT, limits)
    with pytest.raises(Unreadable, match="too long"):
        extract(
            _write(tmp_path, "long.pdf", _pdf(["Sixty characters of text on each of these pages. Yes."] * 3)),
            PDF,
            limits,
        )
