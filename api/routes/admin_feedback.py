"""The admins' reading of users' feedback: a page at a time, or all of it as JSONL to evaluate
models with. A user who rates an answer gives the admins that answer and its question with it."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.accounts.auth import AdminDep
from api.deps import ApiDeps, DepsDep, SessionDep
from api.feedback_schemas import FeedbackPage
from api.routing import CheckedRoute
from core import feedback
from core.db import read_only

router = APIRouter(route_class=CheckedRoute, prefix="/admin/feedback", tags=["admin"])

EXPORT_HEADERS = {"content-disposition": 'attachment; filename="relaychat-feedback.jsonl"'}
EXPORT_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
}


@router.get("")
async def list_feedback(
    _admin: AdminDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> FeedbackPage:
    """Everyone's feedback, newest first: the rating and comment, the model, the answer and its
    question, and who gave it."""
    rows, more = await feedback.newest(session, offset, limit)
    return FeedbackPage(items=rows, next_offset=offset + limit if more else None)


@router.get("/export", response_class=StreamingResponse, responses=EXPORT_RESPONSE)
async def export_feedback(_admin: AdminDep, deps: DepsDep) -> StreamingResponse:
    """All feedback as JSON Lines, oldest first, one object a line: `rating`, `comment`, `model`,
    `prompt` (the question), `answer`, `created_at`, `message_id`, `conversation_id`."""
    return StreamingResponse(_lines(deps), media_type="application/x-ndjson", headers=EXPORT_HEADERS)


async def _lines(deps: ApiDeps) -> AsyncIterator[bytes]:
    """Batch by batch, each read in a session of its own: a slow download holds no database
    connection while it waits (SQLite's pool has one)."""
    after: str | None = None
    while True:
        async with deps.sessionmaker() as session:
            await read_only(session)
            batch = await feedback.batch_after(session, after)
        yield "".join(feedback.export_line(row) for row in batch).encode()
        if len(batch) < feedback.EXPORT_BATCH:
            return
        after = batch[-1].id
