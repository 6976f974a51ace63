"""The tool loop's plain parts: which tools are offered, the rounds as messages, and a /v1
client's own tools left as they were (no processes)."""

import dataclasses

from core.eventlog import AttemptLog, EventLog
from core.models import McpServer, McpTransport
from tests.worker.test_run import ATTEMPT
from worker.run import AnswerRun
from worker.tool_loop import _rounds, offer, offered_tools

SERVER = McpServer(
    name="web",
    transport=McpTransport.http,
    url="http://tools/mcp",
    tools=[
        {"name": "fetch", "description": "Fetch a page", "input_schema": {"type": "object"}},
        {"name": "search"},
    ],
    idempotent_tools=["fetch"],
)


def run_of(**fields: object) -> AnswerRun:
    attempt = dataclasses.replace(ATTEMPT, **fields)  # type: ignore[arg-type]
    return AnswerRun(attempt, AttemptLog(EventLog.__new__(EventLog), "m1", 1))


def test_only_picked_tools_that_a_server_still_lists_are_offered_by_a_model_safe_name() -> None:
    offered = offered_tools(["web.fetch", "web.gone", "other.search"], [SERVER])
    assert list(offered) == ["web__fetch"]
    assert (offered["web__fetch"].qualified, offered["web__fetch"].idempotent) == ("web.fetch", True)


async def test_a_clients_own_tools_are_kept_when_the_conversation_picked_none() -> None:
    """Regression: offering no app tools removed a /v1 request's own `tools` from what the model got."""
    client_tools = [{"type": "function", "function": {"name": "get_weather"}}]
    run = run_of(model_params={"tools": client_tools})
    offer(run, max_rounds=8)
    assert run.model_params["tools"] == client_tools


async def test_app_tools_are_offered_until_the_last_round() -> None:
    run = run_of(tools=offered_tools(["web.fetch"], [SERVER]))
    offer(run, max_rounds=2)
    assert [t["function"]["name"] for t in run.model_params["tools"]] == ["web__fetch"]
    run.round = 2
    offer(run, max_rounds=2)
    assert "tools" not in run.model_params


def test_steps_become_each_rounds_calls_then_their_results() -> None:
    steps = [
        {"id": "a", "name": "web.fetch", "arguments": "{}", "round": 0, "output": "page"},
        {"id": "b", "name": "web.search", "arguments": "{}", "round": 0, "error": "down"},
        {"id": "c", "name": "web.fetch", "arguments": "{}", "round": 1, "output": "more"},
    ]
    messages = _rounds(steps)
    assert [m["role"] for m in messages] == ["assistant", "tool", "tool", "assistant", "tool"]
    assert [c["function"]["name"] for c in messages[0]["tool_calls"]] == ["web__fetch", "web__search"]
    assert messages[2] == {"role": "tool", "tool_call_id": "b", "content": "Error: down"}
