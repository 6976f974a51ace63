"""Opening a conversation in the browser, against its length: from navigation to its newest message on screen.

Run: `.venv/bin/python -m bench.open_conversation`. Writes bench/results/open_conversation.json.

Real Chromium (Playwright) loads the built web UI from a real API process and opens conversations of
10 and 10,000 messages (filled as bench.conversation_length fills them), alternately, each round a
fresh page load: the time from `page.goto` to the newest message being visible, which includes
loading the app, signing in from the cookie, the sidebar and the branch's newest page.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from playwright.sync_api import Page, sync_playwright

from bench.conversation_length import fill, models_file
from bench.stats import write_result
from core.migrate import sync_url
from tests.stack.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.stack import SESSION_COOKIE, Stack, Upstream, admin_session

LENGTHS = (10, 10_000)


def open_once(page: Page, url: str, leaf_id: str) -> float:
    """Milliseconds from navigation to the newest message visible."""
    started = time.perf_counter()
    page.goto(url)
    page.locator(f'[data-id="{leaf_id}"]').wait_for(state="visible")
    return (time.perf_counter() - started) * 1000


def measure(rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        url = f"sqlite:///{directory / 'open.db'}"
        conversations = {
            length: cid for (model, length), cid in fill(url, LENGTHS).items() if model == "short"
        }
        engine = sa.create_engine(sync_url(url))
        with engine.connect() as connection:
            leaves = {
                length: connection.execute(
                    sa.text("SELECT selected_leaf_id FROM conversation WHERE id = :id"), {"id": cid}
                ).scalar_one()
                for length, cid in conversations.items()
            }
        engine.dispose()
        upstream = Upstream(directory)
        stack = Stack(
            directory,
            upstream,
            database_url=url,
            settings={"models_file": str(models_file(directory, upstream.url)), "model": "short"},
        )
        try:
            base = stack.start().url
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.add_cookies([{"name": SESSION_COOKIE, "value": admin_session(base), "url": base}])
                page = context.new_page()
                samples: dict[int, list[float]] = {length: [] for length in LENGTHS}
                for round_number in range(rounds + 1):
                    for length in LENGTHS:
                        took = open_once(page, f"{base}/c/{conversations[length]}", leaves[length])
                        if round_number:  # the first round warms the browser's and the servers' caches
                            samples[length].append(took)
                shown = page.locator('[data-testid="message"]').count()
                browser.close()
            for length in LENGTHS:
                ordered = sorted(samples[length])
                results[f"{length} messages"] = {
                    "open_p50_ms": round(statistics.median(ordered), 1),
                    "open_max_ms": round(ordered[-1], 1),
                }
            results["messages rendered at open, 10,000-message conversation"] = shown
            print(results, flush=True)
        finally:
            stack.close()
            upstream.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    write_result("open_conversation", {"rounds": args.rounds, "results": measure(args.rounds)})


if __name__ == "__main__":
    main()
