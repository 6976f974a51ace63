"""An app answer's tool loop against the tests' MCP server: the model calls a tool, the worker
runs it as a saved step and asks the model again; a failing tool is an error result and the loop
goes on; Stop cancels a running call at the server; a worker SIGKILLed mid-loop is taken over
without any tool called twice."""

import json
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stack.tools.conftest import McpHttp, McpSeen, registered
from tests.support.sse import read_stream
from tests.support.stack import MakeStack, Stack, Upstream, ask, new_conversation, unique, wait_for_message


def tool_conversation(client: httpx.Client, mcp_http: McpHttp, *tools: str) -> tuple[str, str]:
    """A registered server (its name) and a conversation that picked `tools` of it (its id)."""
    name = unique("tools").lower().replace(" ", "-")[:24]
    registered(client, {"name": name, "url": mcp_http.url})
    conversation = new_conversation(client)
    picked = client.patch(
        f"/api/conversations/{conversation['id']}", json={"tools": [f"{name}.{t}" for t in tools]}
    )
    assert picked.status_code == 200, picked.text
    return name, str(conversation["id"])


def call(name: str, tool: str, arguments: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    """A scripted model response that calls `<name>.<tool>` as the model is offered it."""
    return {"tool_calls": [{"id": call_id, "name": f"{name}__{tool}", "arguments": json.dumps(arguments)}]}


def test_a_tool_call_is_run_saved_and_answered(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "add", "record")
    question = unique("sum")
    upstream.script(question, call(name, "add", {"a": 2, "b": 3}), {"tokens": ["The sum ", "is 5."]})
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    read = read_stream(client, answer_id, timeout=30)
    assert read.terminal is not None
    assert read.terminal.event == "done"
    kinds = [event.event for event in read.events]
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("delta")
    answer = wait_for_message(client, answer_id)
    assert answer["content"] == "The sum is 5."
    [step] = answer["tool_steps"]
    assert (step["name"], step["output"], step["error"], step["round"]) == (f"{name}.add", "5.0", None, 0)
    assert step["duration_ms"] >= 0
    first, second = upstream.requests(question)
    offered = sorted(tool["function"]["name"] for tool in first["tools"])
    assert offered == [f"{name}__add", f"{name}__record"]
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == f"{name}__add"
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "5.0"}
    assert len(mcp_http.seen("add")) == 1
    assert (
        client.get(f"/api/messages/{answer_id}").json()["tool_steps"] == answer["tool_steps"]
    )  # after a reload


def test_stdio_servers_ours_and_a_third_partys_run_in_one_round(
    stack: Stack, client: httpx.Client, upstream: Upstream, log_dir: Path
) -> None:
    ours, clock = (
        unique("stdio").lower().replace(" ", "-")[:24],
        unique("clock").lower().replace(" ", "-")[:24],
    )
    calls = McpSeen(log_dir / f"{ours}.jsonl")
    args = ["-m", "tests.support.mcp_server", "--calls", str(calls.calls_file)]
    registered(client, {"name": ours, "command": sys.executable, "args": args})
    registered(client, {"name": clock, "command": sys.executable, "args": ["-m", "mcp_server_time"]})
    conversation_id = str(new_conversation(client)["id"])
    picked = [f"{ours}.record", f"{clock}.get_current_time"]
    assert client.patch(f"/api/conversations/{conversation_id}", json={"tools": picked}).status_code == 200
    question = unique("two servers")
    both = {
        "tool_calls": [
            {"id": "call_r", "name": f"{ours}__record", "arguments": json.dumps({"note": "over stdio"})},
            {
                "id": "call_t",
                "name": f"{clock}__get_current_time",
                "arguments": json.dumps({"timezone": "UTC"}),
            },
        ]
    }
    upstream.script(question, both, {"tokens": ["Noted, at that time."]})
    answer = wait_for_message(client, ask(client, conversation_id, question)["assistant_message"]["id"])
    assert answer["content"] == "Noted, at that time."
    record, now = answer["tool_steps"]
    assert (record["name"], record["output"]) == (f"{ours}.record", "recorded: over stdio")
    assert now["name"] == f"{clock}.get_current_time"
    assert json.loads(now["output"])["timezone"] == "UTC"
    assert [n["note"] for n in calls.seen("record")] == ["over stdio"]
    results = upstream.requests(question)[1]["messages"][-2:]
    assert [m["tool_call_id"] for m in results] == ["call_r", "call_t"]


def test_a_failing_tool_is_an_error_result_and_the_loop_goes_on(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "fail")
    question = unique("failing")
    upstream.script(question, call(name, "fail", {"reason": "disk full"}), {"tokens": ["It failed."]})
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    answer = wait_for_message(client, answer_id)
    assert (answer["status"], answer["content"]) == ("complete", "It failed.")
    [step] = answer["tool_steps"]
    assert step["output"] is None
    assert step["error"] == "Error executing tool fail: disk full"  # the tool's own reason in it
    assert upstream.requests(question)[1]["messages"][-1]["content"].startswith("Error: ")


