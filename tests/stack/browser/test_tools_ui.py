"""Tools and reasoning through `/v1` as the web UI shows them: a model's thinking folded apart from
its answer (open while it thinks), the tool calls it made and the results a program sent back."""

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_api_conversations_ui import listed
from tests.stack.browser.test_chat_ui import (
    ANSWERS,
    LONG,
    SHORT,
    answers,
    content,
    expect_answer,
    open_app,
    questions,
    shown_text,
    words,
)
from tests.stack.openai.test_tools import WEATHER, sdk
from tests.support.processes import wait_until
from tests.support.stack import Stack, Upstream, unique

pytestmark = pytest.mark.slow

ARGUMENTS = '{"city": "Oslo"}'
CALLING = ["The user asks about ", "the weather in Oslo; ", "get_weather will tell."]
READING = ["The tool says ", "twelve degrees."]
ANSWER = "It is 12 degrees."


def conversation_of(client: httpx.Client, answer_id: str) -> str:
    """The conversation an answer made through `/v1` is in."""
    reply = client.get(f"/api/messages/{answer_id}")
    reply.raise_for_status()
    found: str = reply.json()["conversation_id"]
    return found


def thinking(message: Locator) -> Locator:
    return message.get_by_test_id("thinking")


def expect_folded_thinking(message: Locator, reasoning: str) -> None:
    """A finished answer's thinking: there, folded away, and shown by a click on its summary; never
    part of the answer's text."""
    section = thinking(message)
    expect(section).to_have_count(1, timeout=SHORT)
    expect(section).not_to_have_attribute("open", "")
    summary, text = section.locator("summary"), section.get_by_test_id("thinking-text")
    expect(summary).to_have_text("Thinking")
    expect(text).to_be_hidden()
    summary.click()
    expect(section).to_have_attribute("open", "")
    expect(text).to_be_visible()
    expect(text).to_have_text(reasoning)
    assert reasoning not in shown_text(message)
    for piece in CALLING + READING:
        assert piece.strip() not in shown_text(message)


