/** Tests of the focus trap of the drawer and the menus: focus in, Tab cycling, Escape or a press outside, and the focus given back. */
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useRef, useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { useFocusTrap } from "./useFocusTrap";
import { useShortcuts } from "./useShortcuts";

afterEach(cleanup);

/** A menu button, the menu it opens (two items, a disabled one between), and a field outside. */
function Menu({ onClosed }: { onClosed?: () => void }) {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement | null>(null);
  useFocusTrap(open, menu, () => {
    setOpen(false);
    onClosed?.();
  });
  return (
    <>
      <button type="button" onClick={() => setOpen((shown) => !shown)}>
        Open
      </button>
      {open ? (
        <div ref={menu} role="menu">
          <button type="button">First</button>
          <button type="button" disabled>
            Off
          </button>
          <button type="button" hidden>
            Hidden
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Last
          </button>
        </div>
      ) : null}
      <input aria-label="Outside" />
    </>
  );
}

function openMenu() {
  const opener = screen.getByRole("button", { name: "Open" });
  opener.focus();
  fireEvent.click(opener);
  return opener;
}

const tab = (shiftKey = false) => fireEvent.keyDown(document.activeElement ?? document.body, { key: "Tab", shiftKey, bubbles: true, cancelable: true });

describe("useFocusTrap", () => {
  it("moves the focus in, and Tab and Shift+Tab cycle through the enabled, shown controls only", () => {
    render(<Menu />);
    openMenu();
    const first = screen.getByRole("button", { name: "First" });
    const last = screen.getByRole("button", { name: "Last" });
    expect(document.activeElement).toBe(first);
    // Between two controls Tab is the browser's; at the ends it wraps.
    expect(tab(true)).toBe(false);
    expect(document.activeElement).toBe(last);
    expect(tab()).toBe(false);
    expect(document.activeElement).toBe(first);
    first.blur();
    tab();
    expect(document.activeElement).toBe(first);
  });

  it("closes on Escape before the page's shortcuts see it, and gives the focus back to the opener", () => {
    const stop = vi.fn<() => void>();
    const closed = vi.fn<() => void>();
    function Page() {
      useShortcuts({ stop });
      return <Menu onClosed={closed} />;
    }
    render(<Page />);
    const opener = openMenu();
    fireEvent.keyDown(screen.getByRole("button", { name: "First" }), { key: "Escape", bubbles: true, cancelable: true });
    expect(closed).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(stop).not.toHaveBeenCalled();
  });

  it("gives the focus back when a choice inside closes it", () => {
    render(<Menu />);
    const opener = openMenu();
    act(() => screen.getByRole("button", { name: "Last" }).click());
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("closes on a press outside and leaves the focus where the reader put it", () => {
    const closed = vi.fn<() => void>();
    render(<Menu onClosed={closed} />);
    openMenu();
    const outside = screen.getByRole("textbox", { name: "Outside" });
    fireEvent.mouseDown(outside);
    outside.focus();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(document.activeElement).toBe(outside);
  });

  it("leaves Escape to a dialog opened from inside", () => {
    const closed = vi.fn<() => void>();
    function WithDialog() {
      const drawer = useRef<HTMLDivElement | null>(null);
      useFocusTrap(true, drawer, closed);
      return (
        <div ref={drawer}>
          <button type="button">In the drawer</button>
          <dialog open>
            <button type="button">In the dialog</button>
          </dialog>
        </div>
      );
    }
    render(<WithDialog />);
    fireEvent.keyDown(screen.getByRole("button", { name: "In the dialog" }), { key: "Escape", bubbles: true, cancelable: true });
    expect(closed).not.toHaveBeenCalled();
    fireEvent.keyDown(screen.getByRole("button", { name: "In the drawer" }), { key: "Escape", bubbles: true, cancelable: true });
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it("leaves Escape to a search box with text in it, which clears it; an empty one's Escape closes", () => {
    const closed = vi.fn<() => void>();
    function WithSearch() {
      const drawer = useRef<HTMLDivElement | null>(null);
      const [query, setQuery] = useState("budget");
      useFocusTrap(true, drawer, closed);
      return (
        <div ref={drawer}>
          <input
            type="search"
            aria-label="Search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Escape") setQuery("");
            }}
          />
        </div>
      );
    }
    render(<WithSearch />);
    const search = screen.getByRole("searchbox", { name: "Search" });
    fireEvent.keyDown(search, { key: "Escape", bubbles: true, cancelable: true });
    expect(closed).not.toHaveBeenCalled();
    expect(search).toHaveProperty("value", "");
    fireEvent.keyDown(search, { key: "Escape", bubbles: true, cancelable: true });
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it("moves between a menu's items with the arrows, Home and End, wrapping round", () => {
    function ArrowMenu() {
      const menu = useRef<HTMLDivElement | null>(null);
      useFocusTrap(true, menu, () => undefined);
      return (
        <div ref={menu} role="menu">
          <p>Signed in as ada@example.com</p>
          {["One", "Two", "Three"].map((name) => (
            <button key={name} type="button" role="menuitem">
              {name}
            </button>
          ))}
        </div>
      );
    }
    render(<ArrowMenu />);
    const item = (name: string) => screen.getByRole("menuitem", { name });
    const key = (name: string) => fireEvent.keyDown(document.activeElement ?? document.body, { key: name, bubbles: true, cancelable: true });
    expect(document.activeElement).toBe(item("One"));
    key("ArrowDown");
    expect(document.activeElement).toBe(item("Two"));
    key("End");
    expect(document.activeElement).toBe(item("Three"));
    key("ArrowDown");
    expect(document.activeElement).toBe(item("One"));
    key("ArrowUp");
    expect(document.activeElement).toBe(item("Three"));
    key("Home");
    expect(document.activeElement).toBe(item("One"));
  });
});
