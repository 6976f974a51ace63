"""The title job through the real stack: named after the first answer, pushed to browsers, a
fallback when the model fails, and a title typed by hand never replaced."""

import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from core.titles import fallback_title
from tests.support.accounts import new_user
from tests.support.processes import wait_until
from tests.support.stack import (
    Stack,
    Upstream,
    ask,
    new_conversation,
    title_match,
    title_results,
    unique,
    wait_for_message,
)
from tests.support.updates import UpdateListener

WORDS = ["Sure, ", "here ", "it ", "is."]


def conversation(client: httpx.Client, conversation_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/conversations/{conversation_id}").json()
    return found


def first_exchange(
    client: httpx.Client, upstream: Upstream, label: str, *title_replies: dict[str, Any], **fields: Any
) -> tuple[str, str, dict[str, Any]]:
    """A new conversation's first question, answered: (conversation id, question, final answer)."""
    question = f"{unique(label)}\nwith a second line"
    upstream.script(question, {"tokens": WORDS})
    if title_replies:
        upstream.script(title_match(question), *title_replies)
    conversation_id = new_conversation(client, **fields)["id"]
    pair = ask(client, conversation_id, question)
    return conversation_id, question, wait_for_message(client, pair["assistant_message"]["id"])


def test_the_first_answer_is_followed_by_a_generated_title_pushed_to_browsers(
    client: httpx.Client, stack: Stack, upstream: Upstream
) -> None:
    with UpdateListener(stack.api.url, stack.headers) as updates:
        question = f"{unique('generated title')}\nwith a second line"
        upstream.script(question, {"tokens": WORDS})
        upstream.script(title_match(question), {"tokens": ['Title: "Planning ', "a Trip to ", 'Lisbon."']})
        conversation_id = new_conversation(client, model="scripted-alt")["id"]
        pair = ask(client, conversation_id, question)

        # Named at once, from the first line of the question.
        named = conversation(client, conversation_id)
        assert named["title"] == fallback_title(question) == question.splitlines()[0]
        assert named["title_source"] == "fallback"

        answer = wait_for_message(client, pair["assistant_message"]["id"])
        updates.wait_for(conversation_id, "title")

    assert answer["content"] == "".join(WORDS)
    titled = conversation(client, conversation_id)
    assert titled["title"] == "Planning a Trip to Lisbon"
    assert titled["title_source"] == "generated"
    assert titled["updated_at"] == named["updated_at"], "a title is no activity: the list order stays"
    [request] = upstream.requests(title_match(question))
    assert request["model"] == "scripted-alt", "the conversation's own model names it"
    assert request["max_tokens"] <= 32
    # Asked only once the answer had ended, so the answer never waited for it.
    assert request["started"] >= datetime.fromisoformat(answer["finished_at"]).timestamp()


@pytest.mark.parametrize(
    "reply",
    [{"status": 500, "message": "overloaded"}, {"status": 401}, {"tokens": ['"', '"']}],
    ids=["server-error", "refused", "no-title-in-reply"],
)
def test_a_failed_title_job_leaves_the_fallback_and_the_answer_untouched(
    client: httpx.Client, stack: Stack, upstream: Upstream, reply: dict[str, Any]
) -> None:
    with UpdateListener(stack.api.url, stack.headers) as updates:
        conversation_id, question, answer = first_exchange(client, upstream, "failed title", reply)
        assert title_results(stack.workers[0], conversation_id) == ["'failed; title kept'"]
        updates.wait_for(conversation_id, "title_failed")

    assert answer["status"] == "complete"
    assert answer["content"] == "".join(WORDS)
    titled = conversation(client, conversation_id)
    assert titled["title"] == fallback_title(question)
    assert titled["title_source"] == "fallback"


def test_a_title_set_when_creating_is_never_replaced(
    client: httpx.Client, stack: Stack, upstream: Upstream
) -> None:
    conversation_id, question, _ = first_exchange(
        client, upstream, "typed title", {"tokens": ["Not This"]}, title="My own title"
    )
    time.sleep(0.5)  # the job would have been asked for at the answer's end
    assert upstream.requests(title_match(question)) == [], "no model call for a conversation named by hand"
    assert conversation(client, conversation_id)["title"] == "My own title"
    assert conversation(client, conversation_id)["title_source"] == "user"


def test_a_rename_while_the_title_is_generated_wins(
    client: httpx.Client, stack: Stack, upstream: Upstream
) -> None:
    conversation_id, question, _ = first_exchange(
        client, upstream, "rename race", {"tokens": ["Generated Too Late"], "ttft": 1.0}
    )
    wait_until(lambda: bool(upstream.requests(title_match(question))), 10, "the title request")
    renamed = client.patch(f"/api/conversations/{conversation_id}", json={"title": "Typed meanwhile"})
    assert renamed.json()["title_source"] == "user"

    assert title_results(stack.workers[0], conversation_id) == ["'changed meanwhile; left alone'"]
    titled = conversation(client, conversation_id)
    assert (titled["title"], titled["title_source"]) == ("Typed meanwhile", "user")


def test_regenerate_replaces_even_a_typed_title_and_says_when_it_fails(
    client: httpx.Client, stack: Stack, upstream: Upstream
) -> None:
    conversation_id, question, _ = first_exchange(client, upstream, "regenerate", title="Typed")
    upstream.script(title_match(question), {"tokens": ["Fresh Name"]}, {"status": 500})

    with UpdateListener(stack.api.url, stack.headers) as updates:
        response = client.post(f"/api/conversations/{conversation_id}/title")
        assert response.status_code == 202, response.text
        assert response.json()["title"] == "Typed"
        updates.wait_for(conversation_id, "title")
        titled = conversation(client, conversation_id)
        assert (titled["title"], titled["title_source"]) == ("Fresh Name", "generated")

        # The model fails the second time: the title there is stays, and browsers are told.
        assert client.post(f"/api/conversations/{conversation_id}/title").status_code == 202
        updates.wait_for(conversation_id, "title_failed")
    assert conversation(client, conversation_id)["title"] == "Fresh Name"


def test_regenerate_needs_a_question_and_an_existing_conversation(client: httpx.Client) -> None:
    empty = new_conversation(client)["id"]
    refused = client.post(f"/api/conversations/{empty}/title")
    assert refused.status_code == 409
    assert "first question" in refused.json()["detail"]
    missing = client.post("/api/conversations/00000000-0000-7000-8000-000000000000/title")
    assert missing.status_code == 404


def test_a_slow_title_does_not_hold_up_the_conversations_next_answer(
    client: httpx.Client, stack: Stack, upstream: Upstream
) -> None:
    conversation_id, question, _ = first_exchange(
        client, upstream, "slow title", {"tokens": ["Slow Title"], "ttft": 3.0}
    )
    wait_until(lambda: bool(upstream.requests(title_match(question))), 10, "the title request")

    follow_up = unique("follow-up")
    upstream.script(follow_up, {"tokens": ["at ", "once"]})
    second = ask(client, conversation_id, follow_up)  # 202, not 409: the title is no answer
    answer = wait_for_message(client, second["assistant_message"]["id"], timeout=10)
    assert answer["content"] == "at once"
    [title_request] = upstream.requests(title_match(question))
    assert not title_request["finished"], "the second answer did not wait for the title"
    assert title_results(stack.workers[0], conversation_id) == ["'generated'"]


def test_a_title_regeneration_goes_through_its_owners_limits_and_never_runs_twice_at_once(
    client: httpx.Client, upstream: Upstream
) -> None:
    """With a user's limits at zero, thirty regenerations used to be thirty model calls, counted
    nowhere and ahead of everyone's answers: a title is a job of its owner's like an answer."""
    member = new_user(client, label="titles")
    conversation_id, question, _ = first_exchange(member.client, upstream, "limited title", title="Typed")
    no_waiting = {
        "running_answers": None,
        "waiting_answers": 0,
        "tokens_per_day": None,
        "cost_per_month_usd": None,
        "storage_mb": None,
    }
    assert client.put(f"/api/admin/users/{member.id}/limits", json=no_waiting).status_code == 200
    refused = member.client.post(f"/api/conversations/{conversation_id}/title")
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert upstream.requests(title_match(question)) == []  # the model was never asked

    back = {**no_waiting, "waiting_answers": None}
    assert client.put(f"/api/admin/users/{member.id}/limits", json=back).status_code == 200
    upstream.script(title_match(question), {"tokens": ["Asked ", "Once"], "ttft": 1.0})
    for _ in range(10):
        assert member.client.post(f"/api/conversations/{conversation_id}/title").status_code == 202
    wait_until(lambda: conversation(member.client, conversation_id)["title"] == "Asked Once", 15, "the title")
    assert len(upstream.requests(title_match(question))) == 1
    member.client.close()
