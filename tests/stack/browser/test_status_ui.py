"""The admin's Status page, end to end: real Chromium on the built UI, a deployment of the test's own.

After a completed, a failed and a stopped answer, the admin opens Status from the user menu and sees
the worker in its table and the answers in the charts; an answer ended while the page is open shows
up without a reload.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_accounts_ui import open_menu_item, open_page
from tests.stack.operations.test_status import run_three_answers
from tests.support.stack import MakeStack, ask, new_conversation, unique, wait_for_message

pytestmark = pytest.mark.slow

LIVE = 10_000
"""ms: the page reads the status every 3 s; an ended answer shows within this."""


def chart_point_total(page: Page, chart: str, series: str) -> float:
    points = f'[data-testid="status-chart"][data-chart="{chart}"] [data-series="{series}"] circle'
    values: list[str] = page.locator(points).evaluate_all("(points) => points.map((p) => p.dataset.value)")
    return sum(float(value) for value in values)


def test_an_admin_sees_the_workers_and_the_answers_just_run(page: Page, make_stack: MakeStack) -> None:
    stack = make_stack()
    api = stack.start()
    with api.client() as admin:
        run_three_answers(stack.upstream, admin)

    open_page(page, api.url, "/")
    open_menu_item(page, "menu-status")
    expect(page.get_by_test_id("page-title")).to_have_text("Status")
    expect(page).to_have_url(f"{api.url}/status")

    rows = page.get_by_test_id("worker-row")
    expect(rows).to_have_count(1, timeout=LIVE)
    expect(rows.first).to_have_attribute("data-stale", "false")
    expect(rows.first.get_by_test_id("worker-slots")).not_to_have_text("0")
    expect(rows.first.get_by_test_id("worker-heartbeat")).to_contain_text("s ago")
    expect(page.get_by_test_id("status-hour-ended")).to_have_text("3")
    expect(page.get_by_test_id("status-chart")).to_have_count(5)
    assert chart_point_total(page, "answers", "completed") == 1
    assert chart_point_total(page, "answers", "failed") == 1
    assert chart_point_total(page, "answers", "stopped") == 1
    assert chart_point_total(page, "first-token", "p95") > 0
    assert chart_point_total(page, "errors", "error-rate") > 0
    screenshot(page, "status-page")

    # Live: an answer ended while the page is open counts without a reload.
    question = unique("status live")
    stack.upstream.script(question, {"tokens": ["still ", "here"]})
    with api.client() as admin:
        answer_id = ask(admin, new_conversation(admin)["id"], question)["assistant_message"]["id"]
        assert wait_for_message(admin, answer_id)["status"] == "complete"
    expect(page.get_by_test_id("status-hour-ended")).to_have_text("4", timeout=LIVE)
