"""An answer's database row, written only by the attempt that owns it.

An attempt starts from the row as it read it (its last attempt's number); every later write names
its attempt and requires `status = 'streaming'`: a run whose attempt is no longer the current one,
or whose answer was deleted, updates nothing and learns it is fenced out.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from core.branch_walk import prompt_candidates
from core.db import Sessionmaker, one_statement, read_only
from core.files.retrieval import best_chunks, first_chunks
from core.files.sniff import IMAGES
from core.models import (
    ACTIVE_STATUSES,
    Conversation,
    FileChunk,
    FileStatus,
    McpServer,
    Message,
    Role,
    Status,
    StoredFile,
    utcnow,
)
from worker.documents import Document, DocumentSource


@dataclass(frozen=True)
class Found:
    """An answer still to be given, read before its next attempt starts, and what its prompt is
    made from."""

    answer: Message
    conversation: Conversation
    # What the prompt may hold, root first, ending with the question: [] when it could not be
    # read (its model is gone, its question is gone).
    history: list[Message] = field(default_factory=list)
    # The registered MCP servers of the tools the conversation picked.
    servers: list[McpServer] = field(default_factory=list)
    # The question's attached documents that were read, in the order it brought them, and its
    # images (id, content type).
    documents: list[Document] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    # The attached files still being read (the answer waits for them: worker/file_waits.py), and
    # the sentence of the first one that could not be read (the answer fails with it).
    waiting: list[str] = field(default_factory=list)
    unreadable: str | None = None

    @property
    def attempt(self) -> int:
        """The number of the attempt that starts next."""
        return self.answer.attempt + 1

    @property
    def question(self) -> Message | None:
        return self.history[-1] if self.history else None


@dataclass(frozen=True)
class AlreadyFinal:
    """An answer that was final before this attempt could start: a worker may have died after
    saving it and before appending its end to the log."""

    answer: Message


@dataclass(frozen=True, kw_only=True)
class FinalRow:
    """What an attempt saves when its answer ends."""

    content: str
    status: Status
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    reasoning_tokens: int | None = None
    tool_steps: list[dict[str, Any]] | None = None
    finished_at: datetime = field(default_factory=utcnow)
    finish_reason: str | None = None
    error: str | None = None
    error_code: str | None = None
    first_token_at: datetime | None = None
    included_ids: list[str] | None = None  # None: the prompt was never built; what is stored stays
    sources: Sequence[DocumentSource] | None = None  # the same
    tokens: int | None = None  # the content's, in `tokenizer` (core/tokens.py)
    tokenizer: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """What a running answer said so far, saved by the attempt that streams it."""

    answer_id: str
    attempt: int
    content: str
    included_ids: list[str]
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    sources: Sequence[DocumentSource] = ()


# Built once, run with bound values: making a statement's expression costs more than running it.
_ANSWER_AND_CONVERSATION = (
    select(Message, Conversation)
    .join(Conversation, col(Conversation.id) == col(Message.conversation_id))
    .where(col(Message.id) == sa.bindparam("answer_id"), col(Message.role) == Role.assistant)
)
_table: sa.Table = Message.__table__  # type: ignore[attr-defined]
_START = (
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("answer_id"), _table.c.attempt == sa.bindparam("read"))
    .where(_table.c.status.in_(ACTIVE_STATUSES))
    .values(status=Status.streaming, attempt=sa.bindparam("attempt"), updated_at=sa.bindparam("now"))
    # What the last attempt saved, as of the start: a zombie's checkpoint may have come since the read.
    .returning(_table.c.content)
)
_CHECKPOINT = (
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("b_id"), _table.c.attempt == sa.bindparam("b_attempt"))
    .where(_table.c.status == Status.streaming)
    .values(
        content=sa.bindparam("b_content"),
        reasoning=sa.bindparam("b_reasoning"),
        tool_calls=sa.bindparam("b_tool_calls", type_=_table.c.tool_calls.type),
        included_ids=sa.bindparam("b_included", type_=_table.c.included_ids.type),
        sources=sa.bindparam("b_sources", type_=_table.c.sources.type),
        updated_at=sa.bindparam("b_now"),
    )
)

_SAVE_STEPS = (
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("s_id"), _table.c.attempt == sa.bindparam("s_attempt"))
    .where(_table.c.status == Status.streaming)
    .values(
        content=sa.bindparam("s_content"),
        tool_steps=sa.bindparam("s_steps", type_=_table.c.tool_steps.type),
        updated_at=sa.bindparam("s_now"),
    )
)


def picked_tools(answer: Message, conversation: Conversation) -> list[str] | None:
    """The MCP tools the answer may use (`<server>.<tool>`): those its request named (a response
    with `mcp` tools), else its conversation's."""
    params = answer.params or {}
    picked: list[str] | None = params.get("app_tools", conversation.tools)
    return picked


