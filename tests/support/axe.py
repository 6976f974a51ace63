"""axe-core run in a Playwright page: its violations by impact, and a failure message saying where."""

from collections.abc import Iterable
from typing import Any, cast

from playwright.sync_api import Page

from tests.support.processes import ROOT

AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
"""The npm package the web UI's dev dependencies bring (what @axe-core/playwright injects)."""

BLOCKING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

# The WCAG 2.x A and AA rules and axe's best practices; `color-contrast` checks each theme as shown.
RUN_JS = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
    summaries: v.nodes.map((node) => node.failureSummary || ""),
  }));
}"""

Violation = dict[str, Any]


def run_axe(page: Page) -> list[Violation]:
    """Every violation on the page as it is now (axe injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
        # not govern (a <script> tag would be refused by script-src 'self').
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return cast(list[Violation], page.evaluate(RUN_JS))


def violations(page: Page, impacts: Iterable[str] = BLOCKING) -> list[Violation]:
    """The page's violations of the given impacts (default: serious and critical)."""
    wanted = set(impacts)
    return [violation for violation in run_axe(page) if violation["impact"] in wanted]


def by_impact(found: Iterable[Violation]) -> dict[str, list[str]]:
    """Rule ids per impact, most severe first: a summary for a report."""
    summary: dict[str, list[str]] = {impact: [] for impact in IMPACTS}
    for violation in found:
        summary.setdefault(violation["impact"] or "unknown", []).append(violation["id"])
    return summary


def describe(found: Iterable[Violation], where: str = "") -> str:
    """One line per rule (id, impact, what it asks) and an indented line per element it failed on."""
    lines = []
    for violation in found:
        lines.append(f"{where}{violation['id']} ({violation['impact']}): {violation['help']}")
        for target, summary in zip(violation["targets"], violation["summaries"], strict=True):
            detail = " ".join(summary.split())
            lines.append(f"    {target}" + (f"  — {detail[:300]}" if detail else ""))
    return "\n".join(lines)