def test_a_tool_loop_made_through_the_api_reads_in_the_ui(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("weather loop ui")
    upstream.script(
        question,
        {
            "reasoning": CALLING,
            "tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": ARGUMENTS}],
        },
        {"reasoning": READING, "tokens": ["It is ", "12 degrees."]},
    )
    openai = sdk(stack)
    messages: list[Any] = [{"role": "user", "content": question}]
    first = openai.chat.completions.create(model="scripted", messages=messages, tools=[WEATHER])
    assert first.choices[0].finish_reason == "tool_calls"
    [call] = first.choices[0].message.tool_calls
    assert (call.id, call.function.name, call.function.arguments) == ("call_1", "get_weather", ARGUMENTS)
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": '{"degrees": 12}'},
    ]
    second = openai.chat.completions.create(model="scripted", messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == ANSWER
    # Chat Completions keeps nothing between requests: each one is a conversation of its own, the
    # second holding the whole loop (the thinking a client sends back is not kept).
    calling = conversation_of(client, first.id.removeprefix("chatcmpl-"))
    loop = conversation_of(client, second.id.removeprefix("chatcmpl-"))
    assert calling != loop

    # The whole loop, opened from the API's conversations as a person would.
    open_app(page, stack.api.url)
    page.get_by_test_id("source-api").click()
    listed(page, loop).get_by_test_id("conversation-title").click()
    expect(page).to_have_url(f"{stack.api.url}/c/{loop}", timeout=SHORT)
    expect(content(questions(page).last)).to_have_text(question, timeout=SHORT)
    final = expect_answer(page, ANSWER)
    expect(answers(page)).to_have_count(2)
    asked = answers(page).first
    # The call: its tool's name, its arguments as indented JSON; no text, no thinking sent back.
    [made] = asked.get_by_test_id("tool-call").all()
    expect(made).to_have_attribute("data-call-id", "call_1")
    expect(made.get_by_test_id("tool-name")).to_have_text("get_weather")
    arguments = made.get_by_test_id("tool-arguments")
    expect(arguments).to_contain_text("Oslo")
    expect(arguments).to_have_text(json.dumps(json.loads(ARGUMENTS), indent=2))
    assert shown_text(asked) == ""
    expect(thinking(asked)).to_have_count(0)
    # The result, between the call and the answer, named by the call it answers.
    result = page.locator('[data-testid="message"][data-role="tool"]')
    expect(result).to_have_count(1)
    shown = result.get_by_test_id("tool-result")
    expect(shown).to_have_attribute("data-call-id", "call_1")
    expect(shown).to_contain_text("Result of get_weather")
    expect(shown.get_by_test_id("message-content")).to_have_text('{"degrees": 12}')
    order = page.locator('[data-testid="message"]').evaluate_all("ms => ms.map(m => m.dataset.role)")
    assert order == ["user", "assistant", "tool", "assistant"]
    # The answer: its text alone, its thinking folded above it.
    expect(final.get_by_test_id("tool-call")).to_have_count(0)
    expect_folded_thinking(final, "".join(READING))
    assert shown_text(final) == ANSWER
    screenshot(page, "tool-loop")

    # The first request's conversation: the thinking that led to the call, folded above it.
    open_app(page, stack.api.url, f"/c/{calling}")
    expect(answers(page)).to_have_count(1, timeout=SHORT)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    expect(answer.get_by_test_id("tool-name")).to_have_text("get_weather")
    expect(answer.get_by_test_id("tool-arguments")).to_contain_text("Oslo")
    expect_folded_thinking(answer, "".join(CALLING))
    assert shown_text(answer) == ""


# The newest answer's thinking and text in one look, so each snapshot is of one moment.
SEEN_JS = f"""() => {{
  const all = document.querySelectorAll('{ANSWERS}');
  const last = all[all.length - 1];
  if (!last) return null;
  const section = last.querySelector('[data-testid="thinking"]');
  return {{
    status: last.getAttribute("data-status"),
    open: section ? section.open : null,
    summary: section?.querySelector("summary")?.textContent ?? null,
    thinking: section?.querySelector('[data-testid="thinking-text"]')?.textContent ?? "",
    text: last.querySelector('[data-testid="message-content"]')?.textContent?.trim() ?? "",
  }};
}}"""
THINKING_JS = f"""(longerThan) => {{
  const seen = ({SEEN_JS})();
  return seen && seen.open && seen.thinking.length > longerThan && !seen.text ? seen : null;
}}"""
"""The newest answer while it thinks: its thinking open, longer than `longerThan`, no text yet."""


def wait_for_thinking(page: Page, longer_than: int) -> dict[str, Any]:
    seen: dict[str, Any] = page.wait_for_function(
        THINKING_JS, arg=longer_than, polling=20, timeout=LONG
    ).json_value()
    return seen


def test_thinking_shows_live_while_the_model_thinks(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    question = unique("slow thinker")
    reasoning = [f"Thought {number}. " for number in range(12)]
    tokens, full = words(20)
    upstream.script(question, {"reasoning": reasoning, "tokens": tokens, "delay": 0.3})
    response = sdk(stack).responses.create(model="scripted", input=question, background=True)
    conversation = conversation_of(client, response.id.removeprefix("resp_"))

    open_app(page, stack.api.url, f"/c/{conversation}")
    expect(content(questions(page).last)).to_have_text(question, timeout=SHORT)
    early = wait_for_thinking(page, 0)
    assert early["status"] == "streaming"
    assert early["summary"] == "Thinking…"
    thought = "".join(reasoning)
    assert thought.startswith(early["thinking"])
    later = wait_for_thinking(page, len(early["thinking"]))
    assert later["status"] == "streaming"
    assert thought.startswith(later["thinking"])
    screenshot(page, "thinking-live")

    # The answer begins: its text below the thinking, which folds away, whole and apart.
    last = expect_answer(page, full)

    def completed() -> bool:
        return bool(client.get(f"/v1/responses/{response.id}").json()["status"] == "completed")

    wait_until(completed, 10, "the response to complete")
    section = thinking(last)
    expect(section).not_to_have_attribute("open", "", timeout=SHORT)
    expect(section.locator("summary")).to_have_text("Thinking")
    expect(section.get_by_test_id("thinking-text")).to_have_text(thought)
    for piece in reasoning:
        assert piece.strip() not in shown_text(last)
    assert shown_text(last) == full
