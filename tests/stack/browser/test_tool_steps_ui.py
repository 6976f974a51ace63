"""A conversation's MCP tools in the web UI, end to end: real Chromium on the built UI, the tests' MCP
server over Streamable HTTP, registered by the admin.

The tools are picked in the conversation's settings; the worker runs each call the model makes as a
step, which the answer shows above its text as a folded card (its tool, its time; open: its
arguments and what it gave, or its error). A reload shows the same steps, read from the database.
A slow step shows as a call while it runs, and Stop ends it: the card says so, and the MCP server
heard of the cancellation.
"""

import json
import re
import sys
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_chat_ui import (
    LONG,
    SHORT,
    answers,
    content,
    conversation_id,
    expect_answer,
    open_app,
    send,
    shown_text,
    stored,
)
from tests.stack.tools.conftest import McpHttp, registered
from tests.stack.tools.conftest import mcp_http as mcp_http  # the fixture, for this module's tests
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, unique

pytestmark = pytest.mark.slow

TEST_TOOLS = ["add", "slow", "fail", "record"]
ANSWER = ["The sum is 5; ", "saving it failed: the disk is full."]
STOPPED = "Stopped before the tool answered."
# The card's summary: what it did, the tool as the conversation picked it, and how long it took.
TOOK = r" · (\d+ ms|\d+\.\d s)"


def register(client: httpx.Client, mcp_http: McpHttp) -> str:
    """The tests' MCP server, registered under a name of its own and listed by a worker: its name."""
    name = unique("steps").lower().replace(" ", "-")[:24]
    server = registered(client, {"name": name, "url": mcp_http.url})
    assert server["status"] == "ok", server
    assert sorted(tool["name"] for tool in server["tools"]) == sorted(TEST_TOOLS)
    return name


def call(name: str, tool: str, arguments: dict[str, Any], call_id: str) -> dict[str, Any]:
    """A scripted model response that calls `<name>.<tool>`, as the model is offered it."""
    return {"tool_calls": [{"id": call_id, "name": f"{name}__{tool}", "arguments": json.dumps(arguments)}]}


def choice(page: Page, tool: str) -> Locator:
    return page.get_by_test_id("tool-picker").locator(f'[data-testid="tool-choice"][value="{tool}"]')


def open_settings(page: Page) -> Locator:
    page.get_by_test_id("settings-button").click()
    panel = page.get_by_test_id("settings-panel")
    expect(panel).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("tool-picker")).to_be_visible(timeout=SHORT)
    return panel


def pick_tools(page: Page, name: str, tools: list[str]) -> None:
    """A new chat's settings: these tools of the server checked (and no other of its), saved."""
    panel = open_settings(page)
    for tool in TEST_TOOLS:
        expect(choice(page, f"{name}.{tool}")).not_to_be_checked()
    for tool in tools:
        choice(page, f"{name}.{tool}").check()
    screenshot(page, "tool-picker")
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)


def expect_picked(page: Page, name: str, tools: list[str]) -> None:
    """The settings, opened again, have exactly these tools of the server checked; closed again."""
    panel = open_settings(page)
    for tool in TEST_TOOLS:
        box = choice(page, f"{name}.{tool}")
        if tool in tools:
            expect(box).to_be_checked(timeout=SHORT)
        else:
            expect(box).not_to_be_checked(timeout=SHORT)
    panel.get_by_role("button", name="Cancel").click()
    expect(panel).to_be_hidden(timeout=SHORT)


def steps(message: Locator) -> Locator:
    return message.get_by_test_id("tool-step")


def summary(step: Locator) -> Locator:
    return step.locator("summary")


def expect_folded(step: Locator, status: str, tool: str) -> None:
    """A step's card as it first shows: folded to its outcome, its tool and its time."""
    expect(step).to_have_attribute("data-status", status, timeout=SHORT)
    expect(step).not_to_have_attribute("open", "")
    expect(step.get_by_test_id("tool-name")).to_have_text(tool)
    said = "Used " if status == "ok" else "Tool failed: "
    expect(summary(step)).to_have_text(re.compile("^" + re.escape(said + tool) + TOOK + "$"))
    expect(step.get_by_test_id("tool-arguments")).to_be_hidden()
    expect(step.get_by_test_id("tool-output" if status == "ok" else "tool-error")).to_be_hidden()


