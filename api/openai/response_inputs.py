"""A stored response's input: the turns between the previous response's answer and its own."""

from sqlmodel.ext.asyncio.session import AsyncSession

from api.openai.response_objects import asked, function_call_item
from api.openai.responses_schemas import (
    OUTPUT_PREFIX,
    FunctionCallItem,
    FunctionCallOutput,
    InputMessage,
    InputText,
)
from core.models import Message, Role
from core.schemas import ToolCallRead


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


def input_items(turn: Message) -> list[InputMessage | FunctionCallItem | FunctionCallOutput]:
    """A stored turn as the input items that gave it: a message, a tool's output, or an answer's
    text and function calls."""
    item_id = f"{OUTPUT_PREFIX}{turn.id}"
    if turn.role == Role.tool:
        return [FunctionCallOutput(id=item_id, call_id=turn.tool_call_id or "", output=turn.content)]
    if turn.role == Role.user:
        return [
            InputMessage(id=item_id, role="user", content=[InputText(type="input_text", text=turn.content)])
        ]
    items: list[InputMessage | FunctionCallItem | FunctionCallOutput] = []
    if turn.content or not turn.tool_calls:
        text = [InputText(type="output_text", text=turn.content)]
        items.append(InputMessage(id=item_id, role="assistant", content=text))
    calls = [ToolCallRead.model_validate(call) for call in turn.tool_calls or ()]
    items += [function_call_item(turn.id, index, call, "completed") for index, call in enumerate(calls)]
    return items
