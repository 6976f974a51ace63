"""Traces cost nothing when no OTLP endpoint is set: the SDK is not even imported."""

import subprocess
import sys

from core import tracing

OFF = """
import sys
from core import tracing
tracing.set_up("api")
assert not tracing.on
assert not [name for name in sys.modules if name.startswith("opentelemetry.sdk")], "the SDK was imported"
assert tracing.traceparent() is None
with tracing.span("answer.start", answer_id="a") as span:
    assert span is None
"""


def test_without_an_endpoint_nothing_is_set_up() -> None:
    env = {"PATH": "/usr/bin:/bin"}  # no OTEL_* variable
    subprocess.run([sys.executable, "-c", OFF], check=True, env=env, cwd=".")


def test_the_spans_of_an_untraced_process_are_one_shared_no_op() -> None:
    assert not tracing.on
    assert tracing.span("a") is tracing.span("b", answer_id="x")
