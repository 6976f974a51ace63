"""The admin's status (`GET /api/admin/status`, `relaychat status`): after a completed, a failed and
a stopped answer, both say so from Redis, with the worker's heartbeat, first-token percentiles and
tokens per second; a user is refused."""

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from tests.support.accounts import new_user
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, Upstream, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

SLOW_ANSWER: dict[str, Any] = {"tokens": [f"word{i} " for i in range(40)], "delay": 0.05}  # about 2 s


def status_of(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/api/admin/status")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def relaychat_status(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "status", *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def run_three_answers(upstream: Upstream, client: httpx.Client) -> None:
    """One completed, one failed (the model's 401), one stopped while it streams."""
    conversation = new_conversation(client)
    done, failed, stopped = unique("status done"), unique("status fails"), unique("status stopped")
    upstream.script(done, {"tokens": ["one ", "two ", "three"], "ttft": 0.2, "delay": 0.05})
    upstream.script(failed, {"status": 401})
    upstream.script(stopped, SLOW_ANSWER)
    answer = wait_for_message(client, ask(client, conversation["id"], done)["assistant_message"]["id"])
    assert answer["status"] == "complete"
    answer = wait_for_message(
        client, ask(client, new_conversation(client)["id"], failed)["assistant_message"]["id"]
    )
    assert answer["status"] == "failed"
    answer_id = ask(client, new_conversation(client)["id"], stopped)["assistant_message"]["id"]
    wait_until(lambda: bool(client.get(f"/api/messages/{answer_id}").json()["content"]), 10, "some text")
    assert client.post(f"/api/messages/{answer_id}/stop").status_code in (200, 202)
    assert wait_for_message(client, answer_id)["status"] == "stopped"


def test_the_status_counts_the_answers_just_run_and_shows_the_worker(make_stack: MakeStack) -> None:
    # A deployment of its own: the hour's percentiles are of these answers alone, not of every
    # answer the tests before it ran on a shared one.
    stack = make_stack()
    stack.start(workers=1)
    with stack.client() as admin:
        before = status_of(admin)["hour"]
        run_three_answers(stack.upstream, admin)
        member = new_user(admin, label="not-admin")
        # The conversations' title jobs drain too (the queue holds every job, not only answers).
        wait_until(lambda: status_of(admin)["queued"] == 0, 15, "the queue drained")
        wait_until(lambda: all(w["running"] == 0 for w in status_of(admin)["workers"]), 15, "the jobs ended")
        status = status_of(admin)

    hour = status["hour"]
    assert (hour["completed"], hour["failed"], hour["stopped"]) == (
        before["completed"] + 1,
        before["failed"] + 1,
        before["stopped"] + 1,
    )
    assert 0 < hour["error_rate"] < 1
    assert hour["tokens_per_second"] > 0
    # The completed answer's first token took the scripted model's 200 ms (the stopped one's less).
    assert hour["first_token_p95_ms"] >= 150
    assert 0 < hour["first_token_p50_ms"] <= hour["first_token_p95_ms"]
    assert len(status["minutes"]) == 60
    latest = status["minutes"][-1]
    assert latest["minute"].endswith(":00Z")
    assert sum(minute["completed"] for minute in status["minutes"][-2:]) >= 1  # the minute may have turned

    [worker] = [w for w in status["workers"] if w["pid"] == stack.workers[0].popen.pid]
    assert worker["slots"] >= 1
    assert worker["running"] == 0
    assert 0 <= worker["heartbeat_age_seconds"] < 15
    assert worker["stale"] is False
    # The heartbeat samples the queue into its minute.
    assert any(minute["running_max"] is not None for minute in status["minutes"][-2:])

    refused = member.client.get("/api/admin/status")
    assert (refused.status_code, refused.json()["detail"]) == (403, "Only an admin can do this.")


def test_relaychat_status_prints_the_same_from_redis(stack: Stack) -> None:
    with stack.client() as admin:
        run_three_answers(stack.upstream, admin)
        wait_until(lambda: status_of(admin)["queued"] + status_of(admin)["running"] == 0, 15, "drained")
        api = status_of(admin)
    printed = relaychat_status(stack, "--json")
    assert printed.returncode == 0, printed.stderr
    cli = json.loads(printed.stdout)
    assert cli["hour"]["completed"] >= api["hour"]["completed"]
    assert [w["id"] for w in cli["workers"]] == [w["id"] for w in api["workers"]]

    text = relaychat_status(stack, "--minutes", "3")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "queue: 0 waiting, 0 running, 0 admitted"
    assert any(api["workers"][0]["id"] in line for line in lines)
    assert any(line.startswith("last hour: ") and "failed" in line for line in lines)
    assert len([line for line in lines if line.startswith("  ") and line[2:4].isdigit()]) == 3

    unreachable = subprocess.run(
        [sys.executable, "-m", "core.cli", "status"],
        env={**stack.env, "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert unreachable.returncode == 1
    assert "could not read the status from Redis" in unreachable.stderr
