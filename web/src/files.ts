/** The user's files as messages name them: each read once a page load, and known at once after it was sent from here. */
import { ApiError, api } from "./api";
import type { UploadedFile } from "./types";

/** A file's record, or null when the server no longer has it (deleted). A file's name never
 * changes, so one read serves every message that brought it. */
const known = new Map<string, Promise<UploadedFile | null>>();

/** Whether the server made the file a thumbnail: an image it has read. */
export function hasThumbnail(file: UploadedFile | null | undefined): file is UploadedFile {
  return file?.status === "ready" && file.content_type.startsWith("image/");
}

/** A file this tab uploaded and sent: its message names it without asking the server. */
export function rememberFile(file: UploadedFile): void {
  known.set(file.id, Promise.resolve(file));
}

/** The file `id`, read once; null when it was deleted. Rejects (and is asked again next time)
 * when the server could not say. */
export function lookUpFile(id: string): Promise<UploadedFile | null> {
  let found = known.get(id);
  if (!found) {
    found = api.getFile(id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      known.delete(id);
      throw error;
    });
    known.set(id, found);
  }
  return found;
}

/** A file deleted here: the messages that brought it say so, without asking. */
export function forgetFile(id: string): void {
  known.set(id, Promise.resolve(null));
}
