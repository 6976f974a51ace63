/** Follows a Server-Sent Events endpoint with fetch: parses it, and reconnects with backoff and Last-Event-ID. */
import { apiFetch } from "./signIn";
import { EventReader, type SseEvent } from "./sse";

/**
 * How long an open stream may send nothing at all (no event, no heartbeat comment) before it is
 * taken for dead and reconnected. A connection cut without a FIN or RST (a partition, a hung API
 * host) never ends by itself. Three of the server's default 15 s heartbeats
 * (RELAYCHAT_HEARTBEAT_SECONDS): one late or lost heartbeat is no reason to reconnect.
 */
export const SILENCE_MS = 45_000;

/** Waits before reconnect n: 0.5 s, 1 s, 2 s … at most 8 s. */
export function backoff(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000);
}

interface FollowOptions {
  signal: AbortSignal;
  /** One event, in order. Returns true when it was the last one: following stops. */
  onEvent: (event: SseEvent) => boolean | void;
  /** Whether a status ends following: asking again could not change it. Otherwise it is retried. */
  isFinal?: (status: number) => boolean;
  /** True while waiting to reconnect (after a drop or a failed connect), false once connected again. */
  onReconnecting?: (reconnecting: boolean) => void;
  /** A response of `url`'s stream already open (a submit that streams its answer): read first. */
  opened?: EventReader;
  /** How long the stream may be silent before it is reconnected; SILENCE_MS unless a test says. */
  silenceMs?: number;
}

/**
 * Reads `url` as an event stream until an event says it was the last, a final status answers, or
 * `signal` aborts. Unlike EventSource it keeps trying after a non-200 answer (an API restarting
 * behind a proxy answers 502), and says when it is reconnecting. A reconnect sends the last event
 * id seen, so the server resumes after it and nothing arrives twice. A stream silent for
 * `silenceMs` is hung up and reconnected the same way.
 *
 * A 401 always stops it: the session ended (`signIn.ts` has told the app, which shows the
 * sign-in screen), and asking again would only meet 401 again.
 *
 * Resolves with the final status that stopped it, or null (the last event, or aborted).
 */
export async function follow(url: string, options: FollowOptions): Promise<number | null> {
  const { signal, onEvent, isFinal = () => false, onReconnecting, silenceMs = SILENCE_MS } = options;
  let opened = options.opened;
  let cursor: string | null = null;
  let failures = 0;
  // The annotations below are needed: inside this loop TypeScript cannot infer them (TS7022).
  while (!signal.aborted) {
    try {
      let reader: EventReader;
      if (opened) {
        reader = opened;
        opened = undefined;
        signal.addEventListener("abort", () => reader.cancel(), { once: true });
      } else {
        const response: Response = await apiFetch(url, { headers: cursor ? { "Last-Event-ID": cursor } : {}, signal });
        if (response.status === 401 || isFinal(response.status)) return response.status;
        if (!response.ok || !response.body) throw new Error(`${url} answered ${response.status}`);
        failures = 0;
        onReconnecting?.(false);
        reader = new EventReader(response.body);
      }
      for (let event = await reader.next(silenceMs); event; event = await reader.next(silenceMs)) {
        if (event.id) cursor = event.id;
        if (onEvent(event) === true) {
          reader.cancel();
          return null;
        }
      }
      // The server ended the response without a last event (a restart): resume.
    } catch {
      // A drop, a refused connect or a silent stream (Silent): resume too.
    }
    // An abort ends the read either way (a handed-over stream is cancelled, so it just ends).
    if (signal.aborted) return null;
    onReconnecting?.(true);
    await sleep(backoff(failures++), signal);
  }
  return null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
