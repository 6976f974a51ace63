"""The Responses API through the official `openai` SDK: answers through the queue, streamed and
not; a background response's dropped stream resumed with `starting_after`, exactly; cancel
stopping the model; `previous_response_id`; delete; errors as the SDK's own (shared stack)."""

import time
from typing import Any

import httpx
import openai
import pytest

from tests.support.accounts import new_user
from tests.support.stack import Stack, Upstream, unique, wait_for_message

SLOW = {"tokens": [f"s{i} " for i in range(100)], "delay": 0.05}


def sdk(stack: Stack) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=stack.key(), max_retries=0)


def wait_until_disconnected(upstream: Upstream, question: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while not (sent := upstream.requests(question)[0])["disconnected"]:
        assert time.monotonic() < deadline, "the model kept streaming to no one"
        time.sleep(0.05)
    return sent


def test_a_response_is_the_models_answer_with_its_usage(stack: Stack, upstream: Upstream) -> None:
    question = unique("response")
    upstream.script(question, {"tokens": ["Hello", ", ", "world"]})
    with stack.client() as app:
        answers_before = app.get("/api/usage").json()["total"]["answers"]
    response = sdk(stack).responses.create(
        model="scripted", input=question, instructions="Be brief.", temperature=0.2, max_output_tokens=40
    )
    assert response.status == "completed"
    assert response.output_text == "Hello, world"
    assert response.id.startswith("resp_")
    assert response.usage is not None
    assert response.usage.output_tokens == 3
    assert response.usage.total_tokens == response.usage.input_tokens + 3
    [sent] = upstream.requests(question)
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": question},
    ]
    assert (sent["sampling"], sent["max_tokens"]) == ({"temperature": 0.2}, 40)
    assert sdk(stack).responses.retrieve(response.id).output_text == "Hello, world"
    with stack.client() as app:  # the key's user's usage counts it, as any answer
        assert app.get("/api/usage").json()["total"]["answers"] == answers_before + 1


def test_a_stream_is_openais_events_in_order(stack: Stack, upstream: Upstream) -> None:
    question = unique("streamed response")
    upstream.script(question, {"tokens": ["one ", "two ", "three"]})
    events = list(
        sdk(stack).responses.create(
            model="scripted",
            input=[{"role": "user", "content": [{"type": "input_text", "text": question}]}],
            stream=True,
        )
    )
    kinds = [e.type for e in events]
    deltas = kinds.count("response.output_text.delta")  # the worker sends what 20 ms brought as one
    assert deltas >= 1
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * deltas,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "one two three"
    completed = events[-1]
    assert completed.type == "response.completed"
    assert completed.response.output_text == "one two three"


def test_a_dropped_background_stream_resumes_with_exactly_the_rest(stack: Stack, upstream: Upstream) -> None:
    question = unique("background")
    upstream.script(question, SLOW)
    client = sdk(stack)
    first: list[Any] = []
    stream = client.responses.create(model="scripted", input=question, background=True, stream=True)
    for event in stream:
        first.append(event)
        if event.type == "response.output_text.delta" and event.delta == "s9 ":
            break
    stream.close()  # the connection drops; a background response runs on
    response_id = first[0].response.id
    assert first[0].response.status == "queued"
    rest = list(client.responses.retrieve(response_id, stream=True, starting_after=first[-1].sequence_number))
    numbers = [e.sequence_number for e in first + rest]
    assert numbers == list(range(len(numbers)))
    text = "".join(e.delta for e in first + rest if e.type == "response.output_text.delta")
    assert text == "".join(SLOW["tokens"])  # type: ignore[arg-type]
    assert rest[-1].type == "response.completed"
    assert not upstream.requests(question)[0]["disconnected"]  # ran to the end
    assert client.responses.retrieve(response_id).output_text == text


def test_cancel_stops_a_background_responses_model(stack: Stack, upstream: Upstream) -> None:
    question = unique("cancelled")
    upstream.script(question, SLOW)
    client = sdk(stack)
    response = client.responses.create(model="scripted", input=question, background=True)
    assert response.status == "queued"
    deadline = time.monotonic() + 10
    while not upstream.requests(question) or upstream.requests(question)[0]["tokens_sent"] < 5:
        assert time.monotonic() < deadline, "the answer never started"
        time.sleep(0.05)
    cancelled = client.responses.cancel(response.id)
    assert cancelled.status == "cancelled"
    sent = wait_until_disconnected(upstream, question)
    assert sent["tokens_sent"] < len(SLOW["tokens"])  # type: ignore[arg-type]
    assert client.responses.retrieve(response.id).status == "cancelled"
    with pytest.raises(openai.BadRequestError):  # as OpenAI: only background responses are cancelled
        client.responses.cancel(client.responses.create(model="scripted", input=unique("quick")).id)


