"""Exporting a conversation as JSON (its attached files' bytes streamed into it) or Markdown, and
importing a JSON export (its files stored as the importer's, and read again by the workers)."""

import asyncio
import binascii
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse, StreamingResponse
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.imported_files import check_limits, read_files, stored_files
from api.importing import ImportedConversations, ImportRead, is_large, limits_of, start_job, write_now
from api.lookups import ConversationDep
from api.routing import CheckedRoute
from core.files.store import FileMissing, FileStore
from core.imports.reading import Format, read_import
from core.markdown_export import conversation_markdown
from core.models import Conversation, FileStatus, Message, StoredFile
from core.schemas import ConversationRead
from core.transfer import (
    ConversationExport,
    ImportRefused,
    attached_ids,
    export_conversation,
    imported_rows,
    insert_imported,
)

IMPORT_TOO_BIG = "The file is too big; the limit is {megabytes:g} MB."

router = APIRouter(route_class=CheckedRoute, tags=["conversations"])

IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationExport"}}},
    }
}


async def _messages(session: AsyncSession, conversation: Conversation) -> list[Message]:
    rows = await session.exec(
        select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.id))
    )
    return list(rows)


async def _attached_files(
    session: AsyncSession, conversation: Conversation, messages: list[Message]
) -> list[StoredFile]:
    """The files the messages attach that still have their bytes (not deleted, not failed), in
    the order they were first attached."""
    ids = attached_ids(messages)
    if not ids:
        return []
    rows = await session.exec(
        select(StoredFile).where(
            col(StoredFile.id).in_(ids),
            StoredFile.owner_id == conversation.owner_id,
            col(StoredFile.status) != FileStatus.failed,
        )
    )
    found = {stored.id: stored for stored in rows}
    return [found[file_id] for file_id in ids if file_id in found]


# How the export's JSON, made without its files' entries, ends (`model_dump_json(indent=2)`).
_NO_FILES = '"files": []\n}'


async def _export_body(head: str, files: list[StoredFile], store: FileStore) -> AsyncIterator[bytes]:
    """`head`, the export with no files, with each file's entry put in: its bytes read from the
    store and encoded in pieces (never a whole file in memory). A file whose bytes are gone by
    now is left out, as a deleted one is."""
    assert head.endswith(_NO_FILES)
    yield head[: -len(_NO_FILES)].encode() + b'"files": ['
    written = 0
    for stored in files:
        pieces = store.read(stored.id)
        try:
            first = await anext(pieces)
        except (FileMissing, StopAsyncIteration):
            continue
        entry = {
            "id": stored.id,
            "name": stored.name,
            "content_type": stored.content_type,
            "size": stored.size,
        }
        opening = json.dumps(entry, ensure_ascii=False)[:-1] + ', "data": "'
        yield (",\n    " if written else "\n    ").encode() + opening.encode()
        carry = b""
        async for piece in _then(first, pieces):
            data = carry + piece
            whole = len(data) - len(data) % 3  # base64 pieces join only at multiples of 3 bytes
            yield binascii.b2a_base64(data[:whole], newline=False)
            carry = data[whole:]
        yield binascii.b2a_base64(carry, newline=False) + b'"}'
        written += 1
    yield b"\n  ]\n}" if written else b"]\n}"


async def _then(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for piece in rest:
        yield piece


def _attachment(title: str, extension: str) -> dict[str, str]:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "conversation"
    return {"content-disposition": f'attachment; filename="relaychat-{slug}.{extension}"'}


@router.get(
    "/conversations/{conversation_id}/export.json",
    response_model=ConversationExport,
    response_class=StreamingResponse,
)
async def export_json(conversation: ConversationDep, session: SessionDep, deps: DepsDep) -> StreamingResponse:
    """Everything about the conversation, every message included, and the files its messages
    attach (their bytes base64); `POST /conversations/import` reads it."""
    messages = await _messages(session, conversation)
    files = await _attached_files(session, conversation, messages)
    head = export_conversation(conversation, messages).model_dump_json(indent=2)
    await session.close()  # a long download holds no database connection
    body = _export_body(head, files, deps.files)
    return StreamingResponse(
        body, media_type="application/json", headers=_attachment(conversation.title, "json")
    )


@router.get(
    "/conversations/{conversation_id}/export.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
async def export_markdown(conversation: ConversationDep, session: SessionDep) -> Response:
    """The conversation for people to read: the current line of messages, with usage."""
    messages = await _messages(session, conversation)
    body = conversation_markdown(conversation, messages)
    headers = _attachment(conversation.title, "md")
    return Response(body, media_type="text/markdown; charset=utf-8", headers=headers)


def _refused(refusal: ImportRefused) -> HTTPException:
    code = (
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if refusal.too_big else status.HTTP_422_UNPROCESSABLE_ENTITY
    )
    return HTTPException(code, str(refusal))


@router.post(
    "/conversations/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=IMPORT_BODY,
    response_model=ConversationRead | ImportedConversations,
    responses={status.HTTP_202_ACCEPTED: {"model": ImportRead, "description": "A large import, as a job"}},
)
async def import_conversation(
    request: Request, user: UserDep, deps: DepsDep
) -> ConversationRead | ImportedConversations | JSONResponse:
    """A conversation exported as JSON, back as a new conversation (new ids, the rest as it was),
    and the files it attaches as new files of the user's, read again by the workers. Past the
    upload limit or the user's storage quota, a 413; nothing is kept of an import that fails.

    Another app's export, told from its bytes: ChatGPT's `conversations.json` or the zip that
    holds it, or Open WebUI's chat export; its conversations, with their branches, titles, times
    and selected branch. A small one is written at once (201, the conversations); one past
    `import_job_conversations` conversations or `import_job_bytes` of JSON is a job of the user's
    (202, its progress at `GET /api/imports/{id}`)."""
    raw = await request.body()  # within RELAYCHAT_MAX_IMPORT_BYTES, as it streamed in (api/guards.py)
    settings = deps.settings
    try:
        # Reading 10,000 messages takes a second of CPU: off the event loop, which serves everyone.
        read = await asyncio.to_thread(read_import, raw, limits_of(settings))
        if read.format is not Format.relaychat:
            if is_large(settings, read):
                started = await start_job(deps, user.user_id, user.limits, read.conversations)
                return JSONResponse(started.model_dump(), status_code=status.HTTP_202_ACCEPTED)
            return await write_now(deps, user.user_id, read.conversations)
        export = read.conversations[0]
        await check_limits(deps, user.user_id, user.limits, export.files)
        files = await asyncio.to_thread(read_files, export.files)  # each decoded, its type read
    except ImportRefused as refusal:
        raise _refused(refusal) from None
    # No session of the request's: SQLite's pool has one connection, which storing the files
    # needs between the conversation's writes, and the failure's clean-up after them.
    async with stored_files(deps, user.user_id, user.limits, files) as file_ids:
        conversation, rows = await asyncio.to_thread(imported_rows, export, file_ids)
        conversation.owner_id = user.user_id  # the importer's, whoever exported it
        async with deps.sessionmaker() as session:
            await insert_imported(session, conversation, rows)
            await session.commit()
            return ConversationRead.model_validate(conversation)
