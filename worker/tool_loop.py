"""An app answer's tool loop: the model calls the conversation's MCP tools, the worker runs each
call as a durable step (saved as it starts and as it ends, `message.tool_steps`), and the model is
asked again with the results, at most `RELAYCHAT_MAX_TOOL_STEPS` rounds; the last offers no tools.

A worker that takes the answer over goes on from the saved steps: a step that ended is never run
again; one that was under way is run again only if its tool is idempotent, else the model reads
that it was interrupted.
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from core import keys, metrics
from core.answer_parts import step_call, step_result
from core.events import EventType
from core.models import McpServer
from core.tasks import cancel_and_wait
from worker import answers
from worker.deps import WorkerDeps
from worker.run import AnswerRun, Fenced

logger = logging.getLogger(__name__)

# A model's function names are [A-Za-z0-9_-]: `<server>.<tool>` is offered as `<server>__<tool>`.
JOIN = "__"
INTERRUPTED = "The call was interrupted (the worker running it stopped) and was not repeated."
STOPPED = "Stopped before the tool answered."


@dataclass(frozen=True)
class OfferedTool:
    """A tool of a registered MCP server that the conversation picked."""

    model_name: str
    qualified: str  # `<server>.<tool>`
    server: McpServer
    tool: str
    description: str
    input_schema: dict[str, Any]
    idempotent: bool


def offered_tools(names: list[str] | None, servers: list[McpServer]) -> dict[str, OfferedTool]:
    """The picked tools that a registered server still lists, by the name the model calls them."""
    picked = set(names or ())
    offered: dict[str, OfferedTool] = {}
    for server in servers:
        for tool in server.tools or ():
            qualified = f"{server.name}.{tool['name']}"
            if qualified in picked:
                model_name = f"{server.name}{JOIN}{tool['name']}"[:64]
                offered[model_name] = OfferedTool(
                    model_name,
                    qualified,
                    server,
                    tool["name"],
                    tool.get("description", ""),
                    tool.get("input_schema") or {"type": "object"},
                    tool["name"] in (server.idempotent_tools or ()),
                )
    return offered


def _model_tools(tools: dict[str, OfferedTool]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {"name": t.model_name, "description": t.description, "parameters": t.input_schema},
        }
        for t in tools.values()
    ]


def offer(run: AnswerRun, max_rounds: int) -> None:
    """Offer the run's app tools to the model in this round (none in the last one). An answer
    without app tools keeps its parameters as they are: a /v1 client's own tools among them."""
    if not run.attempt.tools:
        return
    if run.round < max_rounds:
        run.model_params["tools"] = _model_tools(run.attempt.tools)
    else:
        run.model_params.pop("tools", None)


def _tool_named(run: AnswerRun, qualified: str) -> OfferedTool | None:
    """The run's tool a step names (`<server>.<tool>`); None when it is not offered."""
    return next((tool for tool in run.attempt.tools.values() if tool.qualified == qualified), None)


def _model_name(qualified: str) -> str:
    server, _, tool = qualified.partition(".")
    return f"{server}{JOIN}{tool}"[:64]


