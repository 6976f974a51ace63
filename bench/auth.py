"""What signing in costs a request, and how fast a revocation reaches an open stream.

Run: `.venv/bin/python -m bench.auth`. Writes bench/results/auth.json.

1. The auth check per request, side by side in one run: the same `GET /api/models` through the
   app in process (no network), with the real check (an API key, and a session cookie) and with
   the check replaced by a fixed user, interleaved; the difference of the medians is the check's
   cost. Also the check alone: a cached lookup, and an uncached one (the database's).
2. Revocation: a user's answer stream open on each of two API processes; the session is revoked;
   the time until each stream ends, over several rounds.
"""

import asyncio
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from api.auth import Authenticator, Principal, _current
from api.main import create_app
from bench.stats import percentiles, write_result
from core import accounts
from core.catalog import load_catalog
from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import UserRole
from core.settings import Settings
from tests.support.accounts import new_user, signed_in
from tests.support.sse import HeldStream
from tests.support.stack import SESSION_COOKIE, Stack, Upstream, ask, new_conversation, unique

REQUESTS = 3000
CHECKS = 100_000
MISSES = 1000
ROUNDS = 10


async def request_cost(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        user = await accounts.create_user(session, "bench@relaychat.test", "a bench's passphrase", first=True)
        key, _ = await accounts.create_key(session, user, "bench")
        token, _ = await accounts.open_session(session, user, timedelta(days=1), "bench", "127.0.0.1")
    authenticator = Authenticator(sessionmaker, timedelta(days=1))
    principal = Principal(user.id, user.email, user.name, UserRole.admin, None, "k", "d")

    settings = Settings(database_url=url)

    def app(check: bool) -> Any:
        # In process and without its lifespan: only what GET /api/models and the check use.
        made = create_app(settings)
        made.state.settings = settings
        made.state.catalog = load_catalog(settings)
        made.state.sessionmaker = sessionmaker
        made.state.authenticator = authenticator
        if not check:

            async def fixed() -> Principal:
                return principal

            made.dependency_overrides[_current] = fixed
        return made

    clients = {
        "key": httpx.AsyncClient(
            transport=httpx.ASGITransport(app(True)),
            base_url="http://a",
            headers={"Authorization": f"Bearer {key}"},
        ),
        "cookie": httpx.AsyncClient(
            transport=httpx.ASGITransport(app(True)), base_url="http://a", cookies={SESSION_COOKIE: token}
        ),
        "no check": httpx.AsyncClient(transport=httpx.ASGITransport(app(False)), base_url="http://a"),
    }
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(REQUESTS):
        for name, client in clients.items():  # interleaved: drift hits all three alike
            started = time.perf_counter()
            response = await client.get("/api/models")
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    for client in clients.values():
        await client.aclose()

    hits = []
    for _ in range(CHECKS):
        started = time.perf_counter()
        await authenticator.key(key)
        hits.append(time.perf_counter() - started)
    misses = []
    for _ in range(MISSES):
        authenticator.forget_all()
        started = time.perf_counter()
        await authenticator.key(key)
        misses.append(time.perf_counter() - started)
    await engine.dispose()

    medians = {name: statistics.median(values) * 1e6 for name, values in times.items()}
    return {
        "request_p50_us": {name: round(value, 1) for name, value in medians.items()},
        "check_cost_p50_us": {
            "key": round(medians["key"] - medians["no check"], 1),
            "cookie": round(medians["cookie"] - medians["no check"], 1),
        },
        "cached_lookup_p50_us": round(statistics.median(hits) * 1e6, 2),
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
        result = {
            "request": asyncio.run(request_cost(url)),
            "revocation": revocation_latency(Path(temporary)),
        }
    write_result("auth", result)
    print(result)


if __name__ == "__main__":
    main()
