"""Browser fixtures for the web UI tests: one Chromium for the session, a new context for each test.

The UI is the build in web/dist, served by the API processes the stack fixtures start. A test that
fails leaves `test-artifacts/screenshots/failed-<test>.png` and prints what the page logged; an
uncaught script error in any page fails the test.
"""

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, sync_playwright

from tests.support.processes import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
WEB_BUILT = ROOT / "web" / "dist" / "index.html"

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, so the page fixture knows whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser tests run on SQLite alone: what they test is the page, and the routes it calls
    are tested on Postgres too by the stack tests beside them. Running every screen twice cost the
    suite minutes for no case that differs."""
    here = Path(__file__).parent
    on_postgres = {
        item
        for item in items
        if isinstance(item, pytest.Function)
        and item.path.is_relative_to(here)
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("database_url") == "postgres"
    }
    if on_postgres:
        config.hook.pytest_deselected(items=list(on_postgres))
        items[:] = [item for item in items if item not in on_postgres]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@dataclass
class PageErrors:
    """What the test's pages logged as errors, and the script errors nobody caught."""

    console: list[str] = field(default_factory=list)
    uncaught: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.console.append(f"{page.url}: {message.text}")

        def on_page_error(error: Error) -> None:
            self.uncaught.append(f"{page.url}: {error.name}: {error.message}\n{error.stack or ''}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        return page


@pytest.fixture
def browser() -> Iterator[Browser]:
    # One per test: Playwright's sync API keeps an event loop running in this thread while it is
    # open, and the asyncio tests elsewhere in the session need the thread's loop free.
    # Outside CI a missing browser skips; in CI (.ci/run installs it, make builds the UI) it fails.
    unavailable = pytest.fail if os.environ.get("CI") else pytest.skip
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not WEB_BUILT.exists():
        unavailable("the web UI is not built: cd web && npm ci && npm run build")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile: no local storage, cookies or other tabs shared with another test."""
    opened = browser.new_context(
        viewport={"width": 1280, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    opened.set_default_timeout(10_000)
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext, page_errors: PageErrors, request: pytest.FixtureRequest) -> Iterator[Page]:
    opened = page_errors.watch(context.new_page())
    yield opened
    reports = request.node.stash.get(REPORTS, {})
    if any(report.failed for report in reports.values()):
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, tab in enumerate(context.pages):
            path = screenshot(tab, f"failed-{name}" + (f"-tab{number}" if number else ""))
            print(f"screenshot of {tab.url}: {path}")
        print("console errors:", *page_errors.console or ["none"], sep="\n  ")
    assert not page_errors.uncaught, "uncaught script errors:\n" + "\n".join(page_errors.uncaught)
    # Every page runs under the API's Content-Security-Policy (api/guards.py): nothing it refused.
    refused = [line for line in page_errors.console if "Content Security Policy" in line]
    assert not refused, "refused by the Content-Security-Policy:\n" + "\n".join(refused)
