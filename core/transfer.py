"""A conversation as a JSON file: exported losslessly, imported back as a new conversation.

Version 1 holds every message (with `parent_id`, so branches survive), every stored field (pins,
the ids each answer's prompt included and the documents it drew on too), and the conversation's
title, title source, system prompt, model, max tokens, selected branch and timestamps. Importing
gives the conversation and its messages new ids, in the file's order (ids sort by creation), with parent
links remapped; anything else comes back exactly as exported.

Version 2 adds the files the messages attach (`attachments`, file ids): each file's name, type,
size and bytes (base64), in `files`. Importing makes them new files of the importer's, which the
workers read again (api/imported_files.py), and the messages name them by their new ids; an attachment
whose file is not in the export (deleted before it was made) gets an id that names no file, so
it is shown as deleted and never names anyone else's. Version 1 still imports.
"""

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ids import new_id
from core.models import ACTIVE_STATUSES, Conversation, Message, Role, Status, TitleSource
from core.sampling import Seed, Temperature, TopP
from core.text import first_bad_text

FORMAT = "relaychat.conversation"
VERSION: Literal[2] = 2  # what an export is written as
READS = (1, 2)  # what an import reads
MAX_ATTACHMENTS = 10  # a question's files, as a question may bring them (api/schemas.py)


class ImportRefused(ValueError):
    """A file that cannot be imported; the message is a sentence for the person who chose it."""

    def __init__(self, sentence: str, too_big: bool = False) -> None:
        super().__init__(sentence)
        self.too_big = too_big


def _utc(value: datetime) -> datetime:
    # Stored as UTC wall time (SQLite keeps no offset), so another offset must be converted.
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range in UTC") from None


Moment = Annotated[datetime, AfterValidator(_utc)]


def _not_later(value: datetime | None) -> datetime | None:
    """A pin or an archiving from a file is no later than now: a pin in the year 9999 would head
    the list above every pin made after it."""
    return None if value is None else min(value, datetime.now(UTC))


Id = Annotated[str, Field(min_length=1, max_length=36)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]  # the database's integer columns


class ExportedFunction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=64)]
    arguments: Annotated[str, Field(max_length=1_000_000)]


class ExportedToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=100)]
    type: Literal["function"] = "function"
    function: ExportedFunction


class ExportedStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    arguments: Annotated[str, Field(max_length=1_000_000)]
    round: Annotated[int, Field(ge=0, le=1000)]
    output: Annotated[str, Field(max_length=1_000_000)] | None = None
    error: Annotated[str, Field(max_length=2_000)] | None = None
    duration_ms: Count | None = None


class ExportedSource(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    file_id: Id
    name: Annotated[str, Field(min_length=1, max_length=255)]
    whole: bool
    pages: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=100_000)] | None = None
    chunks: Annotated[list[Count], Field(max_length=100_000)] | None = None


class ExportedMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: Id
    parent_id: Id | None
    role: Role
    content: Annotated[str, Field(max_length=1_000_000)]
    status: Status
    error: Annotated[str, Field(max_length=2_000)] | None
    error_code: Annotated[str, Field(max_length=32)] | None
    model: Annotated[str, Field(max_length=200)] | None
    attempt: Count
    prompt_tokens: Count | None
    completion_tokens: Count | None
    cost_usd: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None
    first_token_at: Moment | None
    finished_at: Moment | None
    finish_reason: Annotated[str, Field(max_length=32)] | None
    client_id: Annotated[str, Field(min_length=1, max_length=100)] | None
    # Defaults: files exported before branches and pins existed still import.
    pinned: bool = False
    included_ids: Annotated[list[Id], Field(max_length=10_000)] | None = None
    # Defaults: files exported before tools and reasoning existed still import.
    reasoning: Annotated[str, Field(max_length=1_000_000)] | None = None
    tool_calls: Annotated[list[ExportedToolCall], Field(max_length=128)] | None = None
    tool_call_id: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    reasoning_tokens: Count | None = None
    tool_steps: Annotated[list[ExportedStep], Field(max_length=1000)] | None = None
    # Version 2: the files a question brought, by their ids in `files`.
    attachments: Annotated[list[Id], Field(max_length=MAX_ATTACHMENTS)] | None = None
    # Default: files exported before answers kept their documents still import.
    sources: Annotated[list[ExportedSource], Field(max_length=100)] | None = None
    created_at: Moment
    updated_at: Moment


class ExportedConversation(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)]
    title_source: TitleSource
    system_prompt: Annotated[str, Field(max_length=32_000)]
    model: Annotated[str, Field(min_length=1, max_length=200)] | None
    max_tokens: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    # Checked against the model at each answer's submit, like a conversation's own settings.
    temperature: Temperature = None
    top_p: TopP = None
    seed: Seed = None
    # Where the owner had put it: pinned or archived comes back so (a folder is the account's own).
    pinned_at: Annotated[Moment | None, AfterValidator(_not_later)] = None
    archived_at: Annotated[Moment | None, AfterValidator(_not_later)] = None
    selected_leaf_id: Id | None = None
    created_at: Moment
    updated_at: Moment


