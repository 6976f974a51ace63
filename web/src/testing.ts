/** Test helpers: messages, conversations, users, usage and files as the API returns them, event-stream responses, a stubbed API, uploads and updates. */
import { vi } from "vitest";

import type { SubscribeToUpdates, Update } from "./hooks/useUpdates";
import type {
  Branch,
  Conversation,
  ConversationTotals,
  DayUsage,
  Limits,
  Message,
  MinuteStatus,
  SubmitResult,
  SystemStatus,
  UploadedFile,
  UsageReport,
  User,
} from "./types";

export function message(fields: Partial<Message> = {}): Message {
  return {
    id: "a1", conversation_id: "c1", parent_id: null, role: "assistant", content: "", status: "complete",
    error: null, error_code: null, model: "x", attempt: 1, prompt_tokens: null, completion_tokens: null,
    cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null,
    finish_reason: "stop", client_id: null, pinned: false, included_ids: null, created_at: "", updated_at: "",
    ...fields,
  };
}

export function conversation(fields: Partial<Conversation> = {}): Conversation {
  return {
    id: "c1", title: "A chat", title_source: "user", system_prompt: "", model: null, max_tokens: null,
    selected_leaf_id: null, source: "app", created_at: "", updated_at: "", pinned: false, archived: false, ...fields,
  };
}

/** One event as the server writes it. */
export const sse = (id: string, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** The event a streaming submit starts with: the stored pair, with no id (it is not in the answer's log). */
export const submitted = (result: SubmitResult) => `event: submitted\ndata: ${JSON.stringify(result)}\n\n`;

/** A response whose body yields `chunks`, then ends, errors (`drop`: a dropped connection) or,
 * with `hang`, stays open until `signal` aborts the request. */
export function streamResponse(chunks: string[], end: "close" | "drop" | "hang" = "close", signal?: AbortSignal | null): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk !== undefined) controller.enqueue(new TextEncoder().encode(chunk));
      else if (end === "drop") controller.error(new TypeError("network error"));
      else if (end === "close") controller.close();
      else {
        return new Promise<void>((resolve) => {
          signal?.addEventListener("abort", () => {
            controller.error(new DOMException("The operation was aborted.", "AbortError"));
            resolve();
          });
        });
      }
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

export function user(fields: Partial<User> = {}): User {
  return { id: "u1", email: "ada@example.com", name: "Ada", role: "user", status: "active", created_at: "2026-11-24T10:00:00Z", ...fields };
}

/** How the stubbed API answers one route. */
export type Route = (body: unknown, init: RequestInit) => Response | Promise<Response>;

/** Stubs fetch with `routes` ("METHOD /api/path"); unknown routes answer 500. What was asked is in `requests`. */
export function serve(routes: Record<string, Route>) {
  const requests: { route: string; body: unknown }[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init = {}) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const route = `${init.method ?? "GET"} ${url}`;
    const body: unknown = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    requests.push({ route, body });
    const handler = routes[route];
    if (!handler) return Response.json({ detail: `no route for ${route}` }, { status: 500 });
    return handler(body, init);
  });
  return { requests, count: (route: string) => requests.filter((r) => r.route === route).length };
}

/** A refusal as the API words it. */
export const refused = (status: number, detail: string) => () => Response.json({ detail }, { status });

export const NO_TOTALS: ConversationTotals = { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, cost_complete: true };

/** A page of a branch, as the server sends it: the newest unless `hasOlder`. A message without
 * `sibling_ids` has no alternatives, as the app reads one. */
export const branch = (messages: Message[], conversationId = "c1", hasOlder = false): Branch => ({
  conversation_id: conversationId,
  leaf_id: messages.at(-1)?.id ?? null,
  messages: messages.map((m) => ({ ...m, sibling_ids: m.sibling_ids ?? [m.id] })),
  has_older: hasOlder,
  totals: NO_TOTALS,
});

