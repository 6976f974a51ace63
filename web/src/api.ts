/** The REST API's calls, its errors as readable sentences, and retries that never double a question. */
import { SILENCE_MS } from "./follow";
import { newId } from "./ids";
import { apiFetch, apiUpload } from "./signIn";
import { EventReader } from "./sse";
import type {
  ApiKey,
  AuthInfo,
  Branch,
  Conversation,
  ConversationPage,
  Feedback,
  FeedbackPage,
  FeedbackRating,
  ConversationSettings,
  ConversationPlacement,
  ConversationSource,
  FilePage,
  ImportedConversations,
  ImportProgress,
  Folder,
  Limits,
  McpServer,
  Message,
  ModelList,
  NewApiKey,
  NewMcpServer,
  NewPreset,
  PresetChange,
  PromptPreset,
  NewUser,
  ProfileChange,
  Registration,
  RoleLimits,
  SearchResults,
  ShareCreated,
  SharedConversation,
  ShareState,
  SignIn,
  SignupMode,
  SiteSettings,
  SubmitResult,
  SystemStatus,
  Tool,
  UsageReport,
  UsageSort,
  User,
  UserChange,
  UploadedFile,
  UserLimits,
  UserUsage,
} from "./types";

/** Messages per page of a branch: enough to fill a tall screen, few enough to show at once. */
export const BRANCH_PAGE = 50;
/** Files per page of the files page. */
export const FILES_PAGE = 50;
/** Feedback rows per page of the admin's list. */
export const FEEDBACK_PAGE = 50;

