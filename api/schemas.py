"""Request bodies. Responses use the read models in core.schemas, shared with the worker."""

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.catalog import MIN_ANSWER_TOKENS
from core.models import FileStatus
from core.sampling import Seed, Temperature, TopP
from core.schemas import ConversationRead, MessageRead, UtcDatetime


def _max_tokens() -> Any:
    # The upper bound depends on the model: the route checks it and says so in a sentence.
    return Field(
        None, ge=MIN_ANSWER_TOKENS, le=10_000_000, description="The answer's tokens; null: the default"
    )


MAX_CONVERSATION_TOOLS = 128  # as many as a model is offered at once (OpenAI's bound)
ToolNames = Annotated[
    list[Annotated[str, Field(max_length=200)]],
    Field(max_length=MAX_CONVERSATION_TOOLS, description="`<server>.<tool>` names from `GET /api/tools`"),
]


class ConversationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("New chat", min_length=1, max_length=200)
    system_prompt: str = Field("", max_length=32_000)
    model: str | None = Field(None, min_length=1, max_length=200)
    max_tokens: int | None = _max_tokens()
    tools: ToolNames | None = None
    temperature: Temperature = None
    top_p: TopP = None
    seed: Seed = None


class ConversationUpdate(BaseModel):
    """Only the fields sent change. `title` and `system_prompt` may be left out, not set to null;
    a null `model`, `max_tokens`, `temperature`, `top_p` or `seed` means the model's default."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    system_prompt: str = Field(None, max_length=32_000)  # type: ignore[assignment]
    model: str | None = Field(None, min_length=1, max_length=200)
    max_tokens: int | None = _max_tokens()
    tools: ToolNames | None = None
    temperature: Temperature = None
    top_p: TopP = None
    seed: Seed = None
    # Where it sits in the list: moving, pinning or archiving it leaves its activity's order alone.
    folder_id: str | None = Field(None, max_length=36, description="One of the user's folders; null: unfiled")
    pinned: bool = Field(None, description="Pinned conversations head the list")  # type: ignore[assignment]
    archived: bool = Field(  # type: ignore[assignment]
        None, description="Archived: out of the list (see `?archived=true`), still found by search"
    )


class ConversationPage(BaseModel):
    items: list[ConversationRead]
    next_offset: int | None


MAX_BULK_DELETE = 200


class ConversationsDelete(BaseModel):
    """Conversations to delete at once: every one must be the user's, or none is deleted."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(max_length=36)]] = Field(min_length=1, max_length=MAX_BULK_DELETE)


class FolderWrite(BaseModel):
    """A folder's name, for a new folder or a rename."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class FolderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


MAX_ATTACHMENTS = 10


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Length limits are checked in the route, to answer with a sentence rather than a schema error.
    content: str
    client_id: str | None = Field(None, min_length=1, max_length=100)
    attachments: list[Annotated[str, Field(max_length=36)]] = Field(
        [],
        max_length=MAX_ATTACHMENTS,
        description="The user's files (ids) the question brings; its answer waits for one still being read",
    )
    parent_id: str | None = Field(
        None,
        max_length=36,
        description="The answer the question follows; by default the selected branch's end",
    )


class EditCreate(BaseModel):
    """An edited question: a new question beside the old one, and its answer (a new branch)."""

    model_config = ConfigDict(extra="forbid")

    content: str
    client_id: str | None = Field(None, min_length=1, max_length=100)


class RegenerateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str | None = Field(None, min_length=1, max_length=100)


class MessageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pinned: bool


class BranchSelect(BaseModel):
    """Show the branch through `message_id`: down to the newest message below it."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=36)


class BranchMessage(MessageRead):
    sibling_ids: list[str] = Field(description="This message and its alternatives, oldest first")


class ConversationTotals(BaseModel):
    """What every answer of the conversation cost, in all its branches."""

    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_complete: bool = Field(description="False: some answers have no recorded cost, the sum is a floor")


