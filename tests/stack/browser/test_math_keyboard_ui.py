"""Math, diagrams and keyboard shortcuts in the browser: KaTeX and Mermaid in a scripted answer, an
answer's attempts to run script (all inert, under the API's Content-Security-Policy too), and each
shortcut doing its thing, with `?` listing them all."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import PageErrors
from tests.stack.browser.test_chat_ui import (
    LONG,
    SHORT,
    answers,
    content,
    conversation_id,
    open_app,
    questions,
    send,
)
from tests.support.stack import Stack, Upstream, unique

pytestmark = pytest.mark.slow

DIAGRAM = "```mermaid\nflowchart LR\n  Browser --> API --> Redis\n```\n"
MATH_ANSWER = [
    "Euler's identity, $e^{i\\pi} + 1 = 0$, ",
    "costs nothing: not $5 and not $10.\n\n",
    "$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$\n\n",
    "The flow:\n\n",
    DIAGRAM,
    "\nThat ",
    "is ",
    "all.",
]
SVG_OF = "(img) => decodeURIComponent(img.src.split(',')[1])"
"""The SVG text a diagram's image shows."""
PWNED = "() => window.__pwned"
"""What each payload below would set, had any of it run."""
PAYLOADS = [
    "<script>window.__pwned = 'script'</script>\n\n",
    "<img src=x onerror=\"window.__pwned = 'img'\">\n\n",
    "[a link](javascript:window.__pwned='link') and ",
    "[data](data:text/html,<script>parent.__pwned=1</script>)\n\n",
    "Math: $\\href{javascript:window.__pwned='href'}{click} \\url{javascript:window.__pwned='url'}$ ",
    "and $\\htmlData{onclick=window.__pwned}{y}$\n\n",
    "```mermaid\nflowchart TD\n",
    "  A[\"<img src=x onerror=window.__pwned='label'>\"] --> B[\"<script>window.__pwned='b'</script>\"]\n",
    "  click A call window.__pwned('callback')\n",
    "  click B href \"javascript:window.__pwned='href'\"\n",
    "```\n",
]


def diagram_image_is_drawn(page: Page) -> None:
    figure = answers(page).last.get_by_test_id("mermaid-diagram")
    expect(figure).to_be_visible(timeout=LONG)
    image = figure.locator("img")
    expect(image).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;charset=utf-8,%3Csvg"))
    # The SVG decoded and laid out as an image, with the diagram's labels in it.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 50", arg=image.element_handle())
    svg = page.evaluate(SVG_OF, image.element_handle())
    assert svg.startswith("<svg")
    assert "Redis" in svg
    # Shown as wide as mermaid drew it, not stretched across the answer.
    drawn = re.search(r"max-width:\s*([\d.]+)px", svg)
    box = image.bounding_box()
    assert drawn
    assert box
    assert abs(box["width"] - float(drawn[1])) < 2


def test_math_and_a_diagram_render_once_the_answer_is_complete(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    question = unique("math ui")
    upstream.script(question, {"tokens": MATH_ANSWER, "delay": 0.4})
    open_app(page, stack.api.url)
    send(page, question)

    answer = answers(page).last
    # While the answer streams, the diagram is its code: nothing is drawn from half a diagram.
    expect(answer.locator("pre code.language-mermaid")).to_contain_text("Browser --> API", timeout=LONG)
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(answer.get_by_test_id("mermaid-diagram")).to_have_count(0)

    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    body = content(answer)
    expect(body.locator(".katex")).to_have_count(2)
    expect(body.locator(".katex-display")).to_have_count(1)
    expect(body.locator("p .katex annotation").first).to_have_text("e^{i\\pi} + 1 = 0")
    expect(body.locator(".katex-display annotation")).to_contain_text("\\frac{1}{3}")
    # KaTeX's fonts are the bundle's own files (the policy refuses data: fonts), and load.
    assert page.evaluate("async () => (await document.fonts.load('16px KaTeX_Main', 'x')).length") > 0
    expect(body).to_contain_text("costs nothing: not $5 and not $10.")
    diagram_image_is_drawn(page)
    expect(answer.get_by_test_id("mermaid-diagram")).to_have_attribute("data-theme", "light")

    # Dark: the diagram is drawn again in the dark theme's colours.
    while page.evaluate("() => document.documentElement.dataset.theme") != "dark":
        page.get_by_test_id("theme-toggle").click()
    expect(answer.get_by_test_id("mermaid-diagram")).to_have_attribute("data-theme", "dark", timeout=LONG)

    # A reload draws it from what the database holds, as any finished answer.
    page.reload()
    diagram_image_is_drawn(page)
    expect(content(answers(page).last).locator(".katex")).to_have_count(2)


def test_an_answers_script_links_math_and_diagram_run_nothing(
    page: Page, page_errors: PageErrors, stack: Stack, upstream: Upstream
) -> None:
    question = unique("payload ui")
    upstream.script(question, {"tokens": PAYLOADS})
    open_app(page, stack.api.url)
    send(page, question)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "complete", timeout=LONG)
    figure = answer.get_by_test_id("mermaid-diagram")
    expect(figure).to_be_visible(timeout=LONG)

    body = content(answer)
    expect(body).to_contain_text("<script>window.__pwned = 'script'</script>")
    inert = "script, img:not(.mermaid-diagram img), iframe, [onerror], [onclick]"
    expect(body.locator(inert)).to_have_count(0)
    hrefs = body.locator("a").evaluate_all("(links) => links.map((link) => link.getAttribute('href') ?? '')")
    assert not [href for href in hrefs if re.match(r"\s*(javascript|data):", href, re.I)], hrefs
    # \href and \url are red source text, never links.
    expect(body.locator(".katex a")).to_have_count(0)
    expect(body.locator(".katex")).to_contain_text(["\\href", "\\htmlData"])

    # The diagram is an image: clicking it calls nothing, and its SVG kept no handler or script.
    figure.locator("img").click()
    svg = page.evaluate(SVG_OF, figure.locator("img").element_handle())
    for kept in ("onerror", "<script", "javascript:", "__pwned("):
        assert kept not in svg
    page.wait_for_timeout(500)
    assert page.evaluate(PWNED) is None
    # Mermaid's sanitiser (DOMPurify) parses the <img onerror> label to take the handler out, and
    # Chrome refuses the handler under the API's policy as it parses: that refusal, and no other
    # (the page fixture fails the test on any other script error or refusal).
    refused = [line for line in page_errors.console if "Content Security Policy" in line]
    assert all("inline event handler" in line and "script-src 'self'" in line for line in refused), refused
    page_errors.console[:] = [line for line in page_errors.console if line not in refused]


