"""The relay: one Redis reader per API process serves every SSE client."""

import asyncio

import httpx
import redis

from tests.support.sse import aparse_events, read_stream
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique


def api_redis_connections(stack: Stack) -> tuple[int, int]:
    """(relay readers, pooled connections) of the API processes."""
    with redis.Redis.from_url(stack.redis.url) as connection:
        names = [c["name"] for c in connection.client_list()]
    return names.count("relaychat-relay"), names.count("relaychat-api")


async def attach_readers(
    url: str, headers: dict[str, str], message_id: str, readers: int, ready: asyncio.Event
) -> list[str]:
    """Open `readers` SSE streams at once; return each one's text once all are done."""
    opened = 0

    async def read(client: httpx.AsyncClient) -> str:
        nonlocal opened
        text = ""
        async with client.stream("GET", f"/api/messages/{message_id}/stream") as response:
            opened += 1
            if opened == readers:
                ready.set()
            async for event in aparse_events(response.aiter_lines()):
                if event.event == "delta":
                    text += event.data["text"]
                elif event.event == "done":
                    return text
        return text

    limits = httpx.Limits(max_connections=readers + 5)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as client:
        return await asyncio.gather(*(read(client) for _ in range(readers)))


def test_redis_connections_do_not_grow_with_sse_clients(make_stack: MakeStack) -> None:
    stack = make_stack(redis_pool_size="4", max_streams_per_user="200")  # one user, 151 readers
    api = stack.start()
    client = api.client()
    question = unique("fan out")
    tokens = [f"w{i} " for i in range(60)]
    stack.upstream.script(question, {"tokens": tokens, "delay": 0.05})
    message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]

    async def run() -> tuple[list[str], tuple[int, int], tuple[int, int]]:
        one_ready, many_ready = asyncio.Event(), asyncio.Event()
        one = asyncio.create_task(attach_readers(api.url, stack.headers, message_id, 1, one_ready))
        await one_ready.wait()
        await asyncio.sleep(0.3)
        with_one = api_redis_connections(stack)
        many = asyncio.create_task(attach_readers(api.url, stack.headers, message_id, 150, many_ready))
        await many_ready.wait()
        await asyncio.sleep(0.3)
        with_many = api_redis_connections(stack)
        return [*await one, *await many], with_one, with_many

    texts, with_one, with_many = asyncio.run(run())
    assert texts == ["".join(tokens)] * 151
    # One relay reader, plus a pool that never exceeds its size, however many browsers attach.
    (relay_one, pool_one), (relay_many, pool_many) = with_one, with_many
    assert (relay_one, relay_many) == (1, 1)
    assert 1 <= pool_one <= 4
    assert 1 <= pool_many <= 4, f"{pool_many} pooled connections with 151 readers (pool size 4)"


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