/** An error response from the API: its status and its `detail` sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const UNREACHABLE = "The server cannot be reached. Check your connection.";

interface RequestOptions {
  signal?: AbortSignal;
  raw?: BodyInit;
  accept?: string;
}

/** Sends a request; resolves with the response when it is a success, else rejects with an ApiError. */
async function send(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
  let response: Response;
  const json = body !== undefined || options.raw !== undefined;
  try {
    response = await apiFetch(`/api${path}`, {
      method,
      headers: { ...(json ? { "content-type": "application/json" } : {}), ...(options.accept ? { accept: options.accept } : {}) },
      body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ApiError(0, UNREACHABLE);
  }
  return checked(response);
}

/** The response when it is a success, else an ApiError with the server's sentence. */
async function checked(response: Response): Promise<Response> {
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
  return response;
}

/** A file sent as the multipart field `file`, its progress told to `onProgress` (0 to 1). Past
 * the upload limit or the storage quota a 413, past the user's limits a 429, each with its
 * sentence; an empty or unsupported file comes back already `failed`, with its `error`. */
async function uploadFile(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadedFile> {
  const form = new FormData();
  form.append("file", file, file.name);
  let response: Response;
  try {
    response = await apiUpload("/api/files", form, onProgress, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, UNREACHABLE);
  }
  return (await (await checked(response)).json()) as UploadedFile;
}

async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, body, options);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** A question asked with its answer's stream in the same response: the stored pair, and the stream after it. */
export interface StreamingSubmit {
  result: SubmitResult;
  stream: EventReader;
}

async function submitStreaming(path: string, body: unknown): Promise<StreamingSubmit> {
  const response = await send("POST", path, body, { accept: "text/event-stream" });
  if (!response.body) throw new ApiError(0, "The server sent no answer stream.");
  const stream = new EventReader(response.body);
  let first = null;
  try {
    first = await stream.next(SILENCE_MS);
  } catch {
    // cut, or silent, before its first event: as if the request had failed, which a retry
    // (the same client_id) repeats safely
  }
  if (first?.event !== "submitted") {
    stream.cancel();
    throw new ApiError(0, UNREACHABLE);
  }
  return { result: JSON.parse(first.data) as SubmitResult, stream };
}

export const api = {
  /** The newest conversations made in the app, or (`api`) those made through the OpenAI-compatible
   * API, the pinned first, from `offset` on; the archived ones alone when `archived`. */
  listConversations: (source: ConversationSource = "app", limit = 200, archived = false, offset = 0) =>
    request<ConversationPage>(
      "GET",
      `/conversations?limit=${limit}${offset ? `&offset=${offset}` : ""}${source === "app" ? "" : `&source=${source}`}${archived ? "&archived=true" : ""}`,
    ),
  createConversation: (fields: Partial<Pick<Conversation, "title"> & ConversationSettings>) =>
    request<Conversation>("POST", "/conversations", fields),
  getConversation: (id: string) => request<Conversation>("GET", `/conversations/${id}`),
  updateConversation: (id: string, fields: Partial<Pick<Conversation, "title"> & ConversationSettings>) =>
    request<Conversation>("PATCH", `/conversations/${id}`, fields),
  deleteConversation: (id: string) => request<void>("DELETE", `/conversations/${id}`),
  /** Moves it to a folder (null: unfiled), pins or archives it, or undoes that. */
  placeConversation: (id: string, placement: ConversationPlacement) => request<Conversation>("PATCH", `/conversations/${id}`, placement),
  /** All of them, or (when any is not the user's) none. */
  deleteConversations: (ids: string[]) => request<void>("POST", "/conversations/delete", { ids }),
  listFolders: () => request<Folder[]>("GET", "/folders"),
  createFolder: (name: string) => request<Folder>("POST", "/folders", { name }),
  renameFolder: (id: string, name: string) => request<Folder>("PATCH", `/folders/${id}`, { name }),
  /** Its conversations are deleted too when `withConversations`, else they become unfiled. */
  deleteFolder: (id: string, withConversations: boolean) => request<void>("DELETE", `/folders/${id}?with_conversations=${withConversations}`),
  getMessage: (id: string) => request<Message>("GET", `/messages/${id}`),
  /** The branch's newest messages, or those just older than `before`. */
  getBranch: (conversationId: string, before?: string) =>
    request<Branch>("GET", `/conversations/${conversationId}/branch?limit=${BRANCH_PAGE}${before ? `&before=${before}` : ""}`),
  selectBranch: (conversationId: string, messageId: string) =>
    request<Branch>("PATCH", `/conversations/${conversationId}/branch`, { message_id: messageId }),
  /** `parentId`: the answer the question follows (the end of the branch on screen);
   * `attachments`: the ids of the `ready` files it brings. The answer's stream comes in the same
   * response (so it does for an edit and a regenerate): one round trip fewer before its first token. */
  submit: (conversationId: string, content: string, clientId: string, parentId?: string, attachments: string[] = []) =>
    submitStreaming(`/conversations/${conversationId}/messages`, {
      content,
      client_id: clientId,
      ...(parentId ? { parent_id: parentId } : {}),
      ...(attachments.length ? { attachments } : {}),
    }),
  regenerate: (messageId: string, clientId: string) => submitStreaming(`/messages/${messageId}/regenerate`, { client_id: clientId }),
  edit: (messageId: string, content: string, clientId: string) =>
    submitStreaming(`/messages/${messageId}/edit`, { content, client_id: clientId }),
  pin: (messageId: string, pinned: boolean) => request<Message>("PATCH", `/messages/${messageId}`, { pinned }),
  stop: (messageId: string) => request<Message>("POST", `/messages/${messageId}/stop`),
  listModels: () => request<ModelList>("GET", "/models"),
  /** The tools a conversation may pick: the registered MCP servers' (`<server>.<tool>`). */
  listTools: () => request<Tool[]>("GET", "/tools"),
  regenerateTitle: (conversationId: string) => request<Conversation>("POST", `/conversations/${conversationId}/title`),
  search: (query: string, signal: AbortSignal) =>
    request<SearchResults>("GET", `/search?q=${encodeURIComponent(query)}`, undefined, { signal }),
  /** The file itself is the body: the server refuses one too big before reading it. */
  /** relaychat's export (the new conversation), another app's (its conversations, or a large
   * one's job progress, 202), told apart by the server from the file's bytes. */
  importConversation: (file: Blob) =>
    request<Conversation | ImportedConversations | ImportProgress>("POST", "/conversations/import", undefined, {
      raw: file,
    }),
  /** A job import's progress; another user's is a 404. */
  readImport: (importId: string) => request<ImportProgress>("GET", `/imports/${encodeURIComponent(importId)}`),
  exportUrl: (conversationId: string, kind: "md" | "json") => `/api/conversations/${conversationId}/export.${kind}`,
  /** Whether the conversation has a shared link (never its token). */
  shareState: (conversationId: string) => request<ShareState>("GET", `/conversations/${conversationId}/share`),
  /** A new link to a copy of the selected branch; an earlier link stops working. */
  share: (conversationId: string) => request<ShareCreated>("POST", `/conversations/${conversationId}/share`),
  unshare: (conversationId: string) => request<void>("DELETE", `/conversations/${conversationId}/share`),
  /** What a shared link shows, signed in or not. */
  shared: (token: string) => request<SharedConversation>("GET", `/shared/${encodeURIComponent(token)}`),
  giveFeedback: (messageId: string, rating: FeedbackRating, comment: string | null) =>
    request<Feedback>("PUT", `/messages/${messageId}/feedback`, { rating, comment }),
  takeBackFeedback: (messageId: string) => request<void>("DELETE", `/messages/${messageId}/feedback`),

  uploadFile,
  /** The user's files, newest first, from `offset`. */
  listFiles: (offset = 0) => request<FilePage>("GET", `/files?limit=${FILES_PAGE}&offset=${offset}`),
  /** The file as it is now: after the updates say its reading ended, or to name a message's attachment. */
  getFile: (id: string) => request<UploadedFile>("GET", `/files/${id}`),
  /** Its bytes and its text go; messages that brought it keep its id. */
  deleteFile: (id: string) => request<void>("DELETE", `/files/${id}`),
  /** Its download (the server sends it as an attachment, never as a page of the site). */
  fileUrl: (id: string) => `/api/files/${id}/content`,
  /** An image's thumbnail (at most 256 px), made when the server read it; a 404 for any other file. */
  thumbnailUrl: (id: string) => `/api/files/${id}/thumbnail`,

  authState: () => request<AuthInfo>("GET", "/auth/state"),
  /** The first account is an active admin; later ones are `pending` when signups need approval. */
  register: (fields: Registration) => request<User>("POST", "/auth/register", fields),
  login: (email: string, password: string) => request<User>("POST", "/auth/login", { email, password }),
  logout: () => request<void>("POST", "/auth/logout"),
  me: () => request<User>("GET", "/auth/me"),
  /** A new password signs out every other session of the user. */
  updateMe: (change: ProfileChange) => request<User>("PATCH", "/auth/me", change),
  listSignIns: () => request<SignIn[]>("GET", "/auth/sessions"),
  revokeSignIn: (id: string) => request<void>("DELETE", `/auth/sessions/${id}`),
  listKeys: () => request<ApiKey[]>("GET", "/keys"),
  createKey: (name: string) => request<NewApiKey>("POST", "/keys", { name }),
  deleteKey: (id: string) => request<void>("DELETE", `/keys/${id}`),
  /** The user's prompt presets by command, then those admins share with everyone. */
  listPresets: () => request<PromptPreset[]>("GET", "/presets"),
  createPreset: (preset: NewPreset) => request<PromptPreset>("POST", "/presets", preset),
  updatePreset: (id: string, change: PresetChange) => request<PromptPreset>("PATCH", `/presets/${id}`, change),
  deletePreset: (id: string) => request<void>("DELETE", `/presets/${id}`),

  /** The user's tokens and cost by day and model over the last `days` UTC days (today included), and their limits. */
  usage: (days: number) => request<UsageReport>("GET", `/usage?days=${days}`),

  listUsers: () => request<User[]>("GET", "/admin/users"),
  createUser: (user: NewUser) => request<User>("POST", "/admin/users", user),
  updateUser: (id: string, fields: UserChange) => request<User>("PATCH", `/admin/users/${id}`, fields),
  deleteUser: (id: string) => request<void>("DELETE", `/admin/users/${id}`),
  listUsage: (sort: UsageSort, days: number) => request<UserUsage[]>("GET", `/admin/usage?days=${days}&sort=${sort}`),
  /** The system now and over the last hour, per minute: the Status page polls it. */
  systemStatus: () => request<SystemStatus>("GET", "/admin/status"),
  roleLimits: () => request<RoleLimits>("GET", "/admin/limits"),
  /** Both roles at once: the server replaces them whole. */
  setRoleLimits: (limits: RoleLimits) => request<RoleLimits>("PUT", "/admin/limits", limits),
  userLimits: (id: string) => request<UserLimits>("GET", `/admin/users/${id}/limits`),
  /** All of them at once: null takes the role's. */
  setUserLimits: (id: string, own: Limits) => request<UserLimits>("PUT", `/admin/users/${id}/limits`, own),
  signupMode: () => request<SiteSettings>("GET", "/admin/settings"),
  setSignupMode: (signup: SignupMode) => request<SiteSettings>("PATCH", "/admin/settings", { signup }),
  setSharing: (sharing: boolean) => request<SiteSettings>("PATCH", "/admin/settings", { sharing }),
  listFeedback: (offset = 0) => request<FeedbackPage>("GET", `/admin/feedback?limit=${FEEDBACK_PAGE}&offset=${offset}`),
  feedbackExportUrl: "/api/admin/feedback/export",
  listMcpServers: () => request<McpServer[]>("GET", "/admin/mcp-servers"),
  /** A worker then connects and lists its tools: the list shows the result moments later. */
  registerMcpServer: (server: NewMcpServer) => request<McpServer>("POST", "/admin/mcp-servers", server),
  refreshMcpServer: (id: string) => request<McpServer>("POST", `/admin/mcp-servers/${id}/refresh`),
  deleteMcpServer: (id: string) => request<void>("DELETE", `/admin/mcp-servers/${id}`),
};

const TRIES = 3;

/** Calls `request` up to three times, again after a network error or a 5xx, with one new
 * client_id for all of them: a retry after a lost response gets what the first try stored,
 * so a question or an answer is never doubled. */
export async function withRetries<T>(request: (clientId: string) => Promise<T>): Promise<T> {
  const clientId = newId();
  for (let attempt = 1; ; attempt++) {
    try {
      return await request(clientId);
    } catch (error) {
      const retriable = error instanceof ApiError && (error.status === 0 || error.status >= 500);
      if (!retriable || attempt >= TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
    }
  }
}

/** A sentence for a person, whatever went wrong. */
export function readable(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
