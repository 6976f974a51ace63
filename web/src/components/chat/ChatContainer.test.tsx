/** Tests of the chat screen against a stubbed fetch: a question refused over a limit shows the server's sentence. */
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { branch, conversation, message, serve } from "../../testing";
import { ChatContainer } from "./ChatContainer";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const OVER_LIMIT = "You have 50 answers waiting, your limit: wait for one to start, or stop one.";

function renderChat(conversationId: string | null) {
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
      updates={() => () => undefined}
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
