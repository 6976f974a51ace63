"""Branches: the selected one, switching between siblings, and the two ways to make a new one.

Regenerating an answer adds an answer beside it; editing a question adds a question beside it,
with its answer. Nothing is overwritten: the old messages stay, one ‹ › away.
"""

from fastapi import APIRouter, HTTPException, status
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.answering import start_answer
from api.auth import UserDep
from api.deps import (
    READ_ONLY_CHECKS,
    CatalogDep,
    ConversationDep,
    MessageDep,
    RedisDep,
    SessionDep,
    SettingsDep,
)
from api.lookups import find_conversation
from api.schemas import BranchMessage, BranchRead, BranchSelect, EditCreate, RegenerateCreate, SubmitResult
from core.branches import Tree
from core.models import Conversation, Message, Role

router = APIRouter(tags=["branches"])


async def _tree(session: AsyncSession, conversation_id: str) -> Tree:
    return Tree(await session.exec(select(Message).where(Message.conversation_id == conversation_id)))


def _branch(conversation: Conversation, tree: Tree) -> BranchRead:
    leaf = tree.selected_leaf(conversation.selected_leaf_id)
    path = tree.path_to(leaf.id if leaf else None)
    messages = [
        BranchMessage.model_validate(
            {**message.model_dump(), "sibling_ids": [m.id for m in tree.siblings(message)]}
        )
        for message in path
    ]
    return BranchRead(conversation_id=conversation.id, leaf_id=leaf.id if leaf else None, messages=messages)


@router.get("/conversations/{conversation_id}/branch")
async def read_branch(conversation: ConversationDep, session: SessionDep) -> BranchRead:
    """The selected branch, root first, each message with its siblings (for ‹ 2/3 ›)."""
    return _branch(conversation, await _tree(session, conversation.id))


@router.patch("/conversations/{conversation_id}/branch")
async def select_branch(conversation: ConversationDep, body: BranchSelect, session: SessionDep) -> BranchRead:
    """Select the branch through a message, down to the newest message below it; every tab and
    the next question follow it."""
    tree = await _tree(session, conversation.id)
    chosen = tree.by_id.get(body.message_id)
    if chosen is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Message not found in this conversation")
    # Not `updated_at`: looking at another branch is not activity, and must not reorder the sidebar.
    conversation.selected_leaf_id = tree.newest_leaf_under(chosen).id
    session.add(conversation)
    await session.commit()
    return _branch(conversation, tree)


@router.post(
    "/messages/{message_id}/regenerate",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[READ_ONLY_CHECKS],
)
async def regenerate(
    old: MessageDep,
    user: UserDep,
    body: RegenerateCreate,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> SubmitResult:
    """A new answer to the same question, beside the old one, with the conversation's model now."""
    if old.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer can be regenerated")
    question = await session.get(Message, old.parent_id) if old.parent_id else None
    if question is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "This answer has no question to answer again")
    conversation = await find_conversation(session, old.conversation_id, user.user_id)
    return await start_answer(
        session, redis, settings, catalog, conversation, question, body.client_id, new_question=False
    )


@router.post(
    "/messages/{message_id}/edit",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[READ_ONLY_CHECKS],
)
async def edit(
    old: MessageDep,
    user: UserDep,
    body: EditCreate,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    catalog: CatalogDep,
) -> SubmitResult:
    """The edited question, beside the old one (same parent), and a queued answer: a new branch."""
    if old.role != Role.user:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only a question can be edited")
    conversation = await find_conversation(session, old.conversation_id, user.user_id)
    question = Message(
        conversation_id=conversation.id, parent_id=old.parent_id, role=Role.user, content=body.content
    )
    return await start_answer(
        session, redis, settings, catalog, conversation, question, body.client_id, new_question=True
    )
