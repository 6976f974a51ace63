"""An answer stored from the Responses API, seen as OpenAI's response object."""

from typing import Any, Literal

from api.openai.responses_schemas import (
    CALL_PREFIX,
    MCP_CALL_PREFIX,
    MCP_LIST_PREFIX,
    OUTPUT_PREFIX,
    REASONING_PREFIX,
    RESPONSE_PREFIX,
    FunctionCallItem,
    IncompleteDetails,
    ItemStatus,
    McpCallError,
    McpCallItem,
    McpListToolsItem,
    OutputItem,
    OutputMessage,
    OutputText,
    ReasoningItem,
    ReasoningText,
    ResponseBody,
    ResponseError,
    ResponseStatus,
    ResponseUsage,
)
from core.models import Status
from core.schemas import MessageRead, ToolCallRead, ToolStep
from core.tools import SEPARATOR


def response_id(answer_id: str) -> str:
    return f"{RESPONSE_PREFIX}{answer_id}"


def answer_id_of(response: str) -> str | None:
    """The answer a response id names; None for what is not a response id."""
    return response.removeprefix(RESPONSE_PREFIX) if response.startswith(RESPONSE_PREFIX) else None


def asked(params: dict[str, Any] | None) -> dict[str, Any]:
    """What the Responses request kept of itself in its answer's params (empty: not a response)."""
    kept: dict[str, Any] = (params or {}).get("response") or {}
    return kept


def _status(answer: MessageRead) -> ResponseStatus:
    if answer.status == Status.queued:
        return "queued"
    if answer.status == Status.streaming:
        return "in_progress"
    if answer.status == Status.stopped:
        return "cancelled"
    if answer.status == Status.failed:
        return "failed"
    return "incomplete" if answer.finish_reason == "length" else "completed"


def item_status(status: ResponseStatus) -> ItemStatus:
    """An output item's status in a response of `status`."""
    if status in ("queued", "in_progress"):
        return "in_progress"
    return "completed" if status == "completed" else "incomplete"


def function_call_item(
    answer_id: str, index: int, call: ToolCallRead, status: ItemStatus
) -> FunctionCallItem:
    """An answer's tool call (OpenAI's Chat Completions shape, as stored) as a `function_call` item."""
    return FunctionCallItem(
        id=f"{CALL_PREFIX}{answer_id}_{index}",
        status=status,
        call_id=call.id,
        name=call.function.name,
        arguments=call.function.arguments,
    )


def mcp_list_items(answer_id: str, params: dict[str, Any] | None) -> list[McpListToolsItem]:
    """The tools each of the request's `mcp` tools allowed, as the response's first output items."""
    listed = asked(params).get("mcp_list_tools") or []
    return [
        McpListToolsItem(
            id=f"{MCP_LIST_PREFIX}{answer_id}_{n}", server_label=server["server_label"], tools=server["tools"]
        )
        for n, server in enumerate(listed)
    ]


def mcp_call_item(answer_id: str, index: int, step: ToolStep, status: ItemStatus) -> McpCallItem:
    """A tool step of the answer's tool loop as an `mcp_call` item: completed with its output,
    failed with its error, else as the response is (`status`)."""
    server, _, tool = step.name.partition(SEPARATOR)
    ended: Literal["in_progress", "completed", "incomplete", "failed"] = status
    if step.error is not None:
        ended = "failed"
    elif step.output is not None:
        ended = "completed"
    return McpCallItem(
        id=f"{MCP_CALL_PREFIX}{answer_id}_{index}",
        status=ended,
        server_label=server,
        name=tool,
        arguments=step.arguments,
        output=step.output,
        error=None if step.error is None else McpCallError(content=[{"type": "text", "text": step.error}]),
    )


def output_items(
    answer: MessageRead, status: ResponseStatus, params: dict[str, Any] | None
) -> list[OutputItem]:
    """What the answer said as output items: the tools its `mcp` tools listed, its reasoning, the
    calls its tool loop made, its text, its function calls. An answer that said nothing (or only
    called functions) has no message."""
    of_status = item_status(status)
    items: list[OutputItem] = [*mcp_list_items(answer.id, params)]
    if answer.reasoning:
        content = [ReasoningText(text=answer.reasoning)]
        items.append(ReasoningItem(id=f"{REASONING_PREFIX}{answer.id}", status=of_status, content=content))
    steps = answer.tool_steps or ()
    items += [mcp_call_item(answer.id, index, step, of_status) for index, step in enumerate(steps)]
    if answer.content or not answer.tool_calls:
        text = [OutputText(text=answer.content)]
        items.append(OutputMessage(id=f"{OUTPUT_PREFIX}{answer.id}", status=of_status, content=text))
    calls = answer.tool_calls or ()
    items += [function_call_item(answer.id, index, call, of_status) for index, call in enumerate(calls)]
    return items


def response_body(answer: MessageRead, params: dict[str, Any] | None) -> ResponseBody:
    """The response object of `answer` as it is now: its status, its text and usage once it ends."""
    kept, sampling = asked(params), params or {}
    status = _status(answer)
    final = status not in ("queued", "in_progress")
    usage = None
    if final and answer.prompt_tokens is not None:
        prompt, completion = answer.prompt_tokens, answer.completion_tokens or 0
        usage = ResponseUsage(
            input_tokens=prompt,
            output_tokens=completion,
            output_tokens_details={"reasoning_tokens": answer.reasoning_tokens or 0},
            total_tokens=prompt + completion,
        )
    return ResponseBody(
        id=response_id(answer.id),
        created_at=int(answer.created_at.timestamp()),
        status=status,
        background=kept.get("background", False),
        error=ResponseError(code=answer.error_code or "failed", message=answer.error or "The answer failed.")
        if status == "failed"
        else None,
        incomplete_details=IncompleteDetails(reason="max_output_tokens") if status == "incomplete" else None,
        instructions=sampling.get("instructions") or None,
        max_output_tokens=kept.get("max_output_tokens"),
        metadata=kept.get("metadata") or {},
        model=answer.model or "",
        output=output_items(answer, status, params)
        if final or answer.content or answer.tool_calls or answer.tool_steps
        else [],
        previous_response_id=kept.get("previous_response_id"),
        store=kept.get("store", True),
        temperature=sampling.get("temperature"),
        text=kept.get("text") or {"format": {"type": "text"}},
        tools=kept.get("tools") or [],
        tool_choice=kept.get("tool_choice") or "auto",
        parallel_tool_calls=kept.get("parallel_tool_calls", True) is not False,
        top_p=sampling.get("top_p"),
        usage=usage,
        user=sampling.get("user"),
    )
