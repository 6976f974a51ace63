from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from core.events import EventType
from core.models import Message, Role, Status


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class ConversationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    system_prompt: str
    model: str | None
    max_tokens: int | None
    selected_leaf_id: str | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    conversation_id: str
    parent_id: str | None
    role: Role
    content: str
    status: Status
    error: str | None
    error_code: str | None
    model: str | None
    attempt: int
    prompt_tokens: int | None
    completion_tokens: int | None
    finish_reason: str | None
    client_id: str | None
    pinned: bool
    included_ids: list[str] | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


def message_payload(message: Message) -> dict[str, Any]:
    """The message object as the API and the terminal SSE events show it."""
    return MessageRead.model_validate(message).model_dump(mode="json")


def terminal_event(message: Message) -> tuple[EventType, dict[str, Any]]:
    """The terminal log event that a finished message stands for."""
    payload = message_payload(message)
    if message.status == Status.complete:
        return EventType.done, payload
    if message.status == Status.stopped:
        return EventType.stopped, payload
    return EventType.error, {
        "code": message.error_code or "failed",
        "message": message.error or "The answer failed.",
        "message_obj": payload,
    }
