"""The tables: conversations and messages (SQLModel), and the statuses an answer goes through."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.ids import new_id


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    user = "user"
    assistant = "assistant"
    tool = "tool"  # a tool's result, which a /v1 client sends back for an answer's tool call


class Status(StrEnum):
    queued = "queued"
    streaming = "streaming"
    complete = "complete"
    stopped = "stopped"
    failed = "failed"


class UserRole(StrEnum):
    admin = "admin"  # manages accounts and the signup mode; sees no one else's conversations
    user = "user"


class UserStatus(StrEnum):
    active = "active"
    pending = "pending"  # signed up while signups needed approval: cannot sign in yet
    disabled = "disabled"


class SignupMode(StrEnum):
    open = "open"  # anyone may create an account, active at once
    approval = "approval"  # anyone may sign up; an admin approves the account
    closed = "closed"  # only admins add accounts


class Source(StrEnum):
    """Where a conversation came from."""

    app = "app"  # the web UI, or /api
    # The OpenAI-compatible API (/v1): left out of the sidebar unless asked for. Stored and sent
    # as "api" (`GET /api/conversations?source=api`), the name clients and databases already have.
    openai = "api"


class TitleSource(StrEnum):
    """Where a conversation's title came from, which decides whether a generated one may replace it."""

    default = "default"  # the placeholder: nothing to name yet
    fallback = "fallback"  # built from the first question; a generated title may replace it
    generated = "generated"  # written by the model
    user = "user"  # set by hand: never replaced automatically


DEFAULT_TITLE = "New chat"
ACTIVE_STATUSES = (Status.queued, Status.streaming)
# The /v1 request parameters that the worker passes on to the model as they were asked: sampling,
# and what the output must be (`response_format`: JSON, or JSON of a schema).
MODEL_PARAMS = (
    "temperature",
    "top_p",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "user",
    "logit_bias",
    "reasoning_effort",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
)
FINAL_STATUSES = (Status.complete, Status.stopped, Status.failed)


def _timestamp() -> datetime:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))  # type: ignore[no-any-return]


def _belongs_to_account() -> str:
    """The account a row belongs to, deleted with it."""
    column = sa.Column(
        sa.String(36), sa.ForeignKey("account.id", ondelete="CASCADE"), index=True, nullable=False
    )
    return Field(sa_column=column)  # type: ignore[no-any-return]


def _moment() -> datetime | None:
    return Field(default=None, sa_type=sa.DateTime(timezone=True))  # type: ignore[no-any-return]