class ExportedFile(BaseModel):
    """A file the messages attach: what it was called, and its bytes. What it holds (its text, its
    tokens, its size in pixels) is read again by the importer's workers, never taken from the file."""

    model_config = ConfigDict(extra="forbid")

    id: Id
    name: Annotated[str, Field(min_length=1, max_length=255)]
    content_type: Annotated[str, Field(max_length=100)] = Field(
        description="As the exporting relaychat read it; the importer reads the type from the bytes again"
    )
    size: Annotated[int, Field(ge=0, le=2**53)] = Field(description="Bytes, before base64")
    data: str = Field(description="The bytes, base64 (RFC 4648, padded)", repr=False)


class ConversationExport(BaseModel):
    """What `GET /api/conversations/{id}/export.json` gives and `POST /api/conversations/import` takes."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["relaychat.conversation"] = "relaychat.conversation"
    version: Literal[1, 2] = VERSION
    conversation: ExportedConversation
    messages: list[ExportedMessage] = Field(description="Oldest first; a message's parent comes before it")
    files: list[ExportedFile] = Field(default=[], description="Version 2: the files the messages attach")


def export_conversation(conversation: Conversation, messages: list[Message]) -> ConversationExport:
    """The export without its files' entries (`files`: an export's route streams them after it)."""
    return ConversationExport(
        conversation=ExportedConversation.model_validate(conversation),
        messages=[ExportedMessage.model_validate(message) for message in messages],
    )


def attached_ids(messages: list[Message]) -> list[str]:
    """The files the messages attach, each once, in the order they were first attached."""
    return list(dict.fromkeys(file_id for message in messages for file_id in message.attachments or ()))


def base64_length(size: int) -> int:
    """The length of `size` bytes in padded base64."""
    return 4 * math.ceil(size / 3)


def error_sentence(error: ValidationError) -> str:
    parts = []
    for problem in error.errors()[:3]:
        where = ".".join(str(part) for part in problem["loc"])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    more = f" (and {error.error_count() - 3} more)" if error.error_count() > 3 else ""
    return "; ".join(parts) + more


def _check_links(export: "ConversationExport") -> None:
    messages = export.messages
    seen: set[str] = set()
    client_ids: set[str] = set()
    for number, message in enumerate(messages, start=1):
        if message.id in seen:
            raise ImportRefused(f"Message {number} repeats the id of an earlier message ({message.id}).")
        if message.parent_id is not None and message.parent_id not in seen:
            where = (
                "comes after it" if any(m.id == message.parent_id for m in messages) else "is not in the file"
            )
            raise ImportRefused(f"Message {number} names a parent ({message.parent_id}) that {where}.")
        if message.client_id is not None:
            if message.client_id in client_ids:
                raise ImportRefused(f"Message {number} repeats the client_id of an earlier message.")
            client_ids.add(message.client_id)
        if any(included not in seen for included in message.included_ids or []):
            raise ImportRefused(f"Message {number} says its prompt included a message that is not before it.")
        seen.add(message.id)
    leaf = export.conversation.selected_leaf_id
    if leaf is not None and leaf not in seen:
        raise ImportRefused(f"The selected branch ends at a message that is not in the file ({leaf}).")
    _check_files(export)


def _check_files(export: "ConversationExport") -> None:
    """Each file once, attached to a message, its base64 as long as its size says (so that sizes
    can be held to limits before any is decoded); each message's files once."""
    attached: set[str] = set()
    for number, message in enumerate(export.messages, start=1):
        if len(set(message.attachments or ())) < len(message.attachments or ()):
            raise ImportRefused(f"Message {number} attaches the same file twice.")
        attached.update(message.attachments or ())
    seen: set[str] = set()
    for number, file in enumerate(export.files, start=1):
        if file.id in seen:
            raise ImportRefused(f"Attachment {number} repeats the id of an earlier attachment ({file.id}).")
        seen.add(file.id)
        if file.id not in attached:
            raise ImportRefused(f"Attachment {number} ({file.name}) is attached to no message.")
        if len(file.data) != base64_length(file.size):
            raise ImportRefused(
                f"Attachment {number} ({file.name}) does not hold the {file.size:,} bytes its size says."
            )


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes) -> Any:
    """The file's JSON (NaN and the infinities refused), or ImportRefused with a sentence."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise ImportRefused(f"The file is not JSON ({error}).") from None
    except RecursionError:
        raise ImportRefused("The file is nested too deeply to be a conversation export.") from None


def parse_import(raw: bytes, max_messages: int, max_files: int) -> ConversationExport:
    """The file checked from the outside in, each refusal a sentence: JSON at all, then as
    `read_document` checks it."""
    return read_document(load_json(raw), max_messages, max_files)


def read_document(document: Any, max_messages: int, max_files: int) -> ConversationExport:
    """A parsed file checked: ours, the version we read, how many messages and files, the fields,
    then the links between messages and files. The files' bytes are not decoded here
    (api/imported_files.py reads them once their sizes passed)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused(
            "This is not a relaychat conversation export (its format is not relaychat.conversation), "
            "nor ChatGPT's or Open WebUI's."
        )
    if document.get("version") not in READS:
        raise ImportRefused(
            f"This export is version {document.get('version')!r}; this relaychat reads versions 1 and 2."
        )
    if document["version"] == 1 and "files" in document:
        raise ImportRefused("This export is version 1, which carries no files: files came with version 2.")
    if isinstance(document.get("messages"), list) and len(document["messages"]) > max_messages:
        count = len(document["messages"])
        raise ImportRefused(f"The file has {count:,} messages; the limit is {max_messages:,}.", too_big=True)
    if isinstance(document.get("files"), list) and len(document["files"]) > max_files:
        count = len(document["files"])
        raise ImportRefused(f"The file carries {count:,} files; the limit is {max_files:,}.", too_big=True)
    if bad := first_bad_text(document):
        raise ImportRefused(f"The file holds {bad.problem}, at {bad.where}.")
    try:
        export = ConversationExport.model_validate(document)
    except ValidationError as error:
        raise ImportRefused(f"The file is not a valid relaychat export: {error_sentence(error)}.") from None
    _check_links(export)
    return export


