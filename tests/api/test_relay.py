import asyncio
import json

import httpx
import redis

from tests.support.sse import read_stream
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique


def api_redis_connections(stack: Stack) -> int:
    with redis.Redis.from_url(stack.redis.url) as connection:
        return sum(c["name"] in ("relaychat-api", "relaychat-relay") for c in connection.client_list())


async def attach_readers(url: str, message_id: str, readers: int, ready: asyncio.Event) -> list[str]:
    """Open `readers` SSE streams at once; return each one's text once all are done."""
    opened = 0

    async def read(client: httpx.AsyncClient) -> str:
        nonlocal opened
        text = ""
        async with client.stream("GET", f"/api/messages/{message_id}/stream") as response:
            opened += 1
            if opened == readers:
                ready.set()
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "delta":
                    text += json.loads(line.split(":", 1)[1])["text"]
                elif line.startswith("data:") and event == "done":
                    return text
        return text

    limits = httpx.Limits(max_connections=readers + 5)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        return await asyncio.gather(*(read(client) for _ in range(readers)))


def test_redis_connections_do_not_grow_with_sse_clients(make_stack: MakeStack) -> None:
    stack = make_stack(redis_pool_size="4")
    api = stack.start()
    client = api.client()
    question = unique("fan out")
    tokens = [f"w{i} " for i in range(60)]
    stack.upstream.script(question, {"tokens": tokens, "delay": 0.05})
    message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]

    async def run() -> tuple[list[str], int, int]:
        one_ready, many_ready = asyncio.Event(), asyncio.Event()
        one = asyncio.create_task(attach_readers(api.url, message_id, 1, one_ready))
        await one_ready.wait()
        await asyncio.sleep(0.3)
        with_one = api_redis_connections(stack)
        many = asyncio.create_task(attach_readers(api.url, message_id, 150, many_ready))
        await many_ready.wait()
        await asyncio.sleep(0.3)
        with_many = api_redis_connections(stack)
        return [*await one, *await many], with_one, with_many

    texts, with_one, with_many = asyncio.run(run())
    assert texts == ["".join(tokens)] * 151
    # One relay reader, plus a pool that never exceeds its size, however many browsers attach.
    assert with_one >= 2
    assert with_many <= 1 + 4, f"{with_one} Redis connections with 1 reader, {with_many} with 151"


def test_idle_stream_gets_heartbeats(make_stack: MakeStack) -> None:
    stack = make_stack(heartbeat_seconds="1")
    client = stack.start_api().client()
    stack.start_worker()
    question = unique("slow start")
    stack.upstream.script(question, {"tokens": ["late"], "ttft": 2.5})
    message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
    read = read_stream(client, message_id)
    assert read.terminal is not None
    assert read.comments >= 2
