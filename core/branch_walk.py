"""Reading part of a branch: indexed walks along `parent_id`, so no request loads a whole conversation.

A branch is the path from a message up to its root. Each step of a walk is one primary-key
lookup, and a walk stops as soon as it has what it was asked for: a page of messages, the newest
turns that fit a prompt, or the newest message below one. Both SQLite and Postgres run these
recursive queries; their cost grows with what is read, not with the conversation's length.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from core.models import Conversation, Message, Role, Status, is_pinned
from core.tokens import MESSAGE_OVERHEAD_TOKENS

# A bound no real branch reaches: a parent_id cycle (corrupt data) cannot make a walk run forever.
MAX_DEPTH = 1_000_000
# A message written before counts were stored weighs about this many characters per token.
CHARS_PER_TOKEN_ESTIMATE = 4

_table: sa.Table = Message.__table__  # type: ignore[attr-defined]


def _prompt_weight(row: sa.FromClause) -> sa.ColumnElement[int]:
    """A message's tokens in a prompt, as stored (estimated where none is): 0 for what is never
    sent (the rule of worker/prompt.history_turns, in SQL)."""
    c = row.c
    sendable = sa.or_(
        c.role == Role.user, sa.and_(c.status.in_([Status.complete, Status.stopped]), c.content != "")
    )
    estimate = sa.func.length(c.content) / CHARS_PER_TOKEN_ESTIMATE
    tokens = sa.func.coalesce(c.tokens, estimate) + MESSAGE_OVERHEAD_TOKENS
    return sa.cast(sa.case((sendable, tokens), else_=0), sa.Integer)


def _integer(value: int) -> sa.ColumnElement[int]:
    # Typed: Postgres requires a recursive query's columns to keep the first row's types.
    return sa.cast(sa.literal(value), sa.Integer)


def _walk_up(name: str, *, tokens: bool = False) -> sa.CTE:
    """The branch from the message `:start_id` up: `depth` 1 is the start. It stops after `:rows`
    messages, or, with `tokens`, after the first message that does not fit in `:tokens` beside
    the newer ones. The values are bound parameters: each walk is built and compiled once."""
    m = _table
    first = sa.select(
        m.c.id,
        m.c.parent_id,
        _integer(1).label("depth"),
        _integer(0).label("newer"),
        _prompt_weight(m).label("weight"),
    ).where(m.c.id == sa.bindparam("start_id"))
    walk = first.cte(name, recursive=True)
    step = (
        sa.select(m.c.id, m.c.parent_id, walk.c.depth + 1, walk.c.newer + walk.c.weight, _prompt_weight(m))
        .join(walk, m.c.id == walk.c.parent_id)
        .where(walk.c.depth < sa.bindparam("rows"))
    )
    if tokens:
        step = step.where(walk.c.newer + walk.c.weight <= sa.bindparam("tokens"))
    return walk.union_all(step)


def _rows_of(walk: sa.CTE) -> SelectOfScalar[Message]:
    """The walk's messages, root first."""
    return select(Message).join(walk, col(Message.id) == walk.c.id).order_by(walk.c.depth.desc())


# Built once: making a recursive query's expression took longer than running it (3 ms a prompt).
_PAGE = _rows_of(_walk_up("branch_walk"))
_NEWEST_THAT_FIT = _rows_of(_walk_up("branch_walk", tokens=True))
_ABOVE = _walk_up("branch_walk")
_PINS_ABOVE = select(_ABOVE.c.id).where(_ABOVE.c.id.in_(sa.bindparam("pins", expanding=True)))


async def selected_leaf(session: AsyncSession, conversation: Conversation) -> str | None:
    """The conversation's selected leaf, or its newest message when none is recorded."""
    selected = conversation.selected_leaf_id
    if selected is not None and await session.get(Message, selected) is not None:
        return selected
    newest = await session.exec(
        select(Message.id)
        .where(Message.conversation_id == conversation.id)
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return newest.first()


async def page_up(session: AsyncSession, start_id: str, rows: int) -> list[Message]:
    """At most `rows` messages of the branch ending at `start_id`, root first."""
    found = await session.exec(_PAGE, params={"start_id": start_id, "rows": rows})
    return list(found)


async def prompt_candidates(
    session: AsyncSession, question_id: str, conversation_id: str, tokens: int
) -> list[Message]:
    """What a prompt for `question` may hold, root first, ending with the question: the branch's
    newest messages back to the first that does not fit `tokens`, and the branch's pins.

    A pin older than that is found with a walk of ids alone; only then does the walk go to the root.
    """
    params = {"start_id": question_id, "rows": MAX_DEPTH, "tokens": tokens}
    messages = list(await session.exec(_NEWEST_THAT_FIT, params=params))
    oldest = messages[0] if messages else None
    if oldest is None or oldest.parent_id is None:
        return messages
    pins = await session.exec(select(Message).where(Message.conversation_id == conversation_id, is_pinned()))
    older_pins = {pin.id: pin for pin in pins if pin.id < oldest.id}
    if not older_pins:
        return messages
    above = {"start_id": oldest.parent_id, "rows": MAX_DEPTH, "pins": list(older_pins)}
    on_branch = set(await session.exec(_PINS_ABOVE, params=above))
    return sorted((older_pins[i] for i in on_branch), key=lambda m: m.id) + messages


async def newest_leaf_under(session: AsyncSession, message_id: str) -> str:
    """The newest message in `message_id`'s subtree: the end of the branch through it used last.

    A child is always newer than its parent (ids are UUIDv7), so the newest is a leaf."""
    m = _table
    down = (
        sa.select(m.c.id, _integer(1).label("depth"))
        .where(m.c.id == message_id)
        .cte("subtree", recursive=True)
    )
    down = down.union_all(
        sa.select(m.c.id, down.c.depth + 1)
        .join(down, m.c.parent_id == down.c.id)
        .where(down.c.depth < MAX_DEPTH)
    )
    newest = (await session.exec(select(sa.func.max(down.c.id)))).one()
    return str(newest or message_id)


async def sibling_ids(
    session: AsyncSession, conversation_id: str, messages: Sequence[Message]
) -> dict[str, list[str]]:
    """Each message's siblings (itself included), oldest first: the messages with its parent."""
    parents = {m.parent_id for m in messages if m.parent_id is not None}
    same_parent: sa.ColumnElement[bool] = col(Message.parent_id).in_(parents)
    if any(m.parent_id is None for m in messages):
        roots = sa.and_(col(Message.conversation_id) == conversation_id, col(Message.parent_id).is_(None))
        same_parent = sa.or_(same_parent, roots)
    rows = await session.exec(
        select(Message.id, Message.parent_id).where(same_parent).order_by(col(Message.id))
    )
    children: dict[str | None, list[str]] = {}
    for child_id, parent_id in rows:
        children.setdefault(parent_id, []).append(child_id)
    return {m.id: children.get(m.parent_id, [m.id]) for m in messages}
