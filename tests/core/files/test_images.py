"""core/files/images.py on real images made by Pillow: sizes, thumbnails, and bombs, truncated and
garbage files refused."""

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from core.files.extract import Unreadable
from core.files.images import ImageInfo, inspect_image, read_image, thumbnail, thumbnail_type


def _image(tmp_path: Path, name: str, image: Image.Image, image_format: str) -> Path:
    path = tmp_path / name
    image.save(path, format=image_format)
    return path


def _png_bomb(side: int) -> bytes:
    """A real black-and-white PNG `side` pixels square: a few hundred kB for hundreds of megapixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = bytes(1 + (side + 7) // 8)  # a filter byte, then one bit a pixel
    compressor = zlib.compressobj(9)
    rows_at_once = 1000
    data = b"".join(compressor.compress(row * rows_at_once) for _ in range(side // rows_at_once))
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return (
        signature + chunk(b"IHDR", header) + chunk(b"IDAT", data + compressor.flush()) + chunk(b"IEND", b"")
    )


def _gradient(width: int, height: int) -> Image.Image:
    """A photo-like picture: colours that change across it."""
    return Image.linear_gradient("L").resize((width, height)).convert("RGB")


def test_a_png_with_alpha_gets_a_png_thumbnail(tmp_path: Path) -> None:
    path = _image(tmp_path, "logo.png", Image.new("RGBA", (1000, 400), (10, 20, 30, 128)), "PNG")
    assert inspect_image(path) == ImageInfo(1000, 400)
    out = tmp_path / "thumb"
    thumbnail(path, out)
    with Image.open(out) as small:
        assert small.format == "PNG"
        assert small.size == (256, 102)
        assert small.mode == "RGBA"


def test_a_jpeg_photo_gets_a_jpeg_thumbnail(tmp_path: Path) -> None:
    path = _image(tmp_path, "photo.jpg", _gradient(600, 900), "JPEG")
    assert inspect_image(path) == ImageInfo(600, 900)
    out = tmp_path / "thumb"
    thumbnail(path, out, size=128)
    with Image.open(out) as small:
        assert small.format == "JPEG"
        assert max(small.size) == 128


@pytest.mark.parametrize(
    ("image_format", "made", "content_type"),
    [("PNG", "PNG", "image/png"), ("JPEG", "JPEG", "image/jpeg"), ("GIF", "PNG", "image/png")],
)
def test_reading_an_image_gives_its_size_and_its_thumbnail_at_once(
    tmp_path: Path, image_format: str, made: str, content_type: str
) -> None:
    path = _image(tmp_path, "picture", _gradient(900, 600), image_format)
    read = read_image(path)
    assert read.info == ImageInfo(900, 600)
    assert read.thumbnail is not None
    assert thumbnail_type(read.thumbnail) == content_type
    with Image.open(io.BytesIO(read.thumbnail)) as small:
        assert (small.format, small.size) == (made, (256, 171))


def test_an_image_that_cannot_be_made_small_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _image(tmp_path, "odd.png", Image.new("RGB", (10, 10)), "PNG")

    def refuse(*_: object, **__: object) -> None:
        raise OSError("cannot write mode X as PNG")

    monkeypatch.setattr(Image.Image, "save", refuse)
    read = read_image(path)
    assert (read.info, read.thumbnail) == (ImageInfo(10, 10), None)


def test_a_small_image_is_not_enlarged(tmp_path: Path) -> None:
    path = _image(tmp_path, "icon.png", Image.new("P", (16, 8)), "PNG")
    out = tmp_path / "thumb"
    thumbnail(path, out)
    with Image.open(out) as small:
        assert small.size == (16, 8)


@pytest.mark.parametrize("side", [8_000, 20_000], ids=["past our limit", "past pillow's too"])
def test_a_png_declaring_huge_dimensions_is_refused_before_decoding(tmp_path: Path, side: int) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_bomb(side))
    assert path.stat().st_size < 1_000_000
    started = time.monotonic()
    with pytest.raises(Unreadable, match="too large: relaychat reads at most 50,000,000 pixels"):
        inspect_image(path)
    with pytest.raises(Unreadable, match="too large"):
        thumbnail(path, tmp_path / "thumb")
    with pytest.raises(Unreadable, match="too large"):
        read_image(path)
    assert time.monotonic() - started < 0.5


def test_a_big_png_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_png_bomb(4_000))
    assert inspect_image(path) == ImageInfo(4_000, 4_000)


def test_the_pixel_limit_is_the_callers(tmp_path: Path) -> None:
    path = _image(tmp_path, "wide.png", Image.new("RGB", (200, 100)), "PNG")
    assert inspect_image(path, max_pixels=20_000) == ImageInfo(200, 100)
    with pytest.raises(Unreadable, match="at most 19,999 pixels"):
        inspect_image(path, max_pixels=19_999)


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_a_truncated_image_is_unreadable(tmp_path: Path, image_format: str) -> None:
    path = _image(tmp_path, "whole", _gradient(300, 300), image_format)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(Unreadable, match="damaged or incomplete"):
        inspect_image(path)
    with pytest.raises(Unreadable, match="damaged or incomplete"):
        read_image(path)


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, b"\xff\xd8\xff" + b"garbage" * 100, b"not an image"],
    ids=["png header", "jpeg header", "text"],
)
def test_garbage_is_unreadable(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "garbage"
    path.write_bytes(data)
    with pytest.raises(Unreadable, match="damaged or incomplete"):
        inspect_image(path)
