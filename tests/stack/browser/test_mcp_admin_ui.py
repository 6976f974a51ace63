"""MCP servers on the admin page, end to end: real Chromium on the built UI, a deployment of the test's own.

The admin registers the tests' MCP server over Streamable HTTP (with a header that is never shown
again), the third-party `mcp-server-time` as a command the worker starts, and a server nobody
answers at; a worker lists their tools, which the page shows by itself. A reload keeps them, a
delete removes one, and a header line without a name is the form's sentence, registering nothing.
"""

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_accounts_ui import open_page
from tests.stack.browser.test_chat_ui import SHORT
from tests.support.processes import Process, free_port, python, wait_until
from tests.support.stack import MakeStack

pytestmark = pytest.mark.slow

LISTED = 30_000
"""ms: a worker connects to a new server and lists its tools (a stdio one starts a process first)."""

SECRET = "hunter2"
UNREACHABLE = "http://127.0.0.1:9/mcp"
TEST_TOOLS = ["add", "slow", "fail", "record"]
TIME_TOOLS = ["convert_time", "get_current_time"]


@pytest.fixture
def mcp_url(log_dir: Path) -> Iterator[str]:
    """The tests' MCP server (tests/support/mcp_server.py) over Streamable HTTP; its URL."""
    port = free_port()
    calls = str(log_dir / f"mcp-calls-{port}.jsonl")
    args = python("-m", "tests.support.mcp_server", "--calls", calls, "--port", str(port))
    server = Process(f"mcp-http-{port}", args, dict(os.environ), log_dir)

    def listening() -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{port}/mcp", timeout=1)
        except httpx.TransportError:
            return False
        return True

    wait_until(listening, 20, "the MCP server", server)
    yield f"http://127.0.0.1:{port}/mcp"
    server.stop()


def server_name(label: str) -> str:
    """A name no other server has, as the API wants them: lower case, at most 32 characters."""
    return f"{label}-{uuid.uuid4().hex[:8]}"


def server_row(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="mcp-server"][data-name="{name}"]')


def tool_names(row: Locator) -> Locator:
    return row.get_by_test_id("mcp-tool").locator("code")


def register_http(page: Page, name: str, url: str, headers: str = "") -> None:
    form = page.get_by_test_id("mcp-form")
    form.get_by_test_id("mcp-name").fill(name)
    form.get_by_test_id("mcp-transport").select_option("http")
    form.get_by_test_id("mcp-url").fill(url)
    form.get_by_test_id("mcp-secrets").fill(headers)
    form.get_by_test_id("mcp-register").click()


def register_stdio(page: Page, name: str, command: str, args: list[str]) -> None:
    form = page.get_by_test_id("mcp-form")
    form.get_by_test_id("mcp-name").fill(name)
    form.get_by_test_id("mcp-transport").select_option("stdio")
    form.get_by_test_id("mcp-command").fill(command)
    form.get_by_test_id("mcp-args").fill("\n".join(args))
    form.get_by_test_id("mcp-register").click()


def expect_connected(row: Locator, tools: list[str]) -> None:
    """The worker's listing: connected, with exactly these tools (in any order)."""
    expect(row).to_have_attribute("data-status", "ok", timeout=LISTED)
    expect(row.get_by_test_id("mcp-status")).to_have_text("Connected")
    expect(row.get_by_test_id("mcp-status-detail")).to_have_count(0)
    expect(tool_names(row)).to_have_count(len(tools))
    assert sorted(tool_names(row).all_text_contents()) == sorted(tools)


def expect_unreachable(row: Locator) -> None:
    expect(row).to_have_attribute("data-status", "unreachable", timeout=LISTED)
    expect(row.get_by_test_id("mcp-status")).to_have_text("Unreachable")
    expect(row.get_by_test_id("mcp-status-detail")).to_have_count(1)
    expect(row.get_by_test_id("mcp-status-detail")).not_to_be_empty()
    expect(row.get_by_test_id("mcp-tool")).to_have_count(0)


def assert_secret_nowhere(page: Page) -> None:
    """Neither in the page's HTML nor in any field's value (a field's value is not in its HTML)."""
    assert SECRET not in page.content()
    values: list[str] = page.locator("input, textarea").evaluate_all("(fields) => fields.map((f) => f.value)")
    assert not [value for value in values if SECRET in value], values