def test_a_streaming_client_that_goes_away_stops_a_response_not_in_the_background(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("abandoned response")
    upstream.script(question, SLOW)
    body = {"model": "scripted", "input": question, "stream": True}
    with httpx.stream(
        "POST", f"{stack.api.url}/v1/responses", json=body, headers=stack.headers, timeout=30
    ) as got:
        for line in got.iter_lines():
            if '"delta":"s3 "' in line:
                break
    assert wait_until_disconnected(upstream, question)["tokens_sent"] < len(SLOW["tokens"])  # type: ignore[arg-type]


def test_previous_response_id_continues_the_conversation_without_its_instructions(
    stack: Stack, upstream: Upstream
) -> None:
    first_question, second_question = unique("first turn"), unique("second turn")
    upstream.script(first_question, {"tokens": ["first answer"]})
    upstream.script(second_question, {"tokens": ["second answer"]})
    client = sdk(stack)
    first = client.responses.create(model="scripted", input=first_question, instructions="Old rules.")
    second = client.responses.create(
        model="scripted", input=second_question, previous_response_id=first.id, instructions="New rules."
    )
    assert second.output_text == "second answer"
    assert second.previous_response_id == first.id
    [sent] = upstream.requests(second_question)
    assert sent["messages"] == [
        {"role": "system", "content": "New rules."},
        {"role": "user", "content": first_question},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": second_question},
    ]
    with pytest.raises(openai.ConflictError):  # the first is continued: delete the second first
        client.responses.delete(first.id)
    client.responses.delete(second.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(second.id)
    client.responses.delete(first.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)


def test_errors_are_the_sdks_own_exceptions(stack: Stack, upstream: Upstream) -> None:
    client = sdk(stack)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_00000000-0000-7000-8000-000000000000")
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="scripted", input="hi", previous_response_id="resp_nope")
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model="no-such-model", input="hi")
    asks: dict[str, dict[str, Any]] = {
        "tools.0": {"tools": [{"type": "web_search"}]},
        "store": {"background": True, "store": False},
        "input[0]": {"input": [{"type": "function_call_output", "call_id": "c", "output": "x"}]},
        "input[0].content": {
            "input": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "x"}}]}]
        },
        "input": {"input": [{"role": "assistant", "content": "no question"}]},
        "max_output_tokens": {"max_output_tokens": 3},
    }
    for param, extra in asks.items():
        body = {"model": "scripted", "input": "hi", **extra}
        with pytest.raises(openai.BadRequestError) as refused:
            client.post("/responses", body=body, cast_to=httpx.Response)
        assert refused.value.param == param, (param, refused.value.message)
    question = unique("not stored")
    upstream.script(question, {"tokens": ["gone"]})
    unstored = client.responses.create(model="scripted", input=question, store=False)
    assert unstored.output_text == "gone"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)


def test_another_users_response_is_not_found(stack: Stack, upstream: Upstream) -> None:
    question = unique("private response")
    upstream.script(question, {"tokens": ["mine"]})
    mine = sdk(stack).responses.create(model="scripted", input=question)
    with stack.client() as admin:
        other = new_user(admin, label="other")
    theirs = openai.OpenAI(base_url=f"{stack.api.url}/v1", api_key=other.key, max_retries=0)
    for call in (
        lambda: theirs.responses.retrieve(mine.id),
        lambda: theirs.responses.delete(mine.id),
        lambda: theirs.responses.create(model="scripted", input="hi", previous_response_id=mine.id),
    ):
        with pytest.raises(openai.NotFoundError):
            call()
    assert sdk(stack).responses.retrieve(mine.id).output_text == "mine"
    other.client.close()


def test_the_sdks_stream_helper_builds_the_final_response_from_the_events(
    stack: Stack, upstream: Upstream
) -> None:
    question = unique("helper")
    upstream.script(question, {"tokens": ["built ", "from ", "events"]})
    with sdk(stack).responses.stream(model="scripted", input=question) as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == "built from events"
    assert final.output_text == "built from events"
    assert final.status == "completed"


def texts(page: Any) -> list[tuple[str, str]]:
    """An input item page's (role, text) pairs (the SDK types each item as any input item)."""
    return [(item.role, item.content[0].text) for item in page.data]


