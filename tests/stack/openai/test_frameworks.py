"""Agent frameworks against `/v1`, each as its users run it, with a structured output and with a
tool loop: LangChain's `with_structured_output` and `bind_tools`, pydantic-ai's native output
type and its tools, and the OpenAI Agents SDK's `output_type` and function tools (on the
Responses API). Each sends what it sends by default, which relaychat must accept; the scripted
model answers JSON, or calls the tool and then answers (shared stack)."""

import json
from typing import Any

import pytest
from agents import Agent, OpenAIResponsesModel, Runner, function_tool, set_tracing_disabled
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from openai import AsyncOpenAI
from pydantic import BaseModel
from pydantic_ai import Agent as PydanticAgent
from pydantic_ai import NativeOutput
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from tests.support.stack import Stack, Upstream, unique


class City(BaseModel):
    name: str
    population: int


CITY = City(name="Lyon", population=522_000)


def weather(city: str) -> str:
    """The weather in a city now."""
    return f"12 degrees in {city}"


CALL = {"id": "call_1", "name": "weather", "arguments": json.dumps({"city": "Oslo"})}


def call_then_answer(upstream: Upstream, topic: str) -> str:
    """The scripted model calls `weather` for Oslo, then answers with what the tool returned."""
    question = unique(topic)
    upstream.script(question, {"tool_calls": [CALL], "delay": 0.01}, {"tokens": ["It is ", "12 degrees."]})
    return question


def assert_the_loop_went_through_the_model(upstream: Upstream, question: str) -> None:
    """Two requests, the second with the call and the tool's result, both with the tool."""
    first, second = upstream.requests(question)
    for sent in (first, second):
        assert [tool["function"]["name"] for tool in sent["tools"]] == ["weather"]
    [call] = next(m for m in second["messages"] if m.get("tool_calls"))["tool_calls"]
    assert (call["id"], call["function"]["name"]) == ("call_1", "weather")
    assert json.loads(call["function"]["arguments"]) == {"city": "Oslo"}
    result = second["messages"][-1]
    assert (result["role"], result["tool_call_id"]) == ("tool", "call_1")
    assert "12 degrees in Oslo" in result["content"]


def answer_with_json(upstream: Upstream, topic: str) -> str:
    question = unique(topic)
    text = CITY.model_dump_json()
    upstream.script(question, {"tokens": [text[i : i + 9] for i in range(0, len(text), 9)]})
    return question


def test_langchains_structured_output(stack: Stack, upstream: Upstream) -> None:
    question = answer_with_json(upstream, "langchain")
    chat = ChatOpenAI(model="scripted", base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)
    structured = chat.with_structured_output(City, method="json_schema")
    assert structured.invoke(question) == CITY
    [sent] = upstream.requests(question)
    assert sent["response_format"]["json_schema"]["name"] == "City"


def test_pydantic_ais_native_output_type(stack: Stack, upstream: Upstream) -> None:
    question = answer_with_json(upstream, "pydantic-ai")
    provider = OpenAIProvider(base_url=f"{stack.api.url}/v1", api_key=stack.key())
    agent = PydanticAgent(OpenAIChatModel("scripted", provider=provider), output_type=NativeOutput(City))
    assert agent.run_sync(question).output == CITY
    [sent] = upstream.requests(question)
    assert sent["response_format"]["type"] == "json_schema"


@pytest.fixture
def no_tracing() -> None:
    set_tracing_disabled(True)  # the SDK would send its traces to OpenAI


@pytest.mark.usefixtures("no_tracing")
def test_the_agents_sdks_output_type_on_the_responses_api(stack: Stack, upstream: Upstream) -> None:
    question = answer_with_json(upstream, "agents sdk")
    client = AsyncOpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)
    agent = Agent(
        name="geographer",
        instructions="Answer with the city.",
        output_type=City,
        model=OpenAIResponsesModel(model="scripted", openai_client=client),
    )
    result = Runner.run_sync(agent, question)
    assert result.final_output == CITY
    [sent] = upstream.requests(question)
    assert sent["messages"][0] == {"role": "system", "content": "Answer with the city."}
    assert sent["response_format"]["json_schema"]["strict"] is True


def test_langchains_bind_tools_loop(stack: Stack, upstream: Upstream) -> None:
    question = call_then_answer(upstream, "langchain tools")
    chat = ChatOpenAI(model="scripted", base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)
    weather_tool = tool(weather)
    with_tools = chat.bind_tools([weather_tool])
    messages: list[Any] = [HumanMessage(question)]
    called = with_tools.invoke(messages)
    [call] = called.tool_calls
    assert (call["name"], call["args"]) == ("weather", {"city": "Oslo"})
    messages += [called, ToolMessage(weather_tool.invoke(call["args"]), tool_call_id=call["id"])]
    assert with_tools.invoke(messages).content == "It is 12 degrees."
    assert_the_loop_went_through_the_model(upstream, question)


def test_pydantic_ais_tool_loop(stack: Stack, upstream: Upstream) -> None:
    question = call_then_answer(upstream, "pydantic-ai tools")
    provider = OpenAIProvider(base_url=f"{stack.api.url}/v1", api_key=stack.key())
    agent = PydanticAgent(OpenAIChatModel("scripted", provider=provider), tools=[weather])
    assert agent.run_sync(question).output == "It is 12 degrees."
    assert_the_loop_went_through_the_model(upstream, question)


@pytest.mark.usefixtures("no_tracing")
def test_the_agents_sdks_function_tool_on_the_responses_api(stack: Stack, upstream: Upstream) -> None:
    question = call_then_answer(upstream, "agents sdk tools")
    client = AsyncOpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)
    agent = Agent(
        name="forecaster",
        instructions="Use the tool.",
        tools=[function_tool(weather)],
        model=OpenAIResponsesModel(model="scripted", openai_client=client),
    )
    result = Runner.run_sync(agent, question)
    assert result.final_output == "It is 12 degrees."
    assert_the_loop_went_through_the_model(upstream, question)
