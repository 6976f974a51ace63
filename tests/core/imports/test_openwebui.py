"""Open WebUI's chat export, read from the hand-built fixture in its public format."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.imports import openwebui
from core.transfer import ImportRefused

FIXTURE = Path(__file__).parents[2] / "fixtures" / "imports" / "openwebui-chat-export.json"


def items() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return loaded


def test_a_second_models_answer_is_a_branch_and_the_chats_current_one_is_selected() -> None:
    haiku, units = openwebui.read_export(items(), 10_000)
    assert haiku.conversation.title == "Haiku about autumn"
    assert [(m.role.value, m.parent_id, m.model) for m in haiku.messages] == [
        ("user", None, None),
        ("assistant", "m1", "llama3.1:8b"),
        ("assistant", "m1", "qwen2.5:7b"),  # the sibling: another model's answer
        ("user", "m2", None),
        ("assistant", "m4", "llama3.1:8b"),
    ]
    # currentId is qwen's answer: the shorter branch, not the newest message.
    assert haiku.conversation.selected_leaf_id == "m3"
    assert haiku.conversation.system_prompt == "You are a poet who writes in English."
    assert units.conversation.selected_leaf_id == "m2"


def test_times_are_kept_from_seconds() -> None:
    haiku, _ = openwebui.read_export(items(), 10_000)
    assert haiku.conversation.created_at.timestamp() == 1727690400
    assert haiku.conversation.updated_at.timestamp() == 1727690470
    assert [int(m.created_at.timestamp()) for m in haiku.messages] == [
        1727690400,
        1727690405,
        1727690407,
        1727690460,
        1727690466,
    ]


def test_a_bare_chat_reads_as_an_exported_one() -> None:
    bare = items()[1]["chat"]
    (export,) = openwebui.read_export([bare], 100)
    assert export.conversation.title == "Unit conversion"
    assert export.conversation.created_at.timestamp() == pytest.approx(1727776800.456)  # from milliseconds


def test_content_given_as_parts_keeps_its_text() -> None:
    assert openwebui.text_of([{"type": "text", "text": "one"}, "two", {"type": "image_url"}]) == "one\n\ntwo"


def test_a_chat_without_messages_is_refused() -> None:
    empty = {"title": "Empty", "chat": {"history": {"messages": {}, "currentId": None}}}
    with pytest.raises(ImportRefused) as refused:
        openwebui.read_export([empty], 100)
    assert str(refused.value) == "Conversation 1 (“Empty”) has no messages to import."


def test_a_cycle_is_refused() -> None:
    messages = {
        "a": {"id": "a", "parentId": "b", "role": "user", "content": "x"},
        "b": {"id": "b", "parentId": "a", "role": "assistant", "content": "y"},
    }
    with pytest.raises(ImportRefused, match="has a cycle in its messages' parent links"):
        openwebui.read_export([{"title": "Loop", "chat": {"history": {"messages": messages}}}], 100)


def test_a_messages_files_leave_notes() -> None:
    files = [{"type": "image", "url": "data:image/png;base64,AAAA"}, {"type": "file", "name": "notes.txt"}]
    messages = {"q": {"id": "q", "parentId": None, "role": "user", "content": "Look.", "files": files}}
    (export,) = openwebui.read_export([{"title": "Files", "chat": {"history": {"messages": messages}}}], 100)
    assert export.messages[0].content == (
        "[an image was not imported]\n\n[notes.txt was not imported]\n\nLook."
    )


def test_a_pinned_chat_comes_in_pinned_and_an_archived_one_archived() -> None:
    placed = items()
    placed[0]["pinned"] = True
    placed[1]["archived"] = True
    haiku, units = openwebui.read_export(placed, 10_000)
    assert (haiku.conversation.pinned_at, haiku.conversation.archived_at) == (
        haiku.conversation.updated_at,
        None,
    )
    assert (units.conversation.pinned_at, units.conversation.archived_at) == (
        None,
        units.conversation.updated_at,
    )
    # As exported, with both false: neither.
    plain, _ = openwebui.read_export(items(), 10_000)
    assert plain.conversation.pinned_at is plain.conversation.archived_at is None


def test_a_pin_dated_in_the_future_is_taken_as_made_now() -> None:
    """A pin in the year 9999 would head the list above every pin made after it."""
    placed = items()
    placed[0]["pinned"] = True
    placed[0]["updated_at"] = 253_402_300_000  # 9999-12-31
    haiku, _ = openwebui.read_export(placed, 10_000)
    pinned_at = haiku.conversation.pinned_at
    assert pinned_at is not None
    assert pinned_at <= datetime.now(UTC)
