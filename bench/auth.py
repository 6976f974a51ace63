"""What signing in costs a request, and how fast a revocation reaches an open stream.

Run: `.venv/bin/python -m bench.auth`. Writes bench/results/auth.json.

1. The auth check per request: the check as FastAPI calls it for every request (the header read,
   the SHA-256, the cached lookup), beside a whole `GET /api/models` through the app in process in
   the same run; and an uncached lookup (the database's, once per 2 s per credential and process).
2. Revocation: a user's answer stream open on each of two API processes; the session is revoked;
   the time until each stream ends, over several rounds.
"""

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.requests import Request

from api.accounts.auth import _current
from api.deps import ApiDeps
from api.main import create_app
from bench.stats import percentiles, write_result
from core import accounts
from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.settings import Settings
from tests.support.accounts import new_user, signed_in
from tests.support.processes import RedisServer
from tests.support.sse import HeldStream
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique

REQUESTS = 6000
CHECKS = 100_000
MISSES = 1000
ROUNDS = 10


async def request_cost(url: str, redis_url: str) -> dict[str, Any]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        user = await accounts.create_user(session, "bench@relaychat.test", "a bench's passphrase", first=True)
        key, _ = await accounts.create_key(session, user, "bench")
    await engine.dispose()
    settings = Settings(database_url=url, redis_url=redis_url)
    deps = await ApiDeps.open(settings)
    authenticator = deps.authenticator

    def app() -> Any:
        # In process: httpx's ASGI transport runs no lifespan, so what it makes is given here.
        made = create_app(settings)
        made.state.deps = deps
        return made

    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app()),
        base_url="http://localhost",
        headers={"Authorization": f"Bearer {key}"},
    )
    requests = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = await client.get("/api/models")
        requests.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    await client.aclose()

    # The check itself, as FastAPI calls it for every request (headers read, digest, cached lookup).
    checked_app = app()
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/api/models",
            "headers": [(b"authorization", f"Bearer {key}".encode())],
            "app": checked_app,
        }
    )
    hits = []
    for _ in range(CHECKS):
        started = time.perf_counter()
        await _current(request, deps)
        hits.append(time.perf_counter() - started)
    misses = []
    for _ in range(MISSES):
        authenticator.forget_all()
        started = time.perf_counter()
        await authenticator.by_key(key)
        misses.append(time.perf_counter() - started)
    await deps.close()

    return {
        "request_p50_us": round(statistics.median(requests) * 1e6, 1),
        "check_p50_us": round(statistics.median(hits) * 1e6, 2),
        "uncached_lookup_p50_ms": round(statistics.median(misses) * 1e3, 3),
    }


def revocation_latency(log_dir: Path) -> dict[str, Any]:
    upstream = Upstream(log_dir)
    stack = Stack(log_dir, upstream)
    try:
        apis = [stack.start(), stack.start_api()]
        with stack.client() as admin:
            member = new_user(admin)
        taken: list[float] = []
        for _ in range(ROUNDS):
            question = unique("revoked")
            upstream.script(question, {"tokens": ["w "] * 400, "delay": 0.05})
            answer = ask(member.client, new_conversation(member.client)["id"], question)["assistant_message"][
                "id"
            ]
            browsers = [signed_in(api.url, member.email) for api in apis]
            streams = [HeldStream(browser, f"/api/messages/{answer}/stream") for browser in browsers]
            session_id = next(s["id"] for s in browsers[0].get("/api/auth/sessions").json() if s["current"])
            other_id = next(s["id"] for s in browsers[1].get("/api/auth/sessions").json() if s["current"])
            revoked_at = time.monotonic()
            for ended in (session_id, other_id):
                member.client.delete(f"/api/auth/sessions/{ended}")
            deadline = time.monotonic() + 10
            while not all(s.ended_at for s in streams) and time.monotonic() < deadline:
                time.sleep(0.005)
            taken += [(s.ended_at or deadline) - revoked_at for s in streams]
            member.client.post(f"/api/messages/{answer}/stop")
            for browser in browsers:
                browser.close()
        return {"rounds": ROUNDS, "streams": len(taken), "seconds": percentiles(taken)}
    finally:
        stack.close()
        upstream.stop()


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        url = f"sqlite:///{Path(temporary) / 'auth.db'}"
        upgrade(url)
        redis = RedisServer(Path(temporary))
        try:
            cost = asyncio.run(request_cost(url, redis.url))
        finally:
            redis.stop()
        result = {"request": cost, "revocation": revocation_latency(Path(temporary))}
    write_result("auth", result)
    print(result)


if __name__ == "__main__":
    main()
