"""`/api/files`: a user's uploads: sent, listed, read, downloaded and deleted."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from sqlmodel import col, select

from api import stored_files
from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import FileDep
from api.refusals import NotFound
from api.routing import CheckedRoute
from api.schemas import FilePage, FileRead
from api.stored_files import download
from api.uploads import multipart_body, upload_form
from core.files.images import thumbnail_type
from core.models import StoredFile

router = APIRouter(route_class=CheckedRoute, prefix="/files", tags=["files"])

MULTIPART = multipart_body()
NO_THUMBNAIL = "This file has no thumbnail."
# A file's bytes never change under its id, nor does its thumbnail: a browser keeps it a day
# without asking, and for the owner alone (a shared cache never holds one).
THUMBNAIL_CACHE = "private, max-age=86400"
THUMBNAIL: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}, "image/jpeg": {}}},
    304: {"description": "The browser's copy is current"},
}


@router.post("", status_code=status.HTTP_201_CREATED, openapi_extra=MULTIPART)
async def upload_file(request: Request, user: UserDep, deps: DepsDep) -> FileRead:
    """Upload a file (multipart, field `file`): `processing` while a worker reads it. Past
    `RELAYCHAT_MAX_UPLOAD_MB` or the user's storage quota, a 413; its type is read from its bytes."""
    return FileRead.model_validate(await upload_form(request, deps, user))


@router.get("")
async def list_files(
    user: UserDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> FilePage:
    """The user's files, newest first."""
    rows = await session.exec(
        select(StoredFile)
        .where(StoredFile.owner_id == user.user_id)
        .order_by(col(StoredFile.id).desc())
        .offset(offset)
        .limit(limit + 1)
    )
    items = list(rows)
    return FilePage(
        items=[FileRead.model_validate(f) for f in items[:limit]],
        next_offset=offset + limit if len(items) > limit else None,
    )


@router.get("/{file_id}")
async def read_file(stored: FileDep) -> FileRead:
    return FileRead.model_validate(stored)


@router.get("/{file_id}/content", response_class=StreamingResponse)
async def file_content(stored: FileDep, session: SessionDep, deps: DepsDep) -> StreamingResponse:
    """The file's bytes, as a download (never shown as a page of this site); a failed file has none."""
    return await download(stored, session, deps)


@router.get("/{file_id}/thumbnail", response_class=Response, responses=THUMBNAIL)
async def file_thumbnail(
    stored: FileDep,
    session: SessionDep,
    deps: DepsDep,
    if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """An image's thumbnail (PNG, or JPEG for a JPEG), at most 256 pixels on its longer side, made
    when a worker read the image; a 404 for any other file, or an image read before thumbnails were made."""
    await session.close()
    tag = f'"{stored.id}-thumbnail"'
    headers = {"Cache-Control": THUMBNAIL_CACHE, "ETag": tag}
    if if_none_match is not None and tag in {part.strip() for part in if_none_match.split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    data = await deps.files.read_thumbnail(stored.id)
    if data is None:
        raise NotFound(NO_THUMBNAIL)
    return Response(data, media_type=thumbnail_type(data), headers=headers)


@router.delete("/{file_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_file(stored: FileDep, session: SessionDep, deps: DepsDep) -> None:
    """Delete the file: its bytes and its text. Messages that brought it keep its id, and say it is gone."""
    await stored_files.delete_file(stored, session, deps)
