"""Read models: conversations and messages as the API and the terminal events show them."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, computed_field

from core.models import Role, Source, Status, TitleSource


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]

# Below this, a "speed" would only measure how one network packet was split.
MIN_GENERATION_SECONDS = 0.01


class ConversationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    title_source: TitleSource
    system_prompt: str
    model: str | None
    max_tokens: int | None
    tools: list[str] | None = None  # `<server>.<tool>` names its answers may call
    temperature: float | None = None  # sampling; null: the model's default
    top_p: float | None = None
    seed: int | None = None
    selected_leaf_id: str | None
    source: Source
    created_at: UtcDatetime
    updated_at: UtcDatetime
    folder_id: str | None = None  # one of its owner's folders; null: unfiled
    pinned_at: UtcDatetime | None = None
    archived_at: UtcDatetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pinned(self) -> bool:
        """Pinned: at the head of the list, newest pin first."""
        return self.pinned_at is not None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def archived(self) -> bool:
        """Archived: out of the list, still found by search."""
        return self.archived_at is not None


class FunctionCallRead(BaseModel):
    name: str
    arguments: str  # JSON text, as the model wrote it


class ToolCallRead(BaseModel):
    """A tool call an answer made, in OpenAI's shape, as messages store it."""

    id: str
    type: Literal["function"] = "function"
    function: FunctionCallRead


class ToolStep(BaseModel):
    """A tool an app answer called: its call, then its output or its error, and how long it took."""

    id: str
    name: str  # `<server>.<tool>`
    arguments: str
    round: int
    output: str | None = None
    error: str | None = None
    duration_ms: int | None = None


class DocumentSourceRead(BaseModel):
    """An attached document as an answer's prompt drew on it: whole, or the parts of it that best
    matched the question."""

    file_id: str
    name: str  # the file's name when the answer was made
    whole: bool
    pages: list[int] | None = None  # the pages its shown parts are on (1-based); None: not paged
    chunks: list[int] | None = None  # in parts: the positions of the chunks shown (0-based); None: whole


class FeedbackRead(BaseModel):
    """The user's thumbs on an answer, with their comment."""

    model_config = ConfigDict(from_attributes=True)

    rating: Literal["up", "down"]
    comment: str | None = None
    updated_at: UtcDatetime


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    conversation_id: str
    parent_id: str | None
    role: Role
    content: str
    # A reasoning model's thinking; the tool calls an answer made (OpenAI's shape); the call a
    # tool result answers.
    reasoning: str | None = None
    tool_calls: list[ToolCallRead] | None = None
    tool_call_id: str | None = None
    tool_steps: list[ToolStep] | None = None
    attachments: list[str] | None = None  # a question's files (ids)
    status: Status
    error: str | None
    error_code: str | None
    model: str | None
    attempt: int
    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None = None
    cost_usd: float | None
    first_token_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    finish_reason: str | None
    client_id: str | None
    pinned: bool
    included_ids: list[str] | None
    # An answer's documents, as its prompt drew on them ([]: none; None: not recorded).
    sources: list[DocumentSourceRead] | None = None
    feedback: FeedbackRead | None = None  # an answer's, from its user (PUT /messages/{id}/feedback)
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tokens_per_second(self) -> float | None:
        """Completion tokens over the time from the first token to the end of the answer."""
        if not self.completion_tokens or not self.first_token_at or not self.finished_at:
            return None
        seconds = (self.finished_at - self.first_token_at).total_seconds()
        return round(self.completion_tokens / seconds, 1) if seconds >= MIN_GENERATION_SECONDS else None
