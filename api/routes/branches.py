"""Branches: the selected one, switching between siblings, and the two ways to make a new one.

Regenerating an answer adds an answer beside it; editing a question adds a question beside it,
with its answer. Nothing is overwritten: the old messages stay, one ‹ › away.
"""

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.accounts.auth import UserDep
from api.deps import START_CHECKS, DepsDep, SessionDep, StartTurnDep
from api.lookups import ConversationDep, MessageDep
from api.routing import CheckedRoute
from api.schemas import (
    BranchMessage,
    BranchRead,
    BranchSelect,
    ConversationTotals,
    EditCreate,
    RegenerateCreate,
    SubmitResult,
)
from api.starting import Edit, Regenerate, start_answer
from api.streams.answer_stream import STREAMED_SUBMIT
from core.branch_walk import newest_leaf_under, page_up, selected_leaf, sibling_ids
from core.feedback import feedback_on
from core.models import Conversation, Message, Role

router = APIRouter(route_class=CheckedRoute, tags=["branches"])

NOT_IN_CONVERSATION = "Message not found in this conversation"
BRANCH_PAGE = 100


async def _message_of(session: AsyncSession, conversation: Conversation, message_id: str) -> Message:
    message = await session.get(Message, message_id)
    if message is None or message.conversation_id != conversation.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_IN_CONVERSATION)
    return message


async def _totals(session: AsyncSession, conversation_id: str) -> ConversationTotals:
    unpriced = sa.and_(col(Message.cost_usd).is_(None), col(Message.completion_tokens).is_not(None))
    row = (
        await session.exec(
            select(
                sa.func.coalesce(sa.func.sum(Message.prompt_tokens), 0),
                sa.func.coalesce(sa.func.sum(Message.completion_tokens), 0),
                sa.func.coalesce(sa.func.sum(Message.cost_usd), 0.0),
                sa.func.count().filter(unpriced),
            ).where(Message.conversation_id == conversation_id, Message.role == Role.assistant)
        )
    ).one()
    prompt, completion, cost, unpriced_count = row
    return ConversationTotals(
        prompt_tokens=prompt, completion_tokens=completion, cost_usd=cost, cost_complete=unpriced_count == 0
    )


async def _page(
    session: AsyncSession,
    conversation: Conversation,
    leaf_id: str | None,
    end_id: str | None,
    limit: int,
    *,
    newest: bool = True,
) -> BranchRead:
    """The `limit` messages of the branch up from `end_id`, each with its siblings (for ‹ 2/3 ›);
    the conversation's totals with the `newest` page only: an older one need not sum them again."""
    path = await page_up(session, end_id, limit) if end_id else []
    siblings = await sibling_ids(session, conversation.id, path)
    feedback = await feedback_on(session, path)
    return BranchRead(
        conversation_id=conversation.id,
        leaf_id=leaf_id,
        messages=[
            BranchMessage.model_validate(
                {
                    **message.model_dump(),
                    "sibling_ids": siblings[message.id],
                    "feedback": feedback.get(message.id),
                }
            )
            for message in path
        ],
        has_older=bool(path) and path[0].parent_id is not None,
        totals=await _totals(session, conversation.id) if newest else None,
    )


@router.get("/conversations/{conversation_id}/branch")
async def read_branch(
    conversation: ConversationDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many messages")] = BRANCH_PAGE,
    before: Annotated[
        str | None, Query(max_length=36, description="A message of the branch: the page ends just above it")
    ] = None,
) -> BranchRead:
    """A page of the selected branch, root first: its newest messages, or those older than `before`."""
    leaf_id = await selected_leaf(session, conversation)
    if before is None:
        return await _page(session, conversation, leaf_id, leaf_id, limit)
    end_id = (await _message_of(session, conversation, before)).parent_id
    return await _page(session, conversation, leaf_id, end_id, limit, newest=False)


@router.patch("/conversations/{conversation_id}/branch")
async def select_branch(conversation: ConversationDep, body: BranchSelect, session: SessionDep) -> BranchRead:
    """Select the branch through a message, down to the newest message below it; every tab and
    the next question follow it. Answers with the branch's newest page."""
    chosen = await _message_of(session, conversation, body.message_id)
    leaf_id = await newest_leaf_under(session, chosen.id)
    # Not `updated_at`: looking at another branch is not activity, and must not reorder the sidebar.
    conversation.selected_leaf_id = leaf_id
    session.add(conversation)
    await session.commit()
    return await _page(session, conversation, leaf_id, leaf_id, BRANCH_PAGE)


@router.post(
    "/messages/{message_id}/regenerate",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmitResult,
    dependencies=[START_CHECKS],
    responses=STREAMED_SUBMIT,
)
async def regenerate(
    request: Request,
    old: MessageDep,
    body: RegenerateCreate,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    turn: StartTurnDep,
) -> SubmitResult | Response:
    """A new answer to the same question, beside the old one, with the conversation's model now."""
    ask = Regenerate(answer=old, client_id=body.client_id)
    submitted = await start_answer(
        session, deps.redis, deps.settings, deps.catalog, ask, user.limits, turn.leave
    )
    return await deps.streams.after_submit(request, session, user, submitted.question, submitted.answer)


@router.post(
    "/messages/{message_id}/edit",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmitResult,
    dependencies=[START_CHECKS],
    responses=STREAMED_SUBMIT,
)
async def edit(
    request: Request,
    old: MessageDep,
    body: EditCreate,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    turn: StartTurnDep,
) -> SubmitResult | Response:
    """The edited question, beside the old one (same parent), and a queued answer: a new branch."""
    ask = Edit(question=old, content=body.content, client_id=body.client_id)
    submitted = await start_answer(
        session, deps.redis, deps.settings, deps.catalog, ask, user.limits, turn.leave
    )
    return await deps.streams.after_submit(request, session, user, submitted.question, submitted.answer)
