"""Submit and stream in one request: `POST …/messages` with `Accept: text/event-stream`."""

import httpx

from tests.support.sse import answer_text, post_streaming, read_stream, submit_streaming
from tests.support.stack import Upstream, new_conversation, unique, wait_for_message

TOKENS = [f"w{i} " for i in range(12)]


def test_a_streaming_submit_sends_both_messages_then_the_answer_as_get_stream_does(
    client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("one request")
    upstream.script(question, {"tokens": TOKENS})
    read = submit_streaming(client, new_conversation(client)["id"], question, client_id="s-1")
    assert read.status == 200
    assert read.content_type.startswith("text/event-stream")
    submitted, *events = read.events
    assert submitted.event == "submitted"
    assert submitted.id is None
    user, answer = submitted.data["user_message"], submitted.data["assistant_message"]
    assert (user["content"], user["client_id"], answer["parent_id"]) == (question, "s-1", user["id"])
    assert read.terminal is not None
    assert read.terminal.event == "done"
    stored = wait_for_message(client, answer["id"])
    assert answer_text(events) == stored["content"] == "".join(TOKENS)
    # Exactly what the answer's own stream sends, event for event.
    again = read_stream(client, answer["id"])
    assert [(e.id, e.event, e.data) for e in events] == [(e.id, e.event, e.data) for e in again.events]


def test_a_client_cut_off_after_the_first_events_resumes_with_get_stream_exactly(
    client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("one request, cut")
    upstream.script(question, {"tokens": TOKENS, "delay": 0.03})
    first = submit_streaming(client, new_conversation(client)["id"], question, stop_after=4)
    answer_id = first.events[0].data["assistant_message"]["id"]
    assert first.terminal is None
    assert first.last_id is not None
    rest = read_stream(client, answer_id, last_event_id=first.last_id)
    assert rest.terminal is not None
    assert answer_text(first.events) + answer_text(rest.events) == "".join(TOKENS)
    assert wait_for_message(client, answer_id)["content"] == "".join(TOKENS)


def test_a_repeated_streaming_submit_streams_the_stored_answer_and_asks_the_model_once(
    client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client)
    question = unique("one request, twice")
    upstream.script(question, {"tokens": TOKENS})
    first = submit_streaming(client, conversation["id"], question, client_id="again")
    second = submit_streaming(client, conversation["id"], question, client_id="again")
    ids = [{role: m["id"] for role, m in read.events[0].data.items()} for read in (first, second)]
    assert ids[0] == ids[1]
    assert second.events[0].data["assistant_message"]["status"] == "complete"  # as stored now
    assert second.terminal is not None
    assert answer_text(second.events) == "".join(TOKENS)
    assert len(upstream.requests(question)) == 1


def test_a_refused_streaming_submit_answers_json_with_a_sentence_and_writes_nothing(
    client: httpx.Client,
) -> None:
    conversation = new_conversation(client)
    read = submit_streaming(client, conversation["id"], "   ")
    assert (read.status, read.body["detail"]) == (422, "Message is empty")
    assert client.get(f"/api/conversations/{conversation['id']}/messages").json() == []


def test_an_edit_and_a_regenerate_stream_their_answer_in_the_same_response(
    client: httpx.Client, upstream: Upstream
) -> None:
    question, edited = unique("to regenerate"), unique("edited")
    upstream.script(question, {"tokens": ["first"]}, {"tokens": ["again ", "and again"]})
    upstream.script(edited, {"tokens": ["the edit's ", "answer"]})
    first = submit_streaming(client, new_conversation(client)["id"], question)
    old_answer = first.events[0].data["assistant_message"]
    regenerated = post_streaming(client, f"/api/messages/{old_answer['id']}/regenerate", {})
    assert regenerated.events[0].event == "submitted"
    new_answer = regenerated.events[0].data["assistant_message"]
    assert new_answer["parent_id"] == old_answer["parent_id"]
    assert new_answer["id"] != old_answer["id"]
    assert answer_text(regenerated.events) == wait_for_message(client, new_answer["id"])["content"]
    assert answer_text(regenerated.events) == "again and again"
    after_edit = post_streaming(client, f"/api/messages/{old_answer['parent_id']}/edit", {"content": edited})
    pair = after_edit.events[0].data
    assert pair["user_message"]["content"] == edited
    assert answer_text(after_edit.events) == "the edit's answer"
