"""start_answer, the one start of every answer: what each ask stores and enqueues, and what it
refuses, against a real SQLite database and Redis, with no API process."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from api.refusals import Conflict, Invalid, NotFound, TooLarge, TooMany
from api.starting import Ask, Edit, Question, Regenerate, Submitted, Turn, Turns, start_answer
from core import keys
from core.db import read_only
from core.limits import limits_of
from core.models import (
    Conversation,
    FileStatus,
    Message,
    Role,
    Source,
    Status,
    StoredFile,
    TitleSource,
    User,
)
from tests.support.answer_path import AnswerPath, ScriptedModel, answer_path, row, stored_question
from tests.support.processes import RedisServer, free_port


@pytest.fixture
async def path(
    tmp_path: Path, redis_server: RedisServer, scripted_model: ScriptedModel
) -> AsyncIterator[AnswerPath]:
    async with answer_path(tmp_path, redis_server.url, scripted_model.url) as made:
        yield made


async def start(path: AnswerPath, ask: Ask) -> Submitted:
    """As a route calls it: its checks in a read-only transaction, then the service's own writes."""
    async with path.sessionmaker() as session:
        await read_only(session)
        limits = await limits_of(session, path.owner)  # what the request's sign-in carries
        return await start_answer(session, path.redis, path.settings, path.catalog, ask, limits)


async def conversation_of(path: AnswerPath, answer: Message) -> Conversation:
    async with path.sessionmaker() as session:
        found = await session.get(Conversation, answer.conversation_id)
        assert found is not None
        return found


async def new_conversation(path: AnswerPath, **fields: Any) -> Conversation:
    async with path.sessionmaker() as session:
        conversation = Conversation(owner_id=path.owner, model="scripted", **fields)
        session.add(conversation)
        await session.commit()
        return conversation


async def finish(path: AnswerPath, answer_id: str) -> None:
    """The answer ends, as a worker would end it."""
    async with path.sessionmaker() as session:
        answer = await session.get(Message, answer_id)
        assert answer is not None
        answer.status, answer.content = Status.complete, "an answer"
        session.add(answer)
        await session.commit()


async def enqueued(path: AnswerPath) -> list[str]:
    return [member.decode() for member in await path.redis.zrange(keys.QUEUE, 0, -1)]


def question(conversation: Conversation, content: str = "What is a queue?", **fields: Any) -> Question:
    return Question(
        conversation=conversation,
        content=content,
        parent_id=fields.get("parent_id"),
        client_id=fields.get("client_id"),
    )


