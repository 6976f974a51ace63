"""Who may read a process's metrics (`core/metrics.Access`), a worker's endpoint (`serve`), and
metrics turned off counting nothing."""

import asyncio

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from core import metrics

TOKEN = "a-metrics-token"


@pytest.mark.parametrize(
    ("client", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),  # the loopback, allowed by default
        ("::1", {}, 200),
        ("::ffff:127.0.0.1", {}, 200),  # IPv4 on an IPv6 socket
        ("10.1.2.3", {}, 404),  # elsewhere, without the token: as if there were nothing here
        ("10.1.2.3", {b"authorization": b"Bearer " + TOKEN.encode()}, 200),
        ("10.1.2.3", {b"authorization": b"bearer " + TOKEN.encode()}, 200),
        ("10.1.2.3", {b"authorization": b"Bearer not-it"}, 403),
        ("10.1.2.3", {b"authorization": b"Basic " + TOKEN.encode()}, 403),
        ("127.0.0.1", {b"x-forwarded-for": b"203.0.113.9"}, 404),  # through a proxy: not believed
        ("127.0.0.1", {b"forwarded": b"for=203.0.113.9"}, 404),
        ("127.0.0.1", {b"x-real-ip": b"203.0.113.9"}, 404),
        (None, {}, 404),
        ("not an address", {}, 404),
    ],
)
def test_the_token_or_an_allowed_network(
    client: str | None, headers: dict[bytes, bytes], status: int
) -> None:
    assert metrics.Access(TOKEN, "127.0.0.1/32,::1/128").check(client, headers) == status


def test_a_network_of_its_own_and_no_token() -> None:
    access = metrics.Access(None, " 10.0.0.0/8 , 192.0.2.0/24")
    assert access.check("10.9.9.9", {}) == 200
    assert access.check("127.0.0.1", {}) == 404  # the loopback is no longer allowed
    assert access.check("10.9.9.9", {b"authorization": b"Bearer anything"}) == 403  # no token to match


async def _get(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


async def test_a_workers_endpoint_serves_the_exposition_to_whom_it_may() -> None:
    refreshed = []

    async def refresh() -> None:
        refreshed.append(True)

    server = await metrics.serve("127.0.0.1", 0, metrics.Access(TOKEN, "192.0.2.0/24"), refresh)
    port = server.sockets[0].getsockname()[1]
    try:
        status, body = await _get(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (status, body) == (404, b"")
        status, _ = await _get(port, b"GET /metrics HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n")
        assert status == 403
        auth = f"Authorization: Bearer {TOKEN}\r\n".encode()
        status, body = await _get(port, b"GET /metrics?x=1 HTTP/1.1\r\n" + auth + b"\r\n")
        assert status == 200
        names = {family.name for family in text_string_to_metric_families(body.decode())}
        assert {"relaychat_answers_ended", "process_cpu_seconds"} <= names
        assert refreshed == [True]
        status, _ = await _get(port, b"GET /other HTTP/1.1\r\n" + auth + b"\r\n")
        assert status == 404
        status, _ = await _get(port, b"POST /metrics HTTP/1.1\r\n" + auth + b"\r\n")
        assert status == 405
    finally:
        server.close()
        await server.wait_closed()


def test_timed_observes_the_block() -> None:
    before = _sample("relaychat_redis_seconds_count", op="test")

    async def block() -> None:
        with metrics.timed(metrics.REDIS_SECONDS, "test"):
            await asyncio.sleep(0)

    asyncio.run(block())
    assert _sample("relaychat_redis_seconds_count", op="test") == before + 1


def _sample(name: str, **labels: str) -> float:
    value = REGISTRY.get_sample_value(name, labels)
    return value or 0.0
