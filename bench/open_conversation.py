"""Opening a conversation in the browser, against its length: from navigation to its newest message on screen.

Run: `.venv/bin/python -m bench.open_conversation`. Writes bench/results/open_conversation.json.

Real Chromium (Playwright) loads the built web UI from a real API process and opens conversations of
10 and 10,000 messages (filled as bench.conversation_length fills them), alternately, each round a
fresh page load: the time from `page.goto` to the newest message being visible, which includes
loading the app, signing in from the cookie, the sidebar and the branch's newest page.
"""

import argparse
import statistics
import time
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.conversation_length import filled_stack
from bench.stats import write_result
from tests.stack.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.stack import SIGN_IN_COOKIE, admin_session

LENGTHS = (10, 10_000)


def open_once(page: Page, url: str, leaf_id: str) -> float:
    """Milliseconds from navigation to the newest message visible."""
    started = time.perf_counter()
    page.goto(url)
    page.locator(f'[data-id="{leaf_id}"]').wait_for(state="visible")
    return (time.perf_counter() - started) * 1000


def measure(rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with filled_stack(LENGTHS) as (stack, filled), sync_playwright() as playwright:
        conversations = {length: made for (model, length), made in filled.items() if model == "short"}
        base = stack.api.url
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_cookies([{"name": SIGN_IN_COOKIE, "value": admin_session(base), "url": base}])
        page = context.new_page()
        samples: dict[int, list[float]] = {length: [] for length in LENGTHS}
        for round_number in range(rounds + 1):
            for length, made in conversations.items():
                took = open_once(page, f"{base}/c/{made.conversation_id}", made.leaf_id)
                if round_number:  # the first round warms the browser's and the servers' caches
                    samples[length].append(took)
        shown = page.locator('[data-testid="message"]').count()  # after the longest, opened last
        browser.close()
    for length in LENGTHS:
        ordered = sorted(samples[length])
        results[f"{length} messages"] = {
            "open_p50_ms": round(statistics.median(ordered), 1),
            "open_max_ms": round(ordered[-1], 1),
        }
    results["messages rendered at open, 10,000-message conversation"] = shown
    print(results, flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    write_result("open_conversation", {"rounds": args.rounds, "results": measure(args.rounds)})


if __name__ == "__main__":
    main()
