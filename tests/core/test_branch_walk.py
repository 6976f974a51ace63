"""Walks along parent_id in a real database: pages of a branch, a prompt's candidates, siblings."""

from collections.abc import AsyncIterator

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from core.branch_walk import newest_leaf_under, page_up, prompt_candidates, sibling_ids
from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from core.models import Conversation, Message, Role, Status
from core.tokens import MESSAGE_OVERHEAD_TOKENS


@pytest.fixture
async def session(empty_database: str) -> AsyncIterator[AsyncSession]:
    upgrade(empty_database)
    engine = make_engine(empty_database)
    async with make_sessionmaker(engine)() as opened:
        opened.add(Conversation(id="c"))
        await opened.commit()
        yield opened
    await engine.dispose()


async def add(
    session: AsyncSession,
    role: Role,
    parent: Message | None,
    tokens: int | None = 10,
    *,
    content: str = "x",
    status: Status = Status.complete,
    pinned: bool = False,
) -> Message:
    # Made in order: UUIDv7 ids sort by creation, as in the database.
    message = Message(
        conversation_id="c",
        role=role,
        parent_id=parent.id if parent else None,
        content=content,
        tokens=tokens,
        status=status,
        pinned=pinned,
    )
    session.add(message)
    await session.commit()
    return message


async def chain(session: AsyncSession, turns: int, parent: Message | None = None) -> list[Message]:
    messages: list[Message] = []
    for index in range(turns):
        parent = await add(session, Role.user if index % 2 == 0 else Role.assistant, parent)
        messages.append(parent)
    return messages


async def test_a_page_is_the_newest_messages_of_the_branch_root_first(session: AsyncSession) -> None:
    branch = await chain(session, 7)
    assert [m.id for m in await page_up(session, branch[-1].id, 3)] == [m.id for m in branch[-3:]]
    assert [m.id for m in await page_up(session, branch[3].id, 100)] == [m.id for m in branch[:4]]


async def test_regenerated_answers_and_edited_questions_are_siblings_in_creation_order(
    session: AsyncSession,
) -> None:
    q1 = await add(session, Role.user, None)
    a1 = await add(session, Role.assistant, q1)
    a1b = await add(session, Role.assistant, q1)  # regenerated
    q1b = await add(session, Role.user, None)  # the first question, edited
    a1c = await add(session, Role.assistant, q1b)
    siblings = await sibling_ids(session, "c", [q1b, a1c, a1b])
    assert siblings == {q1b.id: [q1.id, q1b.id], a1c.id: [a1c.id], a1b.id: [a1.id, a1b.id]}
    assert [m.id for m in await page_up(session, a1b.id, 10)] == [q1.id, a1b.id]


async def test_switching_to_a_message_lands_on_the_newest_message_below_it(session: AsyncSession) -> None:
    q1 = await add(session, Role.user, None)
    a1 = await add(session, Role.assistant, q1)
    q2 = await add(session, Role.user, a1)
    a2 = await add(session, Role.assistant, q2)
    a1b = await add(session, Role.assistant, q1)
    a2b = await add(session, Role.assistant, q2)  # regenerated later, on the first branch
    assert await newest_leaf_under(session, a1.id) == a2b.id
    assert await newest_leaf_under(session, a1b.id) == a1b.id
    assert await newest_leaf_under(session, q1.id) == a2b.id
    assert await newest_leaf_under(session, a2.id) == a2.id


async def test_a_prompt_reads_back_only_to_the_first_message_that_does_not_fit(session: AsyncSession) -> None:
    branch = await chain(session, 41)
    per_message = 10 + MESSAGE_OVERHEAD_TOKENS
    # The question and five earlier messages fit; the walk stops after the sixth, which does not.
    candidates = await prompt_candidates(session, branch[-1].id, "c", 6 * per_message)
    assert [m.id for m in candidates] == [m.id for m in branch[-7:]]


async def test_messages_never_sent_weigh_nothing_and_uncounted_ones_are_estimated(
    session: AsyncSession,
) -> None:
    first = await add(session, Role.user, None)
    uncounted = await add(session, Role.assistant, first, tokens=None, content="y" * 400)  # about 100 tokens
    question = await add(session, Role.user, uncounted)
    failed = await add(session, Role.assistant, question, tokens=1000, status=Status.failed, content="")
    retry = await add(session, Role.user, failed)
    room = 2 * (10 + MESSAGE_OVERHEAD_TOKENS) + 50
    # The failed answer weighs nothing; the uncounted one about 100 tokens: `first` is beyond the room.
    candidates = await prompt_candidates(session, retry.id, "c", room)
    assert [m.id for m in candidates] == [uncounted.id, question.id, failed.id, retry.id]


async def test_pins_above_the_window_come_along_but_not_pins_of_other_branches(session: AsyncSession) -> None:
    q1 = await add(session, Role.user, None, pinned=True)
    a1 = await add(session, Role.assistant, q1)
    other = await add(session, Role.assistant, q1, pinned=True)  # a regenerated answer: another branch
    branch = await chain(session, 20, parent=a1)
    candidates = await prompt_candidates(session, branch[-1].id, "c", 3 * (10 + MESSAGE_OVERHEAD_TOKENS))
    assert [m.id for m in candidates] == [q1.id, *(m.id for m in branch[-4:])]
    assert other.id not in {m.id for m in candidates}