def unfold(step: Locator) -> None:
    summary(step).click()
    expect(step).to_have_attribute("open", "", timeout=SHORT)


def above(upper: Locator, lower: Locator) -> bool:
    """`upper` ends, on the page, before `lower` begins."""
    top, bottom = upper.bounding_box(), lower.bounding_box()
    assert top is not None, "not shown"
    assert bottom is not None, "not shown"
    return top["y"] + top["height"] <= bottom["y"]


def expect_loop_answer(page: Page, name: str, full: str) -> Locator:
    """The answer of the add-then-fail loop: its text, the two steps folded above it, then each
    opened: the sum's arguments and result, the failure's error."""
    answer = expect_answer(page, full)
    expect(steps(answer)).to_have_count(2, timeout=SHORT)
    expect(answer.get_by_test_id("tool-call")).to_have_count(2)  # the steps, and no other call
    added, failed = steps(answer).first, steps(answer).nth(1)
    expect_folded(added, "ok", f"{name}.add")
    expect_folded(failed, "error", f"{name}.fail")
    assert above(added, failed)
    assert above(failed, content(answer))

    unfold(added)
    expect(added.get_by_test_id("tool-arguments")).to_have_text(json.dumps({"a": 2, "b": 3}, indent=2))
    expect(added.get_by_test_id("tool-output")).to_be_visible()
    expect(added.get_by_test_id("tool-output")).to_have_text("5.0")
    expect(added.get_by_test_id("tool-error")).to_have_count(0)
    unfold(failed)
    expect(failed.get_by_test_id("tool-arguments")).to_have_text(
        json.dumps({"reason": "disk full"}, indent=2)
    )
    error = failed.get_by_test_id("tool-error")
    expect(error).to_be_visible()
    expect(error).to_have_text("Error executing tool fail: disk full")  # the tool's own reason in it
    expect(failed.get_by_test_id("tool-output")).to_have_count(0)
    assert shown_text(answer) == full  # the steps are no part of the text
    return answer


def test_a_conversation_picks_tools_and_its_answer_shows_each_step_through_a_reload(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = register(client, mcp_http)
    question = unique("add then fail")
    upstream.script(
        question,
        call(name, "add", {"a": 2, "b": 3}, "call_1"),
        call(name, "fail", {"reason": "disk full"}, "call_2"),
        {"tokens": ANSWER},
    )
    full = "".join(ANSWER)

    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()
    expect(page).to_have_url(f"{stack.api.url}/", timeout=SHORT)
    pick_tools(page, name, ["add", "fail"])
    send(page, question)
    answer = expect_loop_answer(page, name, full)
    screenshot(page, "tool-steps")

    # What the page showed is what was done: the model offered the two tools, each called once.
    conversation = conversation_id(page)
    kept = client.get(f"/api/conversations/{conversation}").json()
    assert sorted(kept["tools"]) == [f"{name}.add", f"{name}.fail"]
    offered = sorted(tool["function"]["name"] for tool in upstream.requests(question)[0]["tools"])
    assert offered == [f"{name}__add", f"{name}__fail"]
    assert [note["event"] for note in mcp_http.seen("add")] == ["call"]
    assert [note["event"] for note in mcp_http.seen("fail")] == ["call"]
    added, failed = stored(client, answer)["tool_steps"]
    assert (added["name"], added["output"], added["error"]) == (f"{name}.add", "5.0", None)
    assert (failed["name"], failed["output"]) == (f"{name}.fail", None)
    expect(steps(answer).nth(1).get_by_test_id("tool-error")).to_have_text(failed["error"])

    # The settings, opened again, keep both tools.
    expect_picked(page, name, ["add", "fail"])

    # A reload reads it all from the database: the same cards, folded again, and the same text.
    page.reload()
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)
    expect(answers(page)).to_have_count(1, timeout=SHORT)
    expect_loop_answer(page, name, full)
    expect_picked(page, name, ["add", "fail"])


