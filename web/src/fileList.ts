/** The files page's list on a pure reducer (pages read, a file read again, one deleted), and its wording: sizes, kinds, what a file holds. */
import type { FilePage, UploadedFile } from "./types";

export interface FileListState {
  /** Newest first (their ids sort by creation); null until the first page answers. */
  files: UploadedFile[] | null;
  /** Where the next page starts on the server; null: none left. */
  nextOffset: number | null;
  loadingMore: boolean;
  /** Reading a page failed: the server's sentence. */
  error: string | null;
}

export type FileListAction =
  | { type: "loaded"; page: FilePage }
  | { type: "moreAsked" }
  | { type: "moreLoaded"; page: FilePage }
  | { type: "failed"; error: string }
  /** The file as the server has it now (the updates said it changed, or it is still being read). */
  | { type: "fileRead"; file: UploadedFile }
  /** Deleted, here or elsewhere. */
  | { type: "deleted"; id: string };

export const emptyFileList: FileListState = { files: null, nextOffset: null, loadingMore: false, error: null };

const newestFirst = (a: UploadedFile, b: UploadedFile) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The server pages by offset: a file deleted before the next page moves it back by one, a new one
 * forward, so the offset follows both; a file a page brings twice shows once. */
export function fileListReducer(state: FileListState, action: FileListAction): FileListState {
  switch (action.type) {
    case "loaded":
      return { files: action.page.items, nextOffset: action.page.next_offset, loadingMore: false, error: null };
    case "moreAsked":
      return { ...state, loadingMore: true, error: null };
    case "moreLoaded": {
      const files = state.files ?? [];
      const known = new Set(files.map((f) => f.id));
      const added = action.page.items.filter((f) => !known.has(f.id));
      return { ...state, files: [...files, ...added], nextOffset: action.page.next_offset, loadingMore: false };
    }
    case "failed":
      return { ...state, loadingMore: false, error: action.error };
    case "fileRead": {
      const { file } = action;
      if (!state.files) return state;
      if (state.files.some((f) => f.id === file.id)) {
        return { ...state, files: state.files.map((f) => (f.id === file.id ? file : f)) };
      }
      // A file uploaded since (in another tab): shown where it sorts, when that is among the files
      // read so far; an older one comes with its page.
      const last = state.files.at(-1);
      const within = last === undefined || file.id > last.id;
      if (!within && state.nextOffset !== null) return state;
      const files = [...state.files, file].sort(newestFirst);
      return { ...state, files, nextOffset: within && state.nextOffset !== null ? state.nextOffset + 1 : state.nextOffset };
    }
    case "deleted": {
      if (!state.files?.some((f) => f.id === action.id)) return state;
      return {
        ...state,
        files: state.files.filter((f) => f.id !== action.id),
        nextOffset: state.nextOffset === null ? null : Math.max(0, state.nextOffset - 1),
      };
    }
  }
}

/** "120 bytes", "5.2 KB", "12.3 MB": decimal units, as the upload limit and the quota count them. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toLocaleString("en-US", { maximumFractionDigits: value < 100 ? 1 : 0 })} ${units[unit]}`;
}

/** The bytes a quota of `mb` megabytes allows. */
export const quotaBytes = (mb: number) => mb * 1_000_000;

/** "12.3 MB of 100 MB" under a quota, "12.3 MB (no limit)" without one. */
export function storageUsed(used: number, quotaMb: number | null): string {
  return quotaMb === null ? `${formatSize(used)} (no limit)` : `${formatSize(used)} of ${formatSize(quotaBytes(quotaMb))}`;
}

const KINDS: Record<string, string> = {
  "application/pdf": "PDF",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
  "text/html": "HTML",
  "text/markdown": "Markdown",
  "text/csv": "CSV",
  "application/json": "JSON",
  "text/plain": "Text",
  "image/png": "PNG image",
  "image/jpeg": "JPEG image",
  "image/gif": "GIF image",
  "image/webp": "WebP image",
};

/** The file's kind in words ("PDF", "PNG image"); its media type when it is none relaychat reads. */
export function fileKind(contentType: string): string {
  return KINDS[contentType.split(";")[0]!.trim()] ?? contentType;
}

const counted = (count: number, one: string) => `${count.toLocaleString("en-US")} ${one}${count === 1 ? "" : "s"}`;

/** What a read file holds: "12 pages · 3,456 tokens", "1,234 tokens", "640 × 480"; null before it is read, or for a failed one. */
export function fileContents(file: UploadedFile): string | null {
  if (file.status !== "ready") return null;
  const parts = [
    file.pages != null ? counted(file.pages, "page") : null,
    file.width != null && file.height != null ? `${file.width} × ${file.height}` : null,
    file.tokens != null ? counted(file.tokens, "token") : null,
  ].filter((part) => part !== null);
  return parts.length ? parts.join(" · ") : null;
}
