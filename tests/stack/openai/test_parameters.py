"""What `/v1` does with each parameter, through the official `openai` SDK: the values that ask for
nothing are accepted; a structured output is passed on to the model and parsed by the SDK's own
`parse` helpers; the headers the SDKs read (`x-request-id`, `x-should-retry`) come back (shared
stack)."""

import json
import time

import httpx
import httpx2
import openai
import pytest
from pydantic import BaseModel

from tests.support.stack import Stack, Upstream, unique


class City(BaseModel):
    name: str
    population: int


CITY = {"name": "Lyon", "population": 522_000}


def sdk(stack: Stack, retries: int = 0, http_client: httpx2.Client | None = None) -> openai.OpenAI:
    url = f"{stack.api.url}/v1"
    return openai.OpenAI(base_url=url, api_key=stack.key(), max_retries=retries, http_client=http_client)


def json_tokens(value: object) -> list[str]:
    """The scripted model's answer: `value` as JSON, in a few pieces."""
    text = json.dumps(value)
    return [text[i : i + 7] for i in range(0, len(text), 7)]


def test_values_that_ask_for_nothing_are_accepted(stack: Stack, upstream: Upstream) -> None:
    question = unique("defaults")
    upstream.script(question, {"tokens": ["plain"]})
    reply = sdk(stack).chat.completions.create(
        model="scripted",
        messages=[{"role": "user", "content": question}],
        tools=[],
        tool_choice="none",
        parallel_tool_calls=False,
        response_format={"type": "text"},
        logprobs=False,
        modalities=["text"],
    )
    assert reply.choices[0].message.content == "plain"
    [sent] = upstream.requests(question)
    assert sent["response_format"] is None  # text asks for nothing, and nothing is passed on
    question = unique("response defaults")
    upstream.script(question, {"tokens": ["plain too"]})
    response = sdk(stack).responses.create(
        model="scripted",
        input=question,
        tools=[],
        tool_choice="none",
        parallel_tool_calls=True,
        text={"format": {"type": "text"}},
        truncation="auto",
    )
    assert response.output_text == "plain too"


def test_what_would_change_the_answer_is_refused_not_ignored(stack: Stack) -> None:
    client = sdk(stack)
    chat: dict[str, dict[str, object]] = {
        "tool_choice": {"tool_choice": "required"},
        "logprobs": {"logprobs": True},
        "modalities": {"modalities": ["text", "audio"]},
        "response_format": {"response_format": {"type": "json_schema"}},
        "response_format.type": {"response_format": {"type": "xml"}},
        "verbosity": {"verbosity": "low"},
        "logit_bias.hello.[key]": {"logit_bias": {"hello": 5}},
        "response_format.json_schema.schema": {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "huge", "schema": {"enum": ["x" * 100] * 1000}},
            }
        },
    }
    for param, extra in chat.items():
        body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}], **extra}
        with pytest.raises(openai.BadRequestError) as refused:
            client.post("/chat/completions", body=body, cast_to=httpx.Response)
        assert refused.value.param == param, (param, refused.value.message)
    responses: list[tuple[str, dict[str, object]]] = [
        ("text.format", {"text": {"format": {"type": "json_schema"}}}),
        ("text.verbosity", {"text": {"verbosity": "low"}}),
        ("reasoning.summary", {"reasoning": {"summary": "auto"}}),
        ("truncation", {"truncation": "disabled"}),
        ("text.format", {"text": {"format": {"type": "json_object", "name": "unused"}}}),
    ]
    for param, extra in responses:
        body = {"model": "scripted", "input": "hi", **extra}
        with pytest.raises(openai.BadRequestError) as refused:
            client.post("/responses", body=body, cast_to=httpx.Response)
        assert refused.value.param == param, (param, refused.value.message)


