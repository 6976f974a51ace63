"""The files a /v1 request brings in its user messages' content parts, as Chat Completions
(`image_url`, `file`) and the Responses API (`input_image`, `input_file`) give them: a file of the
user's by its id (`POST /v1/files`, `/api/files`), or inline, base64 in a data URL, which is stored
as an upload of the user's (api/uploads.py: the same limit, quota, sniffing and ingestion) before
the answer starts. Every file goes with the request's question as an attachment; the answer waits
for one still being read (worker/generate.py).

relaychat fetches nothing from the internet: an image or a file by its http(s) URL is refused.
"""

import asyncio
import base64
import binascii
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.authenticator import Principal
from api.deps import ApiDeps, StartChecks
from api.refusals import Invalid, TooLarge
from api.schemas import MAX_ATTACHMENTS
from api.uploads import MB, forget_files, store_bytes, too_large
from core.catalog import ModelSpec
from core.files.sniff import IMAGES, SNIFF_BYTES, Unsupported, sniff

MAX_PARTS = 1000
"""Content parts in one message: what they say together is bounded by the model's window."""
MAX_FILE_PARTS = MAX_ATTACHMENTS
"""Files and images in one request, as a question of the app's brings at most."""
MAX_NAME = 255
NO_FETCHING = (
    "relaychat fetches nothing from the internet: send the {what} inline as a data URL "
    "(data:<type>;base64,…), or upload it (POST /v1/files) and give its file_id"
)
IMAGE_TYPES = "PNG, JPEG, GIF or WebP"
# An image part's `detail`: relaychat sends every image at 1024 pixels, OpenAI's high detail.
IMAGE_DETAILS = (None, "auto", "high")
FILE_DETAILS = (None, "auto")
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


@dataclass(frozen=True, slots=True)
class Inline:
    """A file a part brings inline: its base64 text, its name, and the media type its data URL
    declared (None: bare base64, or a data URL that declared none)."""

    data: str
    filename: str | None
    media_type: str | None

    def size(self) -> int:
        """The decoded size, from the base64 text's length alone (nothing is decoded)."""
        padding = len(self.data) - len(self.data.rstrip("="))
        return len(self.data) * 3 // 4 - min(padding, 2)


@dataclass(frozen=True, slots=True)
class FilePart:
    """A content part that brings a file: an image (`image`) or any file, by its id or inline.
    `param` names the part's field that holds it (`messages[1].content[0].file.file_id`)."""

    param: str
    image: bool
    file_id: str | None = None
    inline: Inline | None = None


Classify = Callable[[dict[str, Any], str], FilePart | None]
"""A part (and its name in the request) as a file part; None for any other part."""


def _field(part: dict[str, Any], name: str, param: str) -> str | None:
    value = part.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise Invalid("must be a non-empty string", param=f"{param}.{name}")
    return value


def data_url(url: str, param: str, *, image: bool) -> Inline:
    """A data URL (`data:<type>;base64,<data>`) as what it holds; a web address is refused, as is
    anything but base64, and for an image a type other than an image's."""
    what = "image" if image else "file"
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("http", "https"):
        raise Invalid(NO_FETCHING.format(what=what), param=param)
    if scheme != "data" or "," not in url:
        sentence = f"must be a data URL (data:<type>;base64,…): relaychat reads the {what} inline"
        raise Invalid(sentence, param=param)
    header, data = url[len("data:") :].split(",", 1)
    attributes = [attribute.strip().lower() for attribute in header.split(";")]
    if attributes[-1] != "base64":
        raise Invalid("must be base64 (data:<type>;base64,…)", param=param)
    media_type = attributes[0] if len(attributes) > 1 and attributes[0] else None
    if image and media_type not in IMAGES:
        shown = media_type or "no type"
        raise Invalid(f"a data URL of {shown} is not an image relaychat reads ({IMAGE_TYPES})", param=param)
    return Inline(data, None, media_type)


def _file_data(value: str, filename: str | None, param: str) -> Inline:
    """`file_data`: a data URL, or the bare base64 text (the file's type is read from its bytes)."""
    if value[:5].lower() != "data:":
        return Inline(value, filename, None)
    inline = data_url(value, param, image=False)
    return Inline(inline.data, filename, inline.media_type)


def _detail(part: dict[str, Any], allowed: tuple[str | None, ...], param: str) -> None:
    if (detail := part.get("detail")) not in allowed:
        offered = ", ".join(f"`{value}`" for value in allowed if value)
        raise Invalid(f"relaychat offers {offered} here, not `{detail}`", param=f"{param}.detail")


def _one_of(part: dict[str, Any], names: tuple[str, ...], param: str) -> None:
    given = [name for name in names if part.get(name) is not None]
    if len(given) != 1:
        listed = " or ".join(f"`{name}`" for name in names)
        raise Invalid(f"give one of {listed}", param=param)


def chat_file_part(part: dict[str, Any], param: str) -> FilePart | None:
    """A Chat Completions part that brings a file: `image_url` (a data URL) or `file` (`file_id`,
    or `file_data` with its `filename`)."""
    kind = part.get("type")
    if kind == "image_url":
        image_url = part.get("image_url")
        where = f"{param}.image_url"
        if not isinstance(image_url, dict) or not isinstance(image_url.get("url"), str):
            raise Invalid("must be an object with the image's `url`", param=where)
        _detail(image_url, IMAGE_DETAILS, where)
        return FilePart(f"{where}.url", True, inline=data_url(image_url["url"], f"{where}.url", image=True))
    if kind == "file":
        file = part.get("file")
        where = f"{param}.file"
        if not isinstance(file, dict):
            raise Invalid("must be an object with `file_id`, or `file_data` and `filename`", param=where)
        _one_of(file, ("file_id", "file_data"), where)
        filename = _field(file, "filename", where)
        if (file_id := _field(file, "file_id", where)) is not None:
            return FilePart(f"{where}.file_id", False, file_id=file_id)
        data = _field(file, "file_data", where) or ""
        return FilePart(f"{where}.file_data", False, inline=_file_data(data, filename, f"{where}.file_data"))
    return None