/** One model's answers on one day; cost and answers follow the tokens unless given. */
export function dayUsage(day: string, model: string, tokens: number, fields: Partial<DayUsage> = {}): DayUsage {
  const prompt = Math.round(tokens / 2);
  return { day, model, prompt_tokens: prompt, completion_tokens: tokens - prompt, cost_usd: tokens / 1e6, answers: 1, ...fields };
}

export const LIMITS: Limits = {
  running_answers: 4,
  waiting_answers: 50,
  tokens_per_day: 100_000,
  cost_per_month_usd: 20,
  storage_mb: 500,
};

/** A usage report of `rows`, with their totals, as `GET /api/usage` sends it. */
export function usageReport(rows: DayUsage[], fields: Partial<UsageReport> = {}): UsageReport {
  const sum = (pick: (row: DayUsage) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    days: 30,
    by_day: rows,
    total: {
      prompt_tokens: sum((r) => r.prompt_tokens),
      completion_tokens: sum((r) => r.completion_tokens),
      cost_usd: sum((r) => r.cost_usd),
      answers: sum((r) => r.answers),
    },
    limits: LIMITS,
    tokens_today: 0,
    cost_this_month_usd: 0,
    storage_used_bytes: 0,
    ...fields,
  };
}

/** A file as the API returns it: `ready` unless told, with its tokens. */
export function storedFile(fields: Partial<UploadedFile> = {}): UploadedFile {
  return {
    id: "f1", name: "notes.md", size: 120, content_type: "text/markdown", status: "ready", error: null,
    tokens: 1234, pages: null, width: null, height: null, created_at: "2026-11-30T10:00:00Z", ...fields,
  };
}

/** The updates feed, fed by the test: `emit` hands an update to every listener added. */
export function updatesFeed(): { subscribe: SubscribeToUpdates; emit: (update: Update) => void } {
  const listeners = new Set<(update: Update) => void>();
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit: (update) => {
      for (const listener of listeners) listener(update);
    },
  };
}

/**
 * XMLHttpRequest as far as an upload uses it, answered by the test: `FakeUpload.sent` holds each
 * request made; `progress` reports the upload's, `respond` answers, `fail` drops the connection.
 * Install it with `vi.stubGlobal("XMLHttpRequest", FakeUpload)`.
 */
export class FakeUpload extends EventTarget {
  static sent: FakeUpload[] = [];
  readonly upload = new EventTarget();
  method = "";
  url = "";
  body: unknown = null;
  status = 0;
  responseText = "";
  aborted = false;
  private contentType = "";

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: unknown) {
    this.body = body;
    FakeUpload.sent.push(this);
  }
  abort() {
    this.aborted = true;
    this.dispatchEvent(new Event("abort"));
  }
  getResponseHeader(name: string) {
    return name.toLowerCase() === "content-type" ? this.contentType : null;
  }
  progress(loaded: number, total: number) {
    this.upload.dispatchEvent(Object.assign(new Event("progress"), { lengthComputable: true, loaded, total }));
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.contentType = "application/json";
    this.responseText = JSON.stringify(body);
    this.dispatchEvent(new Event("load"));
  }
  fail() {
    this.dispatchEvent(new Event("error"));
  }
}

/** A minute of `GET /api/admin/status`, nothing in it unless given. */
export const minuteStatus = (minute: string, fields: Partial<MinuteStatus>): MinuteStatus => ({
  minute,
  completed: 0,
  failed: 0,
  stopped: 0,
  error_rate: null,
  tokens_per_second: null,
  first_token_p50_ms: null,
  first_token_p95_ms: null,
  queue_p50_ms: null,
  queue_p95_ms: null,
  model_p50_ms: null,
  model_p95_ms: null,
  queue_max: null,
  running_max: null,
  ...fields,
});

/** `GET /api/admin/status`: no worker, an empty hour, unless given. */
export const systemStatus = (fields: Partial<SystemStatus>): SystemStatus => ({
  at: 1_765_130_400,
  queued: 0,
  running: 0,
  admitted: 0,
  workers: [],
  minutes: [],
  hour: { completed: 0, failed: 0, stopped: 0, error_rate: null, tokens_per_second: null, first_token_p50_ms: null, first_token_p95_ms: null },
  ...fields,
});