async def test_a_question_is_stored_with_a_queued_answer_that_is_enqueued(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    submitted = await start(path, question(conversation))
    stored_question, answer = await row(path, submitted.question.id), await row(path, submitted.answer.id)
    assert stored_question is not None
    assert answer is not None
    assert (stored_question.role, stored_question.content, stored_question.parent_id) == (
        Role.user,
        "What is a queue?",
        None,
    )
    assert stored_question.tokens
    assert stored_question.tokenizer
    assert (answer.role, answer.status, answer.parent_id, answer.model) == (
        Role.assistant,
        Status.queued,
        stored_question.id,
        "scripted",
    )
    named = await conversation_of(path, answer)
    assert named.selected_leaf_id == answer.id
    assert (named.title, named.title_source) == ("What is a queue?", TitleSource.fallback)
    assert await enqueued(path) == [answer.id]
    assert await path.redis.zscore(keys.admitted(path.owner), answer.id) is not None


async def test_a_question_of_files_alone_names_its_conversation_after_its_first_file(
    path: AnswerPath,
) -> None:
    conversation = await new_conversation(path)
    async with path.sessionmaker() as session:
        files = [
            StoredFile(
                owner_id=path.owner, name=name, size=10, content_type="text/plain", status=FileStatus.ready
            )
            for name in ("Quarterly report.md", "notes.txt")
        ]
        session.add_all(files)
        await session.commit()
        file_ids = [stored.id for stored in files]
    alone = Question(
        conversation=conversation, content="", parent_id=None, client_id=None, attachments=file_ids
    )
    submitted = await start(path, alone)
    named = await conversation_of(path, submitted.answer)
    assert (named.title, named.title_source) == ("Quarterly report.md", TitleSource.fallback)


async def test_the_next_question_follows_the_selected_branch_and_names_nothing(path: AnswerPath) -> None:
    conversation = await new_conversation(path, title="Kept", title_source=TitleSource.user)
    first = await start(path, question(conversation, "first"))
    await finish(path, first.answer.id)
    second = await start(path, question(await conversation_of(path, first.answer), "second"))
    assert second.question.parent_id == first.answer.id
    assert (await conversation_of(path, second.answer)).title == "Kept"


async def test_a_repeated_client_id_returns_what_the_first_request_stored(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    first = await start(path, question(conversation, client_id="tab-1"))
    again = await start(path, question(await conversation_of(path, first.answer), client_id="tab-1"))
    assert (again.question.id, again.answer.id) == (first.question.id, first.answer.id)
    assert await enqueued(path) == [first.answer.id]


async def test_a_retry_gets_what_its_first_request_stored_even_after_the_model_left_the_catalog(
    path: AnswerPath,
) -> None:
    conversation = await new_conversation(path)
    first = await start(path, question(conversation, client_id="tab-1"))
    async with path.sessionmaker() as session:
        changed = await session.get(Conversation, conversation.id)
        assert changed is not None
        changed.model = "a-model-since-removed"
        session.add(changed)
        await session.commit()
    again = await start(path, question(await conversation_of(path, first.answer), client_id="tab-1"))
    assert again.answer.id == first.answer.id
    with pytest.raises(Conflict, match="model is gone"):  # a new question cannot be answered
        await start(path, question(await conversation_of(path, first.answer), client_id="tab-2"))


async def test_a_second_question_while_an_answer_runs_is_a_conflict(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    await start(path, question(conversation, "first"))
    with pytest.raises(Conflict, match="still being generated"):
        await start(path, question(conversation, "second"))


async def test_an_edit_adds_a_question_beside_the_old_one_with_its_answer(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    first = await start(path, question(conversation, "first"))
    await finish(path, first.answer.id)
    edited = await start(path, Edit(question=first.question, content="first, edited", client_id="e1"))
    assert edited.question.parent_id == first.question.parent_id
    assert (edited.question.content, edited.question.client_id) == ("first, edited", "e1")
    assert edited.answer.parent_id == edited.question.id
    assert (await conversation_of(path, edited.answer)).selected_leaf_id == edited.answer.id


async def test_a_regenerated_answer_sits_beside_the_old_one_and_keeps_the_client_id(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    first = await start(path, question(conversation))
    await finish(path, first.answer.id)
    again = await start(path, Regenerate(answer=first.answer, client_id="r1"))
    assert again.question.id == first.question.id
    assert (again.answer.parent_id, again.answer.client_id) == (first.question.id, "r1")
    assert await enqueued(path) == [first.answer.id, again.answer.id]


async def test_only_a_question_is_edited_and_only_an_answer_regenerated(path: AnswerPath) -> None:
    conversation = await new_conversation(path)
    first = await start(path, question(conversation))
    await finish(path, first.answer.id)
    with pytest.raises(Conflict, match="Only a question"):
        await start(path, Edit(question=first.answer, content="x", client_id=None))
    with pytest.raises(Conflict, match="Only an answer"):
        await start(path, Regenerate(answer=first.question, client_id=None))


@pytest.mark.parametrize(
    ("content", "refusal", "sentence"),
    [
        ("   ", Invalid, "Message is empty"),
        ("a\x00b", Invalid, "NUL"),
        ("x" * 32_001, TooLarge, "32,001 characters"),
        ("xq " * 10_000, TooLarge, "too long for the model"),
    ],
)
async def test_a_question_that_cannot_be_answered_is_refused_and_nothing_stored(
    path: AnswerPath, content: str, refusal: type[Exception], sentence: str
) -> None:
    conversation = await new_conversation(path)
    with pytest.raises(refusal, match=sentence):
        await start(path, question(conversation, content))
    async with path.sessionmaker() as session:
        assert list(await session.exec(select(Message))) == []
    assert await enqueued(path) == []


async def test_sampling_its_model_does_not_take_is_refused_before_anything_is_sent(path: AnswerPath) -> None:
    # Set while the conversation had a model that took it; `scripted-alt` takes 0 to 1, no seed.
    conversation = await new_conversation(path, temperature=1.5)
    conversation.model = "scripted-alt"
    with pytest.raises(Invalid, match=r"Temperature must be between 0 and 1 for .*conversation's settings"):
        await start(path, question(conversation))
    conversation.temperature, conversation.seed = None, 7
    with pytest.raises(Invalid, match="does not take a seed"):
        await start(path, question(conversation))
    async with path.sessionmaker() as session:
        assert list(await session.exec(select(Message))) == []
    assert await enqueued(path) == []


async def test_a_parent_from_elsewhere_is_refused(path: AnswerPath) -> None:
    elsewhere = await stored_question(path, "in another conversation")
    conversation = await new_conversation(path)
    with pytest.raises(Invalid, match="not a message of this conversation"):
        await start(path, question(conversation, parent_id=elsewhere.id))


async def test_over_the_owners_limits_nothing_is_stored(path: AnswerPath) -> None:
    async with path.sessionmaker() as session:
        user = await session.get(User, path.owner)
        assert user is not None
        user.limit_waiting_answers = 0
        session.add(user)
        await session.commit()
    conversation = await new_conversation(path)
    with pytest.raises(TooMany) as refused:
        await start(path, question(conversation))
    assert refused.value.retry_after > 0
    async with path.sessionmaker() as session:
        assert list(await session.exec(select(Message))) == []


async def test_an_answer_is_stored_while_redis_is_out_and_left_to_the_sweep(
    tmp_path: Path, scripted_model: ScriptedModel
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    async with answer_path(tmp_path, closed, scripted_model.url, flush=False) as out:
        conversation = await new_conversation(out)
        submitted = await start(out, question(conversation))
        stored = await row(out, submitted.answer.id)
        assert stored is not None
        assert stored.status == Status.queued


def turns(*texts: tuple[Role, str]) -> list[Turn]:
    return [Turn(role, text, f"messages[{index}]") for index, (role, text) in enumerate(texts)]


def api_request(path: AnswerPath, messages: list[Turn], **fields: Any) -> Turns:
    return Turns(
        owner=path.owner,
        param="messages",
        conversation=fields.get("conversation"),
        parent_id=fields.get("parent_id"),
        turns=messages,
        model=path.catalog.get("scripted"),
        system_prompt=fields.get("system_prompt", "Be brief."),
        params=fields.get("params", {"temperature": 0.2}),
    )


async def test_a_v1_request_makes_a_conversation_from_the_api_with_its_turns(path: AnswerPath) -> None:
    messages = turns((Role.user, "earlier"), (Role.assistant, "an earlier answer"), (Role.user, "now?"))
    submitted = await start(path, api_request(path, messages))
    conversation = await conversation_of(path, submitted.answer)
    assert (conversation.source, conversation.system_prompt, conversation.title) == (
        Source.openai,
        "Be brief.",
        "now?",
    )
    async with path.sessionmaker() as session:
        branch = list(
            await session.exec(
                select(Message).where(Message.conversation_id == conversation.id).order_by(col(Message.id))
            )
        )
    assert [(m.role, m.content) for m in branch] == [
        (Role.user, "earlier"),
        (Role.assistant, "an earlier answer"),
        (Role.user, "now?"),
        (Role.assistant, ""),
    ]
    assert [m.parent_id for m in branch[1:]] == [m.id for m in branch[:-1]]
    assert branch[-1].params == {"temperature": 0.2}
    assert await enqueued(path) == [submitted.answer.id]


async def test_a_v1_request_names_the_parameter_at_fault(path: AnswerPath) -> None:
    with pytest.raises(Invalid) as not_a_question:
        await start(path, api_request(path, turns((Role.assistant, "no question"))))
    assert not_a_question.value.param == "messages"
    with pytest.raises(Invalid) as empty:
        await start(path, api_request(path, turns((Role.user, "first"), (Role.user, " "))))
    assert empty.value.param == "messages[1].content"
    long = "xq " * 10_000  # 30,000 characters, 20,000 tokens
    with pytest.raises(TooLarge) as too_long:
        await start(path, api_request(path, turns((Role.user, long))))
    assert too_long.value.param == "messages[0]"


async def test_continuing_a_conversation_whose_answer_runs_is_a_conflict(path: AnswerPath) -> None:
    first = await start(path, api_request(path, turns((Role.user, "first"))))
    conversation = await conversation_of(path, first.answer)
    follow_up = api_request(
        path, turns((Role.user, "second")), conversation=conversation, parent_id=first.answer.id
    )
    with pytest.raises(Conflict):
        await start(path, follow_up)
    await finish(path, first.answer.id)
    # A request reads its conversation afresh: the refused one's copy went with its rollback.
    conversation = await conversation_of(path, first.answer)
    follow_up = api_request(
        path, turns((Role.user, "second")), conversation=conversation, parent_id=first.answer.id
    )
    second = await start(path, follow_up)
    assert second.question.parent_id == first.answer.id


async def test_a_conversation_deleted_meanwhile_is_not_found(path: AnswerPath) -> None:
    answer = await stored_question(path, "soon gone", status=Status.complete)
    conversation = await conversation_of(path, answer)
    async with path.sessionmaker() as session:
        question = await session.get(Message, answer.parent_id)
        await session.delete(await session.get(Conversation, answer.conversation_id))
        await session.commit()
    assert question is not None
    with pytest.raises(NotFound):  # found by the route's lookup, gone when the service reads it
        await start(path, Edit(question=question, content="edited", client_id=None))
    with pytest.raises(NotFound):  # gone when the insert meets the foreign key
        await start(
            path, Question(conversation=conversation, content="and now?", parent_id=None, client_id=None)
        )
