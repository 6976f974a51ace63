/** The sidebar's Import: relaychat's JSON export, ChatGPT's data export (its zip, or its
 * conversations.json) or Open WebUI's chat export in; the conversations out. */
import { useRef } from "react";

import { useImport } from "../../hooks/useImport";
import { progressText } from "../../imports";

/** Picks a file and imports it; a large one's progress shows while a worker writes it, and a
 * refusal shows the server's sentence. `onImported` gets the conversation to open (null: none,
 * after a job: the list is read again). */
export function ImportButton({ onImported }: { onImported: (openId: string | null) => Promise<void> }) {
  const picker = useRef<HTMLInputElement | null>(null);
  const { state, start, dismiss } = useImport(onImported);
  const busy = state.phase === "sending" || state.phase === "running";

  const chosen = (file: File | undefined) => {
    if (picker.current) picker.current.value = ""; // the same file again is a new choice
    if (file) void start(file);
  };

  return (
    <>
      <button type="button" className="import" data-testid="import-button" disabled={busy} onClick={() => picker.current?.click()}>
        {busy ? "Importing…" : "Import"}
      </button>
      <input
        ref={picker}
        type="file"
        accept=".json,.zip,application/json,application/zip"
        hidden
        aria-label="Import conversations from a file"
        data-testid="import-file"
        onChange={(event) => chosen(event.target.files?.[0])}
      />
      {state.phase === "running" ? (
        <div className="import-progress" role="status" data-testid="import-progress">
          <span data-testid="import-progress-text">
            Importing {state.name}: {progressText(state.progress)}
          </span>
          <progress value={state.progress.done} max={Math.max(state.progress.total, 1)} aria-label="Import progress" />
        </div>
      ) : null}
      {state.phase === "failed" ? (
        <p className="import-error" role="alert" data-testid="import-error">
          {state.message}
          <button type="button" className="link-button" aria-label="Dismiss" onClick={dismiss}>
            ✕
          </button>
        </p>
      ) : null}
    </>
  );
}
