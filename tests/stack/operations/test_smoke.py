import httpx

from tests.support.sse import answer_text, read_stream
from tests.support.stack import Upstream, ask, new_conversation, unique


def test_stream_equals_final_message(client: httpx.Client, upstream: Upstream) -> None:
    question = unique("hello")
    upstream.script(question, {"tokens": ["Hello", ", ", "world", "!"], "delay": 0.01})
    conversation = new_conversation(client)
    pair = ask(client, conversation["id"], question)
    read = read_stream(client, pair["assistant_message"]["id"])
    assert read.terminal is not None
    assert read.terminal.event == "done"
    assert answer_text(read.events) == "Hello, world!"
    assert read.terminal.data["content"] == "Hello, world!"
