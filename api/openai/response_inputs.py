"""A stored response's input: the turns between the previous response's answer and its own."""

from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.response_objects import asked
from core.models import Message


async def input_turns(session: AsyncSession, answer: Message) -> tuple[list[Message], str | None]:
    """The response's input messages, oldest first, and the answer they continue (the previous
    response's), or None when they start the conversation."""
    turns: list[Message] = []
    parent_id = answer.parent_id
    while parent_id is not None:
        parent = await session.get(Message, parent_id)
        if parent is None or asked(parent.params):  # the previous response's answer
            break
        turns.append(parent)
        parent_id = parent.parent_id
    return turns[::-1], parent_id
