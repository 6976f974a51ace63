"""Node clients of /v1 (shared stack): the official `openai` npm package and the Vercel AI SDK, their
streams, tool loops and structured outputs."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.stack import Stack, Upstream, unique

WEB = Path(__file__).parents[3] / "web"
# The structured output the scripts ask for (a zod schema in each) and the model's answer to it.
CITY_ANSWER: dict[str, Any] = {"tokens": ['{"name": "Lyon", ', '"population": 522000}']}


def run_script(stack: Stack, script: str, question: str, *args: str) -> dict[str, Any]:
    """Runs a script of web/scripts against the stack's /v1 and gives what it printed."""
    ran = subprocess.run(
        ["node", f"scripts/{script}", f"{stack.api.url}/v1", stack.key(), question, *args],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result: dict[str, Any] = json.loads(ran.stdout)
    return result


def assert_the_city_schema_reached_the_model(request: dict[str, Any]) -> None:
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "city"
    schema = response_format["json_schema"]["schema"]
    assert set(schema["properties"]) == {"name", "population"}
    assert schema["properties"]["name"]["type"] == "string"
    assert schema["properties"]["population"]["type"] == "integer"
    assert sorted(schema["required"]) == ["name", "population"]
    assert schema["additionalProperties"] is False
    assert response_format["json_schema"]["strict"] is True


def test_the_node_sdk_streams_a_completion_with_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("from node")
    upstream.script(question, {"tokens": ["Hello ", "from ", "Node"]})
    result = run_script(stack, "openai-stream.mjs", question)
    assert result["text"] == "Hello from Node"
    assert result["usage"]["completion_tokens"] == 3


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_the_ai_sdks_stream_text_runs_a_tool_loop(stack: Stack, upstream: Upstream, api: str) -> None:
    """The Vercel AI SDK's `streamText` calls the tool the model asks for and sends its result back.

    The model says something before its call: on the Responses API the SDK then sends that text
    back as an `item_reference` to the stored message (it knows responses are stored)."""
    question = unique(f"ai sdk weather, {api}")
    call = {"id": "call_1", "name": "get_weather", "arguments": json.dumps({"city": "Oslo"})}
    first: dict[str, Any] = {"tokens": ["Let me ", "check."], "tool_calls": [call]}
    upstream.script(question, first, {"tokens": ["It is ", "12 degrees."]})
    result = run_script(stack, "ai-sdk-tools.mjs", question, api)
    assert result["text"] == "It is 12 degrees."
    assert result["steps"] == 2
    assert result["finishReason"] == "stop"
    assert result["toolCalls"] == [{"toolName": "get_weather", "input": {"city": "Oslo"}}]
    assert result["toolResults"] == [{"toolName": "get_weather", "output": {"city": "Oslo", "degrees": 12}}]

    first, second = upstream.requests(question)
    for request in (first, second):
        assert [tool["function"]["name"] for tool in request["tools"]] == ["get_weather"]
    assistant, answer = second["messages"][-2:]
    assert assistant["role"] == "assistant"
    assert assistant["content"] == "Let me check."
    assert [c["function"]["name"] for c in assistant["tool_calls"]] == ["get_weather"]
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == {"city": "Oslo"}
    assert answer["role"] == "tool"
    assert answer["tool_call_id"] == assistant["tool_calls"][0]["id"]
    assert json.loads(answer["content"]) == {"city": "Oslo", "degrees": 12}


def test_the_node_sdk_runs_a_tool_loop_by_hand(stack: Stack, upstream: Upstream) -> None:
    """With the `openai` package, a Node user puts the streamed `delta.tool_calls` fragments together,
    runs the tools, and sends the assistant's calls and the tools' results back in a second request.

    Two calls, their arguments in pieces a little apart (together, relaychat would pass them on as
    one fragment each): the script puts each call together from its index's fragments."""
    question = unique("node sdk weather")
    calls = [
        {"id": f"call_{index}", "name": "get_weather", "arguments": json.dumps({"city": city})}
        for index, city in enumerate(["Oslo", "Bergen"])
    ]
    first_answer: dict[str, Any] = {"tool_calls": calls, "tool_piece": 5, "delay": 0.05}
    upstream.script(question, first_answer, {"tokens": ["It is ", "12 degrees."]})
    result = run_script(stack, "openai-tools.mjs", question)
    assert result["finishReason"] == "tool_calls"
    assert result["calls"] == [
        {"id": "call_0", "name": "get_weather", "arguments": {"city": "Oslo"}},
        {"id": "call_1", "name": "get_weather", "arguments": {"city": "Bergen"}},
    ]
    assert result["text"] == "It is 12 degrees."

    first, second = upstream.requests(question)
    for request in (first, second):
        assert [tool["function"]["name"] for tool in request["tools"]] == ["get_weather"]
    assert [m["role"] for m in first["messages"]] == ["user"]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "tool", "tool"]
    assistant, *answers = second["messages"][1:]
    sent = [(call["id"], call["function"]["name"]) for call in assistant["tool_calls"]]
    assert sent == [("call_0", "get_weather"), ("call_1", "get_weather")]
    assert [json.loads(call["function"]["arguments"]) for call in assistant["tool_calls"]] == [
        {"city": "Oslo"},
        {"city": "Bergen"},
    ]
    assert [answer["tool_call_id"] for answer in answers] == ["call_0", "call_1"]
    assert [json.loads(answer["content"]) for answer in answers] == [
        {"city": "Oslo", "degrees": 12},
        {"city": "Bergen", "degrees": 12},
    ]


def test_the_node_sdk_parses_a_structured_output(stack: Stack, upstream: Upstream) -> None:
    """`zodResponseFormat` and `chat.completions.parse`: the zod schema goes to the model as a
    json_schema `response_format`, and its answer comes back parsed."""
    question = unique("node sdk city")
    upstream.script(question, CITY_ANSWER)
    result = run_script(stack, "openai-parse.mjs", question)
    assert result["parsed"] == {"name": "Lyon", "population": 522000}
    [request] = upstream.requests(question)
    assert_the_city_schema_reached_the_model(request)


def test_the_ai_sdk_generates_a_structured_output(stack: Stack, upstream: Upstream) -> None:
    """The AI SDK's `generateText` with `output: Output.object({ schema })` on Chat Completions."""
    question = unique("ai sdk city")
    upstream.script(question, CITY_ANSWER)
    result = run_script(stack, "ai-sdk-object.mjs", question)
    assert result["object"] == {"name": "Lyon", "population": 522000}
    [request] = upstream.requests(question)
    assert_the_city_schema_reached_the_model(request)
