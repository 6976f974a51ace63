"""Usage: each user's tokens and cost by day and model, every user's totals for the admin, and the
daily token limit refusing once it is used up (shared stack)."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.accounts import Member, new_user
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, ask, new_conversation, title_match, unique, wait_for_message


def answered(
    member: Member, upstream: Upstream, tokens: list[str], model: str | None = None
) -> dict[str, Any]:
    question = unique("usage")
    upstream.script(question, {"tokens": tokens})
    # Titled by hand: no title job, whose model call would count in the usage too.
    fields = {"title": "named", **({"model": model} if model else {})}
    conversation = new_conversation(member.client, **fields)
    pair = ask(member.client, conversation["id"], question)
    return wait_for_message(member.client, pair["assistant_message"]["id"])


@pytest.fixture
def members(stack: Stack) -> tuple[httpx.Client, Member, Member]:
    admin = stack.client()
    return admin, new_user(admin, label="ann"), new_user(admin, label="bob")


def test_a_users_answers_are_summed_by_day_and_model_and_no_one_elses(
    stack: Stack, upstream: Upstream, members: tuple[httpx.Client, Member, Member]
) -> None:
    _, ann, bob = members
    first = answered(ann, upstream, ["a ", "b "])
    second = answered(ann, upstream, ["c "])
    other_model = answered(ann, upstream, ["d "], model="scripted-alt")
    answered(bob, upstream, ["not ", "ann's"])

    report = ann.client.get("/api/usage", params={"days": 7}).json()
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    rows = {(row["day"], row["model"]): row for row in report["by_day"]}
    assert set(rows) == {(today, "scripted"), (today, "scripted-alt")}
    scripted = rows[(today, "scripted")]
    assert scripted["answers"] == 2
    assert scripted["prompt_tokens"] == first["prompt_tokens"] + second["prompt_tokens"]
    assert scripted["completion_tokens"] == 3
    assert scripted["cost_usd"] == pytest.approx(first["cost_usd"] + second["cost_usd"])
    assert rows[(today, "scripted-alt")]["completion_tokens"] == other_model["completion_tokens"] == 1
    assert report["total"]["answers"] == 3
    costs = [m["cost_usd"] for m in (first, second, other_model)]
    assert report["total"]["cost_usd"] == pytest.approx(sum(costs))
    # What the limits have counted of today: the same answers' tokens.
    assert report["tokens_today"] == report["total"]["prompt_tokens"] + report["total"]["completion_tokens"]
    assert report["limits"]["running_answers"] == 4
    assert ann.client.get("/api/usage", params={"days": 0}).status_code == 422


def test_the_admin_sees_every_users_totals_sorted(
    stack: Stack, upstream: Upstream, members: tuple[httpx.Client, Member, Member]
) -> None:
    admin, ann, bob = members
    answered(ann, upstream, ["x "] * 30)
    answered(bob, upstream, ["y "])
    answered(bob, upstream, ["y "])

    def order(sort: str) -> list[str]:
        rows = admin.get("/api/admin/usage", params={"sort": sort}).json()
        return [row["user_id"] for row in rows if row["user_id"] in (ann.id, bob.id)]

    assert order("tokens") == [ann.id, bob.id]
    assert order("cost") == [ann.id, bob.id]
    assert order("answers") == [bob.id, ann.id]
    emails = [row["email"] for row in admin.get("/api/admin/usage", params={"sort": "email"}).json()]
    assert emails == sorted(emails)
    assert admin.get("/api/admin/usage", params={"sort": "name"}).status_code == 422
    assert ann.client.get("/api/admin/usage").status_code == 403


def test_once_todays_tokens_are_used_up_the_next_answer_is_refused_until_midnight(
    stack: Stack, upstream: Upstream, members: tuple[httpx.Client, Member, Member]
) -> None:
    admin, ann, _ = members
    limits = {
        "running_answers": None,
        "waiting_answers": None,
        "tokens_per_day": 5,
        "cost_per_month_usd": None,
        "storage_mb": None,
    }
    assert admin.put(f"/api/admin/users/{ann.id}/limits", json=limits).status_code == 200
    answered(ann, upstream, ["one ", "two ", "three "])  # admitted under the limit, and takes it over
    refused = ann.client.post(
        f"/api/conversations/{new_conversation(ann.client)['id']}/messages", json={"content": unique("more")}
    )
    assert refused.status_code == 429
    assert refused.json()["detail"] == "You have used your 5 tokens for today; more from midnight UTC."
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400


def test_a_titles_model_call_counts_in_its_owners_usage(
    stack: Stack, upstream: Upstream, members: tuple[httpx.Client, Member, Member]
) -> None:
    admin, ann, _ = members
    answer = answered(ann, upstream, ["a "])
    before = ann.client.get("/api/usage").json()["total"]
    question = ann.client.get(f"/api/messages/{answer['parent_id']}").json()["content"]
    upstream.script(title_match(question), {"tokens": ["A ", "named ", "thing"]})
    assert ann.client.post(f"/api/conversations/{answer['conversation_id']}/title").status_code == 202
    wait_until(lambda: ann.client.get("/api/usage").json()["total"] != before, 10, "the title's usage")
    after = ann.client.get("/api/usage").json()["total"]
    assert after["answers"] == before["answers"]  # a title is no answer
    assert after["completion_tokens"] == before["completion_tokens"] + 3
    assert after["prompt_tokens"] > before["prompt_tokens"]
    assert after["cost_usd"] > before["cost_usd"]
    everyone = {row["user_id"]: row for row in admin.get("/api/admin/usage").json()}
    assert everyone[ann.id]["completion_tokens"] == after["completion_tokens"]
