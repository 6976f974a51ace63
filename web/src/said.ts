/** What an answer says, as its event stream tells it: its text, its reasoning and its tool calls. */
import type { Message } from "./types";

/** What an app tool the worker ran gave back, and how long it took. */
export interface ToolOutcome {
  output?: string;
  error?: string;
  durationMs?: number;
}

/** A call the model made: a program runs it and sends its result back (`/v1`), or the worker runs
 * it (a conversation's MCP tools), and then it has its `outcome`. */
export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, streamed in pieces. */
  arguments: string;
  outcome?: ToolOutcome;
}

export interface Said {
  text: string;
  /** A reasoning model's thinking, never part of the answer. */
  reasoning: string;
  toolCalls: ToolCall[];
}

export const NOTHING_SAID: Said = { text: "", reasoning: "", toolCalls: [] };

const text = (value: unknown): string => (typeof value === "string" ? value : "");
const optional = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** What was said after one more event of the answer's log; null for an event that says nothing.
 * A `reset` (a restart or a repair, core/answer_text.py) starts over: what follows brings it all again. */
export function hear(said: Said, event: string, data: Record<string, unknown>): Said | null {
  switch (event) {
    case "delta":
      return { ...said, text: said.text + text(data.text) };
    case "reasoning":
      return { ...said, reasoning: said.reasoning + text(data.text) };
    case "tool_call": {
      const index = Number(data.index);
      const calls = [...said.toolCalls];
      const call: ToolCall | undefined = calls[index];
      const piece = text(data.arguments);
      calls[index] = call ? { ...call, arguments: call.arguments + piece } : { id: text(data.id), name: text(data.name), arguments: piece };
      return { ...said, toolCalls: calls };
    }
    case "tool_result": {
      const index = Number(data.index);
      const calls = [...said.toolCalls];
      const call: ToolCall | undefined = calls[index];
      const outcome: ToolOutcome = { output: optional(data.output), error: optional(data.error), durationMs: Number(data.duration_ms ?? 0) };
      // The step's name as the conversation picked it (`<server>.<tool>`), not as the model was offered it.
      calls[index] = { id: text(data.id), arguments: "", ...call, name: text(data.name) || (call?.name ?? ""), outcome };
      return { ...said, toolCalls: calls };
    }
    case "reset":
      return NOTHING_SAID;
    default:
      return null;
  }
}

/** A stored message's tool calls: an app answer's steps with their outcomes, or the calls it
 * made for a `/v1` client (OpenAI's shape, as the API sends them). */
export function toolCallsOf(message: Message): ToolCall[] {
  if (message.tool_steps?.length) {
    return message.tool_steps.map((step) => ({
      id: step.id,
      name: step.name,
      arguments: step.arguments,
      outcome: step.output == null && step.error == null ? undefined : { output: step.output ?? undefined, error: step.error ?? undefined, durationMs: step.duration_ms ?? 0 },
    }));
  }
  return (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
}

/** A stored message as what it said. */
export function saidOf(message: Message): Said {
  return { text: message.content, reasoning: message.reasoning ?? "", toolCalls: toolCallsOf(message) };
}

/** Tool calls' names by their ids, for the results that answer them. */
export function toolNames(messages: Message[]): Map<string, string> {
  return new Map(messages.flatMap((m) => toolCallsOf(m).map((call) => [call.id, call.name] as const)));
}

/** Arguments as a reader reads them: indented JSON, or the text as it came (still streaming, or not JSON). */
export function readableArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
