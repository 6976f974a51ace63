"""`POST /v1/chat/completions` through the official `openai` SDK: answers through the queue,
streamed and not, with usage; sampling parameters reach the model; what is not supported is a
400 naming the parameter; a streaming client that goes away stops the answer (shared stack)."""

import time
from typing import Any

import httpx
import openai
import pytest

from tests.support.accounts import new_user
from tests.support.stack import Stack, Upstream, unique

SLOW = {"tokens": [f"s{i} " for i in range(100)], "delay": 0.05}


def sdk(stack: Stack) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)


def test_a_completion_is_the_models_answer_with_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("completion")
    upstream.script(question, {"tokens": ["Hello", ", ", "world"]})
    reply = sdk(stack).chat.completions.create(
        model="scripted",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}],
    )
    assert reply.choices[0].message.content == "Hello, world"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == "scripted"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 3
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 3
    [sent] = upstream.requests(question)
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_a_stream_is_the_answers_chunks_then_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("streamed")
    upstream.script(question, {"tokens": ["one ", "two ", "three"]})
    stream = sdk(stack).chat.completions.create(
        model="scripted",
        messages=[
            {"role": "user", "content": "earlier"},
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": [{"type": "text", "text": question}]},
        ],
        stream=True,
        stream_options={"include_usage": True},
        temperature=0.3,
        top_p=0.9,
        stop=["\n\n"],
        seed=7,
        max_completion_tokens=50,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 3
    [sent] = upstream.requests(question)
    assert [m["content"] for m in sent["messages"]] == ["earlier", "an earlier answer", question]
    assert sent["max_tokens"] == 50
    assert sent["sampling"] == {"temperature": 0.3, "top_p": 0.9, "stop": ["\n\n"], "seed": 7}


def test_what_is_not_supported_is_a_400_naming_the_parameter(stack: Stack) -> None:
    client = sdk(stack)
    asks: dict[str, dict[str, Any]] = {
        "n": {"n": 2},
        "functions": {"functions": [{"name": "f", "parameters": {}}]},  # tools' deprecated forerunner
        "messages": {"messages": [{"role": "assistant", "content": "no question"}]},
        "messages[0].content": {
            "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "x"}}]}]
        },
        "temperature": {"temperature": 3},
    }
    for param, extra in asks.items():
        body = {"model": "scripted", "messages": [{"role": "user", "content": "hi"}], **extra}
        with pytest.raises(openai.BadRequestError) as refused:
            client.chat.completions.create(**body)
        assert refused.value.param == param, param
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert "no-such-model" in unknown.value.message


def test_a_streaming_client_that_goes_away_stops_the_answer(stack: Stack, upstream: Upstream) -> None:
    question = unique("abandoned")
    upstream.script(question, SLOW)
    body = {"model": "scripted", "messages": [{"role": "user", "content": question}], "stream": True}
    with httpx.stream(
        "POST", f"{stack.api.url}/v1/chat/completions", json=body, headers=stack.headers, timeout=30
    ) as response:
        for line in response.iter_lines():
            if '"content":"s3 "' in line:
                break
    deadline = time.monotonic() + 10
    while not upstream.requests(question)[0]["disconnected"]:
        assert time.monotonic() < deadline, "the model kept streaming to no one"
        time.sleep(0.05)
    assert upstream.requests(question)[0]["tokens_sent"] < len(SLOW["tokens"])  # type: ignore[arg-type]


def test_api_conversations_stay_out_of_the_app_list_unless_asked_for(stack: Stack) -> None:
    question = unique("hidden")
    sdk(stack).chat.completions.create(model="scripted", messages=[{"role": "user", "content": question}])
    with stack.client() as client:
        app = client.get("/api/conversations", params={"limit": 200}).json()["items"]
        api = client.get("/api/conversations", params={"limit": 200, "source": "api"}).json()["items"]
    assert question[:20] not in [c["title"][:20] for c in app]
    assert any(c["title"].startswith(question[:20]) and c["source"] == "api" for c in api)
    with stack.client() as client:  # search finds it, marked as from the API
        found = client.get("/api/search", params={"q": question.split()[-1]}).json()
    assert {hit["conversation_source"] for hit in found["messages"]} == {"api"}


def test_a_request_over_the_users_limits_raises_the_sdks_rate_limit_error(stack: Stack) -> None:
    with stack.client() as admin:
        member = new_user(admin, label="limited")
        limits = {
            "running_answers": None,
            "waiting_answers": 0,
            "tokens_per_day": None,
            "cost_per_month_usd": None,
        }
        assert admin.put(f"/api/admin/users/{member.id}/limits", json=limits).status_code == 200
    client = openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=member.key, max_retries=0)
    with pytest.raises(openai.RateLimitError) as refused:
        client.chat.completions.create(model="scripted", messages=[{"role": "user", "content": "hi"}])
    assert refused.value.code == "rate_limit_exceeded"
    assert int(refused.value.response.headers["retry-after"]) > 0
    assert "0 answers waiting" in refused.value.message
    member.client.close()


def test_a_request_is_bounded_as_a_whole_not_only_by_its_last_turn(stack: Stack) -> None:
    """9,999 earlier turns used to be stored, 10,001 messages; now the request as a whole must be
    something the model's window could take (8 characters a token at the most), in 2,048 turns."""
    client = sdk(stack)
    with stack.client() as app:
        before = len(app.get("/api/conversations", params={"source": "api", "limit": 200}).json()["items"])
    turn = "About a hundred characters of an earlier turn: a thousand of them are far past the window. "
    too_much = [{"role": "user" if n % 2 == 0 else "assistant", "content": turn} for n in range(1_001)]
    too_many = [{"role": "user", "content": "hi"}] * 2_049
    for messages in (too_much, too_many):
        with pytest.raises(openai.BadRequestError) as refused:
            client.chat.completions.create(model="scripted", messages=messages)  # type: ignore[arg-type]
        assert refused.value.param == "messages"
    assert refused.value.code is None  # too many turns: a limit of relaychat's, not the window's
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="scripted", messages=too_much)  # type: ignore[arg-type]
    assert refused.value.code == "context_length_exceeded"
    with stack.client() as app:
        after = len(app.get("/api/conversations", params={"source": "api", "limit": 200}).json()["items"])
    assert after == before  # nothing was stored
