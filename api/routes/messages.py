"""Messages: asking a question, reading and pinning a message, stopping an answer."""

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlmodel import col, select

from api.accounts.auth import UserDep
from api.deps import START_CHECKS, DepsDep, SessionDep, StartTurnDep
from api.lookups import ConversationDep, MessageDep
from api.routing import CheckedRoute
from api.schemas import MessageCreate, MessageUpdate, SubmitResult
from api.starting import Question, start_answer
from api.stopping import stop_answer
from api.streams.answer_stream import STREAMED_SUBMIT
from core.feedback import feedback_on
from core.models import Message, Role
from core.schemas import MessageRead

router = APIRouter(route_class=CheckedRoute, tags=["messages"])


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(conversation: ConversationDep, session: SessionDep) -> list[MessageRead]:
    """The conversation's messages, oldest first."""
    rows = await session.exec(
        select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.id))
    )
    return [MessageRead.model_validate(m) for m in rows]


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubmitResult,
    dependencies=[START_CHECKS],
    responses=STREAMED_SUBMIT,
)
async def submit_message(
    request: Request,
    conversation: ConversationDep,
    body: MessageCreate,
    user: UserDep,
    session: SessionDep,
    deps: DepsDep,
    turn: StartTurnDep,
) -> SubmitResult | Response:
    """Store the question and a queued answer in one transaction, then enqueue the answer's job.

    The question continues the selected branch, or the branch ending at `parent_id`. A client
    that accepts `text/event-stream` gets the answer's stream in the same response."""
    ask = Question(
        conversation=conversation,
        content=body.content,
        parent_id=body.parent_id,
        client_id=body.client_id,
        attachments=body.attachments,
    )
    submitted = await start_answer(
        session, deps.redis, deps.settings, deps.catalog, ask, user.limits, turn.leave
    )
    return await deps.streams.after_submit(request, session, user, submitted.question, submitted.answer)


@router.get("/messages/{message_id}")
async def read_message(message: MessageDep, session: SessionDep) -> MessageRead:
    read = MessageRead.model_validate(message)
    read.feedback = (await feedback_on(session, [message])).get(message.id)
    return read


@router.patch("/messages/{message_id}")
async def update_message(message: MessageDep, body: MessageUpdate, session: SessionDep) -> MessageRead:
    """Pin or unpin a message: a pinned one is in every prompt of its branch while it fits."""
    message.pinned = body.pinned
    session.add(message)
    await session.commit()
    return MessageRead.model_validate(message)


@router.post("/messages/{message_id}/stop", status_code=status.HTTP_202_ACCEPTED)
async def stop_message(
    message: MessageDep, session: SessionDep, deps: DepsDep, response: Response
) -> MessageRead:
    """Stop an answer from any tab or API process; stopping a finished answer changes nothing."""
    if message.role != Role.assistant:
        raise HTTPException(status.HTTP_409_CONFLICT, "Only an answer can be stopped")
    if await stop_answer(session, deps.redis, deps.log, message):
        response.status_code = status.HTTP_200_OK
    return MessageRead.model_validate(message)