def test_chat_completions_parse_gets_the_schema_to_the_model_and_parses_its_json(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("structured chat")
    upstream.script(question, {"tokens": json_tokens(CITY)})
    reply = sdk(stack).chat.completions.parse(
        model="scripted",
        messages=[{"role": "user", "content": question}],
        response_format=City,
        reasoning_effort="low",
    )
    assert reply.choices[0].message.parsed == City(**CITY)
    [sent] = upstream.requests(question)
    asked = sent["response_format"]
    assert asked["type"] == "json_schema"
    assert asked["json_schema"]["name"] == "City"
    assert asked["json_schema"]["strict"] is True
    assert set(asked["json_schema"]["schema"]["properties"]) == {"name", "population"}
    assert sent["sampling"]["reasoning_effort"] == "low"


def test_responses_parse_gets_the_schema_to_the_model_and_parses_its_json(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("structured response")
    upstream.script(question, {"tokens": json_tokens(CITY)})
    client = sdk(stack)
    response = client.responses.parse(
        model="scripted", input=question, text_format=City, reasoning={"effort": "high"}
    )
    assert response.output_parsed == City(**CITY)
    [sent] = upstream.requests(question)
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == "City"
    assert sent["sampling"]["reasoning_effort"] == "high"
    # The stored response says what format it was asked for, as OpenAI's does.
    stored = client.responses.retrieve(response.id).text
    assert stored is not None
    assert stored.format is not None
    assert stored.format.type == "json_schema"
    question = unique("json object")
    upstream.script(question, {"tokens": json_tokens({"ok": True})})
    plain = client.responses.create(
        model="scripted", input=question, text={"format": {"type": "json_object"}}
    )
    assert json.loads(plain.output_text) == {"ok": True}
    assert upstream.requests(question)[0]["response_format"] == {"type": "json_object"}


def test_every_response_has_an_id_to_quote_which_the_log_has_too(stack: Stack, upstream: Upstream) -> None:
    question = unique("request id")
    upstream.script(question, {"tokens": ["quoted"]})
    raw = sdk(stack).chat.completions.with_raw_response.create(
        model="scripted", messages=[{"role": "user", "content": question}]
    )
    request_id = raw.headers["x-request-id"]
    assert request_id.startswith("req_")
    assert raw.parse()._request_id == request_id  # where the SDK keeps it
    with pytest.raises(openai.NotFoundError) as missing:
        sdk(stack).responses.retrieve("resp_00000000-0000-7000-8000-000000000000")
    assert (missing.value.request_id or "").startswith("req_")
    app = httpx.get(f"{stack.api.url}/api/health")
    assert app.headers["x-request-id"].startswith("req_")
    assert app.headers["x-request-id"] != request_id
    elsewhere = httpx.get(f"{stack.api.url}/api/health", headers={"Host": "rebinding.example"})
    assert elsewhere.status_code == 400  # refused before anything runs, and still identified
    assert elsewhere.headers["x-request-id"].startswith("req_")
    deadline = time.monotonic() + 5
    while request_id not in stack.api.log_text():  # the access line, written once the response is
        assert time.monotonic() < deadline, "the request's id is not in the API's log"
        time.sleep(0.05)


def test_a_conflict_that_cannot_clear_is_not_retried_by_the_sdk(stack: Stack, upstream: Upstream) -> None:
    first_question, second_question = unique("to be continued"), unique("continuing")
    upstream.script(first_question, {"tokens": ["first"]})
    upstream.script(second_question, {"tokens": ["second"]})
    client = sdk(stack)
    first = client.responses.create(model="scripted", input=first_question)
    client.responses.create(model="scripted", input=second_question, previous_response_id=first.id)
    sent: list[httpx2.Request] = []
    counted = httpx2.Client(event_hooks={"request": [sent.append]})  # the SDK's own HTTP library
    retrying = sdk(stack, retries=2, http_client=counted)
    with pytest.raises(openai.ConflictError) as refused:
        retrying.responses.delete(first.id)  # another response continues it: retrying cannot help
    assert refused.value.response.headers["x-should-retry"] == "false"
    assert len(sent) == 1
