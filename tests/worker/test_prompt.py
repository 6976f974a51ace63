"""build_prompt: which turns the model sees, counted in the model's own tokens."""

from collections.abc import Sequence

import pytest

from core.catalog import ModelSpec
from core.models import FileChunk, Message, Role, Status
from core.tokens import REPLY_PRIMER_TOKENS, TokenCounter, counter_for, message_tokens
from worker.documents import Document, DocumentSource
from worker.prompt import PromptTooLong, build_prompt

COUNTER: TokenCounter = counter_for(ModelSpec(id="gpt-4o-mini"))
SYSTEM = "You are a helpful assistant. Answer briefly and precisely."


def message(role: Role, content: str, status: Status = Status.complete) -> Message:
    return Message(conversation_id="conversation", role=role, content=content, status=status)


def user(content: str) -> Message:
    return message(Role.user, content)


def answer(content: str, status: Status = Status.complete) -> Message:
    return message(Role.assistant, content, status)


def long_text(index: int, words: int = 40) -> str:
    return " ".join(f"turn{index}-word{n}" for n in range(words))


def conversation(pairs: int, words: int = 40) -> list[Message]:
    """user, assistant, user, assistant … oldest first; every turn has its own long text."""
    history: list[Message] = []
    for index in range(pairs):
        history += [user(long_text(2 * index, words)), answer(long_text(2 * index + 1, words))]
    return history


def cost(messages: Sequence[Message]) -> int:
    return sum(message_tokens(COUNTER, m.content) for m in messages)


def fixed_cost(system_prompt: str, question: Message) -> int:
    """What the system prompt, the question and the reply primer always take."""
    system = message_tokens(COUNTER, system_prompt) if system_prompt else 0
    return REPLY_PRIMER_TOKENS + message_tokens(COUNTER, question.content) + system


@pytest.mark.parametrize("spare", ["none", "all but one token of the next turn"])
def test_truncation_keeps_the_newest_turns_that_fit(spare: str) -> None:
    history = conversation(20)
    question = user("And what comes next?")
    base = fixed_cost(SYSTEM, question)
    # Room for the newest 6 turns (3 questions and 3 answers), exactly or short of a 7th by one token.
    budget = base + cost(history[-6:])
    if spare != "none":
        budget += message_tokens(COUNTER, history[-7].content) - 1

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == [m.id for m in history[-6:]]
    assert prompt.tokens == base + cost(history[-6:])
    assert prompt.tokens <= budget
    assert prompt.tokens + message_tokens(COUNTER, history[-7].content) > budget
    expected = [{"role": str(m.role), "content": m.content} for m in [*history[-6:], question]]
    assert prompt.messages == [{"role": "system", "content": SYSTEM}, *expected]


@pytest.mark.parametrize("budget_share", [0.1, 0.25, 0.5, 0.9])
def test_truncation_keeps_a_contiguous_newest_suffix_within_budget(budget_share: float) -> None:
    # Turns of very different lengths, so the cut falls anywhere.
    history: list[Message] = []
    for index in range(30):
        words = 5 + (index * 37) % 90
        history.append((user if index % 2 == 0 else answer)(long_text(index, words)))
    question = user("Summarise all of the above.")
    base = fixed_cost(SYSTEM, question)
    budget = base + int(cost(history) * budget_share)

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    kept = len(prompt.included_ids)
    assert 0 < kept < len(history)
    suffix = history[len(history) - kept :]
    assert prompt.included_ids == [m.id for m in suffix], "not a contiguous newest suffix"
    assert prompt.tokens == base + cost(suffix)
    assert prompt.tokens <= budget
    # No longer suffix that a conversation could start with (a user turn) fits the budget.
    for start in range(len(history) - kept):
        if history[start].role == Role.user:
            assert base + cost(history[start:]) > budget
    assert prompt.tokens + message_tokens(COUNTER, history[len(history) - kept - 1].content) > budget or (
        history[len(history) - kept - 1].role == Role.assistant
    )


def test_system_prompt_and_question_are_never_cut() -> None:
    system = long_text(1000, 200)
    question = user(long_text(2000, 300))
    history = conversation(10)
    budget = fixed_cost(system, question)  # exactly enough for these two, nothing else

    prompt = build_prompt(system, history, question, COUNTER, budget)

    assert prompt.messages == [
        {"role": "system", "content": system},
        {"role": "user", "content": question.content},
    ]
    assert prompt.included_ids == []
    assert prompt.tokens == budget


def test_without_a_system_prompt_no_system_message_is_sent() -> None:
    question = user("Hello?")
    prompt = build_prompt("", [], question, COUNTER, 1000)
    assert prompt.messages == [{"role": "user", "content": "Hello?"}]
    assert prompt.tokens == fixed_cost("", question)