# The room a prompt has for the answer's branch, given the answer and its conversation; None when
# no prompt can be made (its model is gone).
HistoryRoom = Callable[[Message, Conversation], int | None]


async def read_answer(
    sessionmaker: Sessionmaker, answer_id: str, room: HistoryRoom
) -> Found | AlreadyFinal | None:
    """The answer, its conversation and as much of its branch up from the question as `room`
    tokens can hold, in one read-only transaction; None when the answer is gone.

    Nothing is written: the model can be asked before the attempt is started (`start_attempt`).
    """
    async with sessionmaker() as session:
        await read_only(session)
        found = (await session.exec(_ANSWER_AND_CONVERSATION, params={"answer_id": answer_id})).first()
        if found is None:
            return None
        answer, conversation = found
        if answer.status not in ACTIVE_STATUSES:
            return AlreadyFinal(answer)
        tokens = room(answer, conversation)
        history = []
        if answer.parent_id and tokens is not None:
            history = await prompt_candidates(session, answer.parent_id, answer.conversation_id, tokens)
        servers: list[McpServer] = []
        if picked := picked_tools(answer, conversation):
            names = {tool.split(".", 1)[0] for tool in picked}
            servers = list(await session.exec(select(McpServer).where(col(McpServer.name).in_(names))))
            for server in servers:
                session.expunge(server)
        question = history[-1] if history else None
        attached = _Attached()
        if question is not None and tokens is not None and (earlier := _earlier_files(history)) is not None:
            attached = await _attached(session, question, earlier, tokens)
        return Found(
            answer,
            conversation,
            history,
            servers,
            attached.documents,
            attached.images,
            attached.waiting,
            attached.unreadable,
        )


@dataclass(frozen=True)
class _Attached:
    """What the question's files give its prompt (`Found`'s fields of the same names)."""

    documents: list[Document] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    unreadable: str | None = None


def _earlier_files(history: Sequence[Message]) -> list[str] | None:
    """The files the branch's earlier questions brought, the newest turn's first; None when
    neither they nor the question brought any."""
    earlier = [i for m in reversed(history[:-1]) if m.role == Role.user for i in m.attachments or ()]
    return earlier if earlier or history[-1].attachments else None


async def _attached(session: AsyncSession, question: Message, earlier: list[str], room: int) -> _Attached:
    """The documents of the question's files, in its order, then those the branch's earlier
    questions brought (a follow-up question still reads the report asked about before), each
    once: whole if it fits its share of the prompt's `room`, else the chunks of it that best
    match the question (or, matching none, its beginning); and the question's images (id, type).
    A deleted file is left out, and an earlier one that could not be read; nothing of them while
    one of the question's is still being read (`waiting`) or could not be read (`unreadable`)."""
    file_ids = question.attachments or []
    every_id = list(dict.fromkeys([*file_ids, *earlier]))
    found = {
        stored.id: stored
        for stored in await session.exec(select(StoredFile).where(col(StoredFile.id).in_(every_id)))
    }
    attached = [found[i] for i in file_ids if i in found]
    if waiting := [stored.id for stored in attached if stored.status == FileStatus.processing]:
        return _Attached(waiting=waiting)
    if failed := next((stored for stored in attached if stored.status == FileStatus.failed), None):
        return _Attached(unreadable=f"{failed.name} could not be read: {failed.error}")
    ready = {i: stored for i, stored in found.items() if stored.status == FileStatus.ready}
    images = [(i, ready[i].content_type) for i in file_ids if i in ready and ready[i].content_type in IMAGES]
    files = {i: stored for i, stored in ready.items() if stored.tokens is not None}
    share = room // max(len(files), 1)
    documents: list[Document] = []
    for file_id in every_id:
        stored = files.get(file_id)
        if stored is None:
            continue
        if (stored.tokens or 0) <= share:
            chunks = await session.exec(
                select(FileChunk).where(FileChunk.file_id == file_id).order_by(col(FileChunk.ordinal))
            )
            documents.append(Document(file_id, stored.name, list(chunks)))
            continue
        ranked = await best_chunks(session, file_id, question.content)
        best = ranked or await first_chunks(session, file_id)
        documents.append(Document(file_id, stored.name, best, ranked=True, matched=bool(ranked)))
    return _Attached(documents, images)


