/** The composer's attached files: uploads them, follows their reading through the updates, and removes them. */
import { useEffect, useEffectEvent, useReducer, useRef } from "react";

import { ApiError, api, readable } from "../api";
import { type Attachment, attachmentsReducer, MAX_ATTACHMENTS, readyIds, sendBlocked } from "../attachments";
import { rememberFile } from "../files";
import { newId } from "../ids";
import type { SubscribeToUpdates, Update } from "./useUpdates";

const TOO_MANY = `At most ${MAX_ATTACHMENTS} files can go with one message.`;
const GONE = "This file was deleted.";

/** A file the user will not send: deleted, so that it does not count against the storage quota.
 * There is no page to find it again, so a failure can only be let go. */
function forget(id: string): void {
  api.deleteFile(id).catch(() => undefined);
}

/**
 * The files attached to the question being written. Each is uploaded at once; while a worker
 * reads it, the updates (`{"file_id", "change": "file"}`) say when it is done, and it is read
 * again. A chip removed before sending deletes its file on the server (or stops its upload).
 */
/** How often files still being read are read again, should their update have been missed. */
export const REREAD_MS = 3000;

export function useAttachments(updates: SubscribeToUpdates) {
  const [attachments, dispatch] = useReducer(attachmentsReducer, []);
  // Each upload on its way, to abort when its chip is removed.
  const uploads = useRef(new Map<string, AbortController>());
  // Files whose reading ended before their upload's answer arrived (a small file is read fast):
  // the update came while the chip had no id yet to match it.
  const early = useRef(new Set<string>());
  // What is attached now, for the clean-up when the composer goes.
  const latest = useRef<Attachment[]>([]);
  useEffect(() => {
    latest.current = attachments;
  }, [attachments]);

  const reread = async (id: string) => {
    try {
      dispatch({ type: "fileRead", file: await api.getFile(id) });
    } catch (error) {
      // Deleted elsewhere: it cannot go. Unreachable: the next resync reads it again.
      if (error instanceof ApiError && error.status === 404) dispatch({ type: "fileMissing", id, error: GONE });
    }
  };

  const rereadProcessing = useEffectEvent(() => {
    for (const a of attachments) if (a.status === "processing" && a.file) void reread(a.file.id);
  });

  const announced = useEffectEvent((update: Update) => {
    if (update.change === "resync") {
      // Changes may have been missed while the feed was away.
      rereadProcessing();
    } else if (update.change === "file") {
      if (attachments.some((a) => a.status === "processing" && a.file?.id === update.file_id)) void reread(update.file_id);
      else if (attachments.some((a) => a.status === "uploading")) early.current.add(update.file_id);
    }
  });
  useEffect(() => updates((update) => announced(update)), [updates]);

  // The updates are quick, not certain: one that comes between an upload's answer and the render
  // that shows its chip as processing matches no chip. While any file is being read, each is read
  // again now and then, so a missed update costs seconds, never a chip stuck at "Reading…".
  const processing = attachments.some((a) => a.status === "processing");
  useEffect(() => {
    if (!processing) return;
    const timer = window.setInterval(() => rereadProcessing(), REREAD_MS);
    return () => window.clearInterval(timer);
  }, [processing]);

  // Leaving the chat screen drops what was attached: stop the uploads, delete what was uploaded.
  useEffect(() => {
    const running = uploads.current;
    return () => {
      for (const controller of running.values()) controller.abort();
      for (const a of latest.current) if (a.file) forget(a.file.id);
    };
  }, []);

  const upload = async (key: string, file: File) => {
    const controller = new AbortController();
    uploads.current.set(key, controller);
    try {
      const stored = await api.uploadFile(file, (fraction) => dispatch({ type: "progressed", key, fraction }), controller.signal);
      // Removed while the server's answer was on its way: the file is not wanted.
      if (controller.signal.aborted) return forget(stored.id);
      dispatch({ type: "uploaded", key, file: stored });
      if (stored.status === "processing" && early.current.delete(stored.id)) void reread(stored.id);
    } catch (error) {
      if (!controller.signal.aborted) dispatch({ type: "uploadFailed", key, error: readable(error) });
    } finally {
      uploads.current.delete(key);
    }
  };

  /** Attaches `files` (picked, dropped or pasted): past the most a message takes, as failed chips. */
  const add = (files: File[]) => {
    let room = MAX_ATTACHMENTS - attachments.length;
    for (const file of files) {
      const key = newId();
      if (room-- <= 0) {
        dispatch({ type: "refused", key, name: file.name, error: TOO_MANY });
        continue;
      }
      dispatch({ type: "added", key, name: file.name });
      void upload(key, file);
    }
  };

  const remove = (key: string) => {
    const attachment = attachments.find((a) => a.key === key);
    dispatch({ type: "removed", key });
    uploads.current.get(key)?.abort();
    if (attachment?.file) forget(attachment.file.id);
  };

  /** The question went with the files `ids`: their chips go (those attached meanwhile stay), and
   * the message shows their names without asking the server. */
  const sent = (ids: string[]) => {
    for (const a of attachments) if (a.file && ids.includes(a.file.id)) rememberFile(a.file);
    dispatch({ type: "sent", ids });
  };

  return {
    items: attachments,
    /** Why the question cannot be sent yet (a file uploading, being read, or failed); null: it can. */
    blocked: sendBlocked(attachments),
    /** The files that go with the question. */
    readyIds: readyIds(attachments),
    add,
    remove,
    sent,
  };
}

export type Attachments = ReturnType<typeof useAttachments>;
