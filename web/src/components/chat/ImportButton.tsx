/** The sidebar's Import: a JSON export in, a new conversation out. */
import { useRef, useState } from "react";

import { readable } from "../../api";

/** Picks a JSON export and hands it to `onImport`; a refusal shows the server's sentence. */
export function ImportButton({ onImport }: { onImport: (file: File) => Promise<void> }) {
  const picker = useRef<HTMLInputElement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const chosen = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      await onImport(file);
    } catch (failure) {
      setError(`${file.name}: ${readable(failure)}`);
    } finally {
      setBusy(false);
      if (picker.current) picker.current.value = ""; // the same file again is a new choice
    }
  };

  return (
    <>
      <button type="button" className="import" data-testid="import-button" disabled={busy} onClick={() => picker.current?.click()}>
        {busy ? "Importing…" : "Import"}
      </button>
      <input
        ref={picker}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="import-file"
        onChange={(event) => void chosen(event.target.files?.[0])}
      />
      {error ? (
        <p className="import-error" role="alert" data-testid="import-error">
          {error}
          <button type="button" className="link-button" aria-label="Dismiss" onClick={() => setError(null)}>
            ✕
          </button>
        </p>
      ) : null}
    </>
  );
}
