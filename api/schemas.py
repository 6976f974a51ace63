"""Request bodies. Responses use the read models in core.schemas, shared with the worker."""

from pydantic import BaseModel, ConfigDict, Field

from core.schemas import ConversationRead, MessageRead


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("New chat", min_length=1, max_length=200)
    system_prompt: str = Field("", max_length=32_000)
    model: str | None = Field(None, min_length=1, max_length=200)


class ConversationUpdate(BaseModel):
    """Only the fields sent change. `title` and `system_prompt` may be left out, not set to null;
    a null `model` means the default model."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    system_prompt: str = Field(None, max_length=32_000)  # type: ignore[assignment]
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


class ErrorBody(BaseModel):
    """Every error: `detail` is a sentence to show a person; validation errors also list `errors`."""

    detail: str
    errors: list[dict[str, object]] | None = None


ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody, "description": description}
    for code, description in {
        404: "Not found",
        409: "Conflicts with the current state",
        413: "Too long",
        422: "Invalid request",
        503: "Redis or the database is unavailable",
    }.items()
}
