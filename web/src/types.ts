/** The API's shapes, as the server sends them. */

export type Role = "user" | "assistant";
export type MessageStatus = "queued" | "streaming" | "complete" | "stopped" | "failed";

/** Where a title came from: only `user` (typed) is never replaced by a generated one. */
export type TitleSource = "default" | "fallback" | "generated" | "user";

/** Where a conversation was made: in the app, or through the OpenAI-compatible API (`/v1`). */
export type ConversationSource = "app" | "api";

export interface Conversation {
  id: string;
  title: string;
  title_source: TitleSource;
  system_prompt: string;
  model: string | null;
  /** The answer's share of the context window; null: the model's default. */
  max_tokens: number | null;
  /** The end of the branch shown; the next question continues it. */
  selected_leaf_id: string | null;
  source: ConversationSource;
  created_at: string;
  updated_at: string;
}

export interface Message {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: Role;
  content: string;
  status: MessageStatus;
  error: string | null;
  error_code: string | null;
  model: string | null;
  attempt: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** US dollars at the model's prices when it answered; 0 for a local model. */
  cost_usd: number | null;
  first_token_at: string | null;
  finished_at: string | null;
  tokens_per_second: number | null;
  finish_reason: string | null;
  client_id: string | null;
  /** In every prompt of its branch while it fits. */
  pinned: boolean;
  /** An answer's prompt: the earlier messages it was built from (null: not recorded). */
  included_ids: string[] | null;
  created_at: string;
  updated_at: string;
  /** This message and its alternatives (regenerated answers, edited questions), oldest first. */
  sibling_ids?: string[];
}

/** The selected branch, root first. */
/** What every answer of a conversation cost, in all its branches. */
export interface ConversationTotals {
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  /** False: some answers have no recorded cost, the sum is a floor. */
  cost_complete: boolean;
}

/** A page of the selected branch, root first. */
export interface Branch {
  conversation_id: string;
  leaf_id: string | null;
  messages: Message[];
  /** Older messages precede the page: ask with `before` the page's first. */
  has_older: boolean;
  /** The conversation's; null on a page of older messages (the newest page had them). */
  totals: ConversationTotals | null;
}

export type ConversationSettings = Pick<Conversation, "system_prompt" | "model" | "max_tokens">;

export interface ModelInfo {
  id: string;
  label: string;
  context_window: number;
  input_price: number;
  output_price: number;
  local: boolean;
  default_max_tokens: number;
  max_tokens_limit: number;
}

export interface ModelList {
  models: ModelInfo[];
  default: string;
}

export interface SubmitResult {
  user_message: Message;
  assistant_message: Message;
}

export const ACTIVE: MessageStatus[] = ["queued", "streaming"];

export interface SnippetPart {
  text: string;
  hit: boolean;
}

export interface SearchHit {
  conversation_id: string;
  conversation_title: string;
  conversation_source: "app" | "api";
  message_id: string | null;
  role: Role | null;
  snippet: SnippetPart[];
  created_at: string;
}

export interface SearchResults {
  conversations: SearchHit[];
  messages: SearchHit[];
}

/** What `GET /api/updates` says about a conversation that changed elsewhere. */
export interface ConversationChange {
  conversation_id: string;
  change: "title" | "title_failed";
}

export type UserRole = "admin" | "user";
export type UserStatus = "active" | "pending" | "disabled";
/** Who may make an account: anyone (`open`), anyone with an admin's approval, or nobody (`closed`). */
export type SignupMode = "open" | "approval" | "closed";

export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  status: UserStatus;
  created_at: string;
}

/** `GET /api/auth/state`: open to anyone. */
export interface AuthInfo {
  /** No account exists yet: the first one made is the admin. */
  setup_required: boolean;
  signup: SignupMode;
  /** Null when this browser is not signed in. */
  user: User | null;
}

/** A signed-in browser of the user's. */
export interface SessionInfo {
  id: string;
  user_agent: string;
  address: string;
  created_at: string;
  last_seen_at: string;
  /** This browser. */
  current: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** A key just made: `key` is shown this once. */
export interface NewApiKey extends ApiKey {
  key: string;
}

/** What the signed-in user may change: the current password is always required. */
export interface ProfileChange {
  current_password: string;
  name?: string;
  new_password?: string;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: UserRole;
}

/** A set of limits. A role's: null is unlimited. A user's own: null takes the role's. */
export interface Limits {
  /** Answers generating at once. */
  running_answers: number | null;
  /** Answers waiting to start. */
  waiting_answers: number | null;
  /** Prompt and answer tokens per UTC day. */
  tokens_per_day: number | null;
  cost_per_month_usd: number | null;
}

/** Each role's default limits. */
export interface RoleLimits {
  admin: Limits;
  user: Limits;
}

/** `GET /api/admin/users/{id}/limits`. */
export interface UserLimits {
  user_id: string;
  /** The admin's overrides for this user; null: the role's. */
  own: Limits;
  /** What applies to the user now; null: unlimited. */
  effective: Limits;
}

export interface UsageTotals {
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  answers: number;
}

/** One model's answers on one UTC day. */
export interface DayUsage extends UsageTotals {
  /** YYYY-MM-DD, UTC. */
  day: string;
  model: string;
}

/** `GET /api/usage`: the signed-in user's. */
export interface UsageReport {
  days: number;
  /** Oldest day first; a day without answers has no row. */
  by_day: DayUsage[];
  total: UsageTotals;
  /** What applies to the user now; null: unlimited. */
  limits: Limits;
  /** What the limits have counted so far; null while the server cannot tell. */
  tokens_today: number | null;
  cost_this_month_usd: number | null;
}

/** A row of `GET /api/admin/usage`: every account, those without answers at zero. */
export interface UserUsage extends UsageTotals {
  user_id: string;
  email: string;
  name: string;
}

/** The admin's usage table's order: the most first, or by email A to Z. */
export type UsageSort = "cost" | "tokens" | "answers" | "email";