def test_a_slow_step_shows_while_it_runs_and_stop_ends_it(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream, mcp_http: McpHttp
) -> None:
    name = register(client, mcp_http)
    question = unique("slow step")
    upstream.script(question, call(name, "slow", {"seconds": 30}, "call_1"))

    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()
    pick_tools(page, name, ["slow"])
    send(page, question)

    # While the tool runs: the answer streams, showing the call it waits on, with its arguments.
    answer = answers(page).last
    calling = answer.get_by_test_id("tool-call")
    expect(calling).to_have_count(1, timeout=LONG)
    expect(calling.locator(".tool-label")).to_contain_text("Calling ", timeout=SHORT)
    # Named as the conversation picked it, while it runs as once it ends.
    expect(calling.get_by_test_id("tool-name")).to_have_text(f"{name}.slow")
    expect(calling.get_by_test_id("tool-arguments")).to_have_text(json.dumps({"seconds": 30}, indent=2))
    wait_until(lambda: bool(mcp_http.seen("slow")), 10, "the MCP server to be called")
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(steps(answer)).to_have_count(0)
    screenshot(page, "tool-step-running")

    # Stop: the answer ends at once (not after the tool's 30 s), and the tool's call with it.
    stop = page.get_by_test_id("stop-button")
    expect(stop).to_be_visible(timeout=SHORT)
    stopped_at = time.monotonic()
    stop.click()
    expect(answer).to_have_attribute("data-status", "stopped", timeout=5_000)
    assert time.monotonic() - stopped_at < 5
    expect(answer.get_by_text("Stopped", exact=True)).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("send-button")).to_be_visible(timeout=SHORT)
    expect(stop).to_be_hidden(timeout=SHORT)

    def expect_stopped_step() -> None:
        [step] = steps(answer).all()
        expect_folded(step, "error", f"{name}.slow")
        unfold(step)
        expect(step.get_by_test_id("tool-error")).to_have_text(STOPPED)
        expect(step.get_by_test_id("tool-arguments")).to_have_text(json.dumps({"seconds": 30}, indent=2))
        expect(answer.get_by_test_id("tool-call")).to_have_count(1)  # the step, not the call again
        assert shown_text(answer) == ""

    expect(steps(answer)).to_have_count(1, timeout=SHORT)
    expect_stopped_step()
    screenshot(page, "tool-step-stopped")

    def cancelled() -> bool:
        return any(note["event"] == "cancelled" for note in mcp_http.seen("slow"))

    wait_until(cancelled, 5, "the MCP server to hear the call was cancelled")
    assert [note["event"] for note in mcp_http.seen("slow")] == ["call", "cancelled"]
    message = stored(client, answer)
    assert message["status"] == "stopped"
    [saved] = message["tool_steps"]
    assert (saved["name"], saved["error"]) == (f"{name}.slow", STOPPED)
    assert len(upstream.requests(question)) == 1  # the model was not asked again

    # After a reload: the same stopped answer and its card.
    page.reload()
    expect(answers(page)).to_have_count(1, timeout=SHORT)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "stopped", timeout=SHORT)
    expect(answer.get_by_text("Stopped", exact=True)).to_be_visible()
    expect(steps(answer)).to_have_count(1, timeout=SHORT)
    expect_stopped_step()


def test_a_third_party_servers_tool_from_the_web_ui(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    """`mcp-server-time` from PyPI, run by the worker over stdio: picked in the settings, called by
    the model, its real output on the card."""
    clock = unique("clock").lower().replace(" ", "-")[:24]
    server = registered(client, {"name": clock, "command": sys.executable, "args": ["-m", "mcp_server_time"]})
    assert server["status"] == "ok", server
    question = unique("what time")
    asking = {"timezone": "Europe/Paris"}
    upstream.script(question, call(clock, "get_current_time", asking, "call_1"), {"tokens": ["It is late."]})

    open_app(page, stack.api.url)
    page.get_by_test_id("new-chat").click()
    panel = open_settings(page)
    choice(page, f"{clock}.get_current_time").check()
    expect(choice(page, f"{clock}.convert_time")).not_to_be_checked()
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)
    send(page, question)

    answer = expect_answer(page, "It is late.")
    [step] = steps(answer).all()
    expect_folded(step, "ok", f"{clock}.get_current_time")
    unfold(step)
    output = step.get_by_test_id("tool-output")
    expect(output).to_contain_text('"timezone": "Europe/Paris"')
    shown = json.loads(output.inner_text())
    assert shown["timezone"] == "Europe/Paris"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$", shown["datetime"]), shown
    screenshot(page, "tool-step-third-party")
    [saved] = stored(client, answer)["tool_steps"]
    assert json.loads(saved["output"]) == shown
