/** What an answer says, as its event stream tells it: its text, its reasoning and its tool calls. */
import type { Message } from "./types";

/** A call the model made: a program runs it and sends its result back (`/v1`). */
export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, streamed in pieces. */
  arguments: string;
}

export interface Said {
  text: string;
  /** A reasoning model's thinking, never part of the answer. */
  reasoning: string;
  toolCalls: ToolCall[];
}

export const NOTHING_SAID: Said = { text: "", reasoning: "", toolCalls: [] };

const text = (value: unknown): string => (typeof value === "string" ? value : "");

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
    case "reset":
      return NOTHING_SAID;
    default:
      return null;
  }
}

/** A stored message's tool calls (OpenAI's shape, as the API sends them). */
export function toolCallsOf(message: Message): ToolCall[] {
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
