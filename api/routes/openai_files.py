"""`/v1/files`: OpenAI's Files API over the user's files, the same files as `/api/files`.

An upload goes through the same path as the app's (api/uploads.py: admitted as the owner's job,
within the upload limit and the storage quota, sniffed, stored, read by a worker); its purpose is
`user_data`, the one relaychat keeps files for. Anyone else's file is a 404 (`FileDep`).
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import col, select
from starlette.datastructures import FormData

from api import stored_files
from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import FileDep
from api.openai.file_objects import PURPOSE, DeletedFile, FileList, FileObject, file_object
from api.refusals import Invalid
from api.routing import CheckedRoute
from api.uploads import multipart_body, upload_form
from core.models import StoredFile

router = APIRouter(route_class=CheckedRoute, prefix="/v1", tags=["openai"])

MULTIPART = multipart_body(purpose={"type": "string", "enum": [PURPOSE]})
# The form's fields besides the file: `purpose`, and room for the ones refused by name below.
FORM_FIELDS = 4
MAX_LISTED = 10_000  # OpenAI's bound, and its default


def _check_form(form: FormData) -> None:
    """`purpose` must be `user_data`; anything else the form asks (`expires_after`) is refused."""
    for name in form:
        if name not in ("file", "purpose"):
            raise Invalid("relaychat does not support this parameter", param=name)
    purpose = form.get("purpose")
    if purpose is None:
        raise Invalid("a purpose is required: relaychat keeps files for `user_data`", param="purpose")
    if purpose != PURPOSE:
        raise Invalid(
            f"relaychat keeps files for `{PURPOSE}` alone (files a model reads as input), not `{purpose}`",
            param="purpose",
        )


@router.post("/files", openapi_extra=MULTIPART)
async def create_file(request: Request, user: UserDep, deps: DepsDep) -> FileObject:
    """Upload a file (multipart: `file`, and `purpose` = `user_data`): `uploaded` while a worker
    reads it, then `processed`, or `error` with `status_details`. Past `RELAYCHAT_MAX_UPLOAD_MB`
    or the user's storage quota, a 413."""
    return file_object(await upload_form(request, deps, user, fields=FORM_FIELDS, check=_check_form))


@router.get("/files")
async def list_files(
    user: UserDep,
    session: SessionDep,
    after: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = MAX_LISTED,
    order: Literal["asc", "desc"] = "desc",
    purpose: Annotated[str | None, Query(max_length=100)] = None,
) -> FileList:
    """The user's files, newest first unless `order=asc`; `after` a file's id for the next page."""
    if purpose not in (None, PURPOSE):
        return FileList(data=[], first_id=None, last_id=None, has_more=False)
    query = select(StoredFile).where(StoredFile.owner_id == user.user_id)
    # Ids are UUIDv7: they sort as the files were made.
    if order == "desc":
        query = query.order_by(col(StoredFile.id).desc())
        if after is not None:
            query = query.where(col(StoredFile.id) < after)
    else:
        query = query.order_by(col(StoredFile.id))
        if after is not None:
            query = query.where(col(StoredFile.id) > after)
    rows = list(await session.exec(query.limit(limit + 1)))
    page = [file_object(stored) for stored in rows[:limit]]
    return FileList(
        data=page,
        first_id=page[0].id if page else None,
        last_id=page[-1].id if page else None,
        has_more=len(rows) > limit,
    )


@router.get("/files/{file_id}")
async def retrieve_file(stored: FileDep) -> FileObject:
    return file_object(stored)


@router.get("/files/{file_id}/content", response_class=StreamingResponse)
async def file_content(stored: FileDep, session: SessionDep, deps: DepsDep) -> StreamingResponse:
    """The file's bytes; a file that could not be read has none (400)."""
    return await stored_files.download(stored, session, deps)


@router.delete("/files/{file_id}")
async def delete_file(stored: FileDep, session: SessionDep, deps: DepsDep) -> DeletedFile:
    """Delete the file: its bytes and its text. Answers that read it keep what they said."""
    file_id = stored.id
    await stored_files.delete_file(stored, session, deps)
    return DeletedFile(id=file_id)
