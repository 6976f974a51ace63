import time

from tests.support.sse import read_stream
from tests.support.stack import MakeStack, ask, new_conversation, unique


def test_redis_down_gives_a_readable_503_then_recovers(make_stack: MakeStack) -> None:
    stack = make_stack()
    client = stack.start().client()
    conversation = new_conversation(client)
    stack.redis.kill()

    started = time.monotonic()
    health = client.get("/api/health")
    assert health.status_code == 503
    assert health.json()["detail"] == "Redis is unavailable right now; try again in a few seconds."
    assert health.headers["retry-after"] == "5"
    assert time.monotonic() - started < 15

    stack.redis.start()
    question = unique("after the outage")
    stack.upstream.script(question, {"tokens": ["back"]})
    message_id = ask(client, conversation["id"], question)["assistant_message"]["id"]
    read = read_stream(client, message_id)
    assert read.terminal is not None
    assert read.terminal.data["content"] == "back"


def test_submit_while_redis_is_down_is_stored_and_answered_later(make_stack: MakeStack) -> None:
    stack = make_stack(recover_grace_seconds="0.5", recover_interval_seconds="0.5")
    client = stack.start().client()
    conversation = new_conversation(client)
    stack.redis.kill()
    question = unique("during the outage")
    stack.upstream.script(question, {"tokens": ["kept"]})
    response = client.post(f"/api/conversations/{conversation['id']}/messages", json={"content": question})
    assert response.status_code == 202, response.text
    message_id = response.json()["assistant_message"]["id"]

    stack.redis.start()
    deadline = time.monotonic() + 30
    while client.get(f"/api/messages/{message_id}").json()["status"] != "complete":
        assert time.monotonic() < deadline, "the stored answer was never generated"
        time.sleep(0.2)
    assert client.get(f"/api/messages/{message_id}").json()["content"] == "kept"
