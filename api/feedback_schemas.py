"""The shapes of the feedback routes: a user's thumbs on an answer, and the admins' list of them."""

from pydantic import BaseModel, ConfigDict, Field

from core.feedback import MAX_COMMENT_CHARS, FeedbackRow, Rating


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Rating
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS, description="Why, in the user's words")


class FeedbackPage(BaseModel):
    """Everyone's feedback, newest first; `next_offset` null on the last page."""

    items: list[FeedbackRow]
    next_offset: int | None
