/** An import from the Import button: the file sent, and a large one's job followed to its end. */
import { useCallback, useEffect, useRef, useState } from "react";

import { api, readable } from "../api";
import { importOutcome } from "../imports";
import type { ImportProgress } from "../types";

/** How often a job import's progress is read while a worker writes it. */
export const IMPORT_POLL_MS = 500;

export type ImportState =
  | { phase: "idle" }
  | { phase: "sending"; name: string }
  | { phase: "running"; name: string; progress: ImportProgress }
  | { phase: "failed"; message: string };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a chosen file to `POST /api/conversations/import`. Written at once, `onImported` gets the
 * conversation to open; a large file's job is read every `IMPORT_POLL_MS` (its progress in
 * `state`) until it is done (`onImported(null)`: the list is read again) or failed. A refusal, or
 * a failed job, leaves its sentence in `state`.
 */
export function useImport(onImported: (openId: string | null) => Promise<void>) {
  const [state, setState] = useState<ImportState>({ phase: "idle" });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /** The job's progress until it ends; its final read. */
  const follow = useCallback(async (name: string, first: ImportProgress): Promise<ImportProgress> => {
    let progress = first;
    while (progress.status === "running" && mounted.current) {
      setState({ phase: "running", name, progress });
      await pause(IMPORT_POLL_MS);
      progress = await api.readImport(progress.import_id);
    }
    return progress;
  }, []);

  const start = useCallback(
    async (file: File) => {
      setState({ phase: "sending", name: file.name });
      try {
        const outcome = importOutcome(await api.importConversation(file));
        if (outcome.kind === "job") {
          const ended = await follow(file.name, outcome.progress);
          if (ended.status === "failed") throw new Error(ended.error ?? "The import failed.");
          if (!mounted.current) return;
          setState({ phase: "running", name: file.name, progress: ended });
          await onImported(null);
        } else {
          await onImported(outcome.openId);
        }
        if (mounted.current) setState({ phase: "idle" });
      } catch (failure) {
        if (mounted.current) setState({ phase: "failed", message: `${file.name}: ${readable(failure)}` });
      }
    },
    [follow, onImported],
  );

  const dismiss = useCallback(() => setState({ phase: "idle" }), []);
  return { state, start, dismiss };
}
