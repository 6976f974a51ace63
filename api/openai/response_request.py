"""A Responses API request as relaychat answers it: its input as turns below the previous
response's answer (its conversation, continued) or in a new conversation from the API, with what
the request asked of itself kept in the answer's params (api/starting.py)."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from api.lookups import find_message, find_response
from api.openai.chat_request import model_named, refuse_missing, refuse_not_offered, text_of, tool_params
from api.openai.chat_schemas import MAX_TURNS
from api.openai.input_files import FilePart, file_parts, response_file_part
from api.openai.mcp_tools import pick_mcp_tools
from api.openai.response_inputs import input_items
from api.openai.responses_schemas import (
    NOT_OFFERED,
    FunctionTool,
    FunctionToolChoice,
    McpTool,
    ResponseRequest,
)
from api.refusals import Conflict, Invalid, NotFound
from api.starting import Turn, Turns
from core.catalog import Catalog
from core.models import FINAL_STATUSES, Conversation, Message, Role

INPUT_PARTS = ("input_text", "output_text", "text")
FILE_PARTS = ("input_image", "input_file")
MAX_CALL_ID = 100
# Output items a client may send back that the prompt leaves out, by their ids' prefix.
LEFT_OUT = {"rs": "reasoning", "mcpl": "mcp_list_tools", "mcp": "mcp_call"}
PREVIOUS_NOT_FOUND = "No stored response has this id"
PREVIOUS_RUNNING = "The previous response is still running: wait for it or cancel it first."


def _check_supported(body: ResponseRequest) -> None:
    refuse_not_offered(body.model_extra, NOT_OFFERED)
    if body.background and not body.store:
        raise Invalid("a background response must be stored", param="store")


async def _dereferenced(
    session: AsyncSession, owner: str, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The input with each `item_reference` replaced by the stored item it names: a message, a
    function call or its output (as `input_items` lists them), or an answer's reasoning. Clients
    that know their responses are stored (the AI SDK) send earlier output this way."""
    resolved = list(items)
    for index, item in enumerate(items):
        if item.get("type") != "item_reference":
            continue
        item_id = item.get("id")
        prefix, _, rest = item_id.partition("_") if isinstance(item_id, str) else ("", "", "")
        message_id = rest.rsplit("_", 1)[0] if prefix in ("fc", "mcp", "mcpl") else rest
        try:
            message = await find_message(session, message_id, owner)
        except NotFound:
            raise Invalid("no stored item has this id", param=f"input[{index}].id") from None
        if prefix in LEFT_OUT:
            resolved[index] = {"type": LEFT_OUT[prefix]}
            continue
        found = [i.model_dump() for i in input_items(message) if i.id == item_id]
        if not found:
            raise Invalid("no stored item has this id", param=f"input[{index}].id")
        resolved[index] = found[0]
    return resolved


def _turns(items: list[dict[str, Any]]) -> tuple[list[str], list[Turn]]:
    """The input's system and developer texts, and its other items as turns: messages, function
    calls (with the assistant message before them, one turn) and their outputs."""
    system: list[str] = []
    turns: list[Turn] = []
    for index, item in enumerate(items):
        param = f"input[{index}]"
        kind = item.get("type", "message")
        if kind == "function_call":
            call = _function_call(item, param)
            last = turns[-1] if turns else None
            if last is not None and last.role == Role.assistant:
                turns[-1] = replace(last, tool_calls=[*(last.tool_calls or ()), call])
            else:
                turns.append(Turn(Role.assistant, "", param, [call]))
        elif kind == "function_call_output":
            call_id = _string(item, "call_id", param, MAX_CALL_ID)
            output = text_of(item.get("output"), param, INPUT_PARTS, field="output")
            turns.append(Turn(Role.tool, output, param, tool_call_id=call_id))
        elif kind in LEFT_OUT.values():
            # The model's own thinking, sent back: as in Chat Completions, not sent to it again.
            # A tool loop's listings and calls: the answer after them says what they gave.
            continue
        elif kind == "message" and (role := item.get("role")) in ("user", "assistant", "system", "developer"):
            file_types = FILE_PARTS if role == "user" else ()
            text = text_of(item.get("content"), param, INPUT_PARTS, file_types=file_types)
            if role in ("system", "developer"):
                system.append(text)
            else:
                turns.append(Turn(Role(role), text, param))
        else:
            raise Invalid(
                "only messages, function calls and their outputs, references to stored ones, and "
                "reasoning and mcp items (which are left out) are supported",
                param=param,
            )
    return system, turns


def _string(item: dict[str, Any], name: str, param: str, limit: int) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise Invalid(f"must be a string of 1 to {limit} characters", param=f"{param}.{name}")
    return value


def _function_call(item: dict[str, Any], param: str) -> dict[str, Any]:
    """A `function_call` input item as an assistant message's tool call."""
    name = _string(item, "name", param, 64)
    arguments = item.get("arguments")
    if not isinstance(arguments, str):
        raise Invalid("must be the arguments' JSON text", param=f"{param}.arguments")
    call_id = _string(item, "call_id", param, MAX_CALL_ID)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