def test_input_items_are_the_messages_the_request_gave(stack: Stack, upstream: Upstream) -> None:
    first_question, second_question = unique("items one"), unique("items two")
    upstream.script(first_question, {"tokens": ["one"]})
    upstream.script(second_question, {"tokens": ["two"]})
    client = sdk(stack)
    first = client.responses.create(
        model="scripted",
        input=[
            {"role": "user", "content": "earlier"},
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": first_question},
        ],
    )
    assert texts(client.responses.input_items.list(first.id)) == [  # newest first, as OpenAI's
        ("user", first_question),
        ("assistant", "an earlier answer"),
        ("user", "earlier"),
    ]
    oldest_first = client.responses.input_items.list(first.id, order="asc", limit=2)
    assert texts(oldest_first) == [("user", "earlier"), ("assistant", "an earlier answer")]
    assert oldest_first.has_more
    rest = client.responses.input_items.list(first.id, order="asc", after=oldest_first.data[-1].id)
    assert texts(rest) == [("user", first_question)]

    second = client.responses.create(model="scripted", input=second_question, previous_response_id=first.id)
    assert texts(client.responses.input_items.list(second.id)) == [("user", second_question)]


def test_deleting_a_response_leaves_a_regenerated_sibling_whole(stack: Stack, upstream: Upstream) -> None:
    question = unique("regenerated beside")
    upstream.script(question, {"tokens": ["an answer"]})
    response = sdk(stack).responses.create(model="scripted", input=question)
    answer_id = response.id.removeprefix("resp_")
    with stack.client() as client:
        sibling = client.post(f"/api/messages/{answer_id}/regenerate", json={}).json()["assistant_message"]
        wait_for_message(client, sibling["id"])
        sdk(stack).responses.delete(response.id)
        assert client.get(f"/api/messages/{answer_id}").status_code == 404
        assert client.get(f"/api/messages/{sibling['parent_id']}").status_code == 200  # its question stays
        again = client.post(f"/api/messages/{sibling['id']}/regenerate", json={})
        assert again.status_code == 202, again.text
        wait_for_message(client, again.json()["assistant_message"]["id"])
        exported = client.get(f"/api/conversations/{sibling['conversation_id']}/export.json")
        imported = client.post("/api/conversations/import", content=exported.content)
        assert imported.status_code == 201, imported.text


def test_deleting_a_response_keeps_a_branch_made_in_the_app_under_its_input(
    stack: Stack, upstream: Upstream
) -> None:
    earlier, question = unique("earlier"), unique("under it")
    upstream.script(question, {"tokens": ["the response"]})
    response = sdk(stack).responses.create(
        model="scripted",
        input=[
            {"role": "user", "content": earlier},
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": question},
        ],
    )
    answer_id = response.id.removeprefix("resp_")
    with stack.client() as client:
        answer = client.get(f"/api/messages/{answer_id}").json()
        conversation = answer["conversation_id"]
        turns = client.get(f"/api/conversations/{conversation}/messages").json()
        earlier_answer = next(m for m in turns if m["content"] == "an earlier answer")
        branch = client.post(
            f"/api/conversations/{conversation}/messages",
            json={"content": unique("asked in the app"), "parent_id": earlier_answer["id"]},
        ).json()
        wait_for_message(client, branch["assistant_message"]["id"])
        sdk(stack).responses.delete(response.id)
        left = {m["id"]: m for m in client.get(f"/api/conversations/{conversation}/messages").json()}
        assert answer_id not in left
        assert answer["parent_id"] not in left  # its question went with it: nothing else followed it
        assert {branch["user_message"]["id"], branch["assistant_message"]["id"], earlier_answer["id"]} <= set(
            left
        )
        assert all(m["parent_id"] is None or m["parent_id"] in left for m in left.values())
        shown = client.get(f"/api/conversations/{conversation}/branch").json()
        assert shown["leaf_id"] in left


def test_a_responses_input_is_bounded_as_a_whole(stack: Stack) -> None:
    client = sdk(stack)
    for body in (
        {"input": [{"role": "user", "content": "hi"}] * 2_049},
        {"input": "x" * 70_000},  # more than an 8,192-token window could take, at 8 characters a token
    ):
        with pytest.raises(openai.BadRequestError) as refused:
            client.post("/responses", body={"model": "scripted", **body}, cast_to=httpx.Response)
        assert refused.value.param == "input", refused.value.message
