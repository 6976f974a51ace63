/** Tests of the chat screen against a stubbed fetch: a question refused over a limit shows the server's sentence; files go with a question. */
import { act, cleanup, fireEvent, render, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { api } from "../../api";
import type { SubscribeToUpdates } from "../../hooks/useUpdates";
import { branch, conversation, message, serve, storedFile, streamResponse, submitted, updatesFeed } from "../../testing";
import { ChatContainer } from "./ChatContainer";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const OVER_LIMIT = "You have 50 answers waiting, your limit: wait for one to start, or stop one.";

function renderChat(conversationId: string | null, updates: SubscribeToUpdates = () => () => undefined) {
  const navigate = vi.fn();
  const screen = render(
    <ChatContainer
      conversationId={conversationId}
      listed={undefined}
      models={null}
      theme="light"
      onToggleTheme={vi.fn()}
      onOpenSidebar={vi.fn()}
      navigate={navigate}
      onConversationsChanged={vi.fn()}
      focus={null}
      updates={updates}
    />,
  );
  return { screen, navigate };
}

describe("the chat screen", () => {
  it("shows the limit's sentence when a question is refused with 429, and gives the text back", async () => {
    const server = serve({
      "GET /api/conversations/c1": () => Response.json(conversation()),
      "GET /api/conversations/c1/branch?limit=50": () =>
        Response.json(branch([message({ id: "q1", role: "user", content: "hi" }), message({ id: "a1", content: "hello", parent_id: "q1" })])),
      "POST /api/conversations/c1/messages": () => Response.json({ detail: OVER_LIMIT }, { status: 429, headers: { "Retry-After": "10" } }),
    });
    const { screen } = renderChat("c1");
    await waitFor(() => expect(screen.getByTestId("chat").dataset.status).toBe("ready"));
    await waitFor(() => expect(server.count("GET /api/conversations/c1/branch?limit=50")).toBe(1));

    const input = screen.getByTestId("composer-input") as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: "one more, please" } });
    fireEvent.click(screen.getByTestId("send-button"));

    const banner = await screen.findByTestId("send-error");
    expect(banner.textContent).toBe(OVER_LIMIT);
    expect(banner.getAttribute("role")).toBe("alert");
    expect(screen.getByTestId("chat").dataset.status).toBe("error");
    expect(input.value).toBe("one more, please");
    expect(server.count("POST /api/conversations/c1/messages")).toBe(1);
    expect(screen.queryAllByTestId("message")).toHaveLength(2);
  });

  it("keeps the sentence on screen when a new chat's first question is refused and the chat made for it opens", async () => {
    serve({
      "POST /api/conversations": () => Response.json(conversation()),
      "POST /api/conversations/c1/messages": () => Response.json({ detail: OVER_LIMIT }, { status: 429, headers: { "Retry-After": "10" } }),
      "GET /api/conversations/c1": () => Response.json(conversation()),
      "GET /api/conversations/c1/branch?limit=50": () => Response.json(branch([])),
    });
    const { screen, navigate } = renderChat(null);
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "first question" } });
    fireEvent.click(screen.getByTestId("send-button"));
    await waitFor(() => expect(navigate).toHaveBeenCalledWith("c1"));

    screen.rerender(
      <ChatContainer
        conversationId="c1"
        listed={undefined}
        models={null}
        theme="light"
        onToggleTheme={vi.fn()}
        onOpenSidebar={vi.fn()}
        navigate={navigate}
        onConversationsChanged={vi.fn()}
        focus={null}
        updates={() => () => undefined}
      />,
    );
    expect((await screen.findByTestId("send-error")).textContent).toBe(OVER_LIMIT);
    expect((screen.getByTestId("composer-input") as HTMLTextAreaElement).value).toBe("first question");
  });
});

describe("files in the chat", () => {
  it("sends the ready files with the question, then shows them on it and clears the composer's chips", async () => {
    const question = message({ id: "q1", role: "user", content: "compare them", attachments: ["f1", "f2"] });
    const server = serve({
      "GET /api/conversations/c1": () => Response.json(conversation()),
      "GET /api/conversations/c1/branch?limit=50": () => Response.json(branch([])),
      "GET /api/files/f2": () => Response.json(storedFile({ id: "f2", name: "b.md", tokens: 20 })),
      "POST /api/conversations/c1/messages": () =>
        streamResponse([submitted({ user_message: question, assistant_message: message({ id: "a1", parent_id: "q1", status: "queued" }) })], "hang"),
    });
    let uploads = 0;
    vi.spyOn(api, "uploadFile").mockImplementation((file) =>
      Promise.resolve(storedFile({ id: `f${++uploads}`, name: file.name, status: uploads === 1 ? "ready" : "processing" })),
    );
    const feed = updatesFeed();
    const { screen } = renderChat("c1", feed.subscribe);
    await waitFor(() => expect(screen.getByTestId("chat").dataset.status).toBe("ready"));

    // One picked, one dropped on the chat.
    fireEvent.change(screen.getByTestId("file-input"), { target: { files: [new File(["# A"], "a.md")] } });
    fireEvent.drop(screen.getByTestId("drop-zone"), { dataTransfer: { types: ["Files"], files: [new File(["# B"], "b.md")] } });
    await waitFor(() => expect(screen.getAllByTestId("file-chip").map((c) => c.dataset.status)).toEqual(["ready", "processing"]));
    fireEvent.change(screen.getByTestId("composer-input"), { target: { value: "compare them" } });
    expect((screen.getByTestId("send-button") as HTMLButtonElement).disabled).toBe(true);

    act(() => feed.emit({ file_id: "f2", change: "file" }));
    await waitFor(() => expect((screen.getByTestId("send-button") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("send-button"));

    await waitFor(() => expect(screen.queryAllByTestId("file-chip")).toHaveLength(0));
    expect(server.requests.find((r) => r.route === "POST /api/conversations/c1/messages")?.body).toMatchObject({
      content: "compare them",
      attachments: ["f1", "f2"],
    });
    const asked = screen.getAllByTestId("message")[0]!;
    await waitFor(() => expect(within(asked).getAllByTestId("message-attachment").map((a) => a.textContent)).toEqual(["a.md", "b.md"]));
    // Named from what was sent: the files were not asked for again.
    expect(server.count("GET /api/files/f1")).toBe(0);
    expect(server.count("GET /api/files/f2")).toBe(1);
  });
});
