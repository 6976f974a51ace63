"""The orchestrator's probes: `/health/live` while the API process serves, `/health/ready` while it
can serve answers (the database, Redis, its relay, and a worker whose heartbeat is current), each
check named in the body; `/api/health` as it was."""

import time

import httpx
import pytest

from tests.support.processes import wait_until
from tests.support.stack import MakeStack

pytestmark = pytest.mark.slow

HEARTBEAT_SECONDS = 0.3  # a worker lapses three beats after its last: about a second


def ready(url: str) -> httpx.Response:
    return httpx.get(f"{url}/health/ready", timeout=10)


def test_ready_with_a_worker_and_not_once_its_heartbeat_lapses(make_stack: MakeStack) -> None:
    stack = make_stack(worker_heartbeat_seconds=str(HEARTBEAT_SECONDS))
    api = stack.start_api()
    not_yet = ready(api.url)
    assert not_yet.status_code == 503
    checks = {"database": "ok", "redis": "ok", "relay": "ok", "workers": "none alive"}
    assert not_yet.json() == {"status": "not ready", "checks": checks}

    worker = stack.start_worker()
    wait_until(lambda: ready(api.url).status_code == 200, 10, "ready")
    body = ready(api.url).json()
    assert body == {"status": "ready", "checks": {**checks, "workers": "ok"}}

    worker.kill()  # SIGKILL: it says nothing; its heartbeat lapses
    killed = time.monotonic()
    wait_until(lambda: ready(api.url).status_code == 503, 10, "not ready")
    assert ready(api.url).json()["checks"]["workers"] == "none alive"
    assert time.monotonic() - killed < 3 * HEARTBEAT_SECONDS + 2
    assert httpx.get(f"{api.url}/health/live").json() == {"status": "live"}
    assert httpx.get(f"{api.url}/api/health").status_code == 200  # the load balancer's probe as before


def test_a_worker_that_stops_is_forgotten_at_once(make_stack: MakeStack) -> None:
    stack = make_stack()  # the default heartbeat: 15 s before it would lapse
    api = stack.start()
    wait_until(lambda: ready(api.url).status_code == 200, 10, "ready")
    assert stack.workers[0].stop() == 0
    assert ready(api.url).status_code == 503


def test_not_ready_without_redis_but_live(make_stack: MakeStack) -> None:
    stack = make_stack(worker_heartbeat_seconds=str(HEARTBEAT_SECONDS))
    api = stack.start()
    wait_until(lambda: ready(api.url).status_code == 200, 10, "ready")
    stack.redis.kill()
    started = time.monotonic()
    response = ready(api.url)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] != "ok"
    assert checks["workers"] != "ok"
    assert time.monotonic() - started < 5  # each check is bounded, whatever Redis's client retries
    assert httpx.get(f"{api.url}/health/live").status_code == 200

    stack.redis.start()
    wait_until(lambda: ready(api.url).status_code == 200, 30, "ready again")
