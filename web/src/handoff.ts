/** Answer streams that came with their submit, kept until the hook that follows the answer takes them. */
import type { EventReader } from "./sse";

const waiting = new Map<string, EventReader>();

/** Keeps `stream`, the answer `answerId`'s events, for whoever follows that answer next. */
export function handOver(answerId: string, stream: EventReader): void {
  waiting.get(answerId)?.cancel();
  waiting.set(answerId, stream);
}

/** The stream kept for the answer, if any; only the first caller gets it. */
export function takeOver(answerId: string): EventReader | undefined {
  const stream = waiting.get(answerId);
  waiting.delete(answerId);
  return stream;
}

/** Nobody will follow the answer here (the reader moved on): hang up its stream. */
export function release(answerId: string): void {
  takeOver(answerId)?.cancel();
}
