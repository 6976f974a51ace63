"""Limits and usage in the web UI, end to end: real Chromium on the built UI, one deployment for the module.

A question over a limit shows the server's sentence where send errors show; an answer that ended is a
bar for today on the user's usage page; the admin sorts every account's usage, and sets a user's own
limits and each role's defaults on the admin page.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_accounts_ui import open_menu_item, open_page, user_row
from tests.stack.browser.test_chat_ui import SHORT, expect_answer, questions, script_answer, send
from tests.support.accounts import Member, new_user, signed_in
from tests.support.processes import wait_until
from tests.support.stack import (
    SIGN_IN_COOKIE,
    Api,
    MakeStack,
    Upstream,
    ask,
    new_conversation,
    title_match,
    unique,
    wait_for_message,
)

pytestmark = pytest.mark.slow

NO_LIMITS: dict[str, Any] = {
    "running_answers": None,
    "waiting_answers": None,
    "tokens_per_day": None,
    "cost_per_month_usd": None,
    "storage_mb": None,
}


@pytest.fixture(scope="module")
def deployment(make_stack_module: MakeStack) -> Api:
    """One API and one worker for the module: each test makes accounts of its own."""
    api: Api = make_stack_module().start()
    return api


@pytest.fixture
def admin(deployment: Api) -> Iterator[httpx.Client]:
    with deployment.client() as client:
        yield client


def set_own_limits(admin: httpx.Client, user: Member, **limits: Any) -> dict[str, Any]:
    response = admin.put(f"/api/admin/users/{user.id}/limits", json={**NO_LIMITS, **limits})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def open_as(page: Page, url: str, user: Member) -> None:
    """The app, signed in as `user` (the sign-in form has tests of its own)."""
    http = signed_in(url, user.email, user.password)
    token = http.cookies.get(SIGN_IN_COOKIE)
    http.close()
    assert token, "signing in set no session cookie"
    page.context.add_cookies([{"name": SIGN_IN_COOKIE, "value": token, "url": url}])
    page.goto(url)
    expect(page.get_by_test_id("composer-input")).to_be_visible(timeout=SHORT)


def answered(user: Member, upstream: Upstream, tokens: list[str]) -> dict[str, Any]:
    """An answer of the scripted model, asked through the API, once it has ended."""
    question = unique("usage")
    upstream.script(question, {"tokens": tokens})
    # Titled by hand: no title job, whose model call would count in the usage too.
    pair = ask(user.client, new_conversation(user.client, title="named")["id"], question)
    final = wait_for_message(user.client, pair["assistant_message"]["id"])
    assert final["status"] == "complete", final
    return final


def test_a_user_over_their_waiting_limit_sees_the_limits_sentence_and_keeps_the_question(
    page: Page, deployment: Api, admin: httpx.Client
) -> None:
    user = new_user(admin, label="waiting")
    limits = set_own_limits(admin, user, waiting_answers=0)
    assert limits["effective"]["waiting_answers"] == 0
    open_as(page, deployment.url, user)

    question = unique("one too many")
    send(page, question)
    expect(page.get_by_test_id("send-error")).to_have_text(
        "You have 0 answers waiting, your limit: wait for one to start, or stop one.", timeout=SHORT
    )
    # The question was not stored: the composer has it back, to send once the limit allows.
    expect(page.get_by_test_id("composer-input")).to_have_value(question)
    expect(questions(page)).to_have_count(0)
    expect(page.get_by_test_id("chat")).to_have_attribute("data-status", "error")
    screenshot(page, "usage-over-limit")

    # The usage page says which limit it is.
    open_menu_item(page, "menu-usage")
    expect(page).to_have_url(f"{deployment.url}/usage")
    expect(page.get_by_test_id("limit-answers")).to_have_text("4 answers at once, 0 waiting", timeout=SHORT)
    expect(page.get_by_test_id("usage-empty")).to_be_visible()


def test_after_an_answer_ends_the_usage_page_shows_a_bar_for_today(
    page: Page, deployment: Api, admin: httpx.Client, upstream: Upstream
) -> None:
    user = new_user(admin, label="counted")
    set_own_limits(admin, user, tokens_per_day=100_000)
    open_as(page, deployment.url, user)
    question = unique("counted")
    full = script_answer(upstream, question, 12, 0.01)
    # The new chat's title is asked of the model too, and counted: the scripted model reports 10
    # prompt tokens and one per word of its reply.
    upstream.script(title_match(question), {"tokens": ["Counted"]})
    send(page, question)
    last = expect_answer(page, full)
    stored = user.client.get(f"/api/messages/{last.get_attribute('data-id')}").json()
    tokens = stored["prompt_tokens"] + stored["completion_tokens"] + 10 + 1
    assert tokens > 11
    # The limits' count follows the answer's end (and its title's) by a moment.
    wait_until(
        lambda: user.client.get("/api/usage").json()["tokens_today"] == tokens, 10, "today's tokens counted"
    )

    open_menu_item(page, "menu-usage")
    expect(page).to_have_url(f"{deployment.url}/usage")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    chart = page.get_by_test_id("usage-chart")
    expect(chart).to_be_visible(timeout=SHORT)
    expect(chart.get_by_test_id("usage-day")).to_have_count(30)
    day = chart.locator(f'[data-testid="usage-day"][data-day="{today}"]')
    expect(day).to_have_attribute("data-tokens", str(tokens))
    bar = day.get_by_test_id("usage-bar")
    expect(bar).to_have_count(1)
    expect(bar).to_have_attribute("data-model", "scripted")
    assert (bar.bounding_box() or {"height": 0})["height"] > 0
    expect(chart.locator('[data-testid="usage-bar"]')).to_have_count(1)
    expect(page.get_by_test_id("usage-legend")).to_have_text("scripted")

    expect(page.get_by_test_id("usage-day-row")).to_have_count(1)
    expect(page.get_by_test_id("usage-day-row")).to_have_attribute("data-day", today)
    expect(page.get_by_test_id("total-answers")).to_have_text("1")
    expect(page.get_by_test_id("limit-tokens")).to_have_text(f"{tokens:,} of 100,000 tokens today")
    expect(page.get_by_test_id("limit-cost")).to_contain_text("this month, unlimited")
    screenshot(page, "usage-page")


def test_the_admin_sorts_every_accounts_usage_and_sets_limits(
    page: Page, deployment: Api, admin: httpx.Client, upstream: Upstream
) -> None:
    light, heavy = new_user(admin, label="light"), new_user(admin, label="heavy")
    answered(light, upstream, ["a"])
    answered(light, upstream, ["b"])
    answered(heavy, upstream, [f"w{i} " for i in range(60)])
    ours = [light.email, heavy.email]

    def shown() -> list[str]:
        emails = page.get_by_test_id("usage-row").evaluate_all("rows => rows.map(r => r.dataset.email)")
        return [email for email in emails if email in ours]

    open_page(page, deployment.url, "/admin")
    table = page.get_by_test_id("usage-table")
    expect(table).to_have_attribute("data-sort", "cost", timeout=SHORT)

    with page.expect_response(lambda r: "/api/admin/usage" in r.url and "sort=answers" in r.url):
        page.get_by_test_id("sort-answers").click()
    expect(table).to_have_attribute("aria-busy", "false", timeout=SHORT)
    assert shown() == [light.email, heavy.email]

    with page.expect_response(lambda r: "/api/admin/usage" in r.url and "sort=tokens" in r.url) as sorted_by:
        page.get_by_test_id("sort-tokens").click()
    assert sorted_by.value.ok
    expect(table).to_have_attribute("data-sort", "tokens")
    expect(table).to_have_attribute("aria-busy", "false", timeout=SHORT)
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Tokens")
    assert shown() == [heavy.email, light.email]
    rows = {email: page.locator(f'[data-testid="usage-row"][data-email="{email}"]') for email in ours}
    tokens = {email: int(row.get_attribute("data-tokens") or 0) for email, row in rows.items()}
    assert tokens[heavy.email] > tokens[light.email] > 0
    screenshot(page, "usage-admin-table")

    # A user's own limits: an empty field takes the role's; the server's sentence for a refusal.
    user_row(page, light.email).get_by_test_id("open-limits").click()
    editor = page.get_by_test_id("user-limits-form")
    expect(editor).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("own-limit-waiting_answers")).to_have_value("")
    expect(page.get_by_test_id("own-limit-waiting_answers")).to_have_attribute("placeholder", "50")
    page.get_by_test_id("own-limit-running_answers").fill("200000")
    page.get_by_test_id("user-limits-save").click()
    expect(page.get_by_test_id("user-limits-error")).to_have_text(
        "running_answers: Input should be less than or equal to 100000", timeout=SHORT
    )
    page.get_by_test_id("own-limit-running_answers").fill("")
    page.get_by_test_id("own-limit-waiting_answers").fill("2")
    page.get_by_test_id("user-limits-save").click()
    expect(page.get_by_test_id("user-limits-saved")).to_be_visible(timeout=SHORT)
    expect(page.get_by_test_id("effective-limits")).to_contain_text("4 answers at once, 2 waiting")
    screenshot(page, "usage-admin-user-limits")
    own = admin.get(f"/api/admin/users/{light.id}/limits").json()["own"]
    assert own == {**NO_LIMITS, "waiting_answers": 2}

    # Each role's defaults: saved whole, an empty field unlimited.
    before = admin.get("/api/admin/limits").json()
    page.get_by_test_id("limit-user-cost_per_month_usd").fill("250")
    page.get_by_test_id("role-limits-save").click()
    expect(page.get_by_test_id("role-limits-saved")).to_be_visible(timeout=SHORT)
    after = admin.get("/api/admin/limits").json()
    assert after == {**before, "user": {**before["user"], "cost_per_month_usd": 250.0}}
    screenshot(page, "usage-admin-limits")
