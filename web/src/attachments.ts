/** The composer's attached files as a pure reducer: each one's upload, its reading on the server, and whether the question can be sent. */
import type { UploadedFile } from "./types";
import { formatTokens } from "./usage";

/** At most this many files go with one question (the server refuses more). */
export const MAX_ATTACHMENTS = 10;

/** `uploading`: its bytes are on their way; `processing`: the server has it and a worker reads
 * it; `ready`: it can go with the question; `failed`: it cannot, and must be removed first. */
export type AttachmentStatus = "uploading" | "processing" | "ready" | "failed";

export interface Attachment {
  /** Made in the browser: the file has no id of the server's until its upload ends. */
  key: string;
  name: string;
  status: AttachmentStatus;
  /** While uploading: the fraction sent (0 to 1), null until the browser first says. */
  progress: number | null;
  /** The server's record, once the upload ended (null if it was refused, or before). */
  file: UploadedFile | null;
  /** Why it failed: the server's sentence. */
  error: string | null;
}

export type AttachmentAction =
  /** A file was picked, dropped or pasted: its upload starts. */
  | { type: "added"; key: string; name: string }
  /** A file that cannot go: never uploaded (too many files), failed with `error` at once. */
  | { type: "refused"; key: string; name: string; error: string }
  | { type: "progressed"; key: string; fraction: number }
  /** The server has it (it may be `failed` already: empty, or of a type it does not read). */
  | { type: "uploaded"; key: string; file: UploadedFile }
  | { type: "uploadFailed"; key: string; error: string }
  /** The file as the server has it now, read again after the updates said it changed. */
  | { type: "fileRead"; file: UploadedFile }
  /** The server no longer has it (deleted elsewhere): it cannot go. */
  | { type: "fileMissing"; id: string; error: string }
  | { type: "removed"; key: string }
  /** The question went with the files `ids`. */
  | { type: "sent"; ids: string[] };

/** What the file's server record says of its status. */
function fromFile(attachment: Attachment, file: UploadedFile): Attachment {
  return { ...attachment, file, status: file.status, progress: null, error: file.status === "failed" ? (file.error ?? "The file could not be read.") : null };
}

export function attachmentsReducer(state: Attachment[], action: AttachmentAction): Attachment[] {
  const update = (key: string, change: (attachment: Attachment) => Attachment) =>
    state.map((attachment) => (attachment.key === key ? change(attachment) : attachment));
  switch (action.type) {
    case "added":
      return [...state, { key: action.key, name: action.name, status: "uploading", progress: null, file: null, error: null }];
    case "refused":
      return [...state, { key: action.key, name: action.name, status: "failed", progress: null, file: null, error: action.error }];
    case "progressed":
      return update(action.key, (a) => (a.status === "uploading" ? { ...a, progress: action.fraction } : a));
    case "uploaded":
      return update(action.key, (a) => fromFile(a, action.file));
    case "uploadFailed":
      return update(action.key, (a) => ({ ...a, status: "failed", progress: null, error: action.error }));
    case "fileRead":
      // Only a file still being read moves on: a late answer to an earlier read must not bring
      // a finished one back to `processing`.
      return state.map((a) => (a.file?.id === action.file.id && a.status === "processing" ? fromFile(a, action.file) : a));
    case "fileMissing":
      return state.map((a) => (a.file?.id === action.id ? { ...a, status: "failed", progress: null, error: action.error } : a));
    case "removed":
      return state.filter((a) => a.key !== action.key);
    case "sent":
      return state.filter((a) => !(a.file && action.ids.includes(a.file.id)));
  }
}

/** Why the question cannot be sent with these files yet; null when it can. */
export function sendBlocked(attachments: Attachment[]): string | null {
  if (attachments.some((a) => a.status === "uploading")) return "Wait until the files have uploaded.";
  if (attachments.some((a) => a.status === "processing")) return "Wait until the files have been read.";
  if (attachments.some((a) => a.status === "failed")) return "Remove the files that failed to send the message.";
  return null;
}

/** The ids of the files that go with the question. */
export function readyIds(attachments: Attachment[]): string[] {
  return attachments.flatMap((a) => (a.status === "ready" && a.file ? [a.file.id] : []));
}

const plural = (count: number, one: string) => `${formatTokens(count)} ${one}${count === 1 ? "" : "s"}`;

/** What a chip says after the file's name: its upload, its reading, or what it holds. */
export function attachmentProgress(attachment: Attachment): string {
  switch (attachment.status) {
    case "uploading":
      return attachment.progress === null ? "Uploading…" : `Uploading… ${Math.floor(attachment.progress * 100)}%`;
    case "processing":
      return "Reading…";
    case "failed":
      return attachment.error ?? "The file could not be read.";
    case "ready": {
      const file = attachment.file;
      const tokens = file?.tokens != null ? plural(file.tokens, "token") : null;
      if (file?.pages != null) return tokens ? `${plural(file.pages, "page")} · ${tokens}` : plural(file.pages, "page");
      if (tokens) return tokens;
      if (file?.width != null && file.height != null) return `${file.width} × ${file.height}`;
      return "Ready";
    }
  }
}
