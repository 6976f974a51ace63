"""Agent frameworks against `/v1`, each as its users run it, with a structured output: LangChain's
`with_structured_output`, pydantic-ai's native output type and the OpenAI Agents SDK's
`output_type` (on the Responses API). Each sends what it sends by default, which relaychat must
accept; the scripted model answers JSON (shared stack)."""

import pytest
from agents import Agent, OpenAIResponsesModel, Runner, set_tracing_disabled
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
