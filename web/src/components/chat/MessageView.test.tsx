/** Tests of a message's branch switcher, pin, context mark, edit in place, and a question's files. */
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { refused, serve, storedFile } from "../../testing";
import type { Message } from "../../types";
import { MessageView } from "./MessageView";

function message(fields: Partial<Message> = {}): Message {
  return {
    id: "b", conversation_id: "c1", parent_id: "u1", role: "assistant", content: "an answer", status: "complete",
    error: null, error_code: null, model: "x", attempt: 1, prompt_tokens: 1, completion_tokens: 1,
    cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null,
    finish_reason: "stop", client_id: null, pinned: false, included_ids: null, created_at: "", updated_at: "",
    ...fields,
  };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("branches, pins and context on a message", () => {
  it("shows ‹ 2/3 › and switches to the neighbours", () => {
    const onSwitch = vi.fn();
    const { getByTestId } = render(
      <MessageView message={message({ sibling_ids: ["a", "b", "c"] })} onSwitch={onSwitch} />,
    );
    expect(getByTestId("branch-position").textContent).toBe("2/3");
    fireEvent.click(getByTestId("branch-previous"));
    fireEvent.click(getByTestId("branch-next"));
    expect(onSwitch.mock.calls).toEqual([["a"], ["c"]]);
  });

  it("shows no switcher on an only child, and locks switching and regenerating while an answer runs", () => {
    const only = render(<MessageView message={message()} onSwitch={vi.fn()} />);
    expect(only.queryByTestId("branch-switcher")).toBeNull();
    cleanup();
    const { getByTestId } = render(
      <MessageView message={message({ sibling_ids: ["a", "b"] })} locked onSwitch={vi.fn()} onRegenerate={vi.fn()} />,
    );
    expect((getByTestId("branch-previous") as HTMLButtonElement).disabled).toBe(true);
    expect((getByTestId("regenerate-button") as HTMLButtonElement).disabled).toBe(true);
  });

  it("marks a message the model no longer sees, and a pinned one", () => {
    const onPin = vi.fn();
    const { getByTestId, container } = render(
      <MessageView message={message({ role: "user", pinned: true })} context="out" onPin={onPin} />,
    );
    const article = container.querySelector("article")!;
    expect(article.dataset.context).toBe("out");
    expect(article.dataset.pinned).toBe("true");
    expect(getByTestId("context-out").textContent).toContain("Not in the model's context");
    expect(getByTestId("pin-button").getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(getByTestId("pin-button"));
    expect(onPin).toHaveBeenCalledOnce();
  });

  it("edits a question in place and closes once it is sent", async () => {
    const onEdit = vi.fn().mockResolvedValue(true);
    const { getByTestId, findByTestId, queryByTestId } = render(
      <MessageView message={message({ role: "user", content: "old question" })} onEdit={onEdit} />,
    );
    fireEvent.click(getByTestId("edit-button"));
    const input = getByTestId("edit-input") as HTMLTextAreaElement;
    expect(input.value).toBe("old question");
    fireEvent.change(input, { target: { value: "new question" } });
    fireEvent.click(getByTestId("edit-send"));
    await findByTestId("message-content");
    expect(onEdit).toHaveBeenCalledWith("new question");
    expect(queryByTestId("edit-input")).toBeNull();
  });
});

describe("what an answer says besides its text", () => {
  const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Oslo"}' } };

  it("folds a finished answer's thinking away, shows its calls, and counts its thinking tokens", () => {
    const { getByTestId } = render(
      <MessageView message={message({ reasoning: "Oslo first.", tool_calls: [call], content: "", reasoning_tokens: 7 })} />,
    );
    expect((getByTestId("thinking") as HTMLDetailsElement).open).toBe(false);
    expect(getByTestId("thinking-text").textContent).toBe("Oslo first.");
    expect(getByTestId("tool-name").textContent).toBe("get_weather");
    expect(getByTestId("tool-arguments").textContent).toBe('{\n  "city": "Oslo"\n}');
    expect(getByTestId("message-content").textContent).not.toContain("Oslo first.");
    expect(getByTestId("usage-reasoning").textContent).toBe("7 thinking");
  });

  it("keeps the thinking open while the model thinks, live", () => {
    const { getByTestId } = render(
      <MessageView message={message({ status: "streaming", content: "" })} live liveSaid={{ text: "", reasoning: "Hmm", toolCalls: [] }} />,
    );
    expect((getByTestId("thinking") as HTMLDetailsElement).open).toBe(true);
  });

  it("shows a tool's result under the name of the call it answers", () => {
    const { getByTestId } = render(<MessageView message={message({ role: "tool", content: "12", tool_call_id: "call_1" })} toolName="get_weather" />);
    expect(getByTestId("tool-result").textContent).toBe("Result of get_weather12");
  });
});

describe("the files a question brought", () => {
  it("names each, linking to its download, and says which were deleted since", async () => {
    const server = serve({
      "GET /api/files/m1": () => Response.json(storedFile({ id: "m1", name: "notes.md" })),
      "GET /api/files/m2": refused(404, "File not found"),
    });
    const { getAllByTestId } = render(<MessageView message={message({ role: "user", content: "summarize", attachments: ["m1", "m2"] })} />);
    await waitFor(() => expect(getAllByTestId("message-attachment").map((a) => a.textContent)).toEqual(["notes.md", "File deleted"]));
    const [named, gone] = getAllByTestId("message-attachment");
    expect(named!.getAttribute("href")).toBe("/api/files/m1/content");
    expect(named!.getAttribute("download")).toBe("notes.md");
    expect(gone!.dataset.deleted).toBe("true");
    expect(gone!.hasAttribute("href")).toBe(false);

    // Read once: another message with the same file asks nothing more.
    cleanup();
    render(<MessageView message={message({ id: "q2", role: "user", content: "again", attachments: ["m1"] })} />);
    expect(server.requests.map((r) => r.route)).toEqual(["GET /api/files/m1", "GET /api/files/m2"]);
  });

  it("shows an image's thumbnail in its download link, named by the file", async () => {
    serve({
      "GET /api/files/i1": () => Response.json(storedFile({ id: "i1", name: "chart.png", content_type: "image/png" })),
      "GET /api/files/d1": () => Response.json(storedFile({ id: "d1", name: "report.pdf", content_type: "application/pdf" })),
    });
    const { getAllByTestId, findByTestId } = render(
      <MessageView message={message({ role: "user", content: "explain", attachments: ["i1", "d1"] })} />,
    );
    const thumbnail = (await findByTestId("file-thumbnail")) as HTMLImageElement;
    expect(thumbnail.getAttribute("src")).toBe("/api/files/i1/thumbnail");
    expect(thumbnail.alt).toBe("chart.png");
    await waitFor(() => expect(getAllByTestId("message-attachment").map((a) => a.textContent)).toEqual(["chart.png", "report.pdf"]));
    const [image, document] = getAllByTestId("message-attachment");
    expect(image!.contains(thumbnail)).toBe(true);
    expect(image!.getAttribute("href")).toBe("/api/files/i1/content");
    expect(document!.querySelector("img")).toBeNull();
  });

  it("shows none on a question without files", () => {
    const { queryByTestId } = render(<MessageView message={message({ role: "user", content: "hi", attachments: null })} />);
    expect(queryByTestId("message-attachment")).toBeNull();
  });
});
