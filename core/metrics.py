"""Prometheus metrics: what every process counts, and who may read them.

Each process counts for itself, in prometheus_client's default registry (with the process's CPU,
memory and garbage collector), and serves what it counted: an API process at `/metrics`
(api/routes/metrics.py), a worker on `RELAYCHAT_METRICS_PORT` (`serve`, below). Prometheus scrapes
every process and sums. Labels are bounded: route templates, methods, status codes, outcomes,
failure codes; never a user, an answer, or a path as it was sent.

Each metric is counted where its event is decided: an answer's end where its terminal event is
appended (core/endings.py), its start where its attempt starts (worker/generate.py), a model's
error where the stream broke off (worker/streaming.py), and so on; call sites read them as
`metrics.NAME` at the moment they count, so that `turn_off` (`RELAYCHAT_METRICS=false`) leaves
them counting nothing.
"""

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

logger = logging.getLogger(__name__)

disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` series beside every counter: twice the series for nothing

FAST = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Buckets for a round trip or a transaction (seconds)."""
SLOW = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Buckets for what people wait for: a submit, a queue, a first token (seconds)."""

# The API's requests. `route` is the route's path template (`/api/messages/{message_id}/stream`),
# "unmatched" when none matched (a 404, or a request refused before routing).
HTTP_REQUESTS = Counter(
    "relaychat_http_requests",
    "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
HTTP_RESPONSE_START_SECONDS = Histogram(
    "relaychat_http_response_start_seconds",
    "From a request's arrival to its response's start (a stream's first byte), by route template",
    ["method", "route"],
    buckets=FAST[2:] + SLOW[-4:],
)
SSE_STREAMS_OPEN = Gauge("relaychat_sse_streams_open", "Event streams open on this process")
RELAY_LAG_SECONDS = Histogram(
    "relaychat_relay_lag_seconds",
    "The age of each relay read's first entry when read: from its append (Redis's clock) to the API's read",
    buckets=FAST[:-1],
)
SUBMIT_SECONDS = Histogram(
    "relaychat_submit_seconds",
    "Starting an answer (start_answer): its checks, its question and answer stored, admitted and enqueued",
    buckets=FAST[2:-1] + SLOW[-6:],
)
ADMISSIONS_REFUSED = Counter(
    "relaychat_admissions_refused",
    "Answers refused before they were stored: over their user's limits (waiting, tokens, cost), or busy",
    ["reason"],
)
# Read from Redis when the API is scraped (api/routes/metrics.py): the same figures on every API process.
QUEUE_JOBS = Gauge(
    "relaychat_queue_jobs",
    "Jobs in the queue: waiting, or running (as the live workers' heartbeats say)",
    ["state"],
)
WORKERS_ALIVE = Gauge("relaychat_workers_alive", "Workers whose heartbeat in Redis has not lapsed")

# The workers' answers.
ANSWERS_STARTED = Counter("relaychat_answers_started", "Answers whose first attempt started")
ANSWERS_TAKEN_OVER = Counter(
    "relaychat_answers_taken_over",
    "Attempts after an answer's first: taken over from a worker that died or lost its claim, or run again",
)
ANSWERS_ENDED = Counter(
    "relaychat_answers_ended",
    "Answers ended, by outcome (completed, stopped, failed) and, when failed, the failure's code",
    ["outcome", "code"],
)
ANSWER_QUEUE_SECONDS = Histogram(
    "relaychat_answer_queue_seconds",
    "The first token's first part: from the enqueue to asking the model (an answer's first attempt)",
    buckets=FAST[:-2] + SLOW[-6:],
)
ANSWER_MODEL_SECONDS = Histogram(
    "relaychat_answer_model_first_token_seconds",
    "The first token's second part: from asking the model to its first token (retries included)",
    buckets=SLOW,
)
ANSWER_TOKENS_PER_SECOND = Histogram(
    "relaychat_answer_tokens_per_second",
    "A completed answer's completion tokens over its time from first token to end",
    buckets=(1, 2, 5, 10, 20, 35, 50, 75, 100, 150, 250, 500, 1000),
)
MODEL_ERRORS = Counter(
    "relaychat_model_errors",
    "The model's failures, every try counted, by kind (the failure's code)",
    ["kind"],
)
TOOL_STEPS = Counter("relaychat_tool_steps", "Tool calls run for app answers, by outcome", ["outcome"])
FILE_INGESTIONS = Counter("relaychat_file_ingestions", "Files read by the workers, by outcome", ["outcome"])
WORKER_JOBS_RUNNING = Gauge("relaychat_worker_jobs_running", "Jobs running on this worker")
WORKER_SLOTS = Gauge("relaychat_worker_slots", "Jobs this worker may run at once")

# Latency of the stores, at hot spots: `op` names one (few) kind of call.
REDIS_SECONDS = Histogram("relaychat_redis_seconds", "Redis round trips, by operation", ["op"], buckets=FAST)
DATABASE_SECONDS = Histogram(
    "relaychat_database_seconds", "Database transactions, by operation", ["op"], buckets=FAST
)

NAMES = [name for name, value in globals().items() if isinstance(value, Counter | Gauge | Histogram)]


class _Nothing:
    """Every metric once metrics are off: it takes every call and keeps nothing."""

    def labels(self, *_values: str) -> "_Nothing":
        return self

    def inc(self, _amount: float = 1) -> None:
        pass

    def dec(self, _amount: float = 1) -> None:
        pass

    def set(self, _value: float) -> None:
        pass

    def observe(self, _value: float) -> None:
        pass

    def set_function(self, _function: Callable[[], float]) -> None:
        pass


on = True
"""Whether this process counts (`RELAYCHAT_METRICS`): false after `turn_off`."""


def turn_off() -> None:
    """Count nothing from now on (`RELAYCHAT_METRICS=false`): a process start-up's first step."""
    global on
    on = False
    nothing = _Nothing()
    for name in NAMES:
        globals()[name] = nothing


@contextlib.contextmanager
def timed(histogram: Any, *labels: str) -> Iterator[None]:
    """Observe how long the block took in `histogram` (a child of it, with `labels`)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        metric = histogram.labels(*labels) if labels else histogram
        metric.observe(time.perf_counter() - started)


def exposition() -> tuple[bytes, str]:
    """This process's metrics in Prometheus's text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


# Headers that say a request came through a proxy: its connection's address is the proxy's, not
# the client's, so it is not believed for the allowed networks.
FORWARDED = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


class Access:
    """Who may read a process's metrics: a request with the bearer token, or one from an allowed
    network that did not come through a proxy. `check` answers 200, 403 (a wrong token) or 404
    (no token, from elsewhere: as if there were nothing here)."""

    def __init__(self, token: str | None, allow: str) -> None:
        self._token = token.encode() if token else None
        cidrs = [cidr.strip() for cidr in allow.split(",") if cidr.strip()]
        self._networks = [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs]

    def check(self, client: str | None, headers: dict[bytes, bytes]) -> int:
        authorization = headers.get(b"authorization", b"")
        if authorization:
            scheme, _, token = authorization.partition(b" ")
            right = self._token is not None and hmac.compare_digest(token.strip(), self._token)
            return 200 if right and scheme.lower() == b"bearer" else 403
        if any(name in headers for name in FORWARDED) or not client:
            return 404
        try:
            address = ipaddress.ip_address(client)
        except ValueError:
            return 404
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return 200 if any(address in network for network in self._networks) else 404


REQUEST_HEAD_BYTES = 16_384
REQUEST_HEAD_SECONDS = 5.0


async def serve(
    host: str, port: int, access: Access, refresh: Callable[[], Awaitable[None]] | None = None
) -> asyncio.Server:
    """A worker's metrics endpoint: `GET /metrics` on `host:port`, one request per connection, in
    the worker's own event loop (a scrape costs a millisecond or two of it). `refresh` runs before
    each exposition, for figures read when asked."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_HEAD_SECONDS)
            status, body, content_type = await _answer(head, writer, access, refresh)
            reason = {200: "OK", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port, limit=REQUEST_HEAD_BYTES)


async def _answer(
    head: bytes, writer: asyncio.StreamWriter, access: Access, refresh: Callable[[], Awaitable[None]] | None
) -> tuple[int, bytes, str]:
    request_line, *header_lines = head.split(b"\r\n")
    method, _, rest = request_line.partition(b" ")
    path = rest.partition(b" ")[0].partition(b"?")[0]
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        if name:
            headers[name.strip().lower()] = value.strip()
    peer = writer.get_extra_info("peername")
    status = access.check(peer[0] if peer else None, headers)
    if status == 200 and path != b"/metrics":
        status = 404
    if status != 200:
        return status, b"", "text/plain"
    if method != b"GET":
        return 405, b"", "text/plain"
    if refresh is not None:
        await refresh()
    body, content_type = exposition()
    return 200, body, content_type
