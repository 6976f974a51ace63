"""ChatGPT's data export (`conversations.json`: an array of conversations) read as relaychat exports.

Each conversation holds its messages as a tree, `mapping`: node id → `{"id", "message", "parent",
"children"}`, where `message` (null for the root) has `author.role` (`user`, `assistant`,
`system`, `tool`), `content` (`content_type`, and `parts`: strings, or objects for images and
other attachments), `create_time` (epoch seconds, or null), `recipient` (`all`, or the tool an
assistant's message calls) and `metadata` (`model_slug`; `is_visually_hidden_from_conversation`
on the hidden system and context messages). An edited question or a regenerated answer is a
second child of the same parent; `current_node` is the end of the branch ChatGPT showed last;
`is_archived` true for a conversation archived there (archived here too).

Kept: what ChatGPT shows, the user's and the assistant's messages to everyone, their text parts
joined and each attachment named by a note (its bytes are not in `conversations.json`). Skipped,
their children moved up: the root, system messages, tools' calls and results, hidden and empty
messages.
"""

from typing import Any

from core.imports.tree import Foreign, Node, build, check_count, moment
from core.models import Role
from core.transfer import ConversationExport, ImportRefused

SHOWN = {"user": Role.user, "assistant": Role.assistant}
IMAGE_PART = "image_asset_pointer"


def looks_like(item: Any) -> bool:
    """Whether an element of the array is one of ChatGPT's conversations."""
    return isinstance(item, dict) and "mapping" in item


def _label(number: int, item: dict[str, Any]) -> str:
    title = item.get("title")
    named = f" (“{' '.join(title.split())[:60]}”)" if isinstance(title, str) and title.strip() else ""
    return f"Conversation {number}{named}"


KINDS = {
    IMAGE_PART: "an image",
    "audio_asset_pointer": "audio",
    "real_time_user_audio_video_asset_pointer": "audio",
}


def _note(part: dict[str, Any]) -> str:
    return f"[{KINDS.get(str(part.get('content_type')), 'an attachment')} was not imported]"


def attachment_notes(metadata: dict[str, Any]) -> list[str]:
    """A note for each file a question brought that is not an image (an image is one of its
    parts, noted there): a PDF's or a sheet's name is only in the message's metadata."""
    files = metadata.get("attachments")
    if not isinstance(files, list):
        return []
    notes = []
    for file in files:
        if isinstance(file, dict) and not str(file.get("mime_type", "")).startswith("image/"):
            name = file.get("name")
            named = " ".join(name.split())[:100] if isinstance(name, str) and name.strip() else "A file"
            notes.append(f"[{named} was not imported]")
    return notes


def text_of(content: Any) -> str:
    """A message's content as text: its string parts, one after another; a note for each part
    that is not text (an image, a file), whose bytes the export does not carry."""
    if not isinstance(content, dict):
        return ""
    parts = content.get("parts")
    if not isinstance(parts, list):
        text = content.get("text")  # code and quotes carry their text whole
        return text if isinstance(text, str) else ""
    pieces = []
    for part in parts:
        if isinstance(part, str):
            if part:
                pieces.append(part)
        elif isinstance(part, dict):
            text = part.get("text")
            pieces.append(text if isinstance(text, str) and text else _note(part))
    return "\n\n".join(pieces)


def _node(node_id: str, entry: Any, label: str) -> Node:
    if not isinstance(entry, dict):
        raise ImportRefused(f"{label}: its message {node_id[:40]} is not an object.")
    parent = entry.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise ImportRefused(f"{label}: its message {node_id[:40]} names a parent that is not an id.")
    message = entry.get("message")
    if not isinstance(message, dict):
        return Node(node_id, parent, None, "", None, keep=False)  # the root, or a placeholder
    author = message.get("author")
    role = SHOWN.get(str(author.get("role"))) if isinstance(author, dict) else None
    metadata = message.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    hidden = bool(metadata.get("is_visually_hidden_from_conversation"))
    to_everyone = message.get("recipient", "all") in ("all", None)
    parts = [*attachment_notes(metadata), text_of(message.get("content"))] if role else []
    text = "\n\n".join(part for part in parts if part)
    model = metadata.get("model_slug") if isinstance(metadata.get("model_slug"), str) else None
    keep = role is not None and not hidden and to_everyone and bool(text.strip())
    return Node(node_id, parent, role, text, moment(message.get("create_time")), model, keep)


def read_conversation(number: int, item: dict[str, Any], max_messages: int) -> ConversationExport:
    """One conversation of the array (numbered from 1 in refusals)."""
    label = _label(number, item)
    mapping = item.get("mapping")
    if not isinstance(mapping, dict):
        raise ImportRefused(f"{label} is not a ChatGPT conversation: its mapping is not an object.")
    check_count(label, len(mapping), max_messages)  # before anything is made of them
    nodes = [_node(str(node_id), entry, label) for node_id, entry in mapping.items()]
    title = item.get("title")
    current = item.get("current_node")
    conversation = Foreign(
        label=label,
        title=title if isinstance(title, str) else None,
        created=moment(item.get("create_time")),
        updated=moment(item.get("update_time")),
        nodes=nodes,
        selected=current if isinstance(current, str) else None,
        archived=item.get("is_archived") is True,
    )
    return build(conversation)


def message_count(item: Any) -> int:
    """How many messages a conversation's tree holds, before it is read (for the file's limit)."""
    mapping = item.get("mapping") if isinstance(item, dict) else None
    return len(mapping) if isinstance(mapping, dict) else 0


def read_export(items: list[Any], max_messages: int) -> list[ConversationExport]:
    """Every conversation of the array, in its order. Entries without a message tree (a project,
    a folder: newer exports list them beside the conversations) are passed over."""
    return [
        read_conversation(number, item, max_messages)
        for number, item in enumerate(items, start=1)
        if looks_like(item)
    ]
