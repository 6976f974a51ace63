/** Tests of the sidebar's choice between chats and API conversations, and of the API mark on the list. */
import { cleanup, fireEvent, render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { conversation } from "../../testing";
import type { ConversationSource } from "../../types";
import { Sidebar } from "./Sidebar";

afterEach(cleanup);

function sidebar(source: ConversationSource, items = [conversation()], loaded = true) {
  const onChooseSource = vi.fn();
  const screen = render(
    <Sidebar
      conversations={items}
      source={source}
      loaded={loaded}
      onChooseSource={onChooseSource}
      activeId={null}
      open={false}
      onSelect={vi.fn()}
      onOpenAt={vi.fn()}
      onNew={vi.fn()}
      onRename={vi.fn()}
      onDelete={vi.fn()}
      onImported={vi.fn()}
      onClose={vi.fn()}
      folders={[]}
      onCreateFolder={vi.fn()}
      onRenameFolder={vi.fn()}
      onDeleteFolder={vi.fn()}
      onPlace={vi.fn()}
      onDeleteMany={vi.fn()}
      archived={null}
      archivedShown={false}
      hasMore={false}
      onMore={vi.fn()}
      onShowArchived={vi.fn()}
    />,
  );
  return { screen, onChooseSource };
}

describe("the sidebar's source choice", () => {
  it("is a labelled pair of buttons that says which is chosen and asks for the other", () => {
    const { screen, onChooseSource } = sidebar("app");
    expect(screen.getByRole("group", { name: "Show conversations" })).toBeTruthy();
    expect(screen.getByTestId("source-app").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("source-api").getAttribute("aria-pressed")).toBe("false");
    expect(screen.getByTestId("source-api").textContent).toBe("From the API");
    fireEvent.click(screen.getByTestId("source-api"));
    expect(onChooseSource).toHaveBeenCalledWith("api");
    expect(screen.queryByTestId("conversation-source")).toBeNull();
  });

  it("marks the API's conversations, and says what shows there when there are none", () => {
    const marked = sidebar("api", [conversation({ id: "c2", title: "From a script", source: "api" })]);
    expect(marked.screen.getByTestId("source-api").getAttribute("aria-pressed")).toBe("true");
    expect(marked.screen.getByTestId("conversation-title").textContent).toBe("From a script");
    expect(marked.screen.getByTestId("conversation-source").textContent).toBe("API");
    cleanup();

    expect(sidebar("api", []).screen.getByTestId("no-conversations").textContent).toContain("No conversations from the API yet");
    cleanup();
    // Not "none" while the list is still on its way.
    expect(sidebar("api", [], false).screen.queryByTestId("no-conversations")).toBeNull();
  });
});