def test_keyboard_shortcuts_search_start_stop_edit_and_list_themselves(
    page: Page, stack: Stack, upstream: Upstream
) -> None:
    first = unique("shortcuts first")
    upstream.script(first, {"tokens": ["Fine."]})
    open_app(page, stack.api.url)
    send(page, first)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)
    conversation = conversation_id(page)
    composer = page.get_by_test_id("composer-input")

    # Ctrl+K: the sidebar's search, from the message box.
    composer.focus()
    page.keyboard.press("Control+k")
    expect(page.get_by_test_id("search-input")).to_be_focused()

    # ↑ in the empty message box: the last question opens for editing; Escape closes only that.
    composer.focus()
    page.keyboard.press("ArrowUp")
    edit = page.get_by_test_id("edit-input")
    expect(edit).to_be_visible(timeout=SHORT)
    expect(edit).to_have_value(first)
    expect(edit).to_be_focused()
    page.keyboard.press("Escape")
    expect(edit).to_be_hidden()
    # With text in the box, ↑ moves the caret as usual.
    composer.fill("draft")
    composer.press("ArrowUp")
    expect(edit).to_be_hidden()
    composer.fill("")

    # Escape with the user menu open closes the menu and leaves the answer running; then it stops it.
    slow = unique("shortcuts slow")
    upstream.script(slow, {"tokens": [f"w{i} " for i in range(200)], "delay": 0.05})
    send(page, slow)
    answer = answers(page).last
    expect(answer).to_have_attribute("data-status", "streaming", timeout=LONG)
    page.get_by_test_id("user-menu-button").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("user-menu")).to_be_hidden()
    page.wait_for_timeout(300)
    expect(answer).to_have_attribute("data-status", "streaming")
    page.locator("body").press("Escape")
    expect(answer).to_have_attribute("data-status", "stopped", timeout=LONG)

    # ?: the dialog lists every shortcut; Escape closes it and focus goes back.
    page.get_by_test_id("copy-message").last.focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible(timeout=SHORT)
    expect(dialog).to_have_attribute("aria-modal", "true")
    rows = dialog.get_by_test_id("shortcut")
    expect(rows).to_have_count(5)
    expect(rows).to_contain_text(
        [
            re.compile(r"Ctrl\s*\+\s*K.*Search conversations"),
            re.compile(r"Ctrl\s*\+\s*Shift\s*\+\s*O.*New chat"),
            re.compile(r"Esc.*Stop the answer"),
            re.compile(r"↑.*Edit your last question"),
            re.compile(r"\?.*Show these shortcuts"),
        ]
    )
    # Other shortcuts wait while it is open.
    page.keyboard.press("Control+Shift+O")
    assert page.url.endswith(f"/c/{conversation}")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("copy-message").last).to_be_focused()
    # Typed into a field, ? is a question mark.
    # Pressed on the box itself (focused first, then typed): the dialog handing the focus back to
    # where it was may land after a separate focus() and before the key.
    composer.press("?")
    expect(composer).to_have_value("?")
    expect(dialog).to_be_hidden()
    composer.fill("")

    # Ctrl+Shift+O: a new chat, pressed in the message box (once failed under load with the focus
    # found back on the answer's Copy button, where the closed dialog had given it).
    expect(composer).to_be_focused()
    composer.press("Control+Shift+O")
    expect(page).to_have_url(f"{stack.api.url}/", timeout=SHORT)
    expect(questions(page)).to_have_count(0)
    # Nothing to edit in a new chat: ↑ does nothing there.
    composer.focus()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("edit-input")).to_have_count(0)
