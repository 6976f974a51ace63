"""Export as Markdown and JSON, import back: exact apart from ids, and readable refusals."""

import copy
import json
from typing import Any

import httpx
import pytest

from tests.stack.files.test_uploads import settled, uploaded
from tests.support.accounts import new_user
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

SYSTEM_PROMPT = "Be brief.\nAnswer in English."


def exchange(client: httpx.Client, upstream: Upstream, conversation_id: str, reply: dict[str, Any]) -> str:
    question = unique("transfer")
    upstream.script(question, reply)
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    wait_for_message(client, answer_id)
    return question


@pytest.fixture
def conversation_id(client: httpx.Client, upstream: Upstream) -> str:
    """Answers of every kind: complete with usage, failed, stopped; a typed title, a system prompt."""
    created = new_conversation(
        client, title="Transfer · test", system_prompt=SYSTEM_PROMPT, model="scripted-alt"
    )
    exchange(client, upstream, created["id"], {"tokens": ["Hello ", "**there**."]})
    exchange(client, upstream, created["id"], {"status": 401, "message": "bad key"})
    question = unique("stopped")
    upstream.script(question, {"tokens": [f"w{i} " for i in range(300)], "delay": 0.02})
    answer_id = ask(client, created["id"], question)["assistant_message"]["id"]
    wait_for_message(client, answer_id, status="streaming")
    client.post(f"/api/messages/{answer_id}/stop")
    wait_for_message(client, answer_id)
    return str(created["id"])


