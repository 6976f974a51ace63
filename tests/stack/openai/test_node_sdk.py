"""Node clients of /v1 (shared stack): the official `openai` npm package, the Vercel AI SDK's tool loop."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.stack import Stack, Upstream, unique

WEB = Path(__file__).parents[3] / "web"


def test_the_node_sdk_streams_a_completion_with_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("from node")
    upstream.script(question, {"tokens": ["Hello ", "from ", "Node"]})
    ran = subprocess.run(
        ["node", "scripts/openai-stream.mjs", f"{stack.api.url}/v1", stack.key(), question],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
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
    ran = subprocess.run(
        ["node", "scripts/ai-sdk-tools.mjs", f"{stack.api.url}/v1", stack.key(), question, api],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
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
