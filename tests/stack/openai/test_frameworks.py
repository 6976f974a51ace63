"""Agent frameworks against `/v1`, each as its users run it, with a structured output and with a
tool loop: LangChain's `with_structured_output` and `bind_tools`, pydantic-ai's native output
type and its tools, the OpenAI Agents SDK's `output_type` and function tools (on the Responses
API), LiteLLM's `completion`, and `llm`'s chains and schemas. Each sends what it sends by
default, which relaychat must accept; the scripted model answers JSON, or calls the tool and then
answers (shared stack)."""

import json
from pathlib import Path
from typing import Any

import pytest
from agents import Agent, OpenAIResponsesModel, Runner, function_tool
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


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "The weather in a city now.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def test_litellms_tool_loop_and_structured_output(
    stack: Stack, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # its price list from the wheel, offline
    import litellm

    server: dict[str, Any] = {
        "model": "openai/scripted",
        "api_base": f"{stack.api.url}/v1",
        "api_key": stack.key(),
    }
    question = call_then_answer(upstream, "litellm tools")
    messages: list[Any] = [{"role": "user", "content": question}]
    first = litellm.completion(messages=messages, tools=[WEATHER_TOOL], **server)
    [call] = first.choices[0].message.tool_calls
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": weather(**json.loads(call.function.arguments))},
    ]
    second = litellm.completion(messages=messages, tools=[WEATHER_TOOL], **server)
    assert second.choices[0].message.content == "It is 12 degrees."
    assert_the_loop_went_through_the_model(upstream, question)

    question = answer_with_json(upstream, "litellm json")
    reply = litellm.completion(
        messages=[{"role": "user", "content": question}], response_format=City, **server
    )
    assert City.model_validate_json(reply.choices[0].message.content) == CITY
    [sent] = upstream.requests(question)
    assert sent["response_format"]["json_schema"]["name"] == "City"


def test_llms_tool_chain_and_schema(
    stack: Stack, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simon Willison's `llm`, with relaychat as an extra OpenAI-compatible model of its own."""
    models = [
        {
            "model_id": "relaychat",
            "model_name": "scripted",
            "api_base": f"{stack.api.url}/v1",
            "api_key_name": "relaychat",  # else a model with its own api_base sends no key
            "supports_tools": True,
            "supports_schema": True,
        }
    ]
    (tmp_path / "extra-openai-models.yaml").write_text(json.dumps(models))  # YAML reads JSON
    monkeypatch.setenv("LLM_USER_PATH", str(tmp_path))
    import llm

    model = llm.get_model("relaychat")
    question = call_then_answer(upstream, "llm tools")
    assert model.chain(question, tools=[weather], key=stack.key()).text() == "It is 12 degrees."
    assert_the_loop_went_through_the_model(upstream, question)

    question = answer_with_json(upstream, "llm schema")
    response = model.prompt(question, schema=City, key=stack.key())
    assert City.model_validate_json(response.text()) == CITY
    [sent] = upstream.requests(question)
    assert sent["response_format"]["type"] == "json_schema"
