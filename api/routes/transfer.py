"""Exporting a conversation as JSON or Markdown, and importing a JSON export."""

import asyncio
import re
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.deps import DepsDep, SessionDep
from api.lookups import ConversationDep
from api.routing import CheckedRoute
from core.markdown_export import conversation_markdown
from core.models import Conversation, Message
from core.schemas import ConversationRead
from core.transfer import ConversationExport, ImportRefused, export_conversation, imported_rows, parse_import

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


def _attachment(title: str, extension: str) -> dict[str, str]:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "conversation"
    return {"content-disposition": f'attachment; filename="relaychat-{slug}.{extension}"'}


@router.get("/conversations/{conversation_id}/export.json", response_model=ConversationExport)
async def export_json(conversation: ConversationDep, session: SessionDep) -> Response:
    """Everything about the conversation, every message included; `POST /conversations/import` reads it."""
    messages = await _messages(session, conversation)
    body = export_conversation(conversation, messages).model_dump_json(indent=2)
    return Response(body, media_type="application/json", headers=_attachment(conversation.title, "json"))


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


@router.post("/conversations/import", status_code=status.HTTP_201_CREATED, openapi_extra=IMPORT_BODY)
async def import_conversation(
    request: Request, user: UserDep, session: SessionDep, deps: DepsDep
) -> ConversationRead:
    """A conversation exported as JSON, back as a new conversation (new ids, the rest as it was)."""
    raw = await request.body()  # within RELAYCHAT_MAX_IMPORT_BYTES, as it streamed in (api/guards.py)
    try:
        # Reading 10,000 messages takes a second of CPU: off the event loop, which serves everyone.
        export = await asyncio.to_thread(parse_import, raw, deps.settings.max_import_messages)
    except ImportRefused as refusal:
        code = (
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            if refusal.too_big
            else status.HTTP_422_UNPROCESSABLE_ENTITY
        )
        raise HTTPException(code, str(refusal)) from None
    conversation, rows = await asyncio.to_thread(imported_rows, export)
    conversation.owner_id = user.user_id  # the importer's, whoever exported it
    session.add(conversation)
    await session.flush()  # the conversation's row first: the messages' foreign key names it
    # One bulk insert of plain rows, made off the loop: 10,000 ORM objects were seconds of the
    # loop's time, with the database connection held.
    if rows:  # an empty list would be one insert of no values
        await session.execute(sa.insert(Message.__table__), rows)  # type: ignore[attr-defined]
    await session.commit()
    return ConversationRead.model_validate(conversation)
