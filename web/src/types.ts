/** The API's shapes under the app's names, taken from the server's OpenAPI schema (api-schema.gen.ts, `make types`), and the few the client adds. */
import type { components, paths } from "./api-schema.gen";

type Schemas = components["schemas"];

export type Role = Schemas["Role"];
export type MessageStatus = Schemas["Status"];

/** Where a title came from: only `user` (typed) is never replaced by a generated one. */
export type TitleSource = Schemas["TitleSource"];

/** Where a conversation was made: in the app, or through the OpenAI-compatible API (`/v1`). */
export type ConversationSource = Schemas["Source"];

/** `max_tokens`: the answer's share of the context window, null: the model's default.
 * `selected_leaf_id`: the end of the branch shown; the next question continues it. */
export type Conversation = Schemas["ConversationRead"];

/** A message as a branch's page sends it, with `sibling_ids` (this message and its alternatives:
 * regenerated answers, edited questions, oldest first), or as the other routes send it, without.
 * `cost_usd`: US dollars at the model's prices when it answered, 0 for a local model. `pinned`: in
 * every prompt of its branch while it fits. `included_ids`: an answer's prompt, the earlier
 * messages it was built from (null: not recorded). `sources`: the documents an answer drew on. */
export type Message = Schemas["MessageRead"] & Partial<Pick<Schemas["BranchMessage"], "sibling_ids">>;

/** What every answer of a conversation cost, in all its branches. */
export type ConversationTotals = Schemas["ConversationTotals"];

/** A page of the selected branch, root first; `totals` is null on a page of older messages. */
export type Branch = Schemas["BranchRead"];

/** A page of the conversation list, newest first. */
export type ConversationPage = Schemas["ConversationPage"];

/** `tools`: the `<server>.<tool>` names its answers may call (null: none). `temperature`,
 * `top_p`, `seed`: its answers' sampling, within the model's limits (null: the model's default). */
export type ConversationSettings = Pick<
  Conversation,
  "system_prompt" | "model" | "max_tokens" | "tools" | "temperature" | "top_p" | "seed"
>;

/** A saved prompt, inserted by typing `/command` in the composer: the user's own (`mine`), or one
 * an admin shares with everyone (`shared`, read-only for the others). */
export type PromptPreset = Schemas["PresetRead"];
export type NewPreset = Schemas["PresetCreate"];
export type PresetChange = Schemas["PresetUpdate"];

export type ModelInfo = Schemas["ModelRead"];
export type ModelList = Schemas["ModelList"];

/** One document an answer's prompt drew on, by its file's id: `whole`, or the parts of it that
 * best matched the question (`chunks`, their positions) on `pages` (a paged document's). */
export type DocumentSource = Schemas["DocumentSourceRead"];

/** A question and its answer as stored: a streaming submit's first event. */
export type SubmitResult = Schemas["SubmitResult"];

export const ACTIVE: MessageStatus[] = ["queued", "streaming"];

export type SnippetPart = Schemas["SnippetPart"];
export type SearchHit = Schemas["SearchHit"];
export type SearchResults = Schemas["SearchResults"];

/** What `GET /api/updates` says about a conversation that changed elsewhere. Written here: the
 * schema describes no event stream's events. */
export interface ConversationChange {
  conversation_id: string;
  /** `conversation`: moved to a folder, pinned, archived, restored or deleted. */
  change: "title" | "title_failed" | "conversation";
}

/** What `GET /api/updates` says when the user's folders changed (made, renamed, deleted): read
 * them, and the list, again. Sent under the same event name as a conversation's changes. */
export interface FoldersChange {
  change: "folders";
}

/** What `GET /api/updates` says when the user's prompt presets changed in another tab: read them again. */
export interface PresetsChange {
  change: "presets";
}

/** A folder of the user's; a conversation names its own (`folder_id`, null: unfiled). */
export type Folder = Schemas["FolderRead"];

/** Where a conversation sits in the list: its folder (null: unfiled), pinned, archived. */
export type ConversationPlacement = Partial<Pick<Conversation, "folder_id" | "pinned" | "archived">>;

/** What `GET /api/updates` says about a file of the user's: its reading ended (`ready` or
 * `failed`), so read it again. Sent under the same event name as a conversation's changes. */
export interface FileChange {
  file_id: string;
  change: "file";
}

/** A large import's progress (`GET /api/imports/{id}`): `running` while a worker writes its
 * conversations (`done` of `total`), then `done`, or `failed` with `error`, a sentence. */
export type ImportProgress = Schemas["ImportRead"];
/** A small import of another app's export, written at once: its conversations. */
export type ImportedConversations = Schemas["ImportedConversations"];

/** What `GET /api/updates` says when a job import of the user's ended: read the list again. */
export interface ImportChange {
  import_id: string;
  change: "imported";
}

/** A file the user uploaded: `processing` while a worker reads it, then `ready` (with its
 * `tokens`, and `pages` for a PDF, or `width` and `height` for an image) or `failed` (with
 * `error`, a sentence). */
