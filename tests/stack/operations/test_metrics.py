"""Each metric means what it says, read from the real processes' `/metrics` with prometheus_client's
parser: an answer completed, stopped, failed (with its kind) or taken over counts as such, the
queue's depth is the jobs waiting, and `/metrics` is refused without the token from elsewhere."""

from functools import partial
from typing import Any

import httpx
import pytest

from tests.support.accounts import new_user
from tests.support.metrics import Sample, scrape, total, totals
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

SLOW_ANSWER: dict[str, Any] = {"tokens": [f"word{i} " for i in range(40)], "delay": 0.05}  # about 2 s
ENDED = "relaychat_answers_ended_total"


@pytest.fixture(scope="module")
def stack(make_stack_module: MakeStack) -> Stack:
    """One API and one worker serving their metrics (the worker on a port of its own)."""
    deployment = make_stack_module(metrics_port="0")
    deployment.start()
    return deployment


def urls(stack: Stack) -> list[str]:
    """Every live process's metrics: what a Prometheus scraping the deployment sums."""
    workers = [worker.metrics_url for worker in stack.workers if worker.popen.poll() is None]
    return [f"{api.url}/metrics" for api in stack.apis if api.popen.poll() is None] + workers


def counted(stack: Stack, name: str, **labels: str) -> float:
    return totals(urls(stack), name, **labels)


def answered(stack: Stack, question: str, *responses: dict[str, Any]) -> dict[str, Any]:
    """Ask `question` (scripted with `responses`) in a new conversation; the answer once final."""
    stack.upstream.script(question, *responses)
    with stack.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        return wait_for_message(client, answer_id)


def test_a_completed_answer_counts_as_completed_with_its_times(stack: Stack) -> None:
    before = {name: counted(stack, name) for name in COMPLETED_SERIES}
    completed = counted(stack, ENDED, outcome="completed")
    answer = answered(
        stack, unique("counted"), {"tokens": ["one ", "two ", "three"], "ttft": 0.2, "delay": 0.05}
    )
    assert answer["status"] == "complete"

    # The answer's end is counted where its terminal event is appended: by then the row is final.
    assert counted(stack, ENDED, outcome="completed") == completed + 1
    after = {name: counted(stack, name) for name in COMPLETED_SERIES}
    assert {name: after[name] - before[name] for name in COMPLETED_SERIES} == dict.fromkeys(
        COMPLETED_SERIES, 1
    )
    # The model's part of the first token is the scripted model's 200 ms, give or take.
    model = _histogram(scrape(stack.workers[0].metrics_url), "relaychat_answer_model_first_token_seconds")
    assert model["sum"] >= 0.2 * model["count"]


COMPLETED_SERIES = (
    "relaychat_answers_started_total",
    "relaychat_answer_queue_seconds_count",
    "relaychat_answer_model_first_token_seconds_count",
    "relaychat_answer_tokens_per_second_count",
    "relaychat_submit_seconds_count",
)


def test_a_stopped_answer_counts_as_stopped(stack: Stack) -> None:
    stopped = counted(stack, ENDED, outcome="stopped")
    completed = counted(stack, ENDED, outcome="completed")
    question = unique("stopped")
    stack.upstream.script(question, SLOW_ANSWER)
    with stack.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        wait_until(lambda: bool(client.get(f"/api/messages/{answer_id}").json()["content"]), 10, "some text")
        assert client.post(f"/api/messages/{answer_id}/stop").status_code in (200, 202)
        assert wait_for_message(client, answer_id)["status"] == "stopped"
    assert counted(stack, ENDED, outcome="stopped") == stopped + 1
    assert counted(stack, ENDED, outcome="completed") == completed