def test_an_admin_registers_mcp_servers_and_sees_their_tools(
    page: Page, make_stack: MakeStack, mcp_url: str
) -> None:
    api = make_stack().start()
    open_page(page, api.url, "/admin")
    expect(page.get_by_test_id("mcp-none")).to_be_visible(timeout=SHORT)
    form = page.get_by_test_id("mcp-form")

    # Over Streamable HTTP, with a header: waiting for the worker, then its four tools by themselves.
    tools = server_name("tools")
    register_http(page, tools, mcp_url, f"Authorization: Bearer {SECRET}")
    row = server_row(page, tools)
    expect(row).to_have_attribute("data-status", "unknown", timeout=SHORT)
    expect(row.get_by_test_id("mcp-status")).to_have_text("Listing tools…")
    expect(page.get_by_test_id("mcp-none")).to_have_count(0)
    expect(form.get_by_test_id("mcp-name")).to_have_value("")  # the form is ready for the next one
    expect(form.get_by_test_id("mcp-secrets")).to_have_value("")
    expect_connected(row, TEST_TOOLS)
    expect(tool_names(row)).to_have_text(TEST_TOOLS)  # in the server's order
    expect(row).to_contain_text(mcp_url)
    expect(row).to_contain_text("secrets kept sealed")
    assert_secret_nowhere(page)

    # A third-party server from PyPI, as a command the worker starts.
    clock = server_name("clock")
    register_stdio(page, clock, sys.executable, ["-m", "mcp_server_time"])
    clock_row = server_row(page, clock)
    expect(clock_row).to_be_visible(timeout=SHORT)
    expect_connected(clock_row, TIME_TOOLS)
    expect(clock_row).to_contain_text(f"{sys.executable} -m mcp_server_time")
    expect(clock_row).not_to_contain_text("secrets kept sealed")

    # Nobody answers at this address: unreachable, with the worker's reason.
    down = server_name("down")
    register_http(page, down, UNREACHABLE)
    down_row = server_row(page, down)
    expect(down_row).to_be_visible(timeout=SHORT)
    expect_unreachable(down_row)
    screenshot(page, "mcp-admin")

    # A reload reads them all again, with their status and tools; the header is still not shown.
    page.reload()
    expect(page.get_by_test_id("mcp-server")).to_have_count(3, timeout=SHORT)
    expect_connected(server_row(page, tools), TEST_TOOLS)
    expect_connected(server_row(page, clock), TIME_TOOLS)
    expect_unreachable(server_row(page, down))
    assert_secret_nowhere(page)

    # Delete (no confirmation asked): gone at once, and after a reload too.
    server_row(page, down).get_by_test_id("mcp-delete").click()
    expect(server_row(page, down)).to_have_count(0, timeout=SHORT)
    expect(page.get_by_test_id("mcp-server")).to_have_count(2)
    expect(page.get_by_test_id("mcp-error")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("mcp-server")).to_have_count(2, timeout=SHORT)
    expect(server_row(page, down)).to_have_count(0)
    expect(server_row(page, tools)).to_have_attribute("data-status", "ok")

    # A header line without a name: the form's sentence, and nothing registered.
    bad = server_name("bad")
    register_http(page, bad, mcp_url, "no colon")
    expect(form.get_by_test_id("mcp-form-error")).to_have_text(
        "Line 1 of the headers needs a name before its value.", timeout=SHORT
    )
    expect(form.get_by_test_id("mcp-name")).to_have_value(bad)  # kept, to be corrected
    expect(server_row(page, bad)).to_have_count(0)
    expect(page.get_by_test_id("mcp-server")).to_have_count(2)
    with api.client() as admin:
        listed = admin.get("/api/admin/mcp-servers")
        assert listed.status_code == 200, listed.text
        assert sorted(server["name"] for server in listed.json()) == sorted([tools, clock])
        assert SECRET not in listed.text


def test_refreshing_a_server_waits_for_a_worker_to_list_its_tools_again(
    page: Page, make_stack: MakeStack, mcp_url: str
) -> None:
    deployment = make_stack()
    api = deployment.start()
    name = server_name("again")
    with api.client() as admin:
        made = admin.post("/api/admin/mcp-servers", json={"name": name, "url": mcp_url})
        assert made.status_code == 201, made.text
    open_page(page, api.url, "/admin")
    row = server_row(page, name)
    expect_connected(row, TEST_TOOLS)

    # No worker is running now: nobody lists the tools again, so the row must keep waiting.
    deployment.workers[0].stop()
    row.get_by_test_id("mcp-refresh").click()
    expect(row.get_by_test_id("mcp-status")).to_have_text("Listing tools…", timeout=SHORT)
    page.wait_for_timeout(3_000)  # three reads of the list
    expect(row).to_have_attribute("data-status", "unknown", timeout=1)
    expect(row.get_by_test_id("mcp-status")).to_have_text("Listing tools…", timeout=1)

    # A worker again: it lists them, and the page shows it by itself.
    deployment.start_worker()
    expect_connected(row, TEST_TOOLS)