async def _previous(session: AsyncSession, owner: str, response_id: str) -> tuple[Conversation, Message]:
    """The conversation a previous response is in, and its answer, which the new turns follow."""
    try:
        answer = await find_response(session, response_id, owner)
    except NotFound:
        raise NotFound(PREVIOUS_NOT_FOUND, param="previous_response_id") from None
    if answer.status not in FINAL_STATUSES:
        raise Conflict(PREVIOUS_RUNNING, clears=True)
    conversation = await session.get(Conversation, answer.conversation_id)
    assert conversation is not None  # the lookup joined it
    return conversation, answer


async def _mcp_params(
    session: AsyncSession,
    mcp: list[tuple[int, McpTool]],
    functions: list[dict[str, Any]],
    body: ResponseRequest,
    kept: dict[str, Any],
) -> dict[str, Any]:
    """The answer's params for a request with `mcp` tools: the registered tools its tool loop
    may use, kept with their listing for the response's output; nothing when `tool_choice` is none."""
    if functions:
        raise Invalid("function tools and mcp tools cannot be given in one request yet", param="tools")
    if body.tool_choice not in (None, "auto", "none"):
        raise Invalid("with mcp tools, tool_choice may be auto or none", param="tool_choice")
    if body.tool_choice == "none":
        return {}
    pick = await pick_mcp_tools(session, mcp)
    kept["mcp_list_tools"] = pick.listed
    return {"app_tools": pick.tools}


def response_files(catalog: Catalog, body: ResponseRequest, max_upload_mb: float) -> list[FilePart]:
    """The files the input's user messages bring (`input_image`, `input_file` parts), checked
    before anything is stored (api/openai/input_files.py)."""
    model = model_named(catalog, body.model)
    if isinstance(body.input, str):
        return []
    contents = [
        (item.get("content"), f"input[{index}]")
        for index, item in enumerate(body.input)
        if item.get("type", "message") == "message" and item.get("role") == "user"
    ]
    return file_parts(contents, response_file_part, model, max_upload_mb)


async def response_turns(
    session: AsyncSession,
    catalog: Catalog,
    owner: str,
    body: ResponseRequest,
    files: Sequence[tuple[str, str]] = (),
) -> Turns:
    """What the request asks: its input below the previous response (or in a new conversation);
    `files` (ids, with the parts that brought them) go with its question.

    `instructions` (with the input's system and developer messages) are this answer's system
    prompt alone: as in OpenAI's API, a continued response does not inherit the previous ones'."""
    _check_supported(body)
    model = model_named(catalog, body.model)
    if isinstance(body.input, str):
        system: list[str] = []
        turns = [Turn(Role.user, body.input, "input")]
    elif len(body.input) > MAX_TURNS:
        raise Invalid(f"at most {MAX_TURNS:,} items", param="input")
    else:
        system, turns = _turns(await _dereferenced(session, owner, body.input))
    instructions = "\n\n".join(text for text in [body.instructions or "", *system] if text)
    kept: dict[str, Any] = {
        "background": body.background,
        "store": body.store,
        "metadata": body.metadata or {},
        "previous_response_id": body.previous_response_id,
        "max_output_tokens": body.max_output_tokens,
    }
    params: dict[str, Any] = {"instructions": instructions, "response": kept}
    params |= {
        name: value for name in ("temperature", "top_p", "user") if (value := getattr(body, name)) is not None
    }
    if body.max_output_tokens is not None:
        params["max_tokens"] = body.max_output_tokens
    if body.text is not None:
        kept["text"] = body.text.model_dump(by_alias=True, exclude_none=True)
        if (response_format := body.text.format.for_model()) is not None:
            params["response_format"] = response_format
    if body.reasoning is not None and body.reasoning.effort is not None:
        params["reasoning_effort"] = body.reasoning.effort
    choice: object = body.tool_choice
    if isinstance(body.tool_choice, FunctionToolChoice):
        choice = {"type": "function", "function": {"name": body.tool_choice.name}}
    tools = [tool.for_model() for tool in body.tools or () if isinstance(tool, FunctionTool)]
    mcp = [(index, tool) for index, tool in enumerate(body.tools or ()) if isinstance(tool, McpTool)]
    if mcp:
        params |= await _mcp_params(session, mcp, tools, body, kept)
    else:
        params |= tool_params(tools, choice, body.parallel_tool_calls)
    if body.tools:  # as the response object shows them
        kept["tools"] = [tool.model_dump(exclude_none=True) for tool in body.tools or ()]
        kept["tool_choice"] = (
            body.tool_choice.model_dump() if isinstance(body.tool_choice, BaseModel) else body.tool_choice
        )
        kept["parallel_tool_calls"] = body.parallel_tool_calls
    # Named as the Responses API names them.
    refuse_missing(model, params, "tools", "tools")
    refuse_missing(model, params, "app_tools", "tools", param="tools")
    refuse_missing(model, params, "response_format", "structured_outputs", param="text.format")
    refuse_missing(model, params, "reasoning_effort", "reasoning", param="reasoning.effort")
    conversation, parent_id, earlier_calls = None, None, frozenset[str]()
    if body.previous_response_id:
        conversation, previous = await _previous(session, owner, body.previous_response_id)
        parent_id = previous.id
        earlier_calls = frozenset(call["id"] for call in previous.tool_calls or ())
    return Turns(
        owner=owner,
        param="input",
        conversation=conversation,
        parent_id=parent_id,
        turns=turns,
        model=model,
        system_prompt=instructions,
        params=params,
        earlier_calls=earlier_calls,
        files=files,
    )
