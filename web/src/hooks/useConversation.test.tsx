/** Tests of useConversation against a stubbed fetch: loads, the running answer, one submit path, and the races. */
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { branch, conversation, message, type Route, serve, sse, streamResponse, submitted } from "../testing";
import type { Message, SubmitResult } from "../types";
import { useConversation } from "./useConversation";

const question = (id: string, fields: Partial<Message> = {}) => message({ id, role: "user", content: `question ${id}`, ...fields });
const answer = (id: string, fields: Partial<Message> = {}) => message({ id, role: "assistant", content: `answer ${id}`, ...fields });
const queued = (id: string, fields: Partial<Message> = {}) => answer(id, { status: "queued", content: "", ...fields });
const pair = (user: Message, assistant: Message): SubmitResult => ({ user_message: user, assistant_message: assistant });
/** A streaming submit's response: the stored pair, then the answer's text in one delta and its end. */
const submittedThen = (result: SubmitResult, final: Message) => () =>
  streamResponse([submitted(result), sse("1-0", "delta", { text: final.content }), sse("1-1", "done", final)]);
/** An answer's whole stream: its text in one delta, then its end. */
const streamed = (final: Message) => () => streamResponse([sse("1-0", "delta", { text: final.content }), sse("1-1", "done", final)]);

/** A conversation c1 that loads with `messages`. */
const c1 = (messages: Message[]): Record<string, Route> => ({
  "GET /api/conversations/c1": () => Response.json(conversation()),
  "GET /api/conversations/c1/branch?limit=50": () => Response.json(branch(messages)),
});