def test_prompt_too_long_when_system_prompt_and_question_exceed_budget() -> None:
    system = long_text(1, 100)
    question = user(long_text(2, 100))
    needed = fixed_cost(system, question)

    with pytest.raises(PromptTooLong) as raised:
        build_prompt(system, conversation(2), question, COUNTER, needed - 1)

    assert raised.value.needed == needed
    assert raised.value.budget == needed - 1
    assert str(needed) in str(raised.value)
    # One token more and it fits.
    assert build_prompt(system, [], question, COUNTER, needed).tokens == needed


def test_failed_empty_and_unfinished_answers_are_skipped() -> None:
    u1, failed = user("first question"), answer("half an answer that then failed", Status.failed)
    u2, empty = user("second question"), answer("", Status.complete)
    u3, good = user("third question"), answer("a complete answer")
    u4, stopped = user("fourth question"), answer("a stopped, partial answer", Status.stopped)
    u5, stopped_empty = user("fifth question"), answer("", Status.stopped)
    u6, streaming = user("sixth question"), answer("still streaming", Status.streaming)
    u7, queued = user("seventh question"), answer("", Status.queued)
    history = [u1, failed, u2, empty, u3, good, u4, stopped, u5, stopped_empty, u6, streaming, u7, queued]
    question = user("the new question")

    prompt = build_prompt(SYSTEM, history, question, COUNTER, 100_000)

    kept = [u1, u2, u3, good, u4, stopped, u5, u6, u7]
    assert prompt.included_ids == [m.id for m in kept]
    assert prompt.messages[1:] == [{"role": str(m.role), "content": m.content} for m in [*kept, question]]
    sent = " ".join(m["content"] for m in prompt.messages)
    assert "failed" not in sent
    assert "still streaming" not in sent
    assert prompt.tokens == fixed_cost(SYSTEM, question) + cost(kept)


def test_kept_history_never_starts_with_an_assistant_message() -> None:
    history = conversation(10)
    question = user("next?")
    base = fixed_cost(SYSTEM, question)
    # Room for the newest 5 turns: that suffix starts with an answer whose question did not fit.
    budget = base + cost(history[-5:]) + message_tokens(COUNTER, history[-6].content) - 1
    assert history[-5].role == Role.assistant

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == [m.id for m in history[-4:]]
    assert prompt.messages[1]["role"] == "user"
    # The dropped answer's tokens are not counted.
    assert prompt.tokens == base + cost(history[-4:])


def test_only_an_answer_fits_then_no_history_is_kept() -> None:
    history = conversation(3)
    question = user("next?")
    base = fixed_cost(SYSTEM, question)
    budget = base + message_tokens(COUNTER, history[-1].content)  # the last answer alone

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == []
    assert [m["role"] for m in prompt.messages] == ["system", "user"]
    assert prompt.tokens == base


def test_included_ids_list_exactly_the_kept_messages_in_order() -> None:
    history = conversation(4, words=3)
    question = user("last one")

    prompt = build_prompt(SYSTEM, history, question, COUNTER, 100_000)

    assert prompt.included_ids == [m.id for m in history]
    by_id = {m.id: m for m in history}
    sent_history = prompt.messages[1:-1]
    assert sent_history == [
        {"role": str(by_id[i].role), "content": by_id[i].content} for i in prompt.included_ids
    ]
    assert prompt.messages[-1] == {"role": "user", "content": "last one"}
    assert question.id not in prompt.included_ids
    assert prompt.sources == []  # the question brought no documents


def test_the_prompt_keeps_what_it_drew_on_from_each_document() -> None:
    question = user("where is the key")
    chunks = [
        FileChunk(file_id="f", ordinal=n, page=n + 1, text=f"page {n + 1} " + long_text(n), tokens=60)
        for n in range(10)
    ]
    short = [FileChunk(file_id="g", ordinal=0, text="a short note", tokens=4)]
    documents = [
        Document("f", "manual.pdf", [chunks[6], chunks[1]], ranked=True),
        Document("g", "note.md", short),
    ]

    prompt = build_prompt(SYSTEM, conversation(2), question, COUNTER, 400, documents)

    assert prompt.sources == [
        DocumentSource("f", "manual.pdf", whole=False, pages=[2, 7], chunks=[1, 6]),
        DocumentSource("g", "note.md", whole=True, pages=None, chunks=None),
    ]
    assert "[page 7]" in prompt.messages[-1]["content"]


# Pins


def pin(message: Message) -> Message:
    message.pinned = True
    return message


def test_a_pinned_old_turn_is_included_and_the_newest_turns_fill_the_rest() -> None:
    history = conversation(10)
    pinned = pin(history[0])
    question = user("What did I say first?")
    base = fixed_cost(SYSTEM, question)
    # Room for the pin and the newest 4 turns, and not one token more.
    budget = base + cost([pinned]) + cost(history[-4:])

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == [pinned.id] + [m.id for m in history[-4:]]
    assert prompt.tokens == budget
    expected = [{"role": str(m.role), "content": m.content} for m in [pinned, *history[-4:], question]]
    assert prompt.messages == [{"role": "system", "content": SYSTEM}, *expected]


