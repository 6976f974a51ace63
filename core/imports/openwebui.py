"""Open WebUI's chat export (Settings → Chats → Export, `chat-export-….json`) read as relaychat exports.

The file is an array of chats as Open WebUI stores them: `{"id", "title", "chat", "created_at",
"updated_at", …}` (times in epoch seconds), where `chat` holds `history`: `messages` (message id
→ `{"id", "parentId", "childrenIds", "role", "content", "timestamp", "model"}`) and `currentId`,
the end of the branch shown last. A regenerated answer, an edited question or an answer from a
second model is another child of the same parent. `chat.system` is the chat's system prompt. A
bare chat (the `chat` object alone, as Open WebUI's own import also takes) reads the same.
"""

from typing import Any

from core.imports.tree import Foreign, Node, build, check_count, moment
from core.models import Role
from core.transfer import ConversationExport, ImportRefused

SHOWN = {"user": Role.user, "assistant": Role.assistant}


def _chat(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    chat = item.get("chat")
    if isinstance(chat, dict) and "history" in chat:
        return chat
    return item if "history" in item else None


def looks_like(item: Any) -> bool:
    """Whether an element of the array is one of Open WebUI's chats."""
    return _chat(item) is not None


def _label(number: int, title: Any) -> str:
    named = f" (“{' '.join(title.split())[:60]}”)" if isinstance(title, str) and title.strip() else ""
    return f"Conversation {number}{named}"


def text_of(content: Any) -> str:
    """A message's content: a string, or a list of parts whose text is kept."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part if isinstance(part, str) else part.get("text")
            for part in content
            if isinstance(part, str | dict)
        ]
        return "\n\n".join(text for text in texts if isinstance(text, str) and text)
    return ""


def file_notes(files: Any) -> list[str]:
    """A note for each file a message brought (an image, a document): their bytes are not in the export."""
    if not isinstance(files, list):
        return []
    notes = []
    for file in files:
        if not isinstance(file, dict):
            continue
        name = file.get("name")
        if file.get("type") == "image":
            notes.append("[an image was not imported]")
        else:
            named = " ".join(name.split())[:100] if isinstance(name, str) and name.strip() else "A file"
            notes.append(f"[{named} was not imported]")
    return notes


def _node(message_id: str, message: Any, label: str) -> Node:
    if not isinstance(message, dict):
        raise ImportRefused(f"{label}: its message {message_id[:40]} is not an object.")
    parent = message.get("parentId")
    if parent is not None and not isinstance(parent, str):
        raise ImportRefused(f"{label}: its message {message_id[:40]} names a parent that is not an id.")
    role = SHOWN.get(str(message.get("role")))
    parts = [*file_notes(message.get("files")), text_of(message.get("content"))] if role else []
    text = "\n\n".join(part for part in parts if part)
    model = message.get("model") if isinstance(message.get("model"), str) else None
    keep = role is not None and bool(text.strip())
    return Node(message_id, parent, role, text, moment(message.get("timestamp")), model, keep)


def message_count(item: Any) -> int:
    chat = _chat(item)
    history = chat.get("history") if chat else None
    messages = history.get("messages") if isinstance(history, dict) else None
    return len(messages) if isinstance(messages, dict) else 0


def read_conversation(number: int, item: Any, max_messages: int) -> ConversationExport:
    """One chat of the array (numbered from 1 in refusals)."""
    chat = _chat(item)
    if chat is None:
        raise ImportRefused(f"Conversation {number} is not an Open WebUI chat: it has no history.")
    outer: dict[str, Any] = item
    title = outer.get("title") if isinstance(outer.get("title"), str) else chat.get("title")
    label = _label(number, title)
    history = chat.get("history")
    messages = history.get("messages") if isinstance(history, dict) else None
    if not isinstance(history, dict) or not isinstance(messages, dict):
        raise ImportRefused(f"{label} is not an Open WebUI chat: its history holds no messages.")
    check_count(label, len(messages), max_messages)  # before anything is made of them
    nodes = [_node(str(message_id), message, label) for message_id, message in messages.items()]
    current = history.get("currentId")
    system = chat.get("system")
    conversation = Foreign(
        label=label,
        title=title if isinstance(title, str) else None,
        # Open WebUI keeps a chat's times in seconds; a bare chat has its start in milliseconds.
        created=moment(outer.get("created_at")) or moment(chat.get("timestamp")),
        updated=moment(outer.get("updated_at")),
        nodes=nodes,
        selected=current if isinstance(current, str) else None,
        system_prompt=system if isinstance(system, str) else "",
        pinned=outer.get("pinned") is True,
        archived=outer.get("archived") is True,
    )
    return build(conversation)


def read_export(items: list[Any], max_messages: int) -> list[ConversationExport]:
    """Every chat of the array, in its order."""
    return [read_conversation(number, item, max_messages) for number, item in enumerate(items, start=1)]
