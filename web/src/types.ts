export type Role = "user" | "assistant";
export type MessageStatus = "queued" | "streaming" | "complete" | "stopped" | "failed";

export interface Conversation {
  id: string;
  title: string;
  system_prompt: string;
  model: string | null;
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
  finish_reason: string | null;
  client_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ModelInfo {
  id: string;
  label: string;
  context_window: number;
  input_price: number;
  output_price: number;
  local: boolean;
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
