"""Per-user limits through the whole stack: exact under concurrent submits on two API processes,
the running limit holding answers back, the admin's overrides, and counters that heal after a
worker or an API process is killed."""

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from core import keys
from tests.support.accounts import Member, new_user
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique, wait_for_message

SLOW = {"tokens": [f"w{i} " for i in range(40)], "delay": 0.05}  # 2 s of answer


def limit(admin: httpx.Client, member: Member, **limits: Any) -> None:
    body = {
        "running_answers": None,
        "waiting_answers": None,
        "tokens_per_day": None,
        "cost_per_month_usd": None,
        "storage_mb": None,
    }
    response = admin.put(f"/api/admin/users/{member.id}/limits", json={**body, **limits})
    assert response.status_code == 200, response.text


def submit(client: httpx.Client, conversation_id: str, question: str) -> httpx.Response:
    return client.post(f"/api/conversations/{conversation_id}/messages", json={"content": question})


def status_of(client: httpx.Client, message_id: str) -> str:
    status: str = client.get(f"/api/messages/{message_id}").json()["status"]
    return status


def redis_of(stack: Stack) -> redis.Redis:
    return redis.Redis.from_url(stack.redis.url)


def assert_all_complete_and_nothing_held(stack: Stack, user: Member, answers: list[str]) -> None:
    """Every answer ends complete, and then, once the titles their first answers asked for have
    run too (jobs of the user's as well), the user holds no running slot and no admission."""
    for message_id in answers:
        assert wait_for_message(user.client, message_id, timeout=60)["status"] == "complete"
    with redis_of(stack) as connection:

        def nothing_held() -> bool:
            held = int(connection.zcard(keys.admitted(user.id))) + int(
                connection.zcard(keys.running(user.id))
            )
            return held == 0

        wait_until(nothing_held, 15, "no slot and no admission held")


@pytest.fixture
def member(make_stack: MakeStack) -> Iterator[tuple[Stack, httpx.Client, Member]]:
    stack = make_stack(recover_grace_seconds="1", recover_interval_seconds="0.5", claim_ttl_seconds="2")
    stack.start_api()
    stack.start_worker()
    with stack.client() as admin:
        user = new_user(admin, label="limited")
        yield stack, admin, user
        user.client.close()