def _rounds(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps as the messages of their rounds: the model's calls, then each one's result."""
    messages: list[dict[str, Any]] = []
    for number in sorted({step["round"] for step in steps}):
        calls = [step for step in steps if step["round"] == number]
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": s["id"],
                        "type": "function",
                        "function": {"name": _model_name(s["name"]), "arguments": s["arguments"]},
                    }
                    for s in calls
                ],
            }
        )
        for step in calls:
            content = step.get("output") if step.get("error") is None else f"Error: {step['error']}"
            messages.append({"role": "tool", "tool_call_id": step["id"], "content": content or ""})
    return messages


def _next_round(run: AnswerRun, max_rounds: int) -> None:
    run.round += 1
    run.call_offset = max(run.said.calls, default=-1) + 1  # after every call said so far
    run.round_began = run.said.size
    run.messages = [*run.attempt.prompt.messages, *_rounds(run.steps)]
    offer(run, max_rounds)


async def save(deps: WorkerDeps, run: AnswerRun) -> None:
    """The steps as they are now, with the text said so far: what a takeover goes on from."""
    saved = await answers.save_steps(
        deps.sessionmaker, run.answer_id, run.attempt.number, run.said.text, run.steps
    )
    if not saved:
        raise Fenced(run.answer_id)


async def _write_end(run: AnswerRun, index: int, step: dict[str, Any]) -> None:
    event = step_result(index, step)
    await _log_end(run, event)
    run.say(EventType.tool_result, event)


async def _log_end(run: AnswerRun, event: dict[str, Any]) -> None:
    if await run.attempt_log.append((EventType.tool_result, event)) is None:
        raise Fenced(run.answer_id)


async def _result(deps: WorkerDeps, run: AnswerRun, index: int, step: dict[str, Any]) -> None:
    """The step's end, in the log and saved (at once: neither needs the other)."""
    event = step_result(index, step)
    await _logged_and_saved(deps, run, event)
    run.say(EventType.tool_result, event)


async def _logged_and_saved(deps: WorkerDeps, run: AnswerRun, event: dict[str, Any]) -> None:
    ended = await asyncio.gather(_log_end(run, event), save(deps, run), return_exceptions=True)
    for outcome in ended:
        if isinstance(outcome, BaseException):
            raise outcome


async def _call(deps: WorkerDeps, run: AnswerRun, step: dict[str, Any]) -> None:
    """Run one step's call, and count how it ended (`relaychat_tool_steps_total`)."""
    await _run_call(deps, run, step)
    error = step.get("error")
    metrics.TOOL_STEPS.labels("ok" if error is None else "stopped" if error == STOPPED else "error").inc()


async def _run_call(deps: WorkerDeps, run: AnswerRun, step: dict[str, Any]) -> None:
    """Run one step's call, within the tool time limit, unless a Stop comes first."""
    tool = _tool_named(run, step["name"])
    if tool is None:
        step |= {"error": f"No tool is named {step['name']}.", "duration_ms": 0}
        return
    try:
        arguments = json.loads(step["arguments"] or "{}")
        if not isinstance(arguments, dict):
            raise ValueError("not an object")
    except ValueError as error:
        step |= {"error": f"The arguments are not a JSON object: {error}", "duration_ms": 0}
        return
    limit = deps.settings.tool_timeout_seconds
    started = time.monotonic()
    calling = asyncio.create_task(deps.mcp.call(tool.server, tool.tool, arguments, limit))
    stopped = asyncio.create_task(run.stop.wait())
    waited: set[asyncio.Future[Any]] = {calling, stopped, run.halted}
    try:
        done, _ = await asyncio.wait(waited, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if calling not in done:
        await cancel_and_wait(calling)  # the server hears of it: MCP's cancellation, the request closed
        if run.halted.done():
            run.halted.result()  # raises why the run halted: nothing more may be written
        step |= {"error": STOPPED, "duration_ms": round((time.monotonic() - started) * 1000)}
        return
    result = calling.result()
    step |= {"output": result.output, "error": result.error, "duration_ms": result.duration_ms}


async def run_calls(deps: WorkerDeps, run: AnswerRun) -> Callable[[], Awaitable[None]] | None:
    """Run the calls the model made in this round, each a saved step. Returns the round's end,
    for the caller to await while it asks the model again with their results; None when the loop
    ends here (no calls, or a Stop came). The caller watches for a Stop.

    The round's end is its last result, said but neither in the log nor saved: the caller writes
    and saves it while the model is asked again, and writes nothing of the next round before it
    has (the `start` of worker/streaming.py). Awaited before the next request instead, it would
    cost each step a Redis round trip and a database write for no stronger promise."""
    calls = [(i, run.said.calls[i]) for i in sorted(run.said.calls) if i >= run.call_offset]
    if not calls or run.stop.is_set():
        return None
    steps = [
        {
            "id": call.id,
            "name": call.name,  # as the conversation picked it (worker/streaming.py)
            "arguments": call.arguments,
            "round": run.round,
        }
        for _, call in calls
    ]
    run.steps += steps
    await save(deps, run)  # under way: a takeover knows these calls were made
    for index, step in zip((index for index, _ in calls[:-1]), steps[:-1], strict=True):
        await _ran(deps, run, step)
        await _result(deps, run, index, step)
    last = step_result(calls[-1][0], await _ran(deps, run, steps[-1]))
    run.say(EventType.tool_result, last)  # said now: the next round's text comes after it
    round_end = partial(_logged_and_saved, deps, run, last)
    if run.stop.is_set():
        await round_end()
        return None
    _next_round(run, deps.settings.max_tool_steps)
    return round_end


async def _ran(deps: WorkerDeps, run: AnswerRun, step: dict[str, Any]) -> dict[str, Any]:
    """The step, called, or ended at once by a Stop that came before it."""
    if run.stop.is_set():
        step |= {"error": STOPPED, "duration_ms": 0}
    else:
        await _call(deps, run, step)
    return step


async def resume(deps: WorkerDeps, run: AnswerRun, text: str) -> bool:
    """Go on from the steps an earlier attempt saved (with `text`, what it had said by then):
    write them into this attempt's log, end the steps that were under way, and set up the next
    round. True when the model is to be asked again. The caller watches for a Stop; one that
    came before it did left its flag."""
    if await deps.redis.exists(keys.stop(run.answer_id)):
        run.stop.set()
    said: list[tuple[EventType, dict[str, Any]]] = [(EventType.delta, {"text": text})] if text else []
    said += [(EventType.tool_call, step_call(index, step)) for index, step in enumerate(run.steps)]
    if said and await run.attempt_log.append(*said) is None:
        raise Fenced(run.answer_id)
    for kind, data in said:
        run.say(kind, data)
    for index, step in enumerate(run.steps):
        if "output" in step or "error" in step:
            await _write_end(run, index, step)
            continue
        tool = _tool_named(run, step["name"])
        if tool is not None and tool.idempotent and not run.stop.is_set():
            await _call(deps, run, step)
        else:
            step |= {"error": INTERRUPTED, "duration_ms": 0}
        await _result(deps, run, index, step)
    if run.stop.is_set():
        return False
    run.round = max(step["round"] for step in run.steps)
    _next_round(run, deps.settings.max_tool_steps)
    return True
