"""What an import's bytes are, told from the bytes alone, and read: relaychat's own export (one
conversation, with its files), ChatGPT's `conversations.json` or the zip that holds it, or Open
WebUI's chat export. Pure: no database, no Redis; each refusal an ImportRefused with a sentence.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.imports import archive, chatgpt, openwebui
from core.transfer import ConversationExport, ImportRefused, load_json, read_document


class Format(StrEnum):
    relaychat = "relaychat"
    chatgpt = "chatgpt"
    openwebui = "openwebui"


@dataclass(frozen=True, slots=True)
class ImportLimits:
    max_bytes: int  # the JSON's, a zip's conversations.json unzipped too
    max_messages: int  # a conversation's
    max_files: int  # relaychat's export's attachments
    max_conversations: int
    max_total_messages: int  # every conversation's, together
    max_zip_entries: int


@dataclass(frozen=True, slots=True)
class ReadImport:
    """The file read: its format, its conversations (relaychat's: one), and the size of its JSON."""

    format: Format
    conversations: list[ConversationExport]
    json_bytes: int


NOT_AN_EXPORT = (
    "This is not a conversation export relaychat reads: choose relaychat's JSON export, ChatGPT's "
    "data export (the zip, or its conversations.json) or Open WebUI's chat export."
)


def _foreign(items: list[Any], limits: ImportLimits) -> tuple[Format, list[ConversationExport]]:
    if not items:
        raise ImportRefused("The file holds no conversations.")
    if chatgpt.looks_like(items[0]):
        reader, count, kind = chatgpt.read_export, chatgpt.message_count, Format.chatgpt
    elif openwebui.looks_like(items[0]):
        reader, count, kind = openwebui.read_export, openwebui.message_count, Format.openwebui
    else:
        raise ImportRefused(NOT_AN_EXPORT)
    if len(items) > limits.max_conversations:
        raise ImportRefused(
            f"The file holds {len(items):,} conversations; the limit is {limits.max_conversations:,}.",
            too_big=True,
        )
    total = sum(count(item) for item in items)
    if total > limits.max_total_messages:
        raise ImportRefused(
            f"The file holds {total:,} messages; the limit is {limits.max_total_messages:,}.", too_big=True
        )
    conversations = reader(items, limits.max_messages)
    if not conversations:
        raise ImportRefused("The file holds no conversations.")
    return kind, conversations


def read_import(raw: bytes, limits: ImportLimits) -> ReadImport:
    """Blocking (a large file is seconds of CPU): the bytes told apart and read."""
    if archive.is_zip(raw):
        raw = archive.conversations_json(raw, limits.max_bytes, limits.max_zip_entries)
    document = load_json(raw)
    if isinstance(document, dict) and (chatgpt.looks_like(document) or openwebui.looks_like(document)):
        document = [document]  # one conversation alone, as a single chat's download holds it
    if isinstance(document, list):
        kind, conversations = _foreign(document, limits)
        return ReadImport(kind, conversations, len(raw))
    export = read_document(document, limits.max_messages, limits.max_files)
    return ReadImport(Format.relaychat, [export], len(raw))