def response_file_part(part: dict[str, Any], param: str) -> FilePart | None:
    """A Responses API part that brings a file: `input_image` (`file_id`, or `image_url` as a data
    URL) or `input_file` (`file_id`, or `file_data` with its `filename`)."""
    kind = part.get("type")
    if kind == "input_image":
        _detail(part, IMAGE_DETAILS, param)
        _one_of(part, ("file_id", "image_url"), param)
        if (file_id := _field(part, "file_id", param)) is not None:
            return FilePart(f"{param}.file_id", True, file_id=file_id)
        url = _field(part, "image_url", param) or ""
        return FilePart(f"{param}.image_url", True, inline=data_url(url, f"{param}.image_url", image=True))
    if kind == "input_file":
        _detail(part, FILE_DETAILS, param)
        if part.get("file_url") is not None:
            raise Invalid(NO_FETCHING.format(what="file"), param=f"{param}.file_url")
        _one_of(part, ("file_id", "file_data"), param)
        filename = _field(part, "filename", param)
        if (file_id := _field(part, "file_id", param)) is not None:
            return FilePart(f"{param}.file_id", False, file_id=file_id)
        data = _field(part, "file_data", param) or ""
        return FilePart(f"{param}.file_data", False, inline=_file_data(data, filename, f"{param}.file_data"))
    return None


def file_parts(
    contents: Iterable[tuple[object, str]], classify: Classify, model: ModelSpec, max_upload_mb: float
) -> list[FilePart]:
    """The file parts of the user messages' contents (each with its message's name), checked
    before anything is decoded or stored: at most MAX_FILE_PARTS of them, each inline file within
    the upload limit by its base64 length, and images only for a model that can see."""
    found: list[FilePart] = []
    for content, param in contents:
        if not isinstance(content, list):
            continue
        if len(content) > MAX_PARTS:
            raise Invalid(f"at most {MAX_PARTS:,} content parts in a message", param=f"{param}.content")
        for index, part in enumerate(content):
            if isinstance(part, dict) and (file := classify(part, f"{param}.content[{index}]")) is not None:
                found.append(file)
    if len(found) > MAX_FILE_PARTS:
        sentence = f"at most {MAX_FILE_PARTS} files and images in a request"
        raise Invalid(sentence, param=found[MAX_FILE_PARTS].param)
    for file in found:
        if file.image and not model.supports("vision"):
            sentence = f"the model `{model.id}` cannot see images: pick a model that can, or remove the image"
            raise Invalid(sentence, param=file.param)
        if file.inline is not None and file.inline.size() > max_upload_mb * MB:
            raise TooLarge(too_large(max_upload_mb), param=file.param)
    return found


@dataclass(frozen=True, slots=True)
class Decoded:
    """An inline file's bytes, and the name it is stored under."""

    data: bytes
    name: str


def decoded(part: FilePart) -> Decoded:
    """Blocking: the inline file's bytes, once they are base64 and a kind of file relaychat reads
    (an image for an image part); Invalid with a sentence otherwise."""
    assert part.inline is not None
    try:
        data = base64.b64decode(part.inline.data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("is not valid base64", param=part.param) from None
    if not data:
        raise Invalid("The file is empty.", param=part.param)
    name = (part.inline.filename or "")[:MAX_NAME]
    try:
        kind = sniff(data[:SNIFF_BYTES], name or "file")
    except Unsupported as unsupported:
        raise Invalid(str(unsupported), param=part.param) from None
    if part.image and kind.kind != "image":
        raise Invalid(f"is not an image relaychat reads ({IMAGE_TYPES})", param=part.param)
    return Decoded(data, name or ("image" + _EXTENSIONS.get(kind.content_type, "") if part.image else "file"))


async def store_inline(deps: ApiDeps, user: Principal, parts: Iterable[FilePart]) -> dict[str, str]:
    """The inline files among `parts`, each decoded (all of them before any is stored) and stored as
    an upload of the user's; their ids by the part's `param`. Nothing is left stored if one fails."""
    inline = [part for part in parts if part.inline is not None]
    if not inline:
        return {}
    files = await asyncio.to_thread(lambda: [decoded(part) for part in inline])
    stored: dict[str, str] = {}
    try:
        for part, file in zip(inline, files, strict=True):
            try:
                row = await store_bytes(deps, user, file.data, file.name)
            except TooLarge as refused:  # the storage quota: this part's
                raise TooLarge(refused.sentence, param=part.param) from None
            stored[part.param] = row.id
    except BaseException:
        await forget_files(deps, stored.values())
        raise
    return stored


@contextlib.asynccontextmanager
async def until_started(
    deps: ApiDeps, session: AsyncSession, checks: StartChecks, stored: Mapping[str, str]
) -> AsyncIterator[None]:
    """Around an answer's start: if it does not start, the files the request stored inline are
    deleted (after its turn is left and its session's connection given back: on SQLite the pool
    has one)."""
    try:
        yield
    except BaseException:
        if stored:
            checks.leave()
            await session.close()
            await forget_files(deps, stored.values())
        raise


def file_ids(parts: Iterable[FilePart], stored: Mapping[str, str]) -> list[tuple[str, str]]:
    """The parts' files as the question's attachments (id, the part's param): each once, in order."""
    seen: dict[str, str] = {}
    for part in parts:
        file_id = part.file_id or stored[part.param]
        seen.setdefault(file_id, part.param)
    return list(seen.items())
