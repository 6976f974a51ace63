"""Fair dispatch through the whole stack: with the fleet full, waiting answers start in turns
across users, not first in, first out (and the setting restores first in, first out)."""

from typing import Any

import httpx
import pytest

from tests.support.accounts import new_user
from tests.support.stack import MakeStack, ask, new_conversation, unique, wait_for_message

BLOCKER = {"tokens": [f"b{i} " for i in range(20)], "delay": 0.05}  # holds the one slot 1 s


@pytest.mark.parametrize(
    ("fair", "expected"),
    [
        ("true", ["ann 0", "bob 0", "cy 0", "ann 1", "bob 1", "cy 1", "ann 2", "bob 2", "cy 2"]),
        ("false", ["ann 0", "ann 1", "ann 2", "bob 0", "bob 1", "bob 2", "cy 0", "cy 1", "cy 2"]),
    ],
    ids=["fair", "first-in-first-out"],
)
def test_three_users_answers_start_in_turns_when_the_fleet_is_full(
    make_stack: MakeStack, fair: str, expected: list[str]
) -> None:
    stack = make_stack(worker_concurrency="1", fair_dispatch=fair)
    stack.start_api()
    stack.start_worker()
    tag = unique("turns")
    with stack.client() as admin:
        users = {name: new_user(admin, label=name) for name in ("ann", "bob", "cy")}
        conversations = {
            name: [new_conversation(user.client)["id"] for _ in range(3)] for name, user in users.items()
        }
        stack.upstream.script(f"{tag} blocker", BLOCKER)
        blocker = ask(admin, new_conversation(admin)["id"], f"{tag} blocker")
        answers: list[tuple[httpx.Client, str]] = []
        # Everyone's answers arrive while the one slot is taken: all of ann's first, then bob's, then cy's.
        for name, user in users.items():
            for n in range(3):
                pair = ask(user.client, conversations[name][n], f"{tag} {name} {n}")
                answers.append((user.client, pair["assistant_message"]["id"]))
        assert wait_for_message(admin, blocker["assistant_message"]["id"], timeout=30)["status"] == "complete"
        for client, message_id in answers:
            assert wait_for_message(client, message_id, timeout=30)["status"] == "complete"
    started: list[dict[str, Any]] = []
    for name in users:
        for n in range(3):
            started += stack.upstream.requests(f"{tag} {name} {n}")
    order = [
        request["match"].removeprefix(f"{tag} ") for request in sorted(started, key=lambda r: r["started"])
    ]
    assert order == expected
    for user in users.values():
        user.client.close()
