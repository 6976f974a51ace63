"""The model failing in every way at once, 20 answers in flight: each ends cleanly, readably, with
the partial text kept and equal to what the reader saw."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.sse import answer_text, read_stream
from tests.support.stack import MakeStack, ask, new_conversation, unique, wait_for_message

pytestmark = [pytest.mark.faults, pytest.mark.slow]

TOKENS = [f"t{i} " for i in range(12)]
FAULTS: dict[str, tuple[list[dict[str, Any]], str, str]] = {
    # name: (script, final status, error code)
    "429 then success": ([{"status": 429, "retry_after": 0}, {"tokens": TOKENS}], "complete", ""),
    "500 always": ([{"status": 500}], "failed", "upstream_error"),
    "cut mid-answer": ([{"tokens": TOKENS, "delay": 0.02, "cut_after": 5}], "failed", "connection_lost"),
    "hang past the timeout": ([{"tokens": TOKENS, "delay": 0.02, "hang_after": 5}], "failed", "timeout"),
    "malformed chunk": ([{"tokens": TOKENS, "delay": 0.02, "malformed_after": 5}], "failed", "bad_response"),
}


def test_every_model_failure_ends_cleanly_with_20_answers_in_flight(make_stack: MakeStack) -> None:
    stack = make_stack(upstream_idle_timeout_seconds="2")
    api = stack.start(workers=1)
    cases = []
    with api.client() as client:
        for round_ in range(4):
            for name, (script, status, code) in FAULTS.items():
                question = unique(f"{name} {round_}")
                stack.upstream.script(question, *script)
                message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
                cases.append((message_id, status, code))

    def read(message_id: str) -> Any:
        with api.client() as reader:
            return read_stream(reader, message_id, timeout=60)

    with ThreadPoolExecutor(len(cases)) as pool:
        reads = list(pool.map(read, [message_id for message_id, _, _ in cases]))

    with api.client() as client:
        for (message_id, status, code), streamed in zip(cases, reads, strict=True):
            stored = wait_for_message(client, message_id)
            assert stored["status"] == status, (code, stored)
            assert streamed.terminal is not None
            assert answer_text(streamed.events) == stored["content"]
            if status == "complete":
                assert stored["content"] == "".join(TOKENS)
                continue
            assert streamed.terminal.event == "error"
            assert streamed.terminal.data["code"] == code
            sentence = streamed.terminal.data["message"]
            assert "model server" in sentence  # a sentence about the model, not a stack trace
            assert "Traceback" not in sentence
            if code != "upstream_error":
                assert stored["content"] == "".join(TOKENS[:5])  # the partial text is kept
