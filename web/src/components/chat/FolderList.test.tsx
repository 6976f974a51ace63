/** Tests of the sidebar's folders: their conversations and counts, deleting with or without them, and a drop. */
import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { conversation } from "../../testing";
import type { Folder } from "../../types";
import { CONVERSATION_DRAG } from "./ConversationItem";
import { FolderList } from "./FolderList";

afterEach(cleanup);

const folder = (id: string, name: string): Folder => ({ id, name, created_at: "", updated_at: "" });

function folders() {
  const props = {
    folders: [folder("f1", "Work"), folder("f2", "Home")],
    conversations: [conversation({ id: "c1", title: "Plan", folder_id: "f1" })],
    renderItem: (c: { id: string; title: string }) => <li key={c.id} data-testid="item">{c.title}</li>,
    onCreate: vi.fn(() => Promise.resolve()),
    onRename: vi.fn(() => Promise.resolve()),
    onDelete: vi.fn(() => Promise.resolve()),
    onDropConversation: vi.fn(),
  };
  return { screen: render(<FolderList {...props} />), props };
}

describe("the folder list", () => {
  it("shows each folder with its conversations and their count", () => {
    const { screen } = folders();
    const [work, home] = screen.getAllByTestId("folder");
    expect(work!.textContent).toContain("Work (1)");
    expect(work!.textContent).toContain("Plan");
    expect(home!.textContent).toContain("Home (0)");
    fireEvent.click(screen.getAllByTestId("folder-toggle")[0]!);
    expect(screen.getAllByTestId("folder-toggle")[0]!.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByText("Plan")).toBeNull();
  });

  it("asks before deleting, with or without the folder's conversations", () => {
    const { screen, props } = folders();
    fireEvent.click(screen.getByRole("button", { name: "Delete folder Work" }));
    expect(screen.getByRole("group", { name: "Delete folder Work" })).toBeTruthy();
    fireEvent.click(screen.getByTestId("delete-folder-and-conversations"));
    expect(props.onDelete).toHaveBeenCalledWith("f1", true);
    fireEvent.click(screen.getByRole("button", { name: "Delete folder Home" }));
    fireEvent.click(screen.getAllByTestId("delete-folder-only")[1]!);
    expect(props.onDelete).toHaveBeenLastCalledWith("f2", false);
  });

  it("takes a dragged conversation, and nothing else", () => {
    const { screen, props } = folders();
    const home = screen.getAllByTestId("folder")[1]!;
    fireEvent.drop(home, { dataTransfer: { types: ["text/plain"], getData: () => "" } });
    expect(props.onDropConversation).not.toHaveBeenCalled();
    fireEvent.drop(home, { dataTransfer: { types: [CONVERSATION_DRAG], getData: (type: string) => (type === CONVERSATION_DRAG ? "c1" : "") } });
    expect(props.onDropConversation).toHaveBeenCalledWith("c1", "f2");
  });

  it("makes a folder from the name typed", async () => {
    const { screen, props } = folders();
    fireEvent.click(screen.getByTestId("new-folder"));
    const input = screen.getByRole("textbox", { name: "New folder's name" });
    fireEvent.change(input, { target: { value: "  Ideas " } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(props.onCreate).toHaveBeenCalledWith("Ideas");
    await vi.waitFor(() => expect(screen.queryByRole("textbox", { name: "New folder's name" })).toBeNull());
  });
});
