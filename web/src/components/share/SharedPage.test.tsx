/** Tests of a shared link's page against a stubbed fetch: the copy rendered, nothing to act on, and a link that is gone. */
import { cleanup, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { refused, serve } from "../../testing";
import type { SharedConversation } from "../../types";
import { SharedPage } from "./SharedPage";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const COPY: SharedConversation = {
  title: "Notes",
  created_at: "2026-12-07T10:00:00Z",
  messages: [
    { role: "user", content: "Explain **this**", model: null, created_at: "", stopped: false, attachments: ["plan.pdf"] },
    { role: "assistant", content: "It is **bold**.\n\n```js\nlet x = 1;\n```", model: "m1", created_at: "", stopped: true, attachments: [] },
  ],
};

describe("a shared link's page", () => {
  it("shows the copy as the app renders it, marks the page noindex, and offers nothing to act on", async () => {
    serve({ "GET /api/shared/tok_en": () => Response.json(COPY) });
    const view = render(<SharedPage token="tok_en" />);
    await waitFor(() => expect(view.getByTestId("shared-title").textContent).toBe("Notes"));
    const [question, answer] = view.getAllByTestId("shared-message") as [HTMLElement, HTMLElement];
    expect(question.textContent).toContain("Explain **this**"); // a question is text, as in the app
    expect(question.textContent).toContain("plan.pdf");
    expect(answer.querySelector("strong")?.textContent).toBe("bold");
    expect(answer.querySelector("pre code")?.textContent).toContain("let x = 1;");
    expect(answer.textContent).toContain("Stopped");
    expect(view.getByText("Shared from relaychat")).toBeTruthy();
    expect(document.head.querySelector('meta[name="robots"]')?.getAttribute("content")).toBe("noindex");
    expect(document.title).toBe("Notes · relaychat");
    expect(view.queryByRole("textbox")).toBeNull();
    expect(view.queryByRole("button", { name: "Good answer" })).toBeNull();
  });

  it("says a link that is gone is not found, in the server's words", async () => {
    serve({ "GET /api/shared/gone": refused(404, "This shared link does not exist, or its owner has stopped sharing it.") });
    const view = render(<SharedPage token="gone" />);
    await waitFor(() => expect(view.getByTestId("shared-not-found").textContent).toContain("stopped sharing it"));
    expect(view.queryAllByTestId("shared-message")).toHaveLength(0);
  });
});