function render(conversationId: string | null = "c1") {
  const options = { navigate: vi.fn(), onConversationsChanged: vi.fn() };
  const hook = renderHook(({ id }) => useConversation(id, options), { initialProps: { id: conversationId } });
  return { ...hook, ...options };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("useConversation", () => {
  it("waits for the load, then follows the running answer to its end", async () => {
    let push: (chunk: string) => void = () => undefined;
    const live = new ReadableStream<Uint8Array>({
      start: (controller) => void (push = (chunk) => controller.enqueue(new TextEncoder().encode(chunk))),
    });
    serve({
      ...c1([question("q1"), answer("a1", { status: "streaming", content: "He" })]),
      "GET /api/messages/a1/stream": () => new Response(live, { status: 200 }),
    });
    const { result, onConversationsChanged } = render();
    expect(result.current.loading).toBe(true);

    await waitFor(() => expect(result.current.running?.id).toBe("a1"));
    expect(result.current.loading).toBe(false);
    expect(result.current.status).toBe("submitted");
    expect(result.current.busy).toBe(true);

    act(() => push(sse("1-0", "delta", { text: "Hel" })));
    await waitFor(() => expect(result.current.running?.said.text).toBe("Hel"));
    expect(result.current.status).toBe("streaming");

    act(() => push(sse("1-1", "done", answer("a1", { content: "Hello" }))));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(result.current.running).toBeNull();
    expect(result.current.messages.at(-1)).toMatchObject({ content: "Hello", status: "complete" });
    expect(onConversationsChanged).toHaveBeenCalled();
  });

  it("sends a question after the branch on screen, with one client_id however often it retries", async () => {
    let tries = 0;
    const server = serve({
      ...c1([question("q1"), answer("a1")]),
      "POST /api/conversations/c1/messages": () => {
        if (tries++ === 0) throw new TypeError("Failed to fetch");
        const final = answer("a2", { content: "Hi" });
        return streamResponse([submitted(pair(question("q2"), queued("a2"))), sse("1-0", "delta", { text: "Hi" }), sse("1-1", "done", final)]);
      },
    });
    const { result } = render();
    await waitFor(() => expect(result.current.loading).toBe(false));

    let sent: Promise<boolean> = Promise.resolve(false);
    act(() => void (sent = result.current.send("q2?")));
    expect(result.current.status).toBe("submitted");
    await act(async () => expect(await sent).toBe(true));

    const posts = server.requests.filter((r) => r.route === "POST /api/conversations/c1/messages").map((r) => r.body);
    expect(posts).toHaveLength(2);
    expect(posts[0]).toMatchObject({ content: "q2?", parent_id: "a1" });
    expect(posts[1]).toEqual(posts[0]);
    await waitFor(() => expect(result.current.status).toBe("ready"));
    // The answer came in the submit's own response: no second request for its stream.
    expect(server.count("GET /api/messages/a2/stream")).toBe(0);
    expect(result.current.messages.map((m) => [m.id, m.content])).toEqual([
      ["q1", "question q1"],
      ["a1", "answer a1"],
      ["q2", "question q2"],
      ["a2", "Hi"],
    ]);
  });

  it("regenerates and edits by the same path: a new branch from the message", async () => {
    serve({
      ...c1([question("q1"), answer("a1")]),
      "POST /api/messages/a1/regenerate": submittedThen(pair(question("q1"), queued("a2")), answer("a2", { content: "Again" })),
      "POST /api/messages/q1/edit": submittedThen(pair(question("q9"), queued("a9")), answer("a9", { content: "Edited" })),
    });
    const { result } = render();
    await waitFor(() => expect(result.current.messages).toHaveLength(2));

    act(() => result.current.regenerate(result.current.messages[1]!));
    await waitFor(() => expect(result.current.messages.at(-1)).toMatchObject({ id: "a2", content: "Again", status: "complete" }));
    expect(result.current.messages.map((m) => m.id)).toEqual(["q1", "a2"]);
    expect(result.current.messages[1]!.sibling_ids).toEqual(["a1", "a2"]);

    await act(async () => expect(await result.current.edit(result.current.messages[0]!, "better")).toBe(true));
    await waitFor(() => expect(result.current.messages.at(-1)).toMatchObject({ id: "a9", content: "Edited" }));
    expect(result.current.messages.map((m) => m.id)).toEqual(["q9", "a9"]);
    expect(result.current.messages[0]!.sibling_ids).toEqual(["q1", "q9"]);
  });

  it("creates a new chat with its first question and opens it without losing what it shows", async () => {
    const server = serve({
      "POST /api/conversations": () => Response.json(conversation()),
      "POST /api/conversations/c1/messages": (_body, init) => streamResponse([submitted(pair(question("q1"), queued("a1")))], "hang", init.signal),
      ...c1([question("q1"), queued("a1")]),
    });
    const { result, navigate, rerender } = render(null);
    expect(result.current.loading).toBe(false);
    await act(async () => expect(await result.current.send("hello")).toBe(true));

    expect(server.requests[0]).toEqual({ route: "POST /api/conversations", body: { system_prompt: "", model: null, max_tokens: null, tools: null } });
    expect(server.requests[1]!.body).not.toHaveProperty("parent_id");
    expect(navigate).toHaveBeenCalledWith("c1");
    rerender({ id: "c1" });
    expect(result.current.messages.map((m) => m.id)).toEqual(["q1", "a1"]);
    expect(result.current.running?.id).toBe("a1");
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.running?.id).toBe("a1");
  });

  it("drops a load that comes back after the reader moved on", async () => {
    let release: () => void = () => undefined;
    const late = new Promise<void>((resolve) => (release = resolve));
    serve({
      "GET /api/conversations/c1": async () => {
        await late;
        return Response.json(conversation());
      },
      "GET /api/conversations/c1/branch?limit=50": () => Response.json(branch([question("q1"), answer("a1")])),
      "GET /api/conversations/c2": () => Response.json(conversation({ id: "c2" })),
      "GET /api/conversations/c2/branch?limit=50": () => Response.json(branch([question("q2", { conversation_id: "c2" })], "c2")),
    });
    const { result, rerender } = render("c1");
    rerender({ id: "c2" });
    await waitFor(() => expect(result.current.conversation?.id).toBe("c2"));
    await act(async () => {
      release();
      await late;
    });
    expect(result.current.conversation?.id).toBe("c2");
    expect(result.current.messages.map((m) => m.id)).toEqual(["q2"]);
  });

  it("reloads when the server refuses a question because another tab's answer runs", async () => {
    let loads = 0;
    serve({
      "GET /api/conversations/c1": () => Response.json(conversation()),
      "GET /api/conversations/c1/branch?limit=50": () =>
        Response.json(branch(loads++ === 0 ? [question("q1"), answer("a1")] : [question("q1"), answer("a1"), question("q2"), queued("a2")])),
      "POST /api/conversations/c1/messages": () => Response.json({ detail: "An answer is already running." }, { status: 409 }),
      "GET /api/messages/a2/stream": () => streamResponse([], "hang"),
    });
    const { result } = render();
    await waitFor(() => expect(result.current.loading).toBe(false));

    await act(async () => expect(await result.current.send("too soon")).toBe(false));
    expect(result.current.notice).toBe("An answer is already running.");
    await waitFor(() => expect(result.current.running?.id).toBe("a2"));
  });

  it("says which limit refused a question, in the server's words, also for a new chat's first", async () => {
    const sentence = "You have 0 answers waiting, your limit: wait for one to start, or stop one.";
    const overLimit = () => Response.json({ detail: sentence }, { status: 429, headers: { "Retry-After": "10" } });
    const server = serve({
      "POST /api/conversations": () => Response.json(conversation()),
      "POST /api/conversations/c1/messages": overLimit,
      ...c1([]),
    });
    const { result, navigate, rerender } = render(null);
    await act(async () => expect(await result.current.send("hello")).toBe(false));
    expect(result.current.notice).toBe(sentence);
    // A 429 is not retried: the limit holds until an answer ends.
    expect(server.count("POST /api/conversations/c1/messages")).toBe(1);

    // The chat created for it opens (so sending again creates no other), with the sentence still shown.
    expect(navigate).toHaveBeenCalledWith("c1");
    rerender({ id: "c1" });
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.notice).toBe(sentence);
    expect(result.current.status).toBe("error");
  });

  it("does not revive an answer whose end it saw when a load read before that end comes", async () => {
    const server = serve({
      ...c1([question("q1"), answer("a1", { status: "streaming", content: "" })]),
      "GET /api/messages/a1/stream": streamed(answer("a1", { content: "Done" })),
    });
    const { result } = render();
    await waitFor(() => expect(result.current.messages.at(-1)).toMatchObject({ content: "Done", status: "complete" }));

    // Back to the tab: it reads the conversation again, from a replica still behind.
    act(() => void document.dispatchEvent(new Event("visibilitychange")));
    await waitFor(() => expect(server.count("GET /api/conversations/c1/branch?limit=50")).toBe(2));
    await act(async () => {
      await Promise.resolve();
    });
    expect(result.current.running).toBeNull();
    expect(result.current.messages.at(-1)).toMatchObject({ content: "Done", status: "complete" });
    expect(server.count("GET /api/messages/a1/stream")).toBe(1);
  });

  it("reads the page before the oldest message on screen when asked for older messages", async () => {
    serve({
      "GET /api/conversations/c1": () => Response.json(conversation()),
      "GET /api/conversations/c1/branch?limit=50": () => Response.json(branch([question("q2", { parent_id: "a1" }), answer("a2")], "c1", true)),
      "GET /api/conversations/c1/branch?limit=50&before=q2": () => Response.json(branch([question("q1"), answer("a1")])),
    });
    const { result } = render();
    await waitFor(() => expect(result.current.hasOlder).toBe(true));
    act(() => result.current.loadOlder());
    await waitFor(() => expect(result.current.messages.map((m) => m.id)).toEqual(["q1", "a1", "q2", "a2"]));
    expect(result.current.hasOlder).toBe(false);
  });
});
