"""Request bodies. Responses use the read models in core.schemas, shared with the worker."""

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import ConversationRead, MessageRead


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("New chat", min_length=1, max_length=200)
    system_prompt: str = Field("", max_length=32_000)
    model: str | None = Field(None, min_length=1, max_length=200)


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    system_prompt: str | None = Field(None, max_length=32_000)
    model: str | None = Field(None, min_length=1, max_length=200)


class ConversationPage(BaseModel):
    items: list[ConversationRead]
    next_offset: int | None


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Length limits are checked in the route, to answer with a sentence rather than a schema error.
    content: str
    client_id: str | None = Field(None, min_length=1, max_length=100)


class SubmitResult(BaseModel):
    user_message: MessageRead
    assistant_message: MessageRead