def stored_sources(sources: Sequence[DocumentSource]) -> list[dict[str, Any]]:
    """An answer's sources as its row keeps them (`message.sources`)."""
    return [asdict(source) for source in sources]


async def start_attempt(sessionmaker: Sessionmaker, answer_id: str, attempt: int) -> str | None:
    """Make `attempt` the answer's (status `streaming`), if the answer is as `read_answer` found it:
    still to be given, its last attempt the one before. Returns the text the last attempt saved, as
    the update found it; None when the answer changed meanwhile (deleted, final, or started by
    another attempt): the caller reads it again."""
    async with sessionmaker() as session:
        await one_statement(session)
        connection = await session.connection()
        params = {"answer_id": answer_id, "read": attempt - 1, "attempt": attempt, "now": utcnow()}
        saved: str | None = (await connection.execute(_START, params)).scalar_one_or_none()
        await session.commit()
        return saved


async def save_final(
    sessionmaker: Sessionmaker, answer_id: str, attempt: int, row: FinalRow
) -> Message | None:
    """Update the attempt's row and return it as saved; None when fenced out (a newer attempt, deleted)."""
    values = asdict(row)
    for kept in ("included_ids", "sources", "tool_steps"):  # None: what is stored stays
        if values[kept] is None:
            del values[kept]
    if row.sources is not None:
        values["sources"] = stored_sources(row.sources)
    async with sessionmaker() as session:
        await one_statement(session)
        saved = await session.exec(
            update(Message)
            .where(col(Message.id) == answer_id, col(Message.attempt) == attempt)
            .where(col(Message.status) == Status.streaming)
            .values(**values, updated_at=row.finished_at)
            .returning(Message)
        )
        message = saved.scalar_one_or_none()
        await session.commit()
        return message


async def save_checkpoints(sessionmaker: Sessionmaker, rows: Sequence[Checkpoint]) -> set[str]:
    """Save the partial text of many answers in one transaction.

    Returns the ids fenced out (a newer attempt, no longer streaming, deleted): none of theirs is written.
    """
    now = utcnow()
    params = [
        {
            "b_id": r.answer_id,
            "b_attempt": r.attempt,
            "b_content": r.content,
            "b_reasoning": r.reasoning,
            "b_tool_calls": r.tool_calls,
            "b_included": r.included_ids,
            "b_sources": stored_sources(r.sources),
            "b_now": now,
        }
        for r in rows
    ]
    async with sessionmaker() as session:
        connection = await session.connection()
        result = await connection.execute(_CHECKPOINT, params)
        fenced: set[str] = set()
        if result.rowcount != len(rows):
            # Rare (a zombie worker, a deleted conversation): find out which rows were refused.
            current = await connection.execute(
                sa.select(_table.c.id, _table.c.attempt, _table.c.status).where(
                    _table.c.id.in_([row.answer_id for row in rows])
                )
            )
            owned = {(row.id, row.attempt) for row in current if row.status == Status.streaming}
            fenced = {row.answer_id for row in rows if (row.answer_id, row.attempt) not in owned}
        await session.commit()
        return fenced


async def save_steps(
    sessionmaker: Sessionmaker, answer_id: str, attempt: int, content: str, steps: list[dict[str, Any]]
) -> bool:
    """Save an app tool loop's steps with the text said so far, as the attempt that runs them;
    False when it is fenced out."""
    async with sessionmaker() as session:
        await one_statement(session)
        connection = await session.connection()
        saved = await connection.execute(
            _SAVE_STEPS,
            {
                "s_id": answer_id,
                "s_attempt": attempt,
                "s_content": content,
                "s_steps": steps,
                "s_now": utcnow(),
            },
        )
        await session.commit()
        return bool(saved.rowcount)
