/** Tests of the thumbs under an answer against a stubbed fetch: rating, commenting, taking back, and a refusal in the server's words. */
import { cleanup, fireEvent, render, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { message, refused, serve } from "../../testing";
import { FeedbackButtons } from "./FeedbackButtons";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const saved = (body: unknown) => Response.json({ ...(body as object), updated_at: "2026-12-07T10:00:00Z" });

describe("feedback on an answer", () => {
  it("rates, asks for an optional comment, sends it, and takes the rating back", async () => {
    const api = serve({ "PUT /api/messages/a1/feedback": saved, "DELETE /api/messages/a1/feedback": () => new Response(null, { status: 204 }) });
    const view = render(<FeedbackButtons message={message({ id: "a1", role: "assistant", status: "complete" })} />);
    const good = view.getByRole("button", { name: "Good answer" });
    const bad = view.getByRole("button", { name: "Bad answer" });
    expect(good.getAttribute("aria-pressed")).toBe("false");

    fireEvent.click(good);
    await waitFor(() => expect(good.getAttribute("aria-pressed")).toBe("true"));
    expect(bad.getAttribute("aria-pressed")).toBe("false");
    fireEvent.change(view.getByTestId("feedback-comment"), { target: { value: "  Clear.  " } });
    fireEvent.submit(view.getByTestId("feedback-form"));
    await waitFor(() => expect(view.queryByTestId("feedback-form")).toBeNull());

    fireEvent.click(good);
    await waitFor(() => expect(good.getAttribute("aria-pressed")).toBe("false"));
    expect(view.queryByTestId("feedback-form")).toBeNull();
    expect(api.requests.map((r) => [r.route, r.body])).toEqual([
      ["PUT /api/messages/a1/feedback", { rating: "up", comment: null }],
      ["PUT /api/messages/a1/feedback", { rating: "up", comment: "Clear." }],
      ["DELETE /api/messages/a1/feedback", undefined],
    ]);
  });

  it("starts from the rating the message was read with, and keeps its comment when the rating changes", async () => {
    const api = serve({ "PUT /api/messages/a1/feedback": saved });
    const rated = message({ id: "a1", role: "assistant", feedback: { rating: "up", comment: "fine", updated_at: "" } });
    const view = render(<FeedbackButtons message={rated} />);
    expect(view.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(view.getByRole("button", { name: "Bad answer" }));
    await waitFor(() => expect(view.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed")).toBe("true"));
    expect(api.requests[0]?.body).toEqual({ rating: "down", comment: "fine" });
  });

  it("says why the server refused, and keeps the rating as it was", async () => {
    serve({ "PUT /api/messages/a1/feedback": refused(409, "The answer is still being written: rate it once it has finished.") });
    const view = render(<FeedbackButtons message={message({ id: "a1", role: "assistant" })} />);
    fireEvent.click(view.getByRole("button", { name: "Bad answer" }));
    await waitFor(() => expect(view.getByTestId("feedback-error").textContent).toContain("still being written"));
    expect(view.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed")).toBe("false");
    expect(view.queryByTestId("feedback-form")).toBeNull();
  });
});
