"""What a tool's failures do to an answer: a server that is down, a server killed mid-call and a
tool past its time limit each give the step an error result within moments, and the loop goes on
to a complete answer; a server that comes back is used again."""

import time

import httpx
import pytest

from tests.stack.tools.conftest import McpHttp
from tests.stack.tools.test_tool_loop import call, tool_conversation
from tests.support.stack import MakeStack, Stack, Upstream, ask, unique, wait_for_message

pytestmark = pytest.mark.faults


def test_a_server_that_is_down_is_an_error_result_and_one_that_is_back_is_used_again(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "add")
    mcp_http.process.kill()
    question = unique("server down")
    upstream.script(question, call(name, "add", {"a": 1, "b": 2}), {"tokens": ["It is down."]})
    asked_at = time.monotonic()
    answer = wait_for_message(client, ask(client, conversation_id, question)["assistant_message"]["id"])
    assert (answer["status"], answer["content"]) == ("complete", "It is down.")
    [step] = answer["tool_steps"]
    assert step["output"] is None
    assert step["error"].startswith(f"The tool server {name} could not be used: ")
    assert time.monotonic() - asked_at < 15  # not the tool's 60 s limit
    mcp_http.start_again()
    again = unique("server back")
    upstream.script(again, call(name, "add", {"a": 1, "b": 2}), {"tokens": ["Three."]})
    answer = wait_for_message(client, ask(client, conversation_id, again)["assistant_message"]["id"])
    [step] = answer["tool_steps"]
    assert (step["output"], step["error"]) == ("3.0", None)


def test_a_server_killed_mid_call_is_an_error_result_within_moments(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name, conversation_id = tool_conversation(client, mcp_http, "slow")
    question = unique("killed mid-call")
    upstream.script(question, call(name, "slow", {"seconds": 30}), {"tokens": ["It went away."]})
    answer_id = ask(client, conversation_id, question)["assistant_message"]["id"]
    deadline = time.monotonic() + 20
    while not mcp_http.seen("slow"):
        assert time.monotonic() < deadline, "the tool was never called"
        time.sleep(0.05)
    mcp_http.process.kill()
    killed_at = time.monotonic()
    answer = wait_for_message(client, answer_id, timeout=30)
    assert (answer["status"], answer["content"]) == ("complete", "It went away.")
    [step] = answer["tool_steps"]
    assert step["error"].startswith(f"The tool server {name} could not be used: "), step
    assert time.monotonic() - killed_at < 10  # not the tool's 60 s limit
    assert len(upstream.requests(question)) == 2  # the model read the error and answered


def test_a_tool_past_its_time_limit_is_an_error_result_and_is_cancelled(
    make_stack: MakeStack, mcp_http: McpHttp
) -> None:
    stack = make_stack(tool_timeout_seconds="1")
    stack.start(workers=1)
    with stack.client() as client:
        name, conversation_id = tool_conversation(client, mcp_http, "slow")
        question = unique("too slow")
        stack.upstream.script(question, call(name, "slow", {"seconds": 20}), {"tokens": ["Too slow."]})
        answer = wait_for_message(client, ask(client, conversation_id, question)["assistant_message"]["id"])
        assert (answer["status"], answer["content"]) == ("complete", "Too slow.")
        [step] = answer["tool_steps"]
        assert step["error"] == "The tool slow did not answer within 1 s."
        assert 1000 <= step["duration_ms"] < 5000
        deadline = time.monotonic() + 5
        while not any(note["event"] == "cancelled" for note in mcp_http.seen("slow")):
            assert time.monotonic() < deadline, mcp_http.seen("slow")
            time.sleep(0.05)
