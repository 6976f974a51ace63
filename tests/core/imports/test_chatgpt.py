"""ChatGPT's conversations.json, read from the hand-built fixture in its public format."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from core.imports import chatgpt
from core.transfer import ConversationExport, ImportRefused

FIXTURE = Path(__file__).parents[2] / "fixtures" / "imports" / "conversations.json"


def items() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(FIXTURE.read_text())
    return loaded


def by_content(export: ConversationExport) -> dict[str, Any]:
    return {message.content: message for message in export.messages}


def test_the_edited_question_is_a_branch_and_the_branch_chatgpt_showed_is_selected() -> None:
    trip, _ = chatgpt.read_export(items(), 10_000)
    assert trip.conversation.title == "Trip to Lisbon"
    assert [(m.role.value, m.parent_id) for m in trip.messages] == [
        ("user", None),
        ("assistant", "m1"),
        ("user", None),  # the edited question: the first question's sibling
        ("assistant", "m3"),
    ]
    # current_node is the first answer: the older branch, not the newest message, is selected.
    assert trip.conversation.selected_leaf_id == "m2"
    assert trip.messages[1].content.startswith("Day one: Alfama")


def test_system_tool_hidden_and_empty_messages_are_skipped_and_their_children_moved_up() -> None:
    trip, starter = chatgpt.read_export(items(), 10_000)
    # The hidden system root, the empty placeholder, the browser call and its result are gone:
    # the answer after them follows the edited question directly.
    answer = trip.messages[3]
    assert answer.content.startswith("Days one and two as before")
    assert answer.model == "gpt-4o-mini"  # its own metadata.model_slug
    assert not any("search(" in m.content or "Sintra: 40" in m.content for m in trip.messages)
    # The hidden custom-instructions message is no question.
    assert [m.role.value for m in starter.messages] == ["user", "assistant", "assistant"]


def test_times_titles_models_and_a_regenerated_answer_are_kept() -> None:
    trip, starter = chatgpt.read_export(items(), 10_000)
    assert trip.conversation.created_at.timestamp() == pytest.approx(1717236000.123456)
    assert trip.conversation.updated_at.timestamp() == pytest.approx(1717239600.654321)
    assert trip.messages[0].created_at.timestamp() == pytest.approx(1717236010.5)
    assert trip.conversation.title_source.value == "user"
    assert trip.conversation.model is None  # ChatGPT's models are not this deployment's
    assert [m.model for m in starter.messages] == [None, "gpt-4o", "o4-mini"]
    assert starter.messages[1].parent_id == starter.messages[2].parent_id == "m1"
    assert starter.conversation.selected_leaf_id == "m3"
    assert all(m.status.value == "complete" for m in starter.messages)


def test_text_parts_are_joined_and_an_image_part_leaves_a_note() -> None:
    _, starter = chatgpt.read_export(items(), 10_000)
    assert starter.messages[0].content == (
        "[an image was not imported]\n\nIs my starter ready? It doubled overnight."
    )
    assert chatgpt.text_of({"content_type": "text", "parts": ["one", "", "two"]}) == "one\n\ntwo"
    assert chatgpt.text_of({"content_type": "code", "text": "print(1)"}) == "print(1)"
    assert chatgpt.text_of(None) == ""


def test_an_answer_split_around_a_tool_call_is_one_answer() -> None:
    mapping = {
        "q": {"message": message("user", "Weather?"), "parent": None},
        "a1": {"message": message("assistant", "Let me look."), "parent": "q"},
        "t": {"message": message("tool", "sunny"), "parent": "a1"},
        "a2": {"message": message("assistant", "It is sunny."), "parent": "t"},
    }
    (export,) = chatgpt.read_export([{"title": "W", "mapping": mapping, "current_node": "a2"}], 100)
    assert [m.content for m in export.messages] == ["Weather?", "Let me look.\n\nIt is sunny."]
    assert export.conversation.selected_leaf_id == "m2"


def test_an_answer_in_three_pieces_listed_out_of_order_is_kept_whole_with_what_follows() -> None:
    # The file lists the last piece before the middle one: merged in the file's order, the last
    # piece's text was lost, the question under it dropped, and selecting it raised KeyError.
    mapping = {
        "q": {"message": message("user", "Weather?"), "parent": None},
        "a1": {"message": message("assistant", "Looking."), "parent": "q"},
        "a3": {"message": message("assistant", "It is sunny."), "parent": "a2"},
        "a2": {"message": message("assistant", "Found a forecast."), "parent": "a1"},
        "q2": {"message": message("user", "And tomorrow?"), "parent": "a3"},
    }
    (export,) = chatgpt.read_export([{"title": "W", "mapping": mapping, "current_node": "q2"}], 100)
    assert [(m.id, m.parent_id, m.content) for m in export.messages] == [
        ("m1", None, "Weather?"),
        ("m2", "m1", "Looking.\n\nFound a forecast.\n\nIt is sunny."),
        ("m3", "m2", "And tomorrow?"),
    ]
    assert export.conversation.selected_leaf_id == "m3"


def message(role: str, text: str, **fields: Any) -> dict[str, Any]:
    return {"author": {"role": role}, "content": {"content_type": "text", "parts": [text]}, **fields}


def with_mapping(mapping: dict[str, Any], title: str = "Broken") -> list[dict[str, Any]]:
    return [{"title": title, "mapping": mapping, "current_node": None}]


@pytest.mark.parametrize(
    ("mapping", "sentence"),
    [
        (
            {"a": {"message": message("user", "x"), "parent": "b"}, "b": {"message": None, "parent": "a"}},
            "Conversation 1 (“Broken”) has a cycle in its messages' parent links.",
        ),
        (
            {"a": {"message": message("user", "x"), "parent": "gone"}},
            "Conversation 1 (“Broken”) names a parent message that is not in it (gone).",
        ),
        (
            {"r": {"message": None, "parent": None}, "s": {"message": message("system", ""), "parent": "r"}},
            "Conversation 1 (“Broken”) has no messages to import.",
        ),
        ({"a": "not a node"}, "Conversation 1 (“Broken”): its message a is not an object."),
    ],
    ids=["cycle", "missing-parent", "no-messages", "not-a-node"],
)
def test_a_broken_tree_is_refused_with_a_sentence(mapping: dict[str, Any], sentence: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        chatgpt.read_export(with_mapping(mapping), 100)
    assert str(refused.value) == sentence


def test_a_conversation_past_the_message_limit_is_refused_as_too_big() -> None:
    many = {f"n{i}": {"message": message("user", "x"), "parent": None} for i in range(11)}
    with pytest.raises(ImportRefused) as refused:
        chatgpt.read_export(with_mapping(many), 10)
    assert refused.value.too_big
    assert str(refused.value) == "Conversation 1 (“Broken”) has 11 messages; the limit is 10."


def test_a_message_too_long_is_refused() -> None:
    mapping = {"a": {"message": message("user", "x" * 1_000_001), "parent": None}}
    with pytest.raises(ImportRefused, match="message 1 is longer than 1,000,000 characters"):
        chatgpt.read_export(with_mapping(mapping), 100)


def test_entries_without_a_tree_are_passed_over_and_a_missing_title_falls_back() -> None:
    conversations = items()
    untitled = copy.deepcopy(conversations[1])
    untitled["title"] = None
    (export,) = chatgpt.read_export([{"id": "g-p-project", "title": "A project"}, untitled], 100)
    assert export.conversation.title == "[an image was not imported]"  # the first question's first line
    assert export.conversation.title_source.value == "fallback"


def test_a_document_a_question_brought_leaves_a_note_with_its_name() -> None:
    metadata = {"attachments": [{"name": "report.pdf", "mime_type": "application/pdf"}]}
    mapping = {"q": {"message": message("user", "Summarise it.", metadata=metadata), "parent": None}}
    (export,) = chatgpt.read_export(with_mapping(mapping), 100)
    assert export.messages[0].content == "[report.pdf was not imported]\n\nSummarise it."


def test_an_archived_conversation_comes_in_archived_and_the_others_do_not() -> None:
    archived = items()
    archived[1]["is_archived"] = True
    trip, starter = chatgpt.read_export(archived, 10_000)
    assert trip.conversation.archived_at is None
    assert starter.conversation.archived_at == starter.conversation.updated_at
    assert trip.conversation.pinned_at is starter.conversation.pinned_at is None
