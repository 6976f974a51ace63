"""Traces (core/tracing.py): with `OTEL_EXPORTER_OTLP_ENDPOINT` set, one answer is one trace across
the API and the worker, sent over OTLP to a real receiver (tests/support/otlp.py): the API's start,
the worker's job with its read, plan, model call (and first token) and final save, and the stream
an API served, each a child of what it follows; with the answer's id, attempt and model, and no text."""

from collections.abc import Iterator

import pytest

from tests.support.otlp import OtlpReceiver, ReceivedSpan
from tests.support.processes import wait_until
from tests.support.stack import MakeStack, Stack, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

WORKER_SPANS = {"read", "plan", "model", "finish"}


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    server = OtlpReceiver()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(make_stack_module: MakeStack, receiver: OtlpReceiver) -> Stack:
    deployment = make_stack_module()
    # Sent within 100 ms of ending, rather than the SDK's 5 s.
    deployment.env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    deployment.start()
    return deployment


def test_one_answer_is_one_trace_from_the_post_through_the_worker_to_the_stream(
    stack: Stack, receiver: OtlpReceiver
) -> None:
    question = unique("traced")
    stack.upstream.script(question, {"tokens": ["traced ", "words"], "ttft": 0.1})
    with stack.client() as client:
        conversation = new_conversation(client)
        # The client's own trace: the answer's continues it.
        client_trace, client_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
        traced = {"traceparent": f"00-{client_trace}-{client_span}-01"}
        asked = client.post(
            f"/api/conversations/{conversation['id']}/messages", json={"content": question}, headers=traced
        )
        assert asked.status_code == 202, asked.text
        answer_id = asked.json()["assistant_message"]["id"]
        assert wait_for_message(client, answer_id)["status"] == "complete"
        streamed = client.get(f"/api/messages/{answer_id}/stream")
        assert streamed.status_code == 200

    def of_answer() -> list[ReceivedSpan]:
        return [s for s in receiver.received() if s.attributes.get("relaychat.answer_id") == answer_id]

    def all_sent() -> bool:
        names = {span.name for span in of_answer()}
        return names >= {"answer.start", "answer.job", "answer.relay", *WORKER_SPANS}

    wait_until(all_sent, 15, "the answer's spans at the receiver", stack.api)
    spans = {span.name: span for span in of_answer()}

    # One trace, the client's, across two processes.
    assert {span.trace_id for span in spans.values()} == {client_trace}
    start, job, relay = spans["answer.start"], spans["answer.job"], spans["answer.relay"]
    assert start.service == relay.service == "relaychat-api"
    assert {spans[name].service for name in ["answer.job", *WORKER_SPANS]} == {"relaychat-worker"}
    # The chain: the client's span → the POST → its start → the job (through the queue) → its
    # steps; the stream → the start.
    [post] = [span for span in receiver.received() if span.span_id == start.parent_id]
    assert post.name == "POST /api/conversations/{conversation_id}/messages"
    assert post.attributes["http.response.status_code"] == 202
    assert post.parent_id == client_span
    assert job.parent_id == start.span_id
    assert relay.parent_id == start.span_id
    for name in WORKER_SPANS:
        assert spans[name].parent_id == job.span_id, name
    # Attributes: the answer, its attempt, its model; the first token an event of the model call.
    model = spans["model"]
    assert model.attributes["relaychat.attempt"] == 1
    assert model.attributes["relaychat.model"] == "scripted"
    assert job.attributes["relaychat.attempt"] == 1
    assert job.attributes["relaychat.ending"] == "complete"
    first_token = model.events["first_token"]["relaychat.first_token_seconds"]
    assert 0.05 < first_token < 5
    # No text: neither the question nor the answer is in any attribute.
    values = [str(v) for span in receiver.received() for v in span.attributes.values()]
    assert not [v for v in values if question in v or "traced words" in v]


def test_a_taken_over_answer_stays_in_its_trace(make_stack: MakeStack, receiver: OtlpReceiver) -> None:
    """The trace context is beside the job in Redis: the attempt of the worker that took the answer
    over from one killed mid-answer is a span of the same trace, under the same start."""
    stack = make_stack(claim_ttl_seconds="3")
    stack.env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    api = stack.start(workers=2)
    question = unique("traced takeover")
    stack.upstream.script(question, {"tokens": [f"word{i} " for i in range(40)], "delay": 0.05})
    with api.client() as client:
        conversation = new_conversation(client)
        answer_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
        wait_until(lambda: bool(client.get(f"/api/messages/{answer_id}").json()["content"]), 10, "some text")
        victim = next(worker for worker in stack.workers if f"→ {answer_id}:generate(" in worker.log_text())
        victim.kill()
        message = wait_for_message(client, answer_id, timeout=30)
    assert (message["status"], message["attempt"]) == ("complete", 2)

    def spans() -> dict[str, ReceivedSpan]:
        return {
            s.name: s for s in receiver.received() if s.attributes.get("relaychat.answer_id") == answer_id
        }

    wait_until(lambda: {"answer.start", "answer.job", "finish"} <= set(spans()), 15, "the spans", api)
    received = spans()
    start, job = received["answer.start"], received["answer.job"]
    assert job.attributes["relaychat.attempt"] == 2
    assert (job.trace_id, job.parent_id) == (start.trace_id, start.span_id)
    assert received["finish"].parent_id == job.span_id
    # A client that sent no trace of its own: the POST's span is the trace's root.
    [post] = [span for span in receiver.received() if span.span_id == start.parent_id]
    assert (post.name, post.parent_id) == ("POST /api/conversations/{conversation_id}/messages", "")
