"""`/v1/responses` with OpenAI's `mcp` tool type, through the real openai SDK and the Agents SDK:
a registered server named by its label runs the tool loop in the worker (listed tools, calls
and the answer as output items), a background response streams its calls and resumes exactly,
and a server a client brings (an unregistered label or URL, its own headers) is a 400."""

import json
from typing import Any

import httpx
import openai
import pytest
from agents import Agent, HostedMCPTool, OpenAIResponsesModel, Runner
from openai import AsyncOpenAI

from tests.stack.tools.conftest import McpHttp, registered
from tests.stack.tools.test_tool_loop import call
from tests.support.stack import Stack, Upstream, unique


def sdk(stack: Stack) -> Any:
    """The SDK's client, untyped: its request types would need a cast for every tool."""
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)


def server_named(client: httpx.Client, mcp_http: McpHttp) -> str:
    name = unique("mcp").lower().replace(" ", "-")[:24]
    registered(client, {"name": name, "url": mcp_http.url})
    return name


def mcp_tool(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": name, "require_approval": "never", **fields}


def test_a_response_with_an_mcp_tool_runs_the_loop_in_the_worker(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = server_named(client, mcp_http)
    question = unique("mcp sum")
    upstream.script(question, call(name, "add", {"a": 2, "b": 3}), {"tokens": ["The sum ", "is 5."]})
    response = sdk(stack).responses.create(
        model="scripted", input=question, tools=[mcp_tool(name, allowed_tools=["add"])]
    )
    assert response.status == "completed"
    listed, called, message = response.output
    assert (listed.type, listed.server_label, [t.name for t in listed.tools]) == (
        "mcp_list_tools",
        name,
        ["add"],
    )
    assert listed.tools[0].input_schema["properties"].keys() == {"a", "b"}
    assert (called.type, called.server_label, called.name, called.status) == (
        "mcp_call",
        name,
        "add",
        "completed",
    )
    assert (json.loads(called.arguments), called.output, called.error) == ({"a": 2, "b": 3}, "5.0", None)
    assert (message.type, response.output_text) == ("message", "The sum is 5.")
    assert response.tools[0].type == "mcp"
    first, second = upstream.requests(question)
    assert [tool["function"]["name"] for tool in first["tools"]] == [f"{name}__add"]  # only the allowed
    assert second["messages"][-1]["content"] == "5.0"
    assert len(mcp_http.seen("add")) == 1
    again = sdk(stack).responses.retrieve(response.id)
    assert [item.model_dump() for item in again.output] == [item.model_dump() for item in response.output]


def test_a_failing_mcp_call_is_a_failed_item_and_the_answer_goes_on(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = server_named(client, mcp_http)
    question = unique("mcp failing")
    upstream.script(question, call(name, "fail", {"reason": "no disk"}), {"tokens": ["It failed."]})
    response = sdk(stack).responses.create(model="scripted", input=question, tools=[mcp_tool(name)])
    _, called, _ = response.output
    assert (called.status, called.output) == ("failed", None)
    assert called.error.type == "mcp_tool_execution_error"
    assert called.error.content == [{"type": "text", "text": "Error executing tool fail: no disk"}]
    assert response.output_text == "It failed."


def test_a_background_mcp_response_streams_its_calls_and_resumes_exactly(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = server_named(client, mcp_http)
    question = unique("mcp streamed")
    upstream.script(
        question,
        call(name, "record", {"note": "streamed"}),
        {"tokens": [f"w{i} " for i in range(20)], "delay": 0.03},
    )
    openai_client = sdk(stack)
    events = []
    with openai_client.responses.create(
        model="scripted", input=question, tools=[mcp_tool(name)], stream=True, background=True
    ) as stream:
        for event in stream:
            events.append(event)
            if event.type == "response.mcp_call.completed":
                break  # the client goes away mid-answer: a background response runs on
    response_id = events[0].response.id
    with openai_client.responses.retrieve(
        response_id, stream=True, starting_after=events[-1].sequence_number
    ) as rest:
        events += list(rest)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    kinds = [e.type for e in events]
    assert kinds[:6] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",  # the listing of the server's tools
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.output_item.done",
    ]
    opened = kinds.index("response.mcp_call.in_progress")
    assert kinds[opened - 1] == "response.output_item.added"
    assert kinds.index("response.mcp_call_arguments.delta") > opened
    ended = kinds.index("response.mcp_call.completed")
    assert kinds[ended - 1] == "response.mcp_call_arguments.done"
    assert kinds[ended + 1] == "response.output_item.done"
    assert events[ended + 1].item.output == "recorded: streamed"
    assert ended < kinds.index("response.output_text.delta")
    assert kinds[-1] == "response.completed"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == "".join(f"w{i} " for i in range(20))
    assert [item.type for item in events[-1].response.output] == ["mcp_list_tools", "mcp_call", "message"]
    assert len(mcp_http.seen("record")) == 1


def test_a_server_the_client_brings_is_refused(stack: Stack, client: httpx.Client, mcp_http: McpHttp) -> None:
    name = server_named(client, mcp_http)
    refused = [
        ([mcp_tool("nobody-registered-this")], "tools[0].server_label"),
        ([mcp_tool(name, server_url="http://10.0.0.1/mcp")], "tools[0].server_url"),
        ([mcp_tool(name, headers={"Authorization": "Bearer stolen"})], "tools.0.mcp"),
        (
            [{"type": "mcp", "server_label": name, "require_approval": "always"}],
            "tools.0.mcp.require_approval",
        ),
        ([mcp_tool(name, allowed_tools=["no-such-tool"])], "tools[0]"),
        ([mcp_tool(name), mcp_tool(name)], "tools"),
        ([{"type": "web_search"}], "tools.0"),
        (
            [mcp_tool(name), {"type": "function", "name": "weather", "parameters": {"type": "object"}}],
            "tools",
        ),
    ]
    for tools, param in refused:
        with pytest.raises(openai.BadRequestError) as error:
            sdk(stack).responses.create(model="scripted", input=unique("refused"), tools=tools)
        assert error.value.param == param, (tools, error.value.body)
        assert error.value.message
    same_url = sdk(stack).responses.create(
        model="scripted", input=unique("registered url"), tools=[mcp_tool(name, server_url=mcp_http.url)]
    )
    assert same_url.status == "completed"


@pytest.mark.usefixtures("no_tracing")
def test_the_agents_sdks_hosted_mcp_tool(
    stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = server_named(client, mcp_http)
    question = unique("agents hosted mcp")
    upstream.script(question, call(name, "add", {"a": 20, "b": 22}), {"tokens": ["It is 42."]})
    openai_client = AsyncOpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)
    agent = Agent(
        name="calculator",
        instructions="Use the tools.",
        tools=[HostedMCPTool(tool_config={"type": "mcp", "server_label": name, "require_approval": "never"})],
        model=OpenAIResponsesModel(model="scripted", openai_client=openai_client),
    )
    result = Runner.run_sync(agent, question)
    assert result.final_output == "It is 42."
    kinds = [item.type for item in result.new_items]
    assert "mcp_list_tools_item" in kinds
    assert "tool_call_item" in kinds
    assert len(mcp_http.seen("add")) == 1