class BranchRead(BaseModel):
    """A page of the selected branch, root first: what the UI shows and the next question continues."""

    conversation_id: str
    leaf_id: str | None
    messages: list[BranchMessage]
    has_older: bool = Field(description="Older messages of the branch precede this page: ask with `before`")
    totals: ConversationTotals | None = Field(
        description="The conversation's; null on a page asked for with `before`, which the first page had"
    )


class SubmitResult(BaseModel):
    user_message: MessageRead
    assistant_message: MessageRead


class ErrorBody(BaseModel):
    """Every error: `detail` is a sentence to show a person; validation errors also list `errors`."""

    detail: str
    errors: list[dict[str, object]] | None = None


def error_responses(
    body: type[BaseModel], descriptions: dict[int, str]
) -> dict[int | str, dict[str, object]]:
    """What a router's routes may answer besides success, for the OpenAPI schema."""
    return {code: {"model": body, "description": description} for code, description in descriptions.items()}


ERRORS = error_responses(
    ErrorBody,
    {
        401: "Not signed in, or the sign-in or key is no longer valid",
        403: "Not allowed: another site's request, an admin's route, or a refused account",
        404: "Not found",
        409: "Conflicts with the current state",
        413: "Too long",
        422: "Invalid request",
        429: "Too many attempts; see Retry-After",
        503: "Redis or the database is unavailable",
    },
)


UsageDays = Annotated[int, Query(ge=1, le=366, description="Whole UTC days, today included")]
"""The window of the usage routes (the user's, and the admin's of every account)."""


ServerName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
SecretMap = Annotated[
    dict[Annotated[str, Field(min_length=1, max_length=200)], Annotated[str, Field(max_length=8000)]],
    Field(max_length=32),
]


class McpServerCreate(BaseModel):
    """An MCP server: over Streamable HTTP (`url`, with `headers`), or a command the workers start
    (`command`, `args`, `env`). Headers and env are stored sealed and never shown again."""

    model_config = ConfigDict(extra="forbid")

    name: ServerName = Field(description="Lower-case letters, digits, `-` and `_`: the tools' prefix")
    url: str | None = Field(None, max_length=2000, pattern=r"^https?://")
    headers: SecretMap | None = None
    command: str | None = Field(None, min_length=1, max_length=500)
    args: list[Annotated[str, Field(max_length=2000)]] | None = Field(None, max_length=64)
    env: SecretMap | None = None
    idempotent_tools: list[Annotated[str, Field(max_length=128)]] | None = Field(
        None, max_length=128, description="Tools that may be called again after a crash cut a call short"
    )

    @model_validator(mode="after")
    def _one_transport(self) -> "McpServerCreate":
        if (self.url is None) == (self.command is None):
            raise ValueError("give either a url (Streamable HTTP) or a command (stdio)")
        if self.url is not None and (self.args or self.env):
            raise ValueError("args and env go with a command, not a url")
        if self.command is not None and self.headers:
            raise ValueError("headers go with a url, not a command")
        return self


class ToolRead(BaseModel):
    name: str
    description: str
    input_schema: dict[str, Any]


class McpServerRead(BaseModel):
    """A registered server as every route shows it: its secrets never, only whether it has any."""

    id: str
    name: str
    transport: str
    url: str | None
    command: str | None
    args: list[str] | None
    has_secrets: bool
    idempotent_tools: list[str] | None
    status: str = Field(description="unknown (not listed yet), ok, or unreachable")
    status_detail: str | None
    checked_at: UtcDatetime | None
    tools: list[ToolRead]


class FileRead(BaseModel):
    """An uploaded file: `processing` while a worker reads it, then `ready` (with its tokens, and
    its pages or its size in pixels) or `failed` (with `error`, a sentence)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    size: int
    content_type: str
    status: FileStatus
    error: str | None
    tokens: int | None
    pages: int | None
    width: int | None
    height: int | None
    created_at: UtcDatetime


class FilePage(BaseModel):
    items: list[FileRead]
    next_offset: int | None
