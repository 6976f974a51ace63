import json

import redis

from core import keys
from tests.support.sse import answer_text, read_stream
from tests.support.stack import MakeStack, ask, new_conversation, unique, wait_for_message


def test_jobs_are_json_not_pickle(make_stack: MakeStack) -> None:
    stack = make_stack()
    client = stack.start_api().client()
    message_id = ask(client, new_conversation(client)["id"], unique("json"))["assistant_message"]["id"]
    with redis.Redis.from_url(stack.redis.url) as connection:
        raw = connection.get(keys.arq_job(message_id))
    assert raw is not None
    job = json.loads(raw)
    assert job["f"] == "generate"
    assert job["a"] == [message_id]


def test_answer_whose_job_was_lost_is_enqueued_again(make_stack: MakeStack) -> None:
    # As when an API process dies between committing a question and enqueueing its answer.
    stack = make_stack(recover_grace_seconds="0.5", recover_interval_seconds="0.5")
    client = stack.start_api().client()
    question = unique("lost job")
    stack.upstream.script(question, {"tokens": ["found ", "again"]})
    message_id = ask(client, new_conversation(client)["id"], question)["assistant_message"]["id"]
    with redis.Redis.from_url(stack.redis.url) as connection:
        connection.zrem(keys.QUEUE, message_id)
        connection.delete(keys.arq_job(message_id))

    stack.start_worker()
    read = read_stream(client, message_id)
    assert read.terminal is not None
    assert read.terminal.event == "done"
    assert answer_text(read.events) == "found again"
    assert wait_for_message(client, message_id)["content"] == "found again"
    assert "had no job; enqueued it again" in stack.workers[0].log_text()