export type UploadedFile = Schemas["FileRead"];
export type FileStatus = Schemas["FileStatus"];
/** A page of `GET /api/files`, newest first; `next_offset` null on the last. */
export type FilePage = Schemas["FilePage"];

export type UserRole = Schemas["UserRole"];
export type UserStatus = Schemas["UserStatus"];
/** Who may make an account: anyone (`open`), anyone with an admin's approval, or nobody (`closed`). */
export type SignupMode = Schemas["SignupMode"];

export type User = Schemas["UserRead"];

/** `GET /api/auth/state`, open to anyone: `setup_required` while no account exists (the first one
 * made is the admin); `user` is null when this browser is not signed in. */
export type AuthInfo = Schemas["AuthState"];

/** An account asked for at sign-up. */
export type Registration = Schemas["Register"];

/** A sign-in: a signed-in browser of the user's; `current`: this browser. */
export type SignIn = Schemas["SignInRead"];

export type ApiKey = Schemas["KeyRead"];

/** A key just made: `key` is shown this once. */
export type NewApiKey = Schemas["KeyCreated"];

/** What the signed-in user may change: the current password is always required. */
export type ProfileChange = Schemas["MeUpdate"];

export type NewUser = Schemas["AdminUserCreate"];

/** An admin's change of an account: its role, or its status (approve, disable). */
export type UserChange = Schemas["AdminUserUpdate"];

/** `GET` and `PATCH /api/admin/settings`. */
export type SiteSettings = Schemas["SiteSettings"];

/** A set of limits. A role's: null is unlimited. A user's own: null takes the role's.
 * The schema makes each optional, as a request may leave one out (it is then null); the server
 * sends them all, and the app always sends them all. */
export type Limits = Required<Schemas["LimitsBody"]>;

/** `T` with its sets of limits at `K` as the server sends them: every limit in each. */
type WithLimits<T, K extends keyof T> = Omit<T, K> & Record<K, Limits>;

/** Each role's default limits. */
export type RoleLimits = WithLimits<Schemas["RoleLimitsBody"], "admin" | "user">;

/** `GET /api/admin/users/{id}/limits`: `own`, the admin's overrides for this user (null: the
 * role's); `effective`, what applies to the user now (null: unlimited). */
export type UserLimits = WithLimits<Schemas["UserLimitsRead"], "own" | "effective">;

export type UsageTotals = Schemas["UsageRow"];

/** One model's answers on one UTC day (`day`: YYYY-MM-DD). */
export type DayUsage = Schemas["DayUsage"];

/** `GET /api/usage`, the signed-in user's: `by_day` oldest day first, a day without answers has
 * no row; `limits`, what applies to the user now (null: unlimited); `tokens_today` and
 * `cost_this_month_usd`, what the limits have counted so far (null while the server cannot tell). */
export type UsageReport = WithLimits<Schemas["UsageReport"], "limits">;

/** A row of `GET /api/admin/usage`: every account, those without answers at zero. */
export type UserUsage = Schemas["UserUsage"];

/** `GET /api/admin/status`: the queue, the workers and the admissions now, and per minute over the last
 * hour (oldest first, the current minute last; a figure is null where the minute had nothing to tell). */
export type SystemStatus = Schemas["SystemStatus"];

/** A live worker: its slots, running jobs and heartbeat's age; `stale` once it missed a beat. */
export type WorkerStatus = Schemas["WorkerStatus"];

/** One minute of the status's last hour. */
export type MinuteStatus = Schemas["MinuteStatus"];

/** The admin's usage table's order: the most first, or by email A to Z. */
export type UsageSort = NonNullable<NonNullable<paths["/api/admin/usage"]["get"]["parameters"]["query"]>["sort"]>;

/** An MCP server an admin registered: its status and tools as a worker last listed them; its
 * headers and env are never sent back (`has_secrets` says whether it has any). */
export type McpServer = Schemas["McpServerRead"];
export type NewMcpServer = Schemas["McpServerCreate"];
/** A tool answers may use, named `<server>.<tool>`. */
export type Tool = Schemas["ToolRead"];

/** A link just made: `url` is `/share/<token>`; its token is shown this once. */
export type ShareCreated = Schemas["ShareCreated"];
/** Whether a conversation has a link (never its token), since when, and whether an admin allows sharing. */
export type ShareState = Schemas["ShareState"];
/** What a shared link shows anyone: a copy of one branch, its questions and finished answers. */
export type SharedConversation = Schemas["SharedConversation"];
export type SharedMessage = Schemas["SharedMessage"];

/** The user's thumbs on an answer, with their comment. */
export type Feedback = Schemas["FeedbackRead"];
export type FeedbackRating = Feedback["rating"];
/** A row of `GET /api/admin/feedback`: the feedback with the answer, its question and who gave it. */
export type FeedbackRow = Schemas["FeedbackRow"];
export type FeedbackPage = Schemas["FeedbackPage"];
