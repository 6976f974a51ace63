"""A question's attached images as a vision model sees them: at most `SIDE` pixels on the longer
side (a JPEG stays a JPEG, any other becomes a PNG), each an image part with a data URL."""

import asyncio
import base64
import tempfile
from pathlib import Path
from typing import Any

from core.files.images import thumbnail
from core.files.store import FileStore, copy_to

SIDE = 1024
IMAGE_TOKENS = 765
"""What an image of this size takes of a model's window (OpenAI's count at high detail: 85 and
170 for each of four tiles), counted in the prompt's budget."""


def _scaled(source: Path, out: Path, content_type: str) -> str:
    """Blocking: the image scaled into `out`; its data URL."""
    thumbnail(source, out, SIDE)
    media = "image/jpeg" if content_type == "image/jpeg" else "image/png"
    return f"data:{media};base64,{base64.b64encode(out.read_bytes()).decode()}"


async def image_parts(store: FileStore, images: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The images (file id, content type), in their order, as Chat Completions' image parts."""
    parts: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="relaychat-image-") as work:
        for number, (file_id, content_type) in enumerate(images):
            source, out = Path(work) / f"{number}.in", Path(work) / f"{number}.out"
            await copy_to(store, file_id, source)
            url = await asyncio.to_thread(_scaled, source, out, content_type)
            parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts
