import type { Conversation, Message, ModelList, SubmitResult } from "./types";

/** An error response from the API: its status and its `detail` sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "The server cannot be reached. Check your connection.");
  }
  if (!response.ok) {
    let detail = `The server answered ${response.status}.`;
    try {
      const payload = (await response.json()) as { detail?: unknown };
      if (typeof payload.detail === "string") detail = payload.detail;
    } catch {
      // not JSON: keep the generic sentence
    }
    throw new ApiError(response.status, detail);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const api = {
  listConversations: (limit = 200) =>
    request<{ items: Conversation[]; next_offset: number | null }>("GET", `/conversations?limit=${limit}`),
  createConversation: (fields: Partial<Pick<Conversation, "title" | "system_prompt" | "model">>) =>
    request<Conversation>("POST", "/conversations", fields),
  getConversation: (id: string) => request<Conversation>("GET", `/conversations/${id}`),
  updateConversation: (id: string, fields: Partial<Pick<Conversation, "title" | "system_prompt" | "model">>) =>
    request<Conversation>("PATCH", `/conversations/${id}`, fields),
  deleteConversation: (id: string) => request<void>("DELETE", `/conversations/${id}`),
  listMessages: (conversationId: string) => request<Message[]>("GET", `/conversations/${conversationId}/messages`),
  getMessage: (id: string) => request<Message>("GET", `/messages/${id}`),
  submit: (conversationId: string, content: string, clientId: string) =>
    request<SubmitResult>("POST", `/conversations/${conversationId}/messages`, { content, client_id: clientId }),
  stop: (messageId: string) => request<Message>("POST", `/messages/${messageId}/stop`),
  listModels: () => request<ModelList>("GET", "/models"),
};

/** A sentence for a person, whatever went wrong. */
export function readable(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