def test_without_the_pin_the_same_budget_keeps_a_longer_newest_suffix() -> None:
    history = conversation(10)
    question = user("What did I say first?")
    budget = fixed_cost(SYSTEM, question) + cost([history[0]]) + cost(history[-4:])

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert history[0].id not in prompt.included_ids
    assert prompt.included_ids == [m.id for m in history[-len(prompt.included_ids) :]]
    assert len(prompt.included_ids) >= 4


def test_a_pin_that_does_not_fit_is_left_out_and_the_rest_still_fits() -> None:
    history = conversation(6)
    huge = pin(user(long_text(99, 2000)))
    history = [huge, answer("ok"), *history]
    question = user("next?")
    budget = fixed_cost(SYSTEM, question) + cost(history[-4:])

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert huge.id not in prompt.included_ids
    assert prompt.included_ids == [m.id for m in history[-4:]]
    assert prompt.tokens <= budget


def test_when_pins_compete_for_room_the_newest_pins_win() -> None:
    history = conversation(8)
    old_pin, new_pin = pin(history[0]), pin(history[4])
    question = user("next?")
    budget = fixed_cost(SYSTEM, question) + cost([new_pin]) + cost([old_pin]) - 1

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert new_pin.id in prompt.included_ids
    assert old_pin.id not in prompt.included_ids
    assert prompt.tokens <= budget


def test_a_pinned_answer_is_kept_even_without_its_question() -> None:
    history = conversation(6)
    pinned_answer = pin(history[1])
    question = user("next?")
    budget = fixed_cost(SYSTEM, question) + cost([pinned_answer]) + cost(history[-2:])

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == [pinned_answer.id, history[-2].id, history[-1].id]
    assert prompt.messages[1] == {"role": "assistant", "content": pinned_answer.content}


def test_a_pinned_failed_answer_is_still_never_sent() -> None:
    question_before, failed = user("first"), pin(answer("broken half", Status.failed))
    prompt = build_prompt(SYSTEM, [question_before, failed], user("again"), COUNTER, 100_000)
    assert prompt.included_ids == [question_before.id]


def test_pins_inside_the_newest_suffix_are_counted_once() -> None:
    history = conversation(5)
    pin(history[-2])
    question = user("next?")
    budget = fixed_cost(SYSTEM, question) + cost(history[-4:])

    prompt = build_prompt(SYSTEM, history, question, COUNTER, budget)

    assert prompt.included_ids == [m.id for m in history[-4:]]
    assert prompt.tokens == budget


def called(call_id: str, name: str = "weather") -> Message:
    calls = [{"id": call_id, "type": "function", "function": {"name": name, "arguments": '{"city":"Oslo"}'}}]
    return Message(conversation_id="conversation", role=Role.assistant, content="", tool_calls=calls)


def result(call_id: str, content: str = "12 degrees") -> Message:
    return Message(conversation_id="conversation", role=Role.tool, content=content, tool_call_id=call_id)


def test_a_tool_loop_is_sent_as_openais_messages_ending_with_the_result() -> None:
    history = [user("Weather in Oslo?"), called("c1")]
    prompt = build_prompt("", history, result("c1"), COUNTER, 4000)
    assert prompt.messages == [
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": None, "tool_calls": history[1].tool_calls},
        {"role": "tool", "tool_call_id": "c1", "content": "12 degrees"},
    ]


def test_a_tool_result_whose_call_fell_out_of_the_window_is_left_out_with_it() -> None:
    history = [
        *conversation(3),
        user("Weather?"),
        called("c1"),
        result("c1"),
        answer("Mild."),
        user("And now?"),
    ]
    whole = build_prompt("", history[:-1], history[-1], COUNTER, 100_000)
    assert [m["role"] for m in whole.messages][-5:] == ["user", "assistant", "tool", "assistant", "user"]
    # Room for the result and the answer after it, not for the call: neither goes without it.
    room = fixed_cost("", history[-1]) + cost(history[-3:-1]) + 1
    cut = build_prompt("", history[:-1], history[-1], COUNTER, room)
    assert [m["role"] for m in cut.messages] == ["user"]
    assert cut.included_ids == []


def test_a_pinned_tool_result_without_its_call_is_left_out_and_not_counted() -> None:
    history = [*conversation(3), user("Weather?"), called("c1"), pin(result("c1")), *conversation(2)]
    room = fixed_cost("", history[-1]) + cost(history[-5:-1]) + 10  # the result, not the call
    prompt = build_prompt("", history[:-1], history[-1], COUNTER, room)
    assert all(m["role"] != "tool" for m in prompt.messages)
    assert history[-6].id not in prompt.included_ids
    assert prompt.tokens == fixed_cost("", history[-1]) + cost(
        [m for m in history if m.id in prompt.included_ids]
    )
