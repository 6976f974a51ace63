/** Tests of the composer's `/` menu: opened by a typed command, driven by the keys as a listbox,
 * a preset's fields asked for, and a refused clipboard said quietly. */
import { act, cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { CLIPBOARD_REFUSED } from "../../hooks/usePresetPicker";
import type { PromptPreset } from "../../types";
import { Composer } from "./Composer";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  Reflect.deleteProperty(navigator, "clipboard");
});

/** A clipboard whose reads answer `readText` (jsdom has none). */
function clipboardReads(readText: () => Promise<string>) {
  Object.defineProperty(navigator, "clipboard", { value: { readText }, configurable: true });
}

const preset = (command: string, content: string, fields: Partial<PromptPreset> = {}): PromptPreset => ({
  id: command, command, title: `About ${command}`, content, shared: false, mine: true, created_at: "", updated_at: "", ...fields,
});

const PRESETS = [
  preset("fix", "Fix the grammar."),
  preset("mail", "Dear {{name}}, {{clipboard}}"),
  preset("team", "Team rules.", { mine: false, shared: true }),
];

function renderComposer(presets: PromptPreset[] = PRESETS) {
  const onSend = vi.fn().mockResolvedValue(true);
  const onStop = vi.fn();
  const screen = render(
    <Composer busy={false} attachments={[]} attachmentsBlock={null} onSend={onSend} onStop={onStop} onAttach={vi.fn()} onRemoveAttachment={vi.fn()} presets={presets} />,
  );
  const box = screen.getByTestId("composer-input") as HTMLTextAreaElement;
  const type = (value: string) => fireEvent.change(box, { target: { value } });
  const key = (name: string) => fireEvent.keyDown(box, { key: name });
  const options = () => screen.queryAllByRole("option").map((option) => option.dataset.command);
  const active = () => document.getElementById(box.getAttribute("aria-activedescendant") ?? "")?.dataset.command;
  return { screen, box, type, key, options, active, onSend, onStop };
}

describe("the composer's saved prompts", () => {
  it("opens on / in an empty box, narrows as the command is typed, and stays shut for other text", () => {
    const { screen, box, type, options } = renderComposer();
    expect(screen.queryByRole("listbox")).toBeNull();
    type("/");
    expect(options()).toEqual(["fix", "mail", "team"]);
    expect(box.getAttribute("aria-controls")).toBe(screen.getByRole("listbox").id);
    type("/ma");
    expect(options()).toEqual(["mail"]);
    type("/ma and more");
    expect(screen.queryByRole("listbox")).toBeNull();
    type("a /fix");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box.getAttribute("aria-activedescendant")).toBeNull();
  });

  it("moves with the arrows, wraps, inserts with Enter or Tab, and closes with Esc without sending", () => {
    const { screen, box, type, key, active, onSend } = renderComposer();
    type("/");
    expect(active()).toBe("fix");
    key("ArrowDown");
    key("ArrowDown");
    expect(active()).toBe("team");
    expect(screen.getByRole("option", { selected: true }).dataset.command).toBe("team");
    key("ArrowDown");
    expect(active()).toBe("fix");
    key("ArrowUp");
    expect(active()).toBe("team");
    key("Tab");
    expect(box.value).toBe("Team rules.");
    expect(screen.queryByRole("listbox")).toBeNull();

    type("/fi");
    key("Escape");
    expect(screen.queryByRole("listbox")).toBeNull();
    key("Enter"); // the menu is shut: Enter sends what was typed
    expect(onSend).toHaveBeenCalledWith("/fi");
  });

  it("asks for the named fields, fills the clipboard, and inserts the text", async () => {
    clipboardReads(() => Promise.resolve("copied"));
    const { screen, box, type, key } = renderComposer();
    type("/mail");
    key("Enter");
    const name = await screen.findByLabelText("name");
    expect(screen.getAllByTestId("preset-field")).toHaveLength(1);
    fireEvent.change(name, { target: { value: "Ada" } });
    fireEvent.keyDown(name, { key: "Enter" });
    expect(box.value).toBe("Dear Ada, copied");
    expect(screen.queryByTestId("preset-fields")).toBeNull();
  });

  it("leaves {{clipboard}} empty and says so quietly when the clipboard is refused", async () => {
    clipboardReads(() => Promise.reject(new DOMException("Read permission denied.", "NotAllowedError")));
    const { screen, box, type, key } = renderComposer([preset("paste", "Look: {{clipboard}}")]);
    type("/paste");
    await act(async () => {
      key("Enter");
      await Promise.resolve();
    });
    await waitFor(() => expect(box.value).toBe("Look: "));
    const note = screen.getByTestId("preset-note");
    expect(note.textContent).toBe(CLIPBOARD_REFUSED);
    expect(note.getAttribute("role")).toBe("status");
  });
});
