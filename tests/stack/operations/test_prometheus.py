"""The `monitoring` profile's Prometheus config, run by a real Prometheus (Debian's) against a
running stack: its jobs (deploy/monitoring/prometheus.yml) with the stack's addresses in place of
the compose DNS and the test's token file in place of the compose secret, its alert rules as
they are. After an answer, relaychat's series are there to query, from the API and the worker,
and the rules are loaded."""

import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from tests.support.processes import Process, free_port, wait_until
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "deploy" / "monitoring"
PROMETHEUS = shutil.which("prometheus")
if PROMETHEUS is None:
    pytest.skip(
        "prometheus is not installed (Debian's `prometheus` package; .ci/run installs it)",
        allow_module_level=True,
    )

TOKEN = secrets.token_hex(16)


@pytest.fixture(scope="module")
def stack(make_stack_module: MakeStack) -> Stack:
    """One API and one worker serving their metrics, to the token alone (not even the loopback)."""
    deployment = make_stack_module(metrics_port="0", metrics_token=TOKEN, metrics_allow="192.0.2.0/24")
    deployment.start()
    return deployment


def config_for(stack: Stack, folder: Path) -> Path:
    """deploy/monitoring/prometheus.yml, each job pointed at the stack's processes."""
    config: dict[str, Any] = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    token = folder / "metrics_token"
    token.write_text(TOKEN + "\n")
    targets = {
        "relaychat-api": [urlsplit(api.url).netloc for api in stack.apis],
        "relaychat-worker": [urlsplit(worker.metrics_url).netloc for worker in stack.workers],
    }
    config["global"] |= {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(MONITORING / name) for name in config["rule_files"]]
    for job in config["scrape_configs"]:
        assert job["authorization"]["credentials_file"] == "/run/secrets/metrics_token"
        job["authorization"]["credentials_file"] = str(token)
        del job["dns_sd_configs"]
        job["static_configs"] = [{"targets": targets[job["job_name"]]}]
    path = folder / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def prometheus(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert PROMETHEUS is not None
    folder = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    command = [
        PROMETHEUS,
        f"--config.file={config_for(stack, folder)}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    server = Process("prometheus", command, {}, folder)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, 30, "Prometheus ready", server)
        yield url
    finally:
        server.stop()


def query(prometheus: str, expression: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": expression}, timeout=5).json()
    assert answer["status"] == "success", answer
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def value(prometheus: str, expression: str) -> float:
    result = query(prometheus, expression)
    return float(result[0]["value"][1]) if result else 0.0


def test_prometheus_scrapes_every_process_and_queries_an_answers_series(
    stack: Stack, prometheus: str
) -> None:
    question = unique("scraped")
    stack.upstream.script(question, {"tokens": ["scraped ", "answer"], "ttft": 0.05})
    with stack.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        assert wait_for_message(client, answer_id)["status"] == "complete"

    def scraped() -> bool:
        completed = 'sum(relaychat_answers_ended_total{outcome="completed"})'
        started = 'sum(relaychat_answers_started_total{job="relaychat-worker"})'
        alive = 'max(relaychat_workers_alive{job="relaychat-api"})'  # read from Redis at the API's scrape
        return all(value(prometheus, expression) >= 1 for expression in (completed, started, alive))

    wait_until(scraped, 30, "relaychat's series in Prometheus")
    # Both jobs' targets are up: the token was sent and taken.
    targets = httpx.get(f"{prometheus}/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
    assert {(t["labels"]["job"], t["health"]) for t in targets} == {
        ("relaychat-api", "up"),
        ("relaychat-worker", "up"),
    }
    assert value(prometheus, "sum(relaychat_answer_model_first_token_seconds_count)") >= 1
    assert {s["metric"]["state"] for s in query(prometheus, "relaychat_queue_jobs")} == {"waiting", "running"}


def test_prometheus_loads_the_alert_rules_and_none_fires_on_a_healthy_stack(prometheus: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        groups = httpx.get(f"{prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        evaluated = rules and all(rule.get("lastEvaluation", "").startswith("20") for rule in rules)
        if evaluated or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {rule["name"] for rule in rules} == {
        "RelaychatNoWorkerAlive",
        "RelaychatQueueNotDraining",
        "RelaychatErrorRateHigh",
        "RelaychatFirstTokenSlow",
    }
    assert all(rule["health"] == "ok" for rule in rules), rules
    assert [rule["name"] for rule in rules if rule["state"] != "inactive"] == []
