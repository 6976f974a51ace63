/** The one place a 401 is noticed: every API call, stream and upload goes through here, and the sign-in screen listens. */

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

/** Tells the listeners when `response`, to a request sent in sign-in `sentIn`, is a 401. */
async function noticed(response: Response, sentIn: number): Promise<Response> {
  if (response.status === 401 && sentIn === generation && listeners.size > 0) {
    const detail = await detailOf(response);
    for (const listener of listeners) listener(detail);
  }
  return response;
}

/** `fetch`, the same origin's cookie included, telling the listeners about a 401. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const sentIn = generation;
  return noticed(await fetch(url, init), sentIn);
}

/** Statuses whose response has no body: a Response made with one throws. */
const NO_BODY = [204, 205, 304];

/**
 * POSTs `body` with XMLHttpRequest, whose upload reports its progress (fetch's does not):
 * `onProgress` gets the fraction sent, 0 to 1. Resolves with the answer as a Response, a 401
 * told to the listeners as `apiFetch` does; rejects with a TypeError when the request failed
 * (as fetch does), or an AbortError when `signal` aborted it.
 */
export function apiUpload(url: string, body: FormData, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<Response> {
  const sentIn = generation;
  return new Promise<Response>((resolve, reject) => {
    const request = new XMLHttpRequest();
    const aborted = () => reject(new DOMException("The upload was aborted.", "AbortError"));
    if (signal?.aborted) return aborted();
    signal?.addEventListener("abort", () => request.abort(), { once: true });
    request.open("POST", url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      const headers = new Headers({ "content-type": request.getResponseHeader("content-type") ?? "" });
      const text = NO_BODY.includes(request.status) ? null : request.responseText;
      resolve(noticed(new Response(text, { status: request.status, headers }), sentIn));
    });
    request.addEventListener("error", () => reject(new TypeError("The upload failed.")));
    request.addEventListener("timeout", () => reject(new TypeError("The upload timed out.")));
    request.addEventListener("abort", aborted);
    request.send(body);
  });
}
