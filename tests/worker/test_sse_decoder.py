import json

import pytest

from core.failures import AnswerFailure
from worker.sse_decoder import SSEDecoder
from worker.upstream import read_chunk

BODY = (
    b'data: {"choices": [{"delta": {"content": "Hel"}}]}\n\n'
    b": a comment\n"
    b'data: {"choices": [{"delta": {"content": "lo"}}]}\r\n\r\n'
    b"event: ignored\n"
    b'data: {"choices": [],\n'
    b'data: "usage": {"prompt_tokens": 3, "completion_tokens": 2}}\n\n'
    b"data: [DONE]\n\n"
)
EVENTS = [
    '{"choices": [{"delta": {"content": "Hel"}}]}',
    '{"choices": [{"delta": {"content": "lo"}}]}',
    '{"choices": [],\n"usage": {"prompt_tokens": 3, "completion_tokens": 2}}',
    "[DONE]",
]


def decode(*chunks: bytes) -> list[str]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.end()


def test_events_come_out_whole_wherever_the_network_splits_the_body() -> None:
    assert decode(BODY) == EVENTS
    for split in range(1, len(BODY)):
        assert decode(BODY[:split], BODY[split:]) == EVENTS, split
    assert decode(*(BODY[i : i + 1] for i in range(len(BODY)))) == EVENTS


def test_a_body_ending_without_its_blank_line_still_yields_its_last_event() -> None:
    assert decode(b'data: {"a": 1}') == ['{"a": 1}']
    assert decode(b'data: {"a": 1}\r') == ['{"a": 1}']


def test_a_chunk_becomes_text_finish_reason_and_usage() -> None:
    chunk = read_chunk(json.dumps({"choices": [{"delta": {"content": "a\x00b"}, "finish_reason": "stop"}]}))
    assert chunk is not None
    assert (chunk.text, chunk.finish_reason) == ("ab", "stop")
    usage = read_chunk('{"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 9}}')
    assert usage is not None
    assert (usage.text, usage.prompt_tokens, usage.completion_tokens) == ("", 7, 9)
    assert read_chunk("[DONE]") is None


def test_an_error_sent_inside_the_stream_is_a_readable_failure() -> None:
    with pytest.raises(AnswerFailure) as raised:
        read_chunk('{"error": {"message": "The server is overloaded"}}')
    assert raised.value.code == "upstream_error"
    assert "The server is overloaded" in raised.value.message


@pytest.mark.parametrize(
    "data",
    ["{not json", "[1, 2]", '{"choices": [{"delta": {"content": 5}}]}', '{"choices": ["x"]}'],
)
def test_a_chunk_of_the_wrong_shape_is_refused(data: str) -> None:
    with pytest.raises((ValueError, TypeError, AttributeError)):
        read_chunk(data)