@pytest.mark.parametrize(("status", "code", "tries"), [(401, "auth_failed", 1), (500, "upstream_error", 4)])
def test_a_failed_answer_counts_as_failed_with_its_kind(
    stack: Stack, status: int, code: str, tries: int
) -> None:
    failed = counted(stack, ENDED, outcome="failed", code=code)
    errors = counted(stack, "relaychat_model_errors_total", kind=code)
    answer = answered(stack, unique(f"fails with {status}"), {"status": status})
    assert (answer["status"], answer["error_code"]) == ("failed", code)
    assert counted(stack, ENDED, outcome="failed", code=code) == failed + 1
    # A 500 is tried again (three retries), each try a model error; a 401 is not.
    assert counted(stack, "relaychat_model_errors_total", kind=code) == errors + tries


def test_requests_are_counted_by_route_template_never_by_their_ids(stack: Stack) -> None:
    with stack.client() as client:
        conversation = new_conversation(client)
        for _ in range(2):
            assert client.get(f"/api/conversations/{conversation['id']}").status_code == 200
        assert client.get(f"/api/messages/{conversation['id']}").status_code == 404
        assert client.get("/api", headers={"Host": "elsewhere.example"}).status_code == 400
    samples = scrape(f"{stack.api.url}/metrics")
    route = "/api/conversations/{conversation_id}"
    assert total(samples, "relaychat_http_requests_total", method="GET", route=route, status="200") >= 2
    message = "/api/messages/{message_id}"
    assert total(samples, "relaychat_http_requests_total", method="GET", route=message, status="404") >= 1
    # A request refused before routing (its Host not allowed) has no route.
    assert total(samples, "relaychat_http_requests_total", method="GET", route="unmatched", status="400") >= 1
    assert total(samples, "relaychat_http_response_start_seconds_count", method="GET", route=route) >= 2
    assert not [sample for sample in samples if any(conversation["id"] in v for v in sample.labels.values())]
    assert total(samples, "process_cpu_seconds_total") > 0  # the process's own, beside ours


def test_open_streams_are_counted_while_they_are_open(stack: Stack) -> None:
    question = unique("streaming")
    stack.upstream.script(question, SLOW_ANSWER)
    with stack.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        with client.stream("GET", f"/api/messages/{answer_id}/stream") as response:
            lines = response.iter_lines()  # kept: a generator dropped would close the response
            next(lines)
            open_now = total(scrape(f"{stack.api.url}/metrics"), "relaychat_sse_streams_open")
        assert open_now >= 1
        wait_for_message(client, answer_id)
    wait_until(
        lambda: total(scrape(f"{stack.api.url}/metrics"), "relaychat_sse_streams_open") == 0, 5, "closed"
    )
    lag = _histogram(scrape(f"{stack.api.url}/metrics"), "relaychat_relay_lag_seconds")
    assert lag["count"] > 0


def test_an_answer_over_a_limit_counts_as_refused_by_its_reason(stack: Stack) -> None:
    refused = counted(stack, "relaychat_admissions_refused_total", reason="tokens")
    with stack.client() as admin:
        user = new_user(admin, label="limited")
        body = {
            "running_answers": None,
            "waiting_answers": None,
            "cost_per_month_usd": None,
            "storage_mb": None,
        }
        limited = admin.put(f"/api/admin/users/{user.id}/limits", json={**body, "tokens_per_day": 0})
        assert limited.status_code == 200, limited.text
    with user.client as client:
        conversation = new_conversation(client)
        response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": "hi"})
    assert response.status_code == 429
    assert counted(stack, "relaychat_admissions_refused_total", reason="tokens") == refused + 1


def test_file_ingestions_count_by_outcome(stack: Stack) -> None:
    ready = counted(stack, "relaychat_file_ingestions_total", outcome="ready")
    failed = counted(stack, "relaychat_file_ingestions_total", outcome="failed")
    # Read: a note; unreadable: a PDF that is none (an empty file fails at its upload, unread).
    files = {"notes.md": b"# Notes\n\nThe heron nests by the old mill.\n", "report.pdf": b"%PDF-1.7\n no PDF"}
    with stack.client() as client:
        for name, data in files.items():
            made = client.post("/api/files", files={"file": (name, data, "application/octet-stream")})
            assert made.status_code == 201, made.text
            url = f"/api/files/{made.json()['id']}"
            wait_until(partial(_read, client, url), 30, name)
    assert counted(stack, "relaychat_file_ingestions_total", outcome="ready") == ready + 1
    assert counted(stack, "relaychat_file_ingestions_total", outcome="failed") == failed + 1