def test_of_fifty_submits_on_two_api_processes_for_the_last_place_exactly_one_is_accepted(
    member: tuple[Stack, httpx.Client, Member],
) -> None:
    stack, admin, user = member
    second = stack.start_api()
    limit(admin, user, running_answers=1, waiting_answers=3)
    question = unique("limited")
    stack.upstream.script(question, *[SLOW] * 60)
    held = [ask(user.client, new_conversation(user.client)["id"], question) for _ in range(3)]
    # One runs and two wait: one waiting place is left.
    conversations = [new_conversation(user.client)["id"] for _ in range(50)]
    clients = [user.client, httpx.Client(base_url=second.url, headers=user.client.headers, timeout=30)]
    outcomes: list[httpx.Response] = []
    start = threading.Barrier(50)

    def race(n: int) -> None:
        start.wait()
        outcomes.append(submit(clients[n % 2], conversations[n], question))

    threads = [threading.Thread(target=race, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clients[1].close()

    assert sorted(r.status_code for r in outcomes) == [202] + [429] * 49
    refused = next(r for r in outcomes if r.status_code == 429)
    assert (
        refused.json()["detail"]
        == "You have 3 answers waiting, your limit: wait for one to start, or stop one."
    )
    assert int(refused.headers["Retry-After"]) > 0
    accepted = next(r for r in outcomes if r.status_code == 202).json()["assistant_message"]["id"]
    every = [pair["assistant_message"]["id"] for pair in held] + [accepted]
    # The running limit: one at a time, each in turn, all to the end.
    assert [status_of(user.client, m) for m in every].count("streaming") <= 1
    assert_all_complete_and_nothing_held(stack, user, every)


def test_the_running_limit_holds_the_users_next_answer_until_one_ends(
    member: tuple[Stack, httpx.Client, Member],
) -> None:
    stack, admin, user = member
    limit(admin, user, running_answers=2)
    question = unique("two at a time")
    stack.upstream.script(question, *[SLOW] * 3)
    answers = [
        ask(user.client, new_conversation(user.client)["id"], question)["assistant_message"]["id"]
        for _ in range(3)
    ]
    wait_until(
        lambda: [status_of(user.client, m) for m in answers[:2]] == ["streaming"] * 2, 10, "two running"
    )
    assert status_of(user.client, answers[2]) == "queued"  # the worker has 498 free slots
    others = new_user(admin, label="unlimited")
    other_answer = ask(others.client, new_conversation(others.client)["id"], unique("not held"))
    assert wait_for_message(others.client, other_answer["assistant_message"]["id"])["status"] == "complete"
    assert status_of(user.client, answers[2]) == "queued"
    for message_id in answers:
        assert wait_for_message(user.client, message_id, timeout=30)["status"] == "complete"
    first, second, third = sorted(stack.upstream.requests(question), key=lambda r: r["started"])
    assert third["started"] >= min(first["finished_at"], second["finished_at"])
    others.client.close()


def test_a_killed_workers_slot_is_given_back_and_its_answer_taken_over(
    member: tuple[Stack, httpx.Client, Member],
) -> None:
    stack, admin, user = member
    limit(admin, user, running_answers=1)
    question = unique("taken over")
    stack.upstream.script(question, SLOW, SLOW, SLOW)
    first = ask(user.client, new_conversation(user.client)["id"], question)["assistant_message"]["id"]
    wait_until(lambda: status_of(user.client, first) == "streaming", 10, "first running")
    stack.workers[0].kill()
    second = ask(user.client, new_conversation(user.client)["id"], question)["assistant_message"]["id"]
    stack.start_worker()
    # The dead worker's slot expires with its claim: the first is taken over, then the second runs.
    assert_all_complete_and_nothing_held(stack, user, [first, second])


def test_an_api_killed_between_admitting_and_storing_an_answer_leaks_no_place(
    member: tuple[Stack, httpx.Client, Member],
) -> None:
    stack, admin, user = member
    limit(admin, user, waiting_answers=1)
    conversation_id = new_conversation(user.client)["id"]
    # The key's first use is recorded in the background: let that write land before the lock.
    wait_until(
        lambda: user.client.get("/api/keys").json()[0]["last_used_at"] is not None, 10, "the key's use"
    )
    database = sqlite3.connect(stack.database_url.removeprefix("sqlite:///"), timeout=30)
    database.execute("BEGIN IMMEDIATE")  # the API's insert waits for this lock, after admitting
    thread = threading.Thread(target=lambda: _ignore_errors(submit, user.client, conversation_id, "lost"))
    thread.start()
    with redis_of(stack) as connection:
        wait_until(lambda: connection.zcard(keys.admitted(user.id)) == 1, 10, "the admission")
        stack.apis[0].kill()
        database.rollback()
        database.close()
        thread.join()
        # Nothing was stored; the sweep drops the admission once its grace period has passed.
        wait_until(lambda: connection.zcard(keys.admitted(user.id)) == 0, 15, "the admission dropped")
    stack.apis[0].restart()
    stack.apis[0].wait_ready()
    assert "dropped 1 admissions" in stack.workers[0].log_text()
    assert user.client.get(f"/api/conversations/{conversation_id}/messages").json() == []
    accepted = ask(user.client, conversation_id, unique("the place is free"))
    assert wait_for_message(user.client, accepted["assistant_message"]["id"])["status"] == "complete"


def _ignore_errors(call: Any, *args: Any) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the API process is killed mid-request
        call(*args)


def test_the_admin_sets_role_defaults_and_a_users_own_limits(
    member: tuple[Stack, httpx.Client, Member],
) -> None:
    _, admin, user = member
    defaults = admin.get("/api/admin/limits").json()
    assert defaults["user"] == {
        "running_answers": 4,
        "waiting_answers": 50,
        "tokens_per_day": None,
        "cost_per_month_usd": None,
        "storage_mb": None,
    }
    changed = {**defaults, "user": {**defaults["user"], "waiting_answers": 0, "tokens_per_day": 5000}}
    assert admin.put("/api/admin/limits", json=changed).json() == changed
    seen = admin.get(f"/api/admin/users/{user.id}/limits").json()
    assert seen["own"]["waiting_answers"] is None
    assert seen["effective"]["waiting_answers"] == 0
    refused = submit(user.client, new_conversation(user.client)["id"], unique("no place"))
    assert refused.status_code == 429
    assert "0 answers waiting" in refused.json()["detail"]

    limit(admin, user, waiting_answers=5)  # the user's own, above the role's
    seen = admin.get(f"/api/admin/users/{user.id}/limits").json()
    assert (seen["own"]["waiting_answers"], seen["effective"]["waiting_answers"]) == (5, 5)
    assert seen["effective"]["tokens_per_day"] == 5000  # still the role's
    accepted = ask(user.client, new_conversation(user.client)["id"], unique("a place"))
    wait_for_message(user.client, accepted["assistant_message"]["id"])

    invalid = admin.put(f"/api/admin/users/{user.id}/limits", json={"running_answers": -1})
    assert invalid.status_code == 422
    assert admin.put("/api/admin/users/nobody/limits", json={}).status_code == 404
    assert user.client.get("/api/admin/limits").status_code == 403
    assert user.client.put(f"/api/admin/users/{user.id}/limits", json={}).status_code == 403
