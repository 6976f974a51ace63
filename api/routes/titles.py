"""Asking the model for a new title for a conversation."""

from fastapi import APIRouter, HTTPException, status
from sqlmodel import select

from api.deps import DepsDep, SessionDep
from api.lookups import ConversationDep
from api.refusals import TooMany
from api.routing import CheckedRoute
from core.admission import OverLimit
from core.jobs import enqueue_title
from core.limits import Limits, limits_of
from core.models import Message, Role
from core.schemas import ConversationRead

router = APIRouter(route_class=CheckedRoute, tags=["conversations"])


@router.post("/conversations/{conversation_id}/title", status_code=status.HTTP_202_ACCEPTED)
async def regenerate_title(
    conversation: ConversationDep, session: SessionDep, deps: DepsDep
) -> ConversationRead:
    """Ask the model for a new title, replacing whatever title there is (unless it is edited
    meanwhile). The new title arrives as a `title` change on `GET /api/updates`. It is a job of
    the user's, within their limits (429 past them), and counted in their usage."""
    questions = await session.exec(
        select(Message.id).where(Message.conversation_id == conversation.id, Message.role == Role.user)
    )
    if questions.first() is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "There is nothing to name yet: a title comes from the first question."
        )
    owner = conversation.owner_id
    limits = await limits_of(session, owner) if owner else Limits()
    try:
        # One at a time: asked for again while it runs, the running one answers for both.
        fair = deps.settings.fair_dispatch
        await enqueue_title(deps.redis, conversation.id, owner, limits, regenerate=True, fair=fair)
    except OverLimit as over:
        raise TooMany(over.sentence, over.retry_after_seconds) from None
    return ConversationRead.model_validate(conversation)