# A message's columns that an export does not carry.
_NOT_IN_THE_FILE = {"tokens": None, "tokenizer": None, "params": None}


def imported_rows(
    export: ConversationExport, file_ids: Mapping[str, str] | None = None
) -> tuple[Conversation, list[dict[str, Any]]]:
    """New rows for the file: the conversation, and its messages as the `message` table's rows
    (plain values: 10,000 of them go in as one bulk insert), with new ids in the file's order and
    parent links remapped; attachments by the new ids of their files (`file_ids`, the export's id
    to the importer's), or an id that names no file for one the export does not carry. An answer
    that was still running when exported cannot go on in the copy: it comes back stopped, its
    text kept."""
    file_ids = file_ids or {}
    conversation = Conversation(**export.conversation.model_dump(exclude={"id", "selected_leaf_id"}))
    new_ids: dict[str, str] = {}
    rows = []
    for exported in export.messages:
        new_ids[exported.id] = new_id()
        row = exported.model_dump(exclude={"id", "parent_id", "included_ids"})
        if row["status"] in ACTIVE_STATUSES:
            row["status"] = Status.stopped
        included = [new_ids[i] for i in exported.included_ids] if exported.included_ids is not None else None
        row |= {
            "id": new_ids[exported.id],
            "conversation_id": conversation.id,
            "parent_id": new_ids[exported.parent_id] if exported.parent_id else None,
            "included_ids": included,
            "attachments": _new_file_ids(exported.attachments, file_ids),
            "imported": True,
            **_NOT_IN_THE_FILE,
        }
        if row.get("sources"):  # the documents an answer drew on: named by their new ids too
            row["sources"] = [
                {**s, "file_id": file_ids.get(s["file_id"], s["file_id"])} for s in row["sources"]
            ]
        rows.append(row)
    leaf = export.conversation.selected_leaf_id
    conversation.selected_leaf_id = new_ids[leaf] if leaf else None
    return conversation, rows


def _new_file_ids(attachments: list[str] | None, file_ids: Mapping[str, str]) -> list[str] | None:
    # Never an id the file brought: it could name a file of someone else's, which a regenerated
    # answer would read.
    return None if attachments is None else [file_ids.get(old) or new_id() for old in attachments]


async def insert_imported(
    session: AsyncSession, conversation: Conversation, rows: list[dict[str, Any]]
) -> None:
    """The one writer of every import (relaychat's file, another app's, a job's batch): the
    conversation's row, then its messages (`imported_rows`'s) as one bulk insert of plain rows:
    10,000 ORM objects were seconds of the loop's time, with the database connection held. The
    caller commits, so a request's or a batch's conversations are written all together or not at all."""
    session.add(conversation)
    await session.flush()  # the conversation's row first: the messages' foreign key names it
    if rows:  # an empty list would be one insert of no values
        # On the session's own connection: SQLModel's session warns on a plain execute().
        connection = await session.connection()
        await connection.execute(sa.insert(Message.__table__), rows)  # type: ignore[attr-defined]