def test_the_last_round_offers_no_tools(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "record")
    question = unique("rounds")
    # RELAYCHAT_MAX_TOOL_STEPS is 8: eight rounds of calls, then a ninth request without tools.
    rounds = [call(name, "record", {"note": f"n{i}"}, f"call_{i}") for i in range(8)]
    upstream.script(question, *rounds, {"tokens": ["Enough."]})
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    answer = wait_for_message(client, answer_id, timeout=60)
    assert answer["content"] == "Enough."
    assert [step["round"] for step in answer["tool_steps"]] == list(range(8))
    sent = upstream.requests(question)
    assert [bool(r["tools"]) for r in sent] == [True] * 8 + [False]


def test_stop_during_a_slow_tool_cancels_it_at_the_server(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "slow")
    question = unique("slow")
    upstream.script(question, call(name, "slow", {"seconds": 30}))
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    deadline = time.monotonic() + 20
    while not mcp_http.seen("slow"):
        assert time.monotonic() < deadline, "the tool was never called"
        time.sleep(0.05)
    stopped_at = time.monotonic()
    assert client.post(f"/api/messages/{answer_id}/stop").status_code in (200, 202)
    answer = wait_for_message(client, answer_id, timeout=10)
    assert answer["status"] == "stopped"
    assert time.monotonic() - stopped_at < 3
    while not any(note["event"] == "cancelled" for note in mcp_http.seen("slow")):
        assert time.monotonic() - stopped_at < 5, mcp_http.seen("slow")
        time.sleep(0.05)
    [step] = answer["tool_steps"]
    assert step["error"] == "Stopped before the tool answered."
    assert len(upstream.requests(question)) == 1  # the model was not asked again


@pytest.mark.faults
def test_a_worker_killed_mid_loop_is_taken_over_and_no_tool_runs_twice(
    make_stack: MakeStack, mcp_http: McpHttp
) -> None:
    stack = make_stack(claim_ttl_seconds="2")
    stack.start(workers=1)
    with stack.client() as client:
        name, conversation_id = tool_conversation(client, mcp_http, "record", "slow")
        question = unique("killed")
        stack.upstream.script(
            question,
            call(name, "record", {"note": "once"}, "call_a"),
            call(name, "slow", {"seconds": 20}, "call_b"),
            {"tokens": ["Done ", "after all."]},
        )
        answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
        deadline = time.monotonic() + 30
        while not mcp_http.seen("slow"):
            assert time.monotonic() < deadline, "the slow tool was never called"
            time.sleep(0.05)
        stack.workers[0].kill()  # mid-call: the record step is saved, the slow one under way
        stack.start_worker()
        answer = wait_for_message(client, answer_id, timeout=60)
        assert (answer["status"], answer["content"]) == ("complete", "Done after all.")
        record, slow = answer["tool_steps"]
        assert (record["output"], record["round"]) == ("recorded: once", 0)
        assert slow["error"].startswith("The call was interrupted")
        assert len([n for n in mcp_http.seen("record") if n["event"] == "call"]) == 1  # never again
        assert len([n for n in mcp_http.seen("slow") if n["event"] == "call"]) == 1  # not idempotent
        # A reader following the stream from the start sees each step once, after the restart.
        events = read_stream(client, answer_id, timeout=10).events
        last_reset = max((i for i, e in enumerate(events) if e.event == "reset"), default=-1)
        results = [e.data["id"] for e in events[last_reset + 1 :] if e.event == "tool_result"]
        assert results == ["call_a", "call_b"]


def test_an_answer_is_found_by_what_its_steps_said_and_did(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "record", "fail")
    noted, failed = f"zq{unique('n')[-10:]}", f"zq{unique('f')[-10:]}"
    question = unique("searched steps")
    upstream.script(
        question,
        call(name, "record", {"note": noted}, "call_1"),
        call(name, "fail", {"reason": failed}, "call_2"),
        {"tokens": ["Done."]},
    )
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    wait_for_message(client, answer_id)
    for word, said in ((noted, f"recorded: {noted}"), (failed, f"Error executing tool fail: {failed}")):
        found = client.get("/api/search", params={"q": word}).json()["messages"]
        assert [hit["message_id"] for hit in found] == [answer_id], word
        snippet = found[0]["snippet"]
        assert [part["text"] for part in snippet if part["hit"]] == [word, word]  # arguments and result
        assert said in "".join(part["text"] for part in snippet)


def test_an_answers_steps_are_exported_and_imported_with_it(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "add")
    question = unique("exported steps")
    upstream.script(question, call(name, "add", {"a": 1, "b": 1}), {"tokens": ["Two."]})
    wait_for_message(client, ask(client, conversation_id, question)["assistant_message"]["id"])
    exported = client.get(f"/api/conversations/{conversation_id}/export.json").json()
    [step] = exported["messages"][-1]["tool_steps"]
    assert (step["name"], step["output"]) == (f"{name}.add", "2.0")
    copy = client.post(
        "/api/conversations/import",
        content=json.dumps(exported),
        headers={"content-type": "application/json"},
    )
    assert copy.status_code == 201, copy.text
    again = client.get(f"/api/conversations/{copy.json()['id']}/export.json").json()
    assert again["messages"][-1]["tool_steps"] == exported["messages"][-1]["tool_steps"]
    markdown = client.get(f"/api/conversations/{conversation_id}/export.md").text
    assert f"**Used `{name}.add`**" in markdown
    assert "> 2.0\n\nTwo." in markdown
