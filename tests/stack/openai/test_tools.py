"""Tools and reasoning through `/v1` with the openai SDK: tool calls streamed and not, a two-step
tool loop on Chat Completions and on the Responses API, a function call resumed mid-arguments,
reasoning kept apart from the answer, and the refusals (shared stack)."""

import json
from typing import Any

import openai
import pytest

from tests.support.accounts import new_user
from tests.support.stack import Stack, Upstream, unique

WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city now.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
ARGUMENTS = '{"city": "Oslo", "unit": "celsius"}'
CALL = {"id": "call_oslo", "name": "get_weather", "arguments": ARGUMENTS}


def sdk(stack: Stack) -> Any:
    """The SDK's client, untyped: its request types would need a cast for every tool and message."""
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)


def stored(stack: Stack, answer_id: str) -> dict[str, Any]:
    """The answer as the app's API reads it back."""
    with stack.client() as client:
        reply = client.get(f"/api/messages/{answer_id}")
        reply.raise_for_status()
        message: dict[str, Any] = reply.json()
        return message


def test_a_streamed_tool_call_arrives_in_openais_fragments_and_is_stored(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("weather streamed")
    # At a model's pace: pieces that come together are written (and sent) as one.
    upstream.script(question, {"tool_calls": [CALL], "tool_piece": 5, "delay": 0.04})
    with sdk(stack).chat.completions.stream(
        model="scripted",
        messages=[{"role": "user", "content": question}],
        tools=[WEATHER],
        tool_choice="auto",
        parallel_tool_calls=False,
    ) as stream:
        chunks = [event.chunk for event in stream if event.type == "chunk"]
        final = stream.get_final_completion()
    fragments = [call for c in chunks if c.choices for call in c.choices[0].delta.tool_calls or ()]
    assert len(fragments) >= 3
    assert (fragments[0].id, fragments[0].type, fragments[0].function.name) == (
        "call_oslo",
        "function",
        "get_weather",
    )
    assert all(f.id is None and f.function.name is None for f in fragments[1:])  # as OpenAI's
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls or []
    assert (call.id, call.function.name, call.function.arguments) == ("call_oslo", "get_weather", ARGUMENTS)
    [sent] = upstream.requests(question)
    assert sent["tools"] == [WEATHER]
    assert (sent["tool_choice"], sent["parallel_tool_calls"]) == ("auto", False)
    answer = stored(stack, chunks[0].id.removeprefix("chatcmpl-"))
    assert answer["tool_calls"] == [
        {"id": "call_oslo", "type": "function", "function": {"name": "get_weather", "arguments": ARGUMENTS}}
    ]
    assert answer["finish_reason"] == "tool_calls"
    assert answer["content"] == ""


def test_a_two_step_tool_loop(stack: Stack, upstream: Upstream) -> None:
    """The model calls a tool; the client runs it and sends the result back; the model answers."""
    client = sdk(stack)
    question = unique("weather loop")
    upstream.script(question, {"tool_calls": [CALL]}, {"tokens": ["It is ", "12 degrees."]})
    messages: list[Any] = [{"role": "user", "content": question}]
    first = client.chat.completions.create(model="scripted", messages=messages, tools=[WEATHER])
    assert first.choices[0].finish_reason == "tool_calls"
    message = first.choices[0].message
    assert message.content is None  # as OpenAI's: no text beside the calls
    [call] = message.tool_calls or []
    city = json.loads(call.function.arguments)["city"]
    messages += [
        message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": f"12 in {city}"},
    ]
    second = client.chat.completions.create(model="scripted", messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == "It is 12 degrees."
    assert second.choices[0].finish_reason == "stop"
    sent = upstream.requests(question)[1]["messages"]
    assert sent[-2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_oslo",
                "type": "function",
                "function": {"name": "get_weather", "arguments": ARGUMENTS},
            }
        ],
    }
    assert sent[-1] == {"role": "tool", "tool_call_id": "call_oslo", "content": "12 in Oslo"}


