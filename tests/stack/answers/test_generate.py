"""The generate job through the real stack: retries, upstream failures, usage, the prompt it sends."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.catalog import ModelSpec
from core.tokens import counter_for
from tests.support.processes import wait_until
from tests.support.sse import SseEvent, SseRead, answer_text, read_stream
from tests.support.stack import Stack, Upstream, ask, new_conversation, unique, wait_for_message

WORDS = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog."]


@dataclass
class Answer:
    read: SseRead
    message: dict[str, Any]
    requests: list[dict[str, Any]]

    @property
    def terminal(self) -> SseEvent:
        assert self.read.terminal is not None, f"no terminal event in {self.read.events}"
        return self.read.terminal

    @property
    def streamed(self) -> str:
        return answer_text(self.read.events)


def answer(
    client: httpx.Client,
    upstream: Upstream,
    label: str,
    *responses: dict[str, Any],
    conversation: dict[str, Any] | None = None,
) -> Answer:
    """Script the model for a fresh question, ask it, and read the answer's stream to its end."""
    question = unique(label)
    if responses:
        upstream.script(question, *responses)
    conversation = conversation or new_conversation(client)
    pair = ask(client, conversation["id"], question)
    message_id = pair["assistant_message"]["id"]
    read = read_stream(client, message_id)
    assert read.status == 200
    # The database is written before the terminal event is appended, so this is already final.
    message = client.get(f"/api/messages/{message_id}").json()
    return Answer(read, message, upstream.requests(question))


def assert_failed_with(result: Answer, code: str, partial: str) -> None:
    """An `error` terminal event with the code, a sentence, and the partial text kept everywhere."""
    assert result.terminal.event == "error"
    error = result.terminal.data
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert len(error["message"]) > 10
    assert result.message["status"] == "failed"
    assert result.message["error_code"] == code
    assert result.message["error"] == error["message"]
    assert result.message["content"] == partial
    assert result.streamed == partial
    assert error["message_obj"]["content"] == partial
    assert error["message_obj"]["status"] == "failed"


