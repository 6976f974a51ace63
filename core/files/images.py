"""An uploaded image checked whole (never decoded past a pixel limit) and its thumbnail made."""

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from core.files.extract import Unreadable

logger = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000
THUMBNAIL_SIDE = 256  # what a file's chip shows, at twice its size on the screen
# The formats of sniff's image types: Pillow tries no other decoder on an upload.
_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
_DAMAGED = "The image is damaged or incomplete and cannot be read."


@dataclass(frozen=True, slots=True)
class ImageInfo:
    width: int
    height: int


def inspect_image(path: Path, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """The image's size, once it has been decoded whole (a truncated or corrupt image is Unreadable); an
    image past max_pixels is Unreadable before it is decoded (a decompression bomb)."""
    image = _decoded(path, max_pixels)
    return ImageInfo(image.width, image.height)


@dataclass(frozen=True, slots=True)
class ReadImage:
    """An image checked whole, and its thumbnail (None if one could not be made)."""

    info: ImageInfo
    thumbnail: bytes | None


def read_image(path: Path, side: int = THUMBNAIL_SIDE) -> ReadImage:
    """The image's size and its thumbnail, from one decoding (Unreadable as `inspect_image`). The
    thumbnail is a convenience: an image read whole but not made small (a mode no encoder takes)
    is still read, without one."""
    image = _decoded(path, MAX_PIXELS)
    out = io.BytesIO()
    try:
        _save_small(image, out, side)
    except Exception:
        logger.warning("no thumbnail for the %s image %s", image.format, path, exc_info=True)
        return ReadImage(ImageInfo(image.width, image.height), None)
    return ReadImage(ImageInfo(image.width, image.height), out.getvalue())


def thumbnail(path: Path, out: Path, size: int = THUMBNAIL_SIDE) -> None:
    """A PNG or JPEG thumbnail (JPEG for photos without alpha) at most `size` on its longer side.
    A JPEG upload is a photo and has no alpha; any other keeps PNG, for its transparency and sharp edges."""
    _save_small(_decoded(path, MAX_PIXELS), out, size)


def thumbnail_type(data: bytes) -> str:
    """The content type of a thumbnail these functions made: JPEG or PNG."""
    return "image/jpeg" if data.startswith(b"\xff\xd8\xff") else "image/png"


def _save_small(image: Image.Image, out: Path | io.BytesIO, size: int) -> None:
    small = ImageOps.exif_transpose(image)
    small.thumbnail((size, size))
    if image.format == "JPEG":
        small.convert("RGB").save(out, format="JPEG", quality=85)
    else:
        small.save(out, format="PNG", optimize=True)


def _decoded(path: Path, max_pixels: int) -> Image.Image:
    """The image decoded whole, its declared size checked before any pixel is."""
    # Pillow's own limit only warns below twice its size, and warnings cannot be made errors per thread.
    limit = max_pixels if Image.MAX_IMAGE_PIXELS is None else min(max_pixels, Image.MAX_IMAGE_PIXELS)
    try:
        with Image.open(path, formats=_FORMATS) as image:
            if image.width * image.height > limit:
                raise _too_large(limit)
            image.load()
            return image
    except Unreadable:
        raise
    except Image.DecompressionBombError as error:
        raise _too_large(limit) from error
    except Exception as error:  # Pillow's decoders fail in many ways on broken data
        raise Unreadable(_DAMAGED) from error


def _too_large(limit: int) -> Unreadable:
    return Unreadable(f"The image is too large: relaychat reads at most {limit:,} pixels.")
