"""Prompt presets and sampling in the browser: a preset made on the account page, picked in the
composer with `/` and the keys, its named fields asked for and the clipboard read; a temperature
set in the settings panel, kept after a reload, sent to the model, and reset to the defaults."""

import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.stack.browser.conftest import screenshot
from tests.stack.browser.test_chat_ui import LONG, SHORT, answers, open_app, send
from tests.support.stack import Stack, Upstream, new_conversation, unique

pytestmark = pytest.mark.slow


def active_option(page: Page) -> str | None:
    """The option the composer's `aria-activedescendant` points at, by its command."""
    active = page.get_by_test_id("composer-input").get_attribute("aria-activedescendant")
    return page.locator(f'[id="{active}"]').get_attribute("data-command") if active else None


def test_a_preset_is_picked_with_the_keyboard_its_fields_filled_and_its_text_inserted(
    page: Page, stack: Stack, client: httpx.Client
) -> None:
    tag = uuid.uuid4().hex[:6]
    greet, grab = f"greet{tag}", f"grab{tag}"
    made = client.post(
        "/api/presets", json={"command": grab, "title": "Grab it", "content": "Grab this, please."}
    )
    assert made.status_code == 201, made.text
    try:
        open_app(page, stack.api.url)
        page.goto(stack.api.url + "/account")
        section = page.get_by_test_id("presets-section")
        form = section.get_by_test_id("preset-form")
        form.get_by_label("Command").fill(greet)
        form.get_by_label("Title").fill("Greeting")
        form.get_by_label("Text").fill("Dear {{name}}, about {{ topic }}: {{clipboard}} ({{name}})")
        expect(form.get_by_label("Shared with everyone")).to_be_visible()  # the admin may share
        form.get_by_test_id("preset-save").click()
        expect(section.locator(f'[data-testid="preset-row"][data-command="{greet}"]')).to_be_visible(
            timeout=SHORT
        )
        expect(section.locator(f'[data-testid="preset-row"][data-command="{grab}"]')).to_be_visible()

        page.get_by_test_id("new-chat").click()
        box = page.get_by_test_id("composer-input")
        box.click()
        page.evaluate("navigator.clipboard.writeText('the copied words')")
        page.keyboard.type("/g")
        menu = page.get_by_role("listbox", name="Saved prompts")
        expect(menu).to_be_visible(timeout=SHORT)
        commands = menu.get_by_role("option").evaluate_all("options => options.map(o => o.dataset.command)")
        assert commands.index(grab) < commands.index(greet)  # by command
        page.keyboard.type("r")
        expect(menu.get_by_role("option")).to_have_count(2)  # grab…, greet… (nothing else starts with /gr…)
        first = active_option(page)
        page.keyboard.press("ArrowDown")
        second = active_option(page)
        assert {first, second} == {grab, greet}
        expect(menu.locator('[aria-selected="true"]')).to_have_attribute("data-command", str(second))
        page.keyboard.press("ArrowUp")
        assert active_option(page) == first

        page.keyboard.type("eet")  # /greet: one left
        expect(menu.get_by_role("option")).to_have_count(1)
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        page.keyboard.press("Backspace")  # typing again opens it again
        expect(menu.get_by_role("option")).to_have_count(1)
        screenshot(page, "preset-menu")
        page.keyboard.press("Enter")

        fields = page.get_by_test_id("preset-fields")
        expect(fields).to_be_visible(timeout=SHORT)
        expect(fields.get_by_test_id("preset-field")).to_have_count(
            2
        )  # name once, topic; never the clipboard
        expect(fields.get_by_label("name")).to_be_focused()
        fields.get_by_label("name").fill("Ada")
        fields.get_by_label("topic").fill("tea")
        screenshot(page, "preset-fields")
        fields.get_by_label("topic").press("Enter")
        expect(fields).to_be_hidden()
        expect(box).to_have_value("Dear Ada, about tea: the copied words (Ada)")
        expect(box).to_be_focused()
        expect(page.get_by_test_id("preset-note")).to_be_hidden()

        box.fill("")
        page.keyboard.type(f"/{grab}")
        page.keyboard.press("Tab")
        expect(box).to_have_value("Grab this, please.")
        expect(menu).to_be_hidden()
    finally:
        for preset in client.get("/api/presets").json():
            if preset["command"] in (greet, grab) and preset["mine"]:
                client.delete(f"/api/presets/{preset['id']}")


def test_a_temperature_set_in_settings_is_kept_reaches_the_model_and_resets(
    page: Page, stack: Stack, client: httpx.Client, upstream: Upstream
) -> None:
    conversation = new_conversation(client, title=unique("Sampled"))
    path = f"/api/conversations/{conversation['id']}"
    open_app(page, stack.api.url, f"/c/{conversation['id']}")
    page.get_by_test_id("settings-button").click()
    panel = page.get_by_test_id("settings-panel")
    temperature = panel.get_by_label("Temperature", exact=True)
    expect(temperature).to_have_attribute("placeholder", "Default (1)", timeout=SHORT)
    expect(panel.get_by_label("Top p", exact=True)).to_have_attribute("placeholder", "Default (1)")
    temperature.fill("0.4")
    panel.get_by_label("Top p", exact=True).fill("0.9")
    panel.get_by_label("Seed").fill("7")
    screenshot(page, "settings-sampling")
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)
    stored = client.get(path).json()
    assert (stored["temperature"], stored["top_p"], stored["seed"]) == (0.4, 0.9, 7)

    page.reload()
    page.get_by_test_id("settings-button").click()
    expect(panel.get_by_label("Temperature", exact=True)).to_have_value("0.4", timeout=SHORT)
    expect(panel.get_by_test_id("temperature-slider")).to_have_value("0.4")
    expect(panel.get_by_label("Seed")).to_have_value("7")

    # A model whose limits the temperature exceeds: the server's sentence, nothing saved.
    panel.get_by_test_id("model-select").select_option("scripted-alt")
    expect(panel.get_by_label("Temperature", exact=True)).to_have_attribute("placeholder", "Default (0.7)")
    panel.get_by_label("Temperature", exact=True).fill("1.5")
    panel.get_by_label("Seed").fill("")
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-error")).to_have_text(
        "Temperature must be between 0 and 1 for scripted-alt", timeout=SHORT
    )
    assert client.get(path).json()["temperature"] == 0.4
    panel.get_by_test_id("model-select").select_option("")
    panel.get_by_label("Temperature", exact=True).fill("0.4")
    panel.get_by_label("Seed").fill("7")
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)

    question = unique("sampled in the browser")
    send(page, question)
    expect(answers(page).last).to_have_attribute("data-status", "complete", timeout=LONG)
    assert upstream.requests(question)[0]["sampling"] == {"temperature": 0.4, "top_p": 0.9, "seed": 7}

    page.get_by_test_id("settings-button").click()
    panel.get_by_test_id("sampling-reset").click()
    expect(panel.get_by_label("Temperature", exact=True)).to_have_value("")
    page.get_by_test_id("settings-save").click()
    expect(panel).to_be_hidden(timeout=SHORT)
    stored = client.get(path).json()
    assert (stored["temperature"], stored["top_p"], stored["seed"], stored["max_tokens"]) == (
        None,
        None,
        None,
        None,
    )
