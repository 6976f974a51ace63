/** Tests of the keyboard shortcuts: each key with its modifiers, where each applies, and the help dialog from the same table. */
import { cleanup, fireEvent, render, renderHook } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { ShortcutsDialog } from "../components/shared/ShortcutsDialog";
import { SHORTCUTS, type ShortcutId, isMac, keysOf } from "../shortcuts";
import { useShortcuts } from "./useShortcuts";

// jsdom has <dialog> without its modal methods: open it as a dialog would, and close with its event.
beforeAll(() => {
  const dialog = HTMLDialogElement.prototype as unknown as Record<string, unknown>;
  dialog.showModal = function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  dialog.close = function (this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
});

afterEach(() => {
  cleanup();
  document.body.innerHTML = "";
  vi.restoreAllMocks();
});

/** Every handler as a spy, the hook listening, and a message box to type in. */
function setUp(ids: ShortcutId[] = ["search", "newChat", "stop", "editLast", "help"]) {
  const composer = document.createElement("textarea");
  const field = document.createElement("input");
  document.body.append(composer, field);
  const handlers = Object.fromEntries(ids.map((id) => [id, vi.fn<() => void>()])) as Record<ShortcutId, ReturnType<typeof vi.fn<() => void>>>;
  renderHook(() => useShortcuts(handlers, { current: composer }));
  return { handlers, composer, field };
}

/** Presses a key on `target`; whether the page's default was prevented (a shortcut took it). */
function press(target: Element, key: string, modifiers: Partial<KeyboardEventInit> = {}): boolean {
  return !fireEvent.keyDown(target, { key, bubbles: true, cancelable: true, ...modifiers });
}

describe("useShortcuts", () => {
  it("takes Ctrl+K and Ctrl+Shift+O anywhere, even while typing, and leaves Cmd and plain keys alone off a Mac", () => {
    const { handlers, composer, field } = setUp();
    expect(press(composer, "k", { ctrlKey: true })).toBe(true);
    expect(press(field, "O", { ctrlKey: true, shiftKey: true })).toBe(true);
    expect(handlers.search).toHaveBeenCalledTimes(1);
    expect(handlers.newChat).toHaveBeenCalledTimes(1);

    expect(press(document.body, "k", { metaKey: true })).toBe(false);
    expect(press(document.body, "o", { ctrlKey: true })).toBe(false); // the browser's own Ctrl+O
    expect(press(document.body, "k", { ctrlKey: true, altKey: true })).toBe(false);
    expect(press(composer, "k")).toBe(false);
    expect(handlers.search).toHaveBeenCalledTimes(1);
    expect(handlers.newChat).toHaveBeenCalledTimes(1);
  });

  it("uses Cmd on a Mac, and then leaves Ctrl+K to the system", () => {
    vi.spyOn(navigator, "platform", "get").mockReturnValue("MacIntel");
    expect(isMac()).toBe(true);
    const { handlers } = setUp();
    expect(press(document.body, "k", { ctrlKey: true })).toBe(false);
    expect(press(document.body, "k", { metaKey: true })).toBe(true);
    expect(press(document.body, "O", { metaKey: true, shiftKey: true })).toBe(true);
    expect(handlers.search).toHaveBeenCalledTimes(1);
    expect(handlers.newChat).toHaveBeenCalledTimes(1);
  });

  it("opens the help with ? outside fields only", () => {
    const { handlers, composer, field } = setUp();
    expect(press(composer, "?", { shiftKey: true })).toBe(false);
    expect(press(field, "?", { shiftKey: true })).toBe(false);
    expect(handlers.help).not.toHaveBeenCalled();
    expect(press(document.body, "?", { shiftKey: true })).toBe(true);
    expect(handlers.help).toHaveBeenCalledTimes(1);
  });

  it("stops with Escape from the page or the message box, not from another field, a menu or what handled it first", () => {
    const { handlers, composer, field } = setUp();
    expect(press(document.body, "Escape")).toBe(true);
    expect(press(composer, "Escape")).toBe(true);
    expect(handlers.stop).toHaveBeenCalledTimes(2);

    expect(press(field, "Escape")).toBe(false); // a rename or the settings: Escape cancels there
    const menu = document.createElement("div");
    menu.setAttribute("role", "menu");
    document.body.append(menu);
    expect(press(document.body, "Escape")).toBe(false); // the menu closes instead
    menu.remove();
    composer.addEventListener("keydown", (event) => event.preventDefault(), { once: true }); // the edit form's own Escape
    press(composer, "Escape");
    expect(handlers.stop).toHaveBeenCalledTimes(2);
  });

  it.each([
    ["an aria-modal element", "div", "aria-modal"],
    ["an open <dialog> (Share)", "dialog", "open"],
  ])("takes no shortcut while %s is open", (_, tag, attribute) => {
    const { handlers } = setUp();
    const dialog = document.createElement(tag);
    dialog.setAttribute(attribute, attribute === "open" ? "" : "true");
    document.body.append(dialog);
    press(dialog, "Escape");
    press(dialog, "k", { ctrlKey: true });
    press(document.body, "?", { shiftKey: true });
    expect(handlers.stop).not.toHaveBeenCalled();
    expect(handlers.search).not.toHaveBeenCalled();
    expect(handlers.help).not.toHaveBeenCalled();
    dialog.remove();
    expect(press(document.body, "Escape")).toBe(true); // and does again once it is closed
  });

  it("edits the last question with ↑ in the empty message box only", () => {
    const { handlers, composer, field } = setUp();
    expect(press(document.body, "ArrowUp")).toBe(false);
    expect(press(field, "ArrowUp")).toBe(false);
    composer.value = "half a question";
    expect(press(composer, "ArrowUp")).toBe(false); // moves the caret as usual
    expect(handlers.editLast).not.toHaveBeenCalled();
    composer.value = "";
    expect(press(composer, "ArrowUp", { shiftKey: true })).toBe(false);
    expect(press(composer, "ArrowUp")).toBe(true);
    expect(handlers.editLast).toHaveBeenCalledTimes(1);
  });

  it("leaves a key alone when its handler is not given (no answer to stop, nothing to edit)", () => {
    const { composer } = setUp(["search"]);
    expect(press(document.body, "Escape")).toBe(false);
    expect(press(composer, "ArrowUp")).toBe(false);
    expect(press(document.body, "?", { shiftKey: true })).toBe(false);
  });
});

describe("the shortcuts dialog", () => {
  it("lists every shortcut of the table with its keys, as a labelled modal dialog", () => {
    const { getByRole, getAllByTestId } = render(<ShortcutsDialog onClose={() => undefined} />);
    const dialog = getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    const rows = getAllByTestId("shortcut");
    expect(rows.map((row) => row.dataset.id)).toEqual(SHORTCUTS.map((shortcut) => shortcut.id));
    for (const [index, shortcut] of SHORTCUTS.entries()) {
      const keys = Array.from(rows[index]!.querySelectorAll("kbd"), (kbd) => kbd.textContent);
      expect(keys).toEqual(keysOf(shortcut, false));
      expect(rows[index]!.textContent).toContain(shortcut.description);
    }
    expect(keysOf(SHORTCUTS.find((shortcut) => shortcut.id === "newChat")!, false)).toEqual(["Ctrl", "Shift", "O"]);
    expect(keysOf(SHORTCUTS.find((shortcut) => shortcut.id === "search")!, true)).toEqual(["⌘", "K"]);
  });

  it("gives focus back to where it was when it closes", () => {
    const before = document.createElement("button");
    document.body.append(before);
    before.focus();
    const onClose = vi.fn();
    const { getByTestId, unmount } = render(<ShortcutsDialog onClose={onClose} />);
    expect(document.activeElement).toBe(getByTestId("shortcuts-close"));
    fireEvent.click(getByTestId("shortcuts-close"));
    expect(onClose).toHaveBeenCalledTimes(1);
    unmount();
    expect(document.activeElement).toBe(before);
  });
});
