"""Shared links: a read-only copy of a conversation's selected branch, opened by a token that is
stored only as its SHA-256, and the admin's switch that turns every link off (not deleted).

The copy holds the branch's questions and its finished answers (complete or stopped, with text):
never a running answer's partial text, a failed answer's error, a tool's result, another branch,
or an attachment's bytes (its file's name at most). It does not follow the conversation: sharing
again makes a new copy.
"""

import secrets

from pydantic import BaseModel
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.branch_walk import page_up
from core.credentials import TOKEN_BYTES, digest
from core.ids import new_id
from core.models import Conversation, Message, Role, Share, SiteSetting, Status, StoredFile, utcnow
from core.schemas import UtcDatetime
from core.upserts import upsert

SHARING_SETTING = "sharing"
# A shared branch is one JSON row read whole by every visitor: bounded, like an import.
MAX_SHARED_MESSAGES = 2_000
MAX_SHARED_CHARS = 4_000_000
SHARE_PATH = "/share/"


class ShareRefused(Exception):
    """Why a conversation cannot be shared now, as a sentence a person can read."""


class SharingOff(ShareRefused):
    def __init__(self) -> None:
        super().__init__("An admin has turned sharing by link off on this site.")


class BranchTooLong(ShareRefused):
    pass


class SharedMessage(BaseModel):
    """A message of a shared branch: a question (with its files' names) or a finished answer."""

    role: Role
    content: str
    model: str | None = None
    created_at: UtcDatetime
    stopped: bool = False  # an answer stopped before its end: its text is partial
    attachments: list[str] = []  # a question's files, by name; never their bytes


class SharedConversation(BaseModel):
    """What a shared link shows, to anyone who has it."""

    title: str
    created_at: UtcDatetime
    messages: list[SharedMessage]


async def sharing_on(session: AsyncSession) -> bool:
    """Whether links may be made and opened; on until an admin turns it off."""
    setting = await session.get(SiteSetting, SHARING_SETTING)
    return setting is None or setting.value != "off"


async def set_sharing(session: AsyncSession, on: bool) -> None:
    setting = await session.get(SiteSetting, SHARING_SETTING) or SiteSetting(key=SHARING_SETTING, value="on")
    setting.value = "on" if on else "off"
    session.add(setting)  # the caller commits: with the site's other settings, at once


def _shown(message: Message) -> bool:
    if message.role == Role.user:
        return True
    # An answer that said nothing (stopped at once, or a /v1 answer that only called a tool) is
    # left out with the tools' results: the copy is what was said.
    finished = message.status in (Status.complete, Status.stopped)
    return message.role == Role.assistant and finished and bool(message.content.strip())


async def _file_names(session: AsyncSession, owner_id: str, path: list[Message]) -> dict[str, str]:
    ids = {file_id for m in path for file_id in m.attachments or []}
    if not ids:
        return {}
    rows = await session.exec(
        select(StoredFile.id, StoredFile.name).where(
            col(StoredFile.id).in_(ids), StoredFile.owner_id == owner_id
        )
    )
    return dict(rows.all())


async def snapshot(
    session: AsyncSession, conversation: Conversation, leaf_id: str | None
) -> list[SharedMessage]:
    """The branch ending at `leaf_id` as a link shows it; BranchTooLong past the bounds."""
    path = await page_up(session, leaf_id, MAX_SHARED_MESSAGES + 1) if leaf_id else []
    shown = [m for m in path if _shown(m)]
    if len(shown) > MAX_SHARED_MESSAGES or (path and path[0].parent_id is not None):
        raise BranchTooLong(
            f"This conversation's branch is too long to share: a link holds at most "
            f"{MAX_SHARED_MESSAGES:,} messages."
        )
    if sum(len(m.content) for m in shown) > MAX_SHARED_CHARS:
        raise BranchTooLong(
            f"This conversation's branch is too long to share: a link holds at most "
            f"{MAX_SHARED_CHARS:,} characters."
        )
    names = await _file_names(session, conversation.owner_id or "", shown)
    return [
        SharedMessage(
            role=m.role,
            content=m.content,
            model=m.model if m.role == Role.assistant else None,
            created_at=m.created_at,
            stopped=m.status == Status.stopped,
            attachments=[names[i] for i in m.attachments or [] if i in names],
        )
        for m in shown
    ]


async def share(session: AsyncSession, conversation: Conversation, leaf_id: str | None) -> tuple[str, Share]:
    """A new link to a copy of the branch ending at `leaf_id`: the token (never stored) and the
    share, which replaces any earlier one (whose link stops working; of two at once, the later
    one's link is kept). Commits."""
    if not await sharing_on(session):
        raise SharingOff()
    messages = await snapshot(session, conversation, leaf_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    values = {
        "id": new_id(),
        "conversation_id": conversation.id,
        "owner_id": conversation.owner_id or "",
        "token_hash": digest(token),
        "title": conversation.title[:200],
        "messages": [m.model_dump(mode="json") for m in messages],
        "created_at": utcnow(),
    }
    # One statement: two requests to share at once both succeed, the later one's link kept.
    changes = ["token_hash", "title", "messages", "created_at"]
    row = await upsert(session, Share, values, ["conversation_id"], changes)
    await session.commit()
    return token, row


async def find_share(session: AsyncSession, conversation_id: str) -> Share | None:
    return (await session.exec(select(Share).where(Share.conversation_id == conversation_id))).first()


async def unshare(session: AsyncSession, conversation_id: str) -> None:
    """The conversation's link ends (nothing if it had none). Commits."""
    await session.exec(delete(Share).where(col(Share.conversation_id) == conversation_id))
    await session.commit()


async def shared(session: AsyncSession, token: str) -> SharedConversation | None:
    """What the link with `token` shows; None for a token never made, replaced or revoked, and
    for every token while sharing is off."""
    row = (await session.exec(select(Share).where(Share.token_hash == digest(token)))).first()
    if row is None or not await sharing_on(session):
        return None
    return SharedConversation(
        title=row.title,
        created_at=row.created_at,
        messages=[SharedMessage.model_validate(m) for m in row.messages],
    )


def share_url(token: str) -> str:
    return f"{SHARE_PATH}{token}"
