"""A user's feedback on an answer of theirs: thumbs up or down, with an optional comment."""

from fastapi import APIRouter, HTTPException, Response, status

from api.accounts.auth import UserDep
from api.deps import SessionDep
from api.feedback_schemas import FeedbackBody
from api.lookups import MessageDep
from api.routing import CheckedRoute
from core import feedback
from core.schemas import FeedbackRead

router = APIRouter(route_class=CheckedRoute, tags=["feedback"])


@router.put("/messages/{message_id}/feedback")
async def give_feedback(
    message: MessageDep, body: FeedbackBody, user: UserDep, session: SessionDep
) -> FeedbackRead:
    """Rate a finished answer (complete or stopped), replacing an earlier rating; the admins read
    it with the answer and its question (GET /api/admin/feedback). A question, a running or a
    failed answer is a 409."""
    try:
        row = await feedback.give(session, message, user.user_id, body.rating, body.comment)
    except feedback.NotRatable as refusal:
        raise HTTPException(status.HTTP_409_CONFLICT, str(refusal)) from None
    return FeedbackRead.model_validate(row)


@router.delete("/messages/{message_id}/feedback", status_code=status.HTTP_204_NO_CONTENT)
async def take_back_feedback(message: MessageDep, user: UserDep, session: SessionDep) -> Response:
    await feedback.take_back(session, message, user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