def test_servers_that_repeat_a_calls_id_and_name_on_every_piece_give_one_call(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("repeating server")
    upstream.script(question, {"tool_calls": [CALL, {**CALL, "id": "call_two"}], "split_ids": True})
    reply = sdk(stack).chat.completions.create(
        model="scripted",
        messages=[{"role": "user", "content": question}],
        tools=[WEATHER],
    )
    calls = reply.choices[0].message.tool_calls or []
    assert [(c.id, c.function.arguments) for c in calls] == [
        ("call_oslo", ARGUMENTS),
        ("call_two", ARGUMENTS),
    ]


def test_reasoning_reaches_the_sdk_and_the_app_apart_from_the_answer(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("reasoning")
    script = {"reasoning": ["Oslo is ", "in Norway."], "tokens": ["Norway."]}
    upstream.script(question, script)
    client = sdk(stack)
    messages: Any = [{"role": "user", "content": question}]
    chunks = list(
        client.chat.completions.create(
            model="scripted", messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    thought = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning_content", "") for c in chunks if c.choices
    )
    said = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert (thought, said) == ("Oslo is in Norway.", "Norway.")
    usage = chunks[-1].usage
    assert usage is not None
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 2  # the server's count
    answer = stored(stack, chunks[0].id.removeprefix("chatcmpl-"))
    assert (answer["reasoning"], answer["content"], answer["reasoning_tokens"]) == (
        "Oslo is in Norway.",
        "Norway.",
        2,
    )
    reply = client.chat.completions.create(model="scripted", messages=messages)
    assert (reply.choices[0].message.model_extra or {})["reasoning_content"] == "Oslo is in Norway."
    assert reply.choices[0].message.content == "Norway."
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == 2


def test_the_responses_api_runs_a_function_call_loop(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    question = unique("responses loop")
    upstream.script(
        question, {"reasoning": ["Need the ", "weather."], "tool_calls": [CALL]}, {"tokens": ["Mild: 12."]}
    )
    tool = {"type": "function", **WEATHER["function"]}
    events = list(client.responses.create(model="scripted", input=question, tools=[tool], stream=True))
    kinds = [e.type for e in events]
    assert "response.function_call_arguments.delta" in kinds
    assert kinds[-3:] == [
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    added = [e for e in events if e.type == "response.output_item.added"]
    assert [(e.output_index, e.item.type) for e in added] == [(0, "reasoning"), (1, "function_call")]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    first = events[-1].response
    [call] = [item for item in first.output if item.type == "function_call"]
    assert (call.call_id, call.name, call.arguments) == ("call_oslo", "get_weather", ARGUMENTS)
    assert first.tools[0].name == "get_weather"
    second = client.responses.create(
        model="scripted",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "12 degrees"}],
        tools=[tool],
    )
    assert second.output_text == "Mild: 12."
    sent = upstream.requests(question)[1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[1]["tool_calls"][0]["id"] == "call_oslo"
    assert "reasoning_content" not in sent[1]  # the model's thinking is not sent back
    items = client.responses.input_items.list(second.id).data
    assert [(i.type, getattr(i, "call_id", None)) for i in items] == [("function_call_output", "call_oslo")]


def test_a_function_calls_stream_resumes_exactly_after_any_event(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    question = unique("resume call")
    upstream.script(question, {"tool_calls": [CALL], "tool_piece": 3})
    tool: Any = {"type": "function", **WEATHER["function"]}
    response = client.responses.create(model="scripted", input=question, tools=[tool], background=True)
    whole = list(client.responses.retrieve(response.id, stream=True))
    assert whole[-1].type == "response.completed"
    for cut in (2, 4, len(whole) // 2, len(whole) - 3):
        rest = list(
            client.responses.retrieve(response.id, stream=True, starting_after=whole[cut].sequence_number)
        )
        assert [e.model_dump() for e in rest] == [e.model_dump() for e in whole[cut + 1 :]]
    pieces = [e.delta for e in whole if e.type == "response.function_call_arguments.delta"]
    assert "".join(pieces) == ARGUMENTS


def test_tools_are_refused_for_a_model_without_them_and_bad_tool_messages_named(stack: Stack) -> None:
    client = sdk(stack)
    user: Any = [{"role": "user", "content": "hi"}]
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="scripted-alt", messages=user, tools=[WEATHER])
    assert refused.value.param == "tools"
    assert "scripted-alt" in refused.value.message
    cases: list[tuple[str, dict[str, Any]]] = [
        (
            "messages[1]",
            {"messages": [*user, {"role": "tool", "tool_call_id": "nope", "content": "x"}]},
        ),
        (
            "tool_choice",
            {
                "messages": user,
                "tools": [WEATHER],
                "tool_choice": {"type": "function", "function": {"name": "other"}},
            },
        ),
        ("tools", {"messages": user, "tools": [WEATHER, WEATHER]}),
        ("messages.1", {"messages": [*user, {"role": "tool", "content": "no call named"}]}),
        ("tools.0", {"messages": user, "tools": [{"type": "web_search"}]}),
    ]
    for param, body in cases:
        with pytest.raises(openai.BadRequestError) as refused:
            client.post("/chat/completions", body={"model": "scripted", **body}, cast_to=dict)
        assert (refused.value.param or "").startswith(param), (
            param,
            refused.value.param,
            refused.value.message,
        )
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="scripted", input="hi", tools=[{"type": "web_search"}])
    assert (refused.value.param or "").startswith("tools")
    # A reference to an item that is not the user's (or not at all) is the same refusal.
    for item_id in ("msg_00000000-0000-7000-8000-000000000000", "fc_nope_0", "nonsense"):
        with pytest.raises(openai.BadRequestError) as refused:
            client.responses.create(model="scripted", input=[{"type": "item_reference", "id": item_id}])
        assert refused.value.param == "input[0].id"


def test_another_users_stored_items_cannot_be_referenced(
    stack: Stack, upstream: Upstream, client: Any
) -> None:
    """An `item_reference` names an object by id in the body, where no path lookup guards it: one
    of another user's is refused exactly as one that does not exist."""
    question = unique("private call")
    upstream.script(question, {"tokens": ["Secret text."], "tool_calls": [CALL]})
    tool: Any = {"type": "function", **WEATHER["function"]}
    mine = sdk(stack).responses.create(model="scripted", input=question, tools=[tool])
    item_ids = [item.id for item in mine.output]
    assert [i.split("_")[0] for i in item_ids] == ["msg", "fc"]
    other = new_user(client, label="referrer")
    theirs = openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=other.key, max_retries=0)
    for item_id in item_ids:
        with pytest.raises(openai.BadRequestError) as refused:
            theirs.responses.create(model="scripted", input=[{"type": "item_reference", "id": item_id}])
        assert refused.value.param == "input[0].id"
        assert refused.value.message.endswith("no stored item has this id")
    # Its owner may: the references stand for the stored text and call.
    upstream.script(question, {"tokens": ["Done."]})
    owned = [
        {"role": "user", "content": question},
        *({"type": "item_reference", "id": item_id} for item_id in item_ids),
        {"type": "function_call_output", "call_id": "call_oslo", "output": "12"},
    ]
    assert sdk(stack).responses.create(model="scripted", input=owned).output_text == "Done."
    sent = upstream.requests(question)[-1]["messages"]
    assert sent[1]["content"] == "Secret text."
    assert sent[1]["tool_calls"][0]["id"] == "call_oslo"