class User(SQLModel, table=True):
    # "user" is a reserved word in Postgres.
    __tablename__ = "account"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # Stored lower-cased: one account per address, however it is typed.
    email: str = Field(max_length=320, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    role: UserRole = Field(default=UserRole.user, sa_type=sa.String(16))
    status: UserStatus = Field(default=UserStatus.active, sa_type=sa.String(16))
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # An admin's overrides of the role's limits (core/limits.py); None: the role's.
    limit_running_answers: int | None = None
    limit_waiting_answers: int | None = None
    limit_tokens_per_day: int | None = Field(default=None, sa_type=sa.BigInteger)
    limit_cost_per_month_usd: float | None = Field(default=None, sa_type=sa.Float)
    limit_storage_mb: int | None = None


class RoleLimit(SQLModel, table=True):
    """A role's default limits, one row per role; None: unlimited."""

    __tablename__ = "role_limit"

    role: UserRole = Field(primary_key=True, sa_type=sa.String(16))
    running_answers: int | None = None
    waiting_answers: int | None = None
    tokens_per_day: int | None = Field(default=None, sa_type=sa.BigInteger)
    cost_per_month_usd: float | None = Field(default=None, sa_type=sa.Float)
    storage_mb: int | None = None


class SignIn(SQLModel, table=True):
    """A signed-in browser: the cookie's token is kept only as its SHA-256."""

    __tablename__ = "login_session"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = _belongs_to_account()
    token_hash: str = Field(max_length=64, unique=True)
    user_agent: str = Field(default="", max_length=300)
    address: str = Field(default="", max_length=64)
    created_at: datetime = _timestamp()
    last_seen_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ApiKey(SQLModel, table=True):
    """A key for programs (`Authorization: Bearer`): shown once, kept only as its SHA-256."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = _belongs_to_account()
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()
    last_used_at: datetime | None = _moment()


class JobUsage(SQLModel, table=True):
    """What a job other than an answer cost its owner (a title's model call): counted in their
    usage beside their answers, whose own figures are on their rows."""

    __tablename__ = "job_usage"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = _belongs_to_account()
    kind: str = Field(max_length=16)  # "title"
    model: str | None = Field(default=None, max_length=200)
    prompt_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    completion_tokens: int = Field(default=0, sa_type=sa.BigInteger)
    cost_usd: float = Field(default=0.0, sa_type=sa.Float)
    created_at: datetime = _timestamp()


class SiteSetting(SQLModel, table=True):
    """Settings an admin changes at run time (the signup mode), one row each."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)


class McpTransport(StrEnum):
    http = "http"  # Streamable HTTP, at `url`
    stdio = "stdio"  # `command` with `args`, started by each worker that uses it


class McpServer(SQLModel, table=True):
    """An MCP server an admin registered: its tools are what answers in the app may use. Its
    headers and environment (credentials, as often as not) are kept sealed (core/secrets.py)."""

    __tablename__ = "mcp_server"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    name: str = Field(max_length=64, unique=True)
    transport: McpTransport = Field(sa_type=sa.String(16))
    url: str | None = Field(default=None, max_length=2000)
    command: str | None = Field(default=None, max_length=500)
    args: list[str] | None = Field(default=None, sa_type=sa.JSON)
    sealed_headers: str | None = Field(default=None, sa_type=sa.Text)
    sealed_env: str | None = Field(default=None, sa_type=sa.Text)
    # Tools that may run again after a call cut short by a crash (the rest get an error result).
    idempotent_tools: list[str] | None = Field(default=None, sa_type=sa.JSON)
    # As a worker last listed them: [{"name", "description", "input_schema"}].
    tools: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    status: str = Field(default="unknown", max_length=16)  # unknown | ok | unreachable
    status_detail: str | None = Field(default=None, max_length=1000)
    checked_at: datetime | None = _moment()
    created_at: datetime = _timestamp()


class FileStatus(StrEnum):
    processing = "processing"  # stored; a worker is ingesting it
    ready = "ready"
    failed = "failed"  # `error` says why; its bytes are gone


class StoredFile(SQLModel, table=True):
    """A file a user uploaded: its bytes are in the `FileStore` (core/files/store.py), its text
    in chunks once a worker has ingested it."""

    __tablename__ = "file"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    owner_id: str = _belongs_to_account()
    name: str = Field(max_length=255)
    size: int = Field(sa_type=sa.BigInteger)
    # Sniffed from the bytes (core/files/sniff.py), never the client's word.
    content_type: str = Field(max_length=100)
    status: FileStatus = Field(default=FileStatus.processing, sa_type=sa.String(16))
    error: str | None = Field(default=None, max_length=1000)
    # A document's text: its tokens in `tokenizer`, its pages (None: not paged); an image's size.
    tokens: int | None = None
    tokenizer: str | None = Field(default=None, max_length=64)
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    embedded_with: str | None = Field(default=None, max_length=200)  # the model of its chunks' vectors
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class FileChunk(SQLModel, table=True):
    """A piece of a document's text, as its answers' prompts and search read it."""

    __tablename__ = "file_chunk"

    id: int | None = Field(default=None, primary_key=True)
    file_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("file.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    ordinal: int
    page: int | None = None  # the page it starts on, for a paged document
    text: str = Field(sa_type=sa.Text)
    tokens: int
    # Its vector from `StoredFile.embedded_with`, unit length, float32 (core/files/vectors.py).
    embedding: bytes | None = Field(default=None, sa_type=sa.LargeBinary)


class FileBlob(SQLModel, table=True):
    """A piece of a file's bytes, for the database's `FileStore`: what many hosts share with
    nothing else to run."""

    __tablename__ = "file_blob"

    file_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("file.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=sa.LargeBinary)


class Folder(SQLModel, table=True):
    """A user's folder of conversations; deleting it leaves its conversations unfiled unless asked."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    owner_id: str = _belongs_to_account()
    name: str = Field(max_length=100)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Conversation(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    # Null only for conversations from before accounts, until the first admin account takes them.
    # No cascade: deleting an account deletes its conversations first, stopping their answers.
    owner_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36), sa.ForeignKey("account.id"), index=True)
    )
    title: str = Field(default=DEFAULT_TITLE, max_length=200)
    title_source: TitleSource = Field(
        default=TitleSource.default, sa_type=sa.String(16), sa_column_kwargs={"server_default": "default"}
    )
    system_prompt: str = Field(default="", sa_type=sa.Text)
    model: str | None = Field(default=None, max_length=200)
    # The answer's share of the context window (sent as max_tokens); None: the model's default.
    max_tokens: int | None = None
    source: Source = Field(
        default=Source.app, sa_type=sa.String(16), sa_column_kwargs={"server_default": "app"}
    )
    # The tools its answers may use, as `<server>.<tool>` (MCP servers an admin registered).
    tools: list[str] | None = Field(default=None, sa_type=sa.JSON)
    # Sampling for its answers (None: the model's default), within the catalog's limits.
    temperature: float | None = Field(default=None, sa_type=sa.Float)
    top_p: float | None = Field(default=None, sa_type=sa.Float)
    seed: int | None = Field(default=None, sa_type=sa.BigInteger)
    # No ON DELETE: deleting a folder unfiles its conversations first, in the same transaction
    # (SQLite keeps no ON DELETE of a column added in place where reflection can see it).
    folder_id: str | None = Field(
        default=None, sa_column=sa.Column(sa.String(36), sa.ForeignKey("folder.id"), index=True)
    )
    pinned_at: datetime | None = _moment()  # pinned conversations head the list, newest pin first
    archived_at: datetime | None = _moment()  # archived: out of the list, still found by search
    # The newest message of the branch the user looks at; the next question continues it.
    # No foreign key: messages already cascade from their conversation, and a cycle would not.
    selected_leaf_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Share(SQLModel, table=True):
    """A read-only snapshot of one branch of a conversation, open to anyone with its link. The
    token is kept only as its SHA-256; sharing again makes a new snapshot and a new link."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    conversation_id: str = Field(
        sa_column=sa.Column(
            sa.String(36),
            sa.ForeignKey("conversation.id", ondelete="CASCADE"),
            unique=True,
            nullable=False,
        )
    )
    owner_id: str = _belongs_to_account()
    token_hash: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    # The branch as it was shared, as core/shares.SharedMessage: [{"role", "content", "model",
    # "created_at", "stopped", "attachments"}] (attachments: the files' names, never their bytes).
    messages: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    created_at: datetime = _timestamp()


class PromptPreset(SQLModel, table=True):
    """A saved prompt, inserted by typing `/command` in the composer; an admin's may be shared."""

    __tablename__ = "prompt_preset"
    __table_args__ = (sa.UniqueConstraint("owner_id", "command"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    owner_id: str = _belongs_to_account()
    command: str = Field(max_length=32)
    title: str = Field(max_length=100)
    content: str = Field(sa_type=sa.Text)  # may hold {{clipboard}} and {{named}} fields
    shared: bool = Field(default=False)  # an admin's preset offered to everyone
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


_active = sa.text("role = 'assistant' AND status IN ('queued', 'streaming')")
_pinned = sa.text("pinned")


class Message(SQLModel, table=True):
    __table_args__ = (
        # The database, not a check-then-insert, guarantees one running answer per conversation
        # and one message per client_id, even with several API processes racing.
        sa.Index(
            "one_active_answer_per_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=_active,
            postgresql_where=_active,
        ),
        sa.Index("one_message_per_client_id", "conversation_id", "client_id", unique=True),
        # A prompt looks for its branch's pins: few, in a conversation of any length.
        sa.Index("ix_message_pinned", "conversation_id", sqlite_where=_pinned, postgresql_where=_pinned),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    conversation_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("conversation.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    # The message this one follows: messages form a tree, and siblings are branches.
    parent_id: str | None = Field(default=None, max_length=36, index=True)
    role: Role = Field(sa_type=sa.String(16))
    content: str = Field(default="", sa_type=sa.Text)
    status: Status = Field(default=Status.complete, sa_type=sa.String(16))
    error: str | None = Field(default=None, sa_type=sa.Text)
    error_code: str | None = Field(default=None, max_length=32)
    model: str | None = Field(default=None, max_length=200)
    attempt: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = Field(default=None, sa_type=sa.Float)
    """US dollars at the model's prices when the answer was made; 0 for a local model."""
    first_token_at: datetime | None = _moment()
    finished_at: datetime | None = _moment()
    """First token and end of the answer's last attempt: its speed is completion tokens over the two."""
    finish_reason: str | None = Field(default=None, max_length=32)
    client_id: str | None = Field(default=None, max_length=100)
    # Included in every prompt of its branch while it fits.
    pinned: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})  # as migration 0002
    # The content's tokens in `tokenizer`, counted once when the message is written: a prompt
    # sums them instead of tokenizing the history again (None: written before they were stored).
    tokens: int | None = None
    tokenizer: str | None = Field(default=None, max_length=64)
    # What an answer said besides its text: the reasoning a reasoning model streamed, and the
    # tool calls it made, as OpenAI's `tool_calls` ([{"id", "type", "function": {"name",
    # "arguments"}}]); a tool message names the call it answers.
    reasoning: str | None = Field(default=None, sa_type=sa.Text)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    tool_call_id: str | None = Field(default=None, max_length=100)
    # An app answer's tool steps (MCP tools the worker called for it): [{"id", "name" (as
    # `<server>.<tool>`), "arguments", "round", "output" | "error", "duration_ms"}]; a step
    # without either is a call that was under way when last saved.
    tool_steps: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    # The files a question brought (`StoredFile` ids, in their order): its answers read them.
    attachments: list[str] | None = Field(default=None, sa_type=sa.JSON)
    # Of the completion tokens, those spent on reasoning (the server's count, else ours).
    reasoning_tokens: int | None = None
    # An answer's prompt: the earlier messages it was built from (None: not recorded).
    included_ids: list[str] | None = Field(default=None, sa_type=sa.JSON)
    # The attached documents an answer's prompt drew on, in the question's order: [{"file_id",
    # "name", "whole", "pages", "chunks"}] (worker/documents.py's `Source`; [] none; None: not recorded).
    sources: list[dict[str, Any]] | None = Field(default=None, sa_type=sa.JSON)
    # What a /v1 request asked for: the MODEL_PARAMS and `max_tokens`, which the worker passes
    # on; `instructions`, the system prompt of this answer alone (a response's); `response`, what
    # the Responses API keeps of its request (background, store, metadata, previous_response_id);
    # `app_tools`, the MCP tools a response's `mcp` tools named, as `<server>.<tool>`.
    params: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # From an imported file: its figures are the file's, counted in no one's usage (core/usage.py).
    imported: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Feedback(SQLModel, table=True):
    """A user's thumbs up or down on an answer, with an optional comment, for evaluation."""

    __table_args__ = (sa.UniqueConstraint("message_id", "user_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    message_id: str = Field(
        sa_column=sa.Column(
            sa.String(36), sa.ForeignKey("message.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    user_id: str = _belongs_to_account()
    rating: str = Field(max_length=8)  # up | down
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


def is_active_answer() -> Any:
    """SQL condition: an answer still queued or streaming.

    Written as the partial index's own condition, not with bound values: only then can SQLite
    see that the index covers the query, rather than reading every message of the conversation."""
    return _active


def is_pinned() -> Any:
    """SQL condition: a pinned message, written as `ix_message_pinned`'s condition (see above)."""
    return _pinned