def export_json(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    response = client.get(f"/api/conversations/{conversation_id}/export.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].startswith("attachment;")
    exported: dict[str, Any] = response.json()
    return exported


def import_file(client: httpx.Client, body: bytes | str) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return client.post(
        "/api/conversations/import", content=content, headers={"content-type": "application/json"}
    )


def without_ids(exported: dict[str, Any]) -> dict[str, Any]:
    """The export with ids replaced by positions (a file's by its place in `files`, as the messages
    name it): what must survive a round trip unchanged."""
    stripped = copy.deepcopy(exported)
    position = {message["id"]: index for index, message in enumerate(stripped["messages"])}
    files = {file["id"]: f"file {index}" for index, file in enumerate(stripped["files"])}
    for file in stripped["files"]:
        file["id"] = files[file["id"]]
    del stripped["conversation"]["id"]
    leaf = stripped["conversation"]["selected_leaf_id"]
    stripped["conversation"]["selected_leaf_id"] = position[leaf] if leaf else None
    for message in stripped["messages"]:
        message["id"] = position[message["id"]]
        message["parent_id"] = position.get(message["parent_id"]) if message["parent_id"] else None
        if message["included_ids"] is not None:
            message["included_ids"] = [position[i] for i in message["included_ids"]]
        if message["attachments"] is not None:
            message["attachments"] = [files.get(i, "not exported") for i in message["attachments"]]
        for source in message.get("sources") or ():
            source["file_id"] = files.get(source["file_id"], "not exported")
    return stripped


def test_export_then_import_then_export_is_exact_apart_from_ids(
    client: httpx.Client, conversation_id: str
) -> None:
    messages = client.get(f"/api/conversations/{conversation_id}/messages").json()
    assert client.patch(f"/api/messages/{messages[0]['id']}", json={"pinned": True}).status_code == 200
    settings = client.patch(
        f"/api/conversations/{conversation_id}", json={"max_tokens": 300, "temperature": 0.4, "top_p": 0.9}
    )
    assert settings.status_code == 200, settings.text
    assert client.patch(f"/api/conversations/{conversation_id}", json={"pinned": True}).status_code == 200
    # Back to the first answer: the selected branch is no longer simply the newest message.
    switched = client.patch(
        f"/api/conversations/{conversation_id}/branch", json={"message_id": messages[1]["id"]}
    )
    assert switched.status_code == 200, switched.text

    first = export_json(client, conversation_id)
    assert (first["format"], first["version"]) == ("relaychat.conversation", 2)
    assert first["conversation"]["max_tokens"] == 300
    assert (first["conversation"]["temperature"], first["conversation"]["top_p"]) == (0.4, 0.9)
    assert first["conversation"]["pinned_at"] is not None
    assert first["messages"][0]["pinned"] is True
    assert any(m["included_ids"] for m in first["messages"])
    assert first["conversation"]["selected_leaf_id"] is not None
    assert [m["status"] for m in first["messages"]] == [
        "complete",
        "complete",
        "complete",
        "failed",
        "complete",
        "stopped",
    ]
    assert first["messages"][1]["cost_usd"] > 0
    assert first["messages"][1]["first_token_at"] is not None

    imported = import_file(client, json.dumps(first))
    assert imported.status_code == 201, imported.text
    copy_id = imported.json()["id"]
    assert copy_id != conversation_id
    second = export_json(client, copy_id)

    assert without_ids(second) == without_ids(first)
    assert not {m["id"] for m in first["messages"]} & {m["id"] for m in second["messages"]}
    # The copy is a conversation like any other: its messages list and read as such.
    listed = client.get(f"/api/conversations/{copy_id}/messages").json()
    assert [m["content"] for m in listed] == [m["content"] for m in first["messages"]]


def test_every_branch_survives_a_round_trip(client: httpx.Client, conversation_id: str) -> None:
    exported = export_json(client, conversation_id)
    question, answer = exported["messages"][0], exported["messages"][1]
    # A second answer to the first question, as a regenerated answer is: a sibling, not a replacement.
    sibling = {**answer, "id": "sibling-answer", "content": "Another answer.", "client_id": None}
    exported["messages"].append(sibling)

    imported = import_file(client, json.dumps(exported))
    assert imported.status_code == 201, imported.text
    again = export_json(client, imported.json()["id"])
    by_id = {m["id"]: m for m in again["messages"]}
    siblings = [m for m in again["messages"] if m["parent_id"] == again["messages"][0]["id"]]
    assert [m["content"] for m in siblings] == [answer["content"], "Another answer."]
    assert by_id[again["messages"][0]["id"]]["content"] == question["content"]


def test_markdown_export_reads_as_the_conversation(client: httpx.Client, conversation_id: str) -> None:
    response = client.get(f"/api/conversations/{conversation_id}/export.md")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert 'filename="relaychat-transfer-test.md"' in response.headers["content-disposition"]
    text = response.text
    messages = client.get(f"/api/conversations/{conversation_id}/messages").json()

    assert text.startswith("# Transfer · test\n")
    assert "model scripted-alt" in text
    assert "> Be brief.\n> Answer in English." in text
    assert text.count("## You") == 3
    for message in messages:
        assert message["content"].rstrip() in text
    first_answer = messages[1]
    cost = f"${first_answer['cost_usd']:.6f}".rstrip("0")
    usage = f"{first_answer['prompt_tokens']} + {first_answer['completion_tokens']} tokens"
    assert f"## Assistant (scripted-alt · {usage} · {cost})" in text
    assert "*Failed: The model server rejected the API key (HTTP 401).*" in text
    assert "*Stopped before the end.*" in text
    # In order: each question before its answer.
    positions = [text.index(m["content"].rstrip()) for m in messages if m["content"]]
    assert positions == sorted(positions)


def test_an_answer_running_when_exported_comes_back_stopped(
    client: httpx.Client, conversation_id: str
) -> None:
    exported = export_json(client, conversation_id)
    exported["messages"][-1]["status"] = "streaming"
    imported = import_file(client, json.dumps(exported))
    assert imported.status_code == 201, imported.text
    last = client.get(f"/api/conversations/{imported.json()['id']}/messages").json()[-1]
    assert last["status"] == "stopped"
    assert last["content"] == exported["messages"][-1]["content"]


def valid_file(client: httpx.Client, upstream: Upstream) -> dict[str, Any]:
    conversation = new_conversation(client)
    exchange(client, upstream, conversation["id"], {"tokens": ["fine"]})
    return export_json(client, conversation["id"])


def break_parent(file: dict[str, Any]) -> None:
    file["messages"][1]["parent_id"] = "no-such-message"


def reverse_messages(file: dict[str, Any]) -> None:
    file["messages"].reverse()


def bad_role(file: dict[str, Any]) -> None:
    file["messages"][0]["role"] = "system"


def repeat_id(file: dict[str, Any]) -> None:
    file["messages"][1]["id"] = file["messages"][0]["id"]
    file["messages"][1]["parent_id"] = None


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (lambda f: f.update(version=3), "This export is version 3; this relaychat reads versions 1 and 2."),
        (lambda f: f.update(format="something-else"), "This is not a relaychat conversation export"),
        (break_parent, "Message 2 names a parent (no-such-message) that is not in the file."),
        (reverse_messages, "Message 1 names a parent"),
        (repeat_id, "Message 2 repeats the id of an earlier message"),
        (
            bad_role,
            "not a valid relaychat export: messages.0.role: Input should be 'user', 'assistant' or 'tool'",
        ),
        (
            lambda f: f["conversation"].update(title=""),
            "conversation.title: String should have at least 1 character",
        ),
        (lambda f: f.update(extra="field"), "extra: Extra inputs are not permitted"),
        (lambda f: f["messages"][0].update(content="a\x00b"), "The file holds a NUL character"),
        (lambda f: f["messages"][0].update(content="\ud800"), "not valid Unicode (a lone surrogate)"),
        (lambda f: f["messages"][1].update(attempt=2**31), "messages.1.attempt: Input should be less than"),
        (lambda f: f["messages"][1].update(cost_usd=float("nan")), "NaN is not a JSON number"),
        (lambda f: f["messages"][0].update(created_at="0001-01-01T01:00:00+05:00"), "is out of range in UTC"),
        (lambda f: f["conversation"].update(temperature=2.5), "conversation.temperature: Input should be"),
    ],
    ids=[
        "version",
        "format",
        "dangling-parent",
        "parent-after-child",
        "repeated-id",
        "role",
        "empty-title",
        "extra",
        "nul",
        "lone-surrogate",
        "huge-integer",
        "nan",
        "before-year-1",
        "temperature",
    ],
)
def test_a_bad_file_is_refused_with_a_sentence(
    client: httpx.Client, upstream: Upstream, change: Any, sentence: str
) -> None:
    file = valid_file(client, upstream)
    change(file)
    response = import_file(client, json.dumps(file))
    assert response.status_code == 422, response.text
    assert sentence in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (b"this is not json", "The file is not JSON"),
        (b"\xff\xfe\x00garbage", "The file is not JSON"),
        (b"[1, 2, 3]", "This is not a conversation export relaychat reads"),
        (b"", "The file is not JSON"),
    ],
    ids=["text", "binary", "array", "empty"],
)
def test_a_file_that_is_no_export_is_refused(client: httpx.Client, body: bytes, sentence: str) -> None:
    response = import_file(client, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(sentence)


def test_a_file_too_big_is_refused_before_it_is_read(client: httpx.Client) -> None:
    response = import_file(client, b" " * 50_000_001)
    assert response.status_code == 413
    assert response.json()["detail"] == "The file is too big; the limit is 50 MB."


def test_a_file_with_too_many_messages_is_refused(client: httpx.Client, upstream: Upstream) -> None:
    file = valid_file(client, upstream)
    file["messages"] = [file["messages"][0]] * 10_001
    response = import_file(client, json.dumps(file))
    assert response.status_code == 413
    assert response.json()["detail"] == "The file has 10,001 messages; the limit is 10,000."


def test_exporting_an_unknown_conversation_is_404(client: httpx.Client) -> None:
    missing = "00000000-0000-7000-8000-000000000000"
    for kind in ("json", "md"):
        assert client.get(f"/api/conversations/{missing}/export.{kind}").status_code == 404


def test_an_imported_conversation_counts_in_no_usage_and_its_figures_are_bounded(
    client: httpx.Client, upstream: Upstream
) -> None:
    file = valid_file(client, upstream)
    answer = file["messages"][1]
    answer.update(prompt_tokens=1_000_000, completion_tokens=1_000_000, cost_usd=5000.0)
    member = new_user(client, label="importer")
    before = member.client.get("/api/usage").json()["total"]
    imported = import_file(member.client, json.dumps(file))
    assert imported.status_code == 201, imported.text
    copy = export_json(member.client, imported.json()["id"])
    assert copy["messages"][1]["cost_usd"] == 5000.0  # kept as the file had it
    assert member.client.get("/api/usage").json()["total"] == before  # and counted nowhere
    everyone = client.get("/api/admin/usage").json()  # the admin's view of every account
    assert next(row for row in everyone if row["user_id"] == member.id)["cost_usd"] == 0
    answer.update(cost_usd=1e308)  # twice that was infinity, served as null
    assert import_file(member.client, json.dumps(file)).status_code == 422
    member.client.close()


def test_a_tool_loop_with_reasoning_survives_a_round_trip_and_reads_in_markdown(
    stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("tool transfer")
    called = {
        "id": "call_t",
        "type": "function",
        "function": {"name": "lookup", "arguments": '{"q": "tides"}'},
    }
    body = {
        "model": "scripted",
        "messages": [
            {"role": "user", "content": question},
            {"role": "assistant", "content": None, "tool_calls": [called]},
            {"role": "tool", "tool_call_id": "call_t", "content": "high tide 06:00"},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
    }
    upstream.script(question, {"reasoning": ["Read the result."], "tokens": ["High at 6."]})
    reply = httpx.post(f"{stack.api.url}/v1/chat/completions", json=body, headers=stack.headers, timeout=30)
    assert reply.status_code == 200, reply.text
    answer = client.get(f"/api/messages/{reply.json()['id'].removeprefix('chatcmpl-')}").json()
    conversation_id = answer["conversation_id"]

    first = export_json(client, conversation_id)
    assert [m["role"] for m in first["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert first["messages"][1]["tool_calls"] == [called]
    assert first["messages"][2]["tool_call_id"] == "call_t"
    assert first["messages"][3]["reasoning"] == "Read the result."
    imported = import_file(client, json.dumps(first))
    assert imported.status_code == 201, imported.text
    assert without_ids(export_json(client, imported.json()["id"])) == without_ids(first)

    text = client.get(f"/api/conversations/{conversation_id}/export.md").text
    assert '**Called `lookup`** (`call_t`)\n\n```json\n{"q": "tides"}\n```' in text
    assert "## Tool result (`call_t`)\n\nhigh tide 06:00" in text
    assert "**Thinking**\n\n> Read the result.\n\nHigh at 6." in text


def test_the_documents_an_answer_drew_on_survive_a_round_trip(client: httpx.Client) -> None:
    file_id = uploaded(client, "notes.md", b"# Notes\n\nThe heron nests by the mill.\n")["id"]
    assert settled(client, file_id)["status"] == "ready"
    conversation_id = new_conversation(client)["id"]
    asked = ask(client, conversation_id, unique("where"), attachments=[file_id])
    wait_for_message(client, asked["assistant_message"]["id"])

    first = export_json(client, conversation_id)
    drew_on = {"file_id": file_id, "name": "notes.md", "whole": True, "pages": None, "chunks": None}
    assert first["messages"][1]["sources"] == [drew_on]
    imported = import_file(client, json.dumps(first))
    assert imported.status_code == 201, imported.text
    second = export_json(client, imported.json()["id"])
    assert without_ids(second) == without_ids(first)
    # A page number a document cannot have is refused.
    first["messages"][1]["sources"][0]["pages"] = [0]
    refused = import_file(client, json.dumps(first))
    assert refused.status_code == 422
    assert "messages.1.sources.0.pages.0" in refused.json()["detail"]
