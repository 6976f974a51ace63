/** The one place a 401 is noticed: every API call and stream fetches through here, and the sign-in screen listens. */

type Listener = (detail: string) => void;

const listeners = new Set<Listener>();
/** Counts sign-ins in this tab: a 401 answering a request made before the latest sign-in is old news. */
let generation = 0;

/** Calls `listener` with the server's sentence when a request meets 401 (the sign-in ended, or
 * the user was disabled or deleted); returns the function that stops listening. */
export function onSignInEnded(listener: Listener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** A new sign-in began in this tab: a 401 to a request sent before now no longer ends anything. */
export function signInStarted(): void {
  generation++;
}

const ENDED = "Your session has ended: sign in again.";

async function detailOf(response: Response): Promise<string> {
  try {
    const payload = (await response.clone().json()) as { detail?: unknown };
    return typeof payload.detail === "string" ? payload.detail : ENDED;
  } catch {
    return ENDED;
  }
}

/** `fetch`, the same origin's cookie included, telling the listeners about a 401. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const sentIn = generation;
  const response = await fetch(url, init);
  if (response.status === 401 && sentIn === generation && listeners.size > 0) {
    const detail = await detailOf(response);
    for (const listener of listeners) listener(detail);
  }
  return response;
}
