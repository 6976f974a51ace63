"""The start lane: answers started one after another in the order they came, and a start that
fails gives its turn back (on SQLite the lane is one wide: a turn kept would stop every start)."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.deps import ApiDeps
from api.main import create_app
from api.refusals import TooMany
from api.start_lane import StartLane
from core.settings import Settings
from tests.support.answer_path import database_with_a_key
from tests.support.processes import RedisServer
from tests.support.stack import write_models_file

MISSING_ID = "00000000-0000-7000-8000-000000000000"


async def test_starts_take_their_turns_in_the_order_they_came() -> None:
    lane = StartLane("sqlite")
    first = await lane.enter()
    served: list[int] = []

    async def start(number: int) -> None:
        turn = await lane.enter()
        served.append(number)
        turn.leave()

    waiting = [asyncio.create_task(start(number)) for number in range(5)]
    await asyncio.sleep(0.05)
    assert served == []  # the first turn is still held
    first.leave()
    first.leave()  # leaving twice (the route, then the request's end) gives back one turn
    await asyncio.wait_for(asyncio.gather(*waiting), 5)
    assert served == [0, 1, 2, 3, 4]


async def test_a_start_that_waits_too_long_for_its_turn_is_told_to_try_again() -> None:
    lane = StartLane("sqlite", max_wait=0.1)
    held = await lane.enter()  # a start stuck on Redis, say
    with pytest.raises(TooMany) as refused:
        await lane.enter()
    assert refused.value.retry_after == 1
    held.leave()
    (await asyncio.wait_for(lane.enter(), 1)).leave()  # the refused wait took no turn with it


@pytest.fixture
async def client(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this process, on a SQLite database with one account, signed in with its key."""
    url = f"sqlite:///{tmp_path / 'lane.db'}"
    key = await database_with_a_key(tmp_path / "lane.db")
    models = write_models_file(tmp_path, "http://127.0.0.1:9/v1")
    app = create_app()
    # What the lifespan makes, made here: httpx's ASGI transport runs no lifespan.
    app.state.deps = await ApiDeps.open(
        Settings(_env_file=None, database_url=url, redis_url=redis_server.url, models_file=models)
    )
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {key}"}
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=headers
        ) as http:
            yield http
    finally:
        await app.state.deps.close()


async def test_a_start_refused_before_its_answer_gives_its_turn_back(client: httpx.AsyncClient) -> None:
    conversation = (await client.post("/api/conversations", json={})).json()["id"]
    refused = [
        client.post(f"/api/conversations/{MISSING_ID}/messages", json={"content": "nobody's"}),  # 404
        client.post(f"/api/conversations/{conversation}/messages", json={"content": ""}),  # empty: 422
        client.post(f"/api/conversations/{conversation}/messages", json={"nothing": 1}),  # invalid body
        client.post(f"/api/messages/{MISSING_ID}/regenerate", json={}),  # 404
    ]
    statuses = [(await asyncio.wait_for(request, 10)).status_code for request in refused]
    assert statuses == [404, 422, 422, 404]
    accepted = await asyncio.wait_for(
        client.post(f"/api/conversations/{conversation}/messages", json={"content": "still served"}), 10
    )
    assert accepted.status_code == 202, accepted.text