def test_upstream_429_then_success_completes(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(
        client,
        upstream,
        "rate limited once",
        {"status": 429, "retry_after": 0.5, "message": "slow down"},
        {"tokens": WORDS},
    )

    assert result.terminal.event == "done"
    assert result.terminal.data["content"] == "".join(WORDS)
    assert result.streamed == "".join(WORDS)
    assert result.message["status"] == "complete"
    assert result.message["content"] == "".join(WORDS)
    assert len(result.requests) == 2
    # Retry-After is honoured (0.5 s asked; a generous lower bound).
    assert result.requests[1]["started"] - result.requests[0]["started"] >= 0.4
    assert not any(e.event == "reset" for e in result.read.events), "a retry before any text is no reset"


def test_upstream_500_on_every_try_fails_after_all_retries(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(client, upstream, "always 500", {"status": 500, "message": "model overloaded"})

    assert_failed_with(result, "upstream_error", "")
    assert "HTTP 500" in result.terminal.data["message"]
    assert "model overloaded" in result.terminal.data["message"]
    assert len(result.requests) == 4  # upstream_retries (3) + 1


def test_upstream_401_is_not_retried(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(client, upstream, "bad key", {"status": 401, "message": "invalid api key"})

    assert_failed_with(result, "auth_failed", "")
    assert "API key" in result.terminal.data["message"]
    assert len(result.requests) == 1


def test_connection_cut_mid_stream_fails_keeping_partial_text(
    client: httpx.Client, upstream: Upstream
) -> None:
    result = answer(client, upstream, "cut mid-stream", {"tokens": WORDS, "cut_after": 4, "delay": 0.01})

    assert_failed_with(result, result.terminal.data["code"], "".join(WORDS[:4]))
    assert len(result.requests) == 1, "an answer that already showed text must not be retried"
    assert result.requests[0]["tokens_sent"] == 4


def test_connection_cut_mid_stream_is_reported_as_a_lost_connection(
    client: httpx.Client, upstream: Upstream
) -> None:
    """The model server was reached and streamed text: "could not reach it" would mislead the user."""
    result = answer(client, upstream, "cut, reported", {"tokens": WORDS, "cut_after": 2})

    assert result.terminal.event == "error"
    assert result.terminal.data["code"] == "connection_lost"
    assert "lost" in result.terminal.data["message"]
    assert "Could not reach" not in result.terminal.data["message"]


@pytest.mark.slow
def test_model_server_down_fails_as_unreachable_after_retries(log_dir: Path) -> None:
    gone = Upstream(log_dir)
    gone.stop()  # its port now refuses connections
    stack = Stack(log_dir, gone)
    try:
        with stack.start().client() as client:
            pair = ask(client, new_conversation(client)["id"], "anyone there?")
            read = read_stream(client, pair["assistant_message"]["id"])
    finally:
        stack.close()

    assert read.terminal is not None
    assert read.terminal.event == "error"
    assert read.terminal.data["code"] == "unreachable"
    assert "Could not reach the model server" in read.terminal.data["message"]


def test_connection_cut_before_first_token_is_retried_and_completes(
    client: httpx.Client, upstream: Upstream
) -> None:
    result = answer(
        client, upstream, "cut before the first token", {"tokens": WORDS, "cut_after": 0}, {"tokens": WORDS}
    )

    assert result.terminal.event == "done"
    assert result.message["status"] == "complete"
    assert result.message["content"] == "".join(WORDS)
    assert result.streamed == "".join(WORDS)
    assert len(result.requests) == 2


def test_hang_past_idle_timeout_fails_with_timeout_keeping_partial_text(
    make_stack: Callable[..., Stack], upstream: Upstream
) -> None:
    own = make_stack(upstream_idle_timeout_seconds="1")
    own.start_api()
    own.start_worker()
    with own.client() as client:
        result = answer(client, upstream, "hangs", {"tokens": WORDS, "hang_after": 3})

    assert_failed_with(result, "timeout", "".join(WORDS[:3]))
    assert len(result.requests) == 1
    # The worker hung up on the silent model.
    wait_until(lambda: upstream.requests(result.requests[0]["match"])[0]["disconnected"], 10, "hang-up")


def test_malformed_chunk_fails_with_bad_response_keeping_partial_text(
    client: httpx.Client, upstream: Upstream
) -> None:
    result = answer(client, upstream, "malformed", {"tokens": WORDS, "malformed_after": 5})

    assert_failed_with(result, "bad_response", "".join(WORDS[:5]))
    assert len(result.requests) == 1


def test_answer_without_finish_reason_fails_as_incomplete(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(client, upstream, "no finish reason", {"tokens": WORDS, "finish_reason": None})

    assert_failed_with(result, "incomplete", "".join(WORDS))
    assert result.message["finish_reason"] is None
    assert len(result.requests) == 1


def test_finish_reason_is_stored(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(client, upstream, "length", {"tokens": WORDS, "finish_reason": "length"})

    assert result.terminal.event == "done"
    assert result.message["finish_reason"] == "length"
    assert result.terminal.data["finish_reason"] == "length"


def test_usage_reported_by_the_server_is_stored(client: httpx.Client, upstream: Upstream) -> None:
    # Two long made-up words: the server's count (2) differs from any BPE count of the text.
    tokens = ["Supercalifragilisticexpialidocious ", "antidisestablishmentarianism"]
    result = answer(client, upstream, "usage", {"tokens": tokens})

    assert result.terminal.event == "done"
    sent = result.requests[0]["messages"]
    expected = {"prompt_tokens": 10 + len(sent), "completion_tokens": len(tokens)}
    assert {k: result.message[k] for k in expected} == expected
    assert {k: result.terminal.data[k] for k in expected} == expected
    usage = [e.data for e in result.read.events if e.event == "usage"]
    assert usage == [expected]


def test_without_server_usage_tokens_are_counted(client: httpx.Client, upstream: Upstream) -> None:
    tokens = ["Supercalifragilisticexpialidocious ", "antidisestablishmentarianism"]
    result = answer(client, upstream, "no usage", {"tokens": tokens, "usage": False})

    assert result.terminal.event == "done"
    counted = counter_for(ModelSpec(id="scripted")).count("".join(tokens))
    assert counted != len(tokens)
    assert result.message["completion_tokens"] == counted
    assert result.message["prompt_tokens"] is not None
    assert result.message["prompt_tokens"] > 0
    usage = [e.data for e in result.read.events if e.event == "usage"]
    assert usage == [{"prompt_tokens": result.message["prompt_tokens"], "completion_tokens": counted}]


def test_history_sent_to_the_model_has_system_prompt_and_earlier_turns(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, system_prompt="You answer in one short sentence.")
    first = answer(
        client, upstream, "first question", {"tokens": ["First ", "answer."]}, conversation=conversation
    )
    assert first.terminal.event == "done"

    second = answer(client, upstream, "second question", {"tokens": ["Second."]}, conversation=conversation)

    assert second.terminal.event == "done"
    assert len(second.requests) == 1
    assert second.requests[0]["messages"] == [
        {"role": "system", "content": "You answer in one short sentence."},
        {"role": "user", "content": first.requests[0]["match"]},
        {"role": "assistant", "content": "First answer."},
        {"role": "user", "content": second.requests[0]["match"]},
    ]


def test_failed_answer_is_left_out_of_the_next_prompt(client: httpx.Client, upstream: Upstream) -> None:
    conversation = new_conversation(client)
    first = answer(
        client, upstream, "fails", {"tokens": WORDS, "malformed_after": 2}, conversation=conversation
    )
    assert first.terminal.event == "error"

    second = answer(client, upstream, "after a failure", {"tokens": ["ok"]}, conversation=conversation)

    assert second.requests[0]["messages"] == [
        {"role": "user", "content": first.requests[0]["match"]},
        {"role": "user", "content": second.requests[0]["match"]},
    ]


@pytest.mark.parametrize(("model", "expected"), [("scripted-alt", "scripted-alt"), (None, "scripted")])
def test_conversation_model_is_what_the_model_server_receives(
    client: httpx.Client, upstream: Upstream, model: str | None, expected: str
) -> None:
    conversation = new_conversation(client, **({"model": model} if model else {}))
    result = answer(client, upstream, "which model", {"tokens": ["ok"]}, conversation=conversation)

    assert result.terminal.event == "done"
    assert [r["model"] for r in result.requests] == [expected]
    assert result.message["model"] == expected


def test_deleting_the_conversation_stops_its_job(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("deleted while streaming")
    tokens = [f"word{n} " for n in range(400)]
    upstream.script(question, {"tokens": tokens, "delay": 0.05})  # 20 s if nobody stops it
    conversation = new_conversation(client)
    pair = ask(client, conversation["id"], question)
    message_id = pair["assistant_message"]["id"]
    first = read_stream(client, message_id, stop_after=2)
    assert [e.event for e in first.events] == ["delta", "delta"]

    assert client.delete(f"/api/conversations/{conversation['id']}").status_code == 204

    wait_until(lambda: upstream.requests(question)[0]["disconnected"], 10, "the model to see the hang-up")
    request = upstream.requests(question)[0]
    assert not request["finished"]
    assert request["tokens_sent"] < len(tokens)
    assert client.get(f"/api/messages/{message_id}").status_code == 404
    assert len(upstream.requests(question)) == 1


def test_answer_completes_with_full_text_and_metadata(client: httpx.Client, upstream: Upstream) -> None:
    result = answer(client, upstream, "plain", {"tokens": WORDS, "delay": 0.005})

    assert result.terminal.event == "done"
    assert result.streamed == result.message["content"] == result.terminal.data["content"] == "".join(WORDS)
    assert result.message["attempt"] == 1
    assert result.message["finish_reason"] == "stop"
    assert result.requests[0]["max_tokens"] == 1024
    assert wait_for_message(client, result.message["id"], status="complete")["content"] == "".join(WORDS)