def test_takeover_counts_as_taken_over(make_stack: MakeStack) -> None:
    stack = make_stack(metrics_port="0", claim_ttl_seconds="3")
    api = stack.start(workers=2)
    question = unique("taken over")
    stack.upstream.script(question, SLOW_ANSWER)
    with api.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        wait_until(lambda: bool(client.get(f"/api/messages/{answer_id}").json()["content"]), 10, "some text")
        victim = next(worker for worker in stack.workers if f"→ {answer_id}:generate(" in worker.log_text())
        victim.kill()
        message = wait_for_message(client, answer_id, timeout=30)
    assert (message["status"], message["attempt"]) == ("complete", 2)
    survivor = next(worker for worker in stack.workers if worker is not victim)
    samples = scrape(survivor.metrics_url)
    assert total(samples, "relaychat_answers_taken_over_total") == 1
    assert total(samples, "relaychat_answers_started_total") == 0  # the victim started it, and died
    assert total(samples, ENDED, outcome="completed") == 1


def test_queue_depth_is_the_jobs_waiting_for_a_worker(make_stack: MakeStack) -> None:
    stack = make_stack(metrics_port="0", worker_heartbeat_seconds="0.3")
    api = stack.start_api()  # no worker yet
    metrics_url = f"{api.url}/metrics"
    answers = []
    with api.client() as client:
        for index in range(3):
            question = unique(f"queued {index}")
            stack.upstream.script(question, {"tokens": ["done"]})
            answers.append(ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"])
        samples = scrape(metrics_url)
        assert total(samples, "relaychat_queue_jobs", state="waiting") == 3
        assert total(samples, "relaychat_workers_alive") == 0

        stack.start_worker()
        for answer_id in answers:
            assert wait_for_message(client, answer_id)["status"] == "complete"
    # Drained: the answers, then the titles their first answers asked for (jobs too, while they run).
    wait_until(partial(_drained, metrics_url), 15, "drained")
    assert total(scrape(metrics_url), "relaychat_workers_alive") == 1


def test_metrics_need_the_token_from_a_network_not_allowed(make_stack: MakeStack) -> None:
    token = "metrics-token-for-the-test"
    # TEST-NET-1 alone is allowed: the tests' requests, from the loopback, need the token.
    stack = make_stack(metrics_port="0", metrics_token=token, metrics_allow="192.0.2.0/24")
    api = stack.start()
    for url in (f"{api.url}/metrics", stack.workers[0].metrics_url):
        assert httpx.get(url).status_code == 404
        assert httpx.get(url, headers={"Authorization": "Bearer not-the-token"}).status_code == 403
        samples = scrape(url, {"Authorization": f"Bearer {token}"})
        assert total(samples, "process_cpu_seconds_total") > 0


def test_metrics_from_an_allowed_network_are_refused_through_a_proxy(stack: Stack) -> None:
    url = f"{stack.api.url}/metrics"
    assert httpx.get(url).status_code == 200  # the loopback is allowed by default
    # A request a proxy forwarded comes from the proxy's address, not the client's: not believed.
    assert httpx.get(url, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert (
        httpx.get(stack.workers[0].metrics_url, headers={"Forwarded": "for=203.0.113.9"}).status_code == 404
    )


def _drained(metrics_url: str) -> bool:
    samples = scrape(metrics_url)
    return (
        total(samples, "relaychat_queue_jobs", state="waiting")
        + total(samples, "relaychat_queue_jobs", state="running")
        == 0
    )


def _read(client: httpx.Client, url: str) -> bool:
    """Whether the file at `url` has been read (or has failed to be)."""
    return bool(client.get(url).json()["status"] != "processing")


def _histogram(samples: list[Sample], name: str) -> dict[str, float]:
    return {"count": total(samples, f"{name}_count"), "sum": total(samples, f"{name}_sum")}
