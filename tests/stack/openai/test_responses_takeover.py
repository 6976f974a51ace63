"""A worker killed mid-response: the answer starts again on another worker; a stream that had
delivered text ends with OpenAI's `error` event (it cannot take text back), a stream that had
none continues transparently, and the stored response holds the whole new text."""

import time
from typing import Any

import openai
import pytest

from tests.support.stack import MakeStack, unique

pytestmark = [pytest.mark.faults, pytest.mark.slow]

TOKENS = [f"t{i} " for i in range(40)]
SCRIPT = {"tokens": TOKENS, "delay": 0.05}


def test_a_killed_workers_response_restarts_and_only_streams_holding_old_text_see_an_error(
    make_stack: MakeStack,
) -> None:
    stack = make_stack(claim_ttl_seconds="2")
    api = stack.start(workers=1)
    question = unique("taken over")
    stack.upstream.script(question, SCRIPT, SCRIPT)
    client = openai.OpenAI(base_url=f"{api.url}/v1", api_key=stack.key(), max_retries=0)

    live: list[Any] = []
    stream = client.responses.create(model="scripted", input=question, background=True, stream=True)
    for event in stream:
        live.append(event)
        if event.type == "response.output_text.delta" and "t5 " in event.delta:
            break
    response_id = live[0].response.id
    stack.workers[0].kill()
    stack.start_worker()
    for event in stream:  # the same connection, through the restart
        live.append(event)
    assert live[-1].type == "error"
    assert live[-1].code == "interrupted"

    fresh = list(client.responses.retrieve(response_id, stream=True))  # holds no text: transparent
    text = "".join(e.delta for e in fresh if e.type == "response.output_text.delta")
    assert text == "".join(TOKENS)
    assert fresh[-1].type == "response.completed"
    assert not any(e.type == "error" for e in fresh)
    numbers = [e.sequence_number for e in fresh]
    assert numbers == sorted(set(numbers))

    deadline = time.monotonic() + 10
    while (stored := client.responses.retrieve(response_id)).status != "completed":
        assert time.monotonic() < deadline, stored.status
        time.sleep(0.1)
    assert stored.output_text == "".join(TOKENS)
    assert len(stack.upstream.requests(question)) == 2  # the second worker asked the model again


def test_a_killed_workers_function_call_is_made_again_and_seen_once(make_stack: MakeStack) -> None:
    """The worker dies while the model streams a call's arguments: the new attempt's call is the
    answer's; a client that came after the restart gets it once, and the stored answer holds it once."""
    stack = make_stack(claim_ttl_seconds="2")
    api = stack.start(workers=1)
    question = unique("call taken over")
    arguments = '{"city": "Oslo", "days": 3, "unit": "celsius"}'
    call = {"name": "weather", "arguments": arguments}
    first = {"tool_calls": [call | {"id": "call_first"}], "tool_piece": 4, "delay": 0.1}
    stack.upstream.script(question, first, {"tool_calls": [call | {"id": "call_second"}]})
    client = openai.OpenAI(base_url=f"{api.url}/v1", api_key=stack.key(), max_retries=0)
    tool: Any = {"type": "function", "name": "weather", "parameters": {"type": "object"}}

    stream = client.responses.create(
        model="scripted", input=question, tools=[tool], background=True, stream=True
    )
    seen = []
    for event in stream:
        seen.append(event)
        if event.type == "response.function_call_arguments.delta":
            break
    response_id = seen[0].response.id  # type: ignore[union-attr]
    stack.workers[0].kill()
    stack.start_worker()
    rest = list(stream)  # it had the first call's start: it cannot take it back
    assert rest[-1].type == "error"

    deadline = time.monotonic() + 15
    while (stored := client.responses.retrieve(response_id)).status != "completed":
        assert time.monotonic() < deadline, stored.status
        time.sleep(0.1)
    calls = [item for item in stored.output if item.type == "function_call"]
    assert [(c.call_id, c.arguments) for c in calls] == [("call_second", arguments)]
    fresh = list(client.responses.retrieve(stored.id, stream=True))
    added = [e for e in fresh if e.type == "response.output_item.added"]
    assert [e.item.call_id for e in added] == ["call_second"]  # type: ignore[union-attr]
    pieces = [e.delta for e in fresh if e.type == "response.function_call_arguments.delta"]
    assert "".join(pieces) == arguments
    assert len(stack.upstream.requests(question)) == 2
