"""Traces (OpenTelemetry): one trace per answer, across the API and the worker, when
`OTEL_EXPORTER_OTLP_ENDPOINT` is set.

The API's start of an answer opens it (`answer.start`); its W3C `traceparent` is stored beside the
job (`keys.trace`, written by the enqueue's own Lua call, so a recovered or taken-over job finds it
too); the worker's job continues it (`answer.job`: `read`, `plan`, `model` with its first token,
`tools`, `finish`), and every stream of the answer an API serves is a span of it (`answer.relay`).
Spans carry the answer's id, the attempt and the model: never a message's text or a user.

Unset, nothing of the SDK is imported or made: `on` is False, `span` is a shared no-op context
manager and `traceparent` None, so the answer path pays one attribute read per span. `set_up` runs
once, at a process's start-up (the API's lifespan, the worker's start-up); `shut_down` sends what
is left. The exporter is OTLP over HTTP (protobuf), configured by the standard `OTEL_*` variables
(`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_SCHEDULE_DELAY`, …); the
service is `OTEL_SERVICE_NAME`, else `relaychat-api` or `relaychat-worker`.
"""

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from redis.asyncio import Redis

from core import keys

logger = logging.getLogger(__name__)

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

on = False
"""Whether this process traces: set by `set_up` when an OTLP endpoint is configured."""

_tracer: trace.Tracer = trace.NoOpTracer()
_provider: Any = None
_propagator = TraceContextTextMapPropagator()
_NOTHING = contextlib.nullcontext()


def set_up(process: str) -> None:
    """Trace this process (`api`, `worker`) when an OTLP endpoint is set; nothing otherwise."""
    global on, _tracer, _provider
    if _provider is not None or not any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME") or f"relaychat-{process}"
    instance = f"{socket.gethostname()}:{os.getpid()}"
    resource = Resource.create({"service.name": name, "service.instance.id": instance})
    _provider = TracerProvider(resource=resource)
    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _tracer = _provider.get_tracer("relaychat")
    on = True
    logger.info("traces sent over OTLP as %s", name)


def shut_down() -> None:
    """Send the spans still held and stop (blocking: a process's last step, or in a thread)."""
    global on, _tracer, _provider
    if _provider is None:
        return
    provider, _provider = _provider, None
    on, _tracer = False, trace.NoOpTracer()
    try:
        provider.shutdown()
    except Exception as error:  # a collector that is gone must not fail a shutdown
        logger.warning("could not send the last spans: %r", error)


def _attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {f"relaychat.{name}": value for name, value in values.items() if value is not None}


def _parent(traceparent: str | None) -> Context | None:
    return _propagator.extract({"traceparent": traceparent}) if traceparent else None


def span(name: str, parent: str | None = None, **attributes: Any) -> contextlib.AbstractContextManager[Any]:
    """A span around the block, current within it (its children and `event`s go to it); a child of
    the current span, or of `parent` (a `traceparent`) when given. A no-op when tracing is off."""
    if not on:
        return _NOTHING
    return _tracer.start_as_current_span(name, context=_parent(parent), attributes=_attributes(attributes))


@contextlib.contextmanager
def detached_span(name: str, parent: str | None, **attributes: Any) -> Iterator[None]:
    """A span around the block that is not made current: for an async generator (a stream), whose
    steps run wherever it is iterated. A no-op when tracing is off."""
    if not on:
        yield
        return
    opened = _tracer.start_span(name, context=_parent(parent), attributes=_attributes(attributes))
    try:
        yield
    finally:
        opened.end()


@contextlib.contextmanager
def request_span(method: str, traceparent: str | None) -> Iterator[Any]:
    """A server span around an HTTP request, current within it: a child of the client's
    `traceparent` when it sent one. Yields the span, for `name_request` once it is routed."""
    with _tracer.start_as_current_span(
        f"HTTP {method}",
        context=_parent(traceparent),
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": method},
    ) as opened:
        yield opened


def name_request(opened: Any, method: str, route: str, status: int) -> None:
    """Name a request's span by its route's template (never the path sent), with its status."""
    opened.update_name(f"{method} {route}")
    opened.set_attributes({"http.route": route, "http.response.status_code": status})
    if status >= 500:
        opened.set_status(trace.StatusCode.ERROR)


def event(name: str, **attributes: Any) -> None:
    """Record an event (and its attributes, on the span too) on the current span."""
    if on:
        current = trace.get_current_span()
        current.add_event(name, _attributes(attributes))
        current.set_attributes(_attributes(attributes))


def annotate(**attributes: Any) -> None:
    """Set attributes of the current span (`answer_id=…` becomes `relaychat.answer_id`)."""
    if on:
        trace.get_current_span().set_attributes(_attributes(attributes))


def traceparent() -> str | None:
    """The current span's W3C `traceparent`, to send with a job; None when tracing is off."""
    if not on:
        return None
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


async def stored_parent(redis: Redis, answer_id: str) -> str | None:
    """The `traceparent` the answer's start stored beside its job (None when off, or none was)."""
    if not on:
        return None
    try:
        value = await redis.get(keys.trace(answer_id))
    except Exception as error:  # a trace is never worth failing an answer or a stream
        logger.warning("could not read answer %s's trace context: %r", answer_id, error)
        return None
    if isinstance(value, bytes):
        return value.decode()
    return str(value) if value else None
