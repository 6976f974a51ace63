/** The files page's data: the user's files page by page, kept current by the updates feed, what they take of the storage quota, and deleting one. */
import { useCallback, useEffect, useEffectEvent, useReducer } from "react";

import { ApiError, api, readable } from "../api";
import { emptyFileList, fileListReducer, type FileListState } from "../fileList";
import { forgetFile } from "../files";
import { REREAD_MS } from "./useAttachments";
import { useLoaded } from "./useLoaded";
import type { SubscribeToUpdates, Update } from "./useUpdates";

/** What the user's files take, and the quota (null: none applies). */
export interface Storage {
  usedBytes: number;
  quotaMb: number | null;
}

/** The usage report counts the storage; its shortest window, as only that is wanted here. */
const readUsage = () => api.usage(1);

export interface Files extends FileListState {
  /** Null until the usage report answers. */
  storage: Storage | null;
  /** Reading the storage failed: the server's sentence. */
  storageError: string | null;
  /** Reads the next page; nothing while one is on its way, or after the last. */
  loadMore: () => void;
  /** Deletes the file (one already gone counts as deleted); rejects with the server's refusal. */
  remove: (id: string) => Promise<void>;
}

export function useFiles(updates: SubscribeToUpdates): Files {
  const [state, dispatch] = useReducer(fileListReducer, emptyFileList);
  const usage = useLoaded(readUsage);
  const reloadStorage = usage.reload;

  useEffect(() => {
    api.listFiles(0).then(
      (page) => dispatch({ type: "loaded", page }),
      (failure: unknown) => dispatch({ type: "failed", error: readable(failure) }),
    );
  }, []);

  const { nextOffset, loadingMore } = state;
  const loadMore = useCallback(() => {
    if (nextOffset === null || loadingMore) return;
    dispatch({ type: "moreAsked" });
    api.listFiles(nextOffset).then(
      (page) => dispatch({ type: "moreLoaded", page }),
      (failure: unknown) => dispatch({ type: "failed", error: readable(failure) }),
    );
  }, [nextOffset, loadingMore]);

  const gone = useCallback((id: string) => {
    forgetFile(id);
    dispatch({ type: "deleted", id });
  }, []);

  const reread = useCallback(
    async (id: string) => {
      try {
        dispatch({ type: "fileRead", file: await api.getFile(id) });
      } catch (error) {
        // Deleted elsewhere: it goes from the list. Unreachable: the next resync reads it again.
        if (error instanceof ApiError && error.status === 404) gone(id);
      }
    },
    [gone],
  );

  const remove = useCallback(
    async (id: string) => {
      try {
        await api.deleteFile(id);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
      gone(id);
      void reloadStorage();
    },
    [gone, reloadStorage],
  );

  const rereadProcessing = useEffectEvent(() => {
    for (const file of state.files ?? []) if (file.status === "processing") void reread(file.id);
  });

  // A file's reading ended (it takes no room if it failed), or one was uploaded elsewhere: that
  // file is read again, and the storage. After the feed was away, whatever may have changed.
  const announced = useEffectEvent((update: Update) => {
    if (update.change === "file") void reread(update.file_id);
    else if (update.change === "resync") rereadProcessing();
    else return;
    void reloadStorage();
  });
  useEffect(() => updates((update) => announced(update)), [updates]);

  // An update that came while the list was on its way finds no file to read again: while any is
  // being read, they are read again now and then (as the composer's chips are).
  const processing = state.files?.some((file) => file.status === "processing") ?? false;
  useEffect(() => {
    if (!processing) return;
    const timer = window.setInterval(() => rereadProcessing(), REREAD_MS);
    return () => window.clearInterval(timer);
  }, [processing]);

  const storage = usage.value ? { usedBytes: usage.value.storage_used_bytes, quotaMb: usage.value.limits.storage_mb } : null;
  return { ...state, storage, storageError: usage.error, loadMore, remove };
}
